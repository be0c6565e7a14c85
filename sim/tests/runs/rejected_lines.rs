//! A line Maelstrom rejects (not JSON, unknown key, unknown or closed destination) is recorded,
//! and Maelstrom stops reading that node's stdout for the rest of the run.

use crate::common;

use std::time::Duration;

use glomers_sim::{Cluster, SimConfig, Workload};
use serde_json::json;

fn echo_cluster() -> Cluster {
    let cfg = SimConfig {
        workload: Workload::ECHO,
        node_count: 2,
        rate: 10.0,
        time_limit: Duration::from_secs(2),
        seed: 9,
        ..SimConfig::default()
    };
    Cluster::new(&cfg).expect("valid config")
}

fn deaf_after(bad_line: impl Fn(&serde_json::Value) -> String) -> glomers_sim::Report {
    let mut cluster = echo_cluster();
    let mut sent = false;
    common::drive_fake(&mut cluster, |_, node, m| {
        let mut out = Vec::new();
        if node == 1 && m["body"]["type"] == "echo" && !std::mem::replace(&mut sent, true) {
            out.push(bad_line(m));
        }
        out.extend(common::polite(m));
        out
    });
    cluster.finish().expect("ran")
}

#[test]
fn after_a_bad_line_every_later_line_of_that_node_is_ignored() {
    let r = deaf_after(|_| "this is not json".into());
    assert_eq!(r.node_errors.len(), 1);
    assert_eq!(r.node_errors[0].node, 1);
    // n1's replies are ignored from then on: its operations time out.
    let timeouts = r
        .history
        .ops()
        .iter()
        .filter(|o| o.error.as_deref() == Some(":net-timeout"));
    assert!(timeouts.count() > 0);
    let s = &r.stats.by_f[&glomers_sim::history::OpF::ECHO];
    assert!(s.ok_count > 0, "n0 still answers");
}

#[test]
fn unknown_keys_and_unknown_or_closed_destinations_are_rejected() {
    let r =
        deaf_after(|m| json!({"src": m["dest"], "dest": m["src"], "body": {}, "x": 1}).to_string());
    assert!(
        r.node_errors[0].reason.contains("unexpected key"),
        "{:?}",
        r.node_errors
    );
    let r = deaf_after(|m| json!({"src": m["dest"], "dest": "n7", "body": {}}).to_string());
    assert!(
        r.node_errors[0].reason.contains("Invalid dest"),
        "{:?}",
        r.node_errors
    );
    // c0 and c1 were the init clients, closed once their init_ok arrived.
    let r = deaf_after(|m| json!({"src": m["dest"], "dest": "c1", "body": {}}).to_string());
    assert!(
        r.node_errors[0].reason.contains("Invalid dest"),
        "{:?}",
        r.node_errors
    );
    let r = deaf_after(|_| String::new());
    assert_eq!(r.node_errors.len(), 1, "a blank line is an error too");
}
