//! A tiny deterministic router joining several in-process nodes through their drive step, for
//! the counter and transaction tests (the simulator's own workloads for them live in the `sim`
//! crate): fixed latency, symmetric partitions, client replies at once (as in Maelstrom).
//! Node output is parsed with serde_json, not the node's own decoder, and routed by `dest`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::Duration;

use glomers::Time;
use glomers::config::NodeConfig;
use glomers::step::{Driven, Feed};
use glomers::storage::MemoryStorage;
use serde_json::{Value, json};

/// splitmix64: enough randomness for workloads, no dependency.
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

/// Nodes, their next deadlines and the messages between them.
pub struct Net {
    pub nodes: Vec<Driven>,
    deadlines: Vec<Option<Time>>,
    names: Vec<String>,
    pub now: Time,
    queue: BinaryHeap<InFlight>,
    seq: u64,
    latency: Duration,
    /// Directed links (from, to) that drop everything.
    cut: BTreeSet<(usize, usize)>,
    /// Node-to-node messages sent (dropped ones included), like Maelstrom's server count.
    pub server_messages: usize,
    /// The bodies of node-to-node messages, when `keep_bodies` is set.
    pub server_bodies: Vec<Value>,
    pub keep_bodies: bool,
    /// Every node-to-node message (sent at, from, to, body), when `keep_bodies` is set.
    pub server_log: Vec<(Time, usize, usize, Value)>,
    replies: BTreeMap<u64, Value>,
    next_msg_id: u64,
    /// The nodes' logs, when they keep one (see [`Net::durable`]).
    pub disks: Option<MemoryStorage>,
    config: NodeConfig,
}

impl Net {
    /// `n` initialised nodes running `config`, 100 ms apart.
    pub fn new(n: usize, config: &NodeConfig, seed: u64) -> Net {
        Net::build(n, config, seed, None)
    }

    /// [`Net::new`], each node logging to its own log in memory (see [`Net::restart`]).
    pub fn durable(n: usize, config: &NodeConfig, seed: u64) -> Net {
        Net::build(n, config, seed, Some(MemoryStorage::new()))
    }

    fn process(config: &NodeConfig, disks: Option<&MemoryStorage>) -> Driven {
        match disks {
            Some(disks) => Driven::with_storage(config.clone(), Box::new(disks.handle())),
            None => Driven::new(config.clone()),
        }
    }

    fn build(n: usize, config: &NodeConfig, seed: u64, disks: Option<MemoryStorage>) -> Net {
        let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
        let mut net = Net {
            nodes: (0..n)
                .map(|_| Net::process(config, disks.as_ref()))
                .collect(),
            deadlines: vec![None; n],
            names: names.clone(),
            now: Time::from_millis(1_000_000 + seed % 997),
            queue: BinaryHeap::new(),
            seq: 0,
            latency: Duration::from_millis(100),
            cut: BTreeSet::new(),
            server_messages: 0,
            server_bodies: Vec::new(),
            keep_bodies: false,
            server_log: Vec::new(),
            replies: BTreeMap::new(),
            next_msg_id: 1,
            disks,
            config: config.clone(),
        };
        for i in 0..n {
            net.init(i);
        }
        net
    }

    fn init(&mut self, i: usize) {
        let init = json!({"type": "init", "node_id": self.names[i], "node_ids": self.names});
        assert_eq!(self.request(i, init)["type"], "init_ok");
    }

    /// Kills node `i`'s process (its memory is gone, its log stays) and starts a new one with
    /// the same id, which Maelstrom sends `init` again. Messages in flight to it reach the new
    /// process, as Maelstrom's queue does.
    pub fn restart(&mut self, i: usize) {
        self.nodes[i] = Net::process(&self.config, self.disks.as_ref());
        self.deadlines[i] = None;
        self.init(i);
    }

    /// Sends a client request to node `i` now and returns the reply body.
    pub fn request(&mut self, i: usize, mut body: Value) -> Value {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        body["msg_id"] = id.into();
        let line = json!({"src": "c99", "dest": self.names[i], "body": body});
        self.deliver(i, line.to_string().into_bytes());
        self.replies.remove(&id).expect("the node replies at once")
    }

    /// Symmetrically cuts every link between the nodes of `a` and those of `b`.
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

    /// Runs every delivery and timer up to and including `now + span`.
    pub fn run_for(&mut self, span: Duration) {
        let until = self.now + span;
        loop {
            let next_msg = self.queue.peek().map(|Reverse((t, ..))| *t);
            let next_timer = (self.deadlines.iter().enumerate())
                .filter_map(|(i, d)| d.map(|t| (t, i)))
                .min();
            let take_msg = match (next_msg, next_timer) {
                (Some(m), Some((t, _))) => m <= t,
                (m, _) => m.is_some(),
            };
            let at = if take_msg {
                next_msg
            } else {
                next_timer.map(|(t, _)| t)
            };
            let Some(at) = at.filter(|&at| at <= until) else {
                break;
            };
            self.now = self.now.max(at);
            if take_msg {
                let Some(Reverse((_, _, to, line))) = self.queue.pop() else {
                    break;
                };
                self.deliver(to, line);
            } else if let Some((_, i)) = next_timer {
                self.step(i, Feed::Timeout);
            }
        }
        self.now = self.now.max(until);
    }

    /// Runs until nothing is in flight and every node is idle, or `limit` passes.
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
        self.deadlines[i] = self.nodes[i].step(self.now, feed, &mut out, |_| {});
        // The log first, then the messages that depend on it.
        self.nodes[i]
            .commit()
            .expect("the log in memory takes every write");
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let msg: Value = serde_json::from_slice(line).expect("node writes JSON");
            let dest = msg["dest"].as_str().expect("dest").to_string();
            if dest.starts_with('c') {
                if let Some(id) = msg["body"]["in_reply_to"].as_u64() {
                    self.replies.insert(id, msg["body"].clone());
                }
                continue;
            }
            let to = (self.names.iter().position(|n| *n == dest))
                .unwrap_or_else(|| panic!("message to unknown node {dest}"));
            self.server_messages += 1;
            if self.keep_bodies {
                self.server_bodies.push(msg["body"].clone());
                self.server_log.push((self.now, i, to, msg["body"].clone()));
            }
            if !self.cut.contains(&(i, to)) {
                self.seq += 1;
                let at = self.now + self.latency;
                self.queue.push(Reverse((at, self.seq, to, line.to_vec())));
            }
        }
    }
}
