//! A node driven by a sequence of well-formed messages and time steps, built with `arbitrary`:
//! client broadcasts, reads, counter adds and transactions, gossip from any node of the
//! cluster (arbitrary sequence numbers, values, counter shares, transaction records, `adopt`
//! and `detach`, and acknowledgements picked among the sequence numbers the node really sent
//! to that neighbour, or made up), g-set adds, topology messages, repeated inits, and
//! timeouts. As in the node's own protocol, a `detach` carries no values, and a gossip message
//! carries the items of one kind (the first kind the case gave items of). Messages are typed by
//! the item kind they belong to and handed to the node directly (`Driven::step_message_with`),
//! skipping the decoder.
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
use glomers::Time;
use glomers::config::{NodeConfig, PRESETS};
use glomers::node::kind::Kind;
use glomers::node::kinds::counter::{self, Count, Counter};
use glomers::node::kinds::gset::{self, GSet};
use glomers::node::kinds::txn::{MicroOp, OpKind, Txn, TxnRecord};
use glomers::node::kinds::values::{self, Values};
use glomers::node::{Gossip, Message, Payload};
use glomers::step::{Driven, Feed};
use glomers::wire::{Body, OutPayload, Transmit, Value, encode};
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
    /// A g-set `add`.
    Element(ArbValue),
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
    /// Hands the node a message of kind `K`, then checks the invariants.
    fn handle<K: Kind>(&mut self, message: Message<'_, K>) {
        let now = self.now;
        let (sent, out, txn_sent) = (&mut self.sent, &mut self.out, &self.txn);
        let sink = |t: &Transmit<'_>| check_transmit(t, sent, out, txn_sent);
        self.node.step_message_with(now, message, sink, |_| {});
        self.check(now);
    }

    /// One drive step, then the invariants.
    fn step(&mut self, now: Time, feed: Feed<'_>) {
        let (sent, out, txn_sent) = (&mut self.sent, &mut self.out, &self.txn);
        let sink = |t: &Transmit<'_>| check_transmit(t, sent, out, txn_sent);
        self.node.step_with(now, feed, sink, |_| {});
        self.check(now);
    }

    /// Whether the node serves broadcast.
    fn broadcast(&self) -> bool {
        self.node.node().workload() == Some(Values::NAME)
    }

    fn check(&mut self, now: Time) {
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

/// Every line encodes to JSON; the sequence numbers of gossip are noted by destination; a
/// `txn_ok` is checked against the transaction sent.
fn check_transmit(
    t: &Transmit<'_>,
    sent: &mut HashMap<String, Vec<u64>>,
    out: &mut Vec<u8>,
    txn_sent: &[MicroOp],
) {
    if let OutPayload::Gossip { seq: Some(seq), .. } = t.payload {
        sent.entry(t.dest.to_string()).or_default().push(seq);
    }
    out.clear();
    encode(t, out);
    let v: serde_json::Value = serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)));
    assert!(v["body"]["type"].is_string(), "{v}");
    if v["body"]["type"] == "txn_ok" {
        check_txn(txn_sent, &v["body"]["txn"]);
    }
}

/// A value as JSON.
fn json(v: &Option<Value>) -> serde_json::Value {
    match v {
        Some(v) => serde_json::from_str(&v.to_string()).expect("a value is JSON"),
        None => serde_json::Value::Null,
    }
}

/// A transaction's reply: the request's micro-ops in order, writes unchanged, and a read of a
/// key the transaction wrote returns that write.
fn check_txn(sent: &[MicroOp], got: &serde_json::Value) {
    let got = got.as_array().expect("txn_ok lists micro-ops");
    assert_eq!(sent.len(), got.len(), "{sent:?} → {got:?}");
    let mut own: HashMap<&Value, &Option<Value>> = HashMap::new();
    for (s, g) in sent.iter().zip(got) {
        let f = match s.f {
            OpKind::Read => "r",
            OpKind::Write => "w",
        };
        assert_eq!(g[0], f, "{sent:?} → {got:?}");
        assert_eq!(g[1], json(&Some(s.key.clone())), "{sent:?} → {got:?}");
        match s.f {
            OpKind::Write => {
                assert_eq!(json(&s.value), g[2], "a write changed: {got:?}");
                own.insert(&s.key, &s.value);
            }
            OpKind::Read => {
                if let Some(mine) = own.get(&s.key) {
                    assert_eq!(json(mine), g[2], "a read missed its own write: {got:?}");
                }
            }
        }
    }
}

