//! The JSON Maelstrom exchanges with nodes: the envelope check applied to every line a node
//! prints, the request bodies clients send, and the closed schemas replies must match.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::workloads::rpc::{self, Reply, push_json_str, push_list};

/// A node's output line that passed the envelope check.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub(crate) src: String,
    pub(crate) dest: String,
    pub(crate) body: Map<String, Value>,
}

/// Checks one stdout line against Maelstrom's message schema: a JSON object with string `src`
/// and `dest`, an object `body`, an optional integer `id`, and no other key.
pub(crate) fn parse_envelope(line: &[u8]) -> Result<Envelope, String> {
    let value: Value =
        serde_json::from_slice(line).map_err(|e| format!("not a JSON message: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err("a message must be a JSON object".into());
    };
    if let Some(key) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "src" | "dest" | "body" | "id"))
    {
        return Err(format!("unexpected key {key:?} in message"));
    }
    if object
        .get("id")
        .is_some_and(|id| !(id.is_i64() || id.is_u64()))
    {
        return Err("`id` must be an integer".into());
    }
    let mut string = |key: &str| match object.remove(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("`{key}` must be a string")),
        None => Err(format!("missing `{key}`")),
    };
    let src = string("src")?;
    let dest = string("dest")?;
    match object.remove("body") {
        Some(Value::Object(body)) => Ok(Envelope { src, dest, body }),
        Some(_) => Err("`body` must be an object".into()),
        None => Err("missing `body`".into()),
    }
}

/// The line Maelstrom writes to a node's stdin: `{"id":…,"src":…,"dest":…,"body":…}`.
pub(crate) fn stdin_line(id: u64, src: &str, dest: &str, body: &str) -> Vec<u8> {
    let mut line = String::with_capacity(body.len() + src.len() + dest.len() + 40);
    let _ = write!(line, "{{\"id\":{id},\"src\":");
    push_json_str(&mut line, src);
    line.push_str(",\"dest\":");
    push_json_str(&mut line, dest);
    line.push_str(",\"body\":");
    line.push_str(body);
    line.push('}');
    line.into_bytes()
}

/// A setup request a client sends (workload requests come from the workload).
#[derive(Clone, Debug)]
pub(crate) enum Request<'a> {
    Init {
        node_id: &'a str,
        node_ids: &'a [String],
    },
    Topology(&'a [(String, Vec<String>)]),
}

/// The body of `request` with `msg_id`.
pub(crate) fn request_body(request: &Request<'_>, msg_id: u64) -> String {
    let mut b = String::new();
    match request {
        Request::Init { node_id, node_ids } => {
            b.push_str("{\"type\":\"init\",\"node_id\":");
            push_json_str(&mut b, node_id);
            b.push_str(",\"node_ids\":");
            push_list(&mut b, node_ids);
        }
        Request::Topology(map) => {
            b.push_str("{\"type\":\"topology\",\"topology\":{");
            for (i, (node, neighbours)) in map.iter().enumerate() {
                if i > 0 {
                    b.push(',');
                }
                push_json_str(&mut b, node);
                b.push(':');
                push_list(&mut b, neighbours);
            }
            b.push('}');
        }
    }
    let _ = write!(b, ",\"msg_id\":{msg_id}}}");
    b
}

/// A workload's request `body` (a JSON object) with `msg_id` added as its last key.
pub(crate) fn with_msg_id(body: &str, msg_id: u64) -> String {
    let mut b = body.strip_suffix('}').unwrap_or(body).to_string();
    let _ = write!(b, ",\"msg_id\":{msg_id}}}");
    b
}

/// The `in_reply_to` of a body, if it is an integer.
pub(crate) fn in_reply_to(body: &Map<String, Value>) -> Option<u64> {
    body.get("in_reply_to").and_then(Value::as_u64)
}

/// Checks a `topology_ok` reply.
pub(crate) fn parse_topology_reply(body: &Map<String, Value>) -> Reply {
    rpc::check_reply("topology_ok", None, body)
}
