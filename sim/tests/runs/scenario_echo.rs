//! Challenge 1: echo, one node, 10 s, rate 5; and echo over three nodes.

use crate::common;

use std::time::Duration;

use glomers_sim::workloads::echo::EchoResult;
use glomers_sim::{SimConfig, Validity, Workload};

#[test]
fn echo_is_valid() {
    for (nodes, seed) in [(1, 1), (1, 2), (3, 3)] {
        let cfg = SimConfig {
            workload: Workload::ECHO,
            node_count: nodes,
            time_limit: Duration::from_secs(10),
            seed,
            ..SimConfig::default()
        };
        let r = common::run(&cfg);
        assert_eq!(r.valid, Validity::True, "seed {seed}");
        let Some(e) = r.workload.get::<EchoResult>() else {
            panic!("an echo result")
        };
        assert!(e.attempt_count > 30 && e.errors.is_empty(), "{e:?}");
        assert_eq!(
            r.net.clients.msg_count,
            2 * u64::from(nodes) + 2 * r.op_count
        );
    }
}
