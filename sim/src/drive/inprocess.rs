//! The deterministic driver: in-process nodes ([`InProcessNode`], by default the glomers node
//! through its drive step) stepped on a virtual clock.
//!
//! One loop handles, in time order, the cluster core's events and the nodes' timers. Lines the
//! core delivers are handed to the node at the same virtual time; whatever the node prints is
//! given back to the core at that time too (the model has no processing delay). All nodes read one clock, offset by an epoch
//! drawn from the seed, so that their round boundaries fall at an arbitrary phase of the
//! workload (as with Maelstrom, whose nodes read the wall clock).
//!
//! The kill nemesis drops a node's instance for a fresh one built by the same factory (its
//! timers and unread lines are gone with it), and when the node is started again gives the new
//! instance what its [`Disk`] holds ([`InProcessNode::restore`]) before `init` is delivered.
//! After every step the node may write to its disk ([`InProcessNode::persist`]), before what
//! it printed is released. A paused node neither reads nor fires timers until it resumes.

use std::time::Duration;

use crate::SimError;
use crate::config::SimConfig;
use crate::drive::cluster::Cluster;
use crate::drive::cluster::NodeChange;
use crate::drive::node::{InProcessNode, NodeFactory};
use crate::report::Report;
use crate::world::disk::Disk;
use crate::world::min_queue::MinQueue;
use crate::world::rng::{self, Stream};
use glomers::config::NodeConfig;
use glomers::step::Driven;
use glomers::time::Time;

/// The earliest epoch offset: 2020-09-13 in µs since the Unix epoch.
const EPOCH_BASE: u64 = 1_600_000_000_000_000;
/// Epoch offsets spread over about three years, to the µs.
const EPOCH_SPREAD: u64 = 100_000_000_000_000;

/// How long after the current time a node that asked for a past deadline is woken.
const PAST_DEADLINE_STEP: Duration = Duration::from_millis(1);

/// Makes the node of an index, at the start and again after every kill.
type Make<N> = Box<dyn Fn(u16) -> N + Send>;

/// Nodes in process, their timers, their disks, and the virtual clock.
pub struct InProcess<N: InProcessNode = Driven> {
    cluster: Cluster,
    nodes: Vec<N>,
    make: Make<N>,
    /// Each node's simulated disk, kept across its kills.
    disks: Vec<Disk>,
    /// A kill is a machine crash: unsynced writes are lost.
    crash_drops_unsynced: bool,
    /// Node time = virtual time + epoch (µs).
    epoch: u64,
    /// Each node's current deadline, in virtual time.
    deadlines: Vec<Option<Time>>,
    /// Pending node deadlines (earliest first, then by node); entries that no longer match
    /// `deadlines` are stale.
    timers: MinQueue<(Time, u16), ()>,
    out: Vec<u8>,
    now: Time,
    /// How often a node asked to be woken at or before the current time.
    past_deadlines: u64,
    /// Nodes whose timer fired while they were paused, waiting to resume.
    deferred: Vec<u16>,
}

impl<N: InProcessNode> std::fmt::Debug for InProcess<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("nodes", &self.nodes.len())
            .field("epoch", &self.epoch)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl InProcess {
    /// A cluster of `cfg.node_count` glomers nodes, all with `node_config`. A node left to
    /// decide its workload (`auto`) is told the run's, when the node crate serves it: a
    /// workload whose first request may be a `read` (g-set) is then never taken for another.
    pub fn new(cfg: &SimConfig, node_config: &NodeConfig) -> Result<InProcess, SimError> {
        let mut node_config = node_config.clone();
        let name = cfg.workload.name();
        if node_config.workload.is_auto() && glomers::node::kinds::serves_workload(name) {
            node_config.workload = glomers::config::Workload::named(name);
        }
        InProcess::with_maker(cfg, move |_| Driven::with_log(node_config.clone()))
    }
}

impl InProcess<Box<dyn InProcessNode>> {
    /// A cluster of `cfg.node_count` nodes made by `factory`.
    pub fn from_factory(
        cfg: &SimConfig,
        factory: &NodeFactory,
    ) -> Result<InProcess<Box<dyn InProcessNode>>, SimError> {
        let factory = factory.clone();
        InProcess::with_maker(cfg, move |i| factory.make(i))
    }
}

impl<N: InProcessNode> InProcess<N> {
    /// A cluster of the nodes `make(index)` builds, `n0` first. `make` is called again for a
    /// fresh instance whenever the kill nemesis kills a node.
    pub fn with_maker(
        cfg: &SimConfig,
        make: impl Fn(u16) -> N + Send + 'static,
    ) -> Result<InProcess<N>, SimError> {
        let cluster = Cluster::new(cfg)?;
        let n = usize::from(cfg.node_count);
        let mut nodes: Vec<N> = (0..cfg.node_count).map(&make).collect();
        for node in &mut nodes {
            node.restore(&[]);
        }
        let epoch = EPOCH_BASE + rng::stream(cfg.seed, Stream::Epoch).below(EPOCH_SPREAD);
        Ok(InProcess {
            cluster,
            nodes,
            make: Box::new(make),
            disks: vec![Disk::new(); n],
            crash_drops_unsynced: cfg.kill_drops_unsynced,
            epoch,
            deadlines: vec![None; n],
            timers: MinQueue::default(),
            out: Vec::new(),
            now: Time::ZERO,
            past_deadlines: 0,
            deferred: Vec::new(),
        })
    }

    /// The nodes' clock offset: node time = virtual time + this many µs.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The nodes, for inspection.
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The nodes' disks, for inspection.
    pub fn disks(&self) -> &[Disk] {
        &self.disks
    }

