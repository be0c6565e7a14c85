//! A node driven by a sequence of well-formed messages and time steps, built with `arbitrary`:
//! client broadcasts and reads, gossip from any node of the cluster (arbitrary sequence
//! numbers, values, `adopt` and `detach`, and acknowledgements picked among the sequence
//! numbers the node really sent to that neighbour, or made up), topology messages, repeated
//! inits, and timeouts. As in the node's own protocol, a `detach` carries no values. Messages are handed to `Node::handle` directly, skipping the decoder.
//!
//! Checked after every input: no panic (debug assertions are on), `poll_timeout` is never at
//! or before the time just handled, every stored value stays where it was (the list only
//! grows), every value a client or a neighbour gave the node is held, every line encodes to
//! JSON, and the work queued on links stays bounded by links × stored values.

#![no_main]

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use arbitrary::Arbitrary;
use glomers::config::{NodeConfig, PRESETS};
use glomers::step::{Driven, Feed};
use glomers::wire::{Body, Gossip, Message, OutPayload, Payload, Transmit, Value, encode};
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
    Gossip {
        from: u8,
        seq: Option<u16>,
        values: Vec<ArbValue>,
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
}

impl Harness {
    fn handle(&mut self, input: Input<'_>) {
        self.step(self.now, Feed::Input(input));
    }

    /// One drive step, then the invariants.
    fn step(&mut self, now: Time, feed: Feed<'_>) {
        let (sent, out) = (&mut self.sent, &mut self.out);
        let sink = |t: &Transmit<'_>| {
            if let OutPayload::Gossip { seq: Some(seq), .. } = t.payload {
                sent.entry(t.dest.to_string()).or_default().push(seq);
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
        let bound = self.n * values.len();
        let pending = self.node.node().pending_len();
        assert!(
            pending <= bound,
            "{pending} pending for {} values",
            values.len()
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
                h.must_hold.insert(v.value());
                let payload = Payload::Broadcast { message: v.value() };
                h.handle(Input::Message(message("c1", me, msg_id, payload)));
            }
            Step::Read => h.handle(Input::Message(message("c1", me, msg_id, Payload::Read))),
            Step::Gossip {
                from,
                seq,
                values,
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
                let seq = seq.map(u64::from).or((!values.is_empty()).then_some(0));
                if from != me {
                    h.must_hold.extend(values.iter().cloned());
                }
                let gossip = Gossip {
                    seq,
                    values,
                    acks,
                    adopt: *adopt,
                    detach: *detach,
                };
                h.handle(Input::Message(message(
                    from,
                    me,
                    None,
                    Payload::Gossip(gossip),
                )));
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
