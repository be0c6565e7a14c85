//! The test's timeline, as methods of the [`Cluster`] core: setup (`init`, then `topology`
//! for broadcast), the main phase (generator and nemesis until the time limit), draining,
//! and for broadcast the heal, the quiet recovery period and the final reads; then teardown.
//! Also what clients do with replies and timeouts.

use serde_json::{Map, Value};

use crate::drive::clients::{Pending, PendingOp, Role};
use crate::drive::cluster::{Cluster, Event, Phase};
use crate::drive::protocol::{self, Request};
use crate::history::{OpF, OpType, OpValue, Process};
use crate::workloads::rpc::Reply;
use crate::world::nemesis::NemesisOp;
use crate::world::topology;
use glomers::time::Time;

/// Nanoseconds since the run started, for the history.
fn ns(t: Time) -> u64 {
    t.as_micros() * 1000
}

impl Cluster {
    /// Setup, step 1: one fresh client per node sends `init`; every node must answer in 10 s.
    pub(crate) fn start_init(&mut self) {
        self.phase = Phase::Init;
        self.setup_pending = usize::from(self.n);
        let names = self.names.clone();
        for node in 0..self.n {
            let c = self.clients.open(Role::Init(node));
            let request = Request::Init {
                node_id: &names[usize::from(node)],
                node_ids: &names,
            };
            self.await_reply(c, None, |id| protocol::request_body(&request, id), node);
        }
        let at = self.now + std::time::Duration::from_secs(10);
        self.schedule(at, Event::SetupDeadline(Phase::Init));
    }

    /// Setup, step 2 (broadcast): one more client per node sends `topology`; 5 s deadline.
    fn start_topology(&mut self) {
        self.phase = Phase::Topology;
        self.setup_pending = usize::from(self.n);
        let map = topology::message_map(self.cfg.topology, self.n);
        for node in 0..self.n {
            let c = self.clients.open(Role::Topology(node));
            let request = Request::Topology(&map);
            self.await_reply(c, None, |id| protocol::request_body(&request, id), node);
        }
        let at = self.now + std::time::Duration::from_secs(5);
        self.schedule(at, Event::SetupDeadline(Phase::Topology));
    }

    /// Sends a request from client `c` and remembers it as the client's outstanding one.
    fn await_reply(
        &mut self,
        c: u32,
        op: Option<PendingOp>,
        body: impl FnOnce(u64) -> String,
        node: u16,
    ) -> u64 {
        let msg_id = self.client_send(c, node, body);
        self.clients.get_mut(c).pending = Some(Pending { msg_id, op });
        msg_id
    }

    /// The main phase: operations and nemesis start now, the time limit counts from now.
    fn start_main(&mut self) {
        self.phase = Phase::Main;
        let now = self.now;
        self.main_start = Some(now);
        let deadline = now + self.cfg.time_limit;
        self.generator.deadline = deadline;
        // Jepsen opens one client per worker thread as the workers start.
        for t in 0..self.workers.len() {
            let c = self.clients.open(Role::Worker(t));
            self.workers[t].client = Some(c);
        }
        if self.nemesis.is_some() {
            self.schedule(now, Event::Nemesis);
        }
        self.start_fault_schedule();
        if self.generator.exhausted {
            // Rate 0: no operation; the phase lasts until the time limit.
            self.schedule(deadline, Event::MainDeadline);
        } else if self.generator.due_at(now).is_some() {
            self.schedule(now, Event::OpDue(now));
        }
        self.check_main_end();
    }

    /// The operation scheduled for `due` is due. A real-time driver may call this a little
    /// late; like Jepsen's generator, the invocation then still carries its scheduled time
    /// and the next gap counts from it, so the driver's own lag does not thin the schedule
    /// (Maelstrom's lag is modelled by `op_lag` alone). On the virtual clock `due` is now.
    pub(crate) fn on_op_due(&mut self, due: Time) {
        if self.phase != Phase::Main || self.generator.exhausted {
            return;
        }
        let due = due.min(self.now);
        if self.generator.due_at(due).is_none() {
            return self.check_main_end();
        }
        let Some(t) = self.generator.pick_thread(&self.workers) else {
            self.generator.waiting = true;
            return;
        };
        let (f, value) = self.workload.next_op(self.generator.rng());
        self.dispatch(t, f, value, false, due);
        match self.generator.due_after(due) {
            Some(at) => self.schedule(at, Event::OpDue(at)),
            None => self.check_main_end(),
        }
    }

