//! The node tunes its rounds to the network it finds: nine nodes on a tiny network whose
//! latency changes mid-run; the root re-plans within a few rounds, only the root plans, and
//! nothing is lost across the switch. Pinned timing is never re-planned.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::time::Duration;

use glomers::config::NodeConfig;
use glomers::step::{Driven, Feed};
use glomers::{Notice, Time};
use serde_json::Value;

/// Nodes n0… and node-to-node messages with one latency for all.
struct Net {
    nodes: Vec<Driven>,
    wake: Vec<Option<Time>>,
    now: Time,
    latency: Duration,
    queue: BinaryHeap<Reverse<(Time, u64, usize, String)>>,
    seq: u64,
    /// (when, node, the timing note it logged).
    notes: Vec<(Time, usize, String)>,
}

impl Net {
    fn new(n: usize, config: &NodeConfig) -> Net {
        let mut net = Net {
            nodes: (0..n).map(|_| Driven::new(config.clone())).collect(),
            wake: vec![None; n],
            now: Time::from_millis(1_000_000),
            latency: Duration::from_millis(100),
            queue: BinaryHeap::new(),
            seq: 0,
            notes: Vec::new(),
        };
        let ids: Vec<String> = (0..n).map(|i| format!("\"n{i}\"")).collect();
        for i in 0..n {
            let init = format!(
                r#"{{"src":"c{i}","dest":"n{i}","body":{{"type":"init","node_id":"n{i}","node_ids":[{}],"msg_id":1}}}}"#,
                ids.join(",")
            );
            net.feed(i, Some(init));
        }
        net
    }

    /// Hands node `i` a line (or its timeout), and queues what it sends to other nodes.
    fn feed(&mut self, i: usize, line: Option<String>) {
        let mut out = Vec::new();
        let mut notes = Vec::new();
        let collect = |n: Notice| {
            if let Notice::Timing(what) = n {
                notes.push(what);
            }
        };
        self.wake[i] = match line {
            Some(line) => {
                let mut buf = line.into_bytes();
                let len = buf.len();
                self.nodes[i].step(
                    self.now,
                    Feed::Line { buf: &mut buf, len },
                    &mut out,
                    collect,
                )
            }
            None => self.nodes[i].step(self.now, Feed::Timeout, &mut out, collect),
        };
        self.notes
            .extend(notes.into_iter().map(|n| (self.now, i, n)));
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let msg: Value = serde_json::from_slice(line).expect("JSON");
            let dest = msg["dest"].as_str().expect("dest");
            if let Some(to) = dest.strip_prefix('n') {
                let to: usize = to.parse().expect("node index");
                self.seq += 1;
                let at = self.now + self.latency;
                let text = String::from_utf8(line.to_vec()).expect("UTF-8");
                self.queue.push(Reverse((at, self.seq, to, text)));
            }
        }
    }

    fn run_for(&mut self, span: Duration) {
        let end = self.now + span;
        loop {
            let message = self.queue.peek().map(|Reverse((at, ..))| *at);
            let timer = (0..self.nodes.len())
                .filter_map(|i| self.wake[i].map(|t| (t, i)))
                .min();
            let next = match (message, timer) {
                (Some(m), Some((t, _))) => m.min(t),
                (Some(m), None) => m,
                (None, Some((t, _))) => t,
                (None, None) => break,
            };
            if next > end {
                break;
            }
            self.now = self.now.max(next);
            if message == Some(next) {
                let Some(Reverse((_, _, to, line))) = self.queue.pop() else {
                    break;
                };
                self.feed(to, Some(line));
            } else if let Some((_, i)) = timer {
                self.feed(i, None);
            }
        }
        self.now = end;
    }

    fn broadcast(&mut self, i: usize, value: i64) {
        let line = format!(
            r#"{{"src":"c9","dest":"n{i}","body":{{"type":"broadcast","message":{value},"msg_id":{value}}}}}"#
        );
        self.feed(i, Some(line));
    }

    fn holds(&self, i: usize) -> BTreeSet<i64> {
        self.nodes[i]
            .node()
            .values()
            .iter()
            .filter_map(|v| v.to_string().parse().ok())
            .collect()
    }

    /// The round period (ms) of the root's last timing note since `since`.
    fn last_period(&self, since: Time) -> Option<u64> {
        self.notes
            .iter()
            .rev()
            .find(|(at, node, _)| *at >= since && *node == 0)
            .map(|(_, _, note)| {
                note.strip_prefix("timing: rounds of ")
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("a timing note: {note}"))
            })
    }
}

/// Every leaf broadcasts once, then the cluster runs for `span`.
fn round_of_values(net: &mut Net, next: &mut i64, span: Duration) {
    for leaf in 1..net.nodes.len() {
        net.broadcast(leaf, *next);
        *next += 1;
    }
    net.run_for(span);
}

#[test]
fn the_root_stretches_rounds_on_a_fast_network_and_shrinks_them_when_it_slows() {
    let config = NodeConfig::load("3e").expect("preset");
    let budget = config.timing.max_latency_ms.expect("a budget");
    let mut net = Net::new(9, &config);
    let mut value = 0;

    net.latency = Duration::from_millis(20);
    for _ in 0..4 {
        round_of_values(&mut net, &mut value, Duration::from_millis(1_000));
    }
    let fast = net.last_period(Time::ZERO).expect("the root planned");
    // 1850 − (20 + 10) climbing − 20 descending.
    assert!((1_790..=1_800).contains(&fast), "{fast} ms rounds at 20 ms");
    assert!(
        net.notes.iter().all(|(_, node, _)| *node == 0),
        "only the root plans"
    );

    // The network slows down to 200 ms: within a few rounds the root shortens them.
    net.latency = Duration::from_millis(200);
    let switched = net.now;
    let mut rounds = 0;
    while net.last_period(switched).is_none_or(|p| p > 1_450) {
        round_of_values(&mut net, &mut value, Duration::from_millis(fast));
        rounds += 1;
        assert!(
            rounds <= 3,
            "still planning for a fast network: {:?}",
            net.notes
        );
    }
    let slow = net.last_period(switched).expect("re-planned");
    assert!(slow <= budget - 410, "{slow} ms rounds at 200 ms");

    net.run_for(Duration::from_secs(30));
    let all: BTreeSet<i64> = (0..value).collect();
    for i in 0..net.nodes.len() {
        let held = net.holds(i);
        let missing: Vec<_> = all.difference(&held).collect();
        assert!(missing.is_empty(), "n{i} lacks {missing:?}");
    }
}

#[test]
fn pinned_timing_is_never_re_planned() {
    let mut config = NodeConfig::load("3e").expect("preset");
    config.timing.tick_ms = Some(1_600);
    config.timing.hop_ms = Some(100);
    let mut net = Net::new(5, &config);
    let mut value = 0;
    net.latency = Duration::from_millis(20);
    for _ in 0..4 {
        round_of_values(&mut net, &mut value, Duration::from_millis(1_600));
    }
    net.run_for(Duration::from_secs(30));
    assert!(net.notes.is_empty(), "{:?}", net.notes);
    assert_eq!(net.holds(4).len(), value as usize, "everything arrived");
}
