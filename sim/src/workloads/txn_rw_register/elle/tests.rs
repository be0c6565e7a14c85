//! Hand-built histories: each anomaly must be found and named, valid histories must pass.

use super::history::{Mop, Outcome, Txn, r, w};
use super::kinds::{AnomalyType as A, Case, Rel, Step};
use super::{Options, check};
use crate::checkers::Validity;
use crate::workloads::elle::cycles::cycle_type;

pub(super) fn ok(mops: Vec<Mop>) -> (Outcome, Vec<Mop>) {
    (Outcome::Ok, mops)
}
fn fail(mops: Vec<Mop>) -> (Outcome, Vec<Mop>) {
    (Outcome::Fail, mops)
}
fn info(mops: Vec<Mop>) -> (Outcome, Vec<Mop>) {
    (Outcome::Info, mops)
}

pub(super) fn history(txns: Vec<(Outcome, Vec<Mop>)>) -> Vec<Txn> {
    txns.into_iter()
        .enumerate()
        .map(|(i, (o, m))| Txn::new(2 * i + 1, o, m))
        .collect()
}

/// A committed write and a committed read of it on key 99, so the graph is never empty.
fn with_edge(mut txns: Vec<(Outcome, Vec<Mop>)>) -> Vec<Txn> {
    txns.push(ok(vec![w(99, 1)]));
    txns.push(ok(vec![r(99, Some(1))]));
    history(txns)
}

pub(super) fn opts(model: &str) -> Options {
    Options {
        consistency_models: vec![model.to_string()],
    }
}

pub(super) const RU: &str = "read-uncommitted";
pub(super) const RC: &str = "read-committed";

#[track_caller]
fn invalid_with(model: &str, txns: &[Txn], t: A) -> super::ElleResult {
    let res = check(&opts(model), txns);
    assert_eq!(res.valid, Validity::False, "{model}: {res:#?}");
    assert!(
        res.anomaly_types.contains(&t),
        "{model}: {t} missing: {res:#?}"
    );
    res
}

#[track_caller]
pub(super) fn valid(model: &str, txns: &[Txn]) -> super::ElleResult {
    let res = check(&opts(model), txns);
    assert_eq!(res.valid, Validity::True, "{model}: {res:#?}");
    assert!(res.anomaly_types.is_empty() && res.anomalies.is_empty());
    res
}

#[test]
fn a_serial_history_is_valid_under_every_supported_model() {
    let h = history(vec![
        ok(vec![w(1, 1), r(2, None)]),
        ok(vec![r(1, Some(1)), w(1, 2), w(2, 1)]),
        ok(vec![r(1, Some(2)), r(2, Some(1))]),
    ]);
    for m in [
        RU,
        RC,
        "serializable",
        "snapshot-isolation",
        "repeatable-read",
    ] {
        let res = valid(m, &h);
        assert!(res.all_anomalies.is_empty(), "{m}: {res:#?}");
    }
}

#[test]
fn an_aborted_read_is_g1a_under_read_committed_and_reported_only_there() {
    let h = with_edge(vec![fail(vec![w(1, 1), w(2, 5)]), ok(vec![r(1, Some(1))])]);
    let res = invalid_with(RC, &h, A::G1a);
    assert_eq!(
        res.anomalies[&A::G1a],
        vec![Case::Read {
            op: 1,
            mop: r(1, Some(1)),
            writer: 0
        }]
    );
    assert_eq!(res.not, ["read-committed"]);
    let ru = valid(RU, &h);
    assert!(ru.found(A::G1a), "found but not reportable under RU");
}

#[test]
fn a_timed_out_writer_never_makes_an_aborted_read() {
    let h = with_edge(vec![info(vec![w(1, 1)]), ok(vec![r(1, Some(1))])]);
    assert!(!valid(RC, &h).found(A::G1a));
}

