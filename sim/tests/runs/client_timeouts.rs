//! Unanswered requests time out after 5 s: broadcasts become `:info` (new process, new client
//! id), reads become `:fail` and keep their client; definite errors are `:fail`.

use crate::common;

use std::time::Duration;

use glomers_sim::history::{OpF, OpType};
use glomers_sim::{Cluster, SimConfig, Workload};
use serde_json::json;

fn broadcast_cluster() -> Cluster {
    let cfg = SimConfig {
        workload: Workload::BROADCAST,
        node_count: 2,
        rate: 2.0,
        time_limit: Duration::from_secs(30),
        seed: 11,
        ..SimConfig::default()
    };
    Cluster::new(&cfg).expect("valid config")
}

#[test]
fn timeouts_are_info_for_broadcast_and_fail_for_read() {
    let mut cluster = broadcast_cluster();
    common::drive_fake(&mut cluster, |_, _, m| match m["body"]["type"].as_str() {
        Some("broadcast" | "read") => Vec::new(),
        _ => common::polite(m),
    });
    let r = cluster.finish().expect("ran");
    let ops = r.history.ops();
    let done = |f, kind| ops.iter().filter(|o| o.f == f && o.kind == kind).count();
    assert!(done(OpF::BROADCAST, OpType::Info) > 0);
    assert!(done(OpF::READ, OpType::Fail) > 0);
    assert_eq!(
        done(OpF::BROADCAST, OpType::Ok) + done(OpF::READ, OpType::Ok),
        0
    );
    for op in ops
        .iter()
        .filter(|o| o.kind != OpType::Invoke && o.is_client())
    {
        assert_eq!(op.error.as_deref(), Some(":net-timeout"));
    }
    // Setup clients (init, topology), one first worker client, and one per :info broadcast
    // that was followed by another operation of the thread.
    let infos = done(OpF::BROADCAST, OpType::Info);
    assert!(
        r.clients_opened >= 2 + infos,
        "{} < {}",
        r.clients_opened,
        2 + infos
    );
}

#[test]
fn definite_errors_fail_and_indefinite_ones_are_info() {
    let mut cluster = broadcast_cluster();
    let mut n = 0;
    common::drive_fake(&mut cluster, |_, _, m| {
        if m["body"]["type"] == "broadcast" {
            n += 1;
            let code = if n % 2 == 0 { 11 } else { 13 }; // unavailable / crash
            let body = json!({"type": "error", "code": code, "text": "no", "extra": true});
            return vec![common::reply(m, body)];
        }
        common::polite(m)
    });
    let r = cluster.finish().expect("ran");
    let ops = r.history.ops();
    let fail = ops
        .iter()
        .find(|o| o.f == OpF::BROADCAST && o.kind == OpType::Fail);
    let info = ops
        .iter()
        .find(|o| o.f == OpF::BROADCAST && o.kind == OpType::Info);
    let fail = fail.expect("a :fail");
    assert_eq!(
        fail.error.as_deref(),
        Some("[:temporarily-unavailable \"no\"]")
    );
    assert_eq!(
        info.expect("an :info").error.as_deref(),
        Some("[:crash \"no\"]")
    );
}
