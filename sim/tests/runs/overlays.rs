//! Every overlay the node offers converges and falls silent on the real simulator, under
//! heavy loss and reordering, under the partition nemesis, and with the star's root cut off
//! (leaves keep exchanging through a fallback relay; a relay that is dropped but still serves
//! is told to detach, and nothing talks forever).

use std::collections::BTreeSet;
use std::time::Duration;

use glomers::config::{NodeConfig, OverlayKind};
use glomers_sim::history::{OpF, OpType, OpValue, Process};
use glomers_sim::world::partition::Partition;
use glomers_sim::{Faults, Report, SimBuilder};

use crate::common;

const SEEDS: [u64; 4] = [1, 7, 42, 2026];

fn config(kind: OverlayKind) -> NodeConfig {
    let mut c = NodeConfig::load("3d").expect("3d preset");
    c.overlay.kind = kind;
    if kind == OverlayKind::Tree {
        c.overlay.fanout = Some(2);
    }
    if kind == OverlayKind::Adjacency {
        let ring = (0..7)
            .map(|i| (format!("n{i}"), vec![format!("n{}", (i + 1) % 7)]))
            .collect();
        c.overlay.neighbours = Some(ring);
    }
    c
}

/// Seven nodes, rate 20, 6 s, 100 ms latency.
fn seven(node: NodeConfig, seed: u64) -> SimBuilder {
    SimBuilder::broadcast()
        .nodes(7)
        .rate(20.0)
        .secs(6)
        .latency(100)
        .node(node)
        .seed(seed)
}

/// The cluster sent nothing during the last 5 s of Maelstrom's 10 s quiet period.
fn assert_silent_at_the_end(r: &Report, context: &str) {
    let end = (r.end.as_micros() / 1_000_000) as usize;
    let sends = &r.server_sends_per_second;
    assert!(sends.iter().any(|&n| n > 0), "{context}: servers talked");
    let sent = |s: usize| sends.get(s).copied().unwrap_or(0);
    assert!(
        (end - 6..end - 1).all(|s| sent(s) == 0),
        "{context}: idle cluster sent messages: {:?}",
        r.server_sends_per_second
    );
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
            let r = common::run(&seven(config(kind), seed).build());
            common::assert_broadcast_valid(&r);
            assert_silent_at_the_end(&r, &format!("{kind:?} seed {seed}"));
        }
    }
}

#[test]
fn nothing_is_lost_to_heavy_loss_and_reordering() {
    let faults: Faults = "loss=0.3,reorder=0.5:400".parse().expect("spec");
    for kind in [OverlayKind::Star, OverlayKind::Tree, OverlayKind::Grid] {
        for seed in SEEDS {
            let cfg = seven(config(kind), seed)
                .nodes(9)
                .faults(faults.clone())
                .build();
            common::assert_broadcast_valid(&common::run(&cfg));
        }
    }
}

#[test]
fn partitions_lose_nothing_once_healed() {
    for seed in SEEDS {
        for node in [config(OverlayKind::Star), NodeConfig::default()] {
            let cfg = seven(node, seed)
                .secs(10)
                .partitions(Duration::from_secs(1))
                .build();
            common::assert_broadcast_valid(&common::run(&cfg));
        }
    }
}

/// The root n0 alone on one side, the six leaves on the other.
fn root_cut_off() -> Partition {
    Partition::from_components(7, &[&[0], &[1, 2, 3, 4, 5, 6]])
}

/// The node an operation went to (one client thread per node).
fn node_of(process: Process) -> Option<u64> {
    match process {
        Process::Client(p) => Some(p % 7),
        Process::Nemesis => None,
    }
}

#[test]
fn leaves_cut_off_from_the_root_keep_exchanging_through_a_fallback_relay() {
    let node = config(OverlayKind::Star);
    let after = Duration::from_millis(node.fallback.after_ms);
    let cut = Duration::from_secs(1);
    let heal = cut + after * 4;
    for seed in SEEDS {
        let cfg = seven(node.clone(), seed)
            .time_limit(heal + Duration::from_secs(2))
            .partition_at(cut, root_cut_off())
            .partition_at(heal, Partition::healed(7))
            .build();
        let r = common::run(&cfg);
        common::assert_broadcast_valid(&r);
        let ns = |d: Duration| r.main_start.as_micros() * 1000 + d.as_nanos() as u64;
        let ops = r.history.ops();
        // Values acknowledged at leaves in the first fallback period of the cut …
        let early: BTreeSet<i64> = ops
            .iter()
            .filter(|o| o.kind == OpType::Ok && o.f == OpF::BROADCAST)
            .filter(|o| (ns(cut)..ns(cut + after)).contains(&o.time_ns))
            .filter(|o| node_of(o.process) != Some(0))
            .filter_map(|o| match o.value {
                OpValue::Int(v) => Some(v),
                _ => None,
            })
            .collect();
        assert!(!early.is_empty(), "seed {seed}: values during the cut");
        // … are in every leaf's reads from two more fallback periods on, and not in the root's.
        let late_reads = ops.iter().filter(|o| {
            o.kind == OpType::Ok
                && o.f == OpF::READ
                && (ns(cut + after * 3)..ns(heal)).contains(&o.time_ns)
        });
        let mut leaf_reads = 0;
        for read in late_reads {
            let OpValue::Read(values) = &read.value else {
                continue;
            };
            let seen: BTreeSet<i64> = values.ints.iter().copied().collect();
            if node_of(read.process) == Some(0) {
                assert!(seen.is_disjoint(&early), "seed {seed}: the root is cut off");
            } else {
                leaf_reads += 1;
                let missing: Vec<_> = early.difference(&seen).collect();
                assert!(missing.is_empty(), "seed {seed}: a leaf lacks {missing:?}");
            }
        }
        assert!(
            leaf_reads > 10,
            "seed {seed}: {leaf_reads} leaf reads checked"
        );
    }
}

#[test]
fn a_dropped_relay_that_still_serves_is_told_to_detach() {
    let node = config(OverlayKind::Star);
    let after = Duration::from_millis(node.fallback.after_ms);
    let start = Duration::from_secs(1);
    // The root goes away: leaves fall back to n1.
    // Then n1 goes away for leaf n4 only: n4 drops it and moves on to n2.
    let mut also_n1_n4 = root_cut_off();
    also_n1_n4.block(1, 4);
    also_n1_n4.block(4, 1);
    // Then n1 and n4 see each other again while the root is still gone: n1 still relays for
    // n4 and must be told to stop rather than be linked back as a child.
    for seed in SEEDS {
        let cfg = seven(node.clone(), seed)
            .time_limit(start + after * 7)
            .partition_at(start, root_cut_off())
            .partition_at(start + after * 2, also_n1_n4.clone())
            .partition_at(start + after * 4, root_cut_off())
            .partition_at(start + after * 6, Partition::healed(7))
            .build();
        let r = common::run(&cfg);
        common::assert_broadcast_valid(&r);
        assert_silent_at_the_end(&r, &format!("seed {seed}"));
    }
}
