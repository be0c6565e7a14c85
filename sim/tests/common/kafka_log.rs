//! In-process kafka nodes for the simulator's tests: a correct log (on one node, or on several
//! that forward every request to `n0`), and switches that break it on purpose, one anomaly of
//! Jepsen's kafka checker each.

use std::collections::BTreeMap;

use glomers::Time;
use glomers_sim::NodeKind;
use glomers_sim::drive::node::InProcessNode;
use serde_json::{Map, Value, json};

/// How the node misbehaves, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A correct log: offsets 0, 1, 2, … per key; polls return everything from the requested
    /// offset (at most `limit` pairs per key); committed offsets kept.
    Correct,
    /// Every `k`-th send is appended twice (`:duplicate`).
    DuplicateEvery(u32),
    /// Every `k`-th send is acknowledged with the previous message's offset
    /// (`:inconsistent-offsets`).
    WrongOffsetEvery(u32),
    /// Every `k`-th send is acknowledged at a fresh offset but never stored (`:lost-write`).
    LoseEvery(u32),
    /// Polls never return a key's newest message (`:unseen`).
    HideNewest,
    /// Every `k`-th send is stored but answered with the definite error 11 (`:G1a`).
    FailButStoreEvery(u32),
    /// Every `k`-th poll ignores the requested offsets and starts at 0
    /// (`:nonmonotonic-poll`).
    RewindEvery(u32),
    /// Every `k`-th poll starts one message after the requested offset (`:poll-skip`).
    SkipOneEvery(u32),
    /// Lists of three or more pairs lose their second pair (`:int-poll-skip`).
    DropSecond,
    /// Lists of two or more pairs come back in descending order (`:int-nonmonotonic-poll`).
    Descending,
    /// Offsets count down per key, from 1 000 000 (`:nonmonotonic-send`).
    CountDown,
    /// Polls also return, at each key's next offset, the message the generator will send
    /// there next (`:G1c-realtime`).
    Prophet,
    /// Polls also return, once per client, a message nobody sent under a key nobody sends to
    /// (Jepsen's no-writer exception: `:unknown`).
    Invent,
    /// Offsets 0, 1000, 2000, … (sparse, yet correct).
    Sparse,
    /// `list_committed_offsets` answers this error code.
    AssignError(i64),
    /// `commit_offsets` answers this error code.
    CommitError(i64),
    /// `commit_offsets` is acknowledged and forgotten; `list_committed_offsets` answers `{}`
    /// (still correct: committed offsets never affect validity).
    ForgetsCommits,
}

/// One node.
pub struct KafkaLog {
    id: String,
    mode: Mode,
    /// Requests are forwarded to this node, if not this one.
    leader: Option<String>,
    logs: BTreeMap<String, BTreeMap<i64, Value>>,
    committed: BTreeMap<String, i64>,
    sends: u32,
    polls: u32,
    next_msg_id: u64,
    /// Forwarded requests: our msg_id → the client's request.
    forwarded: BTreeMap<u64, Value>,
    /// Per-key pair limit of a poll reply.
    limit: usize,
}

fn line(src: &str, dest: &Value, body: Value) -> String {
    json!({"src": src, "dest": dest, "body": body}).to_string()
}

fn reply_to(request: &Value, mut body: Value) -> String {
    body["in_reply_to"] = request["body"]["msg_id"].clone();
    line(
        request["dest"].as_str().unwrap_or(""),
        &request["src"],
        body,
    )
}

impl KafkaLog {
    /// Node `n<index>`; with `forward`, nodes other than `n0` forward to `n0`.
    pub fn new(index: u16, mode: Mode, forward: bool) -> KafkaLog {
        KafkaLog {
            id: format!("n{index}"),
            mode,
            leader: (forward && index != 0).then(|| "n0".to_string()),
            logs: BTreeMap::new(),
            committed: BTreeMap::new(),
            sends: 0,
            polls: 0,
            next_msg_id: 0,
            forwarded: BTreeMap::new(),
            limit: 64,
        }
    }

    /// In-process nodes of this kind (every node forwards to `n0`).
    pub fn nodes(mode: Mode) -> NodeKind {
        NodeKind::custom(format!("kafka log, {mode:?}"), move |i| {
            Box::new(KafkaLog::new(i, mode, true))
        })
    }

    fn append(&mut self, key: &str, msg: Value) -> i64 {
        let log = self.logs.entry(key.to_string()).or_default();
        let offset = match (self.mode, log.keys().next_back()) {
            (Mode::CountDown, None) => 1_000_000,
            (Mode::CountDown, Some(_)) => log.keys().next().copied().unwrap_or(0) - 1,
            (Mode::Sparse, last) => last.map_or(0, |o| o + 1000),
            (_, last) => last.map_or(0, |o| o + 1),
        };
        log.insert(offset, msg);
        offset
    }

    fn send(&mut self, body: &Map<String, Value>) -> Value {
        let key = body["key"].as_str().unwrap_or("").to_string();
        let msg = body["msg"].clone();
        self.sends += 1;
        let every = |k: u32| self.sends % k == 0;
        match self.mode {
            Mode::DuplicateEvery(k) if every(k) => {
                let o = self.append(&key, msg.clone());
                self.append(&key, msg);
                json!({"type": "send_ok", "offset": o})
            }
            Mode::WrongOffsetEvery(k) if every(k) && self.logs.contains_key(&key) => {
                let o = self.append(&key, msg);
                json!({"type": "send_ok", "offset": o - 1})
            }
            Mode::LoseEvery(k) if every(k) => {
                let o = self.append(&key, msg);
                self.logs.entry(key).or_default().insert(o, Value::Null);
                json!({"type": "send_ok", "offset": o})
            }
            Mode::FailButStoreEvery(k) if every(k) => {
                self.append(&key, msg);
                json!({"type": "error", "code": 11, "text": "not now"})
            }
            _ => {
                let o = self.append(&key, msg);
                json!({"type": "send_ok", "offset": o})
            }
        }
    }

