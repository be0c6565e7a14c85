//! The cluster core's state: the configuration, the virtual clock and timers, the network,
//! the journal, the clients and workers, the workload and its generator, the nemesis and the
//! fault schedule, the history, and where the run is. Also the few operations everything
//! else builds on: timers, message ids, sending, aborting and tearing down.

use std::collections::VecDeque;

use crate::SimError;
use crate::config::SimConfig;
use crate::drive::clients::{Clients, Worker};
use crate::drive::events::{Event, EventQueue, Phase};
use crate::drive::protocol;
use crate::history::History;
use crate::report::NodeError;
use crate::workloads::generator::Generator;
use crate::workloads::{Setup, WorkloadRun};
use crate::world::db_nemesis::DbNemesis;
use crate::world::endpoint::Endpoint;
use crate::world::fault_schedule::FaultSchedule;
use crate::world::journal::Journal;
use crate::world::nemesis::Nemesis;
use crate::world::network::{Latency, Network};
use crate::world::rng::{self, Stream};
use crate::world::services::Services;
use glomers::time::Time;

/// A line for a node's stdin, to be written at the current time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The node's index (`n<index>`).
    pub node: u16,
    /// The line, without its `\n`.
    pub line: Vec<u8>,
}

/// A node the kill nemesis killed or started again: the driver must act on it before it
/// writes any delivery polled after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeChange {
    /// Kill the node (SIGKILL; in process: drop the instance, its timers and its output).
    Killed(u16),
    /// Start the node afresh (a new process with the same node id and working directory; in
    /// process: a new instance given its disk). Its `init` follows as a delivery.
    Restarted(u16),
}

/// A span of time a node was down or paused, for the pictures of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    /// The node.
    pub node: u16,
    /// Killed (else paused).
    pub killed: bool,
    /// When it began, µs since the run started.
    pub from: Time,
    /// When it ended (`None`: at the end of the run).
    pub until: Option<Time>,
}

/// Everything the cluster core holds; the timeline ([`crate::drive::phases`]) and the fault
/// schedule ([`crate::drive::faults`]) act on it through functions, the public
/// [`Cluster`](crate::drive::cluster::Cluster) wraps it.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) cfg: SimConfig,
    pub(crate) n: u16,
    pub(crate) names: Vec<String>,
    pub(crate) now: Time,
    pub(crate) events: EventQueue,
    pub(crate) net: Network,
    /// Maelstrom's services, on the network after the nodes.
    pub(crate) services: Services,
    pub(crate) journal: Journal,
    pub(crate) history: History,
    pub(crate) clients: Clients,
    pub(crate) workers: Vec<Worker>,
    pub(crate) generator: Generator,
    /// What the workload decides: operations, requests, replies, final phase, checker.
    pub(crate) workload: Box<dyn WorkloadRun>,
    pub(crate) nemesis: Option<Nemesis>,
    pub(crate) nemesis_exhausted: bool,
    /// The kill and pause nemesis, if enabled.
    pub(crate) db_nemesis: Option<DbNemesis>,
    pub(crate) db_nemesis_exhausted: bool,
    /// Which nodes are down (killed and not started again).
    pub(crate) down: Vec<bool>,
    /// Kills and restarts the driver has not polled yet.
    pub(crate) changes: VecDeque<NodeChange>,
    /// Every kill and nemesis pause so far, for the pictures.
    pub(crate) outages: Vec<Outage>,
    /// One-way partitions and pauses, if enabled.
    pub(crate) fault_schedule: Option<FaultSchedule>,
    /// Whether the extra faults still act (until the main phase is over).
    pub(crate) faults_active: bool,
    /// Until when each node is paused, if it is.
    pub(crate) paused_until: Vec<Option<Time>>,
    /// Lines delivered to paused nodes, which read them when they resume.
    pub(crate) held: Vec<Vec<Vec<u8>>>,
    pub(crate) phase: Phase,
    pub(crate) setup_pending: usize,
    pub(crate) deliveries: VecDeque<Delivery>,
    pub(crate) deaf: Vec<bool>,
    pub(crate) node_errors: Vec<NodeError>,
    pub(crate) next_message_id: u64,
    pub(crate) main_start: Option<Time>,
    pub(crate) end: Option<Time>,
    pub(crate) abort: Option<String>,
}

