//! The sans-IO cluster core: Maelstrom minus the processes. It holds the network, the
//! clients and the workload generator, the nemesis, the history and the message journal, and
//! sees the nodes only as JSON lines.
//!
//! A driver runs it like this, with `now` never going backwards:
//!
//! 1. [`Cluster::next_event_time`] says when the core next needs [`Cluster::advance`];
//! 2. after `advance(now)`, every [`Cluster::poll_delivery`] is a line to write to a node's
//!    stdin now;
//! 3. every line a node prints goes to [`Cluster::on_node_line`] with the time it was printed;
//! 4. once [`Cluster::is_done`], [`Cluster::finish`] runs the checkers.
//!
//! The in-process driver ([`crate::drive::inprocess`]) steps `glomers::Node`s on a virtual clock; a
//! process driver can feed the same core from real pipes in real time.

use std::collections::VecDeque;

use crate::config::SimConfig;
use crate::drive::clients::{Clients, Worker};
pub(crate) use crate::drive::events::Event;
use crate::drive::events::EventQueue;
use crate::drive::protocol;
use crate::history::History;
use crate::present::report::{NodeError, Report};
use crate::workloads::generator::Generator;
use crate::workloads::{Setup, WorkloadRun};
use crate::world::endpoint::Endpoint;
use crate::world::fault_schedule::FaultSchedule;
use crate::world::journal::Journal;
use crate::world::nemesis::Nemesis;
use crate::world::network::{Latency, Network};
use crate::world::rng::{self, Stream};
use crate::{SimError, checkers as checker};
use glomers::time::Time;

/// A line for a node's stdin, to be written at the current time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The node's index (`n<index>`).
    pub node: u16,
    /// The line, without its `\n`.
    pub line: Vec<u8>,
}

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

/// Maelstrom's test harness around a cluster of line-speaking nodes.
#[derive(Debug)]
pub struct Cluster {
    pub(crate) cfg: SimConfig,
    pub(crate) n: u16,
    pub(crate) names: Vec<String>,
    pub(crate) now: Time,
    events: EventQueue,
    pub(crate) net: Network,
    pub(crate) journal: Journal,
    pub(crate) history: History,
    pub(crate) clients: Clients,
    pub(crate) workers: Vec<Worker>,
    pub(crate) generator: Generator,
    /// What the workload decides: operations, requests, replies, final phase, checker.
    pub(crate) workload: Box<dyn WorkloadRun>,
    pub(crate) nemesis: Option<Nemesis>,
    pub(crate) nemesis_exhausted: bool,
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
    deaf: Vec<bool>,
    node_errors: Vec<NodeError>,
    next_message_id: u64,
    pub(crate) main_start: Option<Time>,
    pub(crate) end: Option<Time>,
    pub(crate) abort: Option<String>,
}

impl Cluster {
    /// A cluster at time zero that has sent `init` to every node.
    pub fn new(cfg: &SimConfig) -> Result<Cluster, SimError> {
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
        let fault_schedule = (cfg.faults.oneway.is_some() || cfg.faults.pause.is_some())
            .then(|| FaultSchedule::new(&cfg.faults, rng::stream(cfg.seed, Stream::FaultSchedule)));
        let mut cluster = Cluster {
            cfg: cfg.clone(),
            n,
            names: (0..n).map(|i| format!("n{i}")).collect(),
            now: Time::ZERO,
            events: EventQueue::default(),
            net: Network::new(n, latency, cfg.faults.clone(), faults_rng),
            journal: Journal::new(cfg.trace),
            history: History::new(),
            clients: Clients::default(),
            workers: (0..cfg.threads()).map(Worker::new).collect(),
            generator,
            workload,
            nemesis_exhausted: nemesis.is_none(),
            nemesis,
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
        };
        cluster.start_init();
        Ok(cluster)
    }

    /// The number of nodes.
    pub fn node_count(&self) -> u16 {
        self.n
    }

