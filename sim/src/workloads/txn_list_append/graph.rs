//! The list-append dependency graph (`elle/list_append.clj` `preprocess`, `ww-graph`,
//! `wr-graph`, `rw-graph` and their explainers) over the `:ok` and `:info` transactions.
//!
//! - wr: the appender of a read's last element → the reader.
//! - ww: the appender of the element just before `e` in the key's version order → the
//!   appender of `e` (an element never read comes after the last element read).
//! - rw: every transaction whose read of the key ended at that previous element (the empty
//!   list or `null` for the first element; `null` reads of `:info` transactions excluded) →
//!   the appender of `e`.
//!
//! Self-edges are dropped. Explanations are tried ww, then wr, then rw, as Elle combines the
//! three graphs.

use std::collections::HashMap;

use super::anomalies::KeyOrder;
use super::history::{Elem, Key, Mop, Outcome, Txn};
use super::kinds::{Rel, Step};
use crate::workloads::elle::graph::DepGraph;

/// The indices the graph and its explanations read.
#[derive(Clone, Debug, Default)]
pub struct Indices {
    /// Per key, its version order.
    pub orders: HashMap<Key, KeyOrder>,
    /// (key, element) → the `:ok`/`:info` transaction that appended it (`write-index`).
    pub writers: HashMap<(Key, Elem), usize>,
    /// (key, last element read, `None` for the empty state) → the transactions whose read
    /// ended there (`read-index`).
    pub readers: HashMap<(Key, Option<Elem>), Vec<usize>>,
}

impl Indices {
    /// The indices over `txns`, with the version orders `orders`.
    pub fn of(txns: &[Txn], orders: HashMap<Key, KeyOrder>) -> Indices {
        let mut writers = HashMap::new();
        let mut readers: HashMap<(Key, Option<Elem>), Vec<usize>> = HashMap::new();
        for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_possible()) {
            for m in &t.mops {
                match m {
                    Mop::Append(k, e) => {
                        writers.insert((*k, *e), i);
                    }
                    Mop::Read(_, None) if t.outcome == Outcome::Info => {}
                    Mop::Read(k, v) => {
                        let last = v.as_deref().and_then(|v| v.last().copied());
                        let rs = readers.entry((*k, last)).or_default();
                        if rs.last() != Some(&i) {
                            rs.push(i);
                        }
                    }
                }
            }
        }
        Indices {
            orders,
            writers,
            readers,
        }
    }

    /// The element appended to `k` just before `e` (`None`: the initial state).
    pub fn previous(&self, k: Key, e: Elem) -> Option<Elem> {
        self.orders.get(&k).and_then(|o| o.previous(e))
    }

    /// Who appended the last element of a read, if another transaction than `op` did.
    fn wr_dep(&self, op: usize, k: Key, v: &Option<Vec<Elem>>) -> Option<(usize, Elem)> {
        let last = *v.as_deref()?.last()?;
        let w = *self.writers.get(&(k, last))?;
        (w != op).then_some((w, last))
    }

    /// Who appended the element just before `op`'s append of `e` to `k`.
    fn ww_dep(&self, op: usize, k: Key, e: Elem) -> Option<(usize, Elem)> {
        let prev = self.previous(k, e)?;
        let w = *self.writers.get(&(k, prev))?;
        (w != op).then_some((w, prev))
    }

    /// The readers of the state just before `e` was appended to `k`.
    fn rw_deps(&self, k: Key, e: Elem) -> (Option<Elem>, &[usize]) {
        let prev = self.previous(k, e);
        (
            prev,
            self.readers.get(&(k, prev)).map_or(&[][..], Vec::as_slice),
        )
    }
}

/// The ww, wr and rw edges between the `:ok`/`:info` transactions of `txns`.
pub fn build(txns: &[Txn], ix: &Indices) -> DepGraph {
    let mut g = DepGraph::new(txns.len());
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_possible()) {
        for m in &t.mops {
            match m {
                Mop::Read(k, v) => {
                    if let Some((w, _)) = ix.wr_dep(i, *k, v) {
                        g.add(w, i, Rel::Wr);
                    }
                }
                Mop::Append(k, e) => {
                    if let Some((w, _)) = ix.ww_dep(i, *k, *e) {
                        g.add(w, i, Rel::Ww);
                    }
                    for &r in ix.rw_deps(*k, *e).1 {
                        g.add(r, i, Rel::Rw);
                    }
                }
            }
        }
    }
    g
}

/// Why `a` precedes `b` by data: ww if `b` appended right after an element `a` appended,
/// else wr if `b` read `a`'s append last, else rw if `a` read the state `b` appended to.
pub fn explain(txns: &[Txn], ix: &Indices, a: usize, b: usize) -> Option<Step> {
    let step = |rel, key, value, value2| Step {
        from: a,
        to: b,
        rel,
        key,
        value,
        value2,
    };
    let mops = &txns[b].mops;
    let ww = mops.iter().find_map(|m| match *m {
        Mop::Append(k, e) => match ix.ww_dep(b, k, e) {
            Some((w, prev)) if w == a => Some(step(Rel::Ww, k, Some(prev), Some(e))),
            _ => None,
        },
        Mop::Read(..) => None,
    });
    let wr = || {
        mops.iter().find_map(|m| match m {
            Mop::Read(k, v) => match ix.wr_dep(b, *k, v) {
                Some((w, last)) if w == a => Some(step(Rel::Wr, *k, Some(last), Some(last))),
                _ => None,
            },
            Mop::Append(..) => None,
        })
    };
    let rw = || {
        mops.iter().find_map(|m| match *m {
            Mop::Append(k, e) => {
                let (prev, readers) = ix.rw_deps(k, e);
                (a != b && readers.contains(&a)).then(|| step(Rel::Rw, k, prev, Some(e)))
            }
            Mop::Read(..) => None,
        })
    };
    ww.or_else(wr).or_else(rw)
}
