//! Process mode on challenge 5b: the standard-library Python node of
//! `examples/python/kafka.py` (an owner per key, requests forwarded to it) and the glomers
//! binary's kafka kind, each run as real processes under the Fly.io 5b command, shortened: 5 s
//! main phase, 1 s of quiet instead of Maelstrom's 10 s (the final polls keep their own 10 s
//! bound), about 8 s of wall time each.

use crate::common;

use std::path::PathBuf;
use std::time::Duration;

use glomers_sim::workloads::kafka::KafkaResult;
use glomers_sim::{self as sim, NodeKind, SimConfig, Validity};

/// Runs the shortened 5b command with `bin` as the nodes and checks what both tests need:
/// valid, no node error, no kafka error, nothing unseen, every one of over 200 sends `:ok`.
/// Returns the `:servers` msgs-per-op and the summary to explain a failed assertion.
fn run_5b(bin: PathBuf, seed: u64) -> (f32, String) {
    let cfg = SimConfig {
        workload: "kafka".parse().expect("registered"),
        node_count: 2,
        concurrency: Some(4),
        rate: 1000.0,
        time_limit: Duration::from_secs(5),
        recovery: Duration::from_secs(1),
        seed,
        nodes: NodeKind::Process {
            bin,
            args: Vec::new(),
        },
        ..SimConfig::default()
    };
    let report = sim::run(&cfg).expect("the test runs");
    let why = sim::report::output::summary(&report);
    assert_eq!(report.valid, Validity::True, "{why}");
    assert!(report.node_errors.is_empty(), "{why}");
    let k = report
        .workload
        .get::<KafkaResult>()
        .expect("a kafka result");
    assert!(k.errors.is_empty() && k.unseen.is_none(), "{why}");
    assert!(k.sends_ok > 200 && k.sends_ok == k.sends, "{why}");
    (report.net.servers.msgs_per_op.expect("ops"), why)
}

#[test]
fn the_python_kafka_node_passes_5b_in_processes() {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/python/kafka.py");
    let (servers, why) = run_5b(bin, 1);
    // Half the keys live on the other node: about one forwarded round trip for every other
    // send, poll or commit, and none for keys the node owns.
    assert!((0.5..3.0).contains(&servers), "{why}");
}

#[test]
fn the_glomers_binary_passes_5b_in_processes_without_a_message_per_send() {
    let (servers, why) = run_5b(common::glomers_bin(), 2);
    // Rounds, not sends: about 0.01 msgs-per-op on the 20 s command; a shorter run spreads
    // the final phase's rounds over fewer operations.
    assert!(servers < 0.05, "{why}");
}
