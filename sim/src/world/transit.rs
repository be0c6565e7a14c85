//! Messages held in transit by the reorder fault before they reach their receiver's queue,
//! released in arrival order (then hold order, so runs never depend on heap internals).

use crate::world::min_queue::MinQueue;
use crate::world::packet::Packet;
use glomers::time::Time;

/// The messages in transit, and the arrival times the core has not been told about yet.
#[derive(Debug, Default)]
pub(crate) struct Transit {
    queue: MinQueue<Time, (u16, Packet)>,
    alarms: Vec<Time>,
}

impl Transit {
    /// Holds `packet` for node `to` until `arrive`.
    pub(crate) fn hold(&mut self, arrive: Time, to: u16, packet: Packet) {
        self.alarms.push(arrive);
        self.queue.push(arrive, (to, packet));
    }

    /// The next message whose transit has ended by `now`, with its receiver.
    pub(crate) fn pop_due(&mut self, now: Time) -> Option<(u16, Packet)> {
        self.queue.pop_at_most(&now)
    }

    /// An arrival time not yet handed to the core.
    pub(crate) fn pop_alarm(&mut self) -> Option<Time> {
        self.alarms.pop()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::config::Faults;
    use crate::world::network::tests::{N0, ms, net};

    #[test]
    fn reordered_messages_are_overtaken_in_transit() {
        let reorder = Faults {
            reorder: 1.0,
            reorder_max: Duration::from_millis(400),
            ..Faults::default()
        };
        let mut n = net(10, reorder);
        // Every message is held in transit; none is queued at once.
        for id in 0..20 {
            assert_eq!(n.send(ms(id), id, N0, 1, vec![]), None);
        }
        let mut alarms = Vec::new();
        while let Some(at) = n.pop_alarm() {
            alarms.push(at);
        }
        assert_eq!(alarms.len(), 20);
        assert_eq!(n.fault_counts.reordered, 20);
        // Deliver everything in time order, as the core would.
        alarms.sort();
        let (mut order, mut wakes) = (Vec::new(), Vec::new());
        for at in alarms {
            wakes.extend(n.arrive(at).into_iter().map(|(_, w)| w));
            wakes.sort();
            while let Some(w) = wakes.first().copied().filter(|&w| w <= at) {
                wakes.remove(0);
                let (p, next) = n.wake(w, 1);
                order.extend(p.map(|p| p.id));
                wakes.extend(next);
            }
        }
        while let Some(w) = wakes.pop() {
            let (p, next) = n.wake(w, 1);
            order.extend(p.map(|p| p.id));
            wakes.extend(next);
        }
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>(), "each delivered once");
        assert_ne!(order, sorted, "sent in order, delivered out of order");
    }
}
