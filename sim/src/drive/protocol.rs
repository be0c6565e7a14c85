//! The JSON Maelstrom exchanges with nodes: the envelope check applied to every line a node
//! prints, the request bodies clients send, and the closed schemas replies must match.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::history::{OpF, OpValue, ReadValues};
use glomers::wire::ErrorCode;

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

fn push_json_str(out: &mut String, s: &str) {
    // serde_json's string escaping; ids are plain ASCII in practice.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

/// A request a client sends.
#[derive(Clone, Debug)]
pub(crate) enum Request<'a> {
    Init {
        node_id: &'a str,
        node_ids: &'a [String],
    },
    Topology(&'a [(String, Vec<String>)]),
    Echo(&'a str),
    Generate,
    Broadcast(i64),
    Read,
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
        Request::Echo(text) => {
            b.push_str("{\"type\":\"echo\",\"echo\":");
            push_json_str(&mut b, text);
        }
        Request::Generate => b.push_str("{\"type\":\"generate\""),
        Request::Broadcast(v) => {
            let _ = write!(b, "{{\"type\":\"broadcast\",\"message\":{v}");
        }
        Request::Read => b.push_str("{\"type\":\"read\""),
    }
    let _ = write!(b, ",\"msg_id\":{msg_id}}}");
    b
}

fn push_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, item);
    }
    out.push(']');
}

/// What a client made of the reply to its outstanding request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reply {
    /// The expected `*_ok` body, and the completion's value.
    Ok(OpValue),
    /// An error body: Maelstrom's history form and whether it is definite.
    Error { text: String, definite: bool },
    /// A body that fails the closed schema (Maelstrom's "Malformed RPC response").
    Malformed(String),
}

/// The `in_reply_to` of a body, if it is an integer.
pub(crate) fn in_reply_to(body: &Map<String, Value>) -> Option<u64> {
    body.get("in_reply_to").and_then(Value::as_u64)
}

/// Checks a reply to an operation `f` and extracts its value. Error bodies are recognised
/// before the schema and may carry extra keys.
pub(crate) fn parse_reply(f: OpF, body: &Map<String, Value>) -> Reply {
    let (kind, field) = match f {
        OpF::Echo => ("echo_ok", Some("echo")),
        OpF::Generate => ("generate_ok", Some("id")),
        OpF::Broadcast => ("broadcast_ok", None),
        OpF::Read => ("read_ok", Some("messages")),
        OpF::StartPartition | OpF::StopPartition => ("", None),
    };
    check_reply(kind, field, body)
}

/// Checks a `topology_ok` reply.
pub(crate) fn parse_topology_reply(body: &Map<String, Value>) -> Reply {
    check_reply("topology_ok", None, body)
}

/// The closed schema `{type: kind, in_reply_to, msg_id?, field}`.
fn check_reply(kind: &str, field: Option<&str>, body: &Map<String, Value>) -> Reply {
    if body.get("type").and_then(Value::as_str) == Some("error") {
        return parse_error(body);
    }
    let malformed = |why: String| Reply::Malformed(format!("Malformed RPC response: {why}"));
    if let Some(key) = body.keys().find(|k| {
        !matches!(k.as_str(), "type" | "in_reply_to" | "msg_id") && Some(k.as_str()) != field
    }) {
        return malformed(format!("unexpected key {key:?}"));
    }
    if body.get("type").and_then(Value::as_str) != Some(kind) {
        return malformed(format!("type must be {kind:?}"));
    }
    if body
        .get("msg_id")
        .is_some_and(|m| !(m.is_i64() || m.is_u64()))
    {
        return malformed("msg_id must be an integer".into());
    }
    let Some(field) = field else {
        return Reply::Ok(OpValue::None);
    };
    let Some(value) = body.get(field) else {
        return malformed(format!("missing {field:?}"));
    };
    if field != "messages" {
        return Reply::Ok(OpValue::Json(value.clone()));
    }
    let Value::Array(items) = value else {
        return malformed("messages must be an array".into());
    };
    let mut read = ReadValues::default();
    for item in items {
        match item.as_i64() {
            Some(i) => read.ints.push(i),
            None => read.other.push(item.to_string()),
        }
    }
    Reply::Ok(OpValue::Read(read))
}

fn parse_error(body: &Map<String, Value>) -> Reply {
    let Some(code) = body.get("code").and_then(Value::as_i64) else {
        return Reply::Malformed("Malformed RPC response: error without an integer code".into());
    };
    let text = body.get("text").and_then(Value::as_str).unwrap_or("");
    let known = ErrorCode::from_code(code);
    let name = known.map_or("unknown", ErrorCode::name);
    Reply::Error {
        text: format!("[:{name} {text:?}]"),
        definite: known.is_some_and(ErrorCode::is_definite),
    }
}
