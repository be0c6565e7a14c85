//! Maelstrom's g-set across three in-process nodes on a deterministic network, partitioned the
//! way Maelstrom's `partition` nemesis does it (a different majority/minority split every few
//! seconds): every `add` and `read` answered at once, even cut off; every element on every node
//! after the heal; under a tenth of a node-to-node message per operation (0.043, 0.046 and
//! 0.068 on seeds 1–3 with this partition schedule); silence once settled.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cluster::{Net, Rng};
use glomers::config::{NodeConfig, Workload};
use serde_json::json;

fn read(net: &mut Net, i: usize) -> BTreeSet<i64> {
    let reply = net.request(i, json!({"type": "read"}));
    assert_eq!(reply["type"], "read_ok", "{reply}");
    let keys: Vec<&String> = reply.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["in_reply_to", "type", "value"], "{reply}");
    let elements = reply["value"].as_array().expect("a list of elements");
    let set: BTreeSet<i64> = elements.iter().map(|e| e.as_i64().expect("int")).collect();
    assert_eq!(
        set.len(),
        elements.len(),
        "an element listed twice: {reply}"
    );
    set
}

/// What a run did and saw.
struct Outcome {
    added: BTreeSet<i64>,
    ops: usize,
    finals: Vec<BTreeSet<i64>>,
    settled: bool,
    server_messages: usize,
}

/// `-w g-set --node-count 3 --rate 100 --time-limit 20 --nemesis partition`, as far as this
/// router goes: adds of fresh integers and reads at random nodes every 10 ms; from 5 s on,
/// every 5 s a different node is cut off from the other two (and healed in between for a
/// second); the operations end at 20 s, the network heals, and every node is read 10 s later.
fn run(config: &NodeConfig, seed: u64) -> Outcome {
    let n = 3;
    let mut net = Net::new(n, config, seed);
    net.keep_bodies = true;
    let mut rng = Rng::new(seed ^ 0x5E7);
    let (mut added, mut ops, mut next) = (BTreeSet::new(), 0usize, 0i64);
    for step in 0..2_000 {
        if step >= 500 && step % 500 == 0 {
            let cut = (rng.next_u64() % n as u64) as usize;
            let rest: Vec<usize> = (0..n).filter(|&i| i != cut).collect();
            net.partition(&[cut], &rest);
        } else if step > 500 && step % 500 == 400 {
            net.heal();
        }
        let node = (rng.next_u64() % n as u64) as usize;
        if rng.unit() < 0.5 {
            let reply = net.request(node, json!({"type": "add", "element": next}));
            assert_eq!(
                reply,
                json!({"type": "add_ok", "in_reply_to": reply["in_reply_to"]})
            );
            added.insert(next);
            next += 1;
        } else {
            let seen = read(&mut net, node);
            assert!(seen.is_subset(&added), "read something never added");
        }
        ops += 1;
        net.run_for(Duration::from_millis(10));
    }
    net.heal();
    net.run_for(Duration::from_secs(10));
    let finals = (0..n).map(|i| read(&mut net, i)).collect();
    let settled = net.settle(Duration::from_secs(60));
    for body in &net.server_bodies {
        assert!(
            body.get("values").is_none() && body.get("counts").is_none(),
            "{body}"
        );
    }
    Outcome {
        added,
        ops,
        finals,
        settled,
        server_messages: net.server_messages,
    }
}

#[test]
fn g_set_three_nodes_lose_nothing_under_partitions_at_a_tenth_of_a_message_per_op() {
    let config = NodeConfig {
        workload: Workload::named("g-set"),
        ..NodeConfig::default()
    };
    for seed in 1..=4 {
        let o = run(&config, seed);
        assert!(
            o.settled,
            "seed {seed}: the cluster went idle after the heal"
        );
        for (i, seen) in o.finals.iter().enumerate() {
            let lost: Vec<&i64> = o.added.difference(seen).collect();
            assert!(lost.is_empty(), "seed {seed}: node {i} lost {lost:?}");
            assert_eq!(seen, &o.added, "seed {seed}: node {i}");
        }
        let per_op = o.server_messages as f64 / o.ops as f64;
        assert!(
            per_op < 0.1,
            "seed {seed}: {} node messages for {} ops ({per_op:.3} per op)",
            o.server_messages,
            o.ops
        );
    }
}

#[test]
fn an_undecided_node_settles_on_g_set_at_its_first_add() {
    let mut net = Net::new(3, &NodeConfig::default(), 9);
    assert_eq!(
        net.request(1, json!({"type": "add", "element": 4}))["type"],
        "add_ok"
    );
    assert_eq!(net.nodes[1].node().workload(), Some("g-set"));
    assert!(net.settle(Duration::from_secs(30)));
    for i in 0..3 {
        assert_eq!(read(&mut net, i), BTreeSet::from([4]), "node {i}");
        assert_eq!(net.nodes[i].node().workload(), Some("g-set"), "node {i}");
    }
}
