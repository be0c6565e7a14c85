//! A faithful local Maelstrom for the `echo`, `unique-ids` and `broadcast` workloads.
//!
//! [`run`] plays one `maelstrom test` on a virtual clock and returns a [`Report`] with every
//! checker's verdict, the net statistics and the history. The behaviour reproduced is the one
//! described in `maelstrom-compat.md`: setup, workload generator, network (latency, per-node
//! delivery worker with head-of-line blocking), partition nemesis, final phase, set-full and
//! the other checkers, message counting.
//!
//! | module | holds |
//! |---|---|
//! | [`config`] | [`SimConfig`]: workload, cluster, network, nemesis, seed |
//! | [`cluster`] | the sans-IO core that sees nodes only as JSON lines |
//! | [`inprocess`] | the deterministic driver stepping `glomers::Node`s |
//! | [`process`] | the real-time driver running any node binary over pipes |
//! | [`history`] | Jepsen's history of operations |
//! | [`checker`] | set-full, unique-ids, echo, stats, availability |
//! | [`journal`] | message journal, net statistics, trace |
//! | [`partition`] | partitions and the nemesis's four shapes |
//! | [`campaign`] | fault campaigns: many seeded faulty runs, each checked, with replay commands |
//! | [`faults`] | faults beyond Maelstrom's: the `--faults` spec, one-way partitions, pauses |
//! | [`topology`] | the broadcast `topology` message |
//! | [`endpoint`] | node and client ids |
//! | [`report`], [`output`] | the result, its summary and JSON forms |
//! | [`results`], [`plot`] | the results folder of a run and its SVG plots |
//!
//! Internals: `network` (queues and delivery workers), `transit` (reordered messages),
//! `fault_schedule` (one-way partitions and pauses), `events` (the core's timers),
//! `generator` (operation schedule), `nemesis` (partition schedule), `clients` (clients and
//! worker threads), `phases` (the test timeline), `protocol` (JSON envelopes, requests, reply
//! schemas), `rng` (seeded streams), `node_process` (one spawned node and its pipe threads).
//!
//! ```
//! use std::time::Duration;
//! use glomers::sim::{self, SimConfig, Workload};
//!
//! let cfg = SimConfig {
//!     workload: Workload::Broadcast,
//!     node_count: 5,
//!     rate: 10.0,
//!     time_limit: Duration::from_secs(2),
//!     seed: 7,
//!     ..SimConfig::default()
//! };
//! let report = sim::run(&cfg).expect("the test runs");
//! assert_eq!(report.valid, sim::Validity::True);
//! assert_eq!(report.set_full().expect("broadcast").lost_count, 0);
//! ```

pub mod campaign;
pub mod checker;
pub mod cluster;
pub mod config;
pub mod endpoint;
pub mod faults;
pub mod history;
pub mod inprocess;
pub mod journal;
pub mod output;
pub mod partition;
pub mod plot;
pub mod process;
pub mod report;
pub mod results;
pub mod series;
pub mod serve;
pub mod sweep;
pub mod topology;

mod clients;
mod events;
mod fault_schedule;
mod generator;
mod min_queue;
mod nemesis;
mod network;
mod node_process;
mod phases;
mod protocol;
mod rng;
mod transit;

pub use checker::Validity;
pub use cluster::{Cluster, Delivery};
pub use config::{
    Availability, Faults, LatencyDist, NodeKind, Pause, SimConfig, Topology, Workload,
};
pub use faults::FaultCounts;
pub use report::{NodeError, Report};

use crate::time::Time;

/// Why a simulated test produced no report.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Setup failed (a node did not answer `init` or `topology` properly in time): Maelstrom
    /// aborts the test without analysis.
    #[error("test aborted at {:.3} s: {reason}", at.as_micros() as f64 / 1e6)]
    Aborted {
        /// Virtual time of the abort (µs since the run started).
        at: Time,
        /// What went wrong.
        reason: String,
    },
    /// Nothing was left to happen but the test was not over (a simulator bug).
    #[error("simulation stalled at {:.3} s", at.as_micros() as f64 / 1e6)]
    Stalled {
        /// Virtual time of the stall.
        at: Time,
    },
}

/// Runs one test as configured. Process-mode nodes run in real time with default
/// [`process::ProcessOptions`] (no node logs, no progress).
pub fn run(cfg: &SimConfig) -> Result<Report, SimError> {
    match &cfg.nodes {
        NodeKind::InProcess(node_config) => inprocess::run(cfg, node_config),
        NodeKind::Process { bin, args } => {
            process::run(cfg, bin, args, process::ProcessOptions::default())
        }
    }
}
