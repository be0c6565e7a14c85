//! Maelstrom's kafka client (`maelstrom/src/maelstrom/workload/kafka.clj`): the four RPCs with
//! their closed reply schemas, and the state one client keeps between operations.
//!
//! A client holds `offsets`: key → the next offset to ask for, empty when it opens.
//! - `assign [k…]`: `list_committed_offsets {keys}`; afterwards each listed key keeps its
//!   local offset, else takes the committed one, else 0, and unlisted keys are dropped. A
//!   *seek* assign (the final phase's) sets every listed key to 0 without any RPC.
//! - `poll`: `poll {offsets}` with the whole map (possibly `{}`); for every key in the reply,
//!   next = highest returned offset + 1 (0 for an empty list), merged by max (keys never
//!   assigned are adopted). If any pair came back, `commit_offsets {key: highest returned
//!   offset}` follows, and its outcome is the poll's.
//! - `send`: `send {key, msg}` → `send_ok {offset}`.
//! - `crash`: no RPC; completes `:info`, and the thread opens a fresh client.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::history::OpValue;
use crate::workloads::rpc::{self, Reply};

/// A key as Maelstrom sends it: its decimal string.
pub fn key_name(key: u64) -> String {
    key.to_string()
}

/// One client's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaClient {
    /// Key → next offset to poll from.
    pub offsets: BTreeMap<String, i64>,
    /// A poll whose `commit_offsets` is outstanding: its completion value.
    pub(crate) committing: Option<Value>,
}

impl KafkaClient {
    /// The `poll` request body.
    pub fn poll_request(&self) -> String {
        format!("{{\"type\":\"poll\",\"offsets\":{}}}", json!(self.offsets))
    }

    /// What a reply to `poll` means: the completion value `[["poll", msgs]]` and, when any
    /// pair came back, the `commit_offsets` body to send next. Advances the offsets.
    pub fn poll_reply(
        &mut self,
        body: &Map<String, Value>,
    ) -> Result<(Value, Option<String>), Reply> {
        let msgs = match rpc::check_reply("poll_ok", Some("msgs"), body) {
            Reply::Ok(OpValue::Json(Value::Object(m))) => m,
            Reply::Ok(other) => {
                return Err(rpc::malformed(format_args!(
                    "msgs must be an object, not {other:?}"
                )));
            }
            err => return Err(err),
        };
        let mut commits = Map::new();
        let mut next = BTreeMap::new();
        for (key, pairs) in &msgs {
            let Some(pairs) = pairs.as_array() else {
                return Err(rpc::malformed(format_args!("msgs[{key:?}] must be a list")));
            };
            let mut highest: Option<i64> = None;
            for pair in pairs {
                let offset = match pair.as_array().map(Vec::as_slice) {
                    Some([o, _]) => o.as_i64(),
                    _ => {
                        return Err(rpc::malformed(format_args!(
                            "each msg must be [offset, msg], not {pair}"
                        )));
                    }
                };
                let Some(offset) = offset else {
                    return Err(rpc::malformed(format_args!(
                        "offsets must be integers, not {pair}"
                    )));
                };
                highest = Some(highest.map_or(offset, |h| h.max(offset)));
            }
            if let Some(h) = highest {
                commits.insert(key.clone(), json!(h));
            }
            next.insert(key.clone(), highest.map_or(0, |h| h + 1));
        }
        for (key, n) in next {
            let e = self.offsets.entry(key).or_insert(n);
            *e = (*e).max(n);
        }
        let value = json!([["poll", Value::Object(msgs)]]);
        let commit = (!commits.is_empty()).then(|| {
            format!(
                "{{\"type\":\"commit_offsets\",\"offsets\":{}}}",
                Value::Object(commits)
            )
        });
        Ok((value, commit))
    }

    /// After `list_committed_offsets_ok`: listed keys keep their local offset, else take the
    /// committed one, else 0; the rest are dropped.
    pub fn assign_reply(&mut self, keys: &[String], body: &Map<String, Value>) -> Reply {
        let committed = match rpc::check_reply("list_committed_offsets_ok", Some("offsets"), body) {
            Reply::Ok(OpValue::Json(Value::Object(m))) => m,
            Reply::Ok(other) => {
                return rpc::malformed(format_args!("offsets must be an object, not {other:?}"));
            }
            err => return err,
        };
        let mut offsets = BTreeMap::new();
        for key in keys {
            let committed = match committed.get(key) {
                None => None,
                Some(v) => match v.as_i64() {
                    Some(o) => Some(o),
                    None => {
                        return rpc::malformed(format_args!("offsets must be integers, not {v}"));
                    }
                },
            };
            let o = self.offsets.get(key).copied().or(committed).unwrap_or(0);
            offsets.insert(key.clone(), o);
        }
        self.offsets = offsets;
        Reply::Ok(OpValue::None)
    }

    /// A seek-to-beginning assign: every listed key from 0, the rest dropped.
    pub fn seek(&mut self, keys: &[String]) {
        self.offsets = keys.iter().map(|k| (k.clone(), 0)).collect();
    }
}

/// The `send` request body.
pub fn send_request(key: &str, msg: &Value) -> String {
    format!("{{\"type\":\"send\",\"key\":{},\"msg\":{msg}}}", json!(key))
}

