//! What a simulated test runs: the workload, the cluster, the network and the nemesis,
//! with Maelstrom's defaults. [`SimConfig::default`] is `maelstrom test` with no flags but
//! `-w broadcast`: 5 nodes, rate 5, 60 s, latency 0, grid topology, no nemesis.

use std::str::FromStr;
use std::time::Duration;

pub use crate::checkers::Availability;
use crate::drive::node::{InProcessNode, NodeFactory};
pub use crate::workloads::{Workload, WorkloadOptions};
use crate::world::partition::Partition;
use glomers::config::NodeConfig;

/// How node↔node latencies are drawn (`--latency-dist`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LatencyDist {
    /// Exactly `--latency` ms.
    #[default]
    Constant,
    /// An integer uniform in [0, 2·latency) ms.
    Uniform,
    /// Exponential with mean `--latency`, truncated to whole ms.
    Exponential,
}

impl FromStr for LatencyDist {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "constant" => Ok(LatencyDist::Constant),
            "uniform" => Ok(LatencyDist::Uniform),
            "exponential" => Ok(LatencyDist::Exponential),
            other => Err(format!(
                "unknown latency distribution {other:?} (constant, uniform, exponential)"
            )),
        }
    }
}

/// The shape of the `topology` message Maelstrom sends in the broadcast workload
/// (`--topology`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Topology {
    /// A ⌈√n⌉-wide grid (Maelstrom's default).
    #[default]
    Grid,
    /// A chain in node order.
    Line,
    /// Everyone lists everyone else.
    Total,
    /// A tree filled in node order with this many children per node (`tree` = `tree2`).
    Tree(u16),
}

impl FromStr for Topology {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "grid" => Ok(Topology::Grid),
            "line" => Ok(Topology::Line),
            "total" => Ok(Topology::Total),
            "tree" | "tree2" => Ok(Topology::Tree(2)),
            "tree3" => Ok(Topology::Tree(3)),
            "tree4" => Ok(Topology::Tree(4)),
            other => Err(format!(
                "unknown topology {other:?} (grid, line, total, tree, tree2, tree3, tree4)"
            )),
        }
    }
}

/// Faults beyond Maelstrom's: none by default, and none of them reachable from Maelstrom's
/// own command line. Message faults apply to node↔node messages only; all faults draw from
/// streams of their own, so with every fault off a seed replays Maelstrom's network exactly.
/// Every fault lasts until the end of the main phase: like partitions, they are healed before
/// the broadcast workload's recovery period. `glomers-sim test --faults SPEC` sets them; the
/// spec's syntax is in [`crate::world::faults`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability that a message is lost after being sent (it still counts as sent).
    pub loss: f64,
    /// Probability that a message is delivered twice (the copy has its own latency draw).
    pub duplicate: f64,
    /// Probability that a message gets [`Faults::spike`] added to its latency. The receiver's
    /// delivery worker sleeps on it like on any message, so a spike also holds up what queues
    /// behind it (a slow link to that node).
    pub spike_probability: f64,
    /// Extra latency of a spike.
    pub spike: Duration,
    /// Probability that a message is held in transit for an extra delay, uniform in
    /// [0, [`Faults::reorder_max`]), before it reaches the receiver's queue: messages sent
    /// after it on the same link can overtake it.
    pub reorder: f64,
    /// The longest transit delay of a reordered message.
    pub reorder_max: Duration,
    /// One-way partitions: `Some(interval)` starts and heals them alternately, each after a
    /// gap uniform in [0, 2·interval). Each cuts a random group of nodes off in one direction
    /// only: the rest stop hearing from them, while they still hear the rest.
    pub oneway: Option<Duration>,
    /// Pauses, like SIGSTOP then SIGCONT: a random node stops reading, printing and running its
    /// timers, then resumes with everything delivered meanwhile.
    pub pause: Option<Pause>,
}

/// How nodes are paused (see [`Faults::pause`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pause {
    /// How long each pause lasts.
    pub length: Duration,
    /// Mean gap between the start of one pause and the next (uniform in [0, 2·every)).
    pub every: Duration,
}

impl Faults {
    /// Whether no fault is enabled (Maelstrom's network).
    pub fn is_none(&self) -> bool {
        self.loss <= 0.0
            && self.duplicate <= 0.0
            && (self.spike_probability <= 0.0 || self.spike.is_zero())
            && (self.reorder <= 0.0 || self.reorder_max.is_zero())
            && self.oneway.is_none()
            && self.pause.is_none()
    }
}

/// Which nodes the cluster runs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "one per run; boxing the node configuration would change every caller"
)]
pub enum NodeKind {
    /// `glomers::Node`s stepped in process on the virtual clock, all with this configuration.
    InProcess(NodeConfig),
    /// Nodes of the caller's own, stepped in process on the virtual clock: see
    /// [`NodeKind::custom`].
    Custom(NodeFactory),
    /// Any Maelstrom node binary, spawned once per node and driven over pipes in real time
    /// (`--bin PATH -- ARGS`).
    Process {
        /// The executable, run directly (no shell) from the system temp directory.
        bin: std::path::PathBuf,
        /// Its arguments (what follows `--` on the command line).
        args: Vec<String>,
    },
}

