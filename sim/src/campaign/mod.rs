//! Fault campaigns: many seeded runs of every topology preset under every kind of fault,
//! each checked for what must never happen whatever the network does; and the topology
//! [`sweep`] that compares topology files on the standard tests.
//!
//! A campaign is a [`plan`] (topology presets × fault kinds × seeds for broadcast, fault kinds
//! × seeds for the other workloads: unique ids, g-counter, pn-counter, txn-rw-register, g-set,
//! kafka), run by [`execute`] or [`execute_all`]. Each fault kind draws its
//! parameters from the seed (loss 5–30 %, and so on: see [`FaultKind`]). A run fails when
//! [`check`] finds any of:
//!
//! - an acknowledged broadcast value (its `broadcast_ok` reached the client) missing from some
//!   node's final read: stronger than set-full's `lost`, which only looks at the last reads;
//! - a node whose final read did not succeed;
//! - a value listed twice in one read;
//! - a unique id handed out twice;
//! - a counter, transaction, g-set or kafka run its own checker rejects (an acknowledged add
//!   not counted,
//!   a transaction anomaly at read committed);
//! - a line Maelstrom would reject, or a node asking to be woken in the past.
//!
//! Every failure comes with [`Run::command`], the `glomers-sim test` command that replays it.

mod check;
mod kind;
pub mod sweep;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::config::{Faults, NodeKind, SimConfig, Workload, WorkloadOptions};
use crate::world::faults::FaultCounts;
use glomers::config::{NodeConfig, PRESETS};

pub use check::check;
pub use kind::{FaultKind, NemesisSpec};

/// What a campaign runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignConfig {
    /// The first seed.
    pub first_seed: u64,
    /// How many seeds per preset and fault kind.
    pub seeds: u64,
    /// The fault kinds.
    pub kinds: Vec<FaultKind>,
    /// Topology files or preset names for broadcast runs.
    pub presets: Vec<String>,
    /// The workloads: broadcast runs every preset; the others (unique ids, whose nodes never
    /// talk to each other, the counters and transactions) run the first only.
    pub workloads: Vec<Workload>,
    /// Nodes per run.
    pub node_count: u16,
    /// Each run's `--time-limit`.
    pub time_limit: Duration,
    /// Each run's `--rate`.
    pub rate: f64,
    /// Each run's `--latency` (ms).
    pub latency_ms: u64,
}

impl Default for CampaignConfig {
    /// Every preset and fault kind, every workload the node serves ([`workloads`]), 10 seeds
    /// from 1; 5 nodes, 10 s at rate 20 with 20 ms latency.
    fn default() -> Self {
        CampaignConfig {
            first_seed: 1,
            seeds: 10,
            kinds: FaultKind::ALL.to_vec(),
            presets: PRESETS.iter().map(|(n, _)| n.to_string()).collect(),
            workloads: workloads(),
            node_count: 5,
            time_limit: Duration::from_secs(10),
            rate: 20.0,
            latency_ms: 20,
        }
    }
}

/// Every workload the glomers node serves beyond echo: broadcast, unique ids, both counters,
/// transactions, g-set and kafka.
pub fn workloads() -> Vec<Workload> {
    let mut w = vec![Workload::BROADCAST, Workload::UNIQUE_IDS];
    for name in [
        "g-counter",
        "pn-counter",
        "txn-rw-register",
        "g-set",
        "kafka",
    ] {
        w.extend(Workload::named(name));
    }
    w
}

/// The workload flags a campaign gives a workload: transactions are checked at the model the
/// node promises (Gossip Glomers 6c: read committed).
fn workload_options(workload: Workload) -> WorkloadOptions {
    let mut o = WorkloadOptions::new();
    if workload.name() == "txn-rw-register" {
        o.insert("consistency-models".into(), "read-committed".into());
    }
    o
}

/// One run of a campaign.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The workload.
    pub workload: Workload,
    /// The topology file or preset of the nodes.
    pub preset: String,
    /// The fault kind.
    pub kind: FaultKind,
    /// The seed.
    pub seed: u64,
    /// The faults the kind drew for this seed.
    pub faults: Faults,
    /// The nemesis (partition, kill), if one runs.
    pub nemesis: Option<NemesisSpec>,
    /// Nodes.
    pub node_count: u16,
    /// `--time-limit`.
    pub time_limit: Duration,
    /// `--rate`.
    pub rate: f64,
    /// `--latency` (ms).
    pub latency_ms: u64,
}

