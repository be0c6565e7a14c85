//! Hand-written histories: each anomaly of Elle's list-append analysis must be found and
//! named, valid histories must pass, and Elle's `:unknown` cases must stay unknown.

use super::check::{ListAppendResult, Options, check};
use super::graph::{self, Indices};
use super::history::{Mop, Outcome, Txn, append as a, r, r_nil};
use super::kinds::{AnomalyType as A, Case, Rel};
use super::{anomalies, check_ops, present};
use crate::checkers::Validity;
use crate::history::{Op, OpType, OpValue, Process};
use crate::workloads::txn_rw_register::TXN;

fn ok(mops: Vec<Mop>) -> (Outcome, Vec<Mop>) {
    (Outcome::Ok, mops)
}
fn fail(mops: Vec<Mop>) -> (Outcome, Vec<Mop>) {
    (Outcome::Fail, mops)
}
fn info(mops: Vec<Mop>) -> (Outcome, Vec<Mop>) {
    (Outcome::Info, mops)
}

/// Transactions run one after another (each invoked after the previous completed).
fn serial(txns: Vec<(Outcome, Vec<Mop>)>) -> Vec<Txn> {
    txns.into_iter()
        .enumerate()
        .map(|(i, (o, m))| Txn::new(2 * i + 1, o, m))
        .collect()
}

/// Transactions all concurrent: every invocation before every completion.
fn concurrent(txns: Vec<(Outcome, Vec<Mop>)>) -> Vec<Txn> {
    let n = txns.len();
    txns.into_iter()
        .enumerate()
        .map(|(i, (o, m))| {
            let mut t = Txn::new(n + i, o, m);
            t.invoke_index = i;
            t.process = i as u64;
            t
        })
        .collect()
}

fn run(model: &str, txns: &[Txn]) -> ListAppendResult {
    check(&Options::models(&[model]), txns)
}

#[track_caller]
fn invalid_with(model: &str, txns: &[Txn], t: A) -> ListAppendResult {
    let res = run(model, txns);
    assert_eq!(res.valid, Validity::False, "{model}: {res:#?}");
    assert!(
        res.anomaly_types.contains(&t),
        "{model}: {t} missing: {res:#?}"
    );
    res
}

#[track_caller]
fn valid(model: &str, txns: &[Txn]) -> ListAppendResult {
    let res = run(model, txns);
    assert_eq!(res.valid, Validity::True, "{model}: {res:#?}");
    assert!(res.anomaly_types.is_empty());
    res
}

const SS: &str = "strict-serializable";

#[test]
fn a_serial_history_is_strict_serializable() {
    let h = serial(vec![
        ok(vec![r_nil(1), a(1, 1), a(2, 1)]),
        ok(vec![r(1, &[1]), a(1, 2), r(1, &[1, 2])]),
        fail(vec![a(3, 1)]),
        info(vec![a(2, 2)]),
        ok(vec![r(1, &[1, 2]), r(2, &[1, 2]), r(3, &[])]),
    ]);
    for m in [SS, "serializable", "snapshot-isolation", "read-committed"] {
        let res = valid(m, &h);
        assert!(res.all_anomalies.is_empty(), "{m}: {res:#?}");
    }
    assert_eq!(
        present::workload_edn(&run(SS, &h)),
        " :workload {:valid? true},\n"
    );
}

#[test]
fn an_element_of_a_failed_append_in_a_committed_read_is_g1a() {
    let h = serial(vec![
        fail(vec![a(1, 1)]),
        ok(vec![a(1, 2)]),
        ok(vec![r(1, &[1, 2])]),
    ]);
    let res = invalid_with("read-committed", &h, A::G1a);
    assert_eq!(
        res.anomalies[&A::G1a][0],
        Case::Read {
            op: 2,
            mop: r(1, &[1, 2]),
            writer: 0,
            element: 1
        }
    );
    // The failed append is followed by a committed one along key 1's order.
    assert!(res.anomaly_types.contains(&A::DirtyUpdate), "{res:#?}");
    let edn = present::workload_edn(&res);
    assert!(
        edn.contains(":dirty-update [ ; 1 case(s)")
            && edn.contains("{:key 1, :values [1 2], :txns [{:index 1, :type :fail"),
        "{edn}"
    );
    assert!(edn.contains(":not #{:read-committed}"), "{edn}");
}

