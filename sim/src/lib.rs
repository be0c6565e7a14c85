//! `glomers-sim`: a faithful local Maelstrom for the `echo`, `unique-ids`, `broadcast`,
//! `g-counter`, `pn-counter` and `txn-rw-register` workloads, with Maelstrom's services.
//!
//! [`run`] plays one `maelstrom test` on a virtual clock and returns a [`Report`] with every
//! checker's verdict, the net statistics and the history. The behaviour reproduced is
//! Maelstrom's own (`maelstrom/src/maelstrom/core.clj`, `net.clj`, `nemesis.clj`, the
//! workloads under `maelstrom/src/maelstrom/workload/`, and Jepsen's `jepsen/checker.clj`):
//! setup, workload generator, network (latency, per-node delivery worker with head-of-line
//! blocking), partition nemesis, final phase, set-full and the other checkers, message counting.
//!
//! The crate is arranged by role:
//!
//! | folder | holds |
//! |---|---|
//! | [`config`], [`builder`] | [`SimConfig`]: workload, cluster, network, nemesis, seed; [`SimBuilder`] to state only what differs |
//! | [`history`] | Jepsen's history of operations |
//! | [`world`] | the virtual world: node and client ids, network, transit, partitions, faults and their schedule, nemesis, seeded randomness, the `topology` message, the message journal, Maelstrom's services (`lin-kv`, `seq-kv`, `lww-kv`, `lin-tso`) |
//! | [`drive`] | the cluster core that sees nodes only as JSON lines, its clients and timeline, the in-process and process drivers |
//! | [`workloads`] | the workload boundary and one module per workload (echo, unique-ids, broadcast, g-counter, pn-counter, txn-rw-register, kafka): generator, client RPC mapping, final phase, checker, and its figures and plots |
//! | [`checkers`] | what every workload shares: stats, availability, latency quantiles, how verdicts combine, what a verdict shows (figures, curves, plots) |
//! | [`figures`] | what a workload shows of a run: figures, latency curves, plots (and, with `present`, the plots' common style) |
//! | [`report`] | the [`Report`], its summary, and the `results.json` document |
//! | [`campaign`] | fault campaigns and the topology sweep: many seeded runs, each checked |
//! | `present` | (feature `present`) the results folder, its SVG plots, the spacetime diagram, timeline and history files |
//! | `serve` | (feature `present`) `glomers-sim serve`: the results browser (runs, run pages, comparison of runs) |
//!
//! The default feature `present` brings the results folder and the browser (plotters, axum,
//! maud, tokio, chrono, indicatif); without it the library runs tests and returns reports.
//!
//! ```
//! use std::time::Duration;
//! use glomers_sim::{self as sim, SimConfig, Workload};
//! use glomers_sim::workloads::broadcast::set_full::SetFullResult;
//!
//! let cfg = SimConfig {
//!     workload: Workload::BROADCAST,
//!     node_count: 5,
//!     rate: 10.0,
//!     time_limit: Duration::from_secs(2),
//!     seed: 7,
//!     ..SimConfig::default()
//! };
//! let report = sim::run(&cfg).expect("the test runs");
//! assert_eq!(report.valid, sim::Validity::True);
//! let set_full: &SetFullResult = report.workload.get().expect("broadcast");
//! assert_eq!(set_full.lost_count, 0);
//! ```

#![deny(missing_docs)]

pub mod builder;
pub mod campaign;
pub mod checkers;
pub mod config;
pub mod drive;
pub mod figures;
pub mod history;
#[cfg(feature = "present")]
pub mod present;
pub mod report;
#[cfg(feature = "present")]
pub mod serve;
pub mod workloads;
pub mod world;

pub use builder::SimBuilder;
pub use checkers::{Validity, Verdict, WorkloadResult};
pub use config::{Availability, Faults, LatencyDist, NodeKind, Pause, SimConfig, Topology};
pub use drive::cluster::{Cluster, Delivery};
pub use report::{NodeError, Report};
pub use workloads::{Workload, WorkloadOptions, WorkloadRun};
pub use world::faults::FaultCounts;

use glomers::time::Time;

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
/// [`drive::process::ProcessOptions`] (no node logs, no progress).
pub fn run(cfg: &SimConfig) -> Result<Report, SimError> {
    match &cfg.nodes {
        NodeKind::InProcess(node_config) => drive::inprocess::run(cfg, node_config),
        NodeKind::Custom(factory) => drive::inprocess::InProcess::from_factory(cfg, factory)?.run(),
        NodeKind::Process { bin, args } => {
            drive::process::run(cfg, bin, args, drive::process::ProcessOptions::default())
        }
    }
}
