//! The overlay: which nodes exchange values directly. A pure function of the node list and
//! the configuration, so every node computes the same graph with no message exchanged.
//!
//! Rooted overlays (star, tree) give each link a direction: values travel up to the root and
//! back down, which is what lets a round cost 2·(n−1) messages. The other shapes are meshes
//! whose links are all peers; values are flooded along them.

use std::collections::VecDeque;

use crate::config::OverlayKind;

/// How a node relates to one of its neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The neighbour is this node's parent (towards the root).
    Parent,
    /// The neighbour is one of this node's children.
    Child,
    /// A mesh link: no direction.
    Peer,
}

/// The overlay of a whole cluster of `n` nodes, identified by their index in `init`'s list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlay {
    /// Neighbours of each node; for rooted overlays the parent comes first.
    neighbours: Vec<Vec<u16>>,
    /// Parent of each node, for rooted overlays.
    parents: Option<Vec<Option<u16>>>,
    /// Position of each node in the root-first order of a rooted overlay (the root is 0).
    rank: Vec<u32>,
}

impl Overlay {
    /// A star: `root` linked to every other node.
    pub fn star(n: u16, root: u16) -> Overlay {
        Overlay::tree(n, n.saturating_sub(1).max(1), root)
    }

    /// A tree filled in order: the root first, then the other nodes by index; the k-th node
    /// of that order has children `k·fanout + 1 … k·fanout + fanout`. With root 0 this is
    /// Maelstrom's `tree<fanout>` shape.
    /// A root out of range falls back to node 0.
    pub fn tree(n: u16, fanout: u16, root: u16) -> Overlay {
        let fanout = usize::from(fanout.max(1));
        let root = if root < n { root } else { 0 };
        if n == 0 {
            return Overlay::mesh(Vec::new());
        }
        let order: Vec<u16> = std::iter::once(root)
            .chain((0..n).filter(|&i| i != root))
            .collect();
        let mut parents = vec![None; usize::from(n)];
        let mut neighbours = vec![Vec::new(); usize::from(n)];
        for (k, &node) in order.iter().enumerate().skip(1) {
            let parent = order[(k - 1) / fanout];
            parents[usize::from(node)] = Some(parent);
        }
        // Parent first, then children in order.
        for &node in &order {
            if let Some(p) = parents[usize::from(node)] {
                neighbours[usize::from(node)].push(p);
            }
        }
        for &node in order.iter().skip(1) {
            if let Some(p) = parents[usize::from(node)] {
                neighbours[usize::from(p)].push(node);
            }
        }
        let mut rank = vec![0; usize::from(n)];
        for (k, &node) in order.iter().enumerate() {
            rank[usize::from(node)] = k as u32;
        }
        Overlay {
            neighbours,
            parents: Some(parents),
            rank,
        }
    }

    /// Maelstrom's grid: side ⌈√n⌉, node k at row k / side and column k mod side, linked to
    /// the nodes below, above, right and left of it (in that order).
    pub fn grid(n: u16) -> Overlay {
        let n = usize::from(n);
        let side = (1..=n.max(1)).find(|s| s * s >= n).unwrap_or(1);
        let neighbours = (0..n)
            .map(|k| {
                let mut v = Vec::with_capacity(4);
                if k + side < n {
                    v.push(k + side);
                }
                if k >= side {
                    v.push(k - side);
                }
                if (k + 1) % side != 0 && k + 1 < n {
                    v.push(k + 1);
                }
                if k % side != 0 {
                    v.push(k - 1);
                }
                v.into_iter().map(|i| i as u16).collect()
            })
            .collect();
        Overlay::mesh(neighbours)
    }

    /// A chain in index order.
    pub fn line(n: u16) -> Overlay {
        let neighbours = (0..n)
            .map(|k| {
                let mut v = Vec::with_capacity(2);
                if k > 0 {
                    v.push(k - 1);
                }
                if k + 1 < n {
                    v.push(k + 1);
                }
                v
            })
            .collect();
        Overlay::mesh(neighbours)
    }

