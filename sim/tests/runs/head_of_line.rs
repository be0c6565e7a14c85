//! Head-of-line blocking: a client request (latency 0) queued while a node's delivery worker
//! sleeps on a server message waits for it, up to one latency.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use glomers_sim::history::{OpType, Process};
use glomers_sim::{Cluster, SimConfig, Workload};
use serde_json::json;

#[test]
fn requests_to_a_node_busy_with_server_traffic_wait_up_to_one_latency() {
    let cfg = SimConfig {
        workload: Workload::ECHO,
        node_count: 2,
        rate: 50.0,
        latency_ms: 100,
        time_limit: Duration::from_secs(4),
        seed: 3,
        ..SimConfig::default()
    };
    let mut cluster = Cluster::new(&cfg).expect("valid config");
    // n0 sends n1 a server message for every echo it serves.
    common::drive_fake(&mut cluster, |_, node, m| {
        let mut out = common::polite(m);
        if node == 0 && m["body"]["type"] == "echo" {
            out.push(json!({"src": "n0", "dest": "n1", "body": {"type": "noise"}}).to_string());
        }
        out
    });
    let report = cluster.finish().expect("ran");
    // Thread t talks to node t mod 2; processes keep their parity (no :info here).
    let mut invoked = BTreeMap::new();
    let mut waits: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    for op in report.history.ops() {
        let Process::Client(p) = op.process else {
            continue;
        };
        match op.kind {
            OpType::Invoke => {
                invoked.insert(p, op.time_ns);
            }
            OpType::Ok => waits[(p % 2) as usize].push(op.time_ns - invoked[&p]),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(waits[0].iter().all(|&w| w == 0), "n0 has no server traffic");
    let max = waits[1].iter().copied().max().unwrap_or(0);
    assert!(
        waits[1].iter().any(|&w| w > 0),
        "some requests to n1 waited"
    );
    assert!(max <= 100_000_000, "never more than one latency: {max} ns");
}
