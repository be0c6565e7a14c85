//! Challenge 3a: one node, rate 10, 20 s (default node preset).

use crate::common;

#[test]
fn single_node_broadcast_is_valid() {
    for seed in common::SEEDS {
        let r = common::run(&common::broadcast(1, 10.0, 20, 0, seed));
        common::assert_broadcast_valid(&r);
        assert_eq!(r.net.servers.msg_count, 0, "nobody to gossip with");
    }
}
