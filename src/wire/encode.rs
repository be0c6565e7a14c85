//! Encoding outgoing messages as JSON lines into a reused buffer.
//!
//! Hand-written rather than serde-derived: the output is a handful of fixed shapes, and writing
//! them directly (integers with `itoa`, values straight from the node's store) keeps the hot
//! path free of allocation. Value lists (`read_ok`, gossip) go through a stack buffer and a
//! table of four-digit groups, about 2 ns a value. Every line ends with `\n`.

use super::Value;
use super::message::{OutPayload, Transmit};

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
        OutPayload::TopologyOk => out.extend_from_slice(b"\"topology_ok\""),
        OutPayload::Reply(reply) => reply.0.write_reply(out),
        OutPayload::Error { code, text } => {
            out.extend_from_slice(b"\"error\",\"code\":");
            write_u64(out, u64::from(code.code()));
            out.extend_from_slice(b",\"text\":");
            write_str(out, text);
        }
        OutPayload::Gossip {
            seq,
            items,
            acks,
            adopt,
            detach,
            sent,
            round,
            latency,
            incarnation,
        } => {
            out.extend_from_slice(b"\"gossip\"");
            if let Some(seq) = seq {
                out.extend_from_slice(b",\"seq\":");
                write_u64(out, *seq);
            }
            if !items.is_empty() {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(items.field.as_bytes());
                out.extend_from_slice(b"\":");
                items.store.write_items(items.positions, out);
            }
            if !acks.is_empty() {
                out.extend_from_slice(b",\"acks\":");
                write_u64_list(out, acks);
            }
            if *adopt {
                out.extend_from_slice(b",\"adopt\":true");
            }
            if *detach {
                out.extend_from_slice(b",\"detach\":true");
            }
            if let Some(sent) = sent {
                out.extend_from_slice(b",\"sent\":");
                write_u64(out, *sent);
            }
            if let Some(round) = round {
                out.extend_from_slice(b",\"round\":");
                write_u64_list(out, round);
            }
            if !latency.is_empty() {
                out.extend_from_slice(b",\"lat\":");
                write_u64_list(out, latency);
            }
            if *incarnation != 0 {
                out.extend_from_slice(b",\"inc\":");
                write_u64(out, *incarnation);
            }
        }
    }
    if let Some(id) = t.in_reply_to {
        out.extend_from_slice(b",\"in_reply_to\":");
        write_u64(out, id);
    }
    out.extend_from_slice(b"}}\n");
}

/// `[a,b,…]`, each element written by `element`.
pub fn write_joined<T>(
    out: &mut Vec<u8>,
    items: impl Iterator<Item = T>,
    mut element: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        element(out, item);
    }
    out.push(b']');
}

/// Appends `n` in decimal.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends `n` in decimal.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

// Lists of values are written through a buffer on the stack, appended to the output a few
// hundred bytes at a time, and integers below 10^8 (every value Maelstrom generates) are
// written from a table of four-digit groups with one 8-byte store each. Writing each value
// with `itoa` straight into `out` cost a capacity check, a division chain and a small
// `memcpy` call per value: about 5 ns a value, no faster than serde_json. The position in the
// stage is a local passed by value so that it stays in a register.

/// Bytes staged before a flush.
const STAGE: usize = 512;
/// Flush before an element when fewer bytes than this are left: `-` and 20 digits, `,`,
/// the up to 7 bytes an 8-byte store may write past them, and `]`.
const FLUSH_AT: usize = STAGE - 32;

/// `DIGITS[n]` is `n < 10^4` as four ASCII digits with leading zeros, in a little-endian
/// word: the first digit is the lowest byte.
static DIGITS: [u32; 10_000] = digit_table();

const fn digit_table() -> [u32; 10_000] {
    let mut table = [0u32; 10_000];
    let mut n = 0;
    while n < 10_000 {
        let d = n as u32;
        table[n] = (b'0' as u32 + d / 1000)
            | (b'0' as u32 + d / 100 % 10) << 8
            | (b'0' as u32 + d / 10 % 10) << 16
            | (b'0' as u32 + d % 10) << 24;
        n += 1;
    }
    table
}

/// Appends the JSON array of `values`, fast (see above): `read_ok` and gossip lists.
#[inline(always)]
pub fn write_values<'v>(out: &mut Vec<u8>, values: impl Iterator<Item = &'v Value>) {
    let mut stage = [0u8; STAGE];
    stage[0] = b'[';
    let mut len = 1;
    for v in values {
        if len > FLUSH_AT {
            out.extend_from_slice(&stage[..len]);
            len = 0;
        }
        len = match v {
            Value::Int(n) => match u32::try_from(*n) {
                Ok(n) if n < 100_000_000 => stage_small(&mut stage, len, n),
                _ => stage_other(out, &mut stage, len, itoa::Buffer::new().format(*n)),
            },
            Value::Json(text) => stage_other(out, &mut stage, len, text),
        };
    }
    close_list(out, &mut stage, len);
}

