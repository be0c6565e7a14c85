//! The messages of a run, read back from the journal's trace (one line per send and per
//! delivery, `<µs> <send|recv> <id> <from> <to> <line>`) and paired by message id: what the
//! spacetime diagram draws.

use std::collections::HashMap;

/// One journaled message, with every delivery of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Maelstrom's message id (the journal's order of sends).
    pub id: u64,
    /// Sender (`n3`, `c12`, or a service such as `seq-kv`).
    pub from: String,
    /// Recipient.
    pub to: String,
    /// When it was sent, µs since the run started.
    pub sent_us: u64,
    /// When each delivery happened (none: dropped or still queued at teardown; two or more: a
    /// duplicating fault).
    pub received_us: Vec<u64>,
    /// The body's `type` (`?` when the body has none).
    pub kind: String,
    /// The message as the sender printed it, cut at [`KEPT_CHARS`] characters.
    pub line: String,
    /// The length of the whole line, in bytes.
    pub line_len: usize,
}

impl Message {
    /// Message `id` of type `kind` from `from` to `to`, sent at `sent_us` and delivered at
    /// each time of `received_us`, with its line as the simulator would print it.
    #[cfg(test)]
    pub fn new(
        id: u64,
        (from, to): (&str, &str),
        kind: &str,
        sent_us: u64,
        received_us: &[u64],
    ) -> Message {
        let line = serde_json::json!({"id": id, "src": from, "dest": to, "body": {"type": kind}})
            .to_string();
        Message {
            id,
            from: from.to_owned(),
            to: to.to_owned(),
            sent_us,
            received_us: received_us.to_vec(),
            kind: kind.to_owned(),
            line_len: line.len(),
            line,
        }
    }
}

/// How much of each message is kept for the diagram's hover text (a read reply can carry
/// thousands of values).
pub const KEPT_CHARS: usize = 600;

/// What an endpoint id names, by Maelstrom's rule (a `c…` id is a client, an `n…` id a node,
/// anything else a service).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A node under test.
    Node,
    /// A built-in service (seq-kv, lin-kv, lww-kv, lin-tso…).
    Service,
    /// A Maelstrom client.
    Client,
}

/// The role of `id` and its number, for ordering lanes (`n10` after `n9`).
pub fn role(id: &str) -> (Role, u64) {
    let number = |rest: &str| rest.parse::<u64>().ok();
    match id.split_at_checked(1) {
        Some(("n", rest)) if number(rest).is_some() => (Role::Node, number(rest).unwrap_or(0)),
        Some(("c", rest)) if number(rest).is_some() => (Role::Client, number(rest).unwrap_or(0)),
        _ => (Role::Service, 0),
    }
}

/// Whether `m` is a node↔node message (neither end a client nor a service).
pub fn is_server_message(m: &Message) -> bool {
    role(&m.from).0 == Role::Node && role(&m.to).0 == Role::Node
}

/// Whether `m` is server traffic as Maelstrom counts it in `:net :servers`: node↔node or
/// node↔service (no client at either end).
pub fn is_server_traffic(m: &Message) -> bool {
    role(&m.from).0 != Role::Client && role(&m.to).0 != Role::Client
}

