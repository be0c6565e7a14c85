//! Counters (g-counter, pn-counter) across several in-process nodes on a deterministic network:
//! every `add` and `read` answered at once, even cut off; exact totals on every node after the
//! heal; batches that carry at most one share per node; silence once settled.

use std::time::Duration;

use crate::cluster::{Net, Rng};
use glomers::config::{NodeConfig, OverlayKind};
use serde_json::json;

/// What a run did and saw.
struct Outcome {
    total: i64,
    ops: usize,
    finals: Vec<i64>,
    settled: bool,
    server_messages: usize,
}

fn read(net: &mut Net, i: usize) -> i64 {
    let reply = net.request(i, json!({"type": "read"}));
    assert_eq!(reply["type"], "read_ok", "{reply}");
    let keys: Vec<&String> = reply.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["in_reply_to", "type", "value"], "{reply}");
    reply["value"].as_i64().expect("an integer value")
}

/// Adds and reads at random nodes, one op every 10 ms for 20 s (Maelstrom's rate 100), with
/// node `cut_off` partitioned away from the rest from 5 s to the end; then heals, reads every
/// node 10 s later (Maelstrom's final reads), and waits for the cluster to go idle.
fn run(n: usize, config: &NodeConfig, seed: u64, signed: bool, cut_off: usize) -> Outcome {
    let mut net = Net::new(n, config, seed);
    net.keep_bodies = true;
    let mut rng = Rng::new(seed ^ 0xC0FFEE);
    let (mut total, mut ops) = (0i64, 0usize);
    let others: Vec<usize> = (0..n).filter(|&i| i != cut_off).collect();
    for step in 0..2_000 {
        if step == 500 {
            net.partition(&[cut_off], &others);
        }
        let node = (rng.next_u64() % n as u64) as usize;
        if rng.unit() < 0.5 {
            let delta = if signed {
                (rng.next_u64() % 10) as i64 - 5
            } else {
                (rng.next_u64() % 5) as i64
            };
            let reply = net.request(node, json!({"type": "add", "delta": delta}));
            assert_eq!(
                reply,
                json!({"type": "add_ok", "in_reply_to": reply["in_reply_to"]})
            );
            total += delta;
        } else {
            read(&mut net, node);
        }
        ops += 1;
        net.run_for(Duration::from_millis(10));
    }
    // As Maelstrom does: heal when the operations end, wait 10 s, then read on every node.
    net.heal();
    net.run_for(Duration::from_secs(10));
    let finals = (0..n).map(|i| read(&mut net, i)).collect();
    let settled = net.settle(Duration::from_secs(60));
    for body in &net.server_bodies {
        if let Some(counts) = body["counts"].as_array() {
            let mut nodes: Vec<u64> = counts
                .iter()
                .map(|c| c[0].as_u64().expect("node"))
                .collect();
            nodes.sort_unstable();
            nodes.dedup();
            assert_eq!(
                nodes.len(),
                counts.len(),
                "two shares of one node in {body}"
            );
        }
        assert!(
            body.get("values").is_none() && body.get("txns").is_none(),
            "{body}"
        );
    }
    Outcome {
        total,
        ops,
        finals,
        settled,
        server_messages: net.server_messages,
    }
}

#[test]
fn challenge_4_three_nodes_exact_after_a_partition_at_a_tenth_of_a_message_per_op() {
    for seed in 1..=5 {
        let config = NodeConfig::default();
        let o = run(3, &config, seed, false, (seed % 3) as usize);
        assert!(
            o.settled,
            "seed {seed}: the cluster went idle after the heal"
        );
        assert_eq!(o.finals, vec![o.total; 3], "seed {seed}");
        let per_op = o.server_messages as f64 / o.ops as f64;
        assert!(
            per_op < 0.1,
            "seed {seed}: {} node messages for {} ops",
            o.server_messages,
            o.ops
        );
    }
}

#[test]
fn pn_counter_on_every_overlay_is_exact_after_the_heal() {
    for kind in [
        OverlayKind::Star,
        OverlayKind::Tree,
        OverlayKind::Grid,
        OverlayKind::Line,
        OverlayKind::Total,
        OverlayKind::Maelstrom,
    ] {
        let mut config = NodeConfig::load("3d").expect("preset");
        config.overlay.kind = kind;
        config.fallback.enabled = kind.is_rooted();
        for seed in [7, 8] {
            let o = run(5, &config, seed, true, 0);
            assert!(o.settled, "{kind:?} seed {seed}: idle after the heal");
            assert_eq!(o.finals, vec![o.total; 5], "{kind:?} seed {seed}");
        }
    }
}

#[test]
fn a_node_cut_off_from_everyone_still_answers_and_counts_its_own_adds() {
    let mut net = Net::new(3, &NodeConfig::default(), 3);
    net.partition(&[2], &[0, 1]);
    for delta in [3, -1, 4] {
        let reply = net.request(2, json!({"type": "add", "delta": delta}));
        assert_eq!(reply["type"], "add_ok");
        net.run_for(Duration::from_millis(700));
    }
    net.request(0, json!({"type": "add", "delta": 10}));
    net.run_for(Duration::from_secs(10));
    assert_eq!(read(&mut net, 2), 6, "its own adds, none of the others'");
    assert_eq!(read(&mut net, 0), 10);
    net.heal();
    assert!(net.settle(Duration::from_secs(60)));
    for i in 0..3 {
        assert_eq!(read(&mut net, i), 16, "node {i}");
    }
    // Settled means silent: no timer left, nothing more sent.
    let sent = net.server_messages;
    net.run_for(Duration::from_secs(30));
    assert_eq!(net.server_messages, sent);
    assert!(net.nodes.iter().all(|n| n.node().poll_timeout().is_none()));
}
