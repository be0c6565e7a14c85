//! Durability through the drive step: a node whose process dies (its `Driven` dropped) and
//! restarts on the same log (a `MemoryStorage`) answers reads with everything it acknowledged,
//! never repeats an id, and its neighbours resend exactly what it lost. Every test has a
//! control that shows what happens without the log, so none can pass by accident.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cluster::Net;
use glomers::config::{DurabilityMode, NodeConfig};
use glomers::step::{Driven, Feed};
use glomers::storage::MemoryStorage;
use glomers::{Notice, Time};
use serde_json::{Value, json};

fn values(reply: &Value) -> BTreeSet<i64> {
    assert_eq!(reply["type"], "read_ok", "{reply}");
    reply["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|v| v.as_i64().expect("int"))
        .collect()
}

fn read_values(net: &mut Net, i: usize) -> BTreeSet<i64> {
    let reply = net.request(i, json!({"type": "read"}));
    values(&reply)
}

/// A restarted node that lost everything must still know it serves broadcast (an undecided
/// node answers `read` as a counter).
fn broadcast_config() -> NodeConfig {
    let mut config = NodeConfig::default();
    config.workload = glomers::config::Workload::named("broadcast");
    config
}

fn broadcast(net: &mut Net, i: usize, value: i64) {
    let reply = net.request(i, json!({"type": "broadcast", "message": value}));
    assert_eq!(reply["type"], "broadcast_ok");
}

/// Values acknowledged by a leaf and killed with it before its next round (a value waits up to
/// a round in the node that took it) are read back from the restarted node at once, and from
/// every node once it has gossiped them; without the log they are gone.
#[test]
fn a_restarted_node_answers_with_everything_it_acknowledged_and_spreads_it() {
    let config = broadcast_config();
    for durable in [true, false] {
        let mut net = if durable {
            Net::durable(5, &config, 1)
        } else {
            Net::new(5, &config, 1)
        };
        broadcast(&mut net, 0, 1);
        assert!(net.settle(Duration::from_secs(30)));
        let acked: BTreeSet<i64> = (2..12).collect();
        for &v in &acked {
            broadcast(&mut net, 3, v);
        }
        // Killed before its round: nothing of it has left the node.
        net.restart(3);
        let after = read_values(&mut net, 3);
        if !durable {
            assert!(after.is_disjoint(&acked), "no log, nothing kept: {after:?}");
            continue;
        }
        let all: BTreeSet<i64> = (1..12).collect();
        assert_eq!(
            after, all,
            "everything acknowledged, and what it had received"
        );
        assert_eq!(net.nodes[3].node().incarnation(), 1);
        assert!(net.settle(Duration::from_secs(60)));
        for i in 0..5 {
            assert_eq!(read_values(&mut net, i), all, "node {i}");
        }
    }
}

/// Ids never repeat across restarts with the log (each restart is a new incarnation, logged
/// before `init_ok`); without it the restarted node hands out its first ids again.
#[test]
fn ids_never_repeat_across_restarts() {
    let config = NodeConfig::default();
    for durable in [true, false] {
        let mut net = if durable {
            Net::durable(3, &config, 2)
        } else {
            Net::new(3, &config, 2)
        };
        let mut seen = BTreeSet::new();
        let mut repeated = 0;
        for life in 0..4 {
            for i in 0..3 {
                for _ in 0..20 {
                    let reply = net.request(i, json!({"type": "generate"}));
                    assert_eq!(reply["type"], "generate_ok");
                    if !seen.insert(reply["id"].as_u64().expect("u64 id")) {
                        repeated += 1;
                    }
                }
            }
            if life < 3 {
                net.restart(1);
            }
        }
        if durable {
            assert_eq!(repeated, 0);
            assert_eq!(net.nodes[1].node().incarnation(), 3);
        } else {
            assert_eq!(
                repeated, 60,
                "three restarts of n1 repeat its 20 ids each time"
            );
        }
    }
}

/// An acknowledged `add` survives its node's death and is counted everywhere.
#[test]
fn acknowledged_adds_survive_a_restart() {
    let mut config = NodeConfig::default();
    config.workload = glomers::config::Workload::named("counter");
    let mut net = Net::durable(3, &config, 3);
    for delta in [5, 7, -2] {
        let reply = net.request(2, json!({"type": "add", "delta": delta}));
        assert_eq!(reply["type"], "add_ok");
    }
    net.restart(2);
    let reply = net.request(2, json!({"type": "add", "delta": 100}));
    assert_eq!(reply["type"], "add_ok");
    assert!(net.settle(Duration::from_secs(60)));
    for i in 0..3 {
        let reply = net.request(i, json!({"type": "read"}));
        assert_eq!(reply["value"], 110, "node {i}: {reply}");
    }
}

/// A committed transaction's writes survive its node's death: read there and everywhere.
#[test]
fn committed_writes_survive_a_restart() {
    let mut net = Net::durable(3, &NodeConfig::default(), 4);
    let txn = json!({"type": "txn", "txn": [["w", 1, 10], ["w", 2, 20]]});
    assert_eq!(net.request(1, txn)["type"], "txn_ok");
    net.restart(1);
    assert!(net.settle(Duration::from_secs(60)));
    for i in 0..3 {
        let reply = net.request(
            i,
            json!({"type": "txn", "txn": [["r", 1, null], ["r", 2, null]]}),
        );
        assert_eq!(
            reply["txn"],
            json!([["r", 1, 10], ["r", 2, 20]]),
            "node {i}"
        );
    }
}

/// The neighbours of a restarted node learn its new incarnation from its first gossip, and
/// resend what it lost — the batch that was in flight to it — at once, and nothing it had
/// acknowledged before.
#[test]
fn neighbours_resend_only_the_batch_a_restarted_node_lost() {
    let config = NodeConfig::default();
    let mut net = Net::durable(3, &config, 5);
    net.keep_bodies = true;
    for v in 1..=5 {
        broadcast(&mut net, 0, v);
    }
    broadcast(&mut net, 1, 100);
    assert!(net.settle(Duration::from_secs(30)));
    // n1 goes down: what n0 (the root) sends it now is lost.
    net.partition(&[1], &[0, 2]);
    broadcast(&mut net, 0, 6);
    net.run_for(Duration::from_secs(2));
    net.heal();
    let before = net.server_log.len();
    let carries_6 = |b: &Value| (b["values"].as_array()).is_some_and(|v| v.contains(&json!(6)));
    let (first_sent, ..) = (net.server_log.iter())
        .find(|(_, from, to, b)| *from == 0 && *to == 1 && carries_6(b))
        .expect("n0 sent 6 to n1 while it was down")
        .clone();
    net.restart(1);
    assert!(net.settle(Duration::from_secs(30)));
    assert_eq!(read_values(&mut net, 1), (1..=6).chain([100]).collect());
    let after = &net.server_log[before..];
    // n1's first gossip says it restarted, and numbers its batches afresh.
    let (_, _, _, first) = after
        .iter()
        .find(|(_, from, _, _)| *from == 1)
        .expect("n1 gossips after its restart");
    assert_eq!(first["inc"], 1, "{first}");
    assert!(
        first["seq"].as_u64().expect("a batch") >= 1 << 32,
        "{first}"
    );
    // What n0 sent n1 since: value 6 only, well before n0's retry timeout would have.
    let to_n1: Vec<(Time, &Value)> = (after.iter())
        .filter(|(_, from, to, b)| *from == 0 && *to == 1 && b["values"].is_array())
        .map(|(t, _, _, b)| (*t, b))
        .collect();
    let resent: BTreeSet<i64> = (to_n1.iter())
        .flat_map(|(_, b)| b["values"].as_array().into_iter().flatten())
        .map(|v| v.as_i64().expect("int"))
        .collect();
    assert_eq!(resent, BTreeSet::from([6]), "{to_n1:?}");
    let retry = first_sent + Duration::from_millis(config.retry.timeout_ms);
    assert!(
        to_n1[0].0 < retry,
        "resent on the news, not by the retry timer"
    );
    // Messages from nodes that never restarted carry no incarnation.
    assert!(
        net.server_log
            .iter()
            .all(|(_, from, _, b)| *from == 1 || b.get("inc").is_none())
    );
}

/// The same process run twice over the same inputs, one with a log: the log adds no message
/// and changes no byte of what the node sends.
#[test]
fn the_log_changes_nothing_on_the_wire() {
    let lines = [
        json!({"src": "c1", "dest": "n0", "body": {"type": "init", "node_id": "n0", "node_ids": ["n0", "n1", "n2"], "msg_id": 1}}),
        json!({"src": "c1", "dest": "n0", "body": {"type": "broadcast", "message": 7, "msg_id": 2}}),
        json!({"src": "n1", "dest": "n0", "body": {"type": "gossip", "seq": 0, "values": [8, 9]}}),
        json!({"src": "c1", "dest": "n0", "body": {"type": "generate", "msg_id": 3}}),
    ];
    let run = |mut node: Driven| {
        let mut out = Vec::new();
        let mut t = Time::from_millis(1_000);
        for line in &lines {
            let mut bytes = line.to_string().into_bytes();
            let len = bytes.len();
            node.step(
                t,
                Feed::Line {
                    buf: &mut bytes,
                    len,
                },
                &mut out,
                |_| {},
            );
            node.commit().expect("memory");
            t += Duration::from_millis(10);
        }
        for _ in 0..50 {
            node.step(t, Feed::Timeout, &mut out, |_| {});
            node.commit().expect("memory");
            t += Duration::from_millis(100);
        }
        out
    };
    let disks = MemoryStorage::new();
    let config = NodeConfig::default();
    let plain = run(Driven::new(config.clone()));
    let logged = run(Driven::with_storage(config, Box::new(disks.handle())));
    assert!(!plain.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&logged),
        String::from_utf8_lossy(&plain)
    );
    let log = String::from_utf8(disks.log("n0")).expect("text");
    assert!(log.contains("\"incarnation\":0"), "{log}");
    assert!(log.contains("[7]") && log.contains("[8,9]"), "{log}");
    // One append per commit that had something new: init, the broadcast, the gossip.
    assert_eq!(disks.writes("n0"), 3, "{log}");
}