#[test]
fn a_read_ending_at_an_intermediate_append_is_g1b_but_not_a_read_of_ones_own() {
    let h = serial(vec![
        ok(vec![a(1, 1), a(1, 2)]),
        ok(vec![r(1, &[1])]),
        ok(vec![r(1, &[1, 2])]),
    ]);
    let res = invalid_with("read-committed", &h, A::G1b);
    assert_eq!(res.anomalies[&A::G1b].len(), 1);
    let own = serial(vec![
        ok(vec![a(1, 1), r(1, &[1]), a(1, 2)]),
        ok(vec![r(1, &[1, 2])]),
    ]);
    assert!(!run(SS, &own).found(A::G1b));
}

#[test]
fn reads_disagreeing_with_the_txns_own_appends_are_internal() {
    for bad in [
        vec![a(1, 5), r(1, &[1])],
        vec![a(1, 5), r_nil(1)],
        vec![r(1, &[1]), r(1, &[1, 2])],
        vec![r_nil(1), a(1, 2), r(1, &[3, 2])],
        vec![r(1, &[]), r_nil(1)],
    ] {
        let h = serial(vec![ok(bad.clone())]);
        assert_eq!(anomalies::internal(&h).len(), 1, "{bad:?}");
    }
    for good in [
        vec![a(1, 5), r(1, &[3, 4, 5])],
        vec![
            r(1, &[1]),
            a(1, 2),
            r(1, &[1, 2]),
            a(1, 3),
            r(1, &[1, 2, 3]),
        ],
        vec![r_nil(1), r(1, &[7])],
    ] {
        let h = serial(vec![ok(good.clone())]);
        assert!(anomalies::internal(&h).is_empty(), "{good:?}");
    }
    let h = serial(vec![ok(vec![a(1, 1)]), ok(vec![a(1, 5), r(1, &[1])])]);
    let res = invalid_with(SS, &h, A::Internal);
    let edn = present::workload_edn(&res);
    assert!(edn.contains(":expected [... 5]"), "{edn}");
}

/// Elle's own two cases (`elle/list_append_test.clj`, "future read external" and "future
/// read internal"): a read holding an element the transaction appends later.
#[test]
fn a_read_of_the_txns_own_later_append_is_a_future_read() {
    // Read [0 1 2], then append 1: the read saw the future.
    let ext = serial(vec![ok(vec![r(1, &[0, 1, 2]), a(1, 1)])]);
    assert_eq!(
        anomalies::future_reads(&ext),
        vec![Case::FutureRead {
            op: 0,
            mop: r(1, &[0, 1, 2]),
            element: 1,
        }]
    );
    assert!(anomalies::internal(&ext).is_empty(), "not an internal case");
    // Append 1, read [0 1] (agrees with the append), append 0: element 0 was read first.
    let int = serial(vec![ok(vec![a(1, 1), r(1, &[0, 1]), a(1, 0), a(1, 3)])]);
    assert_eq!(
        anomalies::future_reads(&int),
        vec![Case::FutureRead {
            op: 0,
            mop: r(1, &[0, 1]),
            element: 0,
        }]
    );
    for good in [
        vec![r(1, &[0, 1]), a(1, 2)],
        vec![a(1, 2), r(1, &[2])],
        vec![r(2, &[5]), a(1, 5)],
        vec![r_nil(1), a(1, 1)],
    ] {
        let h = serial(vec![ok(good.clone())]);
        assert!(anomalies::future_reads(&h).is_empty(), "{good:?}");
    }
    // Only committed transactions count.
    let h = serial(vec![info(vec![r(1, &[0, 1, 2]), a(1, 1)])]);
    assert!(anomalies::future_reads(&h).is_empty());
    // It implies G1c: read committed and everything above it forbid it; read uncommitted not.
    let h = serial(vec![
        ok(vec![a(1, 0)]),
        ok(vec![a(1, 2)]),
        ok(vec![r(1, &[0, 2, 1]), a(1, 1)]),
    ]);
    for model in [SS, "serializable", "read-committed"] {
        let res = invalid_with(model, &h, A::FutureRead);
        assert!(res.not.contains(&"read-committed"), "{res:#?}");
    }
    assert_eq!(run("read-uncommitted", &h).valid, Validity::True);
    let edn = present::workload_edn(&run(SS, &h));
    assert!(edn.contains(":future-read"), "{edn}");
    assert!(edn.contains(":element 1"), "{edn}");
}

#[test]
fn an_element_twice_in_one_read_is_duplicate_elements() {
    let h = serial(vec![ok(vec![a(1, 1)]), ok(vec![r(1, &[1, 1])])]);
    let res = invalid_with("read-uncommitted", &h, A::DuplicateElements);
    let Case::Duplicates { duplicates, .. } = &res.anomalies[&A::DuplicateElements][0] else {
        panic!("{res:#?}")
    };
    assert_eq!(duplicates.get(&1), Some(&2));
}

