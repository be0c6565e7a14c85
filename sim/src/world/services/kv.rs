//! The key-value state machine behind `lin-kv` and `seq-kv` (Maelstrom's `PersistentKV`):
//! `read`, `write` and `cas` on a map from JSON keys to JSON values.
//!
//! Keys and values compare as Clojure compares the parsed JSON: `1` and `1.0` differ, `"1"`
//! and `1` are different keys, arrays and objects compare structurally. Requests are not
//! validated: a missing `key`, `value`, `from` or `to` is JSON `null`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::edn;

/// One KV state: each key (as canonical JSON text, object keys sorted) → its value.
pub(crate) type KvMap = BTreeMap<String, Value>;

/// The canonical text of a request's `key` (JSON `null` when absent).
pub(crate) fn key_of(body: &Map<String, Value>) -> String {
    body.get("key").unwrap_or(&Value::Null).to_string()
}

/// A request field, `null` when absent (Clojure's `(:field body)`).
pub(crate) fn field<'a>(body: &'a Map<String, Value>, name: &str) -> &'a Value {
    body.get(name).unwrap_or(&Value::Null)
}

/// Clojure truthiness: everything but `nil` and `false`.
pub(crate) fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false))
}

/// A reply body without `in_reply_to`.
pub(crate) fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Error 20, `key does not exist`.
pub(crate) fn no_such_key() -> Map<String, Value> {
    body(json!({"type": "error", "code": 20, "text": "key does not exist"}))
}

/// Error 22 with Maelstrom's text.
pub(crate) fn precondition_failed(text: String) -> Map<String, Value> {
    body(json!({"type": "error", "code": 22, "text": text}))
}

/// What a request does to a state: the reply, and the key it assigns, if any (a write or a
/// successful cas assigns even when the value does not change).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Step {
    pub(crate) reply: Map<String, Value>,
    pub(crate) assign: Option<(String, Value)>,
}

impl Step {
    fn reply(reply: Map<String, Value>) -> Step {
        Step {
            reply,
            assign: None,
        }
    }

    /// Whether applying this step to `m` yields a state different from `m` (Clojure's
    /// `(= service service')` after an `assoc`).
    pub(crate) fn changes(&self, m: &KvMap) -> bool {
        self.assign
            .as_ref()
            .is_some_and(|(k, v)| m.get(k) != Some(v))
    }

    /// Applies the assignment to `m`.
    pub(crate) fn apply(self, m: &mut KvMap) -> Map<String, Value> {
        if let Some((k, v)) = self.assign {
            m.insert(k, v);
        }
        self.reply
    }
}

/// The step `body` takes on state `m`, or `None` for a `type` Maelstrom's handler does not
/// know (it throws; the service sends no reply).
pub(crate) fn step(m: &KvMap, body: &Map<String, Value>) -> Option<Step> {
    let k = key_of(body);
    let kind = body.get("type").and_then(Value::as_str)?;
    Some(match kind {
        "read" => Step::reply(match m.get(&k) {
            Some(v) => self::body(json!({"type": "read_ok", "value": v})),
            None => no_such_key(),
        }),
        "write" => Step {
            reply: self::body(json!({"type": "write_ok"})),
            assign: Some((k, field(body, "value").clone())),
        },
        "cas" => {
            let (from, to) = (field(body, "from"), field(body, "to"));
            match m.get(&k) {
                Some(cur) if cur == from => Step {
                    reply: cas_ok(),
                    assign: Some((k, to.clone())),
                },
                Some(cur) => Step::reply(precondition_failed(format!(
                    "current value {} is not {}",
                    edn::pr_str(cur),
                    edn::pr_str(from)
                ))),
                None if truthy(field(body, "create_if_not_exists")) => Step {
                    reply: cas_ok(),
                    assign: Some((k, to.clone())),
                },
                None => Step::reply(no_such_key()),
            }
        }
        _ => return None,
    })
}

