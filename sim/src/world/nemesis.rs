//! The partition nemesis's schedule: a start at the beginning of the main phase, then
//! alternating heals and starts, each after an independent gap uniform in [0, 2·interval).
//! Each start shuffles the nodes anew and picks one of the four [`Shape`]s uniformly.

use std::time::Duration;

use crate::world::partition::{Partition, Shape};
use crate::world::rng::Rng;

/// One nemesis operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NemesisOp {
    /// Start a partition of this shape.
    Start(Shape, Partition),
    /// Heal the network.
    Stop,
}

/// The nemesis's state between operations.
#[derive(Debug)]
pub(crate) struct Nemesis {
    rng: Rng,
    interval: Duration,
    next_is_start: bool,
}

impl Nemesis {
    pub(crate) fn new(rng: Rng, interval: Duration) -> Nemesis {
        Nemesis {
            rng,
            interval,
            next_is_start: true,
        }
    }

    /// The gap before the next operation: uniform in [0, 2·interval), whole µs.
    pub(crate) fn gap(&mut self) -> Duration {
        let span = u64::try_from(self.interval.as_micros()).unwrap_or(u64::MAX / 2) * 2;
        Duration::from_micros(self.rng.below(span))
    }

    /// The next operation, for a cluster of `n` nodes.
    pub(crate) fn next_op(&mut self, n: u16) -> NemesisOp {
        let start = self.next_is_start;
        self.next_is_start = !start;
        if start {
            let shape = Shape::ALL[self.rng.below(Shape::ALL.len() as u64) as usize];
            NemesisOp::Start(shape, shape.build(n, &mut self.rng))
        } else {
            NemesisOp::Stop
        }
    }
}
