//! When a queued value leaves: the round schedule that makes a whole cluster flush in step.
//!
//! Rounds are wall-clock boundaries `from + k·period` of the current [`Plan`], so every node of
//! a Maelstrom run agrees on them (how the plan is chosen and agreed on: `schedule.rs`).
//! A node at height h (hops to its deepest descendant) flushes at `k·period + h·step`:
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
//! `H·step` into the round (H its height) and each level down adds a step, so a node
//! at depth d and height h waits `(H + d − h)·step` after its own flush. It is only a
//! backstop: the parent's delta arriving from above flushes the link then anyway, carrying
//! these values with it, so each link still carries one message per round.

use std::time::Duration;

use super::Settings;
use super::link::LinkKind;
use super::schedule::Plan;
use crate::time::Time;

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A client's `broadcast`.
    Client,
    /// A neighbour over a link of this kind, in a message it stamped with its send time.
    Link(LinkKind, Option<Sent>),
}

/// When a neighbour sent a message, and where it sits in the rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sent {
    /// The message's `sent` stamp.
    pub(crate) at: Time,
    /// The sender's height: it flushes `height` steps into each round.
    pub(crate) height: u32,
}

/// [`Rounds::due`] for one origin at one instant (the items of one message, or one client's
/// request), computed once per kind of link: it depends on nothing else, and a message of a
/// few items used to compute it, with its divisions, for every item.
#[derive(Clone, Debug)]
pub(crate) struct Dues {
    origin: Origin,
    now: Time,
    acting_root: bool,
    at: [Option<Time>; LinkKind::COUNT],
}

impl Dues {
    /// Nothing computed yet for items from `origin` at `now`.
    pub(crate) fn new(origin: Origin, now: Time, acting_root: bool) -> Dues {
        Dues {
            origin,
            now,
            acting_root,
            at: [None; LinkKind::COUNT],
        }
    }

    /// When such an item leaves on a link of kind `to`.
    #[inline]
    pub(crate) fn get(&mut self, rounds: &Rounds, to: LinkKind) -> Time {
        let (origin, now, acting_root) = (self.origin, self.now, self.acting_root);
        *self.at[to.index()].get_or_insert_with(|| rounds.due(origin, to, now, acting_root))
    }
}

/// The flush schedule of one node.
#[derive(Clone, Debug)]
pub(crate) struct Rounds {
    gather: Duration,
    /// This node's height: it flushes `height` steps into each round.
    height: u32,
    /// How many steps after its own flush the root's delta of the same round reaches it.
    down_levels: u32,
    /// The plan in force.
    plan: Plan,
    /// A plan announced to take effect at its `from`.
    next: Option<Plan>,
}

impl Rounds {
    /// The schedule of a node `depth` hops below the root with descendants `height` hops deep,
    /// in a tree whose root has height `root_height`, starting with `plan`.
    pub(crate) fn new(
        settings: &Settings,
        depth: u32,
        height: u32,
        root_height: u32,
        plan: Plan,
    ) -> Rounds {
        let down_levels = if depth == 0 {
            0
        } else {
            (root_height + depth).saturating_sub(height)
        };
        Rounds {
            gather: settings.gather,
            height,
            down_levels,
            plan,
            next: None,
        }
    }

    /// The plan in force at `now`.
    pub(crate) fn plan_at(&self, now: Time) -> &Plan {
        match &self.next {
            Some(next) if next.from <= now => next,
            _ => &self.plan,
        }
    }

    /// The newest plan known: the announced one if any, else the one in force.
    pub(crate) fn latest(&self) -> &Plan {
        self.next.as_ref().unwrap_or(&self.plan)
    }

    /// Makes an announced plan whose time has come the one in force.
    pub(crate) fn settle(&mut self, now: Time) {
        if let Some(next) = self.next.take_if(|next| next.from <= now) {
            self.plan = next;
        }
    }

    /// Takes `plan` on if it is newer than any known; returns whether it was.
    pub(crate) fn adopt(&mut self, plan: Plan, now: Time) -> bool {
        self.settle(now);
        if plan.from <= self.latest().from {
            return false;
        }
        if plan.from <= now {
            // Announced for a boundary already past (it travelled slowly): switch now.
            self.plan = plan;
            self.next = None;
        } else {
            self.next = Some(plan);
        }
        true
    }

