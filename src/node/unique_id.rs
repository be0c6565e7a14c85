//! Globally unique ids without coordination (challenge 2).
//!
//! Node `i` of `n` hands out `i, i + n, i + 2n, …`: ids from different nodes can never collide,
//! no message is needed (so ids stay available during partitions), and the ids are dense small
//! integers: across the cluster, the first `k·n` ids handed out are exactly `0 … k·n − 1` when
//! every node has generated `k`.

/// The id generator of one node.
#[derive(Debug, Clone)]
pub(crate) struct UniqueIds {
    index: u64,
    stride: u64,
    issued: u64,
}

impl UniqueIds {
    /// The generator of node `index` in a cluster of `count` nodes.
    pub(crate) fn new(index: u16, count: u16) -> UniqueIds {
        UniqueIds {
            index: u64::from(index),
            stride: u64::from(count.max(1)),
            issued: 0,
        }
    }

    /// The next id, or `None` once the 64-bit space of this node is exhausted (after about
    /// 2⁶⁴ / n ids, which no run reaches).
    pub(crate) fn next_id(&mut self) -> Option<u64> {
        let id = self
            .issued
            .checked_mul(self.stride)?
            .checked_add(self.index)?;
        self.issued += 1;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_from_all_nodes_are_distinct_and_dense() {
        let n = 7u16;
        let mut gens: Vec<_> = (0..n).map(|i| UniqueIds::new(i, n)).collect();
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
        let mut g = UniqueIds::new(1, 2);
        g.issued = u64::MAX / 2 + 1;
        assert_eq!(g.next_id(), None);
    }
}
