//! Small list-append stores to run as test nodes: a correct one (strict serializable on any
//! number of nodes) and stores that break one rule each on purpose, so that every anomaly of
//! the checker is shown to bite on a real run.
//!
//! A store sees the JSON bodies addressed to it and answers with bodies to send; it reads no
//! clock but the `now_us` it is given, so it runs on the simulator's virtual clock as an
//! [`InProcessNode`] (`NodeKind::custom`).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use glomers::time::Time;
use glomers_sim::drive::node::InProcessNode;
use glomers_sim::workloads::txn_list_append::history::{Elem, Key, Mop};
use glomers_sim::workloads::txn_list_append::rpc::{parse_txn, txn_json};

/// Which store to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// Correct: node `n0` runs every transaction atomically in arrival order; other nodes
    /// forward to it and relay its reply. Strict serializable.
    Serial,
    /// Broken: every 4th transaction with an append answers error 30 (txn-conflict) *after*
    /// applying its appends, without rolling back (G1a, dirty update).
    DirtyAborts,
    /// Broken: keeps only a transaction's first append to each key, while replying that it
    /// made them all: readers end at an intermediate append (G1b).
    FirstAppendOnly,
    /// Broken: reads see the state from before the transaction, never its own appends
    /// (internal).
    OwnAppendsInvisible,
    /// Broken: applies a transaction's appends before its reads, so a read sees the
    /// transaction's own later appends (future read).
    ReadsAhead,
    /// Broken: stores every 5th append twice (duplicate elements).
    DoubleAppends,
    /// Broken, on several nodes: each node applies transactions locally at once and sends
    /// their appends to its peers, which apply them 50 ms after arrival, so nodes append in
    /// different orders (incompatible order).
    Divergent,
    /// Broken: runs each micro-operation 2 ms after the previous one, so concurrent
    /// transactions interleave (G0, G1c, G-single, …).
    NonAtomic,
    /// Broken: reads at arrival but applies the appends 5 ms later without checking for
    /// conflicts: two transactions read the same state and both append (lost update, G2-item).
    LateCommit,
    /// Broken, on several nodes: serializable through `n0` as [`StoreKind::Serial`], but other
    /// nodes answer read-only transactions from a copy of `n0`'s state that they apply 50 ms
    /// late: reads miss appends that completed before they began (G-single-realtime).
    StaleFollowers,
}

impl StoreKind {
    /// In-process nodes of this kind, for [`glomers_sim::SimConfig::nodes`].
    pub fn nodes(self) -> glomers_sim::NodeKind {
        glomers_sim::NodeKind::custom(
            format!("{} list-append test store", self.name()),
            move |_| Box::new(StoreNode::new(self)),
        )
    }

