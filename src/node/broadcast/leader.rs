//! The root's part of agreeing on the round schedule, and every node's part of following it
//! (the model and the agreement: `schedule.rs`). Once a round the root reviews the latencies
//! its links below observed, chooses a plan and announces it if it changed enough; a node that
//! hears of a plan from above takes it on and re-times what it queued for the old boundary.

use std::time::Duration;

use super::latency::{draws, quantile};
use super::rounds::Origin;
use super::schedule::{MIN_SAMPLES, choose_drawn, prior, worth_changing};
use super::{Broadcast, Kind};
use crate::time::Time;

/// The root's part: when to look at its samples again, and what it looks at.
#[derive(Clone, Debug)]
pub(crate) struct Leader {
    levels: u32,
    children: usize,
    next_review: Time,
    /// Whether a plan from samples (not the prior) has been made yet.
    measured: bool,
    /// Whether the last plan kept the prior's descent, its samples showing no tail yet.
    tail_unseen: bool,
    /// What changed at the last review, for the node's log.
    note: Option<String>,
}

impl Leader {
    /// The leader of a tree of height `levels` with `children` links below the root.
    pub(crate) fn new(levels: u32, children: usize) -> Leader {
        Leader {
            levels,
            children,
            next_review: Time::ZERO,
            measured: false,
            tail_unseen: false,
            note: None,
        }
    }
}

/// A plan `b` heard of from above: taken on if newer; if its boundary has passed, what waits
/// for the old round's flush is re-timed to the new one.
pub(super) fn follow<K: Kind>(b: &mut Broadcast<K>, round: [u64; 3], now: Time) {
    if b.rounds.adopt_announced(round, now) {
        for link in b.links.iter_mut().filter(|l| l.kind.is_up()) {
            let due = b.rounds.due(Origin::Client, link.kind, now, false);
            link.retime(due, false);
        }
    }
}

/// A line for the log saying how `b`'s root role changed the schedule, once.
pub(super) fn take_note<K: Kind>(b: &mut Broadcast<K>) -> Option<String> {
    b.leader.as_mut().and_then(|l| l.note.take())
}

/// At the root `b`, once a round: plans the rounds from the latencies its links below
/// have observed and, if the plan changes, announces it (the model: `schedule.rs`).
pub(super) fn review<K: Kind>(b: &mut Broadcast<K>, now: Time) {
    b.rounds.settle(now);
    let Some(leader) = &mut b.leader else {
        return;
    };
    let current = *b.rounds.latest();
    if now < leader.next_review || current.from > now {
        return;
    }
    leader.next_review = now + current.period;
    let below = || b.links.iter().filter(|l| l.kind.is_down());
    let mut samples: Vec<u32> = below()
        .flat_map(|l| l.latency.samples().iter().copied())
        .collect();
    samples.sort_unstable();
    let mut arrivals: Vec<Time> = below()
        .flat_map(|l| l.latency.arrivals().iter().copied())
        .collect();
    let draws = draws(&mut arrivals);
    let first = !leader.measured && samples.len() >= MIN_SAMPLES;
    leader.measured |= first;
    let choice = choose_drawn(&b.settings, leader.levels, leader.children, &samples, draws);
    // Once the samples show the tail, the plan made while they could not (the prior's
    // descent: shorter rounds) gives way at once, like the prior's own.
    let seen = leader.tail_unseen && !choice.tail_unseen;
    leader.tail_unseen = choice.tail_unseen;
    let g = b.settings.gather;
    let p = current.period;
    // Plans start with the next round. The announcement leaves on this flush; a node
    // that hears of it after the boundary switches at once and re-times what it queued.
    let mut from = (now + g).next_aligned(p, current.offset());
    // The first measured plan replaces the prior's (short) rounds from the round now
    // being flushed, if its first boundary leaves time for the announcement to arrive:
    // the prior costs one round, not two.
    let start = (now + Duration::from_micros(1))
        .saturating_sub(p)
        .next_aligned(p, current.offset());
    let reach = (choice.descent + g) * leader.levels.max(1);
    if (first || (seen && choice.period > current.period)) && start + choice.period >= now + reach {
        from = start;
    }
    let plan = choice.plan(from, g);
    // A plan made while the tail was unseen is provisional: the measured one replaces it
    // even when they differ by less than is worth announcing otherwise.
    if worth_changing(&current, &plan) || (seen && plan.period > current.period) {
        b.rounds.adopt(plan, now);
        if plan.from <= now {
            // This round's flush need not wait out the prior's wait any more.
            let flush = (plan.from + plan.step * leader.levels).max(now + g);
            for link in b.links.iter_mut().filter(|l| l.kind.is_down()) {
                link.retime(flush, true);
            }
        }
        leader.note = Some(format!(
            "timing: rounds of {} ms from {} ms, parents wait {} ms for their children \
             (one-way latency p50 {} ms, budgeted {} ms at the quantile, {} samples){}",
            plan.period.as_millis(),
            plan.from.as_micros() / 1000,
            choice.wait.as_millis(),
            quantile(&samples, 0.5)
                .unwrap_or_else(|| prior(&b.settings, leader.levels))
                .as_millis(),
            choice.descent.as_millis(),
            samples.len(),
            if choice.fits {
                ""
            } else {
                "; the budget cannot be held on this network"
            },
        ));
    }
}
