//! Encoding outgoing messages as JSON lines into a reused buffer.
//!
//! Hand-written rather than serde-derived: the output is a handful of fixed shapes, and writing
//! them directly (integers with `itoa`, values straight from the node's store) keeps the hot
//! path free of allocation. Every line ends with `\n`.

use super::message::{OutPayload, Transmit, ValueList};

/// Appends `t` to `out` as one JSON line, `\n` included.
pub fn encode(t: &Transmit<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"src\":");
    write_str(out, t.src);
    out.extend_from_slice(b",\"dest\":");
    write_str(out, t.dest);
    out.extend_from_slice(b",\"body\":{\"type\":");
    match &t.payload {
        OutPayload::InitOk => out.extend_from_slice(b"\"init_ok\""),
        OutPayload::EchoOk { echo } => {
            out.extend_from_slice(b"\"echo_ok\",\"echo\":");
            out.extend_from_slice(echo.as_bytes());
        }
        OutPayload::GenerateOk { id } => {
            out.extend_from_slice(b"\"generate_ok\",\"id\":");
            write_u64(out, *id);
        }
        OutPayload::BroadcastOk => out.extend_from_slice(b"\"broadcast_ok\""),
        OutPayload::ReadOk { messages } => {
            out.extend_from_slice(b"\"read_ok\",\"messages\":");
            write_values(out, messages);
        }
        OutPayload::TopologyOk => out.extend_from_slice(b"\"topology_ok\""),
        OutPayload::Error { code, text } => {
            out.extend_from_slice(b"\"error\",\"code\":");
            write_u64(out, u64::from(code.code()));
            out.extend_from_slice(b",\"text\":");
            write_str(out, text);
        }
        OutPayload::Gossip {
            seq,
            values,
            acks,
            adopt,
            detach,
        } => {
            out.extend_from_slice(b"\"gossip\"");
            if let Some(seq) = seq {
                out.extend_from_slice(b",\"seq\":");
                write_u64(out, *seq);
            }
            if !values.is_empty() {
                out.extend_from_slice(b",\"values\":");
                write_values(out, values);
            }
            if !acks.is_empty() {
                out.extend_from_slice(b",\"acks\":[");
                for (i, a) in acks.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_u64(out, *a);
                }
                out.push(b']');
            }
            if *adopt {
                out.extend_from_slice(b",\"adopt\":true");
            }
            if *detach {
                out.extend_from_slice(b",\"detach\":true");
            }
        }
    }
    if let Some(id) = t.in_reply_to {
        out.extend_from_slice(b",\"in_reply_to\":");
        write_u64(out, id);
    }
    out.extend_from_slice(b"}}\n");
}

#[inline]
fn write_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn write_values(out: &mut Vec<u8>, values: &ValueList<'_>) {
    out.push(b'[');
    // A value is rarely longer than a few digits: reserve once, not per value.
    out.reserve(values.len() * 6 + 1);
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        v.write_json(out);
    }
    out.push(b']');
}

/// Appends `s` as a JSON string literal, escaping what JSON requires.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_json() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "nl\nx",
            "ctl\u{1}x",
            "ünï",
        ] {
            let mut out = Vec::new();
            write_str(&mut out, s);
            let back: String = serde_json::from_slice(&out).expect("valid JSON string");
            assert_eq!(back, s);
        }
    }
}