    fn poll(&mut self, body: &Map<String, Value>) -> Value {
        self.polls += 1;
        let polls = self.polls;
        let mut msgs = Map::new();
        let empty = Map::new();
        for (key, from) in body["offsets"].as_object().unwrap_or(&empty) {
            let mut from = from.as_i64().unwrap_or(0);
            match self.mode {
                Mode::RewindEvery(k) if polls % k == 0 => from = 0,
                Mode::SkipOneEvery(k) if polls % k == 0 => from += 1,
                _ => {}
            }
            let log = self.logs.get(key);
            let mut pairs: Vec<Value> = log
                .into_iter()
                .flat_map(|l| l.range(from..))
                .filter(|(_, m)| !m.is_null())
                .take(self.limit)
                .map(|(o, m)| json!([o, m]))
                .collect();
            match self.mode {
                Mode::HideNewest => {
                    let newest = log.and_then(|l| l.keys().next_back().copied());
                    pairs.retain(|p| p[0].as_i64() != newest);
                }
                Mode::DropSecond if pairs.len() >= 3 => {
                    pairs.remove(1);
                }
                Mode::Descending if pairs.len() >= 2 => pairs.reverse(),
                Mode::Prophet => {
                    let last = log.and_then(|l| l.iter().next_back());
                    if let Some((o, m)) = last {
                        let next = m.as_i64().unwrap_or(16) + 1;
                        if next <= 16 && o + 1 >= from {
                            pairs.push(json!([o + 1, next]));
                        }
                    }
                }
                _ => {}
            }
            msgs.insert(key.clone(), Value::Array(pairs));
        }
        let asked = body["offsets"].get("invented").and_then(Value::as_i64);
        if self.mode == Mode::Invent && asked.is_none_or(|o| o <= 0) {
            msgs.insert("invented".into(), json!([[0, 999_999]]));
        }
        json!({"type": "poll_ok", "msgs": msgs})
    }

    fn handle(&mut self, body: &Map<String, Value>) -> Option<Value> {
        Some(match body.get("type")?.as_str()? {
            "send" => self.send(body),
            "poll" => self.poll(body),
            "commit_offsets" | "list_committed_offsets"
                if matches!(
                    (self.mode, body.get("type").and_then(Value::as_str)),
                    (Mode::CommitError(_), Some("commit_offsets"))
                        | (Mode::AssignError(_), Some("list_committed_offsets"))
                ) =>
            {
                let (Mode::CommitError(code) | Mode::AssignError(code)) = self.mode else {
                    return None;
                };
                json!({"type": "error", "code": code, "text": "no"})
            }
            "commit_offsets" if self.mode == Mode::ForgetsCommits => {
                json!({"type": "commit_offsets_ok"})
            }
            "commit_offsets" => {
                for (k, o) in body["offsets"].as_object()? {
                    let o = o.as_i64().unwrap_or(0);
                    let c = self.committed.entry(k.clone()).or_insert(o);
                    *c = (*c).max(o);
                }
                json!({"type": "commit_offsets_ok"})
            }
            "list_committed_offsets" => {
                let mut offsets = Map::new();
                for k in body["keys"].as_array()? {
                    if let Some(o) = k.as_str().and_then(|k| self.committed.get(k)) {
                        offsets.insert(k.as_str()?.to_string(), json!(o));
                    }
                }
                json!({"type": "list_committed_offsets_ok", "offsets": offsets})
            }
            _ => return None,
        })
    }

    /// The lines the node prints on receiving `message`.
    pub fn on_message(&mut self, message: &Value) -> Vec<String> {
        let body = message["body"].as_object().cloned().unwrap_or_default();
        if let Some(id) = body.get("in_reply_to").and_then(Value::as_u64) {
            // A reply from the leader to a forwarded request.
            let Some(request) = self.forwarded.remove(&id) else {
                return Vec::new();
            };
            let mut body = Value::Object(body);
            if let Some(b) = body.as_object_mut() {
                b.remove("in_reply_to");
                b.remove("msg_id");
            }
            return vec![reply_to(&request, body)];
        }
        let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
        if kind == "init" {
            return vec![reply_to(message, json!({"type": "init_ok"}))];
        }
        let from_client = message["src"].as_str().is_some_and(|s| s.starts_with('c'));
        if let (Some(leader), true) = (&self.leader, from_client) {
            self.next_msg_id += 1;
            let mut fwd = Value::Object(body);
            fwd["msg_id"] = json!(self.next_msg_id);
            self.forwarded.insert(self.next_msg_id, message.clone());
            return vec![line(&self.id, &json!(leader), fwd)];
        }
        match self.handle(&body) {
            Some(reply) => vec![reply_to(message, reply)],
            None => Vec::new(),
        }
    }
}

impl InProcessNode for KafkaLog {
    fn step(&mut self, _now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let message: Value = serde_json::from_slice(line?).expect("Maelstrom sends JSON");
        for l in self.on_message(&message) {
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
        None
    }
}
