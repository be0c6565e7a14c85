//! The `topology` message of the broadcast workload, in Maelstrom's shapes
//! (`maelstrom/src/maelstrom/workload/broadcast.clj`), built here from their definition: the referee shares no code
//! with the node's own overlays.

use crate::config::Topology;

/// Each node's neighbours under `shape`, as node indices, keyed by node in node order.
/// `line` over fewer than two nodes is empty, as in Maelstrom.
pub fn neighbours(shape: Topology, n: u16) -> Vec<(u16, Vec<u16>)> {
    let lists: Vec<Vec<u16>> = match shape {
        Topology::Grid => (0..n).map(|k| grid(n, k)).collect(),
        Topology::Line if n < 2 => return Vec::new(),
        Topology::Line => (0..n).map(|k| line(n, k)).collect(),
        Topology::Total => (0..n)
            .map(|k| (0..n).filter(|&j| j != k).collect())
            .collect(),
        Topology::Tree(b) => (0..n).map(|k| tree(n, b.max(1), k)).collect(),
    };
    (0..n).zip(lists).collect()
}

/// Grid: side ⌈√n⌉, node k at row k div side and column k mod side; neighbours below, above,
/// right, left, when present.
fn grid(n: u16, k: u16) -> Vec<u16> {
    let (n, k) = (u32::from(n), u32::from(k));
    let side = (1..=n.max(1)).find(|s| s * s >= n).unwrap_or(1);
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
}

/// Line: left, then right.
fn line(n: u16, k: u16) -> Vec<u16> {
    let left = k.checked_sub(1);
    let right = (k + 1 < n).then_some(k + 1);
    left.into_iter().chain(right).collect()
}

/// Tree with `b` children per node, filled tier by tier in node order from the root n0: the
/// j-th node of a tier has children j·b … j·b+b−1 of the next, so node k's parent is
/// (k−1) div b. Neighbours: the parent, then the children.
fn tree(n: u16, b: u16, k: u16) -> Vec<u16> {
    let (n, b, k) = (u32::from(n), u32::from(b), u32::from(k));
    let parent = (k > 0).then(|| (k - 1) / b);
    let children = (k * b + 1..=k * b + b).filter(|&c| c < n);
    parent
        .into_iter()
        .chain(children)
        .map(|i| i as u16)
        .collect()
}

/// The `topology` map with node ids, as sent on the wire.
pub fn message_map(shape: Topology, n: u16) -> Vec<(String, Vec<String>)> {
    neighbours(shape, n)
        .into_iter()
        .map(|(k, list)| {
            (
                format!("n{k}"),
                list.into_iter().map(|j| format!("n{j}")).collect(),
            )
        })
        .collect()
}
