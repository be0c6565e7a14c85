//! The efficiency targets of the shipped 3d and 3e topology files, asserted on the
//! deterministic simulator (virtual time, fixed seeds): Maelstrom's standard test with 25 nodes,
//! rate 100, latency 100 and a 20 s time limit. Targets with margin: 3d ≤ 1.5 msgs-per-op
//! (measured ≈ 1.09), median < 400 ms, max < 600 ms; 3e ≤ 0.4 (≈ 0.33), median < 1 s, max < 2 s.
//! Also: once the last values have been flushed and acknowledged, the cluster is silent for the
//! rest of Maelstrom's 10 s quiet period.

use crate::common;

use std::time::Duration;

use glomers::config::NodeConfig;

const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

struct Budget {
    preset: &'static str,
    msgs_per_op: f32,
    median_ms: u64,
    max_ms: u64,
}

fn check(b: &Budget) {
    let node = NodeConfig::load(b.preset).expect("preset");
    for seed in SEEDS {
        let cfg = common::with_nodes(common::broadcast(25, 100.0, 20, 100, seed), node.clone());
        let r = common::run(&cfg);
        let context = common::assert_within_budget(
            &r,
            &format!("{} seed {seed}", b.preset),
            b.msgs_per_op,
            Some((b.median_ms, b.max_ms)),
        );

        // Silence: after the last round and the acknowledgements of it, nothing until teardown.
        let settled = Duration::from_secs(20)
            + Duration::from_millis(
                node.timing
                    .tick_ms
                    .or(node.timing.max_latency_ms)
                    .expect("set")
                    + node.timing.ack_delay_ms,
            )
            + Duration::from_secs(2);
        let from = r.main_start.as_micros() / 1_000_000 + settled.as_secs();
        let last_send = r
            .server_sends_per_second
            .iter()
            .rposition(|&n| n > 0)
            .expect("servers talked") as u64;
        assert!(
            last_send < from,
            "{context}: messages in second {last_send}: {:?}",
            r.server_sends_per_second
        );
        assert!(
            r.end.as_micros() / 1_000_000 >= from + 3,
            "{context}: the run went on for the quiet period"
        );
    }
}

#[test]
fn three_d_stays_within_its_budget() {
    check(&Budget {
        preset: "3d",
        msgs_per_op: 1.5,
        median_ms: 400,
        max_ms: 600,
    });
}

#[test]
fn three_e_stays_within_its_budget() {
    check(&Budget {
        preset: "3e",
        msgs_per_op: 0.4,
        median_ms: 1000,
        max_ms: 2000,
    });
}
