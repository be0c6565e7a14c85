//! The kafka workload end to end on the virtual clock, with correct in-process logs (one node;
//! two nodes forwarding to `n0`) and the client, generator, final-phase and accounting rules of
//! Maelstrom's `kafka.clj` (workloads spec §4, checklist §9.8–10, §8 accounting).

use crate::common;
use crate::common::kafka_log::{KafkaLog, Mode};

use std::time::Duration;

use glomers_sim::history::{Op, OpType, OpValue, Process};
use glomers_sim::workloads::kafka::{ASSIGN, CRASH, KafkaResult, POLL, SEND};
use glomers_sim::{Report, SimConfig, Validity, Workload};

/// The Fly.io 5a/5b command: `-w kafka --node-count N --concurrency 2n --time-limit 20
/// --rate 1000`, shortened to `secs`.
pub fn cfg(nodes: u16, secs: u64, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named("kafka").expect("registered"),
        node_count: nodes,
        concurrency: Some(usize::from(nodes) * 2),
        rate: 1000.0,
        time_limit: Duration::from_secs(secs),
        seed,
        ..SimConfig::default()
    }
}

pub fn run(cfg: &SimConfig, mode: Mode) -> Report {
    let cfg = SimConfig {
        nodes: KafkaLog::nodes(mode),
        ..cfg.clone()
    };
    glomers_sim::run(&cfg).expect("the test runs")
}

pub fn kafka(r: &Report) -> &KafkaResult {
    r.workload.get::<KafkaResult>().expect("a kafka result")
}

fn client_ops(r: &Report) -> impl Iterator<Item = &Op> {
    r.history.ops().iter().filter(|o| o.is_client())
}

#[test]
fn correct_logs_on_one_and_two_nodes_are_valid() {
    for nodes in [1, 2] {
        for seed in common::SEEDS {
            let r = run(&cfg(nodes, 10, seed), Mode::Correct);
            let k = kafka(&r);
            let why = glomers_sim::present::output::summary(&r);
            assert_eq!(r.valid, Validity::True, "{why}");
            assert!(k.errors.is_empty() && k.unseen.is_none(), "{why}");
            assert_eq!(k.sends_ok, k.sends, "every send is acknowledged");
            assert!(k.sends > 500, "{why}");
            let worst = k.worst_realtime_lag.as_ref().expect("polls held keys");
            assert!(worst.lag_ns < 5_000_000_000, "{why}");
        }
    }
}
