//! The client side of a test: Maelstrom's clients, Jepsen's worker threads, the main phase's
//! generator and the workload that decides each operation ([`ClientSide`]).
//!
//! A client is a network id `c<k>` (numbered in the order clients are opened) with at most one
//! outstanding request; it exists on the network from open to close. Setup clients send `init`
//! and `topology`; each worker thread owns one client at a time and replaces it (new id) after
//! an indeterminate outcome when the workload's client is not reusable.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::drive::events::Event;
use crate::drive::protocol;
use crate::drive::wire::Wire;
use crate::history::{History, OpF, OpType, OpValue, Process};
use crate::workloads::WorkloadRun;
use crate::workloads::boundary::ThreadView;
use crate::workloads::boundary::{FinalStep, Invocation, ReplyStep};
use crate::workloads::generator::Generator;
use crate::workloads::rpc::Reply;
use crate::world::endpoint::Endpoint;
use glomers::time::Time;

/// Nanoseconds since the run started, for the history.
pub(crate) fn ns(t: Time) -> u64 {
    t.as_micros() * 1000
}

/// What a client is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Sends `init` to this node.
    Init(u16),
    /// Sends `topology` to this node.
    Topology(u16),
    /// Serves this worker thread.
    Worker(usize),
}

/// The one request a client waits for.
#[derive(Clone, Debug)]
struct Pending {
    pub(crate) msg_id: u64,
    /// The operation, for worker clients (setup requests are not operations).
    pub(crate) op: Option<PendingOp>,
}

/// A worker's outstanding operation.
#[derive(Clone, Debug)]
struct PendingOp {
    pub(crate) f: OpF,
    /// The invocation's value (kept by failed and indeterminate completions).
    pub(crate) value: OpValue,
    pub(crate) final_read: bool,
}

#[derive(Debug)]
struct Client {
    pub(crate) role: Role,
    pub(crate) open: bool,
    last_msg_id: u64,
    pub(crate) pending: Option<Pending>,
}

impl Client {
    /// The next `msg_id`: 1, 2, 3 … per client.
    pub(crate) fn next_msg_id(&mut self) -> u64 {
        self.last_msg_id += 1;
        self.last_msg_id
    }
}

/// Every client ever opened, indexed by its number.
#[derive(Debug, Default)]
struct Clients {
    list: Vec<Client>,
}

impl Clients {
    /// Opens a new client and returns its number.
    pub(crate) fn open(&mut self, role: Role) -> u32 {
        self.list.push(Client {
            role,
            open: true,
            last_msg_id: 0,
            pending: None,
        });
        (self.list.len() - 1) as u32
    }

    /// Removes client `c` from the network; messages to it are rejected from now on.
    pub(crate) fn close(&mut self, c: u32) {
        if let Some(client) = self.list.get_mut(c as usize) {
            client.open = false;
            client.pending = None;
        }
    }

    /// Closes every client.
    pub(crate) fn close_all(&mut self) {
        for c in &mut self.list {
            c.open = false;
            c.pending = None;
        }
    }

    /// Whether client `c` currently exists on the network.
    pub(crate) fn exists(&self, c: u32) -> bool {
        self.list.get(c as usize).is_some_and(|c| c.open)
    }

    pub(crate) fn get_mut(&mut self, c: u32) -> &mut Client {
        &mut self.list[c as usize]
    }

    /// How many clients were ever opened.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

/// A Jepsen worker thread: a process number, a client, and whether it is busy.
#[derive(Debug)]
struct Worker {
    /// Jepsen's process: the thread number, plus the concurrency after each `:info`.
    pub(crate) process: u64,
    /// The client it talks through, once opened.
    pub(crate) client: Option<u32>,
    /// The client must be replaced before the next operation.
    pub(crate) replace_client: bool,
    /// An operation is outstanding.
    pub(crate) busy: bool,
}

impl Worker {
    pub(crate) fn new(thread: usize) -> Worker {
        Worker {
            process: thread as u64,
            client: None,
            replace_client: false,
            busy: false,
        }
    }
}

/// What a reply did to the client side.
#[derive(Debug)]
pub(crate) enum Received {
    /// Not the reply to the client's outstanding request: discarded.
    Ignored,
    /// A setup client's `init` or `topology` was answered properly.
    SetupDone,
    /// A setup request was answered wrongly: the test aborts for this reason.
    SetupFailed(String),
    /// A worker's operation went on with a further request (kafka's `commit_offsets` after a
    /// `poll`): its thread stays busy.
    Continued,
    /// Worker thread `t`'s operation completed; the thread is free.
    Completed(usize),
}

/// Where the main phase's schedule stands after an operation fell due.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Due {
    /// It went, and the next one is scheduled.
    Went,
    /// Every thread is busy: it waits for the next free one.
    Waiting,
    /// The generator has nothing more before the time limit.
    Exhausted,
}

