//! txn-rw-register end to end on the virtual clock, with the test stores: the correct ones
//! must be valid, each broken one invalid with its anomaly named (workloads spec §5, checklist
//! §9.12–15).

mod common;

use std::time::Duration;

use glomers::Time;
use glomers_sim::present::output;
use glomers_sim::workloads::txn_rw_register::elle::kinds::AnomalyType as A;
use glomers_sim::workloads::txn_rw_register::stores::{StoreKind, StoreNode};
use glomers_sim::workloads::txn_rw_register::{TxnSettings, split_models};
use glomers_sim::{Availability, Cluster, Report, SimConfig, Validity, Workload};
use serde_json::{Value, json};

/// Fly.io's 6b/6c shape: `--concurrency 2n --rate 1000`, shortened.
fn cfg(nodes: u16, models: &str, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::TxnRwRegister,
        node_count: nodes,
        concurrency: Some(2 * usize::from(nodes)),
        rate: 1000.0,
        time_limit: Duration::from_secs(3),
        seed,
        txn: TxnSettings {
            consistency_models: split_models(models),
            ..TxnSettings::default()
        },
        ..SimConfig::default()
    }
}

/// Runs `cfg` with one `kind` store per node (timers included) on the cluster core.
fn run(cfg: &SimConfig, kind: StoreKind) -> Report {
    let mut nodes: Vec<StoreNode> = (0..cfg.node_count).map(|_| StoreNode::new(kind)).collect();
    let mut cluster = Cluster::new(cfg).expect("valid config");
    let send = |cluster: &mut Cluster, t: Time, node: usize, out: Vec<(String, Value)>| {
        for (dest, body) in out {
            let line = json!({"src": format!("n{node}"), "dest": dest, "body": body});
            cluster.on_node_line(t, node as u16, line.to_string().as_bytes());
        }
    };
    while !cluster.is_done() {
        let timer = nodes.iter().filter_map(StoreNode::deadline_us).min();
        let t = match (cluster.next_event_time(), timer.map(Time::from_micros)) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
        cluster.advance(t);
        for (i, node) in nodes.iter_mut().enumerate() {
            if node.deadline_us().is_some_and(|d| d <= t.as_micros()) {
                let out = node.on_timer(t.as_micros());
                send(&mut cluster, t, i, out);
            }
        }
        while let Some(d) = cluster.poll_delivery() {
            let m: Value = serde_json::from_slice(&d.line).expect("Maelstrom sends JSON");
            let body = m["body"].as_object().cloned().unwrap_or_default();
            let src = m["src"].as_str().unwrap_or("");
            let out = nodes[usize::from(d.node)].on_message(t.as_micros(), src, &body);
            send(&mut cluster, t, usize::from(d.node), out);
        }
    }
    cluster.finish().expect("the test runs")
}

fn anomalies(r: &Report) -> Vec<A> {
    r.txn().expect("a txn report").anomaly_types.clone()
}

#[test]
fn a_single_node_serial_store_passes_6a_with_every_txn_ok() {
    for seed in common::SEEDS {
        let mut c = cfg(1, "read-uncommitted", seed);
        c.availability = Some(Availability::Total);
        let r = run(&c, StoreKind::Serial);
        assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
        assert_eq!(r.availability.ok_fraction, Some(1.0));
        assert_eq!(r.net.servers.msg_count, 0, "no server messages on one node");
        assert!(r.txn().expect("txn").txns.len() > 2000);
    }
}

#[test]
fn a_totally_available_lww_store_passes_6b_and_6c_under_partitions() {
    let mut drops = 0;
    for seed in common::SEEDS {
        for models in ["read-uncommitted", "read-committed"] {
            let mut c = cfg(2, models, seed);
            c.availability = Some(Availability::Total);
            c.partition = true;
            c.nemesis_interval = Duration::from_secs(1);
            let r = run(&c, StoreKind::Lww);
            assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
            assert!(r.net.servers.msg_count > 0);
            drops += r.partition_drops;
        }
    }
    assert!(drops > 0, "partitions cut some replication");
}

#[test]
fn broken_stores_come_out_invalid_with_their_anomaly_named() {
    for seed in common::SEEDS {
        for (kind, models, anomaly) in [
            (StoreKind::DirtyAborts, "read-committed", A::G1a),
            (StoreKind::FirstWriteWins, "read-committed", A::G1b),
            (StoreKind::DelayedReads, "read-committed", A::G1c),
            (StoreKind::LosesWrites, "repeatable-read", A::LostUpdate),
        ] {
            let r = run(&cfg(2, models, seed), kind);
            assert_eq!(r.valid, Validity::False, "{kind:?} seed {seed}");
            assert!(
                anomalies(&r).contains(&anomaly),
                "{kind:?} seed {seed}: {:?}",
                anomalies(&r)
            );
            let summary = output::summary(&r);
            assert!(summary.contains(&format!("{anomaly}")), "{summary}");
        }
    }
}

#[test]
fn read_uncommitted_lets_aborted_intermediate_and_cyclic_reads_pass_as_maelstrom_does() {
    for kind in [
        StoreKind::DirtyAborts,
        StoreKind::FirstWriteWins,
        StoreKind::DelayedReads,
    ] {
        let r = run(&cfg(1, "read-uncommitted", 3), kind);
        assert_eq!(r.txn().expect("txn").valid, Validity::True, "{kind:?}");
        assert!(!r.txn().expect("txn").all_anomalies.is_empty(), "{kind:?}");
    }
    // Lost writes are allowed by read committed, in Maelstrom too.
    let r = run(&cfg(1, "read-committed", 3), StoreKind::LosesWrites);
    assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
}