    /// Every node linked to every other.
    pub fn total(n: u16) -> Overlay {
        Overlay::mesh(
            (0..n)
                .map(|k| (0..n).filter(|&j| j != k).collect())
                .collect(),
        )
    }

    /// A mesh from arbitrary links (made symmetric; self-links, out-of-range ends and
    /// duplicates dropped; each node's neighbours in index order).
    pub fn from_links(n: u16, links: impl IntoIterator<Item = (u16, u16)>) -> Overlay {
        let mut directed: Vec<(u16, u16)> = links
            .into_iter()
            .filter(|&(a, b)| a != b && a < n && b < n)
            .flat_map(|(a, b)| [(a, b), (b, a)])
            .collect();
        directed.sort_unstable();
        directed.dedup();
        let mut neighbours: Vec<Vec<u16>> = vec![Vec::new(); usize::from(n)];
        for (a, b) in directed {
            neighbours[usize::from(a)].push(b);
        }
        Overlay::mesh(neighbours)
    }

    fn mesh(neighbours: Vec<Vec<u16>>) -> Overlay {
        let n = neighbours.len();
        Overlay {
            neighbours,
            parents: None,
            rank: (0..n as u32).collect(),
        }
    }

    /// The overlay of `kind` for `n` nodes (rooted ones at `root`, trees with `fanout`).
    /// `adjacency` and `maelstrom` kinds are built with [`Overlay::from_links`] instead; for
    /// them this returns an overlay with no links.
    pub fn build(kind: OverlayKind, n: u16, root: u16, fanout: u16) -> Overlay {
        match kind {
            OverlayKind::Star => Overlay::star(n, root),
            OverlayKind::Tree => Overlay::tree(n, fanout, root),
            OverlayKind::Grid => Overlay::grid(n),
            OverlayKind::Line => Overlay::line(n),
            OverlayKind::Total => Overlay::total(n),
            OverlayKind::Adjacency | OverlayKind::Maelstrom => Overlay::from_links(n, []),
        }
    }

    /// How many nodes the overlay spans.
    pub fn node_count(&self) -> usize {
        self.neighbours.len()
    }

    /// The neighbours of `node` (parent first in rooted overlays).
    pub fn neighbours(&self, node: u16) -> &[u16] {
        &self.neighbours[usize::from(node)]
    }

    /// The parent of `node` in a rooted overlay.
    pub fn parent(&self, node: u16) -> Option<u16> {
        self.parents.as_ref()?[usize::from(node)]
    }

    /// The position of `node` in the root-first order of a rooted overlay (the root is 0);
    /// its index for a mesh.
    pub fn rank(&self, node: u16) -> u32 {
        self.rank[usize::from(node)]
    }

    /// Whether the overlay has a root.
    pub fn is_rooted(&self) -> bool {
        self.parents.is_some()
    }

    /// How `node` sees its neighbour `other`.
    pub fn role(&self, node: u16, other: u16) -> Role {
        match &self.parents {
            None => Role::Peer,
            Some(parents) if parents[usize::from(node)] == Some(other) => Role::Parent,
            Some(_) => Role::Child,
        }
    }

    /// Hops from `node` up to the root (0 for the root and for mesh nodes).
    pub fn depth(&self, node: u16) -> u32 {
        let mut depth = 0;
        let mut at = node;
        while let Some(p) = self.parent(at) {
            depth += 1;
            at = p;
            if depth as usize > self.node_count() {
                break;
            }
        }
        depth
    }

    /// Hops from `node` down to its deepest descendant (0 for leaves and mesh nodes).
    pub fn height(&self, node: u16) -> u32 {
        if !self.is_rooted() {
            return 0;
        }
        self.neighbours(node)
            .iter()
            .filter(|&&c| self.parent(c) == Some(node))
            .map(|&c| self.height(c) + 1)
            .max()
            .unwrap_or(0)
    }