/// The clients, the worker threads, the generator and the workload.
#[derive(Debug)]
pub(crate) struct ClientSide {
    clients: Clients,
    workers: Vec<Worker>,
    generator: Generator,
    /// What the workload decides: operations, requests, replies, final phase, checker.
    pub(crate) workload: Box<dyn WorkloadRun>,
    /// The configured client timeout (the workload's own rules may override it).
    timeout: Duration,
    /// Nodes in the cluster: thread `t` talks to node `t mod n`.
    n: u16,
    /// When the main phase began: the workload's clock for timed operations and final steps.
    main_start: Time,
}

impl ClientSide {
    /// The client side of a run: `threads` idle workers, no client open yet.
    pub(crate) fn new(
        workload: Box<dyn WorkloadRun>,
        generator: Generator,
        threads: usize,
        timeout: Duration,
        n: u16,
    ) -> ClientSide {
        ClientSide {
            clients: Clients::default(),
            workers: (0..threads).map(Worker::new).collect(),
            generator,
            workload,
            timeout,
            n,
            main_start: Time::ZERO,
        }
    }

    /// Whether client `c` is open (exists on the network).
    pub(crate) fn exists(&self, c: u32) -> bool {
        self.clients.exists(c)
    }

    /// Clients opened so far.
    pub(crate) fn opened(&self) -> usize {
        self.clients.len()
    }

    /// Closes every client.
    pub(crate) fn close_all(&mut self) {
        self.clients.close_all();
    }

    /// Whether every worker thread is idle.
    pub(crate) fn idle(&self) -> bool {
        self.workers.iter().all(|w| !w.busy)
    }

    /// Whether the generator has nothing more before the time limit.
    pub(crate) fn exhausted(&self) -> bool {
        self.generator.exhausted
    }

    /// The time limit: no operation starts at or after it.
    pub(crate) fn deadline(&self) -> Time {
        self.generator.deadline
    }

    /// The time limit passed (rate 0: the main phase lasts until then).
    pub(crate) fn exhaust(&mut self) {
        self.generator.exhausted = true;
    }

    /// Opens a setup client for `role` and sends node `node` the request `body(msg_id)`.
    pub(crate) fn setup_request(
        &mut self,
        wire: &mut Wire,
        role: Role,
        node: u16,
        body: impl FnOnce(u64) -> String,
    ) {
        let c = self.clients.open(role);
        self.await_reply(wire, c, None, body, node);
    }

    /// The main phase starts `now` and lasts until `deadline`: each worker thread opens its
    /// client (as Jepsen's workers do when they start).
    pub(crate) fn start_main(&mut self, now: Time, deadline: Time) {
        self.main_start = now;
        self.generator.deadline = deadline;
        for t in 0..self.workers.len() {
            let c = self.clients.open(Role::Worker(t));
            self.workers[t].client = Some(c);
        }
    }

    /// Schedules the main phase's first operation (or, at rate 0, the time limit).
    pub(crate) fn schedule_first(&mut self, wire: &mut Wire, deadline: Time) {
        let now = wire.now;
        if self.generator.exhausted {
            wire.schedule(deadline, Event::MainDeadline);
        } else if self.generator.due_at(now).is_some() {
            wire.schedule(now, Event::OpDue(now));
        }
    }

    /// Client `c` sends node `to` the body `body(msg_id)`; returns the request's `msg_id`.
    fn send(&mut self, wire: &mut Wire, c: u32, to: u16, body: impl FnOnce(u64) -> String) -> u64 {
        let msg_id = self.clients.get_mut(c).next_msg_id();
        let body = body(msg_id);
        let id = wire.message_id();
        let src = Endpoint::Client(c).to_string();
        let line = protocol::stdin_line(id, &src, &wire.names()[usize::from(to)], &body);
        wire.journal
            .send(wire.now, id, Endpoint::Client(c), Endpoint::Node(to), &line);
        wire.send_to_node(id, Endpoint::Client(c), to, line);
        msg_id
    }

    /// Sends a request from client `c` and remembers it as the client's outstanding one.
    fn await_reply(
        &mut self,
        wire: &mut Wire,
        c: u32,
        op: Option<PendingOp>,
        body: impl FnOnce(u64) -> String,
        node: u16,
    ) -> u64 {
        let msg_id = self.send(wire, c, node, body);
        self.clients.get_mut(c).pending = Some(Pending { msg_id, op });
        msg_id
    }

