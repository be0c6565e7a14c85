//! `glomers-sim campaign`: many seeded faulty runs, each checked; failures print the command
//! that replays them.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use glomers_sim::Workload;
use glomers_sim::campaign::{self, CampaignConfig, FaultKind, Outcome};

/// Arguments of `glomers-sim campaign`.
#[derive(Parser, Debug)]
pub struct CampaignArgs {
    /// Seeds per topology preset and fault kind.
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Fault kinds: clean, partition, loss, dup, reorder, spike, oneway, pause, mixed, and
    /// the crashes kill (`--nemesis kill`) and crash (mixed with `--nemesis partition,kill`);
    /// `network` names the first nine, `crashes` the last two. Default: all.
    #[arg(long, value_delimiter = ',', value_name = "KIND,…")]
    kinds: Vec<String>,
    /// Topology files or presets of the nodes. Default: every built-in preset.
    #[arg(long, value_delimiter = ',', value_name = "PATH|PRESET,…")]
    topology_files: Vec<String>,
    /// Workloads: broadcast (every preset); unique-ids, g-counter, pn-counter and
    /// txn-rw-register (read committed) on the first preset only.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "broadcast,unique-ids,g-counter,pn-counter,txn-rw-register"
    )]
    workloads: Vec<Workload>,
    /// Nodes per run.
    #[arg(long, default_value_t = 5)]
    node_count: u16,
    /// Seconds of operations per run.
    #[arg(long, default_value_t = 10.0)]
    time_limit: f64,
    /// Operations per second.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Node↔node latency in ms.
    #[arg(long, default_value_t = 20)]
    latency: u64,
    /// Runs in parallel.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
}

/// Sums over the runs of one fault kind.
#[derive(Default)]
struct Tally {
    runs: usize,
    failed: usize,
    acknowledged: usize,
    messages: u64,
    lost: u64,
    dropped: u64,
    duplicated: u64,
    reordered: u64,
    spiked: u64,
    oneway: u64,
    pauses: u64,
    kills: u64,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        let f = &o.fault_counts;
        self.runs += 1;
        self.failed += usize::from(!o.violations.is_empty());
        self.acknowledged += o.acknowledged;
        self.messages += o.server_messages;
        self.lost += o.lost_messages;
        self.dropped += o.partition_drops;
        self.duplicated += f.duplicated;
        self.reordered += f.reordered;
        self.spiked += f.spiked;
        self.oneway += f.oneway_partitions;
        self.pauses += f.pauses;
        self.kills += f.kills;
    }
}

/// Runs the campaign; exit status 0 when every run passed, 1 otherwise.
pub fn run(args: &CampaignArgs) -> Result<ExitCode, String> {
    let mut cfg = CampaignConfig {
        first_seed: args.first_seed,
        seeds: args.seeds,
        workloads: args.workloads.clone(),
        node_count: args.node_count,
        time_limit: Duration::try_from_secs_f64(args.time_limit)
            .map_err(|_| "--time-limit must be a number of seconds ≥ 0".to_string())?,
        rate: args.rate,
        latency_ms: args.latency,
        ..CampaignConfig::default()
    };
    if !args.kinds.is_empty() {
        cfg.kinds.clear();
        for name in &args.kinds {
            match name.as_str() {
                "network" => cfg.kinds.extend(FaultKind::NETWORK),
                "crashes" => cfg.kinds.extend([FaultKind::Kill, FaultKind::Crash]),
                other => cfg.kinds.push(other.parse()?),
            }
        }
    }
    if !args.topology_files.is_empty() {
        cfg.presets = args.topology_files.clone();
    }
    let runs = campaign::plan(&cfg);
    println!(
        "campaign: {} runs ({} seeds from {}; kinds {}; presets {}; {} nodes, {} s at rate {}, \
         latency {} ms)",
        runs.len(),
        cfg.seeds,
        cfg.first_seed,
        cfg.kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(","),
        cfg.presets.join(","),
        cfg.node_count,
        cfg.time_limit.as_secs_f64(),
        cfg.rate,
        cfg.latency_ms
    );
    let started = Instant::now();
    let mut done = 0;
    let outcomes = campaign::execute_all(&runs, args.jobs, |o| {
        done += 1;
        if !o.violations.is_empty() {
            println!(
                "FAIL {} {} seed {}:",
                o.run.workload, o.run.kind, o.run.seed
            );
            for v in &o.violations {
                println!("  {v}");
            }
            println!("  replay: {}", o.run.command());
        }
        if done % 100 == 0 {
            eprintln!("… {done}/{} runs", runs.len());
        }
    });
    let mut tallies: BTreeMap<(String, FaultKind), Tally> = BTreeMap::new();
    for o in &outcomes {
        let key = (o.run.workload.to_string(), o.run.kind);
        tallies.entry(key).or_default().add(o);
    }
    println!(
        "{:<15} {:<9} {:>5} {:>6} {:>9} {:>10} {:>8} {:>8} {:>7} {:>8} {:>6} {:>7} {:>6} {:>6}",
        "workload",
        "kind",
        "runs",
        "failed",
        "acked",
        "node msgs",
        "lost",
        "cut",
        "dup",
        "reorder",
        "spike",
        "one-way",
        "pause",
        "kill"
    );
    for ((workload, kind), t) in &tallies {
        println!(
            "{workload:<15} {:<9} {:>5} {:>6} {:>9} {:>10} {:>8} {:>8} {:>7} {:>8} {:>6} {:>7} {:>6} {:>6}",
            kind.name(),
            t.runs,
            t.failed,
            t.acknowledged,
            t.messages,
            t.lost,
            t.dropped,
            t.duplicated,
            t.reordered,
            t.spiked,
            t.oneway,
            t.pauses,
            t.kills
        );
    }
    let failed = outcomes.iter().filter(|o| !o.violations.is_empty()).count();
    let acked: usize = outcomes.iter().map(|o| o.acknowledged).sum();
    println!(
        "{} runs, {failed} failed; {acked} acknowledged values, ids or operations checked; \
         wall time {:.1} s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
