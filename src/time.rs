//! Time as the core sees it: a plain number handed in by whoever drives the node.
//!
//! The node core never reads a clock. The runtime passes wall-clock time (microseconds since
//! the Unix epoch, so that every process of a Maelstrom cluster agrees on tick boundaries); the
//! simulator passes virtual time. Spans are [`std::time::Duration`].

use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// A point in time, in whole microseconds since an epoch chosen by the driver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(u64);

impl Time {
    /// The driver's epoch.
    pub const ZERO: Time = Time(0);

    /// A time `micros` microseconds after the epoch.
    pub const fn from_micros(micros: u64) -> Time {
        Time(micros)
    }

    /// A time `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: u64) -> Time {
        Time(millis * 1000)
    }

    /// Microseconds since the epoch.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// `span` earlier than `self`, or the epoch if that would be before it.
    pub fn saturating_sub(self, span: Duration) -> Time {
        Time(self.0.saturating_sub(micros(span)))
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Time) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }

    /// The first instant at or after `self` that lies `phase` after a multiple of `period`
    /// counted from the epoch. A zero period returns `self`.
    ///
    /// ```
    /// # use glomers::Time;
    /// # use std::time::Duration;
    /// let t = Time::from_millis(1_250);
    /// let tick = Duration::from_millis(500);
    /// assert_eq!(t.next_aligned(tick, Duration::ZERO), Time::from_millis(1_500));
    /// assert_eq!(t.next_aligned(tick, Duration::from_millis(250)), Time::from_millis(1_250));
    /// assert_eq!(t.next_aligned(tick, Duration::from_millis(300)), Time::from_millis(1_300));
    /// ```
    pub fn next_aligned(self, period: Duration, phase: Duration) -> Time {
        let period = micros(period);
        if period == 0 {
            return self;
        }
        let phase = micros(phase) % period;
        let shifted = self.0.saturating_sub(phase);
        let base = shifted.div_ceil(period) * period;
        Time(base.saturating_add(phase))
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Add<Duration> for Time {
    type Output = Time;
    fn add(self, rhs: Duration) -> Time {
        Time(self.0.saturating_add(micros(rhs)))
    }
}

impl AddAssign<Duration> for Time {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Time> for Time {
    type Output = Duration;
    fn sub(self, rhs: Time) -> Duration {
        self.saturating_since(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_aligned_lands_on_phase_and_never_goes_back() {
        let tick = Duration::from_millis(100);
        let phase = Duration::from_millis(30);
        for ms in [0u64, 1, 29, 30, 31, 99, 100, 129, 130, 131, 1_000_000] {
            let t = Time::from_millis(ms);
            let next = t.next_aligned(tick, phase);
            assert!(next >= t, "{ms}");
            assert_eq!(next.as_micros() % 100_000, 30_000, "{ms}");
            assert!(next - t < tick, "{ms}");
        }
    }

    #[test]
    fn zero_period_means_now() {
        let t = Time::from_micros(12_345);
        assert_eq!(t.next_aligned(Duration::ZERO, Duration::from_millis(5)), t);
    }
}
