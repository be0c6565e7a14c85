//! The fault schedule acting on the cluster: one-way partitions started and healed, nodes
//! paused and resumed, everything ended with the main phase. Also the kill and pause nemesis
//! (`--nemesis kill,pause`, scheduled by [`crate::world::db_nemesis`]): nodes killed, started
//! again with `init`, paused and resumed. When each happens comes from
//! [`FaultSchedule`](crate::world::fault_schedule::FaultSchedule); these functions apply it to the cluster core's [`State`].

use crate::drive::clients::Role;
use crate::drive::events::{Event, Phase};
use crate::drive::phases::{await_reply, check_main_end, record_nemesis};
use crate::drive::protocol::{self, Request};
use crate::drive::state::{Delivery, NodeChange, Outage, State};
use crate::history::OpF;
use crate::world::db_nemesis::DbOp;
use crate::world::partition::Partition;
use glomers::time::Time;

/// Starts the fault schedule with the main phase.
pub(crate) fn start_fault_schedule(st: &mut State) {
    let now = st.now;
    let Some(schedule) = st.fault_schedule.as_mut() else {
        return;
    };
    let oneway = schedule.next_oneway(now);
    let pause = schedule.next_pause(now);
    if let Some(at) = oneway {
        st.schedule(at, Event::OneWay);
    }
    if let Some(at) = pause {
        st.schedule(at, Event::Pause);
    }
}

pub(crate) fn on_oneway(st: &mut State) {
    let (now, n) = (st.now, st.n);
    let Some(schedule) = st.fault_schedule.as_mut().filter(|_| st.faults_active) else {
        return;
    };
    let step = schedule.oneway_step(n);
    let next = schedule.next_oneway(now);
    if step.is_some() {
        st.net.fault_counts.oneway_partitions += 1;
    }
    st.net
        .set_oneway(step.unwrap_or_else(|| Partition::healed(n)));
    if let Some(at) = next {
        st.schedule(at, Event::OneWay);
    }
}

pub(crate) fn on_pause(st: &mut State) {
    let now = st.now;
    let running: Vec<u16> = (0..st.n)
        .filter(|&i| st.paused_until[usize::from(i)].is_none())
        .collect();
    let Some(schedule) = st.fault_schedule.as_mut().filter(|_| st.faults_active) else {
        return;
    };
    let node = schedule.pick(&running);
    let until = now + schedule.pause_length();
    let next = schedule.next_pause(now);
    if let Some(node) = node {
        st.net.fault_counts.pauses += 1;
        st.paused_until[usize::from(node)] = Some(until);
        st.schedule(until, Event::Resume(node));
    }
    if let Some(at) = next {
        st.schedule(at, Event::Pause);
    }
}

/// Node `node` resumes (if still paused) and reads what was delivered meanwhile.
pub(crate) fn resume(st: &mut State, node: u16) {
    let i = usize::from(node);
    if st.paused_until[i].take().is_none() {
        return;
    }
    if st
        .outages
        .iter()
        .any(|o| o.node == node && !o.killed && o.until.is_none())
    {
        close_outage(st, node);
    }
    for line in std::mem::take(&mut st.held[i]) {
        st.deliveries.push_back(Delivery { node, line });
    }
}

/// The main phase is over: every extra fault ends, paused nodes resume.
pub(crate) fn end_faults(st: &mut State) {
    if !st.faults_active {
        return;
    }
    st.faults_active = false;
    st.net.end_faults();
    for node in 0..st.n {
        resume(st, node);
    }
}

/// How long a nemesis pause lasts: until the nemesis resumes it.
const UNTIL_RESUMED: Time = Time::from_micros(u64::MAX);

/// The kill and pause nemesis's operation is due (during the main phase only): it is applied,
/// recorded as Jepsen records it, and the next one scheduled after its own gap.
pub(crate) fn on_db_nemesis(st: &mut State) {
    if st.phase != Phase::Main || st.db_nemesis_exhausted {
        return;
    }
    let n = st.n;
    let Some(nemesis) = st.db_nemesis.as_mut() else {
        return;
    };
    let op = nemesis.next_op();
    let targets = match op {
        DbOp::Kill(spec) | DbOp::Pause(spec) => nemesis.pick(spec, n),
        DbOp::Start | DbOp::Resume => (0..n).collect(),
    };
    let gap = nemesis.gap();
    apply_db_op(st, op, &targets);
    let next = st.now + gap;
    if next >= st.generator.deadline {
        st.db_nemesis_exhausted = true;
        check_main_end(st);
    } else {
        st.schedule(next, Event::DbNemesis);
    }
}

