//! The outcome of a simulated test: every checker's result, the net statistics, the history,
//! per-sample data for plots, and optionally the message trace; and what every figure of a run
//! reads from it: its subtitle, its time-limit window and its partition intervals.
//!
//! [`output`] writes it as Maelstrom's summary and as the `results.json` document, whose type
//! is [`document::ResultsJson`]; `series` computes the curves that document keeps for
//! comparing runs.

pub mod document;
pub(crate) mod edn;
pub mod output;
pub(crate) mod series;

use crate::checkers::{AvailabilityResult, StatsResult, Validity, WorkloadResult};
use crate::config::SimConfig;
use crate::figures::{PlotInput, secs_ns};
use crate::history::{History, OpF, Process};
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
    /// What the run's plots draw from: its history, the line naming it, its time-limit window
    /// and its partitions.
    pub fn plot_input(&self) -> PlotInput<'_> {
        PlotInput {
            history: &self.history,
            subtitle: subtitle(self),
            window: window(self),
            partitions: partitions(self),
            end_s: self.end.as_micros() as f64 / 1e6,
            node_count: self.config.node_count,
            threads: self.config.threads(),
        }
    }
}

/// A line under the title naming the run.
fn subtitle(report: &Report) -> String {
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

/// The time limit window, in seconds since the start: (main start, time limit).
fn window(report: &Report) -> (f64, f64) {
    let start = report.main_start.as_micros() as f64 / 1e6;
    (start, start + report.config.time_limit.as_secs_f64())
}

/// Partition intervals (start, heal) in seconds, from the nemesis's history entries.
fn partitions(report: &Report) -> Vec<(f64, f64)> {
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
