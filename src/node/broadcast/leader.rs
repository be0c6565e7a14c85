//! The root's part of agreeing on the round schedule, and every node's part of following it
//! (the model and the agreement: `schedule.rs`). Once a round the root reviews the latencies
//! its links below observed, chooses a plan and announces it if it changed enough; a node that
//! hears of a plan from above takes it on and re-times what it queued for the old boundary.

use std::time::Duration;

use super::Settings;
use super::latency::{draws, quantile};
use super::links::Links;
use super::rounds::{Origin, Rounds};
use super::schedule::{MIN_SAMPLES, PATH_DEPTH, choose_paths, prior, sum_quantile, worth_changing};
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

/// A plan heard of from above: `rounds` take it on if it is newer; if its boundary has passed,
/// what waits on the `links` up for the old round's flush is re-timed to the new one.
pub(super) fn follow(rounds: &mut Rounds, links: &mut Links, round: [u64; 3], now: Time) {
    if rounds.adopt_announced(round, now) {
        for link in links.iter_mut().filter(|l| l.kind.is_up()) {
            let due = rounds.due(Origin::Client, link.kind, now, false);
            link.retime(due, false);
        }
    }
}

impl Leader {
    /// A line for the log saying how the root changed the schedule, once.
    pub(crate) fn take_note(&mut self) -> Option<String> {
        self.note.take()
    }

    /// At the root, once a round (`rounds` settled at `now`): plans the rounds from the
    /// latencies its `links` below have observed and, if the plan changes, announces it (the
    /// model: `schedule.rs`).
    pub(crate) fn review(
        &mut self,
        rounds: &mut Rounds,
        links: &mut Links,
        settings: &Settings,
        now: Time,
    ) {
        let current = *rounds.latest();
        if now < self.next_review || current.from > now {
            return;
        }
        self.next_review = now + current.period;
        // The children's messages up, as the root received them (bursts among them), and the
        // latencies they reported of the root's messages down: each an independent draw
        // (module docs of `schedule.rs`, "Reports").
        let below = || links.iter().filter(|l| l.kind.is_down());
        let mut samples: Vec<u32> = below()
            .flat_map(|l| l.latency.samples().iter().chain(l.reported.samples()))
            .copied()
            .collect();
        samples.sort_unstable();
        let mut arrivals: Vec<Time> = below()
            .flat_map(|l| l.latency.arrivals().iter().copied())
            .collect();
        let reported: usize = below().map(|l| l.reported.samples().len()).sum();
        let draws = draws(&mut arrivals) + reported;
        let path = if samples.len() >= MIN_SAMPLES && settings.hop.is_none() {
            let mut ups: Vec<u32> = below().flat_map(|l| l.latency.samples()).copied().collect();
            let mut downs: Vec<u32> = below()
                .flat_map(|l| l.reported.samples())
                .copied()
                .collect();
            ups.sort_unstable();
            downs.sort_unstable();
            let q = 1.0 - (1.0 - settings.quantile) / PATH_DEPTH;
            sum_quantile(&ups, &downs, q).unwrap_or_default()
        } else {
            Duration::ZERO
        };
        let choice = choose_paths(settings, self.levels, self.children, &samples, draws, path);
        let first = !self.measured && samples.len() >= MIN_SAMPLES;
        self.measured |= first;
        // Once the samples show the tail, the plan made while they could not (the prior's
        // descent: shorter rounds) gives way at once, like the prior's own.
        let seen = self.tail_unseen && !choice.tail_unseen;
        self.tail_unseen = choice.tail_unseen;
        let g = settings.gather;
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
        let reach = (choice.descent + g) * self.levels.max(1);
        if (first || (seen && choice.period > current.period))
            && start + choice.period >= now + reach
        {
            from = start;
        }
        let plan = choice.plan(from, g);
        // A plan made while the tail was unseen is provisional: the measured one replaces it
        // even when they differ by less than is worth announcing otherwise.
        if worth_changing(&current, &plan) || (seen && plan.period > current.period) {
            rounds.adopt(plan, now);
            if plan.from <= now {
                // This round's flush need not wait out the prior's wait any more.
                let flush = (plan.from + plan.step * self.levels).max(now + g);
                for link in links.iter_mut().filter(|l| l.kind.is_down()) {
                    link.retime(flush, true);
                }
            }
            self.note = Some(format!(
                "timing: rounds of {} ms from {} ms, parents wait {} ms for their children \
                 (one-way latency p50 {} ms, budgeted {} ms at the quantile, {} samples){}",
                plan.period.as_millis(),
                plan.from.as_micros() / 1000,
                choice.wait.as_millis(),
                quantile(&samples, 0.5)
                    .unwrap_or_else(|| prior(settings, self.levels))
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
}
