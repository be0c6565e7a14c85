//! The dependency graph over committed transactions: wr edges from direct write→read
//! matches, ww and rw edges from the inferred version orders.

use std::collections::{BTreeMap, HashMap};

use super::history::{Key, Txn, Value};
use super::kinds::{Rel, Step};
use super::versions::Versions;
pub use crate::workloads::elle::graph::DepGraph;
use crate::workloads::elle::graph::{self as shared, Span};

/// Per transaction, its external reads and writes (empty for non-`:ok` ones, which are
/// never vertices).
#[derive(Clone, Debug, Default)]
pub struct Externals {
    /// External reads, per transaction.
    pub reads: Vec<BTreeMap<Key, Value>>,
    /// External writes, per transaction.
    pub writes: Vec<BTreeMap<Key, i64>>,
}

impl Externals {
    /// The external reads and writes of the committed transactions of `txns`.
    pub fn of(txns: &[Txn]) -> Externals {
        let (reads, writes) = txns
            .iter()
            .map(|t| {
                if t.is_ok() {
                    (t.ext_reads(), t.ext_writes())
                } else {
                    Default::default()
                }
            })
            .unzip();
        Externals { reads, writes }
    }
}

/// Builds the graph. Fails (Elle throws, so the checker is `:unknown`) when a value that
/// some transaction read was externally written by more than one committed transaction.
pub fn build(txns: &[Txn], ext: &Externals, versions: &Versions) -> Result<DepGraph, String> {
    let mut readers: HashMap<(Key, Value), Vec<usize>> = HashMap::new();
    let mut writers: HashMap<(Key, Value), Vec<usize>> = HashMap::new();
    for i in 0..txns.len() {
        for (&k, &v) in &ext.reads[i] {
            readers.entry((k, v)).or_default().push(i);
        }
        for (&k, &v) in &ext.writes[i] {
            writers.entry((k, Some(v))).or_default().push(i);
        }
    }
    let mut g = DepGraph::new(txns.len());
    let none: Vec<usize> = Vec::new();
    let mut read_keys: Vec<&(Key, Value)> = readers.keys().collect();
    read_keys.sort();
    for kv in read_keys {
        let ws = writers.get(kv).unwrap_or(&none);
        match ws.as_slice() {
            [] => {}
            [w] => {
                for &r in &readers[kv] {
                    g.add(*w, r, Rel::Wr);
                }
            }
            many => {
                let names: Vec<String> = many.iter().map(|&t| txns[t].edn()).collect();
                return Err(format!(
                    "Key {} had value {} written by more than one op: {}",
                    kv.0,
                    kv.1.map_or("nil".into(), |v| v.to_string()),
                    names.join(", ")
                ));
            }
        }
    }
    for (&k, vg) in &versions.graphs {
        for (&v1, tos) in vg {
            for &v2 in tos {
                let w2 = writers.get(&(k, v2)).unwrap_or(&none);
                for &a in writers.get(&(k, v1)).unwrap_or(&none) {
                    for &b in w2 {
                        g.add(a, b, Rel::Ww);
                    }
                }
                for &a in readers.get(&(k, v1)).unwrap_or(&none) {
                    for &b in w2 {
                        g.add(a, b, Rel::Rw);
                    }
                }
            }
        }
    }
    Ok(g)
}

/// Why `a` precedes `b`, as Elle's combined explainer says it: a wr explanation if `b`
/// externally read something `a` externally wrote, else ww through the version order, else
/// rw. `None` if nothing explains it.
pub fn explain(ext: &Externals, versions: &Versions, a: usize, b: usize) -> Option<Step> {
    let step = |rel, key, value, value2| Step {
        from: a,
        to: b,
        rel,
        key,
        value,
        value2,
    };
    for (&k, &v) in &ext.writes[a] {
        if ext.reads[b].get(&k) == Some(&Some(v)) {
            return Some(step(Rel::Wr, k, Some(v), Some(v)));
        }
    }
    for (&k, &v) in &ext.writes[a] {
        if let Some(&v2) = ext.writes[b].get(&k)
            && versions.precedes(k, Some(v), Some(v2))
        {
            return Some(step(Rel::Ww, k, Some(v), Some(v2)));
        }
    }
    for (&k, &v) in &ext.reads[a] {
        if let Some(&v2) = ext.writes[b].get(&k)
            && versions.precedes(k, v, Some(v2))
        {
            return Some(step(Rel::Rw, k, v, Some(v2)));
        }
    }
    None
}

/// Adds real-time edges between committed transactions: `a → b` when `a` completed before
/// `b` was invoked (history order), as a transitive reduction
/// ([`crate::workloads::elle::graph::add_realtime`]).
pub fn add_realtime(g: &mut DepGraph, txns: &[Txn]) {
    let spans: Vec<Span> = txns
        .iter()
        .map(|t| Span {
            invoke_index: t.invoke_index,
            complete_index: t.index,
            ok: t.is_ok(),
            vertex: t.is_ok(),
            process: t.process,
        })
        .collect();
    shared::add_realtime(g, &spans);
}