/// A process node's command line for display: the binary and its arguments, space-separated.
pub fn command_line(bin: &std::path::Path, args: &[String]) -> String {
    let mut s = bin.display().to_string();
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

impl NodeKind {
    /// In-process nodes of the caller's own: `make(index)` builds node `n<index>`, any type
    /// implementing [`InProcessNode`] (fed a line or a timeout, it prints lines and names its
    /// next deadline). `description` names them in the summary. Handy to prove a checker
    /// rejects a broken node, on the virtual clock:
    ///
    /// ```
    /// use glomers::Time;
    /// use glomers_sim::drive::node::InProcessNode;
    /// use glomers_sim::{NodeKind, SimConfig, Validity, Workload};
    ///
    /// /// Answers `init`, then echoes every payload in upper case.
    /// struct Shouting;
    ///
    /// impl InProcessNode for Shouting {
    ///     fn step(&mut self, _now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
    ///         let Some(line) = line else { return None };
    ///         let msg: serde_json::Value = serde_json::from_slice(line).unwrap();
    ///         let body = &msg["body"];
    ///         let mut reply = match body["type"].as_str() {
    ///             Some("init") => serde_json::json!({"type": "init_ok"}),
    ///             _ => serde_json::json!({"type": "echo_ok", "echo": body["echo"].as_str().unwrap().to_uppercase()}),
    ///         };
    ///         reply["in_reply_to"] = body["msg_id"].clone();
    ///         let reply = serde_json::json!({"src": msg["dest"], "dest": msg["src"], "body": reply});
    ///         out.extend_from_slice(format!("{reply}\n").as_bytes());
    ///         None
    ///     }
    /// }
    ///
    /// let cfg = SimConfig {
    ///     workload: Workload::ECHO,
    ///     nodes: NodeKind::custom("shouting echo", |_| Box::new(Shouting)),
    ///     time_limit: std::time::Duration::from_secs(2),
    ///     ..SimConfig::default()
    /// };
    /// let report = glomers_sim::run(&cfg).expect("the test runs");
    /// assert_eq!(report.valid, Validity::False, "the echo checker rejects it");
    /// ```
    pub fn custom(
        description: impl Into<String>,
        make: impl Fn(u16) -> Box<dyn InProcessNode> + Send + Sync + 'static,
    ) -> NodeKind {
        NodeKind::Custom(NodeFactory::new(description, make))
    }
}

impl Default for NodeKind {
    fn default() -> Self {
        NodeKind::InProcess(NodeConfig::default())
    }
}

/// Everything one simulated test needs. Field defaults are Maelstrom's.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// `-w`: the workload. Default broadcast.
    pub workload: Workload,
    /// `--node-count`: nodes `n0 … n(N−1)`. Default 5 (Maelstrom without the flag uses
    /// Jepsen's `n1 … n5`; the simulator always numbers from `n0`).
    pub node_count: u16,
    /// `--time-limit`: how long operations are started, counted from the first one.
    /// Default 60 s.
    pub time_limit: Duration,
    /// `--rate`: operations per second over all clients. Default 5.
    pub rate: f64,
    /// `--latency`: node↔node latency in ms. Default 0.
    pub latency_ms: u64,
    /// `--latency-dist`. Default constant.
    pub latency_dist: LatencyDist,
    /// `--nemesis partition`. Default off.
    pub partition: bool,
    /// `--nemesis kill`: nodes are killed and restarted (`init` sent again), as Jepsen's
    /// `db-package` schedules them (see `world/nemesis.rs`). Default off.
    pub kill: bool,
    /// `--nemesis pause`: nodes are paused (SIGSTOP) and resumed (SIGCONT). Default off.
    pub pause: bool,
    /// A kill is a machine crash, not a process kill: what an in-process node appended to its
    /// [`Disk`](crate::world::disk::Disk) but never synced is lost with it. Not Maelstrom's
    /// (`--kill-drops-unsynced`). Default off.
    pub kill_drops_unsynced: bool,
    /// `--nemesis-interval`: mean time between the nemesis's operations (each of its
    /// packages, partition and kill/pause, draws its own gaps). Default 10 s.
    pub nemesis_interval: Duration,
    /// `--topology` (broadcast). Default grid.
    pub topology: Topology,
    /// `--concurrency`: client threads; `None` = one per node (Maelstrom's `1n`).
    pub concurrency: Option<usize>,
    /// `--availability`. Default none (always valid).
    pub availability: Option<Availability>,
    /// The seed of every random choice of the run.
    pub seed: u64,
    /// Delay added to every operation's dispatch, modelling Jepsen's scheduling overhead
    /// (the reason Maelstrom issues about 2% fewer operations than `rate` asks for).
    /// Default 150 µs.
    pub op_lag: Duration,
    /// How long a client waits for a reply. Maelstrom: 5 s.
    pub client_timeout: Duration,
    /// The quiet period before the final reads (broadcast and the counters). Maelstrom: 10 s.
    pub recovery: Duration,
    /// The nodes.
    pub nodes: NodeKind,
    /// Extra network faults. Default none.
    pub faults: Faults,
    /// Keep a trace of every journaled message in the report.
    pub trace: bool,
    /// Partitions at fixed times, for tests that need a particular one: each is applied at
    /// its offset from the start of the main phase, during the main phase only (a healed
    /// partition heals). Like the nemesis's, they are recorded in the history and healed
    /// before the final phase. Default none.
    pub partition_script: Vec<(Duration, Partition)>,
    /// The workload's own flags (`--key-count 3` → `key-count` = `3`): see
    /// [`crate::workloads::WorkloadOption`]. Default none.
    pub workload_options: WorkloadOptions,
    /// The nodes' ids as the nodes see them (Jepsen's `--nodes n1,n2,n3`), one per node;
    /// empty (the default): `n0 … n(N−1)`. Reports and traces still say `n<index>`.
    pub node_names: Vec<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            workload: Workload::BROADCAST,
            node_count: 5,
            time_limit: Duration::from_secs(60),
            rate: 5.0,
            latency_ms: 0,
            latency_dist: LatencyDist::Constant,
            partition: false,
            kill: false,
            pause: false,
            kill_drops_unsynced: false,
            nemesis_interval: Duration::from_secs(10),
            topology: Topology::Grid,
            concurrency: None,
            availability: None,
            seed: 0,
            op_lag: Duration::from_micros(150),
            client_timeout: Duration::from_secs(5),
            recovery: Duration::from_secs(10),
            nodes: NodeKind::default(),
            faults: Faults::default(),
            trace: false,
            workload_options: WorkloadOptions::new(),
            partition_script: Vec::new(),
            node_names: Vec::new(),
        }
    }
}

