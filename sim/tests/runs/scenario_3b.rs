//! Challenge 3b: five nodes, rate 10, 20 s (default node preset).

use crate::common;

#[test]
fn five_node_broadcast_is_valid() {
    for seed in common::SEEDS {
        let r = common::run(&common::broadcast(5, 10.0, 20, 0, seed));
        common::assert_broadcast_valid(&r);
    }
}
