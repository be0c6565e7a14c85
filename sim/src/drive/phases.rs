//! The test's timeline, as functions over the cluster core's [`State`]: setup (`init`, then `topology`
//! for broadcast), the main phase (generator and nemesis until the time limit), draining,
//! and for broadcast the heal, the quiet recovery period and the final reads; then teardown.
//! Also what clients do with replies and timeouts.

use serde_json::{Map, Value};

use crate::drive::clients::{Pending, PendingOp, Role};
use crate::drive::events::{Event, Phase};
use crate::drive::faults::{end_faults, final_db_nemesis, start_fault_schedule};
use crate::drive::protocol::{self, Request};
use crate::drive::state::State;
use crate::history::{OpF, OpType, OpValue, Process};
use crate::workloads::rpc::Reply;
use crate::world::nemesis::NemesisOp;
use crate::world::topology;
use glomers::time::Time;

/// Nanoseconds since the run started, for the history.
fn ns(t: Time) -> u64 {
    t.as_micros() * 1000
}

/// Setup, step 1: one fresh client per node sends `init`; every node must answer in 10 s.
pub(crate) fn start_init(st: &mut State) {
    st.phase = Phase::Init;
    st.setup_pending = usize::from(st.n);
    let names = st.names.clone();
    for node in 0..st.n {
        let c = st.clients.open(Role::Init(node));
        let request = Request::Init {
            node_id: &names[usize::from(node)],
            node_ids: &names,
        };
        await_reply(st, c, None, |id| protocol::request_body(&request, id), node);
    }
    let at = st.now + std::time::Duration::from_secs(10);
    st.schedule(at, Event::SetupDeadline(Phase::Init));
}

/// Setup, step 2 (broadcast): one more client per node sends `topology`; 5 s deadline.
fn start_topology(st: &mut State) {
    st.phase = Phase::Topology;
    st.setup_pending = usize::from(st.n);
    let map = topology::message_map(st.cfg.topology, st.n);
    for node in 0..st.n {
        let c = st.clients.open(Role::Topology(node));
        let request = Request::Topology(&map);
        await_reply(st, c, None, |id| protocol::request_body(&request, id), node);
    }
    let at = st.now + std::time::Duration::from_secs(5);
    st.schedule(at, Event::SetupDeadline(Phase::Topology));
}

/// Sends a request from client `c` and remembers it as the client's outstanding one.
pub(crate) fn await_reply(
    st: &mut State,
    c: u32,
    op: Option<PendingOp>,
    body: impl FnOnce(u64) -> String,
    node: u16,
) -> u64 {
    let msg_id = st.client_send(c, node, body);
    st.clients.get_mut(c).pending = Some(Pending { msg_id, op });
    msg_id
}

/// The main phase: operations and nemesis start now, the time limit counts from now.
fn start_main(st: &mut State) {
    st.phase = Phase::Main;
    let now = st.now;
    st.main_start = Some(now);
    let deadline = now + st.cfg.time_limit;
    st.generator.deadline = deadline;
    // Jepsen opens one client per worker thread as the workers start.
    for t in 0..st.workers.len() {
        let c = st.clients.open(Role::Worker(t));
        st.workers[t].client = Some(c);
    }
    if st.nemesis.is_some() {
        st.schedule(now, Event::Nemesis);
    }
    if st.db_nemesis.is_some() {
        // Its own `gen/stagger`: the first operation after one gap, like every later one.
        let gap = st.db_nemesis.as_mut().map(|d| d.gap()).unwrap_or_default();
        st.schedule(now + gap, Event::DbNemesis);
    }
    let script: Vec<Time> = st
        .cfg
        .partition_script
        .iter()
        .map(|(after, _)| now + *after)
        .collect();
    for (i, at) in script.into_iter().enumerate() {
        st.schedule(at, Event::Scripted(i));
    }
    start_fault_schedule(st);
    if st.generator.exhausted {
        // Rate 0: no operation; the phase lasts until the time limit.
        st.schedule(deadline, Event::MainDeadline);
    } else if st.generator.due_at(now).is_some() {
        st.schedule(now, Event::OpDue(now));
    }
    check_main_end(st);
}

