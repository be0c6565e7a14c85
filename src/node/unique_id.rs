//! Globally unique ids without coordination (challenge 2).
//!
//! Node `i` of `n` hands out `i, i + n, i + 2n, …`: ids from different nodes can never collide,
//! no message is needed (so ids stay available during partitions), and the ids are dense small
//! integers: across the cluster, the first `k·n` ids handed out are exactly `0 … k·n − 1` when
//! every node has generated `k`.
//!
//! Across restarts: a node's `e`-th incarnation (0 for its first process; a restarted process
//! with a log learns `e` from it and logs it before it answers `init`, so before any
//! `generate`) hands out `e·2⁴⁰ + i, e·2⁴⁰ + i + n, …` below `(e + 1)·2⁴⁰`: no two lives of a
//! node share an id, and the first life's ids are the dense ones above.

/// The id generator of one node.
#[derive(Debug, Clone)]
pub(crate) struct UniqueIds {
    index: u64,
    stride: u64,
    issued: u64,
    /// Where this incarnation's ids start (`incarnation · 2⁴⁰`); `None` past 2²⁴ restarts,
    /// when no space is left.
    base: Option<u64>,
}

/// How many ids (across the cluster) one incarnation of a node may draw from.
const SPAN: u64 = 1 << 40;

impl UniqueIds {
    /// The generator of node `index` in a cluster of `count` nodes, in its `incarnation`.
    pub(crate) fn new(index: u16, count: u16, incarnation: u64) -> UniqueIds {
        UniqueIds {
            index: u64::from(index),
            stride: u64::from(count.max(1)),
            issued: 0,
            base: incarnation.checked_mul(SPAN),
        }
    }

    /// The next id, or `None` once this incarnation's space is exhausted (after about
    /// 2⁴⁰ / n ids, which no run reaches).
    pub(crate) fn next_id(&mut self) -> Option<u64> {
        let offset = self
            .issued
            .checked_mul(self.stride)?
            .checked_add(self.index)?;
        let base = self.base?;
        if offset >= SPAN {
            return None;
        }
        self.issued += 1;
        Some(base + offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_from_all_nodes_are_distinct_and_dense() {
        let n = 7u16;
        let mut gens: Vec<_> = (0..n).map(|i| UniqueIds::new(i, n, 0)).collect();
        let mut seen = BTreeSet::new();
        for _ in 0..100 {
            for g in &mut gens {
                assert!(seen.insert(g.next_id().expect("space left")));
            }
        }
        assert_eq!(seen.len(), 700);
        assert!(seen.iter().all(|&id| id < 700));
    }

    #[test]
    fn exhaustion_is_reported_not_wrapped() {
        let mut g = UniqueIds::new(1, 2, 0);
        g.issued = SPAN / 2 - 1;
        assert_eq!(g.next_id(), Some(SPAN - 1));
        assert_eq!(g.next_id(), None);
        let mut last = UniqueIds::new(0, 1, 1 << 24);
        assert_eq!(last.next_id(), None);
    }

    #[test]
    fn incarnations_draw_from_disjoint_ranges() {
        let n = 3u16;
        let mut seen = BTreeSet::new();
        for incarnation in 0..4 {
            let mut gens: Vec<_> = (0..n).map(|i| UniqueIds::new(i, n, incarnation)).collect();
            for _ in 0..50 {
                for g in &mut gens {
                    assert!(seen.insert(g.next_id().expect("space left")));
                }
            }
        }
        assert_eq!(seen.len(), 600);
    }
}
