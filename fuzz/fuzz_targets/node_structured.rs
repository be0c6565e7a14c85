//! A node driven by a sequence of well-formed messages and time steps, built with `arbitrary`:
//! client broadcasts, reads, counter adds and transactions, gossip from any node of the
//! cluster (arbitrary sequence numbers, values, counter shares, transaction records, `adopt`
//! and `detach`, and acknowledgements picked among the sequence numbers the node really sent
//! to that neighbour, or made up), topology messages, repeated inits, and timeouts. As in the node's own protocol, a `detach` carries no values. Messages are handed to `Node::handle` directly, skipping the decoder.
//!
//! Checked after every input: no panic (debug assertions are on), `poll_timeout` is never at
//! or before the time just handled, every stored value stays where it was (the list only
//! grows), every value a client or a neighbour gave a broadcast node is held, every line
//! encodes to JSON, a transaction's reply lists its micro-ops in order with its own writes
//! read back, and the work queued on links stays bounded by links × stored items.

#![no_main]

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use arbitrary::Arbitrary;
use glomers::config::{NodeConfig, PRESETS, Workload};
use glomers::step::{Driven, Feed};
use glomers::wire::{
    Body, Count, Gossip, Message, MicroOp, OpKind, OutPayload, Payload, Transmit, TxnRecord, Value,
    encode,
};
use glomers::{Input, Time};
use glomers_fuzz::NodeInvariants;
use libfuzzer_sys::fuzz_target;

const START: Time = Time::from_micros(1_600_000_000_000_000);
const NAMES: [&str; 8] = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"];

#[derive(Arbitrary, Debug)]
enum ArbValue {
    Int(i8),
    Wide(i64),
    Text(u8),
}

impl ArbValue {
    fn value(&self) -> Value {
        match self {
            ArbValue::Int(i) => Value::Int(i64::from(*i)),
            ArbValue::Wide(i) => Value::Int(*i),
            ArbValue::Text(t) => Value::Json(format!("\"v{t}\"").into_boxed_str()),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Ack {
    /// The k-th sequence number the node sent to this neighbour (if it sent that many).
    Sent(u8),
    /// Any number.
    Any(u16),
}

#[derive(Arbitrary, Debug)]
enum Step {
    Broadcast(ArbValue),
    Read,
    Add(i64),
    /// Micro-ops: (write?, key, value).
    Txn(Vec<(bool, u8, ArbValue)>),
    Gossip {
        from: u8,
        seq: Option<u16>,
        values: Vec<ArbValue>,
        /// Shares: (node, version, total).
        counts: Vec<(u8, u8, i64)>,
        /// Records: (ts, node, writes of (key, value)).
        txns: Vec<(u8, u8, Vec<(u8, ArbValue)>)>,
        acks: Vec<Ack>,
        adopt: bool,
        detach: bool,
    },
    Topology(Vec<(u8, Vec<u8>)>),
    Init {
        me: u8,
        nodes: u8,
    },
    Advance(u16),
    Timeout,
}

#[derive(Arbitrary, Debug)]
struct Case {
    preset: u8,
    me: u8,
    nodes: u8,
    steps: Vec<Step>,
}

struct Harness {
    node: Driven,
    n: usize,
    now: Time,
    invariants: NodeInvariants,
    must_hold: BTreeSet<Value>,
    /// Sequence numbers the node sent, by destination.
    sent: HashMap<String, Vec<u64>>,
    out: Vec<u8>,
    /// The last transaction sent, to check its reply against.
    txn: Vec<MicroOp>,
}

impl Harness {
    fn handle(&mut self, input: Input<'_>) {
        self.step(self.now, Feed::Input(input));
    }

    /// One drive step, then the invariants.
    fn step(&mut self, now: Time, feed: Feed<'_>) {
        let (sent, out, txn_sent) = (&mut self.sent, &mut self.out, &self.txn);
        let sink = |t: &Transmit<'_>| {
            if let OutPayload::Gossip { seq: Some(seq), .. } = t.payload {
                sent.entry(t.dest.to_string()).or_default().push(seq);
            }
            if let OutPayload::TxnOk { txn } = t.payload {
                check_txn(txn_sent, txn);
            }
            out.clear();
            encode(t, out);
            let v: serde_json::Value = serde_json::from_slice(out)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)));
            assert!(v["body"]["type"].is_string(), "{v}");
        };
        self.node.step_with(now, feed, sink, |_| {});
        let values = self.invariants.check(self.node.node(), now);
        let held: BTreeSet<&Value> = values.iter().collect();
        for v in &self.must_hold {
            assert!(
                held.contains(v),
                "value {v} was given to the node and is gone"
            );
        }
        let bound = self.n * self.node.node().items_len();
        let pending = self.node.node().pending_len();
        assert!(
            pending <= bound,
            "{pending} pending for {} items",
            self.node.node().items_len()
        );
    }

    fn run_timers(&mut self, until: Time) {
        while let Some(deadline) = self.node.node().poll_timeout().filter(|&d| d <= until) {
            self.now = deadline;
            self.step(deadline, Feed::Timeout);
        }
        self.now = self.now.max(until);
    }
}

