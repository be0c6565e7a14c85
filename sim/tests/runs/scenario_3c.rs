//! Challenge 3c: five nodes, rate 10, 20 s, partitions.

use crate::common;

#[test]
fn five_nodes_under_partitions_lose_nothing_without_fallback() {
    for seed in common::SEEDS {
        let mut cfg = common::broadcast(5, 10.0, 20, 0, seed);
        cfg.partition = true;
        let node = common::preset("star-no-fallback");
        let r = common::run(&common::with_nodes(cfg, node));
        common::assert_broadcast_valid(&r);
        assert!(
            r.history.ops().iter().any(|o| !o.is_client()),
            "the nemesis acted"
        );
    }
}

#[test]
fn five_nodes_under_partitions_with_the_default_preset() {
    for seed in common::SEEDS {
        let mut cfg = common::broadcast(5, 10.0, 20, 0, seed);
        cfg.partition = true;
        common::assert_broadcast_valid(&common::run(&cfg));
    }
}
