//! Small transaction stores to run as test nodes: one correct single-node store, one correct
//! totally available replicated store, and stores that break the checker's rules on purpose
//! (each must come out invalid with its anomaly named, which proves the checker bites).
//!
//! A store sees the JSON bodies addressed to it and answers with bodies to send; it never
//! reads a clock except the `now_us` it is given, so it runs on the simulator's virtual clock
//! as an [`InProcessNode`] (`NodeKind::custom`).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use glomers::time::Time;
use glomers_sim::drive::node::InProcessNode;
use glomers_sim::workloads::txn_rw_register::elle::history::{Key, Mop};
use glomers_sim::workloads::txn_rw_register::rpc::parse_txn;

/// Which store to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// Correct on one node: applies each transaction atomically, in arrival order.
    Serial,
    /// Correct and totally available on any number of nodes: applies locally at once, then
    /// sends the transaction's final writes to every peer; conflicts resolved by
    /// last-writer-wins on (Lamport time, node). Read committed, never an abort.
    Lww,
    /// Broken: every 4th transaction with a write answers error 30 (txn-conflict) *after*
    /// applying its writes, without rolling back: readers see aborted writes (G1a).
    DirtyAborts,
    /// Broken: keeps each key's *first* write of a transaction instead of its last, so later
    /// readers see a value the transaction overwrote (G1b).
    FirstWriteWins,
    /// Broken: applies a transaction's writes on arrival but reads only 5 ms later, so
    /// overlapping transactions read each other's writes (wr cycles: G1c).
    DelayedReads,
    /// Broken: silently discards the writes of every 3rd transaction with a write. Allowed by
    /// read committed; two transactions then read the same value and both overwrite it
    /// (lost update, forbidden by repeatable read and stronger).
    LosesWrites,
}

impl StoreKind {
    /// In-process nodes of this kind, for [`glomers_sim::SimConfig::nodes`].
    pub fn nodes(self) -> glomers_sim::NodeKind {
        glomers_sim::NodeKind::custom(format!("{} test store", self.name()), move |_| {
            Box::new(StoreNode::new(self))
        })
    }

    /// Every kind, with its command-line name.
    pub const ALL: [(StoreKind, &'static str); 6] = [
        (StoreKind::Serial, "serial"),
        (StoreKind::Lww, "lww"),
        (StoreKind::DirtyAborts, "dirty-aborts"),
        (StoreKind::FirstWriteWins, "first-write-wins"),
        (StoreKind::DelayedReads, "delayed-reads"),
        (StoreKind::LosesWrites, "loses-writes"),
    ];

    /// The kind called `name`.
    pub fn from_name(name: &str) -> Option<StoreKind> {
        StoreKind::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }

    /// Its command-line name.
    pub fn name(self) -> &'static str {
        StoreKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }
}

/// How long [`StoreKind::DelayedReads`] waits before reading, µs.
pub const READ_DELAY_US: u64 = 5_000;

/// A reply waiting for its reads ([`StoreKind::DelayedReads`]).
#[derive(Clone, Debug)]
struct Deferred {
    at_us: u64,
    dest: String,
    in_reply_to: Value,
    mops: Vec<Mop>,
}

/// One node of a test store.
#[derive(Clone, Debug)]
pub struct StoreNode {
    kind: StoreKind,
    id: String,
    peers: Vec<String>,
    node_index: u64,
    /// key → (value, Lamport time, node index of the writer).
    state: HashMap<Key, (i64, u64, u64)>,
    lamport: u64,
    /// Transactions with a write seen so far (for the every-nth rules).
    writers: u64,
    deferred: Vec<Deferred>,
}

/// A body to send, and to whom.
pub type Outgoing = (String, Value);

impl StoreNode {
    /// A node of `kind`, before `init`.
    pub fn new(kind: StoreKind) -> StoreNode {
        StoreNode {
            kind,
            id: String::new(),
            peers: Vec::new(),
            node_index: 0,
            state: HashMap::new(),
            lamport: 0,
            writers: 0,
            deferred: Vec::new(),
        }
    }

    /// When the node next wants [`StoreNode::on_timer`], µs.
    pub fn deadline_us(&self) -> Option<u64> {
        self.deferred.iter().map(|d| d.at_us).min()
    }

    /// Sends the deferred replies that are due.
    pub fn on_timer(&mut self, now_us: u64) -> Vec<Outgoing> {
        let (due, later): (Vec<Deferred>, Vec<Deferred>) =
            self.deferred.drain(..).partition(|d| d.at_us <= now_us);
        self.deferred = later;
        due.into_iter()
            .map(|d| {
                let mops = self.read_all(&d.mops);
                (d.dest, txn_ok(&mops, d.in_reply_to))
            })
            .collect()
    }

    fn read_all(&self, mops: &[Mop]) -> Vec<Mop> {
        mops.iter()
            .map(|m| match *m {
                Mop::Read(k, _) => Mop::Read(k, self.state.get(&k).map(|s| s.0)),
                w => w,
            })
            .collect()
    }

    fn write(&mut self, k: Key, v: i64) {
        self.lamport += 1;
        self.state.insert(k, (v, self.lamport, self.node_index));
    }

