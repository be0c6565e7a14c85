//! Broadcast across several in-process nodes on a small test network: every overlay converges,
//! nothing is lost to loss, reordering or partitions, rounds cost one message per link, and an
//! idle cluster is silent.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use glomers::config::{NodeConfig, OverlayKind};
use support::{Net, Rng};

const SEEDS: [u64; 4] = [1, 7, 42, 2026];

fn config(kind: OverlayKind) -> NodeConfig {
    let mut c = NodeConfig::load("3d").expect("3d preset");
    c.overlay.kind = kind;
    if kind == OverlayKind::Tree {
        c.overlay.fanout = Some(2);
    }
    if kind == OverlayKind::Adjacency {
        // A ring n0 – n1 – … – n6 – n0.
        let ring = (0..7)
            .map(|i| (format!("n{i}"), vec![format!("n{}", (i + 1) % 7)]))
            .collect();
        c.overlay.neighbours = Some(ring);
    }
    c
}

/// Broadcasts `count` values at random nodes, one every `gap`, and returns them.
fn broadcast_some(net: &mut Net, rng: &mut Rng, count: i64, gap: Duration) -> BTreeSet<i64> {
    let n = net.nodes.len();
    let mut sent = BTreeSet::new();
    for v in 0..count {
        let at = (rng.next_u64() % n as u64) as usize;
        net.broadcast(at, v);
        sent.insert(v);
        net.run_for(gap);
    }
    sent
}

fn assert_everyone_has(net: &mut Net, expected: &BTreeSet<i64>, context: &str) {
    for i in 0..net.nodes.len() {
        let got = net.read(i);
        let missing: Vec<_> = expected.difference(&got).collect();
        assert!(missing.is_empty(), "{context}: n{i} lacks {missing:?}");
    }
}

#[test]
fn every_overlay_converges_and_falls_silent() {
    let kinds = [
        OverlayKind::Star,
        OverlayKind::Tree,
        OverlayKind::Grid,
        OverlayKind::Line,
        OverlayKind::Total,
        OverlayKind::Adjacency,
        OverlayKind::Maelstrom,
    ];
    for kind in kinds {
        for seed in SEEDS {
            let mut net = Net::new(7, &config(kind), seed);
            if kind == OverlayKind::Maelstrom {
                // Maelstrom's 7-node grid, as its topology message would say.
                let topo = serde_json::json!({
                    "n0": ["n3", "n1"], "n1": ["n4", "n2", "n0"], "n2": ["n5", "n1"],
                    "n3": ["n6", "n0", "n4"], "n4": ["n1", "n3", "n5"], "n5": ["n2", "n4"],
                    "n6": ["n3"]
                });
                for i in 0..7 {
                    let reply =
                        net.request(i, serde_json::json!({"type": "topology", "topology": topo}));
                    assert_eq!(reply["type"], "topology_ok");
                }
            }
            let mut rng = Rng::new(seed);
            let sent = broadcast_some(&mut net, &mut rng, 60, Duration::from_millis(37));
            let context = format!("{kind:?} seed {seed}");
            assert!(
                net.settle(Duration::from_secs(30)),
                "{context}: never went idle"
            );
            assert_everyone_has(&mut net, &sent, &context);
            let before = net.server_messages;
            net.run_for(Duration::from_secs(60));
            assert_eq!(
                net.server_messages, before,
                "{context}: idle cluster sent messages"
            );
        }
    }
}

#[test]
fn nothing_is_lost_to_heavy_loss_and_reordering() {
    for kind in [OverlayKind::Star, OverlayKind::Tree, OverlayKind::Grid] {
        for seed in SEEDS {
            let mut net = Net::new(9, &config(kind), seed);
            net.loss = 0.3;
            net.jitter = Duration::from_millis(400);
            let mut rng = Rng::new(seed ^ 0xabc);
            let sent = broadcast_some(&mut net, &mut rng, 80, Duration::from_millis(53));
            let context = format!("{kind:?} seed {seed}, 30% loss");
            assert!(
                net.settle(Duration::from_secs(120)),
                "{context}: never went idle"
            );
            assert_everyone_has(&mut net, &sent, &context);
        }
    }
}

#[test]
fn a_partition_loses_nothing_once_healed() {
    for seed in SEEDS {
        for config in [config(OverlayKind::Star), NodeConfig::default()] {
            let mut net = Net::new(7, &config, seed);
            let mut rng = Rng::new(seed);
            let early = broadcast_some(&mut net, &mut rng, 10, Duration::from_millis(100));
            // The root and two leaves on one side, four leaves on the other.
            net.partition(&[0, 1, 2], &[3, 4, 5, 6]);
            let during = broadcast_some(&mut net, &mut rng, 40, Duration::from_millis(250));
            net.heal();
            let after = broadcast_some(&mut net, &mut rng, 10, Duration::from_millis(100));
            let all: BTreeSet<i64> = early.iter().chain(&during).chain(&after).copied().collect();
            let context = format!("seed {seed} {:?}", config.timing);
            assert!(
                net.settle(Duration::from_secs(120)),
                "{context}: never went idle"
            );
            assert_everyone_has(&mut net, &all, &context);
        }
    }
}