#[test]
fn reads_that_are_not_prefixes_of_one_another_are_an_incompatible_order() {
    let h = serial(vec![
        ok(vec![a(1, 1)]),
        ok(vec![a(1, 2)]),
        ok(vec![a(1, 3)]),
        ok(vec![r(1, &[1, 2])]),
        ok(vec![r(1, &[1, 3, 2])]),
    ]);
    let res = invalid_with("read-committed", &h, A::IncompatibleOrder);
    assert_eq!(
        res.anomalies[&A::IncompatibleOrder],
        [Case::IncompatibleOrder {
            key: 1,
            values: [vec![1, 2], vec![1, 3, 2]]
        }]
    );
    let files = present::artifacts(&res);
    let page = files
        .iter()
        .find(|f| f.file_name == "elle/incompatible-order/1.html")
        .expect("the key's page");
    assert_eq!(page.what, "every read of key 1 against its longest read");
    let page = String::from_utf8_lossy(&page.contents);
    assert!(page.contains("<td class=\"bad\">2</td>"), "{page}");
}

#[test]
fn committed_txns_reading_the_same_state_and_both_appending_are_a_lost_update() {
    let h = concurrent(vec![
        ok(vec![r(1, &[]), a(1, 1)]),
        ok(vec![r(1, &[]), a(1, 2)]),
        ok(vec![r(1, &[1, 2])]),
    ]);
    let res = invalid_with("repeatable-read", &h, A::LostUpdate);
    assert_eq!(
        res.anomalies[&A::LostUpdate],
        [Case::LostUpdate {
            key: 1,
            value: Some(vec![]),
            txns: vec![0, 1]
        }]
    );
    // Read committed allows it.
    assert_eq!(run("read-committed", &h).valid, Validity::True);
}

#[test]
fn appends_ordered_both_ways_on_two_keys_are_g0() {
    let h = concurrent(vec![
        ok(vec![a(1, 1), a(2, 2)]),
        ok(vec![a(1, 3), a(2, 4)]),
        ok(vec![r(1, &[1, 3]), r(2, &[4, 2])]),
    ]);
    let res = invalid_with("read-uncommitted", &h, A::G0);
    let Case::Cycle { steps } = &res.anomalies[&A::G0][0] else {
        panic!("{res:#?}")
    };
    assert!(steps.iter().all(|s| s.rel == Rel::Ww), "{steps:?}");
    let text = present::cycle_text(&res, steps);
    assert!(text.starts_with("Let:\n  T1 = {:index"), "{text}");
    assert!(text.contains("appended"), "{text}");
    assert!(text.ends_with(": a contradiction!"), "{text}");
}

#[test]
fn transactions_reading_each_others_appends_are_g1c() {
    let h = concurrent(vec![
        ok(vec![a(1, 1), r(2, &[2])]),
        ok(vec![a(2, 2), r(1, &[1])]),
    ]);
    invalid_with("read-committed", &h, A::G1c);
}

#[test]
fn read_skew_is_g_single_and_write_skew_g2_item() {
    let skew = concurrent(vec![
        ok(vec![r(1, &[]), r(2, &[2])]),
        ok(vec![a(1, 1), a(2, 2)]),
    ]);
    let res = invalid_with("serializable", &skew, A::GSingle);
    assert_eq!(res.not, ["consistent-view"], "{res:#?}");
    valid("read-committed", &skew);
    let write_skew = concurrent(vec![
        ok(vec![r(1, &[]), a(2, 1)]),
        ok(vec![r(2, &[]), a(1, 1)]),
    ]);
    let res = invalid_with("serializable", &write_skew, A::G2Item);
    assert!(!res.found(A::GSingle));
    valid("snapshot-isolation", &write_skew);
}

#[test]
fn a_stale_read_after_a_completed_append_is_g_single_realtime() {
    let h = serial(vec![ok(vec![a(1, 1)]), ok(vec![r(1, &[])])]);
    let res = invalid_with(SS, &h, A::GSingleRealtime);
    assert!(!res.found(A::GSingle));
    valid("serializable", &h);
    // Under a session model, the same client's order shows it instead.
    let res = invalid_with("strong-session-serializable", &h, A::GSingleProcess);
    assert!(!res.found(A::GSingleRealtime));
}

