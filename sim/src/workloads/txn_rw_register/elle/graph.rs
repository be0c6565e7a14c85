//! The dependency graph over committed transactions: wr edges from direct write→read
//! matches, ww and rw edges from the inferred version orders.

use std::collections::{BTreeMap, HashMap};

use super::history::{Key, Txn, Value};
use super::kinds::{Rel, Step};
use super::versions::Versions;

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

/// Typed edges between transactions (indices into the checked list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepGraph {
    /// `(from, to)` → bit mask of [`Rel::bit`]s.
    pub edges: BTreeMap<(usize, usize), u8>,
    /// The number of transactions (vertex ids are below it).
    pub size: usize,
}

impl DepGraph {
    fn add(&mut self, from: usize, to: usize, rel: Rel) {
        if from != to {
            *self.edges.entry((from, to)).or_default() |= rel.bit();
        }
    }

    /// Successor lists restricted to edges carrying any bit of `mask`.
    pub fn adjacency(&self, mask: u8) -> Vec<Vec<usize>> {
        let mut adj = vec![Vec::new(); self.size];
        for (&(a, b), &m) in &self.edges {
            if m & mask != 0 {
                adj[a].push(b);
            }
        }
        adj
    }

    /// The relations on the edge `from → to` (0 if none).
    pub fn mask(&self, from: usize, to: usize) -> u8 {
        self.edges.get(&(from, to)).copied().unwrap_or(0)
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
    let mut g = DepGraph {
        edges: BTreeMap::new(),
        size: txns.len(),
    };
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
/// `b` was invoked (history order). Only the transitive reduction is added (each
/// transaction links from the completions no later completion has covered yet), which keeps
/// every real-time cycle and the edge count near linear.
pub fn add_realtime(g: &mut DepGraph, txns: &[Txn]) {
    // (history position, is a completion, txn), in history order.
    let mut events: Vec<(usize, bool, usize)> = Vec::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        events.push((t.invoke_index, false, i));
        events.push((t.index, true, i));
    }
    events.sort_unstable();
    let mut frontier: Vec<usize> = Vec::new();
    let mut preds: HashMap<usize, Vec<usize>> = HashMap::new();
    for (_, completion, t) in events {
        if completion {
            let covered = preds.remove(&t).unwrap_or_default();
            frontier.retain(|f| !covered.contains(f));
            frontier.push(t);
        } else {
            for &f in &frontier {
                g.add(f, t, Rel::Realtime);
            }
            preds.insert(t, frontier.clone());
        }
    }
}