#[test]
fn leaves_cut_off_from_the_root_keep_exchanging_through_a_fallback_relay() {
    let config = config(OverlayKind::Star);
    let after = Duration::from_millis(config.fallback.after_ms);
    for seed in SEEDS {
        let mut net = Net::new(7, &config, seed);
        net.partition(&[0], &[1, 2, 3, 4, 5, 6]);
        // Every leaf keeps broadcasting, as Maelstrom's clients do; a leaf notices its parent
        // is gone through its own unacknowledged values (there are no heartbeats).
        let mut value = 0;
        let end = net.now + after * 3;
        while net.now < end {
            for leaf in 1..7 {
                net.broadcast(leaf, value);
                value += 1;
            }
            net.run_for(Duration::from_millis(500));
        }
        // Values broadcast before the fallback settled in have reached every leaf.
        let early: BTreeSet<i64> = (0..6 * 4).collect();
        for leaf in 1..7 {
            let seen = net.read(leaf);
            let missing: Vec<_> = early.difference(&seen).collect();
            assert!(
                missing.is_empty(),
                "seed {seed}: leaf {leaf} lacks {missing:?} with the root cut off"
            );
        }
        assert!(net.read(0).is_empty(), "the root is really cut off");
        net.heal();
        assert!(
            net.settle(Duration::from_secs(120)),
            "seed {seed}: never went idle"
        );
        assert_everyone_has(&mut net, &(0..value).collect(), &format!("seed {seed}"));
    }
}

#[test]
fn a_round_costs_one_message_per_link_each_way() {
    // 25 nodes, every leaf broadcasting once per round: the star needs 24 messages up and 24
    // down per round, plus the final acknowledgements of the last round.
    let mut config = NodeConfig::load("3e").expect("3e");
    // Pinned: the test broadcasts once per round, so it must know the round.
    config.timing.tick_ms = Some(1600);
    let tick = Duration::from_millis(config.timing.tick_ms.unwrap_or(1600));
    let rounds = 8;
    let mut net = Net::new(25, &config, 5);
    let mut value = 0;
    for _ in 0..rounds {
        for leaf in 1..25 {
            net.broadcast(leaf, value);
            value += 1;
        }
        net.run_for(tick);
    }
    assert!(net.settle(Duration::from_secs(60)));
    assert_everyone_has(&mut net, &(0..value).collect(), "3e star");
    // The floor: 24 up and 24 down per round, and one acknowledgement per leaf at the end.
    let budget = 2 * 24 * rounds + 24;
    assert!(
        net.server_messages <= budget,
        "{} server messages for {rounds} rounds (budget {budget})",
        net.server_messages
    );
}

#[test]
fn a_dropped_relay_that_still_serves_is_told_to_detach() {
    let config = config(OverlayKind::Star);
    let after = Duration::from_millis(config.fallback.after_ms);
    for seed in SEEDS {
        let mut net = Net::new(7, &config, seed);
        let mut value = 0;
        let mut broadcast_everywhere = |net: &mut Net, span: Duration| {
            let end = net.now + span;
            while net.now < end {
                for leaf in 1..7 {
                    net.broadcast(leaf, value);
                    value += 1;
                }
                net.run_for(Duration::from_millis(300));
            }
        };
        // The root goes away: leaves fall back to n1.
        net.partition(&[0], &[1, 2, 3, 4, 5, 6]);
        broadcast_everywhere(&mut net, after * 2);
        // n1 goes away for leaf 4 only: leaf 4 drops it and moves on to n2.
        net.partition(&[1], &[4]);
        broadcast_everywhere(&mut net, after * 2);
        // n1 and leaf 4 see each other again while the root is still gone: n1 still relays for
        // leaf 4 and must be told to stop rather than be linked back as a child.
        net.cut.remove(&(1, 4));
        net.cut.remove(&(4, 1));
        broadcast_everywhere(&mut net, after * 2);
        net.heal();
        let context = format!("seed {seed}");
        assert!(
            net.settle(Duration::from_secs(120)),
            "{context}: never went idle"
        );
        assert_everyone_has(&mut net, &(0..value).collect(), &context);
        let before = net.server_messages;
        net.run_for(Duration::from_secs(60));
        assert_eq!(
            net.server_messages, before,
            "{context}: idle cluster sent messages"
        );
    }
}
