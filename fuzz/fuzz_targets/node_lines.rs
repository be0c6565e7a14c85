//! A node fed arbitrary byte lines through the drive step (`step::Feed::Line`), exactly as the
//! runtime feeds
//! stdin, with time advancing between lines and every due timer fired.
//!
//! Input layout: byte 0 picks the topology preset, byte 1 whether the node is initialised
//! first (as `n<k>` of five nodes, so gossip lines from `n0`…`n4` reach the broadcast code),
//! and the rest is split into lines at `\n`.
//!
//! Checked after every input: no panic (the node's own debug assertions are on), every line
//! it prints is a JSON object with exactly `src`, `dest` and `body` (an object with a string
//! `type`), its next deadline is in the future, and its stored values only ever grow: each
//! earlier list is a prefix of the later one.

#![no_main]

use std::time::Duration;

use glomers::Time;
use glomers::config::{NodeConfig, PRESETS};
use glomers::step::{Driven, Feed};
use glomers::wire::INPUT_PADDING;
use glomers_fuzz::NodeInvariants;
use libfuzzer_sys::fuzz_target;

const START: Time = Time::from_micros(1_600_000_000_000_000);

struct Harness {
    node: Driven,
    invariants: NodeInvariants,
    out: Vec<u8>,
}

impl Harness {
    fn step(&mut self, now: Time, feed: Feed<'_>) {
        self.out.clear();
        self.node.step(now, feed, &mut self.out, |_| {});
        for line in self.out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            check_line(line);
        }
        self.invariants.check(self.node.node(), now);
    }

    /// Fires every timer due up to `until`, in order.
    fn run_timers(&mut self, until: Time) {
        while let Some(deadline) = self.node.node().poll_timeout().filter(|&d| d <= until) {
            self.step(deadline, Feed::Timeout);
        }
    }
}

fn check_line(line: &[u8]) {
    let v: serde_json::Value = serde_json::from_slice(line).unwrap_or_else(|e| {
        panic!(
            "output is not JSON ({e}): {}",
            String::from_utf8_lossy(line)
        )
    });
    let object = v.as_object().expect("output is a JSON object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["body", "dest", "src"], "{v}");
    assert!(
        object["src"].is_string() && object["dest"].is_string(),
        "{v}"
    );
    assert!(object["body"]["type"].is_string(), "{v}");
}

fuzz_target!(|data: &[u8]| {
    let [preset, init, rest @ ..] = data else {
        return;
    };
    let (name, text) = PRESETS[usize::from(*preset) % PRESETS.len()];
    let config = NodeConfig::from_toml(text, name).expect("presets parse");
    let mut h = Harness {
        node: Driven::new(config),
        invariants: NodeInvariants::default(),
        out: Vec::new(),
    };
    let mut now = START;
    if init & 0x80 != 0 {
        let me = init % 5;
        let line = format!(
            r#"{{"src":"c0","dest":"n{me}","body":{{"type":"init","node_id":"n{me}","node_ids":["n0","n1","n2","n3","n4"],"msg_id":1}}}}"#
        );
        let mut buf = line.into_bytes();
        let len = buf.len();
        h.step(now, Feed::Line { buf: &mut buf, len });
    }
    for (i, line) in rest.split(|&b| b == b'\n').enumerate() {
        let mut buf = Vec::with_capacity(line.len() + INPUT_PADDING);
        buf.extend_from_slice(line);
        // Alternate between a padded buffer and an exact one, as the runtime's chunks do.
        if i % 2 == 0 {
            buf.resize(line.len() + INPUT_PADDING, b' ');
        }
        let len = line.len();
        h.step(now, Feed::Line { buf: &mut buf, len });
        let step = Duration::from_millis(((i as u64 * 7919) + line.len() as u64) % 2_500);
        now += step;
        h.run_timers(now);
    }
    // Let everything the node still owes come out.
    now += Duration::from_secs(120);
    h.run_timers(now);
});
