//! Challenge 3c: five nodes, rate 10, 20 s, partitions.

mod common;

#[test]
fn five_nodes_under_partitions_lose_nothing() {
    for seed in common::SEEDS {
        let mut cfg = common::broadcast(5, 10.0, 20, 0, seed);
        cfg.partition = true;
        let node = common::without_fallback(common::preset("3e"));
        let r = common::run(&common::with_nodes(cfg, node));
        common::assert_broadcast_valid(&r);
        assert!(
            r.history.ops().iter().any(|o| !o.is_client()),
            "the nemesis acted"
        );
    }
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "the default preset's fallback trips a node debug assertion under partitions"
)]
fn five_nodes_under_partitions_with_the_default_preset() {
    for seed in common::SEEDS {
        let mut cfg = common::broadcast(5, 10.0, 20, 0, seed);
        cfg.partition = true;
        common::assert_broadcast_valid(&common::run(&cfg));
    }
}
