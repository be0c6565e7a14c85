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

use hashbrown::HashMap;

use super::anomalies::KeyOrder;
use super::history::{Elem, Key, Mop, Outcome, Txn};
use super::kinds::{Rel, Step};
#[cfg(test)]
use crate::workloads::elle::graph::DepGraph;

/// The indices the graph and its explanations read.
#[derive(Clone, Debug, Default)]
pub struct Indices {
    /// Per key, its version order.
    pub orders: HashMap<Key, KeyOrder>,
    /// (key, element) → the transaction that appended it, any outcome ([`writers`]); the
    /// graph's `write-index` is its `:ok`/`:info` part.
    pub writers: HashMap<(Key, Elem), usize>,
    /// Per transaction, whether it is `:ok` or `:info` (a vertex).
    pub possible: Vec<bool>,
    /// (key, last element read, `None` for the empty state) → the transactions whose read
    /// ended there (`read-index`).
    pub readers: HashMap<(Key, Option<Elem>), Vec<usize>>,
}

impl Indices {
    /// The indices over `txns`, with the version orders `orders` and the appenders `writers`.
    pub fn of(
        txns: &[Txn],
        orders: HashMap<Key, KeyOrder>,
        writers: HashMap<(Key, Elem), usize>,
    ) -> Indices {
        let mut readers: HashMap<(Key, Option<Elem>), Vec<usize>> = HashMap::new();
        for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_possible()) {
            for m in &t.mops {
                match m {
                    Mop::Append(..) => {}
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
            possible: txns.iter().map(Txn::is_possible).collect(),
        }
    }

    /// The `:ok`/`:info` transaction that appended `e` to `k`.
    fn writer(&self, k: Key, e: Elem) -> Option<usize> {
        let w = *self.writers.get(&(k, e))?;
        self.possible[w].then_some(w)
    }

    /// The element appended to `k` just before `e` (`None`: the initial state).
    pub fn previous(&self, k: Key, e: Elem) -> Option<Elem> {
        self.orders.get(&k).and_then(|o| o.previous(e))
    }

    /// Who appended the last element of a read, if another transaction than `op` did.
    fn wr_dep(&self, op: usize, k: Key, v: &Option<Vec<Elem>>) -> Option<(usize, Elem)> {
        let last = *v.as_deref()?.last()?;
        let w = self.writer(k, last)?;
        (w != op).then_some((w, last))
    }

    /// Who appended the element just before `op`'s append of `e` to `k`.
    fn ww_dep(&self, op: usize, k: Key, e: Elem) -> Option<(usize, Elem)> {
        let prev = self.previous(k, e)?;
        let w = self.writer(k, prev)?;
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

/// Who appended each element to each key, in history order (a completion's appends after its
/// request's, so a reply that changed an append wins) — Elle's `write-index` — after
/// `verify-unique-appends`: no request appends an element to a key twice.
pub fn writers(txns: &[Txn]) -> Result<HashMap<(Key, Elem), usize>, String> {
    let mut writers: HashMap<(Key, Elem), usize> = HashMap::with_capacity(txns.len() * 2);
    for (i, t) in txns.iter().enumerate() {
        for m in &t.invoked {
            if let Mop::Append(k, e) = *m
                && writers.insert((k, e), i).is_some()
            {
                return Err(format!(
                    "value {e} appended to key {k} multiple times! ({})",
                    t.edn()
                ));
            }
        }
        for m in &t.mops {
            if let Mop::Append(k, e) = *m {
                writers.insert((k, e), i);
            }
        }
    }
    Ok(writers)
}

#[cfg(test)]
/// The ww, wr and rw edges between the `:ok`/`:info` transactions of `txns`.
pub fn build(txns: &[Txn], ix: &Indices) -> DepGraph {
    DepGraph::from_edges(txns.len(), edges(txns, ix))
}

/// [`build`]'s edges, as `(from, to, relation bit)`.
pub fn edges(txns: &[Txn], ix: &Indices) -> Vec<(usize, usize, u8)> {
    let mut g: Vec<(usize, usize, u8)> = Vec::with_capacity(txns.len() * 4);
    let (ww, wr, rw) = (Rel::Ww.bit(), Rel::Wr.bit(), Rel::Rw.bit());
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_possible()) {
        for m in &t.mops {
            match m {
                Mop::Read(k, v) => {
                    if let Some((w, _)) = ix.wr_dep(i, *k, v) {
                        g.push((w, i, wr));
                    }
                }
                Mop::Append(k, e) => {
                    if let Some((w, _)) = ix.ww_dep(i, *k, *e) {
                        g.push((w, i, ww));
                    }
                    for &r in ix.rw_deps(*k, *e).1 {
                        g.push((r, i, rw));
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