    /// Every kind, with its name.
    pub const ALL: [(StoreKind, &'static str); 10] = [
        (StoreKind::Serial, "serial"),
        (StoreKind::DirtyAborts, "dirty-aborts"),
        (StoreKind::FirstAppendOnly, "first-append-only"),
        (StoreKind::OwnAppendsInvisible, "own-appends-invisible"),
        (StoreKind::ReadsAhead, "reads-ahead"),
        (StoreKind::DoubleAppends, "double-appends"),
        (StoreKind::Divergent, "divergent"),
        (StoreKind::NonAtomic, "non-atomic"),
        (StoreKind::LateCommit, "late-commit"),
        (StoreKind::StaleFollowers, "stale-followers"),
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        StoreKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }

    /// Whether only `n0` runs transactions (the others forward to it).
    fn leader_based(self) -> bool {
        !matches!(self, StoreKind::Divergent)
    }
}

/// [`StoreKind::NonAtomic`]'s gap between micro-operations, µs.
pub const MOP_GAP_US: u64 = 2_000;
/// [`StoreKind::LateCommit`]'s delay before appends apply, µs.
pub const COMMIT_DELAY_US: u64 = 5_000;
/// [`StoreKind::StaleFollowers`]'s delay before a follower applies `n0`'s state, and
/// [`StoreKind::Divergent`]'s before a peer's appends apply, µs.
pub const FOLLOWER_LAG_US: u64 = 50_000;

/// Who to answer for a transaction: the client directly, or a forwarding peer.
#[derive(Clone, Debug)]
struct ReplyTo {
    dest: String,
    in_reply_to: Value,
    /// For a forwarded transaction: the client and its `msg_id`, for the peer to relay.
    relay: Option<(String, Value)>,
}

/// Work the store has scheduled.
#[derive(Clone, Debug)]
enum Later {
    /// [`StoreKind::NonAtomic`]: run micro-operation `done.len()` of `mops` next.
    Step {
        mops: Vec<Mop>,
        done: Vec<Mop>,
        to: ReplyTo,
    },
    /// [`StoreKind::LateCommit`]: apply these appends and answer with `done`.
    Commit { done: Vec<Mop>, to: ReplyTo },
    /// [`StoreKind::Divergent`]: apply a peer's appends.
    Apply(Vec<(Key, Elem)>),
    /// [`StoreKind::StaleFollowers`]: adopt `n0`'s state number `seq`.
    Adopt {
        seq: u64,
        lists: HashMap<Key, Vec<Elem>>,
    },
}

/// A body to send, and to whom.
pub type Outgoing = (String, Value);

/// One node of a test store.
#[derive(Clone, Debug)]
pub struct StoreNode {
    kind: StoreKind,
    id: String,
    peers: Vec<String>,
    lists: HashMap<Key, Vec<Elem>>,
    /// Transactions with an append seen so far, and appends applied (the every-nth rules).
    writers: u64,
    appends: u64,
    /// `n0`'s state number (leader), or the last adopted (follower).
    seq: u64,
    later: Vec<(u64, Later)>,
}

impl StoreNode {
    /// A node of `kind`, before `init`.
    pub fn new(kind: StoreKind) -> StoreNode {
        StoreNode {
            kind,
            id: String::new(),
            peers: Vec::new(),
            lists: HashMap::new(),
            writers: 0,
            appends: 0,
            seq: 0,
            later: Vec::new(),
        }
    }

    fn is_leader(&self) -> bool {
        self.id == "n0"
    }

    fn read(&self, k: Key) -> Option<Vec<Elem>> {
        self.lists.get(&k).cloned()
    }

    fn append(&mut self, k: Key, e: Elem) {
        self.appends += 1;
        let list = self.lists.entry(k).or_default();
        list.push(e);
        if self.kind == StoreKind::DoubleAppends && self.appends % 5 == 0 {
            list.push(e);
        }
    }

    /// Runs `mops` against the local state at once, as this kind does.
    fn execute(&mut self, mops: &[Mop]) -> Vec<Mop> {
        let before = self.lists.clone();
        if self.kind == StoreKind::ReadsAhead {
            for m in mops {
                if let Mop::Append(k, e) = *m {
                    self.append(k, e);
                }
            }
        }
        let mut appended: Vec<Key> = Vec::new();
        let mut done = Vec::with_capacity(mops.len());
        for m in mops {
            match *m {
                Mop::Read(k, _) => done.push(Mop::Read(
                    k,
                    if self.kind == StoreKind::OwnAppendsInvisible {
                        before.get(&k).cloned()
                    } else {
                        self.read(k)
                    },
                )),
                Mop::Append(k, e) => {
                    let skip = (self.kind == StoreKind::FirstAppendOnly && appended.contains(&k))
                        || self.kind == StoreKind::ReadsAhead;
                    if !skip {
                        self.append(k, e);
                    }
                    appended.push(k);
                    done.push(m.clone());
                }
            }
        }
        done
    }