impl SimConfig {
    /// The number of client threads.
    pub fn threads(&self) -> usize {
        self.concurrency.unwrap_or(usize::from(self.node_count))
    }

    /// The `--nemesis` flag's value for these settings, in Maelstrom's spelling
    /// (`partition,kill`), or `None` without a nemesis.
    pub fn nemesis_flag(&self) -> Option<String> {
        let names = [
            (self.partition, "partition"),
            (self.kill, "kill"),
            (self.pause, "pause"),
        ];
        let on: Vec<&str> = names
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        (!on.is_empty()).then(|| on.join(","))
    }

    /// Sets the nemesis from a `--nemesis` value: a comma-separated list of `partition`,
    /// `kill` and `pause` (Maelstrom's syntax: `maelstrom/src/maelstrom/core.clj` splits on
    /// commas with optional spaces), or `none`.
    pub fn set_nemesis(&mut self, spec: &str) -> Result<(), String> {
        let (mut partition, mut kill, mut pause) = (false, false, false);
        for item in spec.split(',').map(str::trim) {
            match item {
                "partition" => partition = true,
                "kill" => kill = true,
                "pause" => pause = true,
                "none" | "" => {}
                other => {
                    return Err(format!(
                        "unknown nemesis {other:?}: partition, kill, pause, or several \
                         separated by commas"
                    ));
                }
            }
        }
        (self.partition, self.kill, self.pause) = (partition, kill, pause);
        Ok(())
    }

    /// Checks what Maelstrom would reject or loop on.
    pub fn validate(&self) -> Result<(), String> {
        if self.node_count == 0 {
            return Err("node count must be at least 1".into());
        }
        if !(self.rate.is_finite() && self.rate >= 0.0) {
            return Err("rate must be a non-negative number".into());
        }
        if self.latency_ms == 0 && self.latency_dist != LatencyDist::Constant {
            return Err("uniform and exponential latencies need --latency > 0".into());
        }
        if self.threads() == 0 {
            return Err("concurrency must be at least 1".into());
        }
        if (self.partition || self.kill || self.pause) && self.nemesis_interval.is_zero() {
            return Err("nemesis interval must be positive".into());
        }
        if self
            .partition_script
            .iter()
            .any(|(_, p)| p.node_count() != self.node_count)
        {
            return Err("a scripted partition must cover every node".into());
        }
        if !self.node_names.is_empty() {
            if self.node_names.len() != usize::from(self.node_count) {
                return Err("--nodes must name every node (or give --node-count alone)".into());
            }
            let mut seen = std::collections::BTreeSet::new();
            for name in &self.node_names {
                // Maelstrom treats any id starting with `c` as a client.
                if name.is_empty()
                    || name.starts_with('c')
                    || crate::world::services::Service::from_name(name).is_some()
                    || !seen.insert(name)
                {
                    return Err(format!(
                        "node id {name:?}: node ids must be distinct, non-empty, not start \
                         with `c` (a client) and not name a service"
                    ));
                }
            }
        }
        let f = &self.faults;
        let p = [f.loss, f.duplicate, f.spike_probability, f.reorder];
        if p.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return Err("fault probabilities must lie in [0, 1]".into());
        }
        if f.oneway.is_some_and(|d| d.is_zero()) || f.pause.is_some_and(|p| p.every.is_zero()) {
            return Err("one-way partition and pause intervals must be positive".into());
        }
        Ok(())
    }
}