    /// The operation scheduled for `due` is due. A real-time driver may call this a little
    /// late; like Jepsen's generator, the invocation then still carries its scheduled time
    /// and the next gap counts from it, so the driver's own lag does not thin the schedule
    /// (Maelstrom's lag is modelled by `op_lag` alone). On the virtual clock `due` is now.
    pub(crate) fn op_due(&mut self, wire: &mut Wire, history: &mut History, due: Time) -> Due {
        let due = due.min(wire.now);
        if self.generator.due_at(due).is_none() {
            return Due::Exhausted;
        }
        let at = due.saturating_since(self.main_start);
        let Some((t, f, value)) = self.next_op(at) else {
            self.generator.waiting = true;
            return Due::Waiting;
        };
        self.dispatch(wire, history, t, f, value, false, due);
        match self.generator.due_after(due) {
            Some(at) => {
                wire.schedule(at, Event::OpDue(at));
                Due::Went
            }
            None => Due::Exhausted,
        }
    }

    /// The thread and operation of the due operation: the workload's choice if it picks
    /// threads, else the next free thread in round-robin order.
    fn next_op(&mut self, at: Duration) -> Option<(usize, OpF, OpValue)> {
        if self.workload.picks_threads() {
            let threads: Vec<ThreadView> = self
                .workers
                .iter()
                .map(|w| ThreadView {
                    busy: w.busy,
                    process: w.process,
                })
                .collect();
            return self
                .workload
                .next_op_on(&threads, self.generator.rng())
                .filter(|&(t, ..)| threads.get(t).is_some_and(|w| !w.busy));
        }
        let workers = &self.workers;
        let t = self
            .generator
            .pick_thread(workers.len(), |t| workers[t].busy)?;
        let (f, value) = self.workload.next_op_at(self.generator.rng(), at);
        Some((t, f, value))
    }

    /// A thread became free while an operation was waiting for one: it goes now (plus the
    /// lag).
    pub(crate) fn resume_waiting(&mut self, wire: &mut Wire) -> Due {
        if !self.generator.waiting {
            return Due::Went;
        }
        self.generator.waiting = false;
        let at = self.generator.after_wait(wire.now);
        match self.generator.due_at(at) {
            Some(at) => {
                wire.schedule(at, Event::OpDue(at));
                Due::Went
            }
            None => Due::Exhausted,
        }
    }

    /// Whether an operation waits for a free thread.
    pub(crate) fn waiting(&self) -> bool {
        self.generator.waiting
    }

    /// Every worker thread starts the workload's final operations now (broadcast: one read
    /// each, all at the same instant; kafka: a crash, a seek assign and spaced polls).
    pub(crate) fn final_ops(&mut self, wire: &mut Wire, history: &mut History) {
        for t in 0..self.workers.len() {
            self.final_step(wire, history, t, true);
        }
    }

    /// Thread `t`'s wait in the final phase is over: it asks the workload what comes next.
    pub(crate) fn final_wait_over(&mut self, wire: &mut Wire, history: &mut History, t: usize) {
        self.workers[t].busy = false;
        self.final_step(wire, history, t, false);
    }

    /// Thread `t` takes its next steps of the final phase (`first` at the phase's start, else
    /// after its previous operation completed or its wait ended), until it sends a request,
    /// waits or is done. A waiting thread counts as busy.
    pub(crate) fn final_step(
        &mut self,
        wire: &mut Wire,
        history: &mut History,
        t: usize,
        mut first: bool,
    ) {
        loop {
            let at = wire.now.saturating_since(self.main_start);
            match self.workload.final_step(t, first, at, self.generator.rng()) {
                FinalStep::Op(f, value) => {
                    let tagged = self.workload.final_op_tagged();
                    if !self.dispatch(wire, history, t, f, value, tagged, wire.now) {
                        return;
                    }
                }
                FinalStep::Wait(span) => {
                    self.workers[t].busy = true;
                    let wake = wire.now + span;
                    wire.schedule(wake, Event::FinalStep(t));
                    return;
                }
                FinalStep::Done => return,
            }
            first = false;
        }
    }

