//! What a workload's client needs to speak Maelstrom's RPC: JSON strings and lists for request
//! bodies, and the closed reply schema (Maelstrom's "Malformed RPC response") with error bodies
//! mapped to Jepsen's form and definiteness.

use serde_json::{Map, Value};

use crate::history::OpValue;
use glomers::wire::ErrorCode;

/// Appends `s` as a JSON string (serde_json's escaping).
pub fn push_json_str(out: &mut String, s: &str) {
    // Ids are plain ASCII in practice.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

/// Appends `items` as a JSON list of strings.
pub fn push_list(out: &mut String, items: &[String]) {
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
pub enum Reply {
    /// The expected `*_ok` body, and the completion's value.
    Ok(OpValue),
    /// An error body: Maelstrom's history form and whether it is definite.
    Error {
        /// Jepsen's form of the error: `[:name "text"]`.
        text: String,
        /// Whether the code is definite (the operation certainly did not happen).
        definite: bool,
    },
    /// A body that fails the closed schema (Maelstrom's "Malformed RPC response").
    Malformed(String),
}

/// Checks `body` against the closed schema `{type: kind, in_reply_to, msg_id?, field?}`.
/// Error bodies are recognised first and may carry extra keys. The value is the field's JSON
/// (`OpValue::None` without a field).
pub fn check_reply(kind: &str, field: Option<&str>, body: &Map<String, Value>) -> Reply {
    if body.get("type").and_then(Value::as_str) == Some("error") {
        return parse_error(body);
    }
    if let Some(key) = body.keys().find(|k| {
        !matches!(k.as_str(), "type" | "in_reply_to" | "msg_id") && Some(k.as_str()) != field
    }) {
        return malformed(format_args!("unexpected key {key:?}"));
    }
    if body.get("type").and_then(Value::as_str) != Some(kind) {
        return malformed(format_args!("type must be {kind:?}"));
    }
    if body
        .get("msg_id")
        .is_some_and(|m| !(m.is_i64() || m.is_u64()))
    {
        return malformed("msg_id must be an integer");
    }
    let Some(field) = field else {
        return Reply::Ok(OpValue::None);
    };
    let Some(value) = body.get(field) else {
        return malformed(format_args!("missing {field:?}"));
    };
    Reply::Ok(OpValue::Json(value.clone()))
}

/// A reply that fails the schema because of `why` (Maelstrom's "Malformed RPC response").
pub fn malformed(why: impl std::fmt::Display) -> Reply {
    Reply::Malformed(format!("Malformed RPC response: {why}"))
}

fn parse_error(body: &Map<String, Value>) -> Reply {
    let Some(code) = body.get("code").and_then(Value::as_i64) else {
        return malformed("error without an integer code");
    };
    let text = body.get("text").and_then(Value::as_str).unwrap_or("");
    let known = ErrorCode::from_code(code);
    let name = known.map_or("unknown", ErrorCode::name);
    Reply::Error {
        text: format!("[:{name} {text:?}]"),
        definite: known.is_some_and(ErrorCode::is_definite),
    }
}

/// The micro-operations of a `txn` field (an array of `[f, k, v]` triples with integer keys,
/// as both of Maelstrom's txn workloads send them), each made by `mop` from `f`, `k`, `v` and
/// the whole triple (for messages); or why the field fails the schema.
pub(crate) fn txn_triples<T>(
    value: &Value,
    mop: impl Fn(Option<&str>, i64, &Value, &Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let Value::Array(items) = value else {
        return Err("txn must be an array".into());
    };
    items
        .iter()
        .map(|item| {
            let Some([f, k, v]) = item.as_array().map(Vec::as_slice) else {
                return Err(format!("txn element {item} must be a 3-element array"));
            };
            let k = k
                .as_i64()
                .ok_or_else(|| format!("key {k} in {item} must be an integer"))?;
            mop(f.as_str(), k, v, item)
        })
        .collect()
}

/// The `txn` request of both txn workloads: `{"type":"txn","txn":[[f,k,v],…]}`, the
/// operation's value being the micro-operations as JSON.
pub(crate) fn txn_request(value: &OpValue) -> String {
    let txn = match value {
        OpValue::Json(v) => v.to_string(),
        _ => "[]".into(),
    };
    format!("{{\"type\":\"txn\",\"txn\":{txn}}}")
}

/// The reply to a `txn`: `txn_ok` with a `txn` list that `parse` (the workload's micro-op
/// reader) accepts, taken verbatim as the completion's value; else the schema failure.
pub(crate) fn txn_reply<T>(
    body: &Map<String, Value>,
    parse: impl FnOnce(&Value) -> Result<T, String>,
) -> Reply {
    match check_reply("txn_ok", Some("txn"), body) {
        Reply::Ok(OpValue::Json(v)) => match parse(&v) {
            Ok(_) => Reply::Ok(OpValue::Json(v)),
            Err(why) => malformed(why),
        },
        other => other,
    }
}
