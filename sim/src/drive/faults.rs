//! The extra faults acting on the cluster ([`Faults`]): one-way partitions started and
//! healed, nodes paused and resumed (the lines delivered to a paused node held until it
//! resumes), everything ended with the main phase. When each happens comes from
//! [`FaultSchedule`](crate::world::fault_schedule::FaultSchedule).

use crate::config::SimConfig;
use crate::drive::events::Event;
use crate::drive::wire::Wire;
use crate::world::fault_schedule::FaultSchedule;
use crate::world::partition::Partition;
use crate::world::rng::{self, Stream};
use glomers::time::Time;

/// One-way partitions and pauses: their schedule, whether they still act, and the paused
/// nodes with the lines held for them.
#[derive(Debug)]
pub(crate) struct Faults {
    /// One-way partitions and pauses, if enabled.
    schedule: Option<FaultSchedule>,
    /// Whether the extra faults still act (until the main phase is over).
    active: bool,
    /// Until when each node is paused, if it is.
    paused_until: Vec<Option<Time>>,
    /// Lines delivered to paused nodes, which read them when they resume.
    held: Vec<Vec<Vec<u8>>>,
    n: u16,
}

impl Faults {
    /// The faults `cfg` asks for, none acting yet.
    pub(crate) fn new(cfg: &SimConfig) -> Faults {
        let n = cfg.node_count;
        let schedule = (cfg.faults.oneway.is_some() || cfg.faults.pause.is_some())
            .then(|| FaultSchedule::new(&cfg.faults, rng::stream(cfg.seed, Stream::FaultSchedule)));
        Faults {
            schedule,
            active: !cfg.faults.is_none(),
            paused_until: vec![None; usize::from(n)],
            held: vec![Vec::new(); usize::from(n)],
            n,
        }
    }

    /// Until when `node` is paused, if it is.
    pub(crate) fn paused_until(&self, node: u16) -> Option<Time> {
        self.paused_until[usize::from(node)]
    }

    /// The main phase starts: the first one-way partition and pause are scheduled.
    pub(crate) fn start(&mut self, wire: &mut Wire) {
        let now = wire.now;
        let Some(schedule) = self.schedule.as_mut() else {
            return;
        };
        let oneway = schedule.next_oneway(now);
        let pause = schedule.next_pause(now);
        if let Some(at) = oneway {
            wire.schedule(at, Event::OneWay);
        }
        if let Some(at) = pause {
            wire.schedule(at, Event::Pause);
        }
    }

    /// A one-way partition starts (or the last one heals); the next is scheduled.
    pub(crate) fn on_oneway(&mut self, wire: &mut Wire) {
        let (now, n) = (wire.now, self.n);
        let Some(schedule) = self.schedule.as_mut().filter(|_| self.active) else {
            return;
        };
        let step = schedule.oneway_step(n);
        let next = schedule.next_oneway(now);
        if step.is_some() {
            wire.net.fault_counts.oneway_partitions += 1;
        }
        wire.net
            .set_oneway(step.unwrap_or_else(|| Partition::healed(n)));
        if let Some(at) = next {
            wire.schedule(at, Event::OneWay);
        }
    }

    /// A running node is paused; its resumption and the next pause are scheduled.
    pub(crate) fn on_pause(&mut self, wire: &mut Wire) {
        let now = wire.now;
        let running: Vec<u16> = (0..self.n)
            .filter(|&i| self.paused_until[usize::from(i)].is_none())
            .collect();
        let Some(schedule) = self.schedule.as_mut().filter(|_| self.active) else {
            return;
        };
        let node = schedule.pick(&running);
        let until = now + schedule.pause_length();
        let next = schedule.next_pause(now);
        if let Some(node) = node {
            wire.net.fault_counts.pauses += 1;
            self.paused_until[usize::from(node)] = Some(until);
            wire.schedule(until, Event::Resume(node));
        }
        if let Some(at) = next {
            wire.schedule(at, Event::Pause);
        }
    }

    /// A line reached `node`'s stdin: delivered now, or held while the node is paused (the
    /// stopped process reads it when it resumes).
    pub(crate) fn deliver(&mut self, wire: &mut Wire, node: u16, line: Vec<u8>) {
        if self.paused_until[usize::from(node)].is_some() {
            self.held[usize::from(node)].push(line);
        } else {
            wire.deliver(node, line);
        }
    }

    /// `node` resumes, if paused, and reads the lines held for it.
    pub(crate) fn resume(&mut self, wire: &mut Wire, node: u16) {
        let i = usize::from(node);
        if self.paused_until[i].take().is_none() {
            return;
        }
        for line in std::mem::take(&mut self.held[i]) {
            wire.deliver(node, line);
        }
    }

    /// The main phase is over: the extra faults stop and every paused node resumes.
    pub(crate) fn end(&mut self, wire: &mut Wire) {
        if !self.active {
            return;
        }
        self.active = false;
        wire.net.end_faults();
        for node in 0..self.n {
            self.resume(wire, node);
        }
    }
}
