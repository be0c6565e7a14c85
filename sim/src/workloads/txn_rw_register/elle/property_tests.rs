//! Generated histories: serial executions must pass, every ww edge is a wr edge, G1c is
//! reported exactly when the ww∪wr subgraph has a cycle, and an exhausted search budget only
//! adds a timeout Maelstrom ignores.

use super::check;
use super::history::{Outcome, Txn, r, w};
use super::kinds::{AnomalyType as A, Rel};
use super::tests::{RC, RU, history, ok, opts, valid};

/// A tiny deterministic generator for the property test below.
fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

/// `n` random transactions (1–4 micro-operations over `keys` keys, unique writes) executed one
/// after another against one store, all committed.
fn serial_history(seed: u64, n: usize, keys: u64) -> Vec<Txn> {
    let mut s = seed;
    let mut store = std::collections::HashMap::new();
    let mut next = std::collections::HashMap::new();
    let mut txns = Vec::new();
    for i in 0..n {
        let mut mops = Vec::new();
        for _ in 0..1 + lcg(&mut s) % 4 {
            let k = (lcg(&mut s) % keys) as i64;
            if lcg(&mut s) % 2 == 0 {
                mops.push(r(k, store.get(&k).copied()));
            } else {
                let v = next.entry(k).or_insert(0);
                *v += 1;
                store.insert(k, *v);
                mops.push(w(k, *v));
            }
        }
        txns.push(Txn::new(i, Outcome::Ok, mops));
    }
    txns
}

#[test]
fn thousands_of_serially_executed_transactions_are_valid_even_for_serializable() {
    let txns = serial_history(42, 3000, 8);
    for m in [RU, RC, "serializable"] {
        let res = valid(m, &txns);
        assert!(
            res.all_anomalies
                .keys()
                .all(|t| *t == A::CycleSearchTimeout),
            "{m}: {:?}",
            res.anomaly_types
        );
    }
}

#[test]
fn in_generated_histories_every_ww_edge_is_also_a_wr_edge() {
    // Serial execution of many random transactions with interleaved reads and writes.
    let txns = serial_history(7, 2000, 4);
    let v = super::versions::infer(&txns);
    let ext = super::graph::Externals::of(&txns);
    let g = super::graph::build(&txns, &ext, &v).expect("graph");
    let ww: Vec<_> = g
        .edges
        .iter()
        .filter(|(_, m)| *m & Rel::Ww.bit() != 0)
        .collect();
    assert!(ww.len() > 100, "{}", ww.len());
    for (e, m) in ww {
        assert_ne!(m & Rel::Wr.bit(), 0, "ww edge {e:?} without wr");
    }
}

#[test]
fn a_search_out_of_budget_says_so_still_reports_a_cycle_and_maelstrom_drops_the_timeout() {
    // A ring of anti-dependencies: txn i reads key i as null and writes key i+1, so every
    // txn precedes the one before it; the only cycle is the whole ring, all rw edges.
    let n = 80;
    let txns: Vec<_> = (0..n)
        .map(|i| ok(vec![r(i, None), w((i + 1) % n, 1)]))
        .collect();
    let h = history(txns);
    let v = super::versions::infer(&h);
    let ext = super::graph::Externals::of(&h);
    let g = super::graph::build(&h, &ext, &v).expect("graph");
    let found = super::cycles::search_within(&g, &ext, &v, 3);
    let types: Vec<A> = found.iter().map(|(t, _)| *t).collect();
    assert!(types.contains(&A::CycleSearchTimeout), "{types:?}");
    assert!(types.contains(&A::G2Item), "the fallback cycle: {types:?}");
    // The full search finds the same, without a timeout; RC allows G2 and ignores timeouts.
    let full = super::cycles::search(&g, &ext, &v);
    assert!(full.iter().all(|(t, _)| *t != A::CycleSearchTimeout));
    valid(RC, &h);
}

#[test]
fn g1c_is_reported_exactly_when_the_ww_wr_subgraph_has_a_cycle() {
    // Random histories whose reads return values written earlier, later or never (or null):
    // garbage for a database, a thorough workout for the cycle search.
    let mut cyclic_seen = 0;
    for seed in 0..60u64 {
        let mut s = seed;
        let mut written: std::collections::HashMap<i64, Vec<i64>> = Default::default();
        let mut txns = Vec::new();
        for i in 0..40 {
            let mut mops = Vec::new();
            for _ in 0..1 + lcg(&mut s) % 4 {
                let k = (lcg(&mut s) % 3) as i64;
                let vals = written.entry(k).or_default();
                if lcg(&mut s) % 2 == 0 {
                    // Any value of 1..=12 (most get written, some only later), or null.
                    let pick = (lcg(&mut s) % 13) as i64;
                    mops.push(r(k, (pick > 0).then_some(pick)));
                } else {
                    let v = vals.len() as i64 + 1;
                    vals.push(v);
                    mops.push(w(k, v));
                }
            }
            txns.push(Txn::new(i, Outcome::Ok, mops));
        }
        let v = super::versions::infer(&txns);
        let ext = super::graph::Externals::of(&txns);
        let g = super::graph::build(&txns, &ext, &v).expect("graph");
        let cyclic = !super::scc::sccs(&g.adjacency(Rel::Ww.bit() | Rel::Wr.bit())).is_empty();
        let res = check(&opts(RC), &txns);
        assert_eq!(
            res.found(A::G1c),
            cyclic,
            "seed {seed}: {:?}",
            res.anomaly_types
        );
        assert!(!res.found(A::G0), "seed {seed}: never G0 on this workload");
        cyclic_seen += usize::from(cyclic);
    }
    assert!(
        cyclic_seen > 5,
        "the histories exercise cycles: {cyclic_seen}"
    );
}