    /// Thread `t` invokes operation `f` on node `t mod N`; the invocation is recorded at
    /// `invoked` (its scheduled time, at most now).
    fn dispatch(&mut self, t: usize, f: OpF, value: OpValue, final_read: bool, invoked: Time) {
        let worker = &mut self.workers[t];
        if worker.client.is_none() || worker.replace_client {
            if let Some(old) = worker.client.take() {
                self.clients.close(old);
            }
            worker.replace_client = false;
            worker.client = Some(self.clients.open(Role::Worker(t)));
        }
        let worker = &mut self.workers[t];
        let c = worker.client.unwrap_or_default();
        worker.busy = true;
        let process = Process::Client(worker.process);
        let index = self.history.invoke(ns(invoked), process, f, value.clone());
        if final_read {
            self.history.mark_final(index);
        }
        let body = self.workload.request(f, &value);
        let node = (t % usize::from(self.n)) as u16;
        let op = PendingOp {
            f,
            value,
            final_read,
        };
        let msg_id = self.await_reply(c, Some(op), |id| protocol::with_msg_id(&body, id), node);
        let timeout = self.workload.client_rules().timeout;
        let at = self.now + timeout.unwrap_or(self.cfg.client_timeout);
        self.schedule(at, Event::Timeout { client: c, msg_id });
    }

    /// A message reached client `c`. Anything but the reply to its outstanding request is
    /// discarded.
    pub(crate) fn client_receive(&mut self, c: u32, body: &Map<String, Value>) {
        let client = self.clients.get_mut(c);
        let Some(pending) = &client.pending else {
            return;
        };
        if protocol::in_reply_to(body) != Some(pending.msg_id) {
            return;
        }
        let Some(pending) = client.pending.take() else {
            return;
        };
        match client.role {
            Role::Init(node) => {
                let ok = body.get("type").and_then(Value::as_str) == Some("init_ok");
                if !ok {
                    return self.abort(format!(
                        "n{node} answered init with {}",
                        Value::Object(body.clone())
                    ));
                }
                self.clients.close(c);
                self.setup_step_done();
            }
            Role::Topology(node) => match protocol::parse_topology_reply(body) {
                Reply::Ok(_) => self.setup_step_done(),
                Reply::Error { text, .. } | Reply::Malformed(text) => {
                    self.abort(format!("n{node} answered topology with {text}"));
                }
            },
            Role::Worker(t) => {
                let Some(pending) = pending.op else {
                    return;
                };
                let (kind, value, error) = match self.workload.reply(pending.f, body) {
                    Reply::Ok(OpValue::None) => (OpType::Ok, pending.value.clone(), None),
                    Reply::Ok(value) => (OpType::Ok, value, None),
                    Reply::Error { text, definite } => {
                        let fails = definite && self.workload.client_rules().definite_errors_fail;
                        let kind = if fails || self.workload.idempotent(pending.f) {
                            OpType::Fail
                        } else {
                            OpType::Info
                        };
                        (kind, pending.value.clone(), Some(text))
                    }
                    Reply::Malformed(text) => (OpType::Info, pending.value.clone(), Some(text)),
                };
                self.complete(t, &pending, kind, value, error);
            }
        }
    }

    fn setup_step_done(&mut self) {
        self.setup_pending -= 1;
        if self.setup_pending > 0 {
            return;
        }
        match self.phase {
            Phase::Init if self.workload.sends_topology() => self.start_topology(),
            Phase::Init | Phase::Topology => self.start_main(),
            _ => {}
        }
    }

    pub(crate) fn on_client_timeout(&mut self, c: u32, msg_id: u64) {
        let client = self.clients.get_mut(c);
        if client.pending.as_ref().is_none_or(|p| p.msg_id != msg_id) {
            return;
        }
        let (
            Some(Pending {
                op: Some(pending), ..
            }),
            Role::Worker(t),
        ) = (client.pending.take(), client.role)
        else {
            return;
        };
        let kind = if self.workload.idempotent(pending.f) {
            OpType::Fail
        } else {
            OpType::Info
        };
        let value = pending.value.clone();
        self.complete(t, &pending, kind, value, Some(":net-timeout".into()));
    }

