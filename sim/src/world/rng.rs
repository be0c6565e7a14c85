//! Seeded randomness: one ChaCha stream per concern, all derived from the run's seed, so that
//! a change in how often one concern draws (say, a fault being enabled) leaves the others'
//! draws untouched.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The concerns that draw random numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// The nodes' clock epoch.
    Epoch = 1,
    /// Node↔node latencies.
    Latency = 2,
    /// Operation gaps and payloads.
    Workload = 3,
    /// Partition timing and shapes.
    Nemesis = 4,
    /// Extra faults, per message.
    Faults = 5,
    /// When one-way partitions and pauses happen.
    FaultSchedule = 6,
    /// `seq-kv`'s choice of the state a request sees.
    SeqKv = 7,
    /// `lww-kv`'s choice of replica.
    LwwKv = 8,
}

/// The random stream `stream` of the run seeded with `seed`.
pub(crate) fn stream(seed: u64, stream: Stream) -> Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    Rng(rng)
}

/// A seeded generator with the few draws the simulator needs. Each concern of a run (the
/// workload, latencies, the nemesis, …) has its own stream derived from the seed.
#[derive(Clone, Debug)]
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// The workload stream of a run seeded with `seed`: what a workload's
    /// [`next_op`](crate::workloads::WorkloadRun::next_op) draws from, for driving a workload
    /// outside a run (a test store fed the workload's own operations).
    pub fn workload(seed: u64) -> Rng {
        stream(seed, Stream::Workload)
    }

    /// A uniform integer in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }

    /// A uniform float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p` (draws nothing when `p` is 0, so disabled faults consume
    /// no randomness).
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}
