//! A reactive counter node for the simulator's tests, built on a KV service like the usual
//! challenge 4 solution (read, then compare-and-set, retried), with switches that break it on
//! purpose. It runs in process on the virtual clock as an [`InProcessNode`].

use std::collections::BTreeMap;

use glomers::Time;
use glomers_sim::drive::node::InProcessNode;
use glomers_sim::history::{OpType, OpValue};
use glomers_sim::workloads::counter::ADD;
use glomers_sim::{NodeKind, Report};
use serde_json::{Value, json};

/// The sum of the deltas of the adds that completed as `kind` (`:ok`: acknowledged).
pub fn add_sum(r: &Report, kind: OpType) -> i64 {
    r.history
        .ops()
        .iter()
        .filter(|o| o.f == ADD && o.kind == kind)
        .map(|o| match o.value {
            OpValue::Int(d) => d,
            _ => 0,
        })
        .sum()
}

/// How the node misbehaves, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Read + cas on the service; reads first write a fresh value (seq-kv's way to the newest
    /// state).
    Correct,
    /// Acknowledges every `k`-th add without applying it.
    ForgetEvery(u32),
    /// Applies every add twice.
    DoubleCount,
    /// Reads the counter without the fresh write first (stale on seq-kv).
    NoSyncRead,
    /// Never answers adds.
    SilentAdds,
    /// Answers every read with this error code.
    ReadError(i64),
}

enum Pending {
    /// Reading the counter for an add of `delta`.
    AddRead { request: Value, delta: i64 },
    /// Setting the counter for an add of `delta`.
    AddCas { request: Value, delta: i64 },
    /// The fresh write before a read.
    Sync { request: Value },
    /// Reading the counter for a client read.
    Read { request: Value },
}

/// One node.
pub struct KvCounter {
    id: String,
    service: &'static str,
    mode: Mode,
    next_msg_id: u64,
    adds: u32,
    pending: BTreeMap<u64, Pending>,
}

const KEY: &str = "counter";

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

impl KvCounter {
    /// Node `n<index>` using `service` (`lin-kv` or `seq-kv`).
    pub fn new(index: u16, service: &'static str, mode: Mode) -> KvCounter {
        KvCounter {
            id: format!("n{index}"),
            service,
            mode,
            next_msg_id: 0,
            adds: 0,
            pending: BTreeMap::new(),
        }
    }

    /// In-process nodes of this kind, for [`glomers_sim::SimConfig::nodes`].
    pub fn nodes(service: &'static str, mode: Mode) -> NodeKind {
        NodeKind::custom(format!("KV counter on {service}, {mode:?}"), move |i| {
            Box::new(KvCounter::new(i, service, mode))
        })
    }

    fn call(&mut self, body: Value, then: Pending) -> String {
        self.next_msg_id += 1;
        let mut body = body;
        body["msg_id"] = json!(self.next_msg_id);
        self.pending.insert(self.next_msg_id, then);
        line(&self.id, &json!(self.service), body)
    }

    fn read_counter(&mut self, then: Pending) -> String {
        self.call(json!({"type": "read", "key": KEY}), then)
    }

    /// The lines the node prints on receiving `message`.
    pub fn on_message(&mut self, message: &Value) -> Vec<String> {
        let body = &message["body"];
        if let Some(id) = body["in_reply_to"].as_u64() {
            return self.on_reply(id, body).into_iter().collect();
        }
        let request = message.clone();
        match body["type"].as_str().unwrap_or("") {
            "init" => vec![reply(&request, json!({"type": "init_ok"}))],
            "add" => {
                let delta = body["delta"].as_i64().unwrap_or(0);
                self.adds += 1;
                match self.mode {
                    Mode::SilentAdds => Vec::new(),
                    Mode::ForgetEvery(k) if self.adds % k == 0 => {
                        vec![reply(&request, json!({"type": "add_ok"}))]
                    }
                    _ => vec![self.read_counter(Pending::AddRead { request, delta })],
                }
            }
            "read" => match self.mode {
                Mode::ReadError(code) => vec![reply(
                    &request,
                    json!({"type": "error", "code": code, "text": "no"}),
                )],
                Mode::NoSyncRead => vec![self.read_counter(Pending::Read { request })],
                _ => {
                    let value = format!("{}-{}", self.id, self.next_msg_id + 1);
                    let w = json!({"type": "write", "key": format!("sync-{}", self.id), "value": value});
                    vec![self.call(w, Pending::Sync { request })]
                }
            },
            _ => Vec::new(),
        }
    }

    fn on_reply(&mut self, id: u64, body: &Value) -> Option<String> {
        let value = || match body["type"].as_str() {
            Some("read_ok") => body["value"].as_i64(),
            _ if body["code"] == 20 => Some(0),
            _ => None,
        };
        match self.pending.remove(&id)? {
            Pending::AddRead { request, delta } => {
                let from = value().unwrap_or(0);
                let applied = if self.mode == Mode::DoubleCount {
                    2 * delta
                } else {
                    delta
                };
                let cas = json!({"type": "cas", "key": KEY, "from": from, "to": from + applied,
                                 "create_if_not_exists": true});
                Some(self.call(cas, Pending::AddCas { request, delta }))
            }
            Pending::AddCas { request, delta } => {
                if body["type"] == "cas_ok" {
                    Some(reply(&request, json!({"type": "add_ok"})))
                } else {
                    Some(self.read_counter(Pending::AddRead { request, delta }))
                }
            }
            Pending::Sync { request } => Some(self.read_counter(Pending::Read { request })),
            Pending::Read { request } => {
                let v = value().unwrap_or(0);
                Some(reply(&request, json!({"type": "read_ok", "value": v})))
            }
        }
    }
}

impl InProcessNode for KvCounter {
    fn step(&mut self, _now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let message: Value = serde_json::from_slice(line?).expect("Maelstrom sends JSON");
        for l in self.on_message(&message) {
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
        None
    }
}
