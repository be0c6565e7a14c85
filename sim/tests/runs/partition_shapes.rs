//! The partition nemesis's shapes and their sizes.

use glomers_sim::world::partition::{Partition, Shape};

/// How many senders each node drops, sorted.
fn drop_counts(p: &Partition, n: u16) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).map(|k| p.blocked_senders(k).len()).collect();
    v.sort_unstable();
    v
}

fn symmetric(p: &Partition, n: u16) -> bool {
    (0..n).all(|a| (0..n).all(|b| p.blocks(a, b) == p.blocks(b, a)))
}

#[test]
fn one_cuts_off_a_single_node() {
    for seed in 0..5 {
        let p = Shape::One.build_seeded(5, seed);
        assert_eq!(drop_counts(&p, 5), vec![1, 1, 1, 1, 4]);
        assert!(symmetric(&p, 5));
    }
}

#[test]
fn minority_third_cuts_off_a_third_rounded_down() {
    for seed in 0..5 {
        let p = Shape::MinorityThird.build_seeded(5, seed);
        assert_eq!(drop_counts(&p, 5), vec![1, 1, 1, 1, 4]);
        let p = Shape::MinorityThird.build_seeded(25, seed);
        let counts = drop_counts(&p, 25);
        assert_eq!(
            counts.iter().filter(|&&c| c == 17).count(),
            8,
            "8 of 25 isolated"
        );
        assert_eq!(counts.iter().filter(|&&c| c == 8).count(), 17);
        assert!(symmetric(&p, 25));
        assert!(
            Shape::MinorityThird.build_seeded(3, seed).is_healed(),
            "none of 3"
        );
    }
}

#[test]
fn majority_splits_in_half_rounded_down() {
    for seed in 0..5 {
        let p = Shape::Majority.build_seeded(25, seed);
        let counts = drop_counts(&p, 25);
        assert_eq!(counts.iter().filter(|&&c| c == 13).count(), 12, "12 | 13");
        assert_eq!(counts.iter().filter(|&&c| c == 12).count(), 13);
        let p = Shape::Majority.build_seeded(5, seed);
        assert_eq!(drop_counts(&p, 5), vec![2, 2, 2, 3, 3]);
        assert!(symmetric(&p, 5));
    }
}

#[test]
fn majorities_ring_keeps_a_majority_for_everyone() {
    for seed in 0..5 {
        // Five nodes: each hears exactly its two ring neighbours.
        let p = Shape::MajoritiesRing.build_seeded(5, seed);
        assert_eq!(drop_counts(&p, 5), vec![2; 5]);
        assert!(symmetric(&p, 5));
        // Three nodes: each drops one sender, and the drops are one-directional.
        let p = Shape::MajoritiesRing.build_seeded(3, seed);
        assert_eq!(drop_counts(&p, 3), vec![1; 3]);
        for a in 0..3 {
            for b in 0..3 {
                assert!(!(p.blocks(a, b) && p.blocks(b, a)), "{a}↔{b}");
            }
        }
        // More than five: a random symmetric graph, every node linked to ≥ 12 of 24 peers.
        let p = Shape::MajoritiesRing.build_seeded(25, seed);
        assert!(symmetric(&p, 25));
        assert!(drop_counts(&p, 25).iter().all(|&c| c <= 12), "{p}");
        assert!(!p.is_healed());
    }
}

#[test]
fn shapes_differ_between_seeds() {
    let a = Shape::One.build_seeded(25, 1);
    assert!((2..10).any(|s| Shape::One.build_seeded(25, s) != a));
}
