//! When a queued value leaves: the round schedule that makes a whole cluster flush in step.
//!
//! Rounds are wall-clock multiples of `tick`, so every node of a Maelstrom run agrees on them.
//! A node at height h (hops to its deepest descendant) flushes at `k·tick + h·(hop + gather)`:
//! leaves at the round boundary, their parent just after the leaves' deltas have arrived, and
//! so on up to the root, which sends everything back down at once. A value therefore waits for
//! one round boundary, not one per level, and each link carries one message per round.
//!
//! | value came from | going up (to parent/relay) | going down (to child/adoptee) | mesh |
//! |---|---|---|---|
//! | a client | this node's round | this node's round + the time the round takes to come back down | next round |
//! | below (a child) | this node's round | as going up, plus the way back down (the root: at once) | — |
//! | above (the parent) | this node's round | after `gather` | — |
//! | a mesh peer | — | — | after `gather` |
//!
//! "The way back down" is when the root's delta reaches this node: the root flushes at
//! `H·(hop + gather)` into the round (H its height) and each level down adds a step, so a node
//! at depth d and height h waits `(H + d − h)·(hop + gather)` after its own flush. It is only a
//! backstop: the parent's delta arriving from above flushes the link then anyway, carrying
//! these values with it, so each link still carries one message per round.

use std::time::Duration;

use super::Settings;
use super::link::LinkKind;
use crate::time::Time;

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A client's `broadcast`.
    Client,
    /// A neighbour over a link of this kind.
    Link(LinkKind),
}

/// The flush schedule of one node.
#[derive(Clone, Debug)]
pub(crate) struct Rounds {
    tick: Duration,
    gather: Duration,
    /// Offset of this node's flushes within a round.
    phase: Duration,
    /// How long after its own flush the root's delta of the same round reaches this node.
    down_hold: Duration,
}

impl Rounds {
    /// The schedule of a node `depth` hops below the root with descendants `height` hops deep,
    /// in a tree whose root has height `root_height`.
    pub(crate) fn new(settings: &Settings, depth: u32, height: u32, root_height: u32) -> Rounds {
        let step = settings.hop + settings.gather;
        let down_hold = if depth == 0 {
            0
        } else {
            (root_height + depth).saturating_sub(height)
        };
        Rounds {
            tick: settings.tick,
            gather: settings.gather,
            phase: step * height,
            down_hold: step * down_hold,
        }
    }

    /// When a value that arrived at `now` from `from` must leave on a link of kind `to`.
    /// `acting_root` is true when the node relays for others while its own parent is
    /// unreachable: it then sends values down at once instead of waiting for the root.
    pub(crate) fn due(&self, from: Origin, to: LinkKind, now: Time, acting_root: bool) -> Time {
        let hold = if acting_root {
            Duration::ZERO
        } else {
            self.down_hold
        };
        match from {
            Origin::Client => {
                let round = now.next_aligned(self.tick, self.phase);
                if to.is_down() { round + hold } else { round }
            }
            Origin::Link(kind) if kind.is_up() => {
                if to.is_down() {
                    now + self.gather
                } else {
                    self.relay_round(now)
                }
            }
            Origin::Link(kind) if kind.is_down() => {
                let round = self.relay_round(now);
                if to.is_down() { round + hold } else { round }
            }
            Origin::Link(_) => now + self.gather,
        }
    }

    /// The flush of the round a delta arriving at `now` belongs to: this node's next flush
    /// point, or `now + gather` if that point has just passed (a late delta is not held for a
    /// whole round).
    fn relay_round(&self, now: Time) -> Time {
        let round = now
            .saturating_sub(self.tick / 2)
            .next_aligned(self.tick, self.phase);
        round.max(now + self.gather)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NodeConfig;

    fn settings() -> Settings {
        let mut c = NodeConfig::default();
        c.timing.tick_ms = 1000;
        c.timing.gather_ms = 10;
        c.timing.hop_ms = 100;
        Settings::from_config(&c)
    }

    fn star(depth: u32, height: u32) -> Rounds {
        Rounds::new(&settings(), depth, height, 1)
    }

    #[test]
    fn leaf_flushes_own_values_at_the_round_boundary() {
        let leaf = star(1, 0);
        let due = leaf.due(
            Origin::Client,
            LinkKind::Parent,
            Time::from_millis(2_345),
            false,
        );
        assert_eq!(due, Time::from_millis(3_000));
    }

    #[test]
    fn root_relays_one_hop_after_the_boundary_with_its_own_values() {
        let root = star(0, 1);
        // Leaves flushed at 3000; their deltas arrive at 3100.
        let relay = root.due(
            Origin::Link(LinkKind::Child),
            LinkKind::Child,
            Time::from_millis(3_100),
            false,
        );
        assert_eq!(relay, Time::from_millis(3_110));
        // A value a client gave the root at 2500 leaves in the same message.
        let own = root.due(
            Origin::Client,
            LinkKind::Child,
            Time::from_millis(2_500),
            false,
        );
        assert_eq!(own, relay);
        // A delta arriving a little late is not held for a whole round.
        let late = root.due(
            Origin::Link(LinkKind::Child),
            LinkKind::Child,
            Time::from_millis(3_130),
            false,
        );
        assert_eq!(late, Time::from_millis(3_140));
    }

    #[test]
    fn in_a_deeper_tree_siblings_values_wait_for_the_roots_delta() {
        // tree4 on 25 nodes: the root has height 3; n2 has depth 1 and height 1.
        let n2 = Rounds::new(&settings(), 1, 1, 3);
        // A child's delta arrives at 3100: n2 sends it up at 3110 …
        let up = n2.due(
            Origin::Link(LinkKind::Child),
            LinkKind::Parent,
            Time::from_millis(3_100),
            false,
        );
        assert_eq!(up, Time::from_millis(3_110));
        // … the root flushes at 3330, n2 gets the root's delta at 3430 and relays it at 3440:
        // siblings get the child's values in that same message, not in one of their own.
        let down = n2.due(
            Origin::Link(LinkKind::Child),
            LinkKind::Child,
            Time::from_millis(3_100),
            false,
        );
        assert_eq!(down, Time::from_millis(3_440));
        let from_root = n2.due(
            Origin::Link(LinkKind::Parent),
            LinkKind::Child,
            Time::from_millis(3_430),
            false,
        );
        assert_eq!(from_root, down);
    }

    #[test]
    fn values_from_above_go_down_after_gather() {
        let mid = star(1, 1);
        let due = mid.due(
            Origin::Link(LinkKind::Parent),
            LinkKind::Child,
            Time::from_millis(3_220),
            false,
        );
        assert_eq!(due, Time::from_millis(3_230));
    }
}