    /// Thread `t` invokes operation `f` on node `t mod N`; the invocation is recorded at
    /// `invoked` (its scheduled time, at most now). Returns whether the operation completed at
    /// once, without a message (the thread is free again).
    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        wire: &mut Wire,
        history: &mut History,
        t: usize,
        f: OpF,
        value: OpValue,
        final_read: bool,
        invoked: Time,
    ) -> bool {
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
        let index = history.invoke(ns(invoked), process, f, value.clone());
        if final_read {
            history.mark_final(index);
        }
        let invocation = self.workload.invoke(t, f, &value);
        let op = PendingOp {
            f,
            value,
            final_read,
        };
        match invocation {
            Invocation::Rpc(body) => {
                self.send_op_request(wire, t, c, op, &body);
                false
            }
            Invocation::Local(kind, value) => {
                self.complete(wire.now, history, t, &op, kind, value, None);
                true
            }
        }
    }

    /// Client `c` of thread `t` sends `body` for operation `op` and awaits the reply under the
    /// workload's timeout.
    fn send_op_request(&mut self, wire: &mut Wire, t: usize, c: u32, op: PendingOp, body: &str) {
        let node = (t % usize::from(self.n)) as u16;
        let msg_id = self.await_reply(
            wire,
            c,
            Some(op),
            |id| protocol::with_msg_id(body, id),
            node,
        );
        let timeout = self.workload.client_rules().timeout;
        let at = wire.now + timeout.unwrap_or(self.timeout);
        wire.schedule(at, Event::Timeout { client: c, msg_id });
    }

    /// A message reached client `c`. Anything but the reply to its outstanding request is
    /// discarded.
    pub(crate) fn receive(
        &mut self,
        wire: &mut Wire,
        history: &mut History,
        c: u32,
        body: &Map<String, Value>,
    ) -> Received {
        let client = self.clients.get_mut(c);
        let Some(pending) = &client.pending else {
            return Received::Ignored;
        };
        if protocol::in_reply_to(body) != Some(pending.msg_id) {
            return Received::Ignored;
        }
        let Some(pending) = client.pending.take() else {
            return Received::Ignored;
        };
        match client.role {
            Role::Init(node) => {
                let ok = body.get("type").and_then(Value::as_str) == Some("init_ok");
                if !ok {
                    return Received::SetupFailed(format!(
                        "n{node} answered init with {}",
                        Value::Object(body.clone())
                    ));
                }
                self.clients.close(c);
                Received::SetupDone
            }
            Role::Topology(node) => match protocol::parse_topology_reply(body) {
                Reply::Ok(_) => Received::SetupDone,
                Reply::Error { text, .. } | Reply::Malformed(text) => {
                    Received::SetupFailed(format!("n{node} answered topology with {text}"))
                }
            },
            Role::Worker(t) => {
                let Some(pending) = pending.op else {
                    return Received::Ignored;
                };
                let reply = match self.workload.on_reply(t, pending.f, &pending.value, body) {
                    ReplyStep::Done(reply) => reply,
                    ReplyStep::Then(next) => {
                        self.send_op_request(wire, t, c, pending, &next);
                        return Received::Continued;
                    }
                };
                let (kind, value, error) = match reply {
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
                self.complete(wire.now, history, t, &pending, kind, value, error);
                Received::Completed(t)
            }
        }
    }

    /// Client `c`'s request `msg_id` timed out; returns the worker thread whose operation
    /// that completed (`:fail` if idempotent, else `:info`), if any.
    pub(crate) fn timeout(
        &mut self,
        now: Time,
        history: &mut History,
        c: u32,
        msg_id: u64,
    ) -> Option<usize> {
        let client = self.clients.get_mut(c);
        if client.pending.as_ref().is_none_or(|p| p.msg_id != msg_id) {
            return None;
        }
        let (
            Some(Pending {
                op: Some(pending), ..
            }),
            Role::Worker(t),
        ) = (client.pending.take(), client.role)
        else {
            return None;
        };
        let kind = if self.workload.idempotent(pending.f) {
            OpType::Fail
        } else {
            OpType::Info
        };
        let value = pending.value.clone();
        self.complete(
            now,
            history,
            t,
            &pending,
            kind,
            value,
            Some(":net-timeout".into()),
        );
        Some(t)
    }

    /// Records the completion of thread `t`'s operation and frees the thread.
    #[allow(clippy::too_many_arguments)]
    fn complete(
        &mut self,
        now: Time,
        history: &mut History,
        t: usize,
        pending: &PendingOp,
        kind: OpType,
        value: OpValue,
        error: Option<String>,
    ) {
        let threads = self.workers.len() as u64;
        let worker = &mut self.workers[t];
        let process = Process::Client(worker.process);
        let index = history.complete(ns(now), process, kind, pending.f, value, error);
        if pending.final_read {
            history.mark_final(index);
        }
        worker.busy = false;
        if kind == OpType::Info {
            worker.process += threads;
            if !self.workload.client_rules().reusable_after_info {
                worker.replace_client = true;
            }
        }
        self.workload.on_complete(t, &history.ops()[index]);
    }
}
