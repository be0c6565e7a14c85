//! `glomers-sim sweep`: every topology file on the same broadcast test, on one or more networks,
//! with and without partitions, over several seeds, as one Markdown table.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use glomers::config::NodeConfig;
use glomers_sim::{LatencyDist, SimConfig, Workload};

/// Arguments of `glomers-sim sweep`.
#[derive(Parser, Debug)]
pub struct SweepArgs {
    /// A topology file or preset to include (repeat the flag); default: every built-in preset.
    #[arg(long = "topology-file", value_name = "PATH|PRESET")]
    files: Vec<String>,
    /// Runs per table cell, with seeds first-seed, first-seed + 1, ….
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Which nemesis settings to run: none, partition or both.
    #[arg(long, default_value = "both")]
    nemesis: String,
    /// Number of nodes.
    #[arg(long, default_value_t = 25)]
    node_count: u16,
    /// Seconds during which operations are started.
    #[arg(long, default_value_t = 20.0)]
    time_limit: f64,
    /// Operations per second, over all clients.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Node↔node latency in ms (the mean for uniform and exponential). Repeat the flag to
    /// sweep several; default 100.
    #[arg(long, value_name = "MS")]
    latency: Vec<u64>,
    /// Latency distribution: constant, uniform or exponential. Repeat the flag to sweep
    /// several; every latency is run with every distribution. Default constant.
    #[arg(long, value_name = "DIST")]
    latency_dist: Vec<LatencyDist>,
}

/// Runs the sweep and prints its table; fails if any run lost a value or was invalid.
pub fn run(args: &SweepArgs) -> Result<ExitCode, String> {
    use glomers_sim::campaign::sweep::{Network, SweepFile, markdown_table, sweep};
    let names: Vec<String> = if args.files.is_empty() {
        glomers::config::PRESETS
            .iter()
            .map(|(n, _)| n.to_string())
            .collect()
    } else {
        args.files.clone()
    };
    let files = names
        .iter()
        .map(|name| {
            NodeConfig::load(name)
                .map(|config| SweepFile {
                    name: name.clone(),
                    config,
                })
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let nemeses: &[bool] = match args.nemesis.as_str() {
        "none" => &[false],
        "partition" => &[true],
        "both" => &[false, true],
        other => {
            return Err(format!(
                "--nemesis must be none, partition or both, not {other:?}"
            ));
        }
    };
    let time_limit = Duration::try_from_secs_f64(args.time_limit)
        .map_err(|_| "--time-limit must be a number of seconds ≥ 0".to_string())?;
    let latencies = if args.latency.is_empty() {
        vec![100]
    } else {
        args.latency.clone()
    };
    let dists = if args.latency_dist.is_empty() {
        vec![LatencyDist::Constant]
    } else {
        args.latency_dist.clone()
    };
    let mut networks = Vec::new();
    for &dist in &dists {
        for &latency_ms in &latencies {
            if latency_ms == 0 && dist != LatencyDist::Constant {
                return Err(format!("{dist:?} latencies need --latency > 0"));
            }
            networks.push(Network { latency_ms, dist });
        }
    }
    let base = SimConfig {
        workload: Workload::BROADCAST,
        node_count: args.node_count,
        time_limit,
        rate: args.rate,
        ..SimConfig::default()
    };
    let seeds: Vec<u64> = (args.first_seed..args.first_seed + args.seeds).collect();
    let started = Instant::now();
    let rows = sweep(
        &base,
        &files,
        &networks,
        nemeses,
        &seeds,
        |file, net, partition, r| {
            eprintln!(
                "{:>18} {:>15} {:9} seed {:>4}: {:?}",
                file.name,
                net.to_string(),
                if partition { "partition" } else { "none" },
                r.seed,
                r.valid
            );
        },
    )
    .map_err(|e| e.to_string())?;
    let names: Vec<String> = networks.iter().map(Network::to_string).collect();
    println!(
        "{} nodes, rate {}, network {}, time limit {} s; {} seeds ({}…{}) per row; {:.1} s wall\n",
        args.node_count,
        args.rate,
        names.join(" | "),
        args.time_limit,
        seeds.len(),
        args.first_seed,
        args.first_seed + args.seeds.saturating_sub(1),
        started.elapsed().as_secs_f64()
    );
    print!("{}", markdown_table(&rows));
    let all_valid = rows.iter().all(|r| r.all_valid && r.lost == 0);
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
