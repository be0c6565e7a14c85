//! The extra faults of `--faults`: pauses hold a node's input until it resumes, every fault
//! ends with the main phase, and a faulty run replays exactly from its seed and spec.

use crate::common;

use std::time::Duration;

use glomers::Time;
use glomers_sim::{Cluster, Faults, SimConfig, Workload};
use serde_json::Value;

fn echo_with(faults: &str, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::ECHO,
        node_count: 3,
        rate: 50.0,
        time_limit: Duration::from_secs(10),
        seed,
        faults: faults.parse().expect("valid spec"),
        ..SimConfig::default()
    }
}

#[test]
fn a_paused_node_reads_nothing_until_it_resumes_then_everything_in_order() {
    let cfg = echo_with("pause=1:2", 4);
    let mut cluster = Cluster::new(&cfg).expect("valid");
    let mut paused_at: Vec<Option<Time>> = vec![None; 3];
    let (mut released, mut pauses) = (0, 0);
    while !cluster.is_done() {
        let Some(t) = cluster.next_event_time() else {
            break;
        };
        cluster.advance(t);
        // Pauses started by this step, and lines released by a resume at this very instant.
        let mut burst = [0usize; 3];
        while let Some(d) = cluster.poll_delivery() {
            let node = usize::from(d.node);
            assert_eq!(
                cluster.paused_until(d.node),
                None,
                "delivered to a paused node"
            );
            burst[node] += 1;
            let m: Value = serde_json::from_slice(&d.line).expect("JSON");
            for line in common::polite(&m) {
                cluster.on_node_line(t, d.node, line.as_bytes());
            }
        }
        for node in 0..3u16 {
            let i = usize::from(node);
            match (paused_at[i], cluster.paused_until(node)) {
                (None, Some(until)) => {
                    assert_eq!(until, t + Duration::from_secs(1), "pauses last 1 s");
                    paused_at[i] = Some(t);
                    pauses += 1;
                }
                (Some(_), None) => {
                    paused_at[i] = None;
                    released += burst[i];
                }
                _ => {}
            }
        }
    }
    assert!(pauses >= 3, "{pauses} pauses");
    assert!(
        released > 0,
        "held requests came out when their node resumed"
    );
    let report = cluster.finish().expect("ran");
    assert_eq!(report.fault_counts.pauses, pauses);
    // A pause of 1 s is shorter than a client's 5 s timeout: every request was answered.
    assert_eq!(report.stats.total.info_count, 0);
    assert_eq!(report.stats.total.ok_count, report.stats.total.count);
}

#[test]
fn faults_end_with_the_main_phase() {
    let mut cfg = common::broadcast(5, 20.0, 5, 10, 8);
    cfg.faults = "loss=1".parse().expect("valid");
    let report = common::run(&cfg);
    // Everything node↔node is lost during the main phase; the recovery period's resends get
    // through and every value reaches every node.
    assert!(report.fault_losses > 0);
    common::assert_broadcast_valid(&report);
}

fn trace(faults: &str, seed: u64) -> Vec<u8> {
    let mut cfg = common::broadcast(9, 50.0, 5, 50, seed);
    cfg.faults = faults.parse().expect("valid");
    cfg.trace = true;
    common::run(&cfg).trace.expect("traced")
}

#[test]
fn a_faulty_run_replays_exactly_from_seed_and_spec() {
    let all = "loss=0.1,dup=0.1,reorder=0.3:300,spike=0.05:800,oneway=1,pause=0.5:2";
    let spec: Faults = all.parse().expect("valid");
    assert_eq!(
        spec.to_string(),
        all,
        "the spec printed for a replay is the one run"
    );
    let a = trace(all, 5);
    assert!(a == trace(all, 5), "same seed and spec, same trace");
    assert!(a != trace(all, 6), "another seed, another trace");
    assert!(a != trace("loss=0.1", 5), "other faults, another trace");
}
