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

/// Why a node's stdout line is not a message Maelstrom accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LineError {
    /// Not JSON at all.
    NotJson(String),
    /// JSON, but not Maelstrom's message schema: the schema errors, printed as Prismatic
    /// schema prints them (`{:src (not (instance? java.lang.String nil))}`).
    Schema(String),
}

impl LineError {
    /// Maelstrom's report of the line node `node` printed (`process.clj`'s
    /// `parse-message`).
    pub(crate) fn report(&self, node: &str, line: &[u8]) -> String {
        let line = String::from_utf8_lossy(line);
        match self {
            LineError::NotJson(e) => format!(
                "Node {node} printed a line to STDOUT which was not well-formed JSON: {line} \
                 ({e}). Did you mean to encode this line as JSON? Or was this line intended \
                 for STDERR?"
            ),
            LineError::Schema(errors) => format!(
                "Malformed network message. Node {node} tried to send the following message \
                 via STDOUT: {line} This is malformed because: {errors}"
            ),
        }
    }
}

/// How Prismatic schema names a JSON value that fails `instance? java.lang.String`.
fn clojure_value(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Array(_) => "[…]".into(),
        Value::Object(_) => "{…}".into(),
        other => other.to_string(),
    }
}

/// Checks one stdout line against Maelstrom's message schema: a JSON object with string `src`
/// and `dest`, an object `body`, an optional integer `id`, and no other key.
pub(crate) fn parse_envelope(line: &[u8]) -> Result<Envelope, LineError> {
    let value: Value =
        serde_json::from_slice(line).map_err(|e| LineError::NotJson(e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(LineError::Schema(format!(
            "(not (map? {}))",
            clojure_value(&serde_json::from_slice(line).unwrap_or(Value::Null))
        )));
    };
    let mut errors: Vec<String> = object
        .keys()
        .filter(|k| !matches!(k.as_str(), "src" | "dest" | "body" | "id"))
        .map(|k| format!(":{k} disallowed-key"))
        .collect();
    if let Some(id) = object.get("id").filter(|id| !(id.is_i64() || id.is_u64())) {
        errors.push(format!(":id (not (integer? {}))", clojure_value(id)));
    }
    for key in ["src", "dest"] {
        match object.get(key) {
            Some(Value::String(_)) => {}
            Some(other) => errors.push(format!(
                ":{key} (not (instance? java.lang.String {}))",
                clojure_value(other)
            )),
            None => errors.push(format!(":{key} missing-required-key")),
        }
    }
    match object.get("body") {
        Some(Value::Object(_)) => {}
        // Maelstrom's schema takes any body; a body that is not an object fails later.
        Some(other) => errors.push(format!(":body (not (map? {}))", clojure_value(other))),
        None => errors.push(":body missing-required-key".into()),
    }
    if !errors.is_empty() {
        return Err(LineError::Schema(format!("{{{}}}", errors.join(", "))));
    }
    let mut string = |key: &str| match object.remove(key) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let src = string("src");
    let dest = string("dest");
    match object.remove("body") {
        Some(Value::Object(body)) => Ok(Envelope { src, dest, body }),
        _ => Err(LineError::Schema("{:body missing-required-key}".into())),
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
