//! A small deterministic network for driving several in-process nodes in tests: fixed
//! latency, seeded random loss and extra delay, and symmetric partitions. Node output is parsed
//! with serde_json (not the node's own decoder) and routed by `dest`; client replies are kept.

#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::time::Duration;

use glomers::config::NodeConfig;
use glomers::step::{Driven, Feed};
use glomers::{Notice, Time};

/// splitmix64: enough randomness for loss and jitter, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A message in flight: (delivery time, tie-breaker, recipient, line).
type InFlight = Reverse<(Time, u64, usize, Vec<u8>)>;

pub struct Net {
    pub nodes: Vec<Driven>,
    names: Vec<String>,
    pub now: Time,
    queue: BinaryHeap<InFlight>,
    seq: u64,
    rng: Rng,
    pub latency: Duration,
    /// Probability that a node-to-node message is lost.
    pub loss: f64,
    /// Extra uniform delay added to node-to-node messages, up to this much.
    pub jitter: Duration,
    /// Directed links (from, to) that drop everything.
    pub cut: BTreeSet<(usize, usize)>,
    /// Node-to-node messages sent (dropped ones included), like Maelstrom's server count.
    pub server_messages: usize,
    /// Times at which node-to-node messages were sent.
    pub send_times: Vec<Time>,
    /// The timing changes the nodes logged: (when, node, what).
    pub timing_notes: Vec<(Time, usize, String)>,
    replies: HashMap<u64, serde_json::Value>,
    next_msg_id: u64,
}

impl Net {
    /// `n` initialised nodes running `config`, with clocks starting at `start`.
    pub fn new(n: usize, config: &NodeConfig, seed: u64) -> Net {
        let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
        let mut net = Net {
            nodes: (0..n).map(|_| Driven::new(config.clone())).collect(),
            names: names.clone(),
            now: Time::from_millis(1_000_000 + seed % 997),
            queue: BinaryHeap::new(),
            seq: 0,
            rng: Rng::new(seed),
            latency: Duration::from_millis(100),
            loss: 0.0,
            jitter: Duration::ZERO,
            cut: BTreeSet::new(),
            server_messages: 0,
            send_times: Vec::new(),
            timing_notes: Vec::new(),
            replies: HashMap::new(),
            next_msg_id: 1,
        };
        let ids = serde_json::to_string(&names).expect("names");
        for (i, name) in names.iter().enumerate() {
            let line = format!(
                r#"{{"src":"c{i}","dest":"{name}","body":{{"type":"init","node_id":"{name}","node_ids":{ids},"msg_id":{}}}}}"#,
                net.next_msg_id
            );
            net.next_msg_id += 1;
            net.deliver(i, line.into_bytes());
        }
        net
    }

    /// Sends a client request to node `i` now and returns the reply body once it arrives
    /// (client messages have no latency, as in Maelstrom).
    pub fn request(&mut self, i: usize, body: serde_json::Value) -> serde_json::Value {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let mut body = body;
        body["msg_id"] = id.into();
        let line = serde_json::json!({"src": "c99", "dest": self.names[i], "body": body});
        self.deliver(i, line.to_string().into_bytes());
        self.replies.remove(&id).expect("the node replies at once")
    }

    pub fn broadcast(&mut self, i: usize, value: i64) {
        let reply = self.request(
            i,
            serde_json::json!({"type": "broadcast", "message": value}),
        );
        assert_eq!(reply["type"], "broadcast_ok", "{reply}");
    }

    pub fn read(&mut self, i: usize) -> BTreeSet<i64> {
        let reply = self.request(i, serde_json::json!({"type": "read"}));
        let values = reply["messages"].as_array().expect("messages array");
        let set: BTreeSet<i64> = values.iter().map(|v| v.as_i64().expect("int")).collect();
        assert_eq!(
            set.len(),
            values.len(),
            "read_ok lists a value twice: {reply}"
        );
        set
    }

    /// Symmetrically cuts every link between `a` and the other nodes in `b`.
    pub fn partition(&mut self, a: &[usize], b: &[usize]) {
        for &x in a {
            for &y in b {
                self.cut.insert((x, y));
                self.cut.insert((y, x));
            }
        }
    }

    pub fn heal(&mut self) {
        self.cut.clear();
    }

    /// Runs every event up to and including `until`.
    pub fn run_until(&mut self, until: Time) {
        loop {
            let next_msg = self.queue.peek().map(|Reverse((t, ..))| *t);
            let next_timer = self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.node().poll_timeout().map(|t| (t, i)))
                .min();
            let take_msg = match (next_msg, next_timer) {
                (None, None) => break,
                (Some(m), Some((t, _))) => m <= t,
                (Some(_), None) => true,
                (None, Some(_)) => false,
            };
            let at = if take_msg {
                next_msg.expect("message")
            } else {
                next_timer.expect("timer").0
            };
            if at > until {
                break;
            }
            self.now = self.now.max(at);
            if take_msg {
                let Reverse((_, _, to, line)) = self.queue.pop().expect("message");
                self.deliver(to, line);
            } else {
                let i = next_timer.expect("timer").1;
                self.step(i, Feed::Timeout);
            }
        }
        self.now = self.now.max(until);
    }

    pub fn run_for(&mut self, span: Duration) {
        let until = self.now + span;
        self.run_until(until);
    }

    /// Runs until no message is in flight and no node has anything queued or unacknowledged,
    /// or `limit` passes. Returns whether the cluster went idle.
    pub fn settle(&mut self, limit: Duration) -> bool {
        let end = self.now + limit;
        while self.now < end {
            if self.queue.is_empty() && self.nodes.iter().all(|n| n.node().is_idle()) {
                return true;
            }
            self.run_for(Duration::from_millis(50));
        }
        false
    }

    fn deliver(&mut self, i: usize, mut line: Vec<u8>) {
        let len = line.len();
        self.step(
            i,
            Feed::Line {
                buf: &mut line,
                len,
            },
        );
    }

    fn step(&mut self, i: usize, feed: Feed<'_>) {
        let mut out = Vec::new();
        let mut notes = Vec::new();
        self.nodes[i].step(self.now, feed, &mut out, |n| {
            if let Notice::Timing(what) = n {
                notes.push(what);
            }
        });
        let now = self.now;
        self.timing_notes
            .extend(notes.into_iter().map(|what| (now, i, what)));
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let msg: serde_json::Value = serde_json::from_slice(line).expect("node writes JSON");
            assert_eq!(msg["src"], self.names[i].as_str(), "src is the sender");
            let dest = msg["dest"].as_str().expect("dest").to_string();
            if dest.starts_with('c') {
                let body = msg["body"].clone();
                if let Some(id) = body["in_reply_to"].as_u64() {
                    self.replies.insert(id, body);
                }
                continue;
            }
            let to = self
                .names
                .iter()
                .position(|n| *n == dest)
                .unwrap_or_else(|| panic!("message to unknown node {dest}"));
            assert_ne!(to, i, "a node sent a message to itself");
            self.server_messages += 1;
            self.send_times.push(self.now);

            if self.cut.contains(&(i, to)) || self.rng.unit() < self.loss {
                continue;
            }
            let extra = self.jitter.mul_f64(self.rng.unit());
            let at = self.now + self.latency + extra;
            self.seq += 1;
            self.queue.push(Reverse((at, self.seq, to, line.to_vec())));
        }
    }
}
