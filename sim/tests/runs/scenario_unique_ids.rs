//! Challenge 2: unique ids, three nodes, rate 1000, partitions, availability total.

use crate::common;

use std::time::Duration;

use glomers_sim::workloads::unique_ids::UniqueIdsResult;
use glomers_sim::{Availability, SimConfig, Validity, Workload};

#[test]
fn unique_ids_under_partitions_with_total_availability() {
    for seed in common::SEEDS {
        let cfg = SimConfig {
            workload: Workload::UNIQUE_IDS,
            node_count: 3,
            rate: 1000.0,
            time_limit: Duration::from_secs(5),
            partition: true,
            availability: Some(Availability::Total),
            seed,
            ..SimConfig::default()
        };
        let r = common::run(&cfg);
        assert_eq!(r.valid, Validity::True, "seed {seed}");
        let Some(u) = r.workload.get::<UniqueIdsResult>() else {
            panic!("a unique-ids result")
        };
        assert_eq!(u.duplicated_count, 0);
        assert_eq!(u.acknowledged_count, u.attempted_count);
        assert!(u.attempted_count > 4000, "{}", u.attempted_count);
        assert_eq!(r.availability.ok_fraction, Some(1.0));
    }
}