    /// Nodes `node` may ask to relay for it when its parent stops answering: its ancestors
    /// above the parent (nearest first), then the other nodes ranked before it, at most `k`.
    /// Every candidate ranks before `node`, so fallbacks can never form a cycle of relays.
    pub fn fallback_candidates(&self, node: u16, k: usize) -> Vec<u16> {
        let Some(parent) = self.parent(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut at = parent;
        while let Some(p) = self.parent(at) {
            out.push(p);
            at = p;
        }
        let mut by_rank: Vec<u16> = (0..self.node_count() as u16)
            .filter(|&m| self.rank[usize::from(m)] < self.rank[usize::from(node)])
            .filter(|&m| m != parent && !out.contains(&m))
            .collect();
        by_rank.sort_by_key(|&m| self.rank[usize::from(m)]);
        out.extend(by_rank);
        out.truncate(k);
        out
    }

    /// Whether every node can reach every other over the links.
    pub fn is_connected(&self) -> bool {
        let n = self.node_count();
        if n == 0 {
            return true;
        }
        let mut seen = vec![false; n];
        let mut queue = VecDeque::from([0u16]);
        seen[0] = true;
        let mut count = 1;
        while let Some(at) = queue.pop_front() {
            for &next in self.neighbours(at) {
                if !std::mem::replace(&mut seen[usize::from(next)], true) {
                    count += 1;
                    queue.push_back(next);
                }
            }
        }
        count == n
    }
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_matches_maelstrom_for_five_nodes() {
        let g = Overlay::grid(5);
        let expect: [&[u16]; 5] = [&[3, 1], &[4, 2, 0], &[1], &[0, 4], &[1, 3]];
        for (k, e) in expect.iter().enumerate() {
            assert_eq!(g.neighbours(k as u16), *e, "n{k}");
        }
    }

    #[test]
    fn tree4_matches_maelstrom_for_25_nodes() {
        let t = Overlay::tree(25, 4, 0);
        assert_eq!(t.neighbours(0), &[1, 2, 3, 4]);
        assert_eq!(t.neighbours(1), &[0, 5, 6, 7, 8]);
        assert_eq!(t.neighbours(5), &[1, 21, 22, 23, 24]);
        assert_eq!(t.neighbours(6), &[1]);
        assert_eq!(t.depth(21), 3);
        assert_eq!(t.height(0), 3);
        assert_eq!(t.height(1), 2);
        assert_eq!(t.height(2), 1);
    }

    #[test]
    fn star_roles_depths_and_fallbacks() {
        let s = Overlay::star(25, 3);
        assert_eq!(s.neighbours(3).len(), 24);
        assert_eq!(s.neighbours(7), &[3]);
        assert_eq!(s.role(7, 3), Role::Parent);
        assert_eq!(s.role(3, 7), Role::Child);
        assert_eq!((s.depth(3), s.depth(7)), (0, 1));
        assert_eq!((s.height(3), s.height(7)), (1, 0));
        // Ranked after the root: 0, 1, 2, 4, 5 …; node 7 may fall back to 0, 1, 2.
        assert_eq!(s.fallback_candidates(7, 3), vec![0, 1, 2]);
        assert_eq!(s.fallback_candidates(0, 3), Vec::<u16>::new());
        assert!(s.fallback_candidates(3, 3).is_empty());
    }

    #[test]
    fn tree_fallback_prefers_ancestors() {
        let t = Overlay::tree(25, 4, 0);
        assert_eq!(t.fallback_candidates(21, 3), vec![1, 0, 2]);
    }

    #[test]
    fn an_out_of_range_root_or_an_empty_cluster_does_not_panic() {
        let t = Overlay::star(5, 9);
        assert_eq!(t.neighbours(0).len(), 4, "falls back to node 0 as the root");
        assert_eq!(Overlay::tree(0, 4, 0).node_count(), 0);
        assert!(Overlay::star(1, 0).neighbours(0).is_empty());
    }

    #[test]
    fn line_and_total_shapes() {
        assert_eq!(Overlay::line(3).neighbours(1), &[0, 2]);
        assert_eq!(Overlay::total(4).neighbours(2), &[0, 1, 3]);
        assert!(Overlay::from_links(3, [(0, 1)]).neighbours(2).is_empty());
        assert!(!Overlay::from_links(3, [(0, 1)]).is_connected());
    }
}
