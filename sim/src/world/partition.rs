//! Network partitions: which senders each node currently refuses, and the four shapes
//! Maelstrom's partition nemesis picks from.
//!
//! A partition (Jepsen's "grudge") maps each receiver to the set of senders whose messages it
//! drops. Only node↔node traffic is ever affected. `one`, `minority-third` and `majority` cut
//! the cluster into components and are symmetric; `majorities-ring` gives every node its own
//! majority, and with three nodes its drops are one-directional.

use std::fmt;

use crate::world::rng::{self, Rng};

/// The partition shapes of Maelstrom's nemesis, chosen uniformly at each start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One random node cut off from all others.
    One,
    /// ⌊(N−1)/3⌋ random nodes cut off from the rest (1 of 5, 8 of 25, none of 3).
    MinorityThird,
    /// ⌊N/2⌋ random nodes on one side, the rest on the other (2|3, 12|13).
    Majority,
    /// Every node hears a majority, no two the same one.
    MajoritiesRing,
}

impl Shape {
    /// All shapes, in the order the nemesis draws from.
    pub const ALL: [Shape; 4] = [
        Shape::One,
        Shape::MinorityThird,
        Shape::Majority,
        Shape::MajoritiesRing,
    ];

    /// Jepsen's keyword for the shape.
    pub fn name(self) -> &'static str {
        match self {
            Shape::One => "one",
            Shape::MinorityThird => "minority-third",
            Shape::Majority => "majority",
            Shape::MajoritiesRing => "majorities-ring",
        }
    }

    /// A partition of this shape over `n` nodes, drawn from its own generator seeded with
    /// `seed` (for tests and tools; the nemesis draws from the run's stream).
    pub fn build_seeded(self, n: u16, seed: u64) -> Partition {
        self.build(n, &mut rng::stream(seed, rng::Stream::Nemesis))
    }

    pub(crate) fn build(self, n: u16, rng: &mut Rng) -> Partition {
        let mut nodes: Vec<u16> = (0..n).collect();
        rng.shuffle(&mut nodes);
        match self {
            Shape::One => Partition::from_components(
                n,
                &[&nodes[..1.min(nodes.len())], &nodes[1.min(nodes.len())..]],
            ),
            Shape::MinorityThird => {
                let k = usize::from(n.saturating_sub(1)) / 3;
                Partition::from_components(n, &[&nodes[..k], &nodes[k..]])
            }
            Shape::Majority => {
                let k = usize::from(n) / 2;
                Partition::from_components(n, &[&nodes[..k], &nodes[k..]])
            }
            Shape::MajoritiesRing if n <= 5 => ring_perfect(n, &nodes),
            Shape::MajoritiesRing => ring_stochastic(n, &nodes, rng),
        }
    }
}

/// The smallest majority of `n`.
fn majority(n: u16) -> usize {
    usize::from(n) / 2 + 1
}

/// A shuffled ring; each node keeps the window of `majority` consecutive ring members centred
/// on it (for even windows, it sits just after the middle) and drops everyone else.
fn ring_perfect(n: u16, ring: &[u16]) -> Partition {
    let len = ring.len();
    let m = majority(n);
    let mut p = Partition::healed(n);
    for start in 0..len {
        let window: Vec<u16> = (0..m).map(|k| ring[(start + k) % len]).collect();
        let me = window[m / 2];
        for &other in ring {
            if !window.contains(&other) {
                p.block(other, me);
            }
        }
    }
    p
}

/// A random symmetric graph, grown one link at a time until every node has at least
/// `majority − 1` peers; each node then drops everyone it is not linked to.
fn ring_stochastic(n: u16, nodes: &[u16], rng: &mut Rng) -> Partition {
    let size = usize::from(n);
    let want = majority(n) - 1;
    let mut linked = vec![false; size * size];
    let mut degree = vec![0usize; size];
    loop {
        let short: Vec<u16> = nodes
            .iter()
            .copied()
            .filter(|&a| degree[usize::from(a)] < want)
            .collect();
        if short.is_empty() {
            break;
        }
        let a = short[rng.below(short.len() as u64) as usize];
        let free = |b: &u16| *b != a && !linked[usize::from(a) * size + usize::from(*b)];
        // Prefer partners that also need links, so degrees stay close to the minimum.
        let mut partners: Vec<u16> = short.iter().copied().filter(free).collect();
        if partners.is_empty() {
            partners = nodes.iter().copied().filter(free).collect();
        }
        let b = partners[rng.below(partners.len() as u64) as usize];
        let (ai, bi) = (usize::from(a), usize::from(b));
        linked[ai * size + bi] = true;
        linked[bi * size + ai] = true;
        degree[ai] += 1;
        degree[bi] += 1;
    }
    let mut p = Partition::healed(n);
    for a in 0..n {
        for b in 0..n {
            if a != b && !linked[usize::from(a) * size + usize::from(b)] {
                p.block(b, a);
            }
        }
    }
    p
}

/// Which node↔node messages are dropped: for each receiver, the senders it refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    n: u16,
    /// `blocked[to * n + from]`.
    blocked: Vec<bool>,
}

impl Partition {
    /// No partition over `n` nodes.
    pub fn healed(n: u16) -> Partition {
        Partition {
            n,
            blocked: vec![false; usize::from(n) * usize::from(n)],
        }
    }

    /// Every node drops messages from every node outside its own component (nodes in no
    /// component drop nothing).
    pub fn from_components(n: u16, components: &[&[u16]]) -> Partition {
        let mut p = Partition::healed(n);
        for (i, a) in components.iter().enumerate() {
            for (j, b) in components.iter().enumerate() {
                if i != j {
                    for &to in a.iter() {
                        for &from in b.iter() {
                            p.block(from, to);
                        }
                    }
                }
            }
        }
        p
    }

    /// Makes `to` drop messages from `from`.
    pub fn block(&mut self, from: u16, to: u16) {
        let n = usize::from(self.n);
        self.blocked[usize::from(to) * n + usize::from(from)] = true;
    }

    /// Whether `to` drops messages from `from`.
    pub fn blocks(&self, from: u16, to: u16) -> bool {
        let n = usize::from(self.n);
        self.blocked[usize::from(to) * n + usize::from(from)]
    }

    /// The senders `to` drops, in node order.
    pub fn blocked_senders(&self, to: u16) -> Vec<u16> {
        (0..self.n).filter(|&from| self.blocks(from, to)).collect()
    }

    /// The number of nodes it covers.
    pub fn node_count(&self) -> u16 {
        self.n
    }

    /// Whether nothing is dropped.
    pub fn is_healed(&self) -> bool {
        !self.blocked.contains(&true)
    }
}

impl fmt::Display for Partition {
    /// Jepsen's `{n0 #{n1 n2}, …}` form, receivers with no grudge left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        let mut first = true;
        for to in 0..self.n {
            let senders = self.blocked_senders(to);
            if senders.is_empty() {
                continue;
            }
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "n{to} #{{")?;
            for (i, s) in senders.iter().enumerate() {
                write!(f, "{}n{s}", if i > 0 { " " } else { "" })?;
            }
            f.write_str("}")?;
        }
        f.write_str("}")
    }
}