/// The `list_committed_offsets` request body.
pub fn assign_request(keys: &[String]) -> String {
    format!(
        "{{\"type\":\"list_committed_offsets\",\"keys\":{}}}",
        json!(keys)
    )
}

/// The completion value of a `send` that got `send_ok`: `[["send", key, [offset, msg]]]`.
pub fn send_reply(key: &str, msg: &Value, body: &Map<String, Value>) -> Reply {
    match rpc::check_reply("send_ok", Some("offset"), body) {
        Reply::Ok(OpValue::Json(o)) => match o.as_i64() {
            Some(offset) => Reply::Ok(OpValue::Json(json!([["send", key, [offset, msg]]]))),
            None => rpc::malformed(format_args!("offset must be an integer, not {o}")),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn polls_adopt_keys_advance_by_max_and_commit_the_highest_offset() {
        let mut c = KafkaClient::default();
        assert_eq!(c.poll_request(), r#"{"type":"poll","offsets":{}}"#);
        c.offsets.insert("1".into(), 5);
        let reply = body(json!({"type": "poll_ok", "in_reply_to": 1,
            "msgs": {"1": [[5, 9], [7, 10]], "2": [], "3": [[0, 1]]}}));
        let (value, commit) = c.poll_reply(&reply).expect("well formed");
        assert_eq!(
            value,
            json!([["poll", {"1": [[5, 9], [7, 10]], "2": [], "3": [[0, 1]]}]])
        );
        let commit: Value = serde_json::from_str(&commit.expect("pairs came back")).unwrap();
        assert_eq!(
            commit,
            json!({"type": "commit_offsets", "offsets": {"1": 7, "3": 0}})
        );
        let want: BTreeMap<String, i64> =
            [("1".into(), 8), ("2".into(), 0), ("3".into(), 1)].into();
        assert_eq!(c.offsets, want, "unrequested keys adopted, next = max + 1");
        // An empty reply: no commit, offsets kept (merged by max).
        let empty = body(json!({"type": "poll_ok", "in_reply_to": 2, "msgs": {"1": []}}));
        let (_, commit) = c.poll_reply(&empty).unwrap();
        assert!(commit.is_none());
        assert_eq!(c.offsets["1"], 8);
    }

    #[test]
    fn closed_reply_schemas() {
        let mut c = KafkaClient::default();
        for bad in [
            json!({"type": "poll_ok", "in_reply_to": 1}),
            json!({"type": "poll_ok", "in_reply_to": 1, "msgs": []}),
            json!({"type": "poll_ok", "in_reply_to": 1, "msgs": {"1": [[0, 1, 2]]}}),
            json!({"type": "poll_ok", "in_reply_to": 1, "msgs": {"1": [[0.5, 1]]}}),
            json!({"type": "poll_ok", "in_reply_to": 1, "msgs": {"1": [5]}}),
            json!({"type": "poll_ok", "in_reply_to": 1, "msgs": {}, "x": 1}),
        ] {
            assert!(
                matches!(c.poll_reply(&body(bad.clone())), Err(Reply::Malformed(_))),
                "{bad}"
            );
        }
        let ok = body(json!({"type": "send_ok", "offset": 4, "in_reply_to": 1, "msg_id": 3}));
        assert_eq!(
            send_reply("7", &json!(2), &ok),
            Reply::Ok(OpValue::Json(json!([["send", "7", [4, 2]]])))
        );
        for bad in [
            json!({"type": "send_ok", "in_reply_to": 1}),
            json!({"type": "send_ok", "offset": "4", "in_reply_to": 1}),
            json!({"type": "send_ok", "offset": 4, "key": "7", "in_reply_to": 1}),
        ] {
            assert!(matches!(
                send_reply("7", &json!(2), &body(bad)),
                Reply::Malformed(_)
            ));
        }
        let err = body(json!({"type": "error", "code": 11, "text": "later", "in_reply_to": 1}));
        assert!(matches!(
            send_reply("7", &json!(2), &err),
            Reply::Error { definite: true, .. }
        ));
    }

    #[test]
    fn assign_keeps_local_then_committed_then_zero_and_drops_the_rest() {
        let mut c = KafkaClient {
            offsets: [("1".into(), 4), ("9".into(), 2)].into(),
            ..KafkaClient::default()
        };
        let keys: Vec<String> = ["1", "2", "3"].map(String::from).to_vec();
        assert_eq!(
            assign_request(&keys),
            r#"{"type":"list_committed_offsets","keys":["1","2","3"]}"#
        );
        let reply = body(
            json!({"type": "list_committed_offsets_ok", "in_reply_to": 1,
                                "offsets": {"1": 1, "2": 6}}),
        );
        assert_eq!(c.assign_reply(&keys, &reply), Reply::Ok(OpValue::None));
        let want: BTreeMap<String, i64> =
            [("1".into(), 4), ("2".into(), 6), ("3".into(), 0)].into();
        assert_eq!(c.offsets, want);
        c.seek(&keys[1..]);
        assert_eq!(c.offsets, [("2".into(), 0), ("3".into(), 0)].into());
        let bad = body(json!({"type": "list_committed_offsets_ok", "in_reply_to": 1}));
        assert!(matches!(c.assign_reply(&keys, &bad), Reply::Malformed(_)));
    }
}