    fn answer(&self, to: &ReplyTo, body: Value) -> Outgoing {
        match &to.relay {
            None => {
                let mut body = body;
                body["in_reply_to"] = to.in_reply_to.clone();
                (to.dest.clone(), body)
            }
            Some((client, msg_id)) => (
                to.dest.clone(),
                json!({"type": "relay", "client": client, "client_msg_id": msg_id, "body": body}),
            ),
        }
    }

    /// The leader's state, to followers ([`StoreKind::StaleFollowers`]).
    fn publish(&mut self, out: &mut Vec<Outgoing>) {
        if self.kind != StoreKind::StaleFollowers {
            return;
        }
        self.seq += 1;
        let lists: Map<String, Value> = self
            .lists
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        for p in &self.peers {
            out.push((
                p.clone(),
                json!({"type": "state", "seq": self.seq, "lists": lists}),
            ));
        }
    }

    /// Runs a transaction here, answering `to`.
    fn run(&mut self, now_us: u64, mops: Vec<Mop>, to: ReplyTo) -> Vec<Outgoing> {
        let has_append = mops.iter().any(|m| matches!(m, Mop::Append(..)));
        if has_append {
            self.writers += 1;
        }
        let mut out = Vec::new();
        match self.kind {
            StoreKind::NonAtomic => {
                self.later.push((
                    now_us,
                    Later::Step {
                        mops,
                        done: Vec::new(),
                        to,
                    },
                ));
                return self.on_timer(now_us);
            }
            StoreKind::LateCommit => {
                // Reads see the state at arrival plus the transaction's own appends.
                let mut own: HashMap<Key, Vec<Elem>> = HashMap::new();
                let mut done = Vec::new();
                for m in &mops {
                    match *m {
                        Mop::Read(k, _) => {
                            let mut v = self.read(k);
                            if let Some(mine) = own.get(&k) {
                                v.get_or_insert_with(Vec::new).extend(mine);
                            }
                            done.push(Mop::Read(k, v));
                        }
                        Mop::Append(k, e) => {
                            own.entry(k).or_default().push(e);
                            done.push(m.clone());
                        }
                    }
                }
                self.later
                    .push((now_us + COMMIT_DELAY_US, Later::Commit { done, to }));
                return Vec::new();
            }
            _ => {}
        }
        let done = self.execute(&mops);
        if self.kind == StoreKind::DirtyAborts && has_append && self.writers % 4 == 0 {
            out.push(self.answer(
                &to,
                json!({"type": "error", "code": 30, "text": "txn-conflict"}),
            ));
            return out;
        }
        if self.kind == StoreKind::Divergent {
            let appends: Vec<Value> = done
                .iter()
                .filter_map(|m| match *m {
                    Mop::Append(k, e) => Some(json!([k, e])),
                    Mop::Read(..) => None,
                })
                .collect();
            if !appends.is_empty() {
                for p in &self.peers {
                    out.push((p.clone(), json!({"type": "apply", "appends": appends})));
                }
            }
        }
        if has_append {
            self.publish(&mut out);
        }
        out.push(self.answer(&to, json!({"type": "txn_ok", "txn": txn_json(&done)})));
        out
    }

    /// When the node next wants [`StoreNode::on_timer`], µs.
    pub fn deadline_us(&self) -> Option<u64> {
        self.later.iter().map(|(at, _)| *at).min()
    }

