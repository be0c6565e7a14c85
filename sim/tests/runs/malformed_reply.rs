//! A reply with a key outside the closed schema is Maelstrom's "Malformed RPC response": the
//! operation is `:info`, the thread takes a new process, and (echo) a new client id.

use crate::common;

use std::time::Duration;

use glomers_sim::history::{OpF, OpType, Process};
use glomers_sim::{Cluster, SimConfig, Validity, Workload};
use serde_json::json;

#[test]
fn extra_keys_in_a_reply_make_the_op_info_and_replace_the_client() {
    let cfg = SimConfig {
        workload: Workload::ECHO,
        node_count: 1,
        rate: 10.0,
        time_limit: Duration::from_secs(2),
        seed: 5,
        trace: true,
        ..SimConfig::default()
    };
    let mut cluster = Cluster::new(&cfg).expect("valid config");
    let mut first = true;
    common::drive_fake(&mut cluster, |_, _, m| {
        if m["body"]["type"] == "echo" && std::mem::take(&mut first) {
            let body = json!({"type": "echo_ok", "echo": m["body"]["echo"], "extra": 1});
            return vec![common::reply(m, body)];
        }
        common::polite(m)
    });
    let report = cluster.finish().expect("ran");
    let ops = report.history.ops();
    let info = ops
        .iter()
        .find(|o| o.kind == OpType::Info)
        .expect("an :info");
    assert_eq!((info.f, info.process), (OpF::ECHO, Process::Client(0)));
    assert!(
        info.error
            .as_deref()
            .unwrap_or("")
            .contains("Malformed RPC response")
    );
    let next = ops[info.index + 1..]
        .iter()
        .find(|o| o.kind == OpType::Invoke);
    assert_eq!(next.expect("more ops").process, Process::Client(1));
    // c0 = init, c1 = the worker's first client, c2 = its replacement.
    assert_eq!(report.clients_opened, 3);
    let trace = String::from_utf8(report.trace.expect("traced")).expect("utf-8");
    assert!(trace.contains(" c2 n0 "), "the replacement client sends");
    assert_eq!(report.valid, Validity::False, "echo fails on any error");
}