/// A transaction's reply: the request's micro-ops in order, writes unchanged, and a read of a
/// key the transaction wrote returns that write.
fn check_txn(sent: &[MicroOp], got: &[MicroOp]) {
    assert_eq!(sent.len(), got.len(), "{sent:?} → {got:?}");
    let mut own: HashMap<&Value, &Option<Value>> = HashMap::new();
    for (s, g) in sent.iter().zip(got) {
        assert_eq!((s.f, &s.key), (g.f, &g.key), "{sent:?} → {got:?}");
        match s.f {
            OpKind::Write => {
                assert_eq!(s.value, g.value, "a write changed: {got:?}");
                own.insert(&s.key, &s.value);
            }
            OpKind::Read => {
                if let Some(mine) = own.get(&s.key) {
                    assert_eq!(*mine, &g.value, "a read missed its own write: {got:?}");
                }
            }
        }
    }
}

fn message<'a>(
    src: &'a str,
    me: &'a str,
    msg_id: Option<u64>,
    payload: Payload<'a>,
) -> Message<'a> {
    Message {
        src,
        dest: me,
        body: Body {
            msg_id,
            in_reply_to: None,
            payload,
        },
    }
}

fuzz_target!(|case: Case| {
    let (name, text) = PRESETS[usize::from(case.preset) % PRESETS.len()];
    let config = NodeConfig::from_toml(text, name).expect("presets parse");
    let n = usize::from(case.nodes % 8) + 1;
    let me = NAMES[usize::from(case.me) % n];
    let mut h = Harness {
        node: Driven::new(config),
        n,
        now: START,
        invariants: NodeInvariants::default(),
        must_hold: BTreeSet::new(),
        sent: HashMap::new(),
        out: Vec::new(),
        txn: Vec::new(),
    };
    let names = NAMES[..n].to_vec();
    h.handle(Input::Message(message(
        "c0",
        me,
        Some(1),
        Payload::Init {
            node_id: me,
            node_ids: names.clone(),
        },
    )));
    for (i, step) in case.steps.iter().enumerate() {
        let msg_id = Some(i as u64 + 2);
        match step {
            Step::Broadcast(v) => {
                let payload = Payload::Broadcast { message: v.value() };
                h.handle(Input::Message(message("c1", me, msg_id, payload)));
                if h.node.node().workload() == Workload::Broadcast {
                    h.must_hold.insert(v.value());
                }
            }
            Step::Read => h.handle(Input::Message(message("c1", me, msg_id, Payload::Read))),
            Step::Add(delta) => {
                let payload = Payload::Add { delta: *delta };
                h.handle(Input::Message(message("c1", me, msg_id, payload)));
            }
            Step::Txn(ops) => {
                let txn: Vec<MicroOp> = ops
                    .iter()
                    .map(|(write, key, value)| MicroOp {
                        f: if *write { OpKind::Write } else { OpKind::Read },
                        key: Value::Int(i64::from(*key % 16)),
                        value: write.then(|| value.value()),
                    })
                    .collect();
                h.txn = txn.clone();
                h.handle(Input::Message(message(
                    "c1",
                    me,
                    msg_id,
                    Payload::Txn { txn },
                )));
            }
            Step::Gossip {
                from,
                seq,
                values,
                counts,
                txns,
                acks,
                adopt,
                detach,
            } => {
                let from = NAMES[usize::from(*from) % n];
                let sent = h.sent.get(from).cloned().unwrap_or_default();
                let acks = acks
                    .iter()
                    .filter_map(|a| match a {
                        Ack::Sent(k) => sent.get(usize::from(*k)).copied(),
                        Ack::Any(x) => Some(u64::from(*x)),
                    })
                    .collect();
                // A goodbye never carries values (nodes send `detach` alone), and the decoder
                // rejects values without a sequence number.
                let values: Vec<Value> = match detach {
                    false => values.iter().map(ArbValue::value).collect(),
                    true => Vec::new(),
                };
                let counts: Vec<Count> = match detach {
                    false => counts
                        .iter()
                        .map(|&(node, version, total)| Count {
                            node: u16::from(node % 9),
                            version: u64::from(version),
                            total,
                        })
                        .collect(),
                    true => Vec::new(),
                };
                let txns: Vec<TxnRecord> = match detach {
                    false => txns
                        .iter()
                        .map(|(ts, node, writes)| TxnRecord {
                            ts: u64::from(*ts),
                            node: u16::from(node % 9),
                            writes: writes
                                .iter()
                                .map(|(k, v)| (Value::Int(i64::from(*k % 16)), v.value()))
                                .collect(),
                        })
                        .collect(),
                    true => Vec::new(),
                };
                let only_values = counts.is_empty() && txns.is_empty();
                let gossip = Gossip {
                    seq: None,
                    values,
                    acks,
                    adopt: *adopt,
                    detach: *detach,
                    counts,
                    txns,
                    ..Gossip::default()
                };
                let seq = seq.map(u64::from).or(gossip.has_items().then_some(0));
                let gossip = Gossip { seq, ..gossip };
                let given = gossip.values.clone();
                h.handle(Input::Message(message(
                    from,
                    me,
                    None,
                    Payload::Gossip(gossip),
                )));
                if from != me && only_values && h.node.node().workload() == Workload::Broadcast {
                    h.must_hold.extend(given);
                }
            }
            Step::Topology(map) => {
                let topology = map
                    .iter()
                    .map(|(node, list)| {
                        let node = NAMES[usize::from(*node) % n];
                        (
                            node,
                            list.iter().map(|k| NAMES[usize::from(*k) % n]).collect(),
                        )
                    })
                    .collect();
                let payload = Payload::Topology { topology };
                h.handle(Input::Message(message("c2", me, msg_id, payload)));
            }
            Step::Init { me: m, nodes: k } => {
                let k = usize::from(*k % 8) + 1;
                let node_ids = NAMES[..k].to_vec();
                let node_id = NAMES[usize::from(*m) % k];
                let payload = Payload::Init { node_id, node_ids };
                h.handle(Input::Message(message("c3", node_id, msg_id, payload)));
            }
            Step::Advance(ms) => {
                let until = h.now + Duration::from_millis(u64::from(*ms));
                h.run_timers(until);
            }
            Step::Timeout => {
                if let Some(d) = h.node.node().poll_timeout() {
                    h.run_timers(d);
                }
            }
        }
    }
    let until = h.now + Duration::from_secs(120);
    h.run_timers(until);
});
