//! txn-list-append end to end on the virtual clock, with the list-append test stores: the
//! correct one must be valid (strict serializable, Maelstrom's default), each broken one
//! invalid with its anomaly named (Elle's list-append analysis, `elle/list_append.clj`).

use crate::common;

use std::time::Duration;

use crate::common::list_append_stores::StoreKind;
use glomers_sim::report::document::ResultsJson;
use glomers_sim::report::output;
use glomers_sim::workloads::elle::kinds::AnomalyType as A;
use glomers_sim::workloads::txn_list_append::check::ListAppendResult;
use glomers_sim::workloads::txn_list_append::history::Outcome;
use glomers_sim::{Report, SimConfig, Validity, Workload};

/// The Datomic chapter's command, shortened: `-w txn-list-append --node-count 2 --rate 100`.
fn cfg(nodes: u16, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named("txn-list-append").expect("registered"),
        node_count: nodes,
        rate: 100.0,
        time_limit: Duration::from_secs(5),
        seed,
        ..SimConfig::default()
    }
}

fn run(cfg: &SimConfig, kind: StoreKind) -> Report {
    let cfg = SimConfig {
        nodes: kind.nodes(),
        ..cfg.clone()
    };
    glomers_sim::run(&cfg).expect("the test runs")
}

fn result(r: &Report) -> &ListAppendResult {
    r.workload
        .get::<ListAppendResult>()
        .expect("a list-append result")
}

#[test]
fn the_serial_store_is_strict_serializable_on_one_and_two_nodes() {
    for seed in common::SEEDS {
        for nodes in [1, 2] {
            let r = run(&cfg(nodes, seed), StoreKind::Serial);
            assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
            let res = result(&r);
            assert!(
                res.all_anomalies.is_empty(),
                "{:?}",
                res.all_anomalies.keys()
            );
            assert!(res.txns.len() > 300, "{}", res.txns.len());
            // One request and one reply per transaction, plus init and init_ok per node.
            assert_eq!(
                r.net.clients.msg_count,
                2 * u64::from(nodes) + 2 * r.op_count,
                "seed {seed}"
            );
        }
    }
}

/// Maelstrom's txn client: a transaction that times out is `:info` (it may have committed),
/// the thread keeps its client and goes on as a new process; definite errors are `:fail`
/// (`broken_stores_come_out_invalid_with_their_anomaly_named`, error 30).
#[test]
fn a_timed_out_transaction_is_info_and_the_client_is_kept() {
    let mut c = cfg(2, 4);
    c.rate = 10.0;
    c.time_limit = Duration::from_secs(20);
    c.nodes = glomers_sim::NodeKind::custom("n1 silent", |i| {
        if i == 1 {
            Box::new(common::Silent)
        } else {
            Box::new(common::list_append_stores::StoreNode::new(
                StoreKind::Serial,
            ))
        }
    });
    let r = glomers_sim::run(&c).expect("the test runs");
    let res = result(&r);
    let info = res
        .txns
        .iter()
        .filter(|t| t.outcome == Outcome::Info)
        .count();
    let ok = res.txns.iter().filter(|t| t.outcome == Outcome::Ok).count();
    assert!(info >= 3 && ok > 50, "{info} info, {ok} ok");
    assert!(!res.txns.iter().any(|t| t.outcome == Outcome::Fail));
    // Reusable: no client beyond the two init clients and the two workers.
    assert_eq!(r.clients_opened, 2 + 2);
    assert_eq!(r.valid, Validity::True, "{}", output::summary(&r));
}

#[test]
fn broken_stores_come_out_invalid_with_their_anomaly_named() {
    for seed in common::SEEDS {
        for (kind, nodes, rate, expected) in [
            (
                StoreKind::DirtyAborts,
                1,
                100.0,
                &[A::G1a, A::DirtyUpdate][..],
            ),
            (StoreKind::FirstAppendOnly, 1, 100.0, &[A::G1b]),
            (StoreKind::OwnAppendsInvisible, 1, 100.0, &[A::Internal]),
            (StoreKind::ReadsAhead, 1, 100.0, &[A::FutureRead]),
            (StoreKind::DoubleAppends, 1, 100.0, &[A::DuplicateElements]),
            (StoreKind::Divergent, 2, 100.0, &[A::IncompatibleOrder]),
            (StoreKind::NonAtomic, 1, 500.0, &[A::G0, A::G1c, A::GSingle]),
            (StoreKind::LateCommit, 1, 500.0, &[A::LostUpdate, A::G2Item]),
            (StoreKind::StaleFollowers, 2, 100.0, &[A::GSingleRealtime]),
        ] {
            let mut c = cfg(nodes, seed);
            c.rate = rate;
            c.concurrency = Some(10);
            let r = run(&c, kind);
            let res = result(&r);
            assert_eq!(r.valid, Validity::False, "{kind:?} seed {seed}");
            for a in expected {
                assert!(
                    res.anomaly_types.contains(a),
                    "{kind:?} seed {seed}: {a} not in {:?}",
                    res.anomaly_types
                );
            }
            let summary = output::summary(&r);
            assert!(summary.contains(&format!("{}", expected[0])), "{summary}");
            if kind == StoreKind::DirtyAborts {
                // Error 30 is definite: the transaction is :fail (aborted), not :info.
                assert!(res.txns.iter().any(|t| t.outcome == Outcome::Fail));
                assert!(!res.txns.iter().any(|t| t.outcome == Outcome::Info));
            }
        }
    }
}

#[test]
fn the_results_folder_holds_elles_files_described_and_the_history_in_edn() {
    let mut c = cfg(1, 1);
    c.rate = 500.0;
    c.concurrency = Some(10);
    let r = run(&c, StoreKind::NonAtomic);
    assert_eq!(r.valid, Validity::False);
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = output::to_json(&r);
    glomers_sim::present::results::write_run(dir.path(), &r, &doc, "summary\n").expect("written");
    assert!(dir.path().join("elle/G1c.txt").is_file());
    assert!(dir.path().join("elle/anomalies.html").is_file());
    let text = std::fs::read_to_string(dir.path().join("results.json")).expect("written");
    let back = ResultsJson::parse(&text).expect("it parses");
    let elle: Vec<_> = back
        .artifacts
        .iter()
        .filter(|a| a.file.starts_with("elle/"))
        .collect();
    assert!(elle.iter().any(|a| a.file == "elle/G1c.txt"), "{elle:?}");
    assert!(elle.iter().all(|a| !a.what.is_empty()), "{elle:?}");
    let keys: Vec<&str> = back.figures.iter().map(|f| f.key.as_str()).collect();
    assert!(keys.contains(&"all_anomaly_counts"), "{keys:?}");
    // Jepsen's form of a transaction, not the JSON one.
    let history = std::fs::read_to_string(dir.path().join("history.txt")).expect("written");
    assert!(history.contains(":txn\t[[:"), "{history:.300}");
}