    /// Runs a transaction against the local state; `None` when its reply is deferred.
    fn execute(&mut self, mops: &[Mop]) -> Vec<Mop> {
        let mut done = Vec::with_capacity(mops.len());
        let mut written: Vec<Key> = Vec::new();
        for m in mops {
            match *m {
                Mop::Read(k, _) => done.push(Mop::Read(k, self.state.get(&k).map(|s| s.0))),
                Mop::Write(k, v) => {
                    let keep_first = self.kind == StoreKind::FirstWriteWins;
                    if !(keep_first && written.contains(&k)) {
                        self.write(k, v);
                    }
                    written.push(k);
                    done.push(*m);
                }
            }
        }
        done
    }

    /// Handles one message body from `src`; returns the bodies to send.
    pub fn on_message(
        &mut self,
        now_us: u64,
        src: &str,
        body: &Map<String, Value>,
    ) -> Vec<Outgoing> {
        let in_reply_to = body.get("msg_id").cloned().unwrap_or(Value::Null);
        let reply = |b: Value| vec![(src.to_string(), b)];
        match body.get("type").and_then(Value::as_str) {
            Some("init") => {
                self.id = body["node_id"].as_str().unwrap_or("n0").to_string();
                let ids: Vec<String> = body["node_ids"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                self.node_index = ids.iter().position(|i| *i == self.id).unwrap_or(0) as u64;
                self.peers = ids.into_iter().filter(|i| *i != self.id).collect();
                reply(json!({"type": "init_ok", "in_reply_to": in_reply_to}))
            }
            Some("txn") => {
                let Ok(mops) = body.get("txn").map_or(Err(String::new()), parse_txn) else {
                    return reply(error(12, "malformed txn", in_reply_to));
                };
                self.txn(now_us, src, mops, in_reply_to)
            }
            Some("replicate") => {
                for w in body["writes"].as_array().into_iter().flatten() {
                    let (Some(k), Some(v), Some(t), Some(n)) =
                        (w[0].as_i64(), w[1].as_i64(), w[2].as_u64(), w[3].as_u64())
                    else {
                        continue;
                    };
                    self.lamport = self.lamport.max(t);
                    if self.state.get(&k).is_none_or(|s| (s.1, s.2) < (t, n)) {
                        self.state.insert(k, (v, t, n));
                    }
                }
                Vec::new()
            }
            _ => reply(error(10, "not supported", in_reply_to)),
        }
    }

    fn txn(&mut self, now_us: u64, src: &str, mops: Vec<Mop>, in_reply_to: Value) -> Vec<Outgoing> {
        let has_write = mops.iter().any(|m| matches!(m, Mop::Write(..)));
        if has_write {
            self.writers += 1;
        }
        match self.kind {
            StoreKind::DelayedReads => {
                for m in &mops {
                    if let Mop::Write(k, v) = *m {
                        self.write(k, v);
                    }
                }
                self.deferred.push(Deferred {
                    at_us: now_us + READ_DELAY_US,
                    dest: src.to_string(),
                    in_reply_to,
                    mops,
                });
                Vec::new()
            }
            StoreKind::LosesWrites if has_write && self.writers % 3 == 0 => {
                let done = self.read_all(&mops);
                vec![(src.to_string(), txn_ok(&done, in_reply_to))]
            }
            _ => {
                let done = self.execute(&mops);
                if self.kind == StoreKind::DirtyAborts && has_write && self.writers % 4 == 0 {
                    return vec![(src.to_string(), error(30, "txn-conflict", in_reply_to))];
                }
                let mut out = vec![(src.to_string(), txn_ok(&done, in_reply_to))];
                if self.kind == StoreKind::Lww {
                    self.replicate(&done, &mut out);
                }
                out
            }
        }
    }

    /// Sends the transaction's final writes, with their stamps, to every peer.
    fn replicate(&self, done: &[Mop], out: &mut Vec<Outgoing>) {
        let finals: BTreeMap<Key, i64> = done
            .iter()
            .filter_map(|m| match *m {
                Mop::Write(k, v) => Some((k, v)),
                Mop::Read(..) => None,
            })
            .collect();
        if finals.is_empty() {
            return;
        }
        let writes: Vec<Value> = finals
            .keys()
            .map(|k| {
                let (v, t, n) = self.state[k];
                json!([k, v, t, n])
            })
            .collect();
        for p in &self.peers {
            out.push((p.clone(), json!({"type": "replicate", "writes": writes})));
        }
    }
}

fn txn_ok(mops: &[Mop], in_reply_to: Value) -> Value {
    let txn: Vec<Value> = mops
        .iter()
        .map(glomers_sim::workloads::txn_rw_register::present::mop_json)
        .collect();
    json!({"type": "txn_ok", "txn": txn, "in_reply_to": in_reply_to})
}

fn error(code: i64, text: &str, in_reply_to: Value) -> Value {
    json!({"type": "error", "code": code, "text": text, "in_reply_to": in_reply_to})
}

impl InProcessNode for StoreNode {
    fn step(&mut self, now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let now_us = now.as_micros();
        let sends = match line {
            None => self.on_timer(now_us),
            Some(line) => match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(mut m)) => {
                    let src = m
                        .get("src")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    match m.remove("body") {
                        Some(Value::Object(body)) => self.on_message(now_us, &src, &body),
                        _ => Vec::new(),
                    }
                }
                _ => Vec::new(),
            },
        };
        for (dest, body) in sends {
            let line = json!({"src": self.id, "dest": dest, "body": body});
            out.extend_from_slice(line.to_string().as_bytes());
            out.push(b'\n');
        }
        self.deadline_us().map(Time::from_micros)
    }
}
