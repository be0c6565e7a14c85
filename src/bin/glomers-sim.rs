//! `glomers-sim`: a local, deterministic Maelstrom for echo, unique-ids and broadcast.
//!
//! `glomers-sim test -w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100`
//! runs the 3d/3e test with in-process nodes on a virtual clock, prints a Maelstrom-style
//! summary and exits 0 (valid), 1 (invalid) or 2 (unknown); 255 if the test aborted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[path = "glomers-sim/campaign.rs"]
mod campaign;

use clap::{Parser, Subcommand};
use glomers::config::NodeConfig;
use glomers::sim::{
    self, Availability, Faults, LatencyDist, NodeKind, SimConfig, Topology, Workload, output,
};

/// A local Maelstrom: runs Maelstrom's tests against in-process glomers nodes.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs one test, like `maelstrom test`.
    Test(TestArgs),
    /// Runs every topology preset under every kind of fault for many seeds, checking that no
    /// acknowledged value is lost, no read lists a value twice and no id is handed out twice.
    /// A failing run prints the `test` command that replays it.
    Campaign(campaign::CampaignArgs),
}

#[derive(Parser, Debug)]
struct TestArgs {
    /// Workload: echo, unique-ids or broadcast.
    #[arg(short = 'w', long)]
    workload: Workload,
    /// Number of nodes (n0 … n(N−1)).
    #[arg(long, default_value_t = 5)]
    node_count: u16,
    /// Seconds during which operations are started, from the first one.
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Operations per second, over all clients.
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// Node↔node latency in ms.
    #[arg(long, default_value_t = 0)]
    latency: u64,
    /// Latency distribution: constant, uniform or exponential.
    #[arg(long, default_value = "constant")]
    latency_dist: LatencyDist,
    /// Fault injection: only `partition` exists.
    #[arg(long)]
    nemesis: Option<String>,
    /// Mean seconds between nemesis operations.
    #[arg(long, default_value_t = 10.0)]
    nemesis_interval: f64,
    /// Broadcast topology message: grid, line, total, tree, tree2, tree3, tree4.
    #[arg(long, default_value = "grid")]
    topology: Topology,
    /// Client threads: a number, or `Kn` for K per node. Default 1n.
    #[arg(long)]
    concurrency: Option<String>,
    /// `total` (every operation must succeed) or a minimum fraction of successes.
    #[arg(long)]
    availability: Option<Availability>,
    /// Seed of every random choice (default: $GLOMERS_SEED, else a random one).
    #[arg(long)]
    seed: Option<u64>,
    /// Delay added to each operation's dispatch, in ms (Jepsen's scheduling overhead).
    #[arg(long, default_value_t = 0.15)]
    op_lag_ms: f64,
    /// Node configuration for the in-process nodes: a topology file or a preset (3d, 3e).
    #[arg(long, default_value = "3e", value_name = "PATH|PRESET")]
    topology_file: String,
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write every journaled message (µs, send|recv, id, from, to, line) to this file.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Faults beyond Maelstrom's, until the main phase ends (node↔node messages only):
    /// comma-separated `loss=P`, `dup=P`, `reorder=P[:MS]` (held up to MS ms in transit,
    /// default 500), `spike=P[:MS]` (default 1000), `oneway[=S]` (one-way partitions every
    /// ~S s, default 5), `pause[=S[:E]]` (a node paused S s every ~E s, default 3:10), or
    /// `none`. Example: --faults loss=0.2,dup=0.05,oneway
    #[arg(long, default_value = "none", value_name = "SPEC")]
    faults: Faults,
}

fn concurrency(spec: Option<&str>, nodes: u16) -> Result<Option<usize>, String> {
    let Some(spec) = spec else { return Ok(None) };
    let bad = || format!("concurrency must be a number or `Kn`, not {spec:?}");
    match spec.strip_suffix('n') {
        Some(k) => Ok(Some(
            k.parse::<usize>().map_err(|_| bad())? * usize::from(nodes),
        )),
        None => spec.parse().map(Some).map_err(|_| bad()),
    }
}

fn seed(flag: Option<u64>) -> Result<u64, String> {
    if let Some(s) = flag {
        return Ok(s);
    }
    match std::env::var("GLOMERS_SEED") {
        Ok(s) if !s.trim().is_empty() => s
            .trim()
            .parse()
            .map_err(|_| format!("GLOMERS_SEED must be an integer, not {s:?}")),
        _ => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            Ok(now.as_nanos() as u64 % 1_000_000_000)
        }
    }
}

fn config(args: &TestArgs) -> Result<SimConfig, String> {
    let partition = match args.nemesis.as_deref() {
        None | Some("") => false,
        Some("partition") => true,
        Some(other) => return Err(format!("unknown nemesis {other:?}: only `partition`")),
    };
    let secs = |s: f64, what: &str| {
        Duration::try_from_secs_f64(s)
            .map_err(|_| format!("{what} must be a number of seconds ≥ 0"))
    };
    let node_config = NodeConfig::load(&args.topology_file).map_err(|e| e.to_string())?;
    Ok(SimConfig {
        workload: args.workload,
        node_count: args.node_count,
        time_limit: secs(args.time_limit, "--time-limit")?,
        rate: args.rate,
        latency_ms: args.latency,
        latency_dist: args.latency_dist,
        partition,
        nemesis_interval: secs(args.nemesis_interval, "--nemesis-interval")?,
        topology: args.topology,
        concurrency: concurrency(args.concurrency.as_deref(), args.node_count)?,
        availability: args.availability,
        seed: seed(args.seed)?,
        op_lag: secs(args.op_lag_ms / 1000.0, "--op-lag-ms")?,
        nodes: NodeKind::InProcess(node_config),
        trace: args.trace.is_some(),
        faults: args.faults.clone(),
        ..SimConfig::default()
    })
}

fn test(args: &TestArgs) -> Result<ExitCode, String> {
    let cfg = config(args)?;
    let started = Instant::now();
    let report = sim::run(&cfg).map_err(|e| format!("{e} (seed {})", cfg.seed))?;
    let wall = started.elapsed();
    if let Some(path) = &args.json {
        let mut doc = output::to_json(&report);
        doc["wall_ms"] = serde_json::json!(wall.as_secs_f64() * 1000.0);
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let (Some(path), Some(trace)) = (&args.trace, &report.trace) {
        std::fs::write(path, trace).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print!("{}", output::summary(&report));
    println!("(wall time {:.0} ms)", wall.as_secs_f64() * 1000.0);
    Ok(ExitCode::from(report.valid.exit_code()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Test(args) => test(args).unwrap_or_else(|e| {
            eprintln!("glomers-sim: {e}");
            ExitCode::from(255)
        }),
        Command::Campaign(args) => campaign::run(args).unwrap_or_else(|e| {
            eprintln!("glomers-sim: {e}");
            ExitCode::from(255)
        }),
    }
}