/// The operation scheduled for `due` is due. A real-time driver may call this a little
/// late; like Jepsen's generator, the invocation then still carries its scheduled time
/// and the next gap counts from it, so the driver's own lag does not thin the schedule
/// (Maelstrom's lag is modelled by `op_lag` alone). On the virtual clock `due` is now.
pub(crate) fn on_op_due(st: &mut State, due: Time) {
    if st.phase != Phase::Main || st.generator.exhausted {
        return;
    }
    let due = due.min(st.now);
    if st.generator.due_at(due).is_none() {
        return check_main_end(st);
    }
    let Some(t) = st.generator.pick_thread(&st.workers) else {
        st.generator.waiting = true;
        return;
    };
    let (f, value) = st.workload.next_op(st.generator.rng());
    dispatch(st, t, f, value, false, due);
    match st.generator.due_after(due) {
        Some(at) => st.schedule(at, Event::OpDue(at)),
        None => check_main_end(st),
    }
}

/// Thread `t` invokes operation `f` on node `t mod N`; the invocation is recorded at
/// `invoked` (its scheduled time, at most now).
fn dispatch(st: &mut State, t: usize, f: OpF, value: OpValue, final_read: bool, invoked: Time) {
    let worker = &mut st.workers[t];
    if worker.client.is_none() || worker.replace_client {
        if let Some(old) = worker.client.take() {
            st.clients.close(old);
        }
        worker.replace_client = false;
        worker.client = Some(st.clients.open(Role::Worker(t)));
    }
    let worker = &mut st.workers[t];
    let c = worker.client.unwrap_or_default();
    worker.busy = true;
    let process = Process::Client(worker.process);
    let index = st.history.invoke(ns(invoked), process, f, value.clone());
    if final_read {
        st.history.mark_final(index);
    }
    let body = st.workload.request(f, &value);
    let node = (t % usize::from(st.n)) as u16;
    let op = PendingOp {
        f,
        value,
        final_read,
    };
    let msg_id = await_reply(st, c, Some(op), |id| protocol::with_msg_id(&body, id), node);
    let timeout = st.workload.client_rules().timeout;
    let at = st.now + timeout.unwrap_or(st.cfg.client_timeout);
    st.schedule(at, Event::Timeout { client: c, msg_id });
}

/// A message reached client `c`. Anything but the reply to its outstanding request is
/// discarded.
pub(crate) fn client_receive(st: &mut State, c: u32, body: &Map<String, Value>) {
    let client = st.clients.get_mut(c);
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
                return st.abort(format!(
                    "n{node} answered init with {}",
                    Value::Object(body.clone())
                ));
            }
            st.clients.close(c);
            if st.phase == Phase::Init {
                setup_step_done(st);
            }
        }
        Role::Topology(node) => match protocol::parse_topology_reply(body) {
            Reply::Ok(_) => setup_step_done(st),
            Reply::Error { text, .. } | Reply::Malformed(text) => {
                st.abort(format!("n{node} answered topology with {text}"));
            }
        },
        Role::Worker(t) => {
            let Some(pending) = pending.op else {
                return;
            };
            let (kind, value, error) = match st.workload.reply(pending.f, body) {
                Reply::Ok(OpValue::None) => (OpType::Ok, pending.value.clone(), None),
                Reply::Ok(value) => (OpType::Ok, value, None),
                Reply::Error { text, definite } => {
                    let fails = definite && st.workload.client_rules().definite_errors_fail;
                    let kind = if fails || st.workload.idempotent(pending.f) {
                        OpType::Fail
                    } else {
                        OpType::Info
                    };
                    (kind, pending.value.clone(), Some(text))
                }
                Reply::Malformed(text) => (OpType::Info, pending.value.clone(), Some(text)),
            };
            complete(st, t, &pending, kind, value, error);
        }
    }
}

fn setup_step_done(st: &mut State) {
    st.setup_pending -= 1;
    if st.setup_pending > 0 {
        return;
    }
    match st.phase {
        Phase::Init if st.workload.sends_topology() => start_topology(st),
        Phase::Init | Phase::Topology => start_main(st),
        _ => {}
    }
}

pub(crate) fn on_client_timeout(st: &mut State, c: u32, msg_id: u64) {
    let client = st.clients.get_mut(c);
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
    let kind = if st.workload.idempotent(pending.f) {
        OpType::Fail
    } else {
        OpType::Info
    };
    let value = pending.value.clone();
    complete(st, t, &pending, kind, value, Some(":net-timeout".into()));
}

/// Records the completion of thread `t`'s operation and frees the thread.
fn complete(
    st: &mut State,
    t: usize,
    pending: &PendingOp,
    kind: OpType,
    value: OpValue,
    error: Option<String>,
) {
    let threads = st.workers.len() as u64;
    let worker = &mut st.workers[t];
    let process = Process::Client(worker.process);
    let index = st
        .history
        .complete(ns(st.now), process, kind, pending.f, value, error);
    if pending.final_read {
        st.history.mark_final(index);
    }
    worker.busy = false;
    if kind == OpType::Info {
        worker.process += threads;
        if !st.workload.client_rules().reusable_after_info {
            worker.replace_client = true;
        }
    }
    worker_freed(st);
}