/// The final generator of Jepsen's `db-package`: resume and start every node, before the
/// workload's final operations.
pub(crate) fn final_db_nemesis(st: &mut State) {
    if st.db_nemesis.is_none() {
        return;
    }
    let (kill, pause) = (st.cfg.kill, st.cfg.pause);
    let all: Vec<u16> = (0..st.n).collect();
    if pause {
        apply_db_op(st, DbOp::Resume, &all);
    }
    if kill {
        apply_db_op(st, DbOp::Start, &all);
    }
}

/// Applies `op` to `targets` and records it: an `:info` invocation with the node spec, an
/// `:info` completion mapping each target to what happened to it.
fn apply_db_op(st: &mut State, op: DbOp, targets: &[u16]) {
    let mut result = Vec::new();
    for &node in targets {
        let i = usize::from(node);
        let outcome = match op {
            DbOp::Kill(_) if st.down[i] => "already-dead",
            DbOp::Kill(_) => {
                kill(st, node);
                "killed"
            }
            DbOp::Start if !st.down[i] => "already-running",
            DbOp::Start => {
                restart(st, node);
                "started"
            }
            DbOp::Pause(_) if st.down[i] => "not-running",
            DbOp::Pause(_) => {
                if st.paused_until[i].is_none() {
                    st.net.fault_counts.pauses += 1;
                    st.outages.push(Outage {
                        node,
                        killed: false,
                        from: st.now,
                        until: None,
                    });
                }
                st.paused_until[i] = Some(UNTIL_RESUMED);
                "paused"
            }
            DbOp::Resume if st.paused_until[i].is_none() => "not-paused",
            DbOp::Resume => {
                resume(st, node);
                "resumed"
            }
        };
        result.push(format!("{} :{outcome}", st.names[i]));
    }
    let spec = match op {
        DbOp::Kill(s) | DbOp::Pause(s) => s.name(),
        DbOp::Start | DbOp::Resume => "all",
    };
    let f = match op {
        DbOp::Kill(_) => OpF::KILL,
        DbOp::Start => OpF::START,
        DbOp::Pause(_) => OpF::PAUSE,
        DbOp::Resume => OpF::RESUME,
    };
    let t = st.now.as_micros() * 1000;
    let result = format!("{{{}}}", result.join(", "));
    record_nemesis(st, t, f, spec.into(), result);
}

/// Kills node `node` (Maelstrom's `stop-node!`): its process and its queue are gone, and what
/// it had been delivered but not read too.
pub(crate) fn kill(st: &mut State, node: u16) {
    let i = usize::from(node);
    st.down[i] = true;
    st.net.fault_counts.kills += 1;
    if st.paused_until[i].take().is_some() {
        close_outage(st, node);
    }
    let unread = st.held[i].len() + st.deliveries.iter().filter(|d| d.node == node).count();
    st.net.fault_counts.killed_drops += unread as u64;
    st.held[i].clear();
    st.deliveries.retain(|d| d.node != node);
    st.net.kill(node);
    st.changes.push_back(NodeChange::Killed(node));
    st.outages.push(Outage {
        node,
        killed: true,
        from: st.now,
        until: None,
    });
}

/// Starts node `node` again (Maelstrom's `start-node!`, then `init` as in `db.clj`'s
/// `setup!`): a fresh queue, a fresh process, and a fresh client sending `init`.
pub(crate) fn restart(st: &mut State, node: u16) {
    st.down[usize::from(node)] = false;
    close_outage(st, node);
    st.net.restart(node);
    st.changes.push_back(NodeChange::Restarted(node));
    let names = st.names.clone();
    let c = st.clients.open(Role::Init(node));
    let request = Request::Init {
        node_id: &names[usize::from(node)],
        node_ids: &names,
    };
    await_reply(st, c, None, |id| protocol::request_body(&request, id), node);
}

/// Ends node `node`'s open outage now.
fn close_outage(st: &mut State, node: u16) {
    let now = st.now;
    if let Some(o) = st
        .outages
        .iter_mut()
        .rev()
        .find(|o| o.node == node && o.until.is_none())
    {
        o.until = Some(now);
    }
}
