//! Version-order inference per key, as Elle does with `:wfr-keys? true`.
//!
//! The initial state `nil` precedes every value an `:ok`/`:info` transaction externally wrote
//! or an `:ok` transaction externally read. "Writes follow reads": when an `:ok` transaction
//! externally reads `k = v1` (non-null) and externally writes `k = v2`, then `v1` precedes
//! `v2`. If adding those edges closes a cycle in any key's order, all of them are dropped
//! and each cycle is reported as `:cyclic-versions`.

use std::collections::{BTreeMap, BTreeSet};

use super::history::{Key, Outcome, Txn, Value};
use super::kinds::Case;
use super::scc::sccs;

/// One key's version graph: version → the versions it directly precedes.
pub type VersionGraph = BTreeMap<Value, BTreeSet<Value>>;

/// The inferred version orders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Versions {
    /// Per key, the version graph used to build ww and rw edges.
    pub graphs: BTreeMap<Key, VersionGraph>,
    /// The sources that graph was built from: `initial-state`, then `wfr-keys` if kept.
    pub sources: Vec<&'static str>,
    /// `:cyclic-versions` cases (non-empty exactly when the wfr edges were dropped).
    pub cyclic: Vec<Case>,
}

impl Versions {
    /// Whether `v1 → v2` is an edge of `key`'s graph.
    pub fn precedes(&self, key: Key, v1: Value, v2: Value) -> bool {
        self.graphs
            .get(&key)
            .and_then(|g| g.get(&v1))
            .is_some_and(|s| s.contains(&v2))
    }
}

fn link(graphs: &mut BTreeMap<Key, VersionGraph>, k: Key, from: Value, to: Value) {
    if from != to {
        graphs
            .entry(k)
            .or_default()
            .entry(from)
            .or_default()
            .insert(to);
    }
}

fn initial_state(txns: &[Txn]) -> BTreeMap<Key, VersionGraph> {
    let mut g = BTreeMap::new();
    for t in txns.iter().filter(|t| t.outcome != Outcome::Fail) {
        for (k, v) in t.ext_writes() {
            link(&mut g, k, None, Some(v));
        }
        if t.is_ok() {
            for (k, v) in t.ext_reads() {
                if v.is_some() {
                    link(&mut g, k, None, v);
                }
            }
        }
    }
    g
}

fn writes_follow_reads(txns: &[Txn]) -> BTreeMap<Key, VersionGraph> {
    let mut g = BTreeMap::new();
    for t in txns.iter().filter(|t| t.is_ok()) {
        let writes = t.ext_writes();
        for (k, v) in t.ext_reads() {
            if let (Some(_), Some(&v2)) = (v, writes.get(&k)) {
                link(&mut g, k, v, Some(v2));
            }
        }
    }
    g
}

/// The strongly connected components of one key's graph, as sorted version lists ordered by
/// their smallest version.
fn version_sccs(g: &VersionGraph) -> Vec<Vec<Value>> {
    let mut ids: BTreeMap<Value, usize> = BTreeMap::new();
    for (from, tos) in g {
        let n = ids.len();
        ids.entry(*from).or_insert(n);
        for to in tos {
            let n = ids.len();
            ids.entry(*to).or_insert(n);
        }
    }
    let mut adj = vec![Vec::new(); ids.len()];
    for (from, tos) in g {
        adj[ids[from]].extend(tos.iter().map(|t| ids[t]));
    }
    let values: Vec<Value> = {
        let mut v = vec![None; ids.len()];
        for (val, &i) in &ids {
            v[i] = *val;
        }
        v
    };
    let mut out: Vec<Vec<Value>> = sccs(&adj)
        .into_iter()
        .map(|c| {
            let mut vs: Vec<Value> = c.into_iter().map(|i| values[i]).collect();
            vs.sort_unstable();
            vs
        })
        .collect();
    out.sort();
    out
}

/// Infers the version graphs of every key.
pub fn infer(txns: &[Txn]) -> Versions {
    let initial = initial_state(txns);
    let mut combined = initial.clone();
    for (k, g) in writes_follow_reads(txns) {
        for (from, tos) in g {
            for to in tos {
                link(&mut combined, k, from, to);
            }
        }
    }
    let mut cyclic = Vec::new();
    for (&key, g) in &combined {
        for scc in version_sccs(g) {
            cyclic.push(Case::CyclicVersions {
                key,
                scc,
                sources: vec!["initial-state", "wfr-keys"],
            });
        }
    }
    if cyclic.is_empty() {
        Versions {
            graphs: combined,
            sources: vec!["initial-state", "wfr-keys"],
            cyclic,
        }
    } else {
        Versions {
            graphs: initial,
            sources: vec!["initial-state"],
            cyclic,
        }
    }
}
