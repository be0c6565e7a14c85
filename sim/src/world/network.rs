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
//!
//! Maelstrom's four services are recipients too, after the nodes: each has its own queue and
//! worker like a node, its traffic draws latency in both directions, and it is never
//! partitioned (only node↔node messages are). The extra faults leave it alone.
//!
//! Extra faults ([`Faults`], all off by default) act on node↔node messages at send time: loss,
//! duplication, latency spikes, and reordering, which holds a message in transit before it
//! reaches the receiver's queue so that later ones overtake it. One-way partitions are a
//! second partition that only the fault schedule changes.

use std::time::Duration;

use crate::config::{Faults, LatencyDist};
use crate::world::endpoint::Endpoint;
use crate::world::faults::FaultCounts;
use crate::world::min_queue::MinQueue;
use crate::world::packet::Packet;
use crate::world::partition::Partition;
use crate::world::rng::Rng;
use crate::world::services::Service;
use crate::world::transit::Transit;
use glomers::time::Time;

#[derive(Debug, Default)]
struct Inbox {
    /// Earliest deadline first, then send order.
    queue: MinQueue<(Time, u64), Packet>,
    /// The message the worker has taken and sleeps on, and when it wakes to deliver it.
    taken: Option<(Packet, Time)>,
    /// The node is down (killed): its worker takes nothing, and what is sent to it piles up
    /// in its queue until it is started again.
    down: bool,
    /// The node was started again and its `init` is the next message sent to it: that one
    /// goes ahead of everything that piled up while it was down.
    init_next: bool,
}

impl Inbox {
    fn enqueue(&mut self, packet: Packet) {
        if std::mem::take(&mut self.init_next) {
            self.queue.push((Time::ZERO, packet.id), packet);
            return;
        }
        self.queue.push((packet.deadline, packet.id), packet);
    }
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
    /// The nodes' inboxes, then one per service.
    inboxes: Vec<Inbox>,
    /// How many of the inboxes are nodes'.
    nodes: u16,
    partition: Partition,
    /// The fault schedule's one-way partition, on top of the nemesis's.
    oneway: Partition,
    latency: Latency,
    faults: Faults,
    fault_rng: Rng,
    transit: Transit,
    /// Messages dropped by a partition when taken.
    pub(crate) partition_drops: u64,
    /// Messages lost to [`Faults::loss`].
    pub(crate) fault_losses: u64,
    /// What the other faults did.
    pub(crate) fault_counts: FaultCounts,
}

impl Network {
    pub(crate) fn new(nodes: u16, latency: Latency, faults: Faults, fault_rng: Rng) -> Network {
        let services = Service::ALL.len() as u16;
        Network {
            inboxes: (0..nodes + services).map(|_| Inbox::default()).collect(),
            nodes,
            partition: Partition::healed(nodes),
            oneway: Partition::healed(nodes),
            latency,
            faults,
            fault_rng,
            transit: Transit::default(),
            partition_drops: 0,
            fault_losses: 0,
            fault_counts: FaultCounts::default(),
        }
    }

    /// Installs the fault schedule's one-way partition (healed: `Partition::healed`).
    pub(crate) fn set_oneway(&mut self, p: Partition) {
        self.oneway = p;
    }

    /// Ends every extra fault: later messages travel like Maelstrom's. Messages already held
    /// in transit still arrive when due.
    pub(crate) fn end_faults(&mut self) {
        self.faults = Faults::default();
        self.oneway = Partition::healed(self.nodes);
    }

    /// The arrival time of a message put in transit since the last call, if any.
    pub(crate) fn pop_alarm(&mut self) -> Option<Time> {
        self.transit.pop_alarm()
    }

    /// Moves every message whose transit ends by `now` into its receiver's queue; returns the
    /// wake times of the workers that were idle and took one.
    pub(crate) fn arrive(&mut self, now: Time) -> Vec<(u16, Time)> {
        let mut wakes = Vec::new();
        while let Some((to, packet)) = self.transit.pop_due(now) {
            let inbox = &mut self.inboxes[usize::from(to)];
            inbox.enqueue(packet);
            if inbox.taken.is_none()
                && let Some(wake) = self.take(now, to)
            {
                wakes.push((to, wake));
            }
        }
        wakes
    }