    /// Runs the test to the end and checks it.
    pub fn run(self) -> Result<Report, SimError> {
        self.run_sampled(Duration::MAX, |_, _| {})
    }

    /// Runs the test like [`InProcess::run`], showing `sample` the nodes every `every` of
    /// virtual time (first at time zero; the state before anything due at that instant runs)
    /// and once more when the nodes are torn down.
    pub fn run_sampled(
        mut self,
        every: Duration,
        mut sample: impl FnMut(Time, &[N]),
    ) -> Result<Report, SimError> {
        let mut next_sample = Time::ZERO;
        while !self.cluster.is_done() {
            let core = self.cluster.next_event_time();
            let timer = self.next_timer();
            if let Some(next) = [core, timer.map(|(t, _)| t)].into_iter().flatten().min() {
                while next_sample <= next && next_sample < Time::from_micros(u64::MAX) {
                    sample(next_sample, &self.nodes);
                    next_sample += every;
                }
            }
            match (core, timer) {
                (None, None) => return Err(SimError::Stalled { at: self.now }),
                (Some(tc), Some((tn, node))) if tn < tc => self.fire_timer(tn, node),
                (None, Some((tn, node))) => self.fire_timer(tn, node),
                (Some(tc), _) => self.step_core(tc),
            }
        }
        sample(self.now, &self.nodes);
        let mut report = self.cluster.finish()?;
        report.past_deadlines = self.past_deadlines;
        Ok(report)
    }

    /// The earliest live node deadline, dropping stale heap entries.
    fn next_timer(&mut self) -> Option<(Time, u16)> {
        while let Some(&(t, node)) = self.timers.peek_key() {
            if self.deadlines[usize::from(node)] == Some(t) {
                return Some((t, node));
            }
            self.timers.pop();
        }
        None
    }

    fn node_time(&self, t: Time) -> Time {
        Time::from_micros(t.as_micros() + self.epoch)
    }

    fn fire_timer(&mut self, t: Time, node: u16) {
        self.timers.pop();
        self.deadlines[usize::from(node)] = None;
        self.now = t;
        if self.cluster.is_down(node) {
            return;
        }
        if self.cluster.paused_until(node).is_some() {
            // A stopped process runs its timers when it resumes (see `step_core`).
            self.deferred.push(node);
            return;
        }
        let at = self.node_time(t);
        self.step(node, at, None);
    }

    fn step_core(&mut self, t: Time) {
        self.now = t;
        self.cluster.advance(t);
        while let Some(change) = self.cluster.poll_node_change() {
            self.change(change);
        }
        let at = self.node_time(t);
        if !self.deferred.is_empty() {
            self.wake_resumed(at);
        }
        while let Some(mut d) = self.cluster.poll_delivery() {
            self.step(d.node, at, Some(&mut d.line));
        }
    }

    /// Kills a node (its instance is dropped for a fresh one, not run until it is started; its
    /// timers are gone; a machine crash also loses its unsynced writes) or starts it again
    /// (the fresh instance is given its disk).
    fn change(&mut self, change: NodeChange) {
        match change {
            NodeChange::Killed(node) => {
                let i = usize::from(node);
                self.nodes[i] = (self.make)(node);
                self.deadlines[i] = None;
                self.deferred.retain(|&d| d != node);
                if self.crash_drops_unsynced {
                    self.disks[i].crash();
                }
            }
            NodeChange::Restarted(node) => {
                let i = usize::from(node);
                self.nodes[i].restore(self.disks[i].contents());
            }
        }
    }

    /// Runs the overdue timers of nodes that resumed: before the lines they read on resuming,
    /// as a process woken by SIGCONT handles whichever comes first, and its deadline passed.
    fn wake_resumed(&mut self, at: Time) {
        let mut still = Vec::new();
        for node in std::mem::take(&mut self.deferred) {
            if self.cluster.paused_until(node).is_some() {
                still.push(node);
            } else {
                self.step(node, at, None);
            }
        }
        self.deferred = still;
    }

    /// Steps node `i` at node time `at` with a line or a timeout, hands everything it prints
    /// to the core, and re-arms its timer.
    fn step(&mut self, i: u16, at: Time, line: Option<&mut Vec<u8>>) {
        self.out.clear();
        let node = &mut self.nodes[usize::from(i)];
        let deadline = node.step(at, line, &mut self.out);
        // What must survive a kill reaches the disk before the step's lines are released.
        node.persist(&mut self.disks[usize::from(i)]);
        let now = self.now;
        let deadline = deadline.map(|t| {
            let t = Time::from_micros(t.as_micros().saturating_sub(self.epoch));
            if t > now {
                t
            } else {
                // A node must ask for a later time; waking it again at once could spin forever
                // on the virtual clock, so it is woken a little later (and the fact reported).
                self.past_deadlines += 1;
                now + PAST_DEADLINE_STEP
            }
        });
        if deadline != self.deadlines[usize::from(i)] {
            self.deadlines[usize::from(i)] = deadline;
            if let Some(d) = deadline {
                self.timers.push((d, i), ());
            }
        }
        let out = std::mem::take(&mut self.out);
        let lines = out.strip_suffix(b"\n").unwrap_or(&out);
        if !lines.is_empty() {
            for line in lines.split(|&b| b == b'\n') {
                self.cluster.on_node_line(self.now, i, line);
            }
        }
        self.out = out;
    }
}

/// Runs `cfg` with in-process nodes configured by `node_config`.
pub fn run(cfg: &SimConfig, node_config: &NodeConfig) -> Result<Report, SimError> {
    InProcess::new(cfg, node_config)?.run()
}