#[test]
fn an_intermediate_read_is_g1b_whatever_the_writer_outcome() {
    for writer in [ok(vec![w(1, 1), w(1, 2)]), info(vec![w(1, 1), w(1, 2)])] {
        let h = with_edge(vec![writer, ok(vec![r(1, Some(1))])]);
        let res = invalid_with(RC, &h, A::G1b);
        assert_eq!(
            res.anomalies[&A::G1b],
            vec![Case::Read {
                op: 1,
                mop: r(1, Some(1)),
                writer: 0
            }]
        );
        valid(RU, &h);
    }
    // Reading one's own intermediate write is fine.
    let own = with_edge(vec![ok(vec![w(1, 1), r(1, Some(1)), w(1, 2)])]);
    assert!(!valid(RC, &own).found(A::G1b));
}

#[test]
fn a_write_read_cycle_is_g1c() {
    let h = history(vec![
        ok(vec![w(1, 1), r(2, Some(1))]),
        ok(vec![w(2, 1), r(1, Some(1))]),
    ]);
    let res = invalid_with(RC, &h, A::G1c);
    let Case::Cycle { steps } = &res.anomalies[&A::G1c][0] else {
        panic!("a cycle case");
    };
    assert_eq!(steps.len(), 2);
    assert!(steps.iter().all(|s| s.rel == Rel::Wr));
    valid(RU, &h);
}

#[test]
fn a_write_cycle_is_reported_as_g1c_not_g0_as_on_maelstrom_0_2_3() {
    // T0 and T1 each overwrite a value the other wrote (writes follow reads on keys 1, 2).
    let h = history(vec![
        ok(vec![r(2, Some(1)), w(2, 2), w(1, 1)]),
        ok(vec![r(1, Some(1)), w(1, 2), w(2, 1)]),
    ]);
    let res = invalid_with(RC, &h, A::G1c);
    assert!(!res.found(A::G0), "{res:#?}");
    // The cycle's edges are ww as well as wr; read-uncommitted only forbids G0, so it passes.
    let ru = valid(RU, &h);
    assert!(ru.found(A::G1c));
}

#[test]
fn cycles_are_typed_from_their_explanations() {
    let step = |rel| Step {
        from: 0,
        to: 1,
        rel,
        key: 1,
        value: None,
        value2: Some(1),
    };
    let t = |rels: &[Rel]| cycle_type(&rels.iter().map(|&r| step(r)).collect::<Vec<_>>());
    assert_eq!(t(&[Rel::Ww, Rel::Ww]), A::G0);
    assert_eq!(t(&[Rel::Ww, Rel::Wr]), A::G1c);
    assert_eq!(t(&[Rel::Rw, Rel::Wr]), A::GSingle);
    assert_eq!(t(&[Rel::Rw, Rel::Rw]), A::G2Item);
    assert_eq!(t(&[Rel::Rw, Rel::Wr, Rel::Rw, Rel::Wr]), A::GNonadjacent);
    assert_eq!(
        t(&[Rel::Rw, Rel::Wr, Rel::Wr, Rel::Rw]),
        A::G2Item,
        "adjacent across the wrap"
    );
}

#[test]
fn one_anti_dependency_in_a_cycle_is_g_single_allowed_by_read_committed() {
    // T0 read key 1 as null, T1 wrote key 1 and key 2, T0 read T1's key 2.
    let h = history(vec![
        ok(vec![r(1, None), r(2, Some(1))]),
        ok(vec![w(1, 1), w(2, 1)]),
    ]);
    let res = valid(RC, &h);
    assert!(res.found(A::GSingle), "{res:#?}");
    invalid_with("serializable", &h, A::GSingle);
    invalid_with("snapshot-isolation", &h, A::GSingle);
}

#[test]
fn two_adjacent_anti_dependencies_are_g2_item_and_separated_ones_g_nonadjacent() {
    let skew = history(vec![
        ok(vec![r(1, None), w(2, 1)]),
        ok(vec![r(2, None), w(1, 1)]),
    ]);
    assert!(valid(RC, &skew).found(A::G2Item));
    invalid_with("serializable", &skew, A::G2Item);

    let h = history(vec![
        ok(vec![r(1, None), r(4, Some(1))]),
        ok(vec![w(1, 1), w(2, 1)]),
        ok(vec![r(2, Some(1)), r(3, None)]),
        ok(vec![w(3, 1), w(4, 1)]),
    ]);
    let res = valid(RC, &h);
    assert!(res.found(A::GNonadjacent), "{res:#?}");
    invalid_with("snapshot-isolation", &h, A::GNonadjacent);
}