/// Acknowledgement lists are a few numbers long: written directly, without a stage.
fn write_u64_list(out: &mut Vec<u8>, list: &[u64]) {
    write_joined(out, list.iter(), |out, &n| write_u64(out, n));
}

/// Ends a list: the `,` after the last element becomes `]` (every element is followed by a
/// staged `,`, and flushes happen only before an element), or `[` gets its `]`.
fn close_list(out: &mut Vec<u8>, stage: &mut [u8; STAGE], mut len: usize) {
    match stage[..len].last_mut() {
        Some(last) if *last == b',' => *last = b']',
        _ => {
            stage[len] = b']';
            len += 1;
        }
    }
    out.extend_from_slice(&stage[..len]);
}

/// Stages `n < 10^8` in decimal and a `,`; returns the new length of the stage.
#[inline(always)]
fn stage_small(stage: &mut [u8; STAGE], len: usize, n: u32) -> usize {
    /// `n < 10^4` without leading zeros: its digits in the low bytes, and how many.
    #[inline(always)]
    fn short(n: u32) -> (u64, usize) {
        let digits = 1 + usize::from(n >= 10) + usize::from(n >= 100) + usize::from(n >= 1000);
        (u64::from(DIGITS[n as usize]) >> ((4 - digits) * 8), digits)
    }
    let comma = u64::from(b',');
    if n < 10_000 {
        let (word, digits) = short(n);
        put8(stage, len, word | comma << (digits * 8), digits + 1)
    } else {
        let (high, digits) = short(n / 10_000);
        let word = high | u64::from(DIGITS[(n % 10_000) as usize]) << (digits * 8);
        let len = put8(stage, len, word, digits + 4);
        stage[len] = b',';
        len + 1
    }
}

/// Stages other JSON text and a `,` (flushing first, and writing long text straight to
/// `out`); returns the new length of the stage.
fn stage_other(out: &mut Vec<u8>, stage: &mut [u8; STAGE], len: usize, text: &str) -> usize {
    let bytes = text.as_bytes();
    if len + bytes.len() > FLUSH_AT {
        out.extend_from_slice(&stage[..len]);
        out.extend_from_slice(bytes);
        stage[0] = b',';
        1
    } else {
        stage[len..len + bytes.len()].copy_from_slice(bytes);
        stage[len + bytes.len()] = b',';
        len + bytes.len() + 1
    }
}

/// Stores the eight bytes of `word` (little-endian) at `len` and keeps the first `keep`.
#[inline(always)]
fn put8(stage: &mut [u8; STAGE], len: usize, word: u64, keep: usize) -> usize {
    stage[len..len + 8].copy_from_slice(&word.to_le_bytes());
    len + keep
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
    use proptest::prelude::*;

    /// The list as `Value::write_json` and a join would write it.
    fn reference(values: &[Value]) -> String {
        let texts: Vec<String> = values.iter().map(ToString::to_string).collect();
        format!("[{}]", texts.join(","))
    }

    fn staged(values: &[Value]) -> String {
        let mut out = b"prefix".to_vec();
        write_values(&mut out, values.iter());
        String::from_utf8(out[6..].to_vec()).expect("UTF-8")
    }

    #[test]
    fn digit_table_holds_zero_padded_decimals() {
        for (n, word) in DIGITS.iter().enumerate() {
            assert_eq!(&word.to_le_bytes(), format!("{n:04}").as_bytes(), "{n}");
        }
    }

    #[test]
    fn value_lists_match_a_plain_join_at_every_length_and_edge() {
        let edges = [
            0,
            -1,
            9,
            10,
            99,
            100,
            999,
            1_000,
            -1_000,
            i64::from(u32::MAX),
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
            9_999,
            10_000,
            10_001,
            99_999_999,
            100_000_000,
            -100_000_001,
            9_999_999_999_999_999,
            10_000_000_000_000_000,
        ];
        for n in [0, 1, 2, 23, 24, 25, 100, 1_000] {
            let values: Vec<Value> = (0..n).map(|i| Value::Int(edges[i % edges.len()])).collect();
            assert_eq!(staged(&values), reference(&values), "{n} values");
        }
        let long = Value::Json(format!("\"{}\"", "x".repeat(2_000)).into());
        let values = vec![Value::Int(1), long.clone(), Value::Json("1.5".into()), long];
        assert_eq!(staged(&values), reference(&values));
        let mut out = Vec::new();
        write_values(&mut out, [2, 0, 2].iter().map(|&p: &usize| &values[p]));
        assert_eq!(out, b"[1.5,1,1.5]");
        let mut out = Vec::new();
        write_u64_list(&mut out, &[0, 7, 10_000_000_000_000_000, u64::MAX]);
        assert_eq!(out, b"[0,7,10000000000000000,18446744073709551615]");
    }

    proptest! {
        #[test]
        fn any_value_list_matches_a_plain_join(
            values in prop::collection::vec(
                prop_oneof![
                    any::<i64>().prop_map(Value::Int),
                    "[a-z]{0,80}".prop_map(|s| Value::Json(format!("\"{s}\"").into())),
                ],
                0..300,
            )
        ) {
            prop_assert_eq!(staged(&values), reference(&values));
        }
    }

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
