//! Same seed, same run: the message trace is identical byte for byte; another seed differs.

use crate::common;

fn trace(seed: u64) -> Vec<u8> {
    let mut cfg = common::broadcast(25, 100.0, 5, 100, seed);
    cfg.partition = true;
    cfg.nemesis_interval = std::time::Duration::from_secs(1);
    cfg.trace = true;
    let cfg = common::with_nodes(cfg, common::preset("3d"));
    common::run(&cfg).trace.expect("traced")
}

#[test]
fn a_seed_replays_exactly() {
    let a = trace(42);
    assert!(a.len() > 100_000, "a substantial trace");
    assert!(a == trace(42), "same seed, same trace");
    assert!(a != trace(43), "another seed, another trace");
}