/// `{"type":"cas_ok"}`.
pub(crate) fn cas_ok() -> Map<String, Value> {
    body(json!({"type": "cas_ok"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: Value) -> Map<String, Value> {
        body(v)
    }

    fn run(m: &mut KvMap, v: Value) -> Value {
        let s = step(m, &req(v)).expect("known type");
        Value::Object(s.apply(m))
    }

    #[test]
    fn read_write_cas_and_their_errors() {
        let mut m = KvMap::new();
        let r = run(&mut m, json!({"type": "read", "key": "x"}));
        assert_eq!(
            r,
            json!({"type": "error", "code": 20, "text": "key does not exist"})
        );
        let r = run(
            &mut m,
            json!({"type": "cas", "key": "x", "from": 1, "to": 2}),
        );
        assert_eq!(r["code"], 20, "cas on a missing key");
        assert_eq!(
            run(&mut m, json!({"type": "write", "key": "x", "value": 1})),
            json!({"type": "write_ok"})
        );
        assert_eq!(
            run(&mut m, json!({"type": "read", "key": "x"})),
            json!({"type": "read_ok", "value": 1})
        );
        let r = run(
            &mut m,
            json!({"type": "cas", "key": "x", "from": 1.0, "to": 3}),
        );
        assert_eq!(r["code"], 22, "1.0 is not 1");
        assert_eq!(r["text"], "current value 1 is not 1.0");
        let r = run(
            &mut m,
            json!({"type": "cas", "key": "x", "from": "a", "to": 3}),
        );
        assert_eq!(r["text"], "current value 1 is not \"a\"");
        assert_eq!(
            run(
                &mut m,
                json!({"type": "cas", "key": "x", "from": 1, "to": 3})
            ),
            json!({"type": "cas_ok"})
        );
        assert_eq!(run(&mut m, json!({"type": "read", "key": "x"}))["value"], 3);
        assert_eq!(
            run(&mut m, json!({"type": "read", "key": "\"x\""}))["code"],
            20
        );
    }

    #[test]
    fn keys_and_values_are_json_values() {
        let mut m = KvMap::new();
        run(
            &mut m,
            json!({"type": "write", "key": 1, "value": {"b": [1, 2], "a": null}}),
        );
        assert_eq!(run(&mut m, json!({"type": "read", "key": "1"}))["code"], 20);
        assert_eq!(run(&mut m, json!({"type": "read", "key": 1.0}))["code"], 20);
        assert_eq!(
            run(&mut m, json!({"type": "read", "key": 1}))["value"],
            json!({"a": null, "b": [1, 2]})
        );
        // A missing key is the key null; a missing value is the value null.
        run(&mut m, json!({"type": "write"}));
        assert_eq!(
            run(&mut m, json!({"type": "read", "key": null})),
            json!({"type": "read_ok", "value": null})
        );
        let r = run(
            &mut m,
            json!({"type": "cas", "key": [1], "to": 5, "create_if_not_exists": 0}),
        );
        assert_eq!(r, json!({"type": "cas_ok"}), "0 is truthy in Clojure");
        let r = run(
            &mut m,
            json!({"type": "cas", "key": [2], "to": 5, "create_if_not_exists": false}),
        );
        assert_eq!(r["code"], 20);
    }

    #[test]
    fn unknown_types_have_no_step_and_equal_writes_change_nothing() {
        let m = KvMap::new();
        assert!(step(&m, &req(json!({"type": "ts"}))).is_none());
        assert!(step(&m, &req(json!({"key": 1}))).is_none());
        let mut m = KvMap::new();
        run(&mut m, json!({"type": "write", "key": "k", "value": 1}));
        let same = step(&m, &req(json!({"type": "write", "key": "k", "value": 1}))).unwrap();
        assert!(!same.changes(&m));
        let other = step(&m, &req(json!({"type": "write", "key": "k", "value": 2}))).unwrap();
        assert!(other.changes(&m));
        let cas = step(
            &m,
            &req(json!({"type": "cas", "key": "k", "from": 1, "to": 1})),
        )
        .unwrap();
        assert!(!cas.changes(&m));
    }
}
