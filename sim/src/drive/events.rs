//! The cluster core's timers: events due at a virtual time, popped in time order and, at equal
//! times, in the order they were scheduled (so runs never depend on heap internals).

use crate::world::min_queue::MinQueue;
use glomers::time::Time;

/// Where the run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for every `init_ok`.
    Init,
    /// Waiting for every `topology_ok` (broadcast).
    Topology,
    /// Generating operations.
    Main,
    /// The generator is exhausted; waiting for outstanding operations.
    Draining,
    /// Broadcast: the quiet period before the final reads.
    Recovery,
    /// Broadcast: waiting for the final reads.
    Final,
    /// Torn down (or aborted).
    Done,
}

/// Something the core must do at a given time.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    /// A node's delivery worker wakes to deliver the message it took.
    Deliver(u16),
    /// The generator's next operation is due at this (scheduled) time.
    OpDue(Time),
    /// A client's request times out (if still outstanding).
    Timeout { client: u32, msg_id: u64 },
    /// The nemesis's next operation is due.
    Nemesis,
    /// Setup must have finished this phase by now.
    SetupDeadline(Phase),
    /// With rate 0: the main phase ends.
    MainDeadline,
    /// Broadcast: the recovery period is over.
    FinalReads,
    /// A worker thread's wait in the final phase is over (kafka's spaced final polls).
    FinalStep(usize),
    /// Messages held in transit by the reorder fault reach their receivers' queues.
    Arrive,
    /// The fault schedule starts or heals a one-way partition.
    OneWay,
    /// The fault schedule pauses a node.
    Pause,
    /// A paused node resumes.
    Resume(u16),
    /// Entry `i` of [`crate::SimConfig::partition_script`] is due.
    Scripted(usize),
}

/// Pending events, earliest first.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    queue: MinQueue<Time, Event>,
}

impl EventQueue {
    /// Schedules `event` at `at`.
    pub(crate) fn push(&mut self, at: Time, event: Event) {
        self.queue.push(at, event);
    }

    /// When the earliest event is due.
    pub(crate) fn next_time(&self) -> Option<Time> {
        self.queue.peek_key().copied()
    }

    /// The earliest event if it is due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Time) -> Option<Event> {
        self.queue.pop_at_most(&now)
    }

    /// Drops every pending event.
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }
}
