//! `glomers-sim`: a local, deterministic Maelstrom for the workloads of its registry
//! (`glomers_sim::workloads::REGISTRY`; `glomers-sim test --help` lists them).
//!
//! `glomers-sim test -w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100`
//! runs the 3d/3e test with in-process nodes on a virtual clock; add `--bin PATH [-- ARGS]` to
//! run any node binary as Maelstrom does, in real time. It prints a Maelstrom-style summary,
//! writes a results folder (results.json, summary.txt, plots, node logs) and exits 0 (valid),
//! 1 (invalid) or 2 (unknown); 254 for flags it cannot use, 255 if the test aborted.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod campaign;
mod serve;
mod sweep;
mod workload_flags;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use glomers::config::NodeConfig;
use glomers_sim::drive::process::{self, ProcessOptions, Progress};
use glomers_sim::present::results;
use glomers_sim::report::output;
use glomers_sim::{
    self as sim, Availability, Faults, LatencyDist, NodeKind, Report, SimConfig, Topology, Workload,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A local Maelstrom: runs Maelstrom's workloads (`test --help` lists them) against in-process
/// glomers nodes on a virtual clock (deterministic, seconds of work for minutes of test time),
/// or against any node binary spawned over pipes in real time (`--bin`).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs one test, like `maelstrom test`.
    #[command(after_help = "\
Examples:
  glomers-sim test -w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100
  glomers-sim test -w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100 \\
      --bin target/release/glomers -- --topology-file 3d
  glomers-sim test -w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition \\
      --bin examples/python/g_counter.py

Exit status: 0 valid, 1 invalid, 2 unknown, 254 unusable flags (as Jepsen), 255 aborted.")]
    Test(Box<TestArgs>),
    /// Compares topology files: runs each on the same broadcast test (default: the 3d/3e
    /// settings), with and without partitions, over several seeds, and prints a Markdown table.
    Sweep(sweep::SweepArgs),
    /// Runs every topology preset under every kind of fault for many seeds, checking that no
    /// acknowledged value is lost, no read lists a value twice and no id is handed out twice.
    /// A failing run prints the `test` command that replays it.
    Campaign(campaign::CampaignArgs),
    /// Browses a results store in a local web page, like `maelstrom serve`: every run
    /// (newest first, coloured by verdict), each run's figures, diagram, plots and logs, and
    /// runs compared side by side.
    #[command(after_help = "\
Examples:
  glomers-sim serve                      # http://127.0.0.1:8080/ over ./store
  glomers-sim serve --store runs --port 0")]
    Serve(serve::ServeArgs),
}

