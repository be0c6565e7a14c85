//! The schedule of the main phase, common to every workload: Jepsen's `stagger(1/rate)` over
//! the workload's operations (which the workload draws, from the same random stream), handed
//! to free worker threads in round-robin order.
//!
//! The first operation is due when the main phase starts; each later one is due an
//! independent gap uniform in [0, 2/rate) after the previous one actually went, plus a small
//! per-operation lag. When every thread is busy the due operation waits for the next free
//! thread, and the schedule continues from when it went (no catching up).

use std::time::Duration;

use crate::world::rng::Rng;
use glomers::time::Time;

#[derive(Debug)]
pub(crate) struct Generator {
    rng: Rng,
    /// Upper bound of a gap in µs (2/rate s); `None` when the rate is 0.
    gap_span: Option<u64>,
    lag: Duration,
    /// No operation may start at or after this time.
    pub(crate) deadline: Time,
    /// No more operations will be generated.
    pub(crate) exhausted: bool,
    /// An operation is due but every thread is busy.
    pub(crate) waiting: bool,
    cursor: usize,
}

impl Generator {
    pub(crate) fn new(rng: Rng, rate: f64, lag: Duration) -> Generator {
        let gap_span = (rate > 0.0).then(|| ((2_000_000.0 / rate) as u64).max(1));
        Generator {
            rng,
            gap_span,
            lag,
            deadline: Time::ZERO,
            exhausted: gap_span.is_none(),
            waiting: false,
            cursor: 0,
        }
    }

    /// When the operation after one that went at `went` is due, or `None` (and exhausted)
    /// if that is at or past the deadline.
    pub(crate) fn due_after(&mut self, went: Time) -> Option<Time> {
        let span = self.gap_span?;
        let due = went + Duration::from_micros(self.rng.below(span)) + self.lag;
        self.due_at(due)
    }

    /// `at` if an operation may still start then; otherwise marks the generator exhausted.
    pub(crate) fn due_at(&mut self, at: Time) -> Option<Time> {
        if at >= self.deadline {
            self.exhausted = true;
            None
        } else {
            Some(at)
        }
    }

    /// The lag added to an operation that waited for a thread freed at `now`.
    pub(crate) fn after_wait(&self, now: Time) -> Time {
        now + self.lag
    }

    /// The next free thread (of `n`, `busy(t)` saying whether thread `t` is) at or after
    /// the round-robin cursor.
    pub(crate) fn pick_thread(&mut self, n: usize, busy: impl Fn(usize) -> bool) -> Option<usize> {
        let t = (0..n).map(|k| (self.cursor + k) % n).find(|&t| !busy(t))?;
        self.cursor = (t + 1) % n;
        Some(t)
    }

    /// The random stream the workload draws its operations from.
    pub(crate) fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }
}