fn message<'a, K: Kind>(
    src: &'a str,
    me: &'a str,
    msg_id: Option<u64>,
    payload: Payload<'a, K>,
) -> Message<'a, K> {
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
    h.handle(message::<Values>(
        "c0",
        me,
        Some(1),
        Payload::Init {
            node_id: me,
            node_ids: names.clone(),
        },
    ));
    for (i, step) in case.steps.iter().enumerate() {
        let msg_id = Some(i as u64 + 2);
        match step {
            Step::Broadcast(v) => {
                let payload = Payload::Request(values::Request::Broadcast { message: v.value() });
                h.handle::<Values>(message("c1", me, msg_id, payload));
                if h.broadcast() {
                    h.must_hold.insert(v.value());
                }
            }
            Step::Read => match h.node.node().workload() {
                Some(Values::NAME) => {
                    let read = Payload::Request(values::Request::Read);
                    h.handle::<Values>(message("c1", me, msg_id, read));
                }
                Some(GSet::NAME) => {
                    let read = Payload::Request(gset::Request::Read);
                    h.handle::<GSet>(message("c1", me, msg_id, read));
                }
                _ => {
                    let read = Payload::Request(counter::Request::Read);
                    h.handle::<Counter>(message("c1", me, msg_id, read));
                }
            },
            Step::Add(delta) => {
                let payload = Payload::Request(counter::Request::Add { delta: *delta });
                h.handle::<Counter>(message("c1", me, msg_id, payload));
            }
            Step::Element(v) => {
                let payload = Payload::Request(gset::Request::Add { element: v.value() });
                h.handle::<GSet>(message("c1", me, msg_id, payload));
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
                h.handle::<Txn>(message("c1", me, msg_id, Payload::Request(txn)));
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
                let frame = Gossip::<()> {
                    seq: seq.map(u64::from),
                    acks,
                    adopt: *adopt,
                    detach: *detach,
                    ..Gossip::default()
                };
                // One kind per message: the first the case gave items of (values when none).
                fn with<I>(frame: &Gossip<()>, items: Vec<I>) -> Gossip<I> {
                    let seq = frame.seq.or((!items.is_empty()).then_some(0));
                    Gossip {
                        seq,
                        items,
                        acks: frame.acks.clone(),
                        adopt: frame.adopt,
                        detach: frame.detach,
                        sent: None,
                        round: None,
                        latency: Default::default(),
                        incarnation: 0,
                    }
                }
                if !counts.is_empty() && values.is_empty() {
                    let gossip = Payload::Gossip(with(&frame, counts));
                    h.handle::<Counter>(message(from, me, None, gossip));
                } else if !txns.is_empty() && values.is_empty() {
                    let gossip = Payload::Gossip(with(&frame, txns));
                    h.handle::<Txn>(message(from, me, None, gossip));
                } else {
                    let given = values.clone();
                    let gossip = Payload::Gossip(with(&frame, values));
                    h.handle::<Values>(message(from, me, None, gossip));
                    if from != me && h.broadcast() {
                        h.must_hold.extend(given);
                    }
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
                h.handle::<Values>(message("c2", me, msg_id, payload));
            }
            Step::Init { me: m, nodes: k } => {
                let k = usize::from(*k % 8) + 1;
                let node_ids = NAMES[..k].to_vec();
                let node_id = NAMES[usize::from(*m) % k];
                let payload = Payload::Init { node_id, node_ids };
                h.handle::<Values>(message("c3", node_id, msg_id, payload));
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
