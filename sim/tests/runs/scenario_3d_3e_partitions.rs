//! Challenges 3d and 3e under Maelstrom's partition nemesis (25 nodes, rate 100, latency 100,
//! 20 s): nothing is lost with either shipped preset, nor with the star without its fallback
//! relay. The same runs without partitions, with their message and latency budgets, are in
//! `efficiency_budget.rs`.

use crate::common;

fn partitioned_runs_lose_nothing(preset: &str) {
    for seed in common::SEEDS {
        let mut cfg = common::broadcast(25, 100.0, 20, 100, seed);
        cfg.partition = true;
        let cfg = common::with_nodes(cfg, common::preset(preset));
        common::assert_broadcast_valid(&common::run(&cfg));
    }
}

#[test]
fn three_d_under_partitions_loses_nothing() {
    partitioned_runs_lose_nothing("3d");
}

#[test]
fn three_e_under_partitions_loses_nothing() {
    partitioned_runs_lose_nothing("3e");
}

#[test]
fn the_star_without_fallback_under_partitions_loses_nothing() {
    partitioned_runs_lose_nothing("star-no-fallback");
}
