//! The `topology` message of the broadcast workload, in Maelstrom's shapes, built from the
//! node's own [`Overlay`] constructors (which reproduce them exactly).

use crate::config::Topology;
use glomers::node::broadcast::overlay::Overlay;

/// Each node's neighbours under `shape`, as node indices, keyed by node in node order.
/// `line` over fewer than two nodes is empty, as in Maelstrom.
pub fn neighbours(shape: Topology, n: u16) -> Vec<(u16, Vec<u16>)> {
    let overlay = match shape {
        Topology::Grid => Overlay::grid(n),
        Topology::Line if n < 2 => return Vec::new(),
        Topology::Line => Overlay::line(n),
        Topology::Total => Overlay::total(n),
        Topology::Tree(branching) => Overlay::tree(n, branching, 0),
    };
    (0..n)
        .map(|k| (k, overlay.neighbours(k).to_vec()))
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
