//! The cluster core's wire: the virtual clock and its timers, the network, the message
//! journal, Maelstrom's message ids, the nodes' names, and the lines due on the nodes' stdin.
//! Everything that is sent goes through it: it numbers the message, journals it and queues
//! it on the network, and schedules the timers the network asks for.

use std::collections::VecDeque;

use crate::config::SimConfig;
use crate::drive::events::{Event, EventQueue};
use crate::world::endpoint::Endpoint;
use crate::world::journal::Journal;
use crate::world::network::{Latency, Network};
use crate::world::rng::{self, Stream};
use glomers::time::Time;

/// A line for a node's stdin, to be written at the current time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The node's index (`n<index>`).
    pub node: u16,
    /// The line, without its `\n`.
    pub line: Vec<u8>,
}

/// The clock, the timers, the network, the journal and the lines due to nodes.
#[derive(Debug)]
pub(crate) struct Wire {
    /// The current (virtual or real) time.
    pub(crate) now: Time,
    events: EventQueue,
    /// Latency, partitions, faults and each node's delivery worker.
    pub(crate) net: Network,
    /// Every message sent and delivered, and the net statistics.
    pub(crate) journal: Journal,
    names: Vec<String>,
    next_message_id: u64,
    deliveries: VecDeque<Delivery>,
}

impl Wire {
    /// The wire of a run at time zero.
    pub(crate) fn new(cfg: &SimConfig) -> Wire {
        let n = cfg.node_count;
        let latency = Latency {
            ms: cfg.latency_ms,
            dist: cfg.latency_dist,
            rng: rng::stream(cfg.seed, Stream::Latency),
        };
        let faults_rng = rng::stream(cfg.seed, Stream::Faults);
        Wire {
            now: Time::ZERO,
            events: EventQueue::default(),
            net: Network::new(n, latency, cfg.faults.clone(), faults_rng),
            journal: Journal::new(cfg.trace),
            names: if cfg.node_names.is_empty() {
                (0..n).map(|i| format!("n{i}")).collect()
            } else {
                cfg.node_names.clone()
            },
            next_message_id: 0,
            deliveries: VecDeque::new(),
        }
    }

    /// The nodes' ids as the nodes see them: `n0`, `n1`, …, or `--nodes`' ids.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Runs `event` at `at` (after the events already due then).
    pub(crate) fn schedule(&mut self, at: Time, event: Event) {
        self.events.push(at, event);
    }

    /// When the next timer is due.
    pub(crate) fn next_event_time(&self) -> Option<Time> {
        self.events.next_time()
    }

    /// The next timer due now, if any.
    pub(crate) fn pop_due(&mut self) -> Option<Event> {
        self.events.pop_due(self.now)
    }

    /// A fresh message id (Maelstrom numbers every message it carries).
    pub(crate) fn message_id(&mut self) -> u64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    /// Queues a message for node `to`, or for a service's slot.
    pub(crate) fn send_to_node(&mut self, id: u64, from: Endpoint, to: u16, line: Vec<u8>) {
        if let Some(wake) = self.net.send(self.now, id, from, to, line) {
            self.schedule(wake, Event::Deliver(to));
        }
        while let Some(at) = self.net.pop_alarm() {
            self.schedule(at, Event::Arrive);
        }
    }

    /// A line for node `node`'s stdin now.
    pub(crate) fn deliver(&mut self, node: u16, line: Vec<u8>) {
        self.deliveries.push_back(Delivery { node, line });
    }

    /// The next line due on a node's stdin.
    pub(crate) fn poll_delivery(&mut self) -> Option<Delivery> {
        self.deliveries.pop_front()
    }

    /// The nodes are gone: the network heals, nothing more is journaled, delivered or timed.
    pub(crate) fn close(&mut self) {
        self.net.heal();
        self.journal.close();
        self.deliveries.clear();
        self.events.clear();
    }
}