    /// Records the completion of thread `t`'s operation and frees the thread.
    fn complete(
        &mut self,
        t: usize,
        pending: &PendingOp,
        kind: OpType,
        value: OpValue,
        error: Option<String>,
    ) {
        let threads = self.workers.len() as u64;
        let worker = &mut self.workers[t];
        let process = Process::Client(worker.process);
        let index = self
            .history
            .complete(ns(self.now), process, kind, pending.f, value, error);
        if pending.final_read {
            self.history.mark_final(index);
        }
        worker.busy = false;
        if kind == OpType::Info {
            worker.process += threads;
            if !self.workload.client_rules().reusable_after_info {
                worker.replace_client = true;
            }
        }
        self.worker_freed();
    }

    fn worker_freed(&mut self) {
        match self.phase {
            Phase::Main if self.generator.waiting => {
                self.generator.waiting = false;
                let at = self.generator.after_wait(self.now);
                match self.generator.due_at(at) {
                    Some(at) => self.schedule(at, Event::OpDue(at)),
                    None => self.check_main_end(),
                }
            }
            Phase::Draining | Phase::Final if self.workers.iter().all(|w| !w.busy) => {
                if self.phase == Phase::Draining {
                    self.after_main();
                } else {
                    self.teardown();
                }
            }
            _ => {}
        }
    }

    pub(crate) fn on_nemesis(&mut self) {
        if self.phase != Phase::Main || self.nemesis_exhausted {
            return;
        }
        let n = self.n;
        let Some(nemesis) = self.nemesis.as_mut() else {
            return;
        };
        let op = nemesis.next_op(n);
        let gap = nemesis.gap();
        let t = ns(self.now);
        match op {
            NemesisOp::Start(shape, partition) => {
                let description = format!("[:isolated {partition}]");
                self.record_nemesis(t, OpF::START_PARTITION, shape.name().into(), description);
                self.net.set_partition(partition);
            }
            NemesisOp::Stop => {
                self.net.heal();
                self.record_nemesis(
                    t,
                    OpF::STOP_PARTITION,
                    String::new(),
                    ":network-healed".into(),
                );
            }
        }
        let next = self.now + gap;
        if next >= self.generator.deadline {
            self.nemesis_exhausted = true;
            self.check_main_end();
        } else {
            self.schedule(next, Event::Nemesis);
        }
    }

    fn record_nemesis(&mut self, t: u64, f: OpF, value: String, result: String) {
        let p = Process::Nemesis;
        self.history
            .complete(t, p, OpType::Info, f, OpValue::Text(value), None);
        self.history
            .complete(t, p, OpType::Info, f, OpValue::Text(result), None);
    }

    /// The main generator is done once neither clients nor nemesis will issue anything more;
    /// the phase then ends when every thread is idle.
    pub(crate) fn check_main_end(&mut self) {
        if self.phase != Phase::Main || !self.generator.exhausted || !self.nemesis_exhausted {
            return;
        }
        self.phase = Phase::Draining;
        if self.workers.iter().all(|w| !w.busy) {
            self.after_main();
        }
    }

    /// With a final phase (broadcast): heal, then wait quietly before the final operations.
    /// Without: tear down.
    fn after_main(&mut self) {
        if !self.workload.final_phase() {
            return self.teardown();
        }
        self.end_faults();
        if self.nemesis.is_some() {
            self.net.heal();
            let t = ns(self.now);
            self.record_nemesis(
                t,
                OpF::STOP_PARTITION,
                String::new(),
                ":network-healed".into(),
            );
        }
        self.phase = Phase::Recovery;
        let at = self.now + self.cfg.recovery;
        self.schedule(at, Event::FinalReads);
    }

    /// Every worker thread invokes the workload's final operation (broadcast: a read), all at
    /// the same instant.
    pub(crate) fn start_final_reads(&mut self) {
        self.phase = Phase::Final;
        for t in 0..self.workers.len() {
            let (f, value) = self.workload.final_op();
            self.dispatch(t, f, value, true, self.now);
        }
        if self.workers.is_empty() {
            self.teardown();
        }
    }
}