    /// Takes on a plan announced by the node above (`[from_ms, period_ms, step_ms]`), unless
    /// it is malformed or starts implausibly far ahead (an hour: a clock gone wrong).
    /// Returns true if the plan took effect at once (its boundary has passed).
    pub(crate) fn adopt_announced(&mut self, round: [u64; 3], now: Time) -> bool {
        match Plan::from_wire(round) {
            Some(plan) if plan.from <= now + Duration::from_secs(3600) => {
                self.adopt(plan, now) && plan.from <= now
            }
            _ => false,
        }
    }

    /// This node's flush phase in `plan`, from the epoch.
    fn phase(&self, plan: &Plan) -> Duration {
        plan.offset() + plan.step * self.height
    }

    /// When a value that arrived at `now` from `from` must leave on a link of kind `to`.
    /// `acting_root` is true when the node relays for others while its own parent is
    /// unreachable: it then sends values down at once instead of waiting for the root.
    pub(crate) fn due(&self, from: Origin, to: LinkKind, now: Time, acting_root: bool) -> Time {
        let plan = self.plan_at(now);
        let hold = if acting_root {
            Duration::ZERO
        } else {
            plan.step * self.down_levels
        };
        match from {
            Origin::Client => {
                let round = now.next_aligned(plan.period, self.phase(plan));
                if to.is_down() { round + hold } else { round }
            }
            Origin::Link(kind, sent) if kind.is_up() => {
                if to.is_down() {
                    now + self.gather
                } else {
                    self.relay_round(now, sent)
                }
            }
            Origin::Link(kind, sent) if kind.is_down() => {
                let round = self.relay_round(now, sent);
                if to.is_down() { round + hold } else { round }
            }
            Origin::Link(..) => now + self.gather,
        }
    }

    /// The flush of the round a delta arriving at `now` belongs to: this node's flush in the
    /// round the sender flushed it in (its `sent` stamp says which; without one, assume a
    /// child one level down that took `step − gather`), or `now + gather` if that point has
    /// passed (a late delta is not held for a whole round: that would break the budget).
    fn relay_round(&self, now: Time, sent: Option<Sent>) -> Time {
        let plan = self.plan_at(now);
        let stamped = sent.is_some();
        let sent = sent.unwrap_or_else(|| Sent {
            at: now.saturating_sub(plan.step.saturating_sub(self.gather)),
            height: self.height.saturating_sub(1),
        });
        let next_own = || {
            let round = now.next_aligned(plan.period, self.phase(plan));
            round.max(now + self.gather)
        };
        if sent.height >= self.height {
            // Not a child in the plan (an adoptee, or a delta that came the wrong way): its
            // values leave with this node's next flush, like a client's.
            return next_own();
        }
        let plan = self.plan_at(sent.at);
        // The sender's round started at the latest boundary at or before its flush point
        // (give or take `gather` of clock skew).
        let lead = plan.step * sent.height;
        let start = (sent.at + self.gather + Duration::from_micros(1))
            .saturating_sub(lead)
            .saturating_sub(plan.period)
            .next_aligned(plan.period, plan.offset());
        if stamped && sent.at > start + lead + self.gather * 2 {
            // Not sent at the sender's flush (a resend, or a late delta passed on): nothing
            // waits for it in a flush of ours, so it goes with the next one.
            return next_own();
        }
        (start + plan.step * self.height).max(now + self.gather)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NodeConfig;

    fn settings() -> Settings {
        let mut c = NodeConfig::default();
        c.timing.tick_ms = Some(1000);
        c.timing.gather_ms = 10;
        c.timing.hop_ms = Some(100);
        Settings::from_config(&c)
    }

    fn plan() -> Plan {
        Plan {
            from: Time::ZERO,
            period: Duration::from_millis(1000),
            step: Duration::from_millis(110),
        }
    }

    fn star(depth: u32, height: u32) -> Rounds {
        Rounds::new(&settings(), depth, height, 1, plan())
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
            Origin::Link(LinkKind::Child, None),
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
            Origin::Link(LinkKind::Child, None),
            LinkKind::Child,
            Time::from_millis(3_130),
            false,
        );
        assert_eq!(late, Time::from_millis(3_140));
    }

