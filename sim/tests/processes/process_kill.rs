//! The kill and pause nemeses against real processes: a kill SIGKILLs the node's process and
//! starts a fresh one (same binary, arguments, node id and working directory) that is sent
//! `init` again and then serves operations; a pause SIGSTOPs and SIGCONTs it.

use std::time::Duration;

use glomers_sim::drive::process::{self, ProcessOptions};
use glomers_sim::history::{OpF, OpType, OpValue, Process};
use glomers_sim::{SimConfig, Workload};

use crate::common;

fn unique_ids(nemesis: &str, seed: u64) -> SimConfig {
    let mut cfg = SimConfig {
        workload: Workload::UNIQUE_IDS,
        node_count: 3,
        rate: 50.0,
        time_limit: Duration::from_secs(6),
        nemesis_interval: Duration::from_secs(1),
        // A request to a killed node is dropped and the client waits it out: a short wait
        // gives the threads time to come back to their restarted nodes within the run.
        client_timeout: Duration::from_millis(500),
        seed,
        ..SimConfig::default()
    };
    cfg.set_nemesis(nemesis).expect("known nemesis");
    cfg
}

#[test]
fn a_killed_process_is_replaced_by_a_fresh_one_that_is_sent_init_and_serves() {
    let cfg = unique_ids("kill", 21);
    let logs = tempfile::tempdir().expect("temp dir");
    let options = ProcessOptions {
        log_dir: Some(logs.path().to_path_buf()),
        ..ProcessOptions::default()
    };
    let report = process::run(&cfg, &common::glomers_bin(), &[], options).expect("the run");
    assert!(
        report.fault_counts.kills > 0,
        "the nemesis killed processes"
    );
    let restarts: Vec<_> = report
        .outages
        .iter()
        .filter(|o| o.killed && o.until.is_some())
        .collect();
    assert!(!restarts.is_empty(), "{:?}", report.outages);
    for node in 0..cfg.node_count {
        let restarted = restarts.iter().filter(|o| o.node == node).count();
        let log = std::fs::read_to_string(logs.path().join(format!("n{node}.log")))
            .expect("the node's stderr log, continued across restarts");
        assert_eq!(
            log.matches(&format!("initialised as n{node}")).count(),
            1 + restarted,
            "n{node}: one init per process\n{log}"
        );
    }
    // A restarted node answers operations again (a restart may come too close to the time
    // limit for one, but not every one).
    let node_of = |p: u64| p % u64::from(cfg.node_count);
    let served_after = |node: u16, after_ns: u64| {
        report.history.ops().iter().any(|op| {
            matches!(op.process, Process::Client(p) if node_of(p) == u64::from(node))
                && op.kind == OpType::Ok
                && op.f == OpF::GENERATE
                && op.time_ns > after_ns
                && !matches!(op.value, OpValue::None)
        })
    };
    let served = restarts
        .iter()
        .filter(|o| served_after(o.node, o.until.map_or(u64::MAX, |t| t.as_micros() * 1000)))
        .count();
    assert!(served > 0, "a restarted process serves: {restarts:?}");
}

#[test]
fn a_paused_process_is_stopped_and_continued() {
    let cfg = unique_ids("pause", 22);
    let report = glomers_sim::run(&SimConfig {
        nodes: glomers_sim::NodeKind::Process {
            bin: common::glomers_bin(),
            args: vec![],
        },
        ..cfg
    })
    .expect("the run");
    assert!(report.fault_counts.pauses > 0);
    assert_eq!(report.fault_counts.killed_drops, 0);
    assert_eq!(report.valid, glomers_sim::Validity::True);
}
