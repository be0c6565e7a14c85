//! Maelstrom's kafka workload across in-process nodes on a deterministic network (100 ms
//! links): every request answered at once, even cut off; polls show one log everywhere, only
//! ever a gap-free prefix; nothing is lost across a partition or a restart on the log (with a
//! control without the log that must reuse an offset and forget a commit).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cluster::Net;
use glomers::config::{NodeConfig, Workload};
use serde_json::{Value, json};

fn config() -> NodeConfig {
    NodeConfig {
        workload: Workload::named("kafka"),
        ..NodeConfig::default()
    }
}

fn send(net: &mut Net, i: usize, key: &str, msg: i64) -> u64 {
    let reply = net.request(i, json!({"type": "send", "key": key, "msg": msg}));
    assert_eq!(reply["type"], "send_ok", "{reply}");
    reply["offset"].as_u64().expect("an offset")
}

/// Node `i`'s whole log of `key`: (offset, msg) ascending.
fn poll(net: &mut Net, i: usize, key: &str) -> Vec<(u64, i64)> {
    let reply = net.request(i, json!({"type": "poll", "offsets": {key: 0}}));
    assert_eq!(reply["type"], "poll_ok", "{reply}");
    let Some(pairs) = reply["msgs"].get(key) else {
        return Vec::new();
    };
    pairs
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| (p[0].as_u64().expect("offset"), p[1].as_i64().expect("msg")))
        .collect()
}

fn committed(net: &mut Net, i: usize, key: &str) -> Option<u64> {
    let reply = net.request(i, json!({"type": "list_committed_offsets", "keys": [key]}));
    assert_eq!(reply["type"], "list_committed_offsets_ok", "{reply}");
    reply["offsets"].get(key).and_then(Value::as_u64)
}

/// Sends on both sides of a partition are acknowledged at once; each side keeps showing a
/// prefix of the final log (never an offset the other side may still fill below it); after
/// the heal every node shows every acknowledged message, the same log, at the offsets the
/// sends were told.
#[test]
fn sends_stay_available_across_a_partition_and_every_node_ends_with_one_log() {
    let mut net = Net::new(3, &config(), 1);
    let mut acked: BTreeMap<u64, i64> = BTreeMap::new();
    let mut msg = 0;
    let mut seen: Vec<Vec<(u64, i64)>> = vec![Vec::new(); 3];
    for phase in 0..3 {
        if phase == 1 {
            net.partition(&[0], &[1, 2]);
        } else if phase == 2 {
            net.heal();
        }
        for step in 0..40 {
            let i = step % 3;
            msg += 1;
            let offset = send(&mut net, i, "k", msg);
            assert!(
                acked.insert(offset, msg).is_none(),
                "offset {offset} reused"
            );
            net.run_for(Duration::from_millis(50));
            for (j, before) in seen.iter_mut().enumerate() {
                let now = poll(&mut net, j, "k");
                assert!(
                    now.starts_with(before),
                    "node {j} went back: {before:?} {now:?}"
                );
                *before = now;
            }
        }
    }
    assert!(net.settle(Duration::from_secs(60)));
    let all: Vec<(u64, i64)> = acked.into_iter().collect();
    for j in 0..3 {
        assert_eq!(poll(&mut net, j, "k"), all, "node {j}");
    }
}

/// A send and a commit acknowledged just before the node's process dies are still there
/// when it restarts on its log: its next offset is past every one it gave, and the commit is
/// listed. Without the log the restarted node hands out an offset again and has no commit.
#[test]
fn acknowledged_sends_and_commits_survive_a_restart_on_the_log() {
    for durable in [true, false] {
        let mut net = if durable {
            Net::durable(2, &config(), 2)
        } else {
            Net::new(2, &config(), 2)
        };
        let first = send(&mut net, 1, "k", 1);
        let reply = net.request(
            1,
            json!({"type": "commit_offsets", "offsets": {"k": first}}),
        );
        assert_eq!(reply["type"], "commit_offsets_ok");
        // Killed before its round: nothing of it has left the node.
        net.restart(1);
        let again = send(&mut net, 1, "k", 2);
        if !durable {
            assert_eq!(again, first, "no log: the offset is handed out twice");
            assert_eq!(committed(&mut net, 1, "k"), None);
            continue;
        }
        assert!(again > first, "{again} after {first}");
        assert_eq!(committed(&mut net, 1, "k"), Some(first));
        assert!(net.settle(Duration::from_secs(60)));
        for j in 0..2 {
            assert_eq!(poll(&mut net, j, "k"), [(first, 1), (again, 2)], "node {j}");
            assert_eq!(committed(&mut net, j, "k"), Some(first), "node {j}");
        }
    }
}

/// One node sends nothing to anyone; on two, a quiet cluster falls silent.
#[test]
fn one_node_is_silent_and_two_fall_silent_when_idle() {
    let mut one = Net::new(1, &config(), 3);
    for m in 0..20 {
        send(&mut one, 0, "k", m);
    }
    assert_eq!(poll(&mut one, 0, "k").len(), 20, "visible at once");
    assert!(one.settle(Duration::from_secs(10)));
    assert_eq!(one.server_messages, 0);
    let mut two = Net::new(2, &config(), 3);
    for m in 0..20 {
        send(&mut two, m as usize % 2, "k", m);
    }
    assert!(two.settle(Duration::from_secs(30)));
    let settled = two.server_messages;
    assert!(settled > 0);
    two.run_for(Duration::from_secs(30));
    assert_eq!(two.server_messages, settled, "nothing more once settled");
    assert_eq!(poll(&mut two, 0, "k").len(), 20);
}