/// Compaction keeps the log bounded by the state, not the history: a counter node taking
/// thousands of adds keeps one share per node.
#[test]
fn compaction_bounds_the_log_by_the_state() {
    let mut config = NodeConfig::default();
    config.workload = glomers::config::Workload::named("counter");
    config.durability.compact_bytes = 4096;
    let mut net = Net::durable(3, &config, 6);
    for _ in 0..5000 {
        let reply = net.request(0, json!({"type": "add", "delta": 1}));
        assert_eq!(reply["type"], "add_ok");
    }
    let disks = net.disks.clone().expect("durable");
    let size = disks.log("n0").len();
    assert!(size < 3 * 4096 + 200, "log of {size} bytes");
    assert!(
        disks.writes("n0") > 5000,
        "one append per add: each is a batch here"
    );
    net.restart(0);
    let reply = net.request(0, json!({"type": "read"}));
    assert_eq!(reply["value"], 5000);
}

/// `sync` mode survives a machine crash (every unsynced write lost); `write` mode does not
/// promise to, and with the in-memory disk's worst case loses what it acknowledged.
#[test]
fn only_sync_mode_survives_a_machine_crash() {
    for mode in [DurabilityMode::Sync, DurabilityMode::Write] {
        let mut config = broadcast_config();
        config.durability.mode = mode;
        let mut net = Net::durable(3, &config, 7);
        for v in 1..=3 {
            broadcast(&mut net, 2, v);
        }
        net.disks.as_ref().expect("durable").crash();
        net.restart(2);
        let got = read_values(&mut net, 2);
        match mode {
            DurabilityMode::Sync => assert_eq!(got, BTreeSet::from([1, 2, 3])),
            _ => assert!(got.is_empty(), "{got:?}"),
        }
    }
}

