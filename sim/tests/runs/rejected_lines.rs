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
        r.node_errors[0]
            .reason
            .contains("Malformed network message. Node n1 tried to send")
            && r.node_errors[0].reason.contains("{:x disallowed-key}"),
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

/// Answers init with `"src": null`, as a node that never learned its id would.
struct NullSrc;

impl glomers_sim::drive::node::InProcessNode for NullSrc {
    fn step(
        &mut self,
        _now: glomers::Time,
        line: Option<&mut Vec<u8>>,
        out: &mut Vec<u8>,
    ) -> Option<glomers::Time> {
        let m: serde_json::Value = serde_json::from_slice(line?).expect("JSON");
        let reply = json!({"src": null, "dest": m["src"],
                           "body": {"type": "init_ok", "in_reply_to": m["body"]["msg_id"]}});
        out.extend_from_slice(format!("{reply}\n").as_bytes());
        None
    }
}

#[test]
fn a_schema_error_at_init_is_reported_as_maelstrom_reports_it() {
    let cfg = glomers_sim::SimBuilder::echo()
        .nodes(1)
        .nodes_of(glomers_sim::NodeKind::custom("null src", |_| {
            Box::new(NullSrc)
        }))
        .build();
    let e = glomers_sim::run(&cfg).expect_err("init never answered");
    let e = e.to_string();
    assert!(e.contains("did not answer init in time"), "{e}");
    assert!(
        e.contains(
            "Malformed network message. Node n0 tried to send the following message via STDOUT"
        ),
        "{e}"
    );
    assert!(
        e.contains("{:src (not (instance? java.lang.String nil))}"),
        "{e}"
    );
}
