//! Helpers shared by the simulator's integration tests.
#![allow(dead_code)]

pub mod gset_node;
pub mod kafka_log;
pub mod kv_counter;
pub mod kv_register;
pub mod list_append_stores;
pub mod txn_stores;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use glomers::config::NodeConfig;
use glomers_sim::{self as sim, NodeKind, Report, SimBuilder, SimConfig, Validity};

/// The fixed seeds scenario tests run with.
pub const SEEDS: [u64; 3] = [1, 2, 3];

/// A built-in node preset (`3d`, `3e`).
pub fn preset(name: &str) -> NodeConfig {
    NodeConfig::load(name).expect("preset exists")
}

/// A broadcast test: `nodes` nodes, `rate` ops/s for `secs` s, `latency` ms.
pub fn broadcast(nodes: u16, rate: f64, secs: u64, latency: u64, seed: u64) -> SimConfig {
    SimBuilder::broadcast()
        .nodes(nodes)
        .rate(rate)
        .secs(secs)
        .latency(latency)
        .seed(seed)
        .build()
}

/// `cfg` with in-process nodes running `node`.
pub fn with_nodes(mut cfg: SimConfig, node: NodeConfig) -> SimConfig {
    cfg.nodes = NodeKind::InProcess(node);
    cfg
}

/// Runs `cfg`, panicking with the seed on a simulator error.
pub fn run(cfg: &SimConfig) -> Report {
    sim::run(cfg).unwrap_or_else(|e| panic!("seed {}: {e}", cfg.seed))
}

/// A broadcast run that Maelstrom would call valid, with nothing lost and no rejected line.
pub fn assert_broadcast_valid(r: &Report) {
    let sf = r
        .workload
        .get::<glomers_sim::workloads::broadcast::set_full::SetFullResult>()
        .expect("a broadcast report");
    assert_eq!(sf.lost_count, 0, "seed {}: lost {:?}", r.seed, sf.lost);
    assert!(
        r.node_errors.is_empty(),
        "seed {}: {:?}",
        r.seed,
        r.node_errors
    );
    assert_eq!(r.valid, Validity::True, "seed {}", r.seed);
    assert!(sf.stable_count > 0, "seed {}", r.seed);
    assert_eq!(sf.stable_count, sf.attempt_count, "seed {}", r.seed);
}

/// A broadcast run that is valid ([`assert_broadcast_valid`]) and within a budget: at most
/// `msgs_per_op` server messages per operation and, if `limits` are given, a median and max
/// stable latency (ms) below them. Returns the failure context (`what`, the cost, the
/// latencies) for the caller's own further asserts.
pub fn assert_within_budget(
    r: &Report,
    what: &str,
    msgs_per_op: f32,
    limits: Option<(u64, u64)>,
) -> String {
    assert_broadcast_valid(r);
    let per_op = r.net.servers.msgs_per_op.expect("ops ran");
    let q = r
        .workload
        .get::<glomers_sim::workloads::broadcast::set_full::SetFullResult>()
        .and_then(|s| s.stable_latencies)
        .expect("stable values");
    let context = format!("{what}: {per_op} msgs-per-op, latencies {q:?}");
    assert!(per_op <= msgs_per_op, "{context}");
    if let Some((median, max)) = limits {
        assert!(q.q50 < median, "{context}");
        assert!(q.q100 < max, "{context}");
    }
    context
}

use glomers::Time;
use glomers_sim::Cluster;
use serde_json::{Value, json};

/// Drives the cluster core with fake nodes: `node(now, index, message)` returns the lines the
/// node prints in response, at the same instant.
pub fn drive_fake(cluster: &mut Cluster, mut node: impl FnMut(Time, u16, &Value) -> Vec<String>) {
    while !cluster.is_done() {
        let Some(t) = cluster.next_event_time() else {
            break;
        };
        cluster.advance(t);
        while let Some(d) = cluster.poll_delivery() {
            let message: Value = serde_json::from_slice(&d.line).expect("Maelstrom sends JSON");
            for line in node(t, d.node, &message) {
                cluster.on_node_line(t, d.node, line.as_bytes());
            }
        }
    }
}

/// A reply to `request` with `body` (plus `in_reply_to`).
pub fn reply(request: &Value, mut body: Value) -> String {
    body["in_reply_to"] = request["body"]["msg_id"].clone();
    json!({"src": request["dest"], "dest": request["src"], "body": body}).to_string()
}

/// What a well-behaved node answers to setup and workload requests (`read` returns nothing).
pub fn polite(request: &Value) -> Vec<String> {
    let body = &request["body"];
    let answer = match body["type"].as_str().unwrap_or("") {
        "init" => json!({"type": "init_ok"}),
        "topology" => json!({"type": "topology_ok"}),
        "echo" => json!({"type": "echo_ok", "echo": body["echo"]}),
        "generate" => json!({"type": "generate_ok", "id": request["id"]}),
        "broadcast" => json!({"type": "broadcast_ok"}),
        "read" => json!({"type": "read_ok", "messages": []}),
        _ => return Vec::new(),
    };
    vec![reply(request, answer)]
}

/// The workspace's `glomers` node binary, built once per test binary with the profile the tests
/// run under (a binary of another package has no `CARGO_BIN_EXE_…`): the process-mode tests
/// spawn it as Maelstrom would.
pub fn glomers_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        // target/<profile>/deps/<test binary>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let target_dir = profile_dir.parent().expect("target/");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "glomers",
                "--bin",
                "glomers",
                "--profile",
            ])
            .arg(profile)
            .arg("--manifest-path")
            .arg(manifest)
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the glomers binary failed");
        profile_dir.join(format!("glomers{}", std::env::consts::EXE_SUFFIX))
    })
    .clone()
}

/// Answers init and nothing else.
pub struct Silent;

impl glomers_sim::drive::node::InProcessNode for Silent {
    fn step(
        &mut self,
        _now: glomers::Time,
        line: Option<&mut Vec<u8>>,
        out: &mut Vec<u8>,
    ) -> Option<glomers::Time> {
        let msg: Value = serde_json::from_slice(line?).expect("JSON");
        if msg["body"]["type"] == "init" {
            let reply = serde_json::json!({"src": msg["dest"], "dest": msg["src"],
                "body": {"type": "init_ok", "in_reply_to": msg["body"]["msg_id"]}});
            out.extend_from_slice(format!("{reply}\n").as_bytes());
        }
        None
    }
}
