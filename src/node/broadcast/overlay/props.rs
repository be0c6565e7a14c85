//! Properties of every overlay shape, for any node count from 1 to 1000: links are symmetric,
//! the graph is connected and spans every node, degrees stay within the shape's bound, the
//! parent relation of rooted shapes is a tree whose depths and heights agree with it, and
//! fallback candidates always rank before the node (so relays can never form a cycle).

use super::{Overlay, Role};
use proptest::prelude::*;

/// Symmetric links, no self-links, no duplicates, connected.
fn check_graph(o: &Overlay, n: u16) -> Result<(), TestCaseError> {
    prop_assert_eq!(o.node_count(), usize::from(n));
    prop_assert!(o.is_connected(), "disconnected");
    for a in 0..n {
        let list = o.neighbours(a);
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), list.len(), "n{} lists a neighbour twice", a);
        for &b in list {
            prop_assert!(b < n && b != a, "n{} linked to n{}", a, b);
            prop_assert!(o.neighbours(b).contains(&a), "n{}→n{} not symmetric", a, b);
        }
    }
    Ok(())
}

/// The parent relation is a tree rooted at `root`: acyclic, consistent with roles, ranks and
/// depths increasing downwards, heights the longest way down.
fn check_rooted(o: &Overlay, n: u16, root: u16) -> Result<(), TestCaseError> {
    prop_assert!(o.is_rooted());
    prop_assert_eq!(o.parent(root), None);
    prop_assert_eq!(o.rank(root), 0);
    prop_assert_eq!(o.depth(root), 0);
    let mut ranks: Vec<u32> = (0..n).map(|a| o.rank(a)).collect();
    ranks.sort_unstable();
    prop_assert_eq!(
        ranks,
        (0..u32::from(n)).collect::<Vec<_>>(),
        "ranks are a permutation"
    );
    for a in 0..n {
        let mut children = Vec::new();
        for &b in o.neighbours(a) {
            match o.role(a, b) {
                Role::Parent => prop_assert_eq!(o.parent(a), Some(b)),
                Role::Child => {
                    prop_assert_eq!(o.parent(b), Some(a));
                    children.push(b);
                }
                Role::Peer => prop_assert!(false, "a peer link in a rooted overlay"),
            }
        }
        if let Some(p) = o.parent(a) {
            prop_assert_eq!(o.neighbours(a).first(), Some(&p), "the parent comes first");
            prop_assert!(o.rank(p) < o.rank(a));
            prop_assert_eq!(o.depth(a), o.depth(p) + 1);
        } else {
            prop_assert_eq!(a, root, "only the root has no parent");
        }
        let height = children.iter().map(|&c| o.height(c) + 1).max().unwrap_or(0);
        prop_assert_eq!(o.height(a), height);
        // Walking up from any node reaches the root in `depth` steps: no cycle.
        let (mut at, mut steps) = (a, 0);
        while let Some(p) = o.parent(at) {
            at = p;
            steps += 1;
            prop_assert!(steps <= u32::from(n), "a cycle through n{}", a);
        }
        prop_assert_eq!((at, steps), (root, o.depth(a)));
    }
    Ok(())
}

/// Fallback candidates: distinct, never the node or its parent, ranked before the node,
/// ancestors above the parent first (nearest first), at most `k`.
fn check_fallbacks(o: &Overlay, n: u16, k: usize) -> Result<(), TestCaseError> {
    for a in 0..n {
        let c = o.fallback_candidates(a, k);
        prop_assert!(c.len() <= k);
        let mut sorted = c.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), c.len(), "a candidate twice");
        let Some(parent) = o.parent(a) else {
            prop_assert!(c.is_empty(), "the root has no fallback");
            continue;
        };
        for &m in &c {
            prop_assert!(m != a && m != parent);
            prop_assert!(o.rank(m) < o.rank(a), "n{} may fall back to n{}", a, m);
        }
        let mut ancestors = Vec::new();
        let mut at = parent;
        while let Some(p) = o.parent(at) {
            ancestors.push(p);
            at = p;
        }
        let shown = ancestors.len().min(k);
        prop_assert_eq!(&c[..shown], &ancestors[..shown], "ancestors first");
        // Enough candidates: as many as rank before the node, minus the parent, up to k.
        prop_assert_eq!(c.len(), (o.rank(a) as usize - 1).min(k));
    }
    Ok(())
}

fn max_degree(o: &Overlay, n: u16) -> usize {
    (0..n).map(|a| o.neighbours(a).len()).max().unwrap_or(0)
}

/// A node count and a node of it.
fn nodes_and_root() -> impl Strategy<Value = (u16, u16)> {
    (1u16..=1000).prop_flat_map(|n| (Just(n), 0..n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn stars((n, root) in nodes_and_root(), k in 0usize..6) {
        let o = Overlay::star(n, root);
        check_graph(&o, n)?;
        check_rooted(&o, n, root)?;
        check_fallbacks(&o, n, k)?;
        for a in 0..n {
            let degree = o.neighbours(a).len();
            if a == root {
                prop_assert_eq!(degree, usize::from(n) - 1);
            } else {
                prop_assert_eq!(degree, 1);
            }
        }
    }

    #[test]
    fn trees((n, root) in nodes_and_root(), fanout in 1u16..=8, k in 0usize..6) {
        let o = Overlay::tree(n, fanout, root);
        check_graph(&o, n)?;
        check_rooted(&o, n, root)?;
        check_fallbacks(&o, n, k)?;
        prop_assert!(max_degree(&o, n) <= usize::from(fanout) + 1);
        prop_assert!(o.neighbours(root).len() <= usize::from(fanout));
    }

    #[test]
    fn grids(n in 1u16..=1000) {
        let o = Overlay::grid(n);
        check_graph(&o, n)?;
        prop_assert!(max_degree(&o, n) <= 4);
        prop_assert!(!o.is_rooted());
        prop_assert!((0..n).all(|a| o.fallback_candidates(a, 3).is_empty()));
    }

    #[test]
    fn lines(n in 1u16..=1000) {
        let o = Overlay::line(n);
        check_graph(&o, n)?;
        prop_assert!(max_degree(&o, n) <= 2);
        prop_assert_eq!((0..n).map(|a| o.neighbours(a).len()).sum::<usize>(), 2 * usize::from(n) - 2);
    }

    #[test]
    fn totals(n in 1u16..=300) {
        let o = Overlay::total(n);
        check_graph(&o, n)?;
        prop_assert!((0..n).all(|a| o.neighbours(a).len() == usize::from(n) - 1));
    }
}