#[derive(Parser, Debug)]
struct TestArgs {
    /// Workload (the registered ones are listed by `glomers-sim help test`).
    #[arg(short = 'w', long)]
    workload: Workload,
    /// Node binary to spawn once per node (process mode, in real time), exactly as Maelstrom
    /// does: made absolute, executed directly (no shell) from the system temp directory with
    /// the environment inherited; arguments after `--` are passed to it. Without it, glomers
    /// nodes run in process on a virtual clock.
    #[arg(long, value_name = "PATH")]
    bin: Option<PathBuf>,
    /// Arguments for the node binary (process mode), after `--`.
    #[arg(last = true, value_name = "ARGS")]
    node_args: Vec<String>,
    /// Number of nodes, named n0 … n(N−1). Overrides --nodes, as in Maelstrom.
    #[arg(long, default_value_t = 5, value_name = "N")]
    node_count: u16,
    /// Comma-separated node ids (Jepsen's `--nodes n1,n2,n3`): the nodes are told these
    /// ids in `init` and address each other by them. Ignored when --node-count is given.
    #[arg(long, value_name = "ID,ID,…")]
    nodes: Option<String>,
    /// Seconds during which operations are started, counted from the first one. Broadcast
    /// and the counters then wait 10 s more before their final reads.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    time_limit: f64,
    /// Operations per second, over all clients (gaps uniform in [0, 2/rate)). 0: none.
    #[arg(long, default_value_t = 5.0, value_name = "OPS_PER_S")]
    rate: f64,
    /// Node↔node and node↔service latency in ms (messages to or from clients have none).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency: u64,
    /// Latency distribution: constant (exactly --latency), uniform (integer in
    /// [0, 2·latency)) or exponential (mean --latency).
    #[arg(long, default_value = "constant", value_name = "DIST")]
    latency_dist: LatencyDist,
    /// Copy each node's stderr to the console as it prints it (process mode), as Maelstrom's
    /// `--log-stderr` does. It also goes to `node-logs/<node>.log` in the results folder.
    #[arg(long)]
    log_stderr: bool,
    /// Print every message on the console as it is sent (Maelstrom's `--log-net-send`):
    /// `<ms> :send <message>`, after the run.
    #[arg(long)]
    log_net_send: bool,
    /// Print every message on the console as it is delivered (Maelstrom's `--log-net-recv`).
    #[arg(long)]
    log_net_recv: bool,
    /// Jepsen's `--test-count`: run the test N times in a row (seeds S, S+1, …), each with
    /// its own results folder; stop at the first run that is not valid and exit with its
    /// status, as Jepsen does.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    test_count: u32,
    /// Fault injection: only `partition` exists (random node↔node partitions, healed before
    /// the final reads of broadcast and the counters).
    #[arg(long, value_name = "FAULT")]
    nemesis: Option<String>,
    /// Mean seconds between nemesis operations (gaps uniform in [0, 2·interval)).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    nemesis_interval: f64,
    /// Broadcast topology message: grid, line, total, tree, tree2, tree3, tree4.
    #[arg(long, default_value = "grid", value_name = "SHAPE")]
    topology: Topology,
    /// Client threads: a number, or `Kn` for K per node; thread t talks to node t mod N.
    /// Default 1n.
    #[arg(long, value_name = "N|Kn")]
    concurrency: Option<String>,
    /// `total` (every operation must succeed) or a minimum fraction of successful operations.
    #[arg(long, value_name = "total|FRACTION")]
    availability: Option<Availability>,
    /// Seed of every random choice: schedule, values, latencies, partitions (default:
    /// $GLOMERS_SEED, else a random one; always printed).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Delay added to each operation's dispatch, in ms, modelling Jepsen's scheduling
    /// overhead (Maelstrom issues about 2% fewer operations than --rate asks). Applies in
    /// both modes: in process mode the schedule keeps its own time, so the driver's lag adds
    /// nothing.
    #[arg(long, default_value_t = 0.15, value_name = "MS")]
    op_lag_ms: f64,
    /// In-process nodes only: a topology file or a preset (3d, 3e, …). Default 3e. In process
    /// mode pass node flags after `--` instead.
    #[arg(long, value_name = "PATH|PRESET")]
    topology_file: Option<String>,
    /// Also write the results as JSON to this file (the same document as results.json).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write every journaled message (µs, send|recv, id, from, to, line) to this file.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Results folder of this run (default: `store/<workload>/<YYYYMMDD-HHMMSS>-seed<N>/`).
    /// It receives results.json, summary.txt, the plots (SVG) and, in process mode,
    /// `node-logs/<node>.log` with each node's stderr.
    #[arg(long, value_name = "DIR", conflicts_with = "no_results")]
    results_dir: Option<PathBuf>,
    /// Write no results folder (process mode then keeps node stderr only for crash reports).
    #[arg(long)]
    no_results: bool,
    /// Hide the progress bar of real-time runs (it is also hidden when stderr is not a
    /// terminal).
    #[arg(long)]
    no_progress: bool,
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
    let nodes = match &args.bin {
        Some(bin) => {
            if args.topology_file.is_some() {
                return Err(
                    "--topology-file configures in-process nodes; with --bin, pass \
                            node flags after `--` (e.g. `-- --topology-file 3e`)"
                        .into(),
                );
            }
            // Maelstrom makes the path absolute against its working directory: the node then
            // runs from the temp directory.
            let bin = std::path::absolute(bin).map_err(|e| format!("--bin: {e}"))?;
            if !bin.is_file() {
                return Err(format!("--bin {}: no such file", bin.display()));
            }
            NodeKind::Process {
                bin,
                args: args.node_args.clone(),
            }
        }
        None => {
            if !args.node_args.is_empty() {
                return Err("arguments after `--` are for a node binary: add --bin".into());
            }
            let spec = args.topology_file.as_deref().unwrap_or("3e");
            NodeKind::InProcess(NodeConfig::load(spec).map_err(|e| e.to_string())?)
        }
    };
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
        nodes,
        // The results folder's messages.svg is drawn from the trace.
        trace: args.trace.is_some() || !args.no_results || args.log_net_send || args.log_net_recv,
        faults: args.faults.clone(),
        ..SimConfig::default()
    })
}

