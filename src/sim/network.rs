//! Maelstrom's network, as seen by the nodes: latency drawn at send time, one
//! earliest-deadline queue per node, and one delivery worker per node.
//!
//! A worker takes the earliest message as soon as any is queued, drops it if the current
//! partition makes the node refuse its sender, and otherwise sleeps until the message's
//! deadline and delivers it; only then does it take the next one. So a client request
//! (deadline = now) queued while the worker sleeps on a server message waits for it
//! (head-of-line blocking), and the partition test happens at take time.
//!
//! Messages to clients never enter this network: clients read their own queues at once.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Duration;

use super::config::{Faults, LatencyDist};
use super::endpoint::Endpoint;
use super::partition::Partition;
use super::rng::Rng;
use crate::time::Time;

/// A message on its way to a node.
#[derive(Clone, Debug)]
pub(crate) struct Packet {
    /// Maelstrom's network-wide message id.
    pub(crate) id: u64,
    pub(crate) from: Endpoint,
    pub(crate) deadline: Time,
    /// The line to write to the node's stdin, without `\n`.
    pub(crate) line: Vec<u8>,
}

/// Queue order: earliest deadline first, then send order.
#[derive(Debug)]
struct Queued(Packet);

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.deadline, self.0.id).cmp(&(other.0.deadline, other.0.id))
    }
}

#[derive(Debug, Default)]
struct Inbox {
    queue: BinaryHeap<Reverse<Queued>>,
    /// The message the worker has taken and sleeps on.
    taken: Option<Packet>,
}

/// Latency draws for node↔node messages.
#[derive(Debug)]
pub(crate) struct Latency {
    pub(crate) ms: u64,
    pub(crate) dist: LatencyDist,
    pub(crate) rng: Rng,
}

impl Latency {
    fn draw(&mut self) -> Duration {
        let ms = match self.dist {
            LatencyDist::Constant => self.ms,
            LatencyDist::Uniform => self.rng.below(2 * self.ms),
            LatencyDist::Exponential => {
                let u = self.rng.unit();
                (-(1.0 - u).ln() * self.ms as f64) as u64
            }
        };
        Duration::from_millis(ms)
    }
}

/// Every node's queue and worker, the current partition, and the fault injector.
#[derive(Debug)]
pub(crate) struct Network {
    inboxes: Vec<Inbox>,
    partition: Partition,
    latency: Latency,
    faults: Faults,
    fault_rng: Rng,
    /// Messages dropped by a partition when taken.
    pub(crate) partition_drops: u64,
    /// Messages lost to [`Faults::loss`].
    pub(crate) fault_losses: u64,
}

impl Network {
    pub(crate) fn new(nodes: u16, latency: Latency, faults: Faults, fault_rng: Rng) -> Network {
        Network {
            inboxes: (0..nodes).map(|_| Inbox::default()).collect(),
            partition: Partition::healed(nodes),
            latency,
            faults,
            fault_rng,
            partition_drops: 0,
            fault_losses: 0,
        }
    }

    /// Installs a partition (it applies to messages taken from now on).
    pub(crate) fn set_partition(&mut self, p: Partition) {
        self.partition = p;
    }

    /// Heals every partition.
    pub(crate) fn heal(&mut self) {
        self.partition = Partition::healed(self.inboxes.len() as u16);
    }

    /// Queues message `id` from `from` to node `to`, sent at `now`. If the node's worker was
    /// idle, it takes the earliest message at once; the time it must wake is returned.
    pub(crate) fn send(
        &mut self,
        now: Time,
        id: u64,
        from: Endpoint,
        to: u16,
        line: Vec<u8>,
    ) -> Option<Time> {
        let server = !from.is_client();
        let mut deadline = now;
        if server {
            deadline = now + self.latency.draw() + self.spike();
            if self.fault_rng.chance(self.faults.loss) {
                self.fault_losses += 1;
                return None;
            }
            if self.fault_rng.chance(self.faults.duplicate) {
                let again = now + self.latency.draw() + self.spike();
                self.inboxes[usize::from(to)]
                    .queue
                    .push(Reverse(Queued(Packet {
                        id,
                        from,
                        deadline: again,
                        line: line.clone(),
                    })));
            }
        }
        let inbox = &mut self.inboxes[usize::from(to)];
        inbox.queue.push(Reverse(Queued(Packet {
            id,
            from,
            deadline,
            line,
        })));
        if inbox.taken.is_none() {
            self.take(now, to)
        } else {
            None
        }
    }

    fn spike(&mut self) -> Duration {
        if self.fault_rng.chance(self.faults.spike_probability) {
            self.faults.spike
        } else {
            Duration::ZERO
        }
    }

    /// The worker of `node` takes the earliest queued message it does not drop; returns when
    /// it must wake to deliver it.
    fn take(&mut self, now: Time, node: u16) -> Option<Time> {
        let inbox = &mut self.inboxes[usize::from(node)];
        while let Some(Reverse(Queued(p))) = inbox.queue.pop() {
            if let Endpoint::Node(from) = p.from
                && self.partition.blocks(from, node)
            {
                self.partition_drops += 1;
                continue;
            }
            let wake = p.deadline.max(now);
            inbox.taken = Some(p);
            return Some(wake);
        }
        None
    }

    /// The worker of `node` wakes at `now`: it delivers the message it slept on (returned)
    /// and takes the next one (whose wake time is returned too).
    pub(crate) fn wake(&mut self, now: Time, node: u16) -> (Option<Packet>, Option<Time>) {
        let delivered = self.inboxes[usize::from(node)].taken.take();
        (delivered, self.take(now, node))
    }
}
