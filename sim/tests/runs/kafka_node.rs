//! The glomers node's kafka kind (`src/node/kinds/kafka.rs`) in process under the Fly.io 5b
//! command (`-w kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000`), with and
//! without partitions: valid by Jepsen's kafka analysis, every send acknowledged, nothing
//! unseen, at about a hundredth of a node-to-node message per operation (measured
//! 0.0095–0.0096 without partitions and 0.0095–0.0137 with, seeds 1–5) where every published
//! solution pays at least one per send; and on one node (5a) no message at all.

use crate::common;

use std::time::Duration;

use glomers_sim::workloads::kafka::KafkaResult;
use glomers_sim::{Report, SimConfig, Validity, Workload};

fn cfg(nodes: u16, seed: u64, partition: bool) -> SimConfig {
    SimConfig {
        workload: Workload::named("kafka").expect("registered"),
        node_count: nodes,
        concurrency: Some(usize::from(nodes) * 2),
        rate: 1000.0,
        time_limit: Duration::from_secs(20),
        partition,
        seed,
        ..SimConfig::default()
    }
}

/// The run, checked valid with nothing unseen and every send acknowledged; its msgs-per-op.
fn run_valid(cfg: &SimConfig) -> (Report, f64) {
    let r = common::run(cfg);
    let why = glomers_sim::report::output::summary(&r);
    assert_eq!(r.valid, Validity::True, "{why}");
    let k = r.workload.get::<KafkaResult>().expect("a kafka result");
    assert!(k.errors.is_empty() && k.unseen.is_none(), "{why}");
    assert!(k.sends > 5_000 && k.sends_ok == k.sends, "{why}");
    let servers = f64::from(r.net.servers.msgs_per_op.expect("ops"));
    (r, servers)
}

#[test]
fn our_node_passes_5a_without_a_message() {
    let (r, servers) = run_valid(&cfg(1, 1, false));
    assert_eq!(servers, 0.0);
    assert_eq!(r.net.servers.msg_count, 0);
}

#[test]
fn our_node_passes_5b_at_about_a_hundredth_of_a_message_per_op() {
    for seed in common::SEEDS {
        let (r, servers) = run_valid(&cfg(2, seed, false));
        let why = glomers_sim::report::output::summary(&r);
        assert!(servers <= 0.02, "target 0.10: {why}");
        let k = r.workload.get::<KafkaResult>().expect("a kafka result");
        let lag = k.worst_realtime_lag.as_ref().expect("polls held keys");
        assert!(
            lag.lag_ns < 800_000_000,
            "target 1 s, measured 0.45-0.48 s: {why}"
        );
    }
}

#[test]
fn our_node_passes_5b_under_partitions() {
    for seed in common::SEEDS {
        let (r, servers) = run_valid(&cfg(2, seed, true));
        let why = glomers_sim::report::output::summary(&r);
        assert!(servers <= 0.10, "target 0.20: {why}");
    }
}