#[test]
fn internal_inconsistency_and_lost_updates_are_found_but_not_reportable_under_rc() {
    let h = with_edge(vec![ok(vec![w(1, 1), r(1, Some(2))])]);
    let res = valid(RC, &h);
    assert_eq!(
        res.all_anomalies[&A::Internal],
        vec![Case::Internal {
            op: 0,
            mop: r(1, Some(2)),
            expected: Some(1)
        }]
    );
    invalid_with("serializable", &h, A::Internal);

    let lost = history(vec![
        ok(vec![w(1, 1)]),
        ok(vec![r(1, Some(1)), w(1, 2)]),
        ok(vec![r(1, Some(1)), w(1, 3)]),
    ]);
    let res = valid(RC, &lost);
    assert_eq!(
        res.all_anomalies[&A::LostUpdate],
        vec![Case::LostUpdate {
            key: 1,
            value: Some(1),
            txns: vec![1, 2]
        }]
    );
    invalid_with("repeatable-read", &lost, A::LostUpdate);
}

#[test]
fn cyclic_versions_fail_both_models_and_drop_every_wfr_edge() {
    let h = history(vec![
        ok(vec![r(1, Some(2)), w(1, 1)]),
        ok(vec![r(1, Some(1)), w(1, 2)]),
        ok(vec![w(2, 1)]),
        ok(vec![r(2, Some(1)), w(2, 2)]),
    ]);
    for m in [RU, RC] {
        let res = invalid_with(m, &h, A::CyclicVersions);
        assert_eq!(
            res.anomalies[&A::CyclicVersions],
            vec![Case::CyclicVersions {
                key: 1,
                scc: vec![Some(1), Some(2)],
                sources: vec!["initial-state", "wfr-keys"]
            }]
        );
    }
    let v = super::versions::infer(&h);
    assert_eq!(v.sources, ["initial-state"]);
    assert!(
        !v.precedes(2, Some(1), Some(2)),
        "key 2's wfr edge is dropped too"
    );
    assert!(super::versions::infer(&h[2..]).precedes(2, Some(1), Some(2)));
}

#[test]
fn a_history_without_dependencies_is_an_empty_transaction_graph() {
    let h = history(vec![
        ok(vec![w(1, 1)]),
        ok(vec![w(2, 1)]),
        fail(vec![r(1, None)]),
    ]);
    for m in [RU, RC] {
        invalid_with(m, &h, A::EmptyTransactionGraph);
    }
}

#[test]
fn a_run_with_no_committed_transaction_is_unknown_not_false() {
    let h = history(vec![fail(vec![w(1, 1)]), info(vec![r(1, None), w(2, 1)])]);
    for m in [RU, RC, "strict-serializable"] {
        let res = check(&opts(m), &h);
        assert_eq!(res.valid, Validity::Unknown, "{m}: {res:#?}");
        assert_eq!(res.anomaly_types, [A::EmptyTransactionGraph]);
        assert!(res.error.is_none());
    }
    // Committed transactions without a dependency stay invalid, as Maelstrom's wrapper says.
    let mut h = h;
    h.push(Txn::new(9, Outcome::Ok, vec![w(3, 1)]));
    invalid_with(RC, &h, A::EmptyTransactionGraph);
}

#[test]
fn readers_of_null_precede_every_writer() {
    let h = history(vec![ok(vec![r(1, None)]), ok(vec![w(1, 1)])]);
    let v = super::versions::infer(&h);
    let ext = super::graph::Externals::of(&h);
    let g = super::graph::build(&h, &ext, &v).expect("graph");
    assert_eq!(g.mask(0, 1), Rel::Rw.bit());
    valid(RC, &h);
}

#[test]
fn a_value_written_twice_and_read_makes_the_analysis_unknown() {
    let h = history(vec![
        ok(vec![w(1, 1)]),
        ok(vec![w(1, 1)]),
        ok(vec![r(1, Some(1))]),
    ]);
    let res = check(&opts(RC), &h);
    assert_eq!(res.valid, Validity::Unknown);
    assert!(
        res.error
            .as_deref()
            .unwrap_or("")
            .contains("more than one op")
    );
}

