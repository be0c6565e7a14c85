//! The `topology` message of the broadcast workload, in Maelstrom's shapes.

use glomers_sim::Topology;
use glomers_sim::world::topology::message_map;

fn map(shape: Topology, n: u16) -> Vec<(String, Vec<String>)> {
    message_map(shape, n)
}

fn entry(node: &str, list: &[&str]) -> (String, Vec<String>) {
    (node.into(), list.iter().map(|s| s.to_string()).collect())
}

#[test]
fn grid_lists_below_above_right_left() {
    let expect = vec![
        entry("n0", &["n3", "n1"]),
        entry("n1", &["n4", "n2", "n0"]),
        entry("n2", &["n1"]),
        entry("n3", &["n0", "n4"]),
        entry("n4", &["n1", "n3"]),
    ];
    assert_eq!(map(Topology::Grid, 5), expect);
    let links: usize = map(Topology::Grid, 25).iter().map(|(_, l)| l.len()).sum();
    assert_eq!(links, 80);
    assert_eq!(map(Topology::Grid, 1), vec![entry("n0", &[])]);
}

#[test]
fn line_total_and_trees() {
    assert!(map(Topology::Line, 1).is_empty());
    assert_eq!(
        map(Topology::Line, 3),
        vec![
            entry("n0", &["n1"]),
            entry("n1", &["n0", "n2"]),
            entry("n2", &["n1"])
        ]
    );
    assert_eq!(map(Topology::Total, 3)[1], entry("n1", &["n0", "n2"]));
    let tree4 = map(Topology::Tree(4), 25);
    assert_eq!(tree4[0], entry("n0", &["n1", "n2", "n3", "n4"]));
    assert_eq!(tree4[1], entry("n1", &["n0", "n5", "n6", "n7", "n8"]));
    assert_eq!(tree4[5], entry("n5", &["n1", "n21", "n22", "n23", "n24"]));
    assert_eq!(tree4[6], entry("n6", &["n1"]));
    let tree = map("tree".parse().expect("shape"), 7);
    assert_eq!(tree[1], entry("n1", &["n0", "n3", "n4"]));
    assert_eq!(map(Topology::Tree(3), 5)[1], entry("n1", &["n0", "n4"]));
}
