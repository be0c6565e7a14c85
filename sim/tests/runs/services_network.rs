//! Maelstrom's services on the simulated network (workloads spec §2.1, checklist §9.1–2):
//! present in every test and addressed by name, latency on both legs, one deadline queue and
//! worker per service, never partitioned, replies carrying `in_reply_to` and no `msg_id`,
//! unknown types unanswered, and all of it counted as `:servers`.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use glomers::Time;
use glomers_sim::{Cluster, SimConfig, Workload};
use serde_json::{Value, json};

fn line(src: &str, dest: &str, body: Value) -> String {
    json!({"src": src, "dest": dest, "body": body}).to_string()
}

/// A slow echo test whose fake nodes also talk to the services.
fn cfg(latency_ms: u64, partition: bool, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::ECHO,
        node_count: 3,
        rate: 1.0,
        latency_ms,
        partition,
        time_limit: Duration::from_secs(3),
        seed,
        ..SimConfig::default()
    }
}

#[test]
fn every_rpc_costs_two_latencies_and_services_are_never_partitioned() {
    // Each node asks lin-tso for a timestamp as soon as it is initialised and again whenever
    // a reply comes back; with every request it also pings the other nodes.
    let cfg = cfg(100, true, 4);
    let mut cluster = Cluster::new(&cfg).expect("valid config");
    let mut sent: BTreeMap<(u16, u64), Time> = BTreeMap::new();
    let mut replies: Vec<(u16, Time, Value)> = Vec::new();
    let mut next_id = [1u64; 3];
    common::drive_fake(&mut cluster, |now, node, m| {
        let me = format!("n{node}");
        let mut out = Vec::new();
        let body = &m["body"];
        match (m["src"].as_str(), body["type"].as_str()) {
            (_, Some("init")) => out.extend(common::polite(m)),
            (Some("lin-tso"), _) => replies.push((node, now, body.clone())),
            _ => return common::polite(m),
        }
        let id = next_id[usize::from(node)];
        next_id[usize::from(node)] += 1;
        sent.insert((node, id), now);
        out.push(line(&me, "lin-tso", json!({"type": "ts", "msg_id": id})));
        for peer in (0..3u16).filter(|&p| p != node) {
            out.push(line(&me, &format!("n{peer}"), json!({"type": "ping"})));
        }
        out
    });
    let report = cluster.finish().expect("ran");
    assert!(
        report.partition_drops > 0,
        "the nemesis must have cut node links for this test to mean anything"
    );
    let mut stamps = Vec::new();
    for (node, at, body) in &replies {
        let id = body["in_reply_to"]
            .as_u64()
            .expect("in_reply_to copies msg_id");
        let asked = sent[&(*node, id)];
        assert_eq!(
            at.saturating_since(asked),
            Duration::from_millis(200),
            "100 ms there, 100 ms back"
        );
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["in_reply_to", "ts", "type"],
            "no msg_id in service replies"
        );
        stamps.push(body["ts"].as_u64().expect("integer ts"));
    }
    // Every request but the one in flight at teardown was answered, whatever the partitions.
    assert!(
        replies.len() + 3 >= sent.len() && replies.len() >= 3 * 14,
        "{}",
        replies.len()
    );
    stamps.sort_unstable();
    let expected: Vec<u64> = (0..stamps.len() as u64).collect();
    assert_eq!(
        stamps, expected,
        "lin-tso hands out 0, 1, 2, … across all callers"
    );
    // Servers = service requests + service replies + pings (dropped pings count as sent).
    let pings = 2 * sent.len() as u64;
    assert_eq!(
        report.net.servers.send_count,
        sent.len() as u64 + replies.len() as u64 + pings
    );
    assert_eq!(
        report.net.clients.send_count,
        6 + 2 * report.op_count,
        "init, init_ok, echo requests and replies: no service traffic"
    );
}

#[test]
fn a_service_worker_takes_one_message_at_a_time_in_deadline_order() {
    // Three nodes write at once to seq-kv, then read; with latency 0 every request reaches its
    // queue at once and the worker answers them in send order, each at that instant.
    let cfg = cfg(0, false, 1);
    let mut cluster = Cluster::new(&cfg).expect("valid config");
    let mut order: Vec<(u16, &'static str, i64, Time)> = Vec::new();
    common::drive_fake(&mut cluster, |now, node, m| {
        let me = format!("n{node}");
        let body = &m["body"];
        if body["type"] == "init" {
            let mut out = common::polite(m);
            let w = json!({"type": "write", "key": "k", "value": node, "msg_id": 1});
            out.push(line(&me, "seq-kv", w));
            return out;
        }
        if m["src"] == "seq-kv" && body["type"] == "write_ok" {
            order.push((node, "write_ok", -1, now));
            return vec![line(
                &me,
                "seq-kv",
                json!({"type": "read", "key": "k", "msg_id": 2}),
            )];
        }
        if m["src"] == "seq-kv" && body["type"] == "read_ok" {
            order.push((node, "read_ok", body["value"].as_i64().unwrap(), now));
        }
        common::polite(m)
    });
    assert_eq!(order.len(), 6, "{order:?}");
    assert!(order.iter().all(|o| o.3 == Time::ZERO));
    let writes: Vec<u16> = order
        .iter()
        .filter(|o| o.1 == "write_ok")
        .map(|o| o.0)
        .collect();
    assert_eq!(writes, [0, 1, 2], "answered in the order sent");
    // Node i wrote i after nodes 0..i; its session starts at that state, so it reads i or a
    // later write, never an earlier one.
    for (node, _, value, _) in order.iter().filter(|o| o.1 == "read_ok") {
        assert!(*value >= i64::from(*node), "{order:?}");
    }
}

#[test]
fn unknown_types_and_unknown_services_get_nothing() {
    let cfg = cfg(10, false, 2);
    let mut cluster = Cluster::new(&cfg).expect("valid config");
    let mut answers = 0;
    common::drive_fake(&mut cluster, |_, node, m| {
        let body = &m["body"];
        if body["type"] == "init" && node == 0 {
            let mut out = common::polite(m);
            out.push(line("n0", "lin-kv", json!({"type": "ts", "msg_id": 1})));
            out.push(line(
                "n0",
                "lin-tso",
                json!({"type": "read", "key": 1, "msg_id": 2}),
            ));
            out.push(line("n0", "seq-kv", json!({"msg_id": 3})));
            return out;
        }
        if m["src"]
            .as_str()
            .is_some_and(|s| s.ends_with("-kv") || s == "lin-tso")
        {
            answers += 1;
        }
        common::polite(m)
    });
    let report = cluster.finish().expect("ran");
    assert_eq!(answers, 0);
    assert_eq!(
        report.net.servers.send_count, 3,
        "requests counted, no reply sent"
    );
    assert_eq!(report.net.servers.recv_count, 3);
    assert!(
        report.node_errors.is_empty(),
        "service names are valid destinations"
    );
}