    /// Runs the scheduled work that is due.
    pub fn on_timer(&mut self, now_us: u64) -> Vec<Outgoing> {
        let mut out = Vec::new();
        while let Some(i) = (0..self.later.len())
            .filter(|&i| self.later[i].0 <= now_us)
            .min_by_key(|&i| self.later[i].0)
        {
            let (_, work) = self.later.remove(i);
            match work {
                Later::Step { mops, mut done, to } => {
                    let m = mops[done.len()].clone();
                    done.push(match m {
                        Mop::Read(k, _) => Mop::Read(k, self.read(k)),
                        Mop::Append(k, e) => {
                            self.append(k, e);
                            m
                        }
                    });
                    if done.len() == mops.len() {
                        out.push(
                            self.answer(&to, json!({"type": "txn_ok", "txn": txn_json(&done)})),
                        );
                    } else {
                        self.later
                            .push((now_us + MOP_GAP_US, Later::Step { mops, done, to }));
                    }
                }
                Later::Commit { done, to } => {
                    for m in &done {
                        if let Mop::Append(k, e) = *m {
                            self.append(k, e);
                        }
                    }
                    out.push(self.answer(&to, json!({"type": "txn_ok", "txn": txn_json(&done)})));
                }
                Later::Apply(appends) => {
                    for (k, e) in appends {
                        self.append(k, e);
                    }
                }
                Later::Adopt { seq, lists } => {
                    if seq > self.seq {
                        self.seq = seq;
                        self.lists = lists;
                    }
                }
            }
        }
        out
    }

    /// Handles one message body from `src`; returns the bodies to send.
    pub fn on_message(
        &mut self,
        now_us: u64,
        src: &str,
        body: &Map<String, Value>,
    ) -> Vec<Outgoing> {
        let in_reply_to = body.get("msg_id").cloned().unwrap_or(Value::Null);
        match body.get("type").and_then(Value::as_str) {
            Some("init") => {
                self.id = body["node_id"].as_str().unwrap_or("n0").to_string();
                self.peers = body["node_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(String::from))
                    .filter(|i| *i != self.id)
                    .collect();
                vec![(
                    src.to_string(),
                    json!({"type": "init_ok", "in_reply_to": in_reply_to}),
                )]
            }
            Some("txn") => {
                let Ok(mops) = body.get("txn").map_or(Err(String::new()), parse_txn) else {
                    return vec![(
                        src.to_string(),
                        json!({"type": "error", "code": 12, "text": "malformed txn",
                               "in_reply_to": in_reply_to}),
                    )];
                };
                let read_only = mops.iter().all(|m| matches!(m, Mop::Read(..)));
                let local = !self.kind.leader_based()
                    || self.is_leader()
                    || (self.kind == StoreKind::StaleFollowers && read_only);
                if local {
                    let to = ReplyTo {
                        dest: src.to_string(),
                        in_reply_to,
                        relay: None,
                    };
                    return self.run(now_us, mops, to);
                }
                vec![(
                    "n0".to_string(),
                    json!({"type": "forward", "client": src, "client_msg_id": in_reply_to,
                           "txn": txn_json(&mops)}),
                )]
            }
            Some("forward") => {
                let mops = body.get("txn").map(parse_txn).and_then(Result::ok);
                let to = ReplyTo {
                    dest: src.to_string(),
                    in_reply_to: Value::Null,
                    relay: Some((
                        body["client"].as_str().unwrap_or("").to_string(),
                        body["client_msg_id"].clone(),
                    )),
                };
                self.run(now_us, mops.unwrap_or_default(), to)
            }
            Some("relay") => {
                let mut reply = body["body"].clone();
                reply["in_reply_to"] = body["client_msg_id"].clone();
                vec![(body["client"].as_str().unwrap_or("").to_string(), reply)]
            }
            Some("apply") => {
                let appends = body["appends"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| Some((a[0].as_i64()?, a[1].as_i64()?)))
                    .collect();
                self.later
                    .push((now_us + FOLLOWER_LAG_US, Later::Apply(appends)));
                Vec::new()
            }
            Some("state") => {
                let lists = body["lists"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| {
                        let es = v.as_array()?.iter().filter_map(Value::as_i64).collect();
                        Some((k.parse().ok()?, es))
                    })
                    .collect();
                let seq = body["seq"].as_u64().unwrap_or(0);
                self.later
                    .push((now_us + FOLLOWER_LAG_US, Later::Adopt { seq, lists }));
                Vec::new()
            }
            _ => vec![(
                src.to_string(),
                json!({"type": "error", "code": 10, "text": "not supported",
                       "in_reply_to": in_reply_to}),
            )],
        }
    }
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