    /// Where the run is, in a word: `init`, `topology`, `main`, `draining`, `recovery`,
    /// `final` or `done` (for progress displays).
    pub fn phase_name(&self) -> &'static str {
        match self.phase {
            Phase::Init => "init",
            Phase::Topology => "topology",
            Phase::Main => "main",
            Phase::Draining => "draining",
            Phase::Recovery => "recovery",
            Phase::Final => "final",
            Phase::Done => "done",
        }
    }

    /// Whether the workload runs the final phase (heal, quiet recovery, final operations).
    pub fn has_final_phase(&self) -> bool {
        self.workload.final_phase()
    }

    /// When the main phase started (the time limit counts from it), once it has.
    pub fn main_start(&self) -> Option<Time> {
        self.main_start
    }

    /// Client operations invoked so far (final reads and failures included).
    pub fn ops_invoked(&self) -> u64 {
        self.history.client_invocations()
    }

    /// When [`Cluster::advance`] must next be called, if ever. May be the current time.
    pub fn next_event_time(&self) -> Option<Time> {
        if self.phase == Phase::Done {
            return None;
        }
        self.events.next_time()
    }

    /// Runs everything due at or before `now`.
    pub fn advance(&mut self, now: Time) {
        self.now = self.now.max(now);
        while self.phase != Phase::Done {
            let Some(event) = self.events.pop_due(self.now) else {
                break;
            };
            self.handle_event(event);
        }
    }

    /// Until when node `node` is paused (like SIGSTOP), if it is: the driver must not run its
    /// timers meanwhile. Lines delivered to it wait in the core and come out of
    /// [`Cluster::poll_delivery`] when it resumes, before anything else at that time.
    pub fn paused_until(&self, node: u16) -> Option<Time> {
        self.paused_until[usize::from(node)]
    }

    /// The next line to write to a node's stdin now.
    pub fn poll_delivery(&mut self) -> Option<Delivery> {
        self.deliveries.pop_front()
    }

    /// Whether the test is over (torn down or aborted): stop the nodes and call
    /// [`Cluster::finish`].
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Handles one line (without `\n`) that node `node` printed at `now`. A line Maelstrom
    /// would reject makes it stop reading that node for the rest of the run; the error is
    /// recorded in the report.
    pub fn on_node_line(&mut self, now: Time, node: u16, line: &[u8]) {
        self.now = self.now.max(now);
        if self.phase == Phase::Done || self.deaf[usize::from(node)] {
            return;
        }
        let envelope = match protocol::parse_envelope(line) {
            Ok(e) => e,
            Err(why) => return self.go_deaf(node, line, why),
        };
        let (Some(src), Some(dest)) = (self.endpoint(&envelope.src), self.endpoint(&envelope.dest))
        else {
            let why = format!(
                "Invalid dest/source for message: {} → {}",
                envelope.src, envelope.dest
            );
            return self.go_deaf(node, line, why);
        };
        let body = serde_json::Value::Object(envelope.body);
        let id = self.message_id();
        let stdin = protocol::stdin_line(id, &envelope.src, &envelope.dest, &body.to_string());
        self.journal.send(self.now, id, src, dest, &stdin);
        match dest {
            Endpoint::Node(to) => self.send_to_node(id, src, to, stdin),
            Endpoint::Client(c) => {
                self.journal.recv(self.now, id, src, dest, &stdin);
                let serde_json::Value::Object(body) = body else {
                    return;
                };
                self.client_receive(c, &body);
            }
        }
    }

    /// The checkers' verdict on the finished run.
    pub fn finish(mut self) -> Result<Report, SimError> {
        if let Some(reason) = self.abort.take() {
            return Err(SimError::Aborted {
                at: self.now,
                reason,
            });
        }
        let main_start = self.main_start.unwrap_or(Time::ZERO);
        let end = self.end.unwrap_or(self.now);
        let op_count = self.history.client_invocations();
        let net = self.journal.stats(op_count);
        let workload = self.workload.check(self.history.ops());
        let results = checker::check_all(workload, self.cfg.availability, self.history.ops());
        Ok(Report {
            seed: self.cfg.seed,
            valid: results.valid,
            workload: results.workload,
            stats: results.stats,
            availability: results.availability,
            net,
            op_count,
            server_sends_per_second: self.journal.server_sends_per_second().to_vec(),
            trace: self.journal.take_trace(),
            history: std::mem::take(&mut self.history),
            node_errors: std::mem::take(&mut self.node_errors),
            partition_drops: self.net.partition_drops,
            fault_losses: self.net.fault_losses,
            fault_counts: self.net.fault_counts,
            past_deadlines: 0,
            clients_opened: self.clients.len(),
            main_start,
            end,
            config: self.cfg,
        })
    }

    /// The endpoint an id names, if it exists on the network now.
    fn endpoint(&self, id: &str) -> Option<Endpoint> {
        match Endpoint::parse(id)? {
            Endpoint::Node(i) if i < self.n => Some(Endpoint::Node(i)),
            Endpoint::Client(c) if self.clients.exists(c) => Some(Endpoint::Client(c)),
            _ => None,
        }
    }

    fn go_deaf(&mut self, node: u16, line: &[u8], reason: String) {
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

    fn message_id(&mut self) -> u64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    pub(crate) fn schedule(&mut self, at: Time, event: Event) {
        self.events.push(at, event);
    }

    fn send_to_node(&mut self, id: u64, from: Endpoint, to: u16, line: Vec<u8>) {
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

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::Deliver(node) => {
                let (packet, next) = self.net.wake(self.now, node);
                if let Some(next) = next {
                    self.schedule(next, Event::Deliver(node));
                }
                if let Some(p) = packet {
                    self.journal
                        .recv(self.now, p.id, p.from, Endpoint::Node(node), &p.line);
                    if self.paused_until[usize::from(node)].is_some() {
                        // In the pipe; the stopped process reads it when it resumes.
                        self.held[usize::from(node)].push(p.line);
                    } else {
                        self.deliveries.push_back(Delivery { node, line: p.line });
                    }
                }
            }
            Event::OpDue(due) => self.on_op_due(due),
            Event::Timeout { client, msg_id } => self.on_client_timeout(client, msg_id),
            Event::Nemesis => self.on_nemesis(),
            Event::SetupDeadline(phase) => {
                if self.phase == phase {
                    let what = if phase == Phase::Init {
                        "init"
                    } else {
                        "topology"
                    };
                    self.abort(format!(
                        "{} node(s) did not answer {what} in time",
                        self.setup_pending
                    ));
                }
            }
            Event::MainDeadline => {
                self.generator.exhausted = true;
                self.check_main_end();
            }
            Event::FinalReads => self.start_final_reads(),
            Event::Arrive => {
                for (node, wake) in self.net.arrive(self.now) {
                    self.schedule(wake, Event::Deliver(node));
                }
            }
            Event::OneWay => self.on_oneway(),
            Event::Pause => self.on_pause(),
            Event::Resume(node) => self.resume(node),
        }
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
