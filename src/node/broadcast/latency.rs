//! One-way latency, as this node observes it on each link.
//!
//! Every gossip message carries the wall-clock time it was sent (`sent`, ms). On arrival,
//! `now − sent` is one sample of the link's one-way latency, including whatever queueing the
//! network added (Maelstrom delivers each node's messages one at a time in deadline order, so a
//! message can wait behind a slower one: that wait is part of the latency that matters).
//!
//! Assumptions, and nothing more: the nodes' clocks agree to a few ms (the aligned rounds rely
//! on that already; Maelstrom runs every node on one machine, the simulator on one clock); a
//! sample that comes out negative is clock skew and counts as zero. Nothing is assumed about the
//! shape of the distribution (constant, uniform, exponential or anything else): quantiles are
//! read off the recent samples themselves.
//!
//! Each link keeps its last [`WINDOW`] samples, so the estimate follows a network that gets
//! slower within one round at a busy node (every child's delta is a fresh sample), and forgets
//! a slow past after `WINDOW` messages per link.
//!
//! Samples are not always independent draws. Maelstrom's delivery worker sleeps on the first
//! message queued for a node until its deadline, and only then takes the next; so when every
//! child flushes at the same instant, the deltas whose latency was shorter than the first one's
//! are delivered right behind it, and all read as its latency: a burst. Each sample keeps its
//! arrival time so that [`draws`] can count a burst as the one draw it is (`schedule.rs` says
//! what the planner does with that).
//!
//! The way down has no such queueing, so a child of the root reports what it observed of the
//! root's messages: [`LatencyWindow::take_unreported`] hands out each sample once, for the
//! child's next message up, and the root keeps the reports in a window of their own
//! (`schedule.rs`, "Reports").

use std::time::Duration;

use crate::time::Time;

/// Samples kept per link.
pub(crate) const WINDOW: usize = 16;

/// Samples held for a report at most: a node that has sent nothing for this many messages
/// of its neighbour reports only the latest.
pub(crate) const REPORTED: usize = 4;

/// Deliveries this close to the one before came out of the receiver's queue behind it.
pub(crate) const QUEUED: Duration = Duration::from_millis(1);

/// The recent one-way latencies of one link, in µs, with when each arrived.
#[derive(Clone, Debug, Default)]
pub(crate) struct LatencyWindow {
    samples: [u32; WINDOW],
    arrived: [Time; WINDOW],
    len: u8,
    next: u8,
    /// The latest samples (at most [`REPORTED`]), until [`LatencyWindow::take_unreported`]
    /// takes them.
    unreported: [u32; REPORTED],
    unreported_len: u8,
}

impl LatencyWindow {
    /// Records a message sent at `sent_ms` (sender's clock, ms) and received at `now`.
    pub(crate) fn observe(&mut self, sent_ms: u64, now: Time) {
        let micros = now.as_micros().saturating_sub(sent_ms.saturating_mul(1000));
        let micros = u32::try_from(micros).unwrap_or(u32::MAX);
        self.record(micros, now);
        if usize::from(self.unreported_len) == REPORTED {
            self.unreported.copy_within(1.., 0);
            self.unreported_len -= 1;
        }
        self.unreported[usize::from(self.unreported_len)] = micros;
        self.unreported_len += 1;
    }

    /// Records a sample the neighbour reported (µs): its latency for a message of ours,
    /// received at `now`.
    pub(crate) fn record(&mut self, micros: u32, now: Time) {
        self.samples[usize::from(self.next)] = micros;
        self.arrived[usize::from(self.next)] = now;
        self.next = (self.next + 1) % WINDOW as u8;
        self.len = (self.len + 1).min(WINDOW as u8);
    }