impl State {
    /// The state at time zero, before anything was sent.
    pub(crate) fn new(cfg: &SimConfig) -> Result<State, SimError> {
        cfg.validate().map_err(SimError::Config)?;
        let n = cfg.node_count;
        let latency = Latency {
            ms: cfg.latency_ms,
            dist: cfg.latency_dist,
            rng: rng::stream(cfg.seed, Stream::Latency),
        };
        let faults_rng = rng::stream(cfg.seed, Stream::Faults);
        let workload = cfg
            .workload
            .build(&Setup {
                options: &cfg.workload_options,
                node_count: n,
                threads: cfg.threads(),
            })
            .map_err(SimError::Config)?;
        let generator = Generator::new(
            rng::stream(cfg.seed, Stream::Workload),
            cfg.rate,
            cfg.op_lag,
        );
        let nemesis = cfg
            .partition
            .then(|| Nemesis::new(rng::stream(cfg.seed, Stream::Nemesis), cfg.nemesis_interval));
        let db_nemesis = (cfg.kill || cfg.pause).then(|| {
            DbNemesis::new(
                rng::stream(cfg.seed, Stream::DbNemesis),
                cfg.nemesis_interval,
                cfg.kill,
                cfg.pause,
            )
        });
        let fault_schedule = (cfg.faults.oneway.is_some() || cfg.faults.pause.is_some())
            .then(|| FaultSchedule::new(&cfg.faults, rng::stream(cfg.seed, Stream::FaultSchedule)));
        Ok(State {
            cfg: cfg.clone(),
            n,
            names: (0..n).map(|i| format!("n{i}")).collect(),
            now: Time::ZERO,
            events: EventQueue::default(),
            net: Network::new(n, latency, cfg.faults.clone(), faults_rng),
            services: Services::new(cfg.seed),
            journal: Journal::new(cfg.trace),
            history: History::new(),
            clients: Clients::default(),
            workers: (0..cfg.threads()).map(Worker::new).collect(),
            generator,
            workload,
            nemesis_exhausted: nemesis.is_none(),
            nemesis,
            db_nemesis_exhausted: db_nemesis.is_none(),
            db_nemesis,
            down: vec![false; usize::from(n)],
            changes: VecDeque::new(),
            outages: Vec::new(),
            fault_schedule,
            faults_active: !cfg.faults.is_none(),
            paused_until: vec![None; usize::from(n)],
            held: vec![Vec::new(); usize::from(n)],
            phase: Phase::Init,
            setup_pending: 0,
            deliveries: VecDeque::new(),
            deaf: vec![false; usize::from(n)],
            node_errors: Vec::new(),
            next_message_id: 0,
            main_start: None,
            end: None,
            abort: None,
        })
    }

    /// The endpoint an id names, if it exists on the network now.
    pub(crate) fn endpoint(&self, id: &str) -> Option<Endpoint> {
        match Endpoint::parse(id)? {
            Endpoint::Node(i) if i < self.n => Some(Endpoint::Node(i)),
            Endpoint::Client(c) if self.clients.exists(c) => Some(Endpoint::Client(c)),
            Endpoint::Service(s) => Some(Endpoint::Service(s)),
            _ => None,
        }
    }

    pub(crate) fn go_deaf(&mut self, node: u16, line: &[u8], reason: String) {
        self.deaf[usize::from(node)] = true;
        let mut text = String::from_utf8_lossy(line).into_owned();
        if text.len() > 200 {
            let cut = (0..=200)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push('…');
        }
        self.node_errors.push(NodeError {
            node,
            time: self.now,
            line: text,
            reason,
        });
    }

    pub(crate) fn message_id(&mut self) -> u64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    pub(crate) fn schedule(&mut self, at: Time, event: Event) {
        self.events.push(at, event);
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

    /// Client `c` sends node `to` the body `body(msg_id)`; returns the request's `msg_id`.
    pub(crate) fn client_send(&mut self, c: u32, to: u16, body: impl FnOnce(u64) -> String) -> u64 {
        let msg_id = self.clients.get_mut(c).next_msg_id();
        let body = body(msg_id);
        let id = self.message_id();
        let src = Endpoint::Client(c).to_string();
        let line = protocol::stdin_line(id, &src, &self.names[usize::from(to)], &body);
        self.journal
            .send(self.now, id, Endpoint::Client(c), Endpoint::Node(to), &line);
        self.send_to_node(id, Endpoint::Client(c), to, line);
        msg_id
    }

    pub(crate) fn abort(&mut self, reason: String) {
        self.abort = Some(reason);
        self.teardown();
    }

    /// Kills the nodes: nothing is sent, delivered or journaled any more.
    pub(crate) fn teardown(&mut self) {
        self.phase = Phase::Done;
        self.end = Some(self.now);
        self.net.heal();
        self.clients.close_all();
        self.journal.close();
        self.deliveries.clear();
        self.events.clear();
    }
}
