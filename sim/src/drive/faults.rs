//! The fault schedule acting on the cluster: one-way partitions started and healed, nodes
//! paused and resumed, everything ended with the main phase. When each happens comes from
//! [`FaultSchedule`](crate::world::fault_schedule::FaultSchedule); these functions apply it to the cluster core's [`State`].

use crate::drive::events::Event;
use crate::drive::state::{Delivery, State};
use crate::world::partition::Partition;

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
