//! Maelstrom lines as Maelstrom writes them (envelope `id` first, `body` keys in its order),
//! shared by the benches and the end-to-end generator (`examples/maelstrom_lines.rs`).
//!
//! Each builder returns one line without its `\n`.

#![allow(dead_code)] // each user takes only some builders

use std::fmt::Write as _;

/// `n0 … n{n-1}`.
pub fn node_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("n{i}")).collect()
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    let mut s = String::with_capacity(items.len() * 6 + 2);
    s.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{v}");
    }
    s.push(']');
    s
}

/// `init` for node `node` of a cluster of `n` nodes.
pub fn init(id: u64, node: &str, n: usize) -> String {
    let ids: Vec<String> = node_ids(n).iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        r#"{{"id":{id},"src":"c0","dest":"{node}","body":{{"type":"init","node_id":"{node}","node_ids":{},"msg_id":1}}}}"#,
        list(&ids)
    )
}

/// `echo`, the way Maelstrom's echo workload phrases it.
pub fn echo(id: u64, client: &str, node: &str, msg_id: u64) -> String {
    format!(
        r#"{{"id":{id},"src":"{client}","dest":"{node}","body":{{"echo":"Please echo {msg_id}","type":"echo","msg_id":{msg_id}}}}}"#
    )
}

/// `generate`.
pub fn generate(id: u64, client: &str, node: &str, msg_id: u64) -> String {
    format!(
        r#"{{"id":{id},"src":"{client}","dest":"{node}","body":{{"type":"generate","msg_id":{msg_id}}}}}"#
    )
}

/// `broadcast` of an integer value.
pub fn broadcast(id: u64, client: &str, node: &str, msg_id: u64, value: i64) -> String {
    format!(
        r#"{{"id":{id},"src":"{client}","dest":"{node}","body":{{"type":"broadcast","message":{value},"msg_id":{msg_id}}}}}"#
    )
}

/// `read`.
pub fn read(id: u64, client: &str, node: &str, msg_id: u64) -> String {
    format!(
        r#"{{"id":{id},"src":"{client}","dest":"{node}","body":{{"type":"read","msg_id":{msg_id}}}}}"#
    )
}

/// `read_ok` as a node writes it (no envelope `id`).
pub fn read_ok(node: &str, client: &str, in_reply_to: u64, values: &[i64]) -> String {
    format!(
        r#"{{"src":"{node}","dest":"{client}","body":{{"type":"read_ok","messages":{},"in_reply_to":{in_reply_to}}}}}"#,
        list(values)
    )
}

/// Our gossip, as Maelstrom delivers it to the receiver (with the envelope `id`).
pub fn gossip(
    id: u64,
    from: &str,
    to: &str,
    seq: Option<u64>,
    values: &[i64],
    acks: &[u64],
) -> String {
    let mut body = String::from(r#"{"type":"gossip""#);
    if let Some(seq) = seq {
        let _ = write!(body, r#","seq":{seq}"#);
    }
    if !values.is_empty() {
        let _ = write!(body, r#","values":{}"#, list(values));
    }
    if !acks.is_empty() {
        let _ = write!(body, r#","acks":{}"#, list(acks));
    }
    body.push('}');
    format!(r#"{{"id":{id},"src":"{from}","dest":"{to}","body":{body}}}"#)
}

/// `count` broadcast values as Maelstrom's workload produces them: distinct small integers.
pub fn values(start: i64, count: usize) -> Vec<i64> {
    (start..start + count as i64).collect()
}
