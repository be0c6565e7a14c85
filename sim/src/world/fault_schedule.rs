//! The schedule of the faults that are not per message: one-way partitions, started and healed
//! alternately, and node pauses (SIGSTOP … SIGCONT). Drawn from a stream of their own, started
//! with the main phase and ended with it (applied to the cluster by `drive::faults`).

use std::time::Duration;

use crate::config::{Faults, Pause};
use crate::world::partition::Partition;
use crate::world::rng::Rng;
use glomers::time::Time;

/// A gap uniform in [0, 2·mean), whole µs.
fn gap(rng: &mut Rng, mean: Duration) -> Duration {
    let span = u64::try_from(mean.as_micros()).unwrap_or(u64::MAX / 2) * 2;
    Duration::from_micros(rng.below(span))
}

/// When one-way partitions and pauses happen, drawn from the run's fault-schedule stream.
#[derive(Debug)]
pub(crate) struct FaultSchedule {
    rng: Rng,
    oneway: Option<Duration>,
    pause: Option<Pause>,
    oneway_active: bool,
}

impl FaultSchedule {
    pub(crate) fn new(faults: &Faults, rng: Rng) -> FaultSchedule {
        FaultSchedule {
            rng,
            oneway: faults.oneway,
            pause: faults.pause,
            oneway_active: false,
        }
    }

    /// When the next one-way partition starts or heals, after one that happened at `now`.
    pub(crate) fn next_oneway(&mut self, now: Time) -> Option<Time> {
        let mean = self.oneway?;
        Some(now + gap(&mut self.rng, mean))
    }

    /// When the next pause starts, after one that started at `now`.
    pub(crate) fn next_pause(&mut self, now: Time) -> Option<Time> {
        let mean = self.pause?.every;
        Some(now + gap(&mut self.rng, mean))
    }

    /// How long a pause lasts.
    pub(crate) fn pause_length(&self) -> Duration {
        self.pause.map_or(Duration::ZERO, |p| p.length)
    }

    /// The next one-way step over `n` nodes: `Some` partition to start, or `None` to heal.
    pub(crate) fn oneway_step(&mut self, n: u16) -> Option<Partition> {
        self.oneway_active = !self.oneway_active;
        self.oneway_active.then(|| one_way(n, &mut self.rng))
    }

    /// Picks the node to pause among `candidates` (those not paused already).
    pub(crate) fn pick(&mut self, candidates: &[u16]) -> Option<u16> {
        let i = self.rng.below(candidates.len() as u64) as usize;
        candidates.get(i).copied()
    }
}

/// A random group of 1 … n−1 nodes whose messages the others drop, while the group still
/// hears everyone.
pub(crate) fn one_way(n: u16, rng: &mut Rng) -> Partition {
    let mut nodes: Vec<u16> = (0..n).collect();
    rng.shuffle(&mut nodes);
    let mut p = Partition::healed(n);
    if n < 2 {
        return p;
    }
    let k = 1 + rng.below(u64::from(n) - 1) as usize;
    let (muted, deaf) = nodes.split_at(k);
    for &from in muted {
        for &to in deaf {
            p.block(from, to);
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::endpoint::Endpoint;
    use crate::world::network::tests::{N0, ms, net};
    use crate::world::rng::{self, Stream};

    #[test]
    fn one_way_partitions_cut_one_direction_only() {
        let mut rng = rng::stream(9, Stream::FaultSchedule);
        for n in 2..12 {
            let p = one_way(n, &mut rng);
            let mut cut = 0;
            for a in 0..n {
                for b in 0..n {
                    if p.blocks(a, b) {
                        cut += 1;
                        assert!(!p.blocks(b, a), "n={n}: {a}↔{b} cut both ways");
                    }
                }
            }
            assert!(cut > 0, "n={n}: something is cut");
        }
        assert!(one_way(1, &mut rng).is_healed());
    }

    #[test]
    fn one_way_partitions_drop_one_direction_and_end_with_the_faults() {
        let mut n = net(10, Faults::default());
        let mut p = Partition::healed(3);
        p.block(0, 1);
        n.set_oneway(p);
        assert_eq!(
            n.send(ms(0), 1, N0, 1, vec![]),
            None,
            "n1 drops n0's messages"
        );
        assert_eq!(n.partition_drops, 1);
        assert_eq!(
            n.send(ms(20), 2, Endpoint::Node(1), 0, vec![]),
            Some(ms(30))
        );
        assert_eq!(
            n.wake(ms(30), 0).0.map(|p| p.id),
            Some(2),
            "n0 still hears n1"
        );
        n.heal();
        assert_eq!(
            n.send(ms(40), 3, N0, 1, vec![]),
            None,
            "the nemesis's heal keeps it"
        );
        n.end_faults();
        assert_eq!(n.send(ms(60), 4, N0, 1, vec![]), Some(ms(70)));
        assert_eq!(n.wake(ms(70), 1).0.map(|p| p.id), Some(4));
    }
}