/// The body's `type`, or `?`.
fn body_type(line: &str) -> String {
    // How the simulator and most nodes print it; anything else is parsed in full.
    const FAST: &str = r#""body":{"type":""#;
    if let Some(rest) = line.find(FAST).map(|i| &line[i + FAST.len()..]) {
        if let Some(end) = rest.find(['"', '\\']) {
            if rest.as_bytes()[end] == b'"' {
                return rest[..end].to_owned();
            }
        }
    }
    serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v.get("body")?.get("type")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// Reads a trace into messages, in send order. Lines that do not parse are skipped; a delivery
/// of an id never sent is ignored.
pub fn from_trace(trace: &[u8]) -> Vec<Message> {
    let text = String::from_utf8_lossy(trace);
    let mut out: Vec<Message> = Vec::new();
    let mut by_id: HashMap<u64, usize> = HashMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(6, ' ');
        let (Some(us), Some(what), Some(id), Some(from), Some(to), Some(msg)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            continue;
        };
        let (Ok(us), Ok(id)) = (us.parse::<u64>(), id.parse::<u64>()) else {
            continue;
        };
        match what {
            "send" => {
                by_id.insert(id, out.len());
                out.push(Message {
                    id,
                    from: from.to_owned(),
                    to: to.to_owned(),
                    sent_us: us,
                    received_us: Vec::new(),
                    kind: body_type(msg),
                    line: msg.chars().take(KEPT_CHARS).collect(),
                    line_len: msg.len(),
                });
            }
            "recv" => {
                if let Some(&i) = by_id.get(&id) {
                    out[i].received_us.push(us);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_and_deliveries_pair_by_id() {
        let trace = b"0 send 0 c0 n0 {\"body\":{\"type\":\"init\"}}\n\
            5 send 1 n0 n1 {\"body\":{\"type\":\"gossip\",\"x\":\"a b\"}}\n\
            100 recv 0 c0 n0 {\"body\":{\"type\":\"init\"}}\n\
            garbage line\n\
            105 recv 1 n0 n1 {\"body\":{\"type\":\"gossip\",\"x\":\"a b\"}}\n\
            107 recv 1 n0 n1 {\"body\":{\"type\":\"gossip\",\"x\":\"a b\"}}\n\
            110 send 2 n1 seq-kv {\"body\":{}}\n\
            120 recv 9 n1 n2 {}\n";
        let msgs = from_trace(trace);
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[0].received_us, vec![100]);
        assert_eq!(msgs[0].kind, "init");
        assert_eq!(
            msgs[1].received_us,
            vec![105, 107],
            "a duplicate is a second delivery"
        );
        assert_eq!(
            msgs[1].line,
            "{\"body\":{\"type\":\"gossip\",\"x\":\"a b\"}}"
        );
        assert_eq!(msgs[2].kind, "?");
        assert!(msgs[2].received_us.is_empty());
        assert_eq!(msgs[1].line_len, msgs[1].line.len());
        assert!(is_server_message(&msgs[1]));
        assert!(!is_server_message(&msgs[0]));
        assert!(!is_server_message(&msgs[2]));
    }

    #[test]
    fn types_are_found_however_the_body_is_printed_and_long_lines_are_cut() {
        assert_eq!(
            body_type(r#"{"src":"n1","body":{"type":"read_ok","x":1}}"#),
            "read_ok"
        );
        assert_eq!(
            body_type(r#"{"body":{"msg_id":1,"type":"gossip"}}"#),
            "gossip"
        );
        assert_eq!(body_type(r#"{"body": {"type": "a\"b"}}"#), "a\"b");
        assert_eq!(body_type(r#"{"body":{"type":"a\"b"}}"#), "a\"b");
        assert_eq!(body_type("not json"), "?");
        let long = format!(
            r#"{{"body":{{"type":"read_ok","messages":[{}]}}}}"#,
            "1,".repeat(2000)
        );
        let trace = format!("0 send 0 n0 c1 {long}\n");
        let msgs = from_trace(trace.as_bytes());
        assert_eq!(msgs[0].line.chars().count(), KEPT_CHARS);
        assert_eq!(msgs[0].line_len, long.len());
    }

    #[test]
    fn roles_follow_maelstroms_rule() {
        assert_eq!(role("n12"), (Role::Node, 12));
        assert_eq!(role("c3"), (Role::Client, 3));
        assert_eq!(role("lin-kv"), (Role::Service, 0));
        assert_eq!(role("n"), (Role::Service, 0));
        assert!(role("n9") < role("n10"));
        assert!(role("n24") < role("seq-kv") && role("seq-kv") < role("c0"));
    }
}