    /// The samples (µs) not taken before, oldest first: to report to the neighbour, once each.
    pub(crate) fn take_unreported(&mut self) -> impl Iterator<Item = u32> + '_ {
        let n = usize::from(std::mem::take(&mut self.unreported_len));
        self.unreported[..n].iter().copied()
    }

    /// The samples held (in no particular order), µs.
    pub(crate) fn samples(&self) -> &[u32] {
        &self.samples[..usize::from(self.len)]
    }

    /// When each of [`LatencyWindow::samples`] arrived, in the same order.
    pub(crate) fn arrivals(&self) -> &[Time] {
        &self.arrived[..usize::from(self.len)]
    }
}

/// How many independent draws of the latency `arrivals` (one per sample, of one receiver,
/// sorted in place) can be: a sample that arrived within [`QUEUED`] of the one before was
/// queued behind it, and says only that its own latency was no longer.
pub(crate) fn draws(arrivals: &mut [Time]) -> usize {
    arrivals.sort_unstable();
    let queued = arrivals
        .windows(2)
        .filter(|w| w[1].saturating_since(w[0]) < QUEUED)
        .count();
    arrivals.len() - queued
}

/// The `q`-quantile of `sorted` (ascending): the smallest sample with at least a fraction `q`
/// of the samples at or below it. `None` without samples.
pub(crate) fn quantile(sorted: &[u32], q: f64) -> Option<Duration> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (q * n as f64).ceil() as usize;
    let i = rank.clamp(1, n) - 1;
    Some(Duration::from_micros(u64::from(sorted[i])))
}

/// The fraction of `sorted` strictly above `x`.
pub(crate) fn fraction_above(sorted: &[u32], x: Duration) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let x = u32::try_from(x.as_micros()).unwrap_or(u32::MAX);
    let at_or_below = sorted.partition_point(|&s| s <= x);
    (sorted.len() - at_or_below) as f64 / sorted.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_sample_is_arrival_minus_the_sent_stamp_and_skew_counts_as_zero() {
        let mut w = LatencyWindow::default();
        w.observe(1_000, Time::from_millis(1_100));
        w.observe(2_000, Time::from_millis(1_990)); // the sender's clock is ahead
        assert_eq!(w.samples(), &[100_000, 0]);
        assert_eq!(
            w.arrivals(),
            &[Time::from_millis(1_100), Time::from_millis(1_990)]
        );
    }

    #[test]
    fn a_burst_delivered_back_to_back_is_one_draw() {
        let t = Time::from_millis;
        // One delivery alone, a burst of three behind a head, then two more apart.
        let mut arrivals = [t(942), t(797), t(942), t(942), t(1_200), t(1_202)];
        assert_eq!(draws(&mut arrivals), 4);
        assert_eq!(draws(&mut []), 0);
        // Back to back means within a millisecond: 0.4 ms apart is still the same burst.
        let mut close = [Time::from_micros(5_000), Time::from_micros(5_400)];
        assert_eq!(draws(&mut close), 1);
    }

    #[test]
    fn the_window_keeps_the_most_recent_samples() {
        let mut w = LatencyWindow::default();
        for i in 0..(WINDOW as u64 + 4) {
            w.observe(0, Time::from_millis(i));
        }
        let mut s = w.samples().to_vec();
        s.sort_unstable();
        assert_eq!(s.len(), WINDOW);
        assert_eq!(s[0], 4_000, "the four oldest samples are gone");
        assert_eq!(*s.last().expect("full"), (WINDOW as u32 + 3) * 1000);
    }

    #[test]
    fn quantiles_are_read_off_the_samples() {
        let sorted: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(quantile(&sorted, 0.5), Some(ms(50)));
        assert_eq!(quantile(&sorted, 0.99), Some(ms(99)));
        assert_eq!(quantile(&sorted, 0.999), Some(ms(100)));
        assert_eq!(
            quantile(&sorted[..3], 0.99),
            Some(ms(3)),
            "few samples: the max"
        );
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(fraction_above(&sorted, ms(90)), 0.1);
        assert_eq!(fraction_above(&sorted, ms(100)), 0.0);
        assert_eq!(fraction_above(&sorted, ms(0)), 1.0);
    }
}