    /// Node `node` is killed: its worker stops, and the message it had taken but not yet
    /// written goes back into the queue, where what is sent to the node piles up until
    /// [`Network::restart`] (the kill nemesis of Maelstrom's release that added it).
    pub(crate) fn kill(&mut self, node: u16) {
        let inbox = &mut self.inboxes[usize::from(node)];
        inbox.down = true;
        inbox.init_next = false;
        if let Some((packet, _)) = inbox.taken.take() {
            inbox.enqueue(packet);
        }
    }

    /// Node `node` is started again. Its worker takes nothing until the next message sent to
    /// it, its `init`, which goes first; what piled up follows in deadline order.
    pub(crate) fn restart(&mut self, node: u16) {
        let inbox = &mut self.inboxes[usize::from(node)];
        inbox.down = false;
        inbox.init_next = true;
    }

    /// Installs a partition (it applies to messages taken from now on).
    pub(crate) fn set_partition(&mut self, p: Partition) {
        self.partition = p;
    }

    /// Heals every partition.
    pub(crate) fn heal(&mut self) {
        self.partition = Partition::healed(self.nodes);
    }

    /// The recipient number of a service (after the nodes').
    pub(crate) fn service_slot(&self, service: Service) -> u16 {
        self.nodes + service.index() as u16
    }

    /// The service whose recipient number is `slot`, if it is not a node.
    pub(crate) fn slot_service(&self, slot: u16) -> Option<Service> {
        slot.checked_sub(self.nodes)
            .and_then(|i| Service::ALL.get(usize::from(i)).copied())
    }

    /// Queues message `id` from `from` to recipient `to` (a node, or a service's slot), sent
    /// at `now`. If the recipient's worker was idle, it takes the earliest message at once;
    /// the time it must wake is returned.
    pub(crate) fn send(
        &mut self,
        now: Time,
        id: u64,
        from: Endpoint,
        to: u16,
        line: Vec<u8>,
    ) -> Option<Time> {
        let server = !from.is_client();
        // The extra faults act on node↔node messages only.
        let faulty = matches!(from, Endpoint::Node(_)) && to < self.nodes;
        let mut deadline = now;
        if server && !faulty {
            deadline = now + self.latency.draw();
        } else if server {
            deadline = now + self.latency.draw() + self.spike();
            if self.fault_rng.chance(self.faults.loss) {
                self.fault_losses += 1;
                return None;
            }
            if self.fault_rng.chance(self.faults.duplicate) {
                self.fault_counts.duplicated += 1;
                let again = now + self.latency.draw() + self.spike();
                let copy = Packet {
                    id,
                    from,
                    deadline: again,
                    line: line.clone(),
                };
                self.route(now, to, copy);
            }
        }
        let packet = Packet {
            id,
            from,
            deadline,
            line,
        };
        if faulty {
            self.route(now, to, packet);
        } else {
            self.inboxes[usize::from(to)].enqueue(packet);
        }
        if self.inboxes[usize::from(to)].taken.is_none() {
            self.take(now, to)
        } else {
            None
        }
    }

    /// Queues a node↔node message, or holds it in transit first if it is to be reordered.
    fn route(&mut self, now: Time, to: u16, mut packet: Packet) {
        if self.fault_rng.chance(self.faults.reorder) {
            let max = u64::try_from(self.faults.reorder_max.as_micros()).unwrap_or(u64::MAX);
            let extra = Duration::from_micros(self.fault_rng.below(max));
            self.fault_counts.reordered += 1;
            packet.deadline += extra;
            self.transit.hold(now + extra, to, packet);
            return;
        }
        self.inboxes[usize::from(to)].enqueue(packet);
    }

    fn spike(&mut self) -> Duration {
        if self.fault_rng.chance(self.faults.spike_probability) {
            self.fault_counts.spiked += 1;
            self.faults.spike
        } else {
            Duration::ZERO
        }
    }