#[test]
fn an_info_txn_is_a_vertex_and_a_never_read_append_follows_the_last_read_element() {
    let h = serial(vec![
        info(vec![a(1, 1)]),
        ok(vec![r(1, &[1])]),
        ok(vec![a(1, 2)]),
    ]);
    let sorted = anomalies::possible_values(&h);
    let ix = Indices::of(
        &h,
        anomalies::append_index(&sorted),
        graph::writers(&h).expect("unique"),
    );
    let g = graph::build(&h, &ix);
    assert_eq!(g.mask(0, 1), Rel::Wr.bit(), "info appender → reader");
    assert_eq!(g.mask(0, 2), Rel::Ww.bit(), "2 was never read: after 1");
    assert_eq!(
        g.mask(1, 2),
        Rel::Rw.bit(),
        "the reader of [1] → the appender of 2"
    );
    valid(SS, &h);
    // Null reads of :info transactions are no reads.
    let h = serial(vec![info(vec![r_nil(1)]), ok(vec![a(1, 1)])]);
    let ix = Indices::of(
        &h,
        anomalies::append_index(&sorted),
        graph::writers(&h).expect("unique"),
    );
    assert!(graph::build(&h, &ix).edges.is_empty());
}

#[test]
fn an_empty_graph_and_a_cycle_search_out_of_budget_are_unknown() {
    let h = serial(vec![ok(vec![a(1, 1)])]);
    let res = run(SS, &h);
    assert_eq!(res.valid, Validity::Unknown, "{res:#?}");
    assert_eq!(res.anomaly_types, [A::EmptyTransactionGraph]);
    let g1c = concurrent(vec![
        ok(vec![a(1, 1), r(2, &[2])]),
        ok(vec![a(2, 2), r(1, &[1])]),
    ]);
    let opts = Options {
        cycle_search_budget: 0,
        ..Options::models(&["read-uncommitted"])
    };
    let res = check(&opts, &g1c);
    assert_eq!(res.valid, Validity::Unknown, "{res:#?}");
    assert!(res.anomaly_types.contains(&A::CycleSearchTimeout));
    assert!(res.found(A::G1c), "the fallback cycle is still reported");
}

#[test]
fn bad_histories_and_models_make_the_analysis_unknown() {
    let twice = serial(vec![ok(vec![a(1, 1)]), ok(vec![a(1, 1)])]);
    let res = run(SS, &twice);
    assert_eq!(res.valid, Validity::Unknown);
    assert!(
        res.error
            .as_deref()
            .unwrap_or("")
            .contains("multiple times")
    );
    let invented = serial(vec![ok(vec![a(1, 1)]), ok(vec![r(1, &[1, 9])])]);
    let res = run(SS, &invented);
    assert_eq!(res.valid, Validity::Unknown);
    assert!(
        res.error
            .as_deref()
            .unwrap_or("")
            .contains("No transaction wrote 1 9")
    );
    let res = run("read-committed,serializable", &serial(vec![]));
    assert_eq!(res.valid, Validity::Unknown);
    // An f other than r/append anywhere in the history.
    let op = |index, kind, value: &str| Op {
        index,
        kind,
        f: TXN,
        value: OpValue::Json(serde_json::from_str(value).expect("json")),
        process: Process::Client(0),
        time_ns: index as u64,
        error: None,
        final_read: false,
    };
    let ops = [
        op(0, OpType::Invoke, r#"[["w",1,1]]"#),
        op(1, OpType::Ok, r#"[["w",1,1]]"#),
    ];
    let res = check_ops(&Options::default(), &ops);
    assert_eq!(res.valid, Validity::Unknown);
    assert!(
        res.error
            .as_deref()
            .unwrap_or("")
            .contains("other than appends or reads")
    );
}

#[test]
fn cycles_are_written_as_elle_text_and_drawn() {
    let h = concurrent(vec![
        ok(vec![a(1, 1), r(2, &[2])]),
        ok(vec![a(2, 2), r(1, &[1])]),
    ]);
    let res = run(SS, &h);
    let files = present::artifacts(&res);
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    assert!(files.iter().all(|f| !f.what.is_empty()), "{files:?}");
    assert!(names.contains(&"elle/G1c.txt"), "{names:?}");
    let text = String::from_utf8_lossy(
        &files[names.iter().position(|n| *n == "elle/G1c.txt").unwrap_or(0)].contents,
    )
    .to_string();
    assert!(text.starts_with("G1c #0\nLet:\n"), "{text}");
    assert!(text.contains("observed T"), "{text}");
    let html = files
        .iter()
        .find(|f| f.file_name == "elle/anomalies.html")
        .expect("page");
    let html = String::from_utf8_lossy(&html.contents);
    assert!(html.contains("<svg") && html.contains("G1c #0"), "{html}");
}
