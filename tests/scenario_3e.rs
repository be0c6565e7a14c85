//! Challenge 3e: 25 nodes, rate 100, latency 100, 20 s, with the 3e node preset; also with
//! partitions (3d asks the solution to stay correct under them).

mod common;

fn cfg(seed: u64, partition: bool, preset: &str) -> glomers::sim::SimConfig {
    let mut cfg = common::broadcast(25, 100.0, 20, 100, seed);
    cfg.partition = partition;
    common::with_nodes(cfg, common::preset(preset))
}

#[test]
fn twenty_five_nodes_with_latency_are_valid() {
    for seed in common::SEEDS {
        let r = common::run(&cfg(seed, false, "3e"));
        common::assert_broadcast_valid(&r);
        assert!(r.net.servers.msgs_per_op.is_some_and(|m| m > 0.0));
    }
}

#[test]
fn twenty_five_nodes_under_partitions_lose_nothing() {
    for seed in common::SEEDS {
        common::assert_broadcast_valid(&common::run(&cfg(seed, true, "3e")));
    }
}

#[test]
fn twenty_five_nodes_under_partitions_lose_nothing_without_fallback() {
    for seed in common::SEEDS {
        common::assert_broadcast_valid(&common::run(&cfg(seed, true, "star-no-fallback")));
    }
}