    #[test]
    fn in_a_deeper_tree_siblings_values_wait_for_the_roots_delta() {
        // tree4 on 25 nodes: the root has height 3; n2 has depth 1 and height 1.
        let n2 = Rounds::new(&settings(), 1, 1, 3, plan());
        // A child's delta arrives at 3100: n2 sends it up at 3110 …
        let up = n2.due(
            Origin::Link(LinkKind::Child, None),
            LinkKind::Parent,
            Time::from_millis(3_100),
            false,
        );
        assert_eq!(up, Time::from_millis(3_110));
        // … the root flushes at 3330, n2 gets the root's delta at 3430 and relays it at 3440:
        // siblings get the child's values in that same message, not in one of their own.
        let down = n2.due(
            Origin::Link(LinkKind::Child, None),
            LinkKind::Child,
            Time::from_millis(3_100),
            false,
        );
        assert_eq!(down, Time::from_millis(3_440));
        let from_root = n2.due(
            Origin::Link(LinkKind::Parent, None),
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
            Origin::Link(LinkKind::Parent, None),
            LinkKind::Child,
            Time::from_millis(3_220),
            false,
        );
        assert_eq!(due, Time::from_millis(3_230));
    }

    #[test]
    fn a_stamped_delta_belongs_to_the_round_it_left_in_even_when_the_wait_is_long() {
        // 180 ms rounds, the root waits 200 ms for its children (a uniform 0–200 ms network):
        // the root flushes a round's deltas in the next round, and must not take an early
        // one for a late one.
        let plan = Plan {
            from: Time::ZERO,
            period: Duration::from_millis(180),
            step: Duration::from_millis(210),
        };
        let root = Rounds::new(&settings(), 0, 1, 1, plan);
        let due = |arrived: u64, sent: u64| {
            root.due(
                Origin::Link(
                    LinkKind::Child,
                    Some(Sent {
                        at: Time::from_millis(sent),
                        height: 0,
                    }),
                ),
                LinkKind::Child,
                Time::from_millis(arrived),
                false,
            )
        };
        // Leaves flushed at 3600; the root flushes that round at 3810 …
        assert_eq!(due(3_650, 3_600), Time::from_millis(3_810));
        assert_eq!(due(3_795, 3_600), Time::from_millis(3_810));
        // … while a delta of the next round (sent 3780) waits for 3990.
        assert_eq!(due(3_800, 3_780), Time::from_millis(3_990));
        // One that missed its flush goes on at once.
        assert_eq!(due(3_820, 3_600), Time::from_millis(3_830));
    }

    #[test]
    fn an_announced_plan_takes_over_at_its_boundary() {
        let mut leaf = star(1, 0);
        let next = Plan {
            from: Time::from_millis(5_000),
            period: Duration::from_millis(700),
            step: Duration::from_millis(110),
        };
        assert!(leaf.adopt(next, Time::from_millis(4_200)));
        assert!(
            !leaf.adopt(plan(), Time::from_millis(4_300)),
            "an older plan"
        );
        let client = |at: u64| {
            leaf.due(
                Origin::Client,
                LinkKind::Parent,
                Time::from_millis(at),
                false,
            )
        };
        assert_eq!(
            client(4_300),
            Time::from_millis(5_000),
            "the old rounds until then"
        );
        assert_eq!(
            client(5_001),
            Time::from_millis(5_700),
            "the new ones after"
        );
        leaf.settle(Time::from_millis(5_001));
        assert_eq!(leaf.latest(), &next);
        // A plan that arrives after its boundary applies at once.
        let late = Plan {
            from: Time::from_millis(5_700),
            ..next
        };
        assert!(leaf.adopt(late, Time::from_millis(5_800)));
        assert_eq!(leaf.plan_at(Time::from_millis(5_800)), &late);
    }

    #[test]
    fn children_of_every_height_land_in_the_same_flush() {
        // A node of height 2 has a leaf child (flushing at the boundary) and a child of
        // height 1 (flushing one step in): both deltas of the round at 3000 leave at 3220.
        let mid = Rounds::new(&settings(), 1, 2, 3, plan());
        let due = |arrived: u64, sent: u64, height: u32| {
            mid.due(
                Origin::Link(
                    LinkKind::Child,
                    Some(Sent {
                        at: Time::from_millis(sent),
                        height,
                    }),
                ),
                LinkKind::Parent,
                Time::from_millis(arrived),
                false,
            )
        };
        assert_eq!(due(3_100, 3_000, 0), Time::from_millis(3_220));
        assert_eq!(due(3_210, 3_110, 1), Time::from_millis(3_220));
        assert_eq!(due(3_230, 3_110, 1), Time::from_millis(3_240), "late");
    }
}