/// The results folder, created before the run (process mode writes node logs into it).
fn results_dir(args: &TestArgs, cfg: &SimConfig, i: u32) -> Result<Option<PathBuf>, String> {
    if args.no_results {
        return Ok(None);
    }
    // One folder per test of a --test-count series.
    let given = args.results_dir.as_ref().map(|dir| match args.test_count {
        1 => dir.clone(),
        _ => dir.join(format!("test-{}", i + 1)),
    });
    let dir = match &given {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            dir.clone()
        }
        None => {
            let store = Path::new("store");
            let dir = results::default_dir(store, cfg.workload, cfg.seed, chrono::Local::now());
            let dir = results::create_fresh(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            results::link_latest(store, &dir);
            dir
        }
    };
    Ok(Some(dir))
}

/// A progress bar on stderr for real-time runs, unless hidden.
fn progress_bar(args: &TestArgs) -> Option<ProgressBar> {
    if args.no_progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix:>9.bold} [{bar:36}] {msg}")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

fn show_progress(bar: &ProgressBar, p: &Progress) {
    let elapsed = p.elapsed.as_secs_f64();
    bar.set_prefix(p.phase);
    match p.expected {
        Some(total) => {
            bar.set_length(total.as_millis() as u64);
            bar.set_position((p.elapsed.as_millis() as u64).min(total.as_millis() as u64));
            bar.set_message(format!(
                "{elapsed:.1} s / {:.1} s · {} ops",
                total.as_secs_f64(),
                p.ops
            ));
        }
        None => bar.set_message(format!("{elapsed:.1} s · setting up")),
    }
}

fn run(args: &TestArgs, cfg: &SimConfig, dir: Option<&Path>) -> Result<Report, String> {
    let sim_error = |e: sim::SimError| format!("seed {}: {e}", cfg.seed);
    let NodeKind::Process {
        bin,
        args: node_args,
    } = &cfg.nodes
    else {
        return sim::run(cfg).map_err(sim_error);
    };
    let log_dir = match dir {
        Some(dir) => Some(results::create_node_logs(dir).map_err(|e| e.to_string())?),
        None => None,
    };
    let bar = progress_bar(args);
    let mut show = |p: &Progress| {
        if let Some(bar) = &bar {
            show_progress(bar, p);
        }
    };
    let options = ProcessOptions {
        log_dir,
        on_progress: Some(&mut show),
        log_stderr: args.log_stderr,
    };
    let result = process::run(cfg, bin, node_args, options);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.map_err(sim_error)
}

