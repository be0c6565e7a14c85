//! Process mode on challenge 4: the standard-library Python node of
//! `examples/python/g_counter.py` (read + cas on seq-kv) run as real processes on g-counter
//! with partitions. The recovery period is cut from Maelstrom's 10 s to 1 s to keep each
//! test to about 3 s of wall time; the two tests run in parallel.

use crate::common::kv_counter;

use std::path::PathBuf;
use std::time::Duration;

use glomers_sim::history::OpType;
use glomers_sim::workloads::counter::ADD;
use glomers_sim::{self as sim, NodeKind, SimConfig, Validity};

fn python_node() -> NodeKind {
    NodeKind::Process {
        bin: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/python/g_counter.py"),
        args: Vec::new(),
    }
}

fn challenge_4(seed: u64, latency_ms: u64) -> SimConfig {
    SimConfig {
        workload: "g-counter".parse().expect("registered"),
        node_count: 3,
        rate: 50.0,
        time_limit: Duration::from_secs(2),
        latency_ms,
        partition: true,
        recovery: Duration::from_secs(1),
        seed,
        nodes: python_node(),
        ..SimConfig::default()
    }
}

fn assert_exact(cfg: &SimConfig) {
    let report = sim::run(cfg).expect("the test runs");
    let why = sim::report::output::summary(&report);
    assert_eq!(report.valid, Validity::True, "{why}");
    assert!(report.node_errors.is_empty(), "{why}");
    let sum = kv_counter::add_sum(&report, OpType::Ok);
    let c = report
        .workload
        .get::<glomers_sim::workloads::counter::CounterResult>()
        .expect("a counter report");
    assert_eq!(c.final_reads, vec![sum; 3], "{why}");
    assert!(report.stats.by_f[&ADD].ok_count > 10, "{why}");
    // Every add costs a read and a cas, every read a write and a read: ≥ 4 service messages.
    assert!(report.net.servers.msgs_per_op.expect("ops") >= 4.0, "{why}");
}

#[test]
fn the_python_seq_kv_counter_is_valid_in_processes() {
    assert_exact(&challenge_4(1, 0));
}

#[test]
fn the_python_seq_kv_counter_is_valid_with_service_latency() {
    assert_exact(&challenge_4(2, 20));
}