fn worker_freed(st: &mut State) {
    match st.phase {
        Phase::Main if st.generator.waiting => {
            st.generator.waiting = false;
            let at = st.generator.after_wait(st.now);
            match st.generator.due_at(at) {
                Some(at) => st.schedule(at, Event::OpDue(at)),
                None => check_main_end(st),
            }
        }
        Phase::Draining | Phase::Final if st.workers.iter().all(|w| !w.busy) => {
            if st.phase == Phase::Draining {
                after_main(st);
            } else {
                st.teardown();
            }
        }
        _ => {}
    }
}

pub(crate) fn on_nemesis(st: &mut State) {
    if st.phase != Phase::Main || st.nemesis_exhausted {
        return;
    }
    let n = st.n;
    let Some(nemesis) = st.nemesis.as_mut() else {
        return;
    };
    let op = nemesis.next_op(n);
    let gap = nemesis.gap();
    let t = ns(st.now);
    match op {
        NemesisOp::Start(shape, partition) => {
            let description = format!("[:isolated {partition}]");
            record_nemesis(
                st,
                t,
                OpF::START_PARTITION,
                shape.name().into(),
                description,
            );
            st.net.set_partition(partition);
        }
        NemesisOp::Stop => {
            st.net.heal();
            record_nemesis(
                st,
                t,
                OpF::STOP_PARTITION,
                String::new(),
                ":network-healed".into(),
            );
        }
    }
    let next = st.now + gap;
    if next >= st.generator.deadline {
        st.nemesis_exhausted = true;
        check_main_end(st);
    } else {
        st.schedule(next, Event::Nemesis);
    }
}

/// Entry `i` of the partition script is due: during the main phase only, like the
/// nemesis, and recorded in the history the same way.
pub(crate) fn on_scripted_partition(st: &mut State, i: usize) {
    if st.phase != Phase::Main {
        return;
    }
    let partition = st.cfg.partition_script[i].1.clone();
    let t = ns(st.now);
    if partition.is_healed() {
        st.net.heal();
        let healed = ":network-healed".into();
        record_nemesis(st, t, OpF::STOP_PARTITION, String::new(), healed);
    } else {
        let description = format!("[:isolated {partition}]");
        record_nemesis(st, t, OpF::START_PARTITION, "scripted".into(), description);
        st.net.set_partition(partition);
    }
}

pub(crate) fn record_nemesis(st: &mut State, t: u64, f: OpF, value: String, result: String) {
    let p = Process::Nemesis;
    st.history
        .complete(t, p, OpType::Info, f, OpValue::Text(value), None);
    st.history
        .complete(t, p, OpType::Info, f, OpValue::Text(result), None);
}

/// The main generator is done once neither clients nor nemesis will issue anything more;
/// the phase then ends when every thread is idle.
pub(crate) fn check_main_end(st: &mut State) {
    if st.phase != Phase::Main
        || !st.generator.exhausted
        || !st.nemesis_exhausted
        || !st.db_nemesis_exhausted
    {
        return;
    }
    st.phase = Phase::Draining;
    if st.workers.iter().all(|w| !w.busy) {
        after_main(st);
    }
}

/// With a final phase (broadcast): heal, then wait quietly before the final operations.
/// Without: tear down.
fn after_main(st: &mut State) {
    if !st.workload.final_phase() {
        return st.teardown();
    }
    final_db_nemesis(st);
    end_faults(st);
    if st.nemesis.is_some() || !st.cfg.partition_script.is_empty() {
        st.net.heal();
        let t = ns(st.now);
        record_nemesis(
            st,
            t,
            OpF::STOP_PARTITION,
            String::new(),
            ":network-healed".into(),
        );
    }
    st.phase = Phase::Recovery;
    let at = st.now + st.cfg.recovery;
    st.schedule(at, Event::FinalReads);
}

/// Every worker thread invokes the workload's final operation (broadcast: a read), all at
/// the same instant.
pub(crate) fn start_final_reads(st: &mut State) {
    st.phase = Phase::Final;
    for t in 0..st.workers.len() {
        let (f, value) = st.workload.final_op();
        dispatch(st, t, f, value, true, st.now);
    }
    if st.workers.is_empty() {
        st.teardown();
    }
}