impl Run {
    /// The simulator configuration of this run.
    pub fn sim_config(&self) -> Result<SimConfig, String> {
        let node = NodeConfig::load(&self.preset).map_err(|e| e.to_string())?;
        Ok(SimConfig {
            workload: self.workload,
            node_count: self.node_count,
            time_limit: self.time_limit,
            rate: self.rate,
            latency_ms: self.latency_ms,
            partition: self.nemesis.is_some_and(|n| n.partition),
            kill: self.nemesis.is_some_and(|n| n.kill),
            nemesis_interval: self.nemesis.map_or(Duration::from_secs(10), |n| n.interval),
            workload_options: workload_options(self.workload),
            seed: self.seed,
            nodes: NodeKind::InProcess(node),
            faults: self.faults.clone(),
            ..SimConfig::default()
        })
    }

    /// The `glomers-sim test` command that replays this run exactly.
    pub fn command(&self) -> String {
        let mut c = format!(
            "glomers-sim test -w {} --node-count {} --time-limit {} --rate {} --latency {} \
             --topology-file {} --seed {}",
            self.workload,
            self.node_count,
            self.time_limit.as_secs_f64(),
            self.rate,
            self.latency_ms,
            self.preset,
            self.seed
        );
        for (flag, value) in workload_options(self.workload) {
            c += &format!(" --{flag} {value}");
        }
        if !self.faults.is_none() {
            c += &format!(" --faults {}", self.faults);
        }
        if let Some(n) = self.nemesis {
            let names = [(n.partition, "partition"), (n.kill, "kill")];
            let on: Vec<&str> = names
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, s)| *s)
                .collect();
            c += &format!(
                " --nemesis {} --nemesis-interval {}",
                on.join(","),
                n.interval.as_secs_f64()
            );
        }
        c
    }
}

/// Every run of a campaign, in a fixed order: workload, preset, fault kind, seed.
pub fn plan(cfg: &CampaignConfig) -> Vec<Run> {
    let mut runs = Vec::new();
    for &workload in &cfg.workloads {
        let presets = if workload == Workload::BROADCAST {
            &cfg.presets[..]
        } else {
            &cfg.presets[..cfg.presets.len().min(1)]
        };
        for preset in presets {
            for &kind in &cfg.kinds {
                for seed in cfg.first_seed..cfg.first_seed + cfg.seeds {
                    let (faults, nemesis) = kind.faults(seed);
                    runs.push(Run {
                        workload,
                        preset: preset.clone(),
                        kind,
                        seed,
                        faults,
                        nemesis,
                        node_count: cfg.node_count,
                        time_limit: cfg.time_limit,
                        rate: cfg.rate,
                        latency_ms: cfg.latency_ms,
                    });
                }
            }
        }
    }
    runs
}

/// What one run did and what went wrong in it.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The run.
    pub run: Run,
    /// Everything [`check`] found; empty when the run passed.
    pub violations: Vec<String>,
    /// Broadcast values acknowledged to clients, unique ids handed out, or (counters,
    /// transactions) operations acknowledged.
    pub acknowledged: usize,
    /// Node↔node messages sent.
    pub server_messages: u64,
    /// Messages lost to the loss fault.
    pub lost_messages: u64,
    /// Messages dropped by partitions (the nemesis's and one-way ones).
    pub partition_drops: u64,
    /// What the other faults did.
    pub fault_counts: FaultCounts,
}

/// Runs and checks one run.
pub fn execute(run: &Run) -> Outcome {
    let mut outcome = Outcome {
        run: run.clone(),
        violations: Vec::new(),
        acknowledged: 0,
        server_messages: 0,
        lost_messages: 0,
        partition_drops: 0,
        fault_counts: FaultCounts::default(),
    };
    let report = run
        .sim_config()
        .and_then(|cfg| crate::run(&cfg).map_err(|e| e.to_string()));
    match report {
        Err(e) => outcome
            .violations
            .push(format!("the run did not complete: {e}")),
        Ok(report) => {
            outcome.violations = check(&report);
            outcome.acknowledged = check::acknowledged_count(&report);
            outcome.server_messages = report.net.servers.send_count;
            outcome.lost_messages = report.fault_losses;
            outcome.partition_drops = report.partition_drops;
            outcome.fault_counts = report.fault_counts;
        }
    }
    outcome
}

/// Runs every run on `jobs` threads; `progress` sees each outcome as it completes. Returns
/// the outcomes in plan order.
pub fn execute_all(runs: &[Run], jobs: usize, mut progress: impl FnMut(&Outcome)) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Outcome>> = vec![None; runs.len()];
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..jobs.max(1) {
            let (tx, next) = (tx.clone(), &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(run) = runs.get(i) else { break };
                    if tx.send((i, execute(run))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, outcome) in rx {
            progress(&outcome);
            results[i] = Some(outcome);
        }
    });
    results.into_iter().flatten().collect()
}
