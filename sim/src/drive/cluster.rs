//! The sans-IO cluster core: Maelstrom minus the processes. It holds the network, the
//! clients and the workload generator, the nemesis, the history and the message journal, and
//! sees the nodes only as JSON lines.
//!
//! A driver runs it like this, with `now` never going backwards:
//!
//! 1. [`Cluster::next_event_time`] says when the core next needs [`Cluster::advance`];
//! 2. after `advance(now)`, every [`Cluster::poll_node_change`] is a node to kill or start
//!    again now (the kill nemesis), then every [`Cluster::poll_delivery`] is a line to write
//!    to a node's stdin now;
//! 3. every line a node prints goes to [`Cluster::on_node_line`] with the time it was printed;
//! 4. once [`Cluster::is_done`], [`Cluster::finish`] runs the checkers.
//!
//! The in-process driver ([`crate::drive::inprocess`]) steps `glomers::Node`s on a virtual clock; a
//! process driver can feed the same core from real pipes in real time.

use crate::SimError;
use crate::checkers as checker;
use crate::config::SimConfig;
use crate::drive::events::{Event, Phase};
use crate::drive::state::State;
use crate::drive::{protocol, service_worker};
use crate::report::Report;
use crate::world::endpoint::Endpoint;
use glomers::time::Time;

pub use crate::drive::crashes::{NodeChange, Outage};
pub use crate::drive::wire::Delivery;

/// Maelstrom's test harness around a cluster of line-speaking nodes.
#[derive(Debug)]
pub struct Cluster {
    s: State,
}

impl Cluster {
    /// A cluster at time zero that has sent `init` to every node.
    pub fn new(cfg: &SimConfig) -> Result<Cluster, SimError> {
        let mut s = State::new(cfg)?;
        s.start_init();
        Ok(Cluster { s })
    }

    /// The configuration it runs.
    pub fn config(&self) -> &SimConfig {
        &self.s.cfg
    }

    /// Aborts the run (a driver's own failure, such as a node process that died).
    pub(crate) fn abort(&mut self, reason: String) {
        self.s.abort(reason);
    }

    /// The number of nodes.
    pub fn node_count(&self) -> u16 {
        self.s.n
    }

    /// Where the run is, in a word: `init`, `topology`, `main`, `draining`, `recovery`,
    /// `final` or `done` (for progress displays).
    pub fn phase_name(&self) -> &'static str {
        match self.s.progress.phase {
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
        self.s.clients.workload.final_phase()
    }

    /// When the main phase started (the time limit counts from it), once it has.
    pub fn main_start(&self) -> Option<Time> {
        self.s.progress.main_start
    }

    /// Client operations invoked so far (final reads and failures included).
    pub fn ops_invoked(&self) -> u64 {
        self.s.history.client_invocations()
    }

    /// When [`Cluster::advance`] must next be called, if ever. May be the current time.
    pub fn next_event_time(&self) -> Option<Time> {
        if self.s.progress.phase == Phase::Done {
            return None;
        }
        self.s.wire.next_event_time()
    }

    /// Runs everything due at or before `now`.
    pub fn advance(&mut self, now: Time) {
        self.s.wire.now = self.s.wire.now.max(now);
        while self.s.progress.phase != Phase::Done {
            let Some(event) = self.s.wire.pop_due() else {
                break;
            };
            self.handle_event(event);
        }
    }

    /// Until when node `node` is paused (like SIGSTOP), if it is: the driver must not run its
    /// timers meanwhile. Lines delivered to it wait in the core and come out of
    /// [`Cluster::poll_delivery`] when it resumes, before anything else at that time.
    pub fn paused_until(&self, node: u16) -> Option<Time> {
        self.s.faults.paused_until(node)
    }

    /// Whether node `node` is down (killed and not started again): the driver runs nothing
    /// of it meanwhile.
    pub fn is_down(&self, node: u16) -> bool {
        self.s.crashes.is_down(node)
    }

    /// The next node the kill nemesis killed or started, in order: act on every one before
    /// writing the deliveries of the same [`Cluster::advance`].
    pub fn poll_node_change(&mut self) -> Option<NodeChange> {
        self.s.crashes.poll_change()
    }

    /// The next line to write to a node's stdin now.
    pub fn poll_delivery(&mut self) -> Option<Delivery> {
        self.s.wire.poll_delivery()
    }

    /// Whether the test is over (torn down or aborted): stop the nodes and call
    /// [`Cluster::finish`].
    pub fn is_done(&self) -> bool {
        self.s.progress.phase == Phase::Done
    }

