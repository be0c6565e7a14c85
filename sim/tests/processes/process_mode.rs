//! Process mode: the real `glomers` binary spawned once per node and driven in real time by
//! the same cluster core as the in-process driver; nodes that exit by themselves; the CLI's
//! results folder. Each test takes a few seconds of wall time (the broadcast one about 15 s:
//! 5 s of operations and Maelstrom's 10 s of quiet), and they run in parallel.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use glomers::config::NodeConfig;
use glomers_sim::drive::process::{self, ProcessOptions};
use glomers_sim::serve::files;
use glomers_sim::{self as sim, NodeKind, SimConfig, SimError, Validity, Workload};

use crate::common;

fn process_nodes(args: &[&str]) -> NodeKind {
    NodeKind::Process {
        bin: common::glomers_bin(),
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

/// Writes an executable shell script into `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[test]
fn broadcast_in_processes_is_valid_and_counts_like_in_process() {
    let base = SimConfig {
        workload: Workload::BROADCAST,
        node_count: 5,
        rate: 10.0,
        time_limit: Duration::from_secs(5),
        latency_ms: 10,
        seed: 11,
        ..SimConfig::default()
    };
    let in_process = SimConfig {
        nodes: NodeKind::InProcess(NodeConfig::load("3d").expect("preset")),
        ..base.clone()
    };
    let processes = SimConfig {
        nodes: process_nodes(&["--topology-file", "3d"]),
        ..base
    };
    let expected = sim::run(&in_process).expect("in-process run");
    let logs = tempfile::tempdir().expect("temp dir");
    let options = ProcessOptions {
        log_dir: Some(logs.path().to_path_buf()),
        on_progress: None,
        log_stderr: false,
    };
    let NodeKind::Process { bin, args } = &processes.nodes else {
        unreachable!()
    };
    let report = process::run(&processes, bin, args, options).expect("process run");

    let sf = report
        .workload
        .get::<glomers_sim::workloads::broadcast::set_full::SetFullResult>()
        .expect("broadcast");
    assert_eq!(
        report.valid,
        Validity::True,
        "{}",
        sim::report::output::summary(&report)
    );
    assert_eq!(sf.lost_count, 0);
    assert_eq!(sf.stable_count, sf.attempt_count);
    assert!(report.node_errors.is_empty(), "{:?}", report.node_errors);
    // The same seed gives the same schedule; real time only adds a little dispatch lag.
    let ops = |r: &sim::Report| r.op_count as f64;
    assert!((ops(&report) / ops(&expected) - 1.0).abs() < 0.05);
    let mpo = |r: &sim::Report| f64::from(r.net.servers.msgs_per_op.expect("ops were run"));
    let ratio = mpo(&report) / mpo(&expected);
    assert!(
        (0.7..1.3).contains(&ratio),
        "msgs-per-op: process {} vs in-process {}",
        mpo(&report),
        mpo(&expected)
    );
    // Operations for about 5 s, then Maelstrom's 10 s of quiet, on the wall clock.
    assert!(report.end.as_micros() >= 14_000_000, "{:?}", report.end);
    let log = std::fs::read_to_string(logs.path().join("n0.log")).expect("n0's stderr log");
    assert!(log.contains("initialised as n0"), "{log}");
}

#[test]
fn echo_in_a_process_is_valid() {
    let cfg = SimConfig {
        workload: Workload::ECHO,
        node_count: 1,
        rate: 10.0,
        time_limit: Duration::from_secs(2),
        seed: 5,
        nodes: process_nodes(&[]),
        ..SimConfig::default()
    };
    let report = sim::run(&cfg).expect("echo run");
    assert_eq!(
        report.valid,
        Validity::True,
        "{}",
        sim::report::output::summary(&report)
    );
    assert!(report.op_count >= 10, "{} ops", report.op_count);
    assert_eq!(report.stats.total.ok_count, report.op_count as usize);
}

fn echo_with(bin: PathBuf) -> SimConfig {
    SimConfig {
        workload: Workload::ECHO,
        node_count: 1,
        rate: 10.0,
        time_limit: Duration::from_secs(3),
        nodes: NodeKind::Process { bin, args: vec![] },
        ..SimConfig::default()
    }
}

#[test]
fn a_node_that_exits_at_start_aborts_the_test_with_its_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = script(dir.path(), "dies", "echo 'cannot open config' >&2\nexit 3");
    let cfg = echo_with(bin);
    let NodeKind::Process { bin, args } = &cfg.nodes else {
        unreachable!()
    };
    let options = ProcessOptions {
        log_dir: Some(dir.path().to_path_buf()),
        on_progress: None,
        log_stderr: false,
    };
    match process::run(&cfg, bin, args, options) {
        Err(SimError::Aborted { reason, .. }) => {
            assert!(
                reason.contains("Node n0 crashed with exit status 3"),
                "{reason}"
            );
            assert!(reason.contains("cannot open config"), "{reason}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    let log = std::fs::read_to_string(dir.path().join("n0.log")).expect("log");
    assert_eq!(log, "cannot open config\n");
}

#[test]
fn a_node_that_exits_mid_run_aborts_the_test() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Answers init (the first client is c0, its first msg_id 1), then ignores requests and
    // exits a second later.
    let body = r#"read line
echo '{"src":"n0","dest":"c0","body":{"type":"init_ok","in_reply_to":1}}'
sleep 1
echo 'giving up' >&2
exit 4"#;
    let cfg = echo_with(script(dir.path(), "quits", body));
    match sim::run(&cfg) {
        Err(SimError::Aborted { reason, at }) => {
            assert!(
                reason.contains("Node n0 crashed with exit status 4"),
                "{reason}"
            );
            assert!(reason.contains("giving up"), "{reason}");
            assert!(at.as_micros() >= 900_000, "aborted at {at:?}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
}

#[test]
fn a_missing_binary_is_a_configuration_error() {
    let cfg = echo_with(PathBuf::from("/nonexistent/node"));
    assert!(matches!(sim::run(&cfg), Err(SimError::Config(_))));
}

#[test]
fn the_cli_writes_a_results_folder_in_process_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let results = dir.path().join("run");
    let out = Command::new(env!("CARGO_BIN_EXE_glomers-sim"))
        .args([
            "test",
            "-w",
            "broadcast",
            "--node-count",
            "2",
            "--rate",
            "10",
        ])
        .args([
            "--time-limit",
            "1",
            "--seed",
            "3",
            "--no-progress",
            "--results-dir",
        ])
        .arg(&results)
        .arg("--bin")
        .arg(common::glomers_bin())
        .args(["--", "--topology-file", "3d"])
        .output()
        .expect("glomers-sim runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("results: {}", results.display())),
        "{stdout}"
    );
    // Which files a run writes is pinned once, by the library's own test of `write_run`
    // (`present::results`); here: the folder of a process run holds what its `results.json`
    // indexes, the node logs included, and the diagram, timeline and plots every run has.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results.join("results.json")).expect("json"))
            .expect("valid JSON");
    let listed: Vec<&str> = json["artifacts"]
        .as_array()
        .expect("an artifacts list")
        .iter()
        .map(|a| a["file"].as_str().expect("a file name"))
        .collect();
    for file in &listed {
        assert!(results.join(file).is_file(), "{file} listed but missing");
    }
    let every_run = [
        files::DIAGRAM,
        files::TIMELINE,
        "results.json",
        "summary.txt",
    ];
    for file in every_run
        .into_iter()
        .chain(files::COMMON_PLOTS)
        .chain(["node-logs/n0.log", "node-logs/n1.log"])
    {
        assert!(listed.contains(&file), "{file} not listed: {listed:?}");
    }
    assert_eq!(json["valid"], true);
    assert_eq!(json["nodes"]["kind"], "process");
}

/// A node whose own timer logs a timestamp to stderr every 50 ms; it answers init and echo.
const TICKING_NODE: &str = r#"#!/usr/bin/env python3
import json, sys, threading, time
def tick():
    while True:
        print("tick %.3f" % time.monotonic(), file=sys.stderr, flush=True)
        time.sleep(0.05)
threading.Thread(target=tick, daemon=True).start()
me = None
for line in sys.stdin:
    m = json.loads(line)
    b = m["body"]
    reply = {"in_reply_to": b["msg_id"]}
    if b["type"] == "init":
        me = b["node_id"]
        reply["type"] = "init_ok"
    else:
        reply.update(type="echo_ok", echo=b["echo"])
    print(json.dumps({"src": me, "dest": m["src"], "body": reply}), flush=True)
"#;

#[test]
fn a_paused_process_is_really_stopped_timers_included() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ticking");
    std::fs::write(&path, TICKING_NODE).expect("write node");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut cfg = echo_with(path.clone());
    cfg.time_limit = Duration::from_secs(4);
    cfg.faults = "pause=1.5:1".parse().expect("fault spec");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    let options = ProcessOptions {
        log_dir: Some(logs.clone()),
        on_progress: None,
        log_stderr: false,
    };
    let report = process::run(&cfg, &path, &[], options).expect("process run");
    assert!(report.fault_counts.pauses >= 1, "{:?}", report.fault_counts);
    let log = std::fs::read_to_string(logs.join("n0.log")).expect("node log");
    let ticks: Vec<f64> = log
        .lines()
        .filter_map(|l| l.strip_prefix("tick "))
        .map(|t| t.parse().expect("timestamp"))
        .collect();
    let longest_gap = ticks.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    assert!(
        longest_gap >= 1.2,
        "the node's own timer never stopped for the 1.5 s pause: longest gap {longest_gap:.3} s"
    );
}
