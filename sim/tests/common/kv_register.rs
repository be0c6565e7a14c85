//! lin-kv nodes for the simulator's tests: a proxy to Maelstrom's `lin-kv` service (correct),
//! with switches that break it on purpose, and a node that keeps its own registers (correct on
//! one node, stale on several). They run in process on the virtual clock as
//! [`InProcessNode`]s.

use std::collections::BTreeMap;

use glomers::Time;
use glomers_sim::NodeKind;
use glomers_sim::drive::node::InProcessNode;
use serde_json::{Value, json};

/// How the node misbehaves, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every request goes to the `lin-kv` service; its reply goes back to the client.
    Proxy,
    /// Registers of its own, in memory: linearizable on one node; on several, each node has
    /// its own copy, so reads are stale.
    Local,
    /// As `Proxy`, but reads are answered from the values this node last wrote or read
    /// itself (a cache that other nodes' writes do not update): stale reads.
    CachedReads,
    /// As `Proxy`, but every `k`-th write is acknowledged without being applied: lost writes.
    LoseEvery(u32),
    /// As `Proxy`, but a cas is a blind write: it succeeds whatever the current value.
    BlindCas,
    /// As `Proxy` (linearizable), but every `k`-th write or cas is never answered: half of
    /// those are applied, half dropped, so the history holds crashed operations of both
    /// kinds, the hard case for a linearizability checker.
    Unanswered(u32),
}

/// One node.
pub struct KvRegister {
    id: String,
    mode: Mode,
    next_msg_id: u64,
    writes: u32,
    local: BTreeMap<String, Value>,
    /// Requests forwarded to the service, by the msg_id of the forward.
    pending: BTreeMap<u64, Value>,
}

fn line(src: &str, dest: &Value, body: Value) -> String {
    json!({"src": src, "dest": dest, "body": body}).to_string()
}

fn reply(request: &Value, mut body: Value) -> String {
    body["in_reply_to"] = request["body"]["msg_id"].clone();
    line(
        request["dest"].as_str().unwrap_or(""),
        &request["src"],
        body,
    )
}

fn error(request: &Value, code: i64) -> String {
    reply(
        request,
        json!({"type": "error", "code": code, "text": "no"}),
    )
}

impl KvRegister {
    /// Node `n<index>`.
    pub fn new(index: u16, mode: Mode) -> KvRegister {
        KvRegister {
            id: format!("n{index}"),
            mode,
            next_msg_id: 0,
            writes: 0,
            local: BTreeMap::new(),
            pending: BTreeMap::new(),
        }
    }

    /// In-process nodes of this kind, for [`glomers_sim::SimConfig::nodes`].
    pub fn nodes(mode: Mode) -> NodeKind {
        NodeKind::custom(format!("lin-kv register node, {mode:?}"), move |i| {
            Box::new(KvRegister::new(i, mode))
        })
    }

    fn forward(&mut self, request: Value, mut body: Value) -> String {
        self.next_msg_id += 1;
        body["msg_id"] = json!(self.next_msg_id);
        self.pending.insert(self.next_msg_id, request);
        line(&self.id, &json!("lin-kv"), body)
    }

    fn local_op(&mut self, request: &Value) -> String {
        let body = &request["body"];
        let key = body["key"].to_string();
        match body["type"].as_str().unwrap_or("") {
            "read" => match self.local.get(&key) {
                Some(v) => reply(request, json!({"type": "read_ok", "value": v})),
                None => error(request, 20),
            },
            "write" => {
                self.local.insert(key, body["value"].clone());
                reply(request, json!({"type": "write_ok"}))
            }
            _ => match self.local.get(&key) {
                None => error(request, 20),
                Some(v) if *v != body["from"] => error(request, 22),
                Some(_) => {
                    self.local.insert(key, body["to"].clone());
                    reply(request, json!({"type": "cas_ok"}))
                }
            },
        }
    }

    /// The lines the node prints on receiving `message`.
    pub fn on_message(&mut self, message: &Value) -> Option<String> {
        let body = &message["body"];
        if let Some(id) = body["in_reply_to"].as_u64() {
            let request = self.pending.remove(&id).filter(|r| !r.is_null())?;
            let mut answer = body.clone();
            if let Some(m) = answer.as_object_mut() {
                m.remove("msg_id");
                m.remove("in_reply_to");
            }
            if request["body"]["type"] == "cas" && answer["type"] == "write_ok" {
                // BlindCas: the service acknowledged a write; the client asked a cas.
                answer["type"] = json!("cas_ok");
            }
            if self.mode == Mode::CachedReads && body["type"] == "read_ok" {
                self.local
                    .insert(request["body"]["key"].to_string(), body["value"].clone());
            }
            return Some(reply(&request, answer));
        }
        let request = message.clone();
        let kind = body["type"].as_str().unwrap_or("");
        if kind == "init" {
            return Some(reply(&request, json!({"type": "init_ok"})));
        }
        let mut forward = body.clone();
        match (self.mode, kind) {
            (Mode::Local, _) => return Some(self.local_op(&request)),
            (Mode::CachedReads, "read") => {
                if let Some(v) = self.local.get(&body["key"].to_string()) {
                    return Some(reply(&request, json!({"type": "read_ok", "value": v})));
                }
            }
            (Mode::CachedReads, "write") => {
                self.local
                    .insert(body["key"].to_string(), body["value"].clone());
            }
            (Mode::LoseEvery(k), "write") => {
                self.writes += 1;
                if self.writes % k == 0 {
                    return Some(reply(&request, json!({"type": "write_ok"})));
                }
            }
            (Mode::Unanswered(k), "write" | "cas") => {
                self.writes += 1;
                if self.writes % k == 0 {
                    if self.writes % (2 * k) == 0 {
                        return None;
                    }
                    // Applied, but the reply is dropped.
                    if let Some(m) = forward.as_object_mut() {
                        m.remove("msg_id");
                    }
                    self.forward(request, forward);
                    self.pending.insert(self.next_msg_id, Value::Null);
                    return None;
                }
            }
            (Mode::BlindCas, "cas") => {
                forward = json!({"type": "write", "key": body["key"], "value": body["to"]});
                let answer = self.forward(request, forward);
                return Some(answer);
            }
            _ => {}
        }
        if let Some(m) = forward.as_object_mut() {
            m.remove("msg_id");
        }
        Some(self.forward(request, forward))
    }
}

impl InProcessNode for KvRegister {
    fn step(&mut self, _now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let message: Value = serde_json::from_slice(line?).expect("Maelstrom sends JSON");
        if let Some(l) = self.on_message(&message) {
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
        None
    }
}