/// Runs the test `--test-count` times (seeds S, S+1, …), stopping at the first run that is
/// not valid, as Jepsen's `test` command does; the exit status is that run's (or 0).
fn test(args: &TestArgs, matches: Option<&clap::ArgMatches>) -> Result<ExitCode, String> {
    let mut cfg = config(args)?;
    if let Some(matches) = matches {
        cfg.workload_options = workload_flags::given(matches, cfg.workload)?;
        let count_given =
            matches.value_source("node_count") == Some(clap::parser::ValueSource::CommandLine);
        if let (Some(list), false) = (&args.nodes, count_given) {
            // Jepsen splits the list on commas and the spaces after them.
            let names: Vec<String> = list.split(',').map(|n| n.trim().to_owned()).collect();
            cfg.node_count = u16::try_from(names.len()).map_err(|_| "too many nodes")?;
            cfg.node_names = names;
            cfg.concurrency = concurrency(args.concurrency.as_deref(), cfg.node_count)?;
        }
    }
    let first_seed = cfg.seed;
    for i in 0..args.test_count {
        cfg.seed = first_seed + u64::from(i);
        if args.test_count > 1 {
            println!(
                "=== test {} of {} (seed {}) ===",
                i + 1,
                args.test_count,
                cfg.seed
            );
        }
        let valid = test_once(args, &cfg, i)?;
        if valid != sim::Validity::True {
            return Ok(ExitCode::from(valid.exit_code()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the messages of a run's trace that `--log-net-send`/`--log-net-recv` ask for.
fn log_net(args: &TestArgs, trace: &[u8]) {
    for line in trace.split(|&b| b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let mut parts = text.splitn(6, ' ');
        let (Some(us), Some(what)) = (parts.next(), parts.next()) else {
            continue;
        };
        let wanted = match what {
            "send" => args.log_net_send,
            "recv" => args.log_net_recv,
            _ => false,
        };
        let message = parts.nth(3).unwrap_or("");
        if wanted {
            let ms = us.parse::<u64>().unwrap_or(0) as f64 / 1000.0;
            println!("{ms:.3} :{what} {message}");
        }
    }
}

fn test_once(args: &TestArgs, cfg: &SimConfig, i: u32) -> Result<sim::Validity, String> {
    let dir = results_dir(args, cfg, i)?;
    let started = Instant::now();
    let report = match run(args, cfg, dir.as_deref()) {
        Ok(report) => report,
        Err(e) => {
            if let Some(dir) = &dir {
                let _ = results::write_failure(dir, &format!("glomers-sim: {e}"));
                eprintln!("results: {}", dir.display());
            }
            return Err(e);
        }
    };
    let wall = started.elapsed();
    let mut doc = output::to_json(&report);
    doc.wall_ms = Some(wall.as_secs_f64() * 1000.0);
    if let Some(path) = &args.json {
        std::fs::write(path, doc.to_text()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let (Some(path), Some(trace)) = (&args.trace, &report.trace) {
        std::fs::write(path, trace).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(trace) = &report.trace {
        log_net(args, trace);
    }
    let summary = output::summary(&report);
    print!("{summary}");
    println!("(wall time {:.0} ms)", wall.as_secs_f64() * 1000.0);
    if let Some(dir) = &dir {
        results::write_run(dir, &report, &doc, &summary)?;
        println!("results: {}", dir.display());
    }
    Ok(report.valid)
}

/// Jepsen's exit status for arguments it cannot use (`jepsen/cli.clj`): 254, never 2,
/// which means an `:unknown` verdict.
const BAD_ARGS: u8 = 254;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .mut_subcommand("test", workload_flags::add)
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(BAD_ARGS),
            };
        }
    };
    match &cli.command {
        Command::Test(args) => test(args, matches.subcommand_matches("test")).unwrap_or_else(|e| {
            eprintln!("glomers-sim: {e}");
            ExitCode::from(255)
        }),
        Command::Sweep(args) => sweep::run(args).unwrap_or_else(|e| {
            eprintln!("glomers-sim: {e}");
            ExitCode::from(255)
        }),
        Command::Campaign(args) => campaign::run(args).unwrap_or_else(|e| {
            eprintln!("glomers-sim: {e}");
            ExitCode::from(255)
        }),
        Command::Serve(args) => serve::run(args).unwrap_or_else(|e| {
            eprintln!("glomers-sim: {e}");
            ExitCode::from(255)
        }),
    }
}
