//! The test's timeline, driving the cluster core's parts ([`State`]): setup (`init`, then
//! `topology` when the workload sends it), the main phase (generator, nemesis and extra
//! faults until the time limit), draining, and when the workload has one the heal, the quiet
//! recovery period and the final operations; then teardown. Also what a reply, a timeout or a
//! nemesis step means for the timeline.

use serde_json::{Map, Value};

use crate::drive::clients::{Due, Received, Role};
use crate::drive::events::{Event, Phase};
use crate::drive::protocol::{self, Request};
use crate::drive::state::State;
use crate::world::topology;

impl State {
    /// Setup, step 1: one fresh client per node sends `init`; every node must answer in 10 s.
    pub(crate) fn start_init(&mut self) {
        self.progress.phase = Phase::Init;
        self.progress.setup_pending = usize::from(self.n);
        let names = self.wire.names().to_vec();
        for node in 0..self.n {
            let request = Request::Init {
                node_id: &names[usize::from(node)],
                node_ids: &names,
            };
            let body = |id| protocol::request_body(&request, id);
            self.clients
                .setup_request(&mut self.wire, Role::Init(node), node, body);
        }
        let at = self.wire.now + std::time::Duration::from_secs(10);
        self.wire.schedule(at, Event::SetupDeadline(Phase::Init));
    }

    /// Setup, step 2 (when the workload sends it): one more client per node sends
    /// `topology`; 5 s deadline.
    fn start_topology(&mut self) {
        self.progress.phase = Phase::Topology;
        self.progress.setup_pending = usize::from(self.n);
        let mut map = topology::message_map(self.cfg.topology, self.n);
        if !self.cfg.node_names.is_empty() {
            // `message_map` says `n<index>`; the nodes know each other by their given ids.
            let names = self.wire.names();
            let name = |id: &str| {
                let i: usize = id[1..].parse().unwrap_or(0);
                names[i].clone()
            };
            for (k, list) in &mut map {
                *k = name(k);
                for j in list.iter_mut() {
                    *j = name(j);
                }
            }
        }
        for node in 0..self.n {
            let request = Request::Topology(&map);
            let body = |id| protocol::request_body(&request, id);
            self.clients
                .setup_request(&mut self.wire, Role::Topology(node), node, body);
        }
        let at = self.wire.now + std::time::Duration::from_secs(5);
        self.wire
            .schedule(at, Event::SetupDeadline(Phase::Topology));
    }

    /// The main phase: operations, nemesis and extra faults start now, the time limit counts
    /// from now.
    fn start_main(&mut self) {
        self.progress.phase = Phase::Main;
        let now = self.wire.now;
        self.progress.main_start = Some(now);
        let deadline = now + self.cfg.time_limit;
        self.clients.start_main(now, deadline);
        self.partitions.start(&mut self.wire);
        self.faults.start(&mut self.wire);
        self.clients.schedule_first(&mut self.wire, deadline);
        self.check_main_end();
    }

    /// The operation scheduled for `due` is due.
    pub(crate) fn on_op_due(&mut self, due: glomers::time::Time) {
        if self.progress.phase != Phase::Main || self.clients.exhausted() {
            return;
        }
        if self.clients.op_due(&mut self.wire, &mut self.history, due) == Due::Exhausted {
            self.check_main_end();
        }
    }

    /// A message reached client `c`.
    pub(crate) fn client_receive(&mut self, c: u32, body: &Map<String, Value>) {
        match self
            .clients
            .receive(&mut self.wire, &mut self.history, c, body)
        {
            Received::Ignored | Received::Continued => {}
            Received::SetupDone => self.setup_step_done(),
            Received::SetupFailed(reason) => self.abort(reason),
            Received::Completed(t) => self.worker_freed(t),
        }
    }

    fn setup_step_done(&mut self) {
        self.progress.setup_pending -= 1;
        if self.progress.setup_pending > 0 {
            return;
        }
        match self.progress.phase {
            Phase::Init if self.clients.workload.sends_topology() => self.start_topology(),
            Phase::Init | Phase::Topology => self.start_main(),
            _ => {}
        }
    }

    /// Client `c`'s request `msg_id` timed out.
    pub(crate) fn on_client_timeout(&mut self, c: u32, msg_id: u64) {
        if let Some(t) = self
            .clients
            .timeout(self.wire.now, &mut self.history, c, msg_id)
        {
            self.worker_freed(t);
        }
    }

    /// Worker thread `t` completed its operation.
    fn worker_freed(&mut self, t: usize) {
        match self.progress.phase {
            Phase::Main if self.clients.waiting() => self.resume_waiting(),
            Phase::Draining if self.clients.idle() => self.after_main(),
            Phase::Final => {
                self.clients
                    .final_step(&mut self.wire, &mut self.history, t, false);
                self.end_final_if_idle();
            }
            _ => {}
        }
    }

    /// The operation that waited for a free thread goes now.
    fn resume_waiting(&mut self) {
        if self.clients.resume_waiting(&mut self.wire) == Due::Exhausted {
            self.check_main_end();
        }
    }

    /// The nemesis acts (during the main phase only).
    pub(crate) fn on_nemesis(&mut self) {
        if self.progress.phase != Phase::Main {
            return;
        }
        let deadline = self.clients.deadline();
        if self
            .partitions
            .on_nemesis(&mut self.wire, &mut self.history, deadline)
        {
            self.check_main_end();
        }
    }

    /// Entry `i` of the partition script is due: during the main phase only, like the
    /// nemesis.
    pub(crate) fn on_scripted_partition(&mut self, i: usize) {
        if self.progress.phase != Phase::Main {
            return;
        }
        self.partitions
            .on_scripted(&mut self.wire, &mut self.history, i);
    }

    /// The time limit passed at rate 0.
    pub(crate) fn on_main_deadline(&mut self) {
        self.clients.exhaust();
        self.check_main_end();
    }

    /// The main generator is done once neither clients nor nemesis will issue anything more;
    /// the phase then ends when every thread is idle.
    fn check_main_end(&mut self) {
        if self.progress.phase != Phase::Main
            || !self.clients.exhausted()
            || !self.partitions.exhausted()
        {
            return;
        }
        self.progress.phase = Phase::Draining;
        if self.clients.idle() {
            self.after_main();
        }
    }

    /// With a final phase: end the faults, heal, then wait quietly before the final
    /// operations. Without: tear down.
    fn after_main(&mut self) {
        if !self.clients.workload.final_phase() {
            return self.teardown();
        }
        self.faults.end(&mut self.wire);
        self.partitions.heal(&mut self.wire, &mut self.history);
        self.progress.phase = Phase::Recovery;
        let at = self.wire.now + self.cfg.recovery;
        self.wire.schedule(at, Event::FinalReads);
    }

    /// Every worker thread starts the workload's final operations (broadcast: one read each,
    /// all at the same instant; kafka: a crash, a seek assign and spaced polls per thread).
    pub(crate) fn start_final_reads(&mut self) {
        self.progress.phase = Phase::Final;
        self.clients.final_ops(&mut self.wire, &mut self.history);
        self.end_final_if_idle();
    }

    /// Worker thread `t`'s wait in the final phase is over: it takes its next step.
    pub(crate) fn on_final_wait_over(&mut self, t: usize) {
        if self.progress.phase != Phase::Final {
            return;
        }
        self.clients
            .final_wait_over(&mut self.wire, &mut self.history, t);
        self.end_final_if_idle();
    }

    /// The run ends once every thread has finished the final phase.
    fn end_final_if_idle(&mut self) {
        if self.progress.phase == Phase::Final && self.clients.idle() {
            self.teardown();
        }
    }
}