#[test]
fn unknown_and_unsupported_models_make_the_analysis_unknown() {
    let h = with_edge(vec![]);
    for m in [
        "read-committed,serializable",
        "strong-session-serializable",
        "strong-session-read-committed",
    ] {
        let res = check(&opts(m), &h);
        assert_eq!(res.valid, Validity::Unknown, "{m}");
        assert!(res.error.is_some());
    }
}

#[test]
fn aborted_and_intermediate_writes_count_at_any_position() {
    // The failed writer's value is intermediate within it, and the read is not the first mop.
    let h = with_edge(vec![
        fail(vec![r(3, None), w(1, 1), w(1, 2)]),
        ok(vec![w(4, 1), r(1, Some(1))]),
    ]);
    let res = invalid_with(RC, &h, A::G1a);
    assert!(
        res.anomaly_types.contains(&A::G1b),
        "{:?}",
        res.anomaly_types
    );
}

#[test]
fn info_writes_enter_the_version_order_but_never_make_wr_edges() {
    let h = history(vec![
        info(vec![w(1, 1)]),
        ok(vec![r(1, Some(1))]),
        ok(vec![r(1, None)]),
    ]);
    let v = super::versions::infer(&h);
    assert!(v.precedes(1, None, Some(1)));
    let ext = super::graph::Externals::of(&h);
    let g = super::graph::build(&h, &ext, &v).expect("graph");
    assert_eq!(g.mask(0, 1), 0, "the info txn is no vertex");
    assert!(g.edges.is_empty(), "{:?}", g.edges);
    invalid_with(RC, &h, A::EmptyTransactionGraph);
}

/// `txns` with invocation/completion positions laid out one after another (serially).
fn serial(txns: Vec<(Outcome, Vec<Mop>)>) -> Vec<Txn> {
    let mut h = history(txns);
    for (i, t) in h.iter_mut().enumerate() {
        (t.invoke_index, t.index) = (2 * i, 2 * i + 1);
    }
    h
}

#[test]
fn a_stale_read_after_a_completed_write_is_g_single_realtime_under_strict_serializable() {
    // T0 wrote x and completed; T1 began afterwards and still read x as null.
    let h = serial(vec![ok(vec![w(1, 1)]), ok(vec![r(1, None)])]);
    let res = invalid_with("strict-serializable", &h, A::GSingleRealtime);
    let Case::Cycle { steps } = &res.anomalies[&A::GSingleRealtime][0] else {
        panic!("a cycle");
    };
    let rels: Vec<Rel> = steps.iter().map(|s| s.rel).collect();
    assert!(
        rels.contains(&Rel::Rw) && rels.contains(&Rel::Realtime),
        "{rels:?}"
    );
    valid("serializable", &h);
    // Overlapping in time, the same reads are fine.
    let mut overlapping = h.clone();
    (overlapping[0].invoke_index, overlapping[0].index) = (0, 2);
    (overlapping[1].invoke_index, overlapping[1].index) = (1, 3);
    valid("strict-serializable", &overlapping);
}

#[test]
fn real_time_edges_are_the_transitive_reduction() {
    // Three serial txns and one overlapping the last two.
    let mut h = serial(vec![ok(vec![]), ok(vec![]), ok(vec![]), ok(vec![])]);
    (h[3].invoke_index, h[3].index) = (3, 6);
    let mut g = super::graph::DepGraph {
        size: h.len(),
        ..Default::default()
    };
    super::graph::add_realtime(&mut g, &h);
    let edges: Vec<(usize, usize)> = g.edges.keys().copied().collect();
    assert_eq!(edges, [(0, 1), (0, 3), (1, 2)], "0→2 is implied by 0→1→2");
}

#[test]
fn session_models_without_their_real_time_variant_are_unsupported() {
    let h = with_edge(vec![]);
    let res = check(&opts("strong-session-read-committed"), &h);
    assert_eq!(res.valid, Validity::Unknown, "{res:?}");
    assert_eq!(
        check(&opts("strict-serializable"), &h).valid,
        Validity::True
    );
}
