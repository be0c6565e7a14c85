//! A builder for [`SimConfig`]s, so that a test or a tool states only what differs from
//! Maelstrom's defaults:
//!
//! ```
//! use glomers_sim::SimBuilder;
//! use glomers_sim::workloads::broadcast::set_full::SetFullResult;
//!
//! let report = SimBuilder::broadcast()
//!     .nodes(5)
//!     .rate(10.0)
//!     .secs(2)
//!     .preset("3d")
//!     .seed(7)
//!     .run()
//!     .expect("the test runs");
//! let set_full = report.workload.get::<SetFullResult>().expect("broadcast");
//! assert_eq!(set_full.lost_count, 0);
//! ```

use std::time::Duration;

use glomers::config::NodeConfig;

use crate::config::{Availability, Faults, LatencyDist, NodeKind, SimConfig, Topology};
use crate::report::Report;
use crate::workloads::Workload;
use crate::world::partition::Partition;
use crate::{SimError, run};

/// Builds a [`SimConfig`] from Maelstrom's defaults ([`SimConfig::default`]).
#[derive(Clone, Debug, Default)]
pub struct SimBuilder {
    cfg: SimConfig,
}

impl SimBuilder {
    /// A test of `workload` with every other setting at its default.
    pub fn new(workload: Workload) -> SimBuilder {
        SimBuilder {
            cfg: SimConfig {
                workload,
                ..SimConfig::default()
            },
        }
    }

    /// A broadcast test.
    pub fn broadcast() -> SimBuilder {
        SimBuilder::new(Workload::BROADCAST)
    }

    /// An echo test.
    pub fn echo() -> SimBuilder {
        SimBuilder::new(Workload::ECHO)
    }

    /// A unique-ids test.
    pub fn unique_ids() -> SimBuilder {
        SimBuilder::new(Workload::UNIQUE_IDS)
    }

    /// `--node-count`.
    pub fn nodes(mut self, n: u16) -> SimBuilder {
        self.cfg.node_count = n;
        self
    }

    /// `--rate` (operations per second).
    pub fn rate(mut self, rate: f64) -> SimBuilder {
        self.cfg.rate = rate;
        self
    }

    /// `--time-limit` in whole seconds.
    pub fn secs(self, secs: u64) -> SimBuilder {
        self.time_limit(Duration::from_secs(secs))
    }

    /// `--time-limit`.
    pub fn time_limit(mut self, limit: Duration) -> SimBuilder {
        self.cfg.time_limit = limit;
        self
    }

    /// `--latency` in ms.
    pub fn latency(mut self, ms: u64) -> SimBuilder {
        self.cfg.latency_ms = ms;
        self
    }

    /// `--latency-dist`.
    pub fn latency_dist(mut self, dist: LatencyDist) -> SimBuilder {
        self.cfg.latency_dist = dist;
        self
    }

    /// `--nemesis partition` with `--nemesis-interval interval`.
    pub fn partitions(mut self, interval: Duration) -> SimBuilder {
        self.cfg.partition = true;
        self.cfg.nemesis_interval = interval;
        self
    }

    /// A scripted partition `after` the main phase starts ([`SimConfig::partition_script`]).
    pub fn partition_at(mut self, after: Duration, partition: Partition) -> SimBuilder {
        self.cfg.partition_script.push((after, partition));
        self
    }

    /// `--faults`.
    pub fn faults(mut self, faults: Faults) -> SimBuilder {
        self.cfg.faults = faults;
        self
    }

    /// `--topology` (the broadcast `topology` message).
    pub fn topology(mut self, shape: Topology) -> SimBuilder {
        self.cfg.topology = shape;
        self
    }

    /// `--concurrency`.
    pub fn concurrency(mut self, threads: usize) -> SimBuilder {
        self.cfg.concurrency = Some(threads);
        self
    }

    /// `--availability`.
    pub fn availability(mut self, demand: Availability) -> SimBuilder {
        self.cfg.availability = Some(demand);
        self
    }

    /// The seed.
    pub fn seed(mut self, seed: u64) -> SimBuilder {
        self.cfg.seed = seed;
        self
    }

    /// In-process glomers nodes with this configuration.
    pub fn node(mut self, config: NodeConfig) -> SimBuilder {
        self.cfg.nodes = NodeKind::InProcess(config);
        self
    }

    /// In-process glomers nodes with a shipped topology file (`3d`, `3e`, …).
    ///
    /// # Panics
    ///
    /// If there is no such preset.
    pub fn preset(self, name: &str) -> SimBuilder {
        let config = NodeConfig::load(name).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        self.node(config)
    }

    /// These nodes (in process, custom, or a binary).
    pub fn nodes_of(mut self, kind: NodeKind) -> SimBuilder {
        self.cfg.nodes = kind;
        self
    }

    /// Keeps the message trace in the report.
    pub fn trace(mut self) -> SimBuilder {
        self.cfg.trace = true;
        self
    }

    /// Any other change to the configuration.
    pub fn with(mut self, change: impl FnOnce(&mut SimConfig)) -> SimBuilder {
        change(&mut self.cfg);
        self
    }

    /// The configuration.
    pub fn build(self) -> SimConfig {
        self.cfg
    }

    /// Runs the test ([`crate::run`]).
    pub fn run(&self) -> Result<Report, SimError> {
        run(&self.cfg)
    }
}
