//! The outcome of a simulated test: every checker's result, the net statistics, the history,
//! per-sample data for plots, and optionally the message trace; and what every figure of a run
//! reads from it: its subtitle, its time-limit window and its partition intervals.

use crate::checkers::{AvailabilityResult, StatsResult, Validity, WorkloadResult};
use crate::config::SimConfig;
use crate::history::{History, OpF, Process};
use crate::workloads::broadcast::set_full::SetFullResult;
use crate::world::faults::FaultCounts;
use crate::world::journal::NetStats;
use glomers::time::Time;

/// A line Maelstrom would have rejected; it stopped reading that node afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeError {
    /// The node's index.
    pub node: u16,
    /// When the line was printed (µs since the run started).
    pub time: Time,
    /// The line (cut at 200 bytes).
    pub line: String,
    /// Why it was rejected.
    pub reason: String,
}

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct Report {
    /// The seed of the run.
    pub seed: u64,
    /// The configuration it ran with.
    pub config: SimConfig,
    /// Overall `:valid?`.
    pub valid: Validity,
    /// `:workload`.
    pub workload: WorkloadResult,
    /// `:stats`.
    pub stats: StatsResult,
    /// `:availability`.
    pub availability: AvailabilityResult,
    /// `:net`.
    pub net: NetStats,
    /// Client invocations, final reads and failures included (the msgs-per-op divisor).
    pub op_count: u64,
    /// The history.
    pub history: History,
    /// Lines Maelstrom would have rejected (each makes it stop reading that node).
    pub node_errors: Vec<NodeError>,
    /// Server messages (node↔node and node↔service) sent during each second since the run
    /// started.
    pub server_sends_per_second: Vec<u64>,
    /// Node↔node messages dropped by partitions.
    pub partition_drops: u64,
    /// Node↔node messages lost to extra faults.
    pub fault_losses: u64,
    /// What the other extra faults did.
    pub fault_counts: FaultCounts,
    /// How often a node asked to be woken at or before the time it was handling (a node bug;
    /// the in-process driver then wakes it 1 ms later).
    pub past_deadlines: u64,
    /// Clients opened over the run (setup clients included).
    pub clients_opened: usize,
    /// When the main phase (and the time limit) started, µs since the run started.
    pub main_start: Time,
    /// When the nodes were torn down.
    pub end: Time,
    /// Every journaled message, one line each (`<µs> <send|recv> <id> <from> <to> <line>`),
    /// if [`SimConfig::trace`] was set.
    pub trace: Option<Vec<u8>>,
}

impl Report {
    /// The broadcast checker's result, if this was a broadcast test.
    pub fn set_full(&self) -> Option<&SetFullResult> {
        self.workload.get()
    }

    /// The txn-rw-register checker's result, if this was a txn-rw-register test.
    pub fn txn(&self) -> Option<&crate::workloads::txn_rw_register::elle::ElleResult> {
        self.workload.get()
    }

    /// The counter checker's result, if this was a g-counter or pn-counter test.
    pub fn counter(&self) -> Option<&crate::workloads::counter::CounterResult> {
        self.workload.get()
    }

    /// Each stable element's known time (ns since the run started) and stable latency (ms),
    /// in creation order.
    pub fn stable_samples(&self) -> Vec<(i64, u64, u64)> {
        self.set_full().map_or_else(Vec::new, |r| {
            r.elements
                .iter()
                .filter_map(|e| {
                    let latency = e.stable_latency_ms?;
                    Some((e.element, e.known.map_or(0, |k| k.time_ns), latency))
                })
                .collect()
        })
    }
}

/// A line under the title naming the run.
pub(crate) fn subtitle(report: &Report) -> String {
    let c = &report.config;
    format!(
        "{} · {} nodes · rate {}/s · time limit {} s · latency {} ms{} · seed {}",
        c.workload,
        c.node_count,
        c.rate,
        c.time_limit.as_secs_f64(),
        c.latency_ms,
        if c.partition { " · partitions" } else { "" },
        report.seed
    )
}

/// Nanoseconds since the start as seconds.
pub(crate) fn secs_ns(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// The time limit window, in seconds since the start: (main start, time limit).
pub(crate) fn window(report: &Report) -> (f64, f64) {
    let start = report.main_start.as_micros() as f64 / 1e6;
    (start, start + report.config.time_limit.as_secs_f64())
}

/// Partition intervals (start, heal) in seconds, from the nemesis's history entries.
pub(crate) fn partitions(report: &Report) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut open = None;
    for op in report.history.ops() {
        if op.process != Process::Nemesis {
            continue;
        }
        match op.f {
            OpF::START_PARTITION if open.is_none() => open = Some(secs_ns(op.time_ns)),
            OpF::STOP_PARTITION => {
                if let Some(start) = open.take() {
                    out.push((start, secs_ns(op.time_ns)));
                }
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        out.push((start, report.end.as_micros() as f64 / 1e6));
    }
    out
}
