//! The dependency graph over transactions (Elle's `elle/graph.clj` plus the real-time and
//! process graphs of `elle/core.clj`): typed edges between vertex ids, which each analysis
//! fills with its own ww/wr/rw edges.

use std::collections::{BTreeMap, HashMap};

use super::kinds::Rel;

/// Typed edges between transactions (indices into the checked list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepGraph {
    /// `(from, to)` → bit mask of [`Rel::bit`]s.
    pub edges: BTreeMap<(usize, usize), u8>,
    /// The number of transactions (vertex ids are below it).
    pub size: usize,
}

impl DepGraph {
    /// An edgeless graph over `size` transactions.
    pub fn new(size: usize) -> DepGraph {
        DepGraph {
            edges: BTreeMap::new(),
            size,
        }
    }

    /// A graph over `size` transactions with `edges` (`(from, to, bits)`, any order, repeats
    /// merged; self-edges dropped): faster than [`DepGraph::add`] edge by edge.
    pub fn from_edges(size: usize, mut edges: Vec<(usize, usize, u8)>) -> DepGraph {
        edges.retain(|e| e.0 != e.1);
        edges.sort_unstable();
        let mut merged: Vec<((usize, usize), u8)> = Vec::with_capacity(edges.len());
        for (a, b, m) in edges {
            match merged.last_mut() {
                Some((last, mask)) if *last == (a, b) => *mask |= m,
                _ => merged.push(((a, b), m)),
            }
        }
        DepGraph {
            edges: merged.into_iter().collect(),
            size,
        }
    }

    /// Adds `rel` to the edge `from → to`; self-edges are dropped, as Elle drops them.
    pub fn add(&mut self, from: usize, to: usize, rel: Rel) {
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

/// A transaction as the real-time and process graphs see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// History position of its invocation.
    pub invoke_index: usize,
    /// History position of its completion.
    pub complete_index: usize,
    /// Whether it completed `:ok` (only those order later transactions).
    pub ok: bool,
    /// Whether it is a vertex of the graph (`:ok`, and for list-append also `:info`).
    pub vertex: bool,
    /// The client process that ran it.
    pub process: u64,
}

/// Adds real-time edges (`elle/core.clj` `realtime-graph`): `a → b` when `:ok` transaction
/// `a` completed before vertex `b` was invoked (history order). Only the transitive reduction
/// is added (each invocation links from the completions no later completion has covered
/// yet), which keeps every real-time cycle and the edge count near linear.
pub fn add_realtime(g: &mut DepGraph, spans: &[Span]) {
    realtime_edges(spans, |a, b| g.add(a, b, Rel::Realtime));
}

/// The real-time edges of [`add_realtime`], each handed to `edge(from, to)`.
pub fn realtime_edges(spans: &[Span], mut edge: impl FnMut(usize, usize)) {
    // (history position, is a completion, txn), in history order.
    let mut events: Vec<(usize, bool, usize)> = Vec::new();
    for (i, s) in spans.iter().enumerate().filter(|(_, s)| s.vertex) {
        events.push((s.invoke_index, false, i));
        if s.ok {
            events.push((s.complete_index, true, i));
        }
    }
    events.sort_unstable();
    let mut frontier: Vec<usize> = Vec::new();
    let mut preds: HashMap<usize, Vec<usize>> = HashMap::with_capacity(64);
    for (_, completion, t) in events {
        if completion {
            let covered = preds.remove(&t).unwrap_or_default();
            frontier.retain(|f| !covered.contains(f));
            frontier.push(t);
        } else {
            for &f in &frontier {
                edge(f, t);
            }
            preds.insert(t, frontier.clone());
        }
    }
}

/// Process edges (`elle/core.clj` `process-graph`): each process's `:ok` transactions in
/// completion order, each linked to the next, each handed to `edge(from, to)`.
pub fn process_edges(spans: &[Span], mut edge: impl FnMut(usize, usize)) {
    let mut by_process: BTreeMap<u64, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, s) in spans.iter().enumerate().filter(|(_, s)| s.ok && s.vertex) {
        by_process
            .entry(s.process)
            .or_default()
            .push((s.complete_index, i));
    }
    for mut txns in by_process.into_values() {
        txns.sort_unstable();
        for w in txns.windows(2) {
            edge(w[0].1, w[1].1);
        }
    }
}