    /// Handles one line (without `\n`) that node `node` printed at `now`. A line Maelstrom
    /// would reject makes it stop reading that node for the rest of the run; the error is
    /// recorded in the report.
    pub fn on_node_line(&mut self, now: Time, node: u16, line: &[u8]) {
        self.s.wire.now = self.s.wire.now.max(now);
        // A killed process's last lines, read after its kill, are gone with it.
        let gone = self.s.crashes.is_down(node);
        if self.s.progress.phase == Phase::Done || self.s.rejections.is_deaf(node) || gone {
            return;
        }
        let now = self.s.wire.now;
        let envelope = match protocol::parse_envelope(line) {
            Ok(e) => e,
            Err(error) => {
                let why = error.report(&self.s.wire.names()[usize::from(node)], line);
                return self.s.rejections.reject(now, node, line, why);
            }
        };
        if self.late_reply(&envelope.dest) {
            self.s.wire.net.fault_counts.late_replies += 1;
            return;
        }
        let (Some(src), Some(dest)) = (
            self.s.endpoint(&envelope.src),
            self.s.endpoint(&envelope.dest),
        ) else {
            let why = format!(
                "Invalid dest/source for message: {} → {}",
                envelope.src, envelope.dest
            );
            return self.s.rejections.reject(now, node, line, why);
        };
        let body = serde_json::Value::Object(envelope.body);
        let wire = &mut self.s.wire;
        let id = wire.message_id();
        let stdin = protocol::stdin_line(id, &envelope.src, &envelope.dest, &body.to_string());
        wire.journal.send(now, id, src, dest, &stdin);
        match dest {
            Endpoint::Node(to) => wire.send_to_node(id, src, to, stdin),
            Endpoint::Service(s) => {
                let slot = wire.net.service_slot(s);
                wire.send_to_node(id, src, slot, stdin);
            }
            Endpoint::Client(c) => {
                wire.journal.recv(now, id, src, dest, &stdin);
                let serde_json::Value::Object(body) = body else {
                    return;
                };
                self.s.client_receive(c, &body);
            }
        }
    }

    /// Whether a line to `dest` is a late reply that a kill or pause nemesis caused: `dest`
    /// is a client that timed out and closed while the node was held. Maelstrom's network
    /// (`maelstrom/src/maelstrom/net.clj`, `validate-msg`) rejects a message to a closed
    /// client and its node's stdout reader stops; with queues that keep what is sent to a
    /// dead node, every node started again after more than a client's timeout would answer
    /// one and be silenced for the rest of the test, whatever it does. Under those two
    /// nemeses the reply is dropped instead, and counted.
    fn late_reply(&self, dest: &str) -> bool {
        if !(self.s.cfg.kill || self.s.cfg.pause) {
            return false;
        }
        match Endpoint::parse(dest) {
            Some(Endpoint::Client(c)) => {
                (c as usize) < self.s.clients.opened() && !self.s.clients.exists(c)
            }
            _ => false,
        }
    }

    /// The checkers' verdict on the finished run.
    pub fn finish(mut self) -> Result<Report, SimError> {
        if let Some(reason) = self.s.progress.abort.take() {
            return Err(SimError::Aborted {
                at: self.s.wire.now,
                reason,
            });
        }
        let main_start = self.s.progress.main_start.unwrap_or(Time::ZERO);
        let end = self.s.progress.end.unwrap_or(self.s.wire.now);
        let op_count = self.s.history.client_invocations();
        let net = self.s.wire.journal.stats(op_count);
        let workload = self.s.clients.workload.check(self.s.history.ops());
        let results = checker::check_all(workload, self.s.cfg.availability, self.s.history.ops());
        Ok(Report {
            seed: self.s.cfg.seed,
            valid: results.valid,
            workload: results.workload,
            stats: results.stats,
            availability: results.availability,
            net,
            op_count,
            server_sends_per_second: self.s.wire.journal.server_sends_per_second().to_vec(),
            trace: self.s.wire.journal.take_trace(),
            history: std::mem::take(&mut self.s.history),
            node_errors: self.s.rejections.take_errors(),
            partition_drops: self.s.wire.net.partition_drops,
            fault_losses: self.s.wire.net.fault_losses,
            fault_counts: self.s.wire.net.fault_counts,
            past_deadlines: 0,
            outages: self.s.crashes.take_outages(),
            clients_opened: self.s.clients.opened(),
            main_start,
            end,
            config: self.s.cfg,
        })
    }

    fn handle_event(&mut self, event: Event) {
        let s = &mut self.s;
        match event {
            Event::Deliver(node) => {
                let now = s.wire.now;
                let (packet, next) = s.wire.net.wake(now, node);
                if let Some(next) = next {
                    s.wire.schedule(next, Event::Deliver(node));
                }
                if let (Some(p), Some(service)) = (&packet, s.wire.net.slot_service(node)) {
                    service_worker::serve(s, service, p);
                } else if let Some(p) = packet {
                    s.wire
                        .journal
                        .recv(now, p.id, p.from, Endpoint::Node(node), &p.line);
                    s.faults.deliver(&mut s.wire, node, p.line);
                }
            }
            Event::OpDue(due) => s.on_op_due(due),
            Event::Timeout { client, msg_id } => s.on_client_timeout(client, msg_id),
            Event::Nemesis => s.on_nemesis(),
            Event::DbNemesis => s.on_db_nemesis(),
            Event::SetupDeadline(phase) => {
                if s.progress.phase == phase {
                    let what = if phase == Phase::Init {
                        "init"
                    } else {
                        "topology"
                    };
                    let pending = s.progress.setup_pending;
                    let mut why = format!("{pending} node(s) did not answer {what} in time");
                    // Maelstrom logs why a node went deaf before its setup times out.
                    for e in s.rejections.errors() {
                        why.push_str(&format!("; n{}: {}", e.node, e.reason));
                    }
                    s.abort(why);
                }
            }
            Event::MainDeadline => s.on_main_deadline(),
            Event::FinalReads => s.start_final_reads(),
            Event::FinalStep(t) => s.on_final_wait_over(t),
            Event::Arrive => {
                for (node, wake) in s.wire.net.arrive(s.wire.now) {
                    s.wire.schedule(wake, Event::Deliver(node));
                }
            }
            Event::OneWay => s.faults.on_oneway(&mut s.wire),
            Event::Pause => s.faults.on_pause(&mut s.wire),
            Event::Resume(node) => s.faults.resume_due(&mut s.wire, node),
            Event::Scripted(i) => s.on_scripted_partition(i),
        }
    }
}