/// The node tells its driver what it recovered.
#[test]
fn a_restarted_node_reports_its_recovery() {
    let disks = MemoryStorage::new();
    let config = NodeConfig::default();
    let lines = [
        r#"{"src":"c1","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}"#,
        r#"{"src":"c1","dest":"n0","body":{"type":"broadcast","message":5,"msg_id":2}}"#,
    ];
    let mut notices = Vec::new();
    for _life in 0..2 {
        let mut node = Driven::with_storage(config.clone(), Box::new(disks.handle()));
        for line in lines {
            let mut bytes = line.as_bytes().to_vec();
            let len = bytes.len();
            let mut out = Vec::new();
            node.step(
                Time::ZERO,
                Feed::Line {
                    buf: &mut bytes,
                    len,
                },
                &mut out,
                |n| notices.push(n),
            );
            node.commit().expect("memory");
        }
    }
    let recovered: Vec<&Notice> = (notices.iter())
        .filter(|n| matches!(n, Notice::Recovered { .. }))
        .collect();
    assert_eq!(
        recovered,
        vec![&Notice::Recovered {
            incarnation: 1,
            items: 1,
            unreadable: 0
        }]
    );
}

/// A driver that owns the disk (a simulator's) hands the log back before `init` and the
/// storage to every commit: the same recovery.
#[test]
fn a_driver_owned_disk_recovers_the_same_way() {
    use glomers::storage::Storage;
    let disks = MemoryStorage::new();
    let lines = [
        r#"{"src":"c1","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}"#,
        r#"{"src":"c1","dest":"n0","body":{"type":"broadcast","message":5,"msg_id":2}}"#,
        r#"{"src":"c1","dest":"n0","body":{"type":"read","msg_id":3}}"#,
    ];
    let mut last = Vec::new();
    for life in 0..2 {
        let mut disk = disks.handle();
        let mut node = Driven::with_log(broadcast_config());
        node.restore_log(disk.open("n0").expect("memory"));
        // The second life only reads: the value comes from the log.
        let feed: &[&str] = if life == 0 {
            &lines
        } else {
            &[lines[0], lines[2]]
        };
        for line in feed {
            let mut bytes = line.as_bytes().to_vec();
            let len = bytes.len();
            last.clear();
            node.step(
                Time::ZERO,
                Feed::Line {
                    buf: &mut bytes,
                    len,
                },
                &mut last,
                |_| {},
            );
            node.commit_to(&mut disk).expect("memory");
        }
        assert!(node.commit().is_err(), "no storage of its own");
    }
    let reply: Value = serde_json::from_slice(&last).expect("a read_ok");
    assert_eq!(values(&reply["body"]), BTreeSet::from([5]));
    let log = String::from_utf8(disks.log("n0")).expect("text");
    assert!(log.contains("\"incarnation\":1"), "{log}");
}

