//! Maelstrom reads every node 10 s after the heal. A batch sent just before the heal (lost to
//! the partition or to message loss) is resent only when its backed-off retry timeout expires,
//! so that timeout's cap must leave the resent value time to cross the overlay before the
//! final reads. With a 10 s cap, these three campaign runs lost values by a few ms.

use std::time::Duration;

use glomers::config::{NodeConfig, PRESETS};
use glomers_sim::campaign::{self, FaultKind, NemesisSpec, Run};
use glomers_sim::{Faults, Workload};

fn run(seed: u64, kind: FaultKind, faults: &str, partition: Option<u64>) -> Run {
    Run {
        workload: Workload::BROADCAST,
        preset: "star-no-fallback".into(),
        kind,
        seed,
        faults: faults.parse::<Faults>().expect("valid"),
        nemesis: partition.map(|s| NemesisSpec {
            partition: true,
            kill: false,
            interval: Duration::from_secs(s),
        }),
        node_count: 5,
        time_limit: Duration::from_secs(10),
        rate: 20.0,
        latency_ms: 20,
    }
}

#[test]
fn values_sent_just_before_the_heal_reach_every_final_read() {
    let mixed = "loss=0.07,dup=0.05,reorder=0.2:300,spike=0.02:1000,oneway=6,pause=4:8";
    for r in [
        run(78, FaultKind::Partition, "none", Some(4)),
        run(66, FaultKind::Loss, "loss=0.21", None),
        run(163, FaultKind::Mixed, mixed, Some(5)),
    ] {
        let outcome = campaign::execute(&r);
        assert!(
            outcome.violations.is_empty(),
            "{:?}\nreplay: {}",
            outcome.violations,
            r.command()
        );
    }
}

#[test]
fn every_preset_caps_its_retry_timeout_well_inside_the_recovery_wait() {
    for (name, text) in PRESETS {
        let c = NodeConfig::from_toml(text, name).expect("parses");
        // The resent value still needs up to a round per level of the overlay, and a hop each.
        // A round never exceeds the latency budget (nor a pinned tick); a hop at Maelstrom's
        // standard 100 ms unless pinned.
        let round = c
            .timing
            .tick_ms
            .or(c.timing.max_latency_ms)
            .expect("one is set");
        let crossing = 2 * (round + c.timing.hop_ms.unwrap_or(100));
        assert!(
            c.retry.max_timeout_ms + crossing <= 10_000,
            "{name}: a value resent {} ms after the heal may miss the final reads",
            c.retry.max_timeout_ms
        );
    }
}