    /// The worker of `node` takes the earliest queued message it does not drop; returns when
    /// it must wake to deliver it.
    fn take(&mut self, now: Time, node: u16) -> Option<Time> {
        let inbox = &mut self.inboxes[usize::from(node)];
        if inbox.down {
            return None;
        }
        while let Some(p) = inbox.queue.pop() {
            if let Endpoint::Node(from) = p.from
                && node < self.nodes
                && (self.partition.blocks(from, node) || self.oneway.blocks(from, node))
            {
                self.partition_drops += 1;
                continue;
            }
            let wake = p.deadline.max(now);
            inbox.taken = Some((p, wake));
            return Some(wake);
        }
        None
    }

    /// The worker of `node` wakes at `now`: it delivers the message it slept on (returned)
    /// and takes the next one (whose wake time is returned too). A wake-up meant for a
    /// message taken before a kill finds nothing due and does nothing.
    pub(crate) fn wake(&mut self, now: Time, node: u16) -> (Option<Packet>, Option<Time>) {
        let inbox = &mut self.inboxes[usize::from(node)];
        match inbox.taken.take() {
            Some((packet, wake)) if wake <= now => (Some(packet), self.take(now, node)),
            stale => {
                inbox.taken = stale;
                (None, None)
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};

    /// A three-node network with constant latency and these faults.
    pub(crate) fn net(latency_ms: u64, faults: Faults) -> Network {
        let latency = Latency {
            ms: latency_ms,
            dist: LatencyDist::Constant,
            rng: rng::stream(1, Stream::Latency),
        };
        Network::new(3, latency, faults, rng::stream(1, Stream::Faults))
    }

    pub(crate) fn ms(m: u64) -> Time {
        Time::from_millis(m)
    }

    pub(crate) const N0: Endpoint = Endpoint::Node(0);
    const N2: Endpoint = Endpoint::Node(2);
    const C0: Endpoint = Endpoint::Client(0);

    #[test]
    fn what_is_sent_to_a_killed_node_piles_up_and_follows_its_init() {
        let mut n = net(10, Faults::default());
        assert_eq!(
            n.send(ms(0), 1, N0, 1, b"a".to_vec()),
            Some(ms(10)),
            "taken"
        );
        assert_eq!(
            n.send(ms(1), 2, N2, 1, b"b".to_vec()),
            None,
            "queued behind"
        );
        n.kill(1);
        assert_eq!(
            n.send(ms(2), 3, C0, 1, b"c".to_vec()),
            None,
            "queued: the worker of a dead node takes nothing"
        );
        // The worker's wake-up for the message it had taken before the kill delivers nothing.
        assert!(matches!(n.wake(ms(10), 1), (None, None)));
        n.restart(1);
        assert_eq!(
            n.send(ms(30), 4, C0, 1, b"init".to_vec()),
            Some(ms(30)),
            "the init is taken first, though the others' deadlines are earlier"
        );
        let mut order = Vec::new();
        let mut at = ms(30);
        loop {
            let (delivered, next) = n.wake(at, 1);
            order.extend(delivered.map(|p| p.id));
            match next {
                Some(t) => at = t,
                None => break,
            }
        }
        assert_eq!(
            order,
            [4, 3, 1, 2],
            "init, then what piled up, in deadline order (the client's without latency)"
        );
        assert_eq!(at, ms(30), "all due at once");
        assert_eq!(
            n.fault_counts.killed_drops, 0,
            "nothing is lost in the network"
        );
    }

    #[test]
    fn a_stale_wake_up_never_delivers_early() {
        let mut n = net(100, Faults::default());
        assert_eq!(n.send(ms(0), 1, N0, 1, b"a".to_vec()), Some(ms(100)));
        n.kill(1);
        n.restart(1);
        assert_eq!(n.send(ms(5), 2, C0, 1, b"init".to_vec()), Some(ms(5)));
        let (init, next) = n.wake(ms(5), 1);
        assert_eq!(init.map(|p| p.id), Some(2));
        assert_eq!(next, Some(ms(100)), "the first message keeps its deadline");
        assert!(
            matches!(n.wake(ms(50), 1), (None, None)),
            "a stray wake-up before it"
        );
        assert_eq!(n.wake(ms(100), 1).0.map(|p| p.id), Some(1));
    }

    #[test]
    fn a_client_request_waits_behind_the_message_the_worker_sleeps_on() {
        let mut n = net(100, Faults::default());
        assert_eq!(n.send(ms(0), 1, N0, 1, b"gossip".to_vec()), Some(ms(100)));
        // The request's deadline is now, but the worker is asleep until 100 ms.
        assert_eq!(n.send(ms(10), 2, C0, 1, b"read".to_vec()), None);
        let (first, next) = n.wake(ms(100), 1);
        assert_eq!(first.map(|p| p.id), Some(1));
        assert_eq!(
            next,
            Some(ms(100)),
            "the overdue request is delivered at once"
        );
        let (second, next) = n.wake(ms(100), 1);
        assert_eq!((second.map(|p| p.id), next), (Some(2), None));
    }

    #[test]
    fn partitions_apply_when_the_worker_takes_a_message() {
        let mut n = net(100, Faults::default());
        n.send(ms(0), 1, N0, 1, b"taken before the partition".to_vec());
        n.send(ms(10), 2, N0, 1, b"queued".to_vec());
        let mut p = Partition::healed(3);
        p.block(0, 1);
        n.set_partition(p);
        let (delivered, next) = n.wake(ms(100), 1);
        assert_eq!(delivered.map(|p| p.id), Some(1));
        assert_eq!(next, None, "the queued message was dropped at take time");
        assert_eq!(n.partition_drops, 1);
        // Sent during the partition, but taken after the heal: delivered.
        assert_eq!(
            n.send(ms(150), 3, N2, 1, b"unblocked".to_vec()),
            Some(ms(250))
        );
        n.send(ms(160), 4, N0, 1, b"sent while partitioned".to_vec());
        n.heal();
        assert_eq!(n.wake(ms(250), 1).1, Some(ms(260)));
        assert_eq!(n.wake(ms(260), 1).0.map(|p| p.id), Some(4));
        // Clients are never partitioned.
        let mut p = Partition::healed(3);
        p.block(0, 2);
        n.set_partition(p);
        assert_eq!(
            n.send(ms(300), 5, C0, 2, b"request".to_vec()),
            Some(ms(300))
        );
    }

    #[test]
    fn queued_messages_leave_in_deadline_order() {
        let mut n = net(100, Faults::default());
        n.send(ms(0), 1, N0, 1, b"a".to_vec());
        n.send(ms(50), 2, N2, 1, b"b".to_vec()); // due at 150
        n.send(ms(60), 3, C0, 1, b"c".to_vec()); // due at 60
        let order: Vec<u64> = [100, 100, 150]
            .into_iter()
            .filter_map(|t| n.wake(ms(t), 1).0.map(|p| p.id))
            .collect();
        assert_eq!(order, vec![1, 3, 2]);
    }

    #[test]
    fn loss_and_duplication_only_when_enabled() {
        let lossy = Faults {
            loss: 1.0,
            ..Faults::default()
        };
        let mut n = net(10, lossy);
        assert_eq!(n.send(ms(0), 1, N0, 1, b"x".to_vec()), None);
        assert_eq!(n.fault_losses, 1);
        assert!(n.send(ms(0), 2, C0, 1, b"client".to_vec()).is_some());
        let dup = Faults {
            duplicate: 1.0,
            ..Faults::default()
        };
        let mut n = net(10, dup);
        n.send(ms(0), 1, N0, 1, b"x".to_vec());
        let a = n.wake(ms(10), 1);
        let b = n.wake(ms(10), 1);
        assert_eq!((a.0.map(|p| p.id), b.0.map(|p| p.id)), (Some(1), Some(1)));
    }
}