/// Maelstrom sends `topology` once, never to a restarted process: a node of the `maelstrom`
/// overlay (which takes its neighbours from that message) logs them, and a cluster whose every
/// node was killed and started again still spreads a new value everywhere.
#[test]
fn a_restarted_node_keeps_the_neighbours_of_maelstroms_topology() {
    let mut config = NodeConfig::load("maelstrom").expect("preset");
    config.workload = glomers::config::Workload::named("broadcast");
    let mut net = Net::durable(5, &config, 3);
    // A line: n0 - n1 - n2 - n3 - n4.
    let line: serde_json::Map<String, Value> = (0..5)
        .map(|i: usize| {
            let mut nb = Vec::new();
            if i > 0 {
                nb.push(format!("n{}", i - 1));
            }
            if i < 4 {
                nb.push(format!("n{}", i + 1));
            }
            (format!("n{i}"), json!(nb))
        })
        .collect();
    for i in 0..5 {
        let reply = net.request(i, json!({"type": "topology", "topology": line}));
        assert_eq!(reply["type"], "topology_ok");
    }
    broadcast(&mut net, 0, 1);
    assert!(net.settle(Duration::from_secs(30)));
    for i in 0..5 {
        net.restart(i);
    }
    broadcast(&mut net, 0, 2);
    assert!(net.settle(Duration::from_secs(60)));
    let all: BTreeSet<i64> = [1, 2].into();
    for i in 0..5 {
        assert_eq!(read_values(&mut net, i), all, "node {i}");
    }
}
