//! txn-rw-register end to end on the virtual clock, with the test stores: the correct ones
//! must be valid, each broken one invalid with its anomaly named (workloads spec §5, checklist
//! §9.12–15).

use crate::common;

use std::time::Duration;

use crate::common::txn_stores::StoreKind;
use glomers_sim::report::output;
use glomers_sim::workloads::txn_rw_register::elle::kinds::AnomalyType as A;
use glomers_sim::{Availability, Report, SimConfig, Validity, Workload};

/// Fly.io's 6b/6c shape: `--concurrency 2n --rate 1000`, shortened.
fn cfg(nodes: u16, models: &str, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named("txn-rw-register").expect("registered"),
        node_count: nodes,
        concurrency: Some(2 * usize::from(nodes)),
        rate: 1000.0,
        time_limit: Duration::from_secs(3),
        seed,
        workload_options: [("consistency-models".to_string(), models.to_string())].into(),
        ..SimConfig::default()
    }
}

/// Runs `cfg` with one `kind` store per node, in process on the virtual clock.
fn run(cfg: &SimConfig, kind: StoreKind) -> Report {
    let cfg = SimConfig {
        nodes: kind.nodes(),
        ..cfg.clone()
    };
    glomers_sim::run(&cfg).expect("the test runs")
}

fn anomalies(r: &Report) -> Vec<A> {
    r.workload
        .get::<glomers_sim::workloads::txn_rw_register::elle::ElleResult>()
        .expect("a txn report")
        .anomaly_types
        .clone()
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
        assert!(
            r.workload
                .get::<glomers_sim::workloads::txn_rw_register::elle::ElleResult>()
                .expect("txn")
                .txns
                .len()
                > 2000
        );
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
        assert_eq!(
            r.workload
                .get::<glomers_sim::workloads::txn_rw_register::elle::ElleResult>()
                .expect("txn")
                .valid,
            Validity::True,
            "{kind:?}"
        );
        assert!(
            !r.workload
                .get::<glomers_sim::workloads::txn_rw_register::elle::ElleResult>()
                .expect("txn")
                .all_anomalies
                .is_empty(),
            "{kind:?}"
        );
    }
    // Lost writes are allowed by read committed, in Maelstrom too.
    let r = run(&cfg(1, "read-committed", 3), StoreKind::LosesWrites);
    assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
}

#[test]
fn the_transactions_plot_shows_outcomes_and_the_anomalies_found() {
    let transactions_svg = |r: &Report| {
        glomers_sim::present::plot::render(r)
            .expect("plots render")
            .into_iter()
            .find(|p| p.file_name == "transactions.svg")
            .expect("a transactions plot")
            .svg
    };
    let svg = transactions_svg(&run(&cfg(1, "read-committed", 1), StoreKind::DirtyAborts));
    for text in [
        "fail (aborted)",
        "ok",
        ":G1a (",
        "checked against read-committed",
    ] {
        assert!(svg.contains(text), "{text} missing");
    }
    let svg = transactions_svg(&run(&cfg(1, "read-committed", 1), StoreKind::Serial));
    assert!(svg.contains("anomalies: none found") || svg.contains("allowed"));
    assert!(!svg.contains("fail (aborted)"), "no aborts, no layer");
}

#[test]
fn strict_serializable_maelstroms_default_needs_real_time_order() {
    // One serial node is strict-serializable; replicas that answer before hearing from each
    // other serve stale reads, which only real-time edges expose.
    let mut c = cfg(1, "strict-serializable", 1);
    c.workload_options.clear();
    let r = run(&c, StoreKind::Serial);
    assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
    let mut c = cfg(2, "strict-serializable", 1);
    c.latency_ms = 10;
    let r = run(&c, StoreKind::Lww);
    let types = anomalies(&r);
    assert_eq!(r.valid, Validity::False, "{types:?}");
    assert!(
        types.iter().any(|t| t.name().ends_with("-realtime")),
        "{types:?}"
    );
    c.workload_options = [("consistency-models".into(), "serializable".into())].into();
    let r = run(&c, StoreKind::Lww);
    assert!(
        anomalies(&r)
            .iter()
            .all(|t| !t.name().ends_with("-realtime"))
    );
}
