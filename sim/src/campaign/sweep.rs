//! The topology sweep: every topology file on every network, with and without partitions, over
//! several seeds, summarised as one table (the README's comparison of overlays and its table
//! of networks are this table).

use std::fmt::Write as _;

use glomers::config::NodeConfig;

use crate::workloads::broadcast::set_full::SetFullResult;
use crate::{LatencyDist, NodeKind, Report, SimConfig, SimError, Validity};

/// One network of the sweep: Maelstrom's `--latency` and `--latency-dist`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    /// Node↔node latency (ms): the constant value, or the mean.
    pub latency_ms: u64,
    /// How latencies are drawn.
    pub dist: LatencyDist,
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dist = match self.dist {
            LatencyDist::Constant => "constant",
            LatencyDist::Uniform => "uniform",
            LatencyDist::Exponential => "exponential",
        };
        write!(f, "{dist} {}", self.latency_ms)
    }
}

/// One topology file to sweep: a display name and its configuration.
#[derive(Clone, Debug)]
pub struct SweepFile {
    /// How the file is named in the table (the preset name or the path).
    pub name: String,
    /// The node configuration it holds.
    pub config: NodeConfig,
}

/// The aggregate of one (file, nemesis) cell over every seed.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// The topology file's name.
    pub file: String,
    /// The network of the runs.
    pub network: Network,
    /// Whether the runs had `--nemesis partition`.
    pub partition: bool,
    /// How many runs (seeds) the row covers.
    pub runs: usize,
    /// Mean of the runs' `:servers :msgs-per-op`.
    pub msgs_per_op_mean: f64,
    /// Worst (highest) `:servers :msgs-per-op` of the runs.
    pub msgs_per_op_worst: f64,
    /// Mean of the runs' median stable latency (ms).
    pub median_mean_ms: f64,
    /// Highest 0.99 stable-latency point of the runs (ms).
    pub p99_worst_ms: u64,
    /// Highest maximum stable latency of the runs (ms).
    pub max_worst_ms: u64,
    /// Lost values, summed over the runs.
    pub lost: usize,
    /// Whether every run was valid.
    pub all_valid: bool,
}

/// Runs `base` (a broadcast test) for every file, on each of `networks` (none: `base`'s own),
/// for each of `nemeses` (false: none, true: partition) and each seed, calling `progress`
/// after every run.
pub fn sweep(
    base: &SimConfig,
    files: &[SweepFile],
    networks: &[Network],
    nemeses: &[bool],
    seeds: &[u64],
    mut progress: impl FnMut(&SweepFile, Network, bool, &Report),
) -> Result<Vec<SweepRow>, SimError> {
    let own = [Network {
        latency_ms: base.latency_ms,
        dist: base.latency_dist,
    }];
    let networks = if networks.is_empty() { &own } else { networks };
    let mut rows = Vec::new();
    for file in files {
        for &network in networks {
            for &partition in nemeses {
                let mut reports = Vec::with_capacity(seeds.len());
                for &seed in seeds {
                    let mut cfg = base.clone();
                    cfg.seed = seed;
                    cfg.partition = partition;
                    cfg.latency_ms = network.latency_ms;
                    cfg.latency_dist = network.dist;
                    cfg.nodes = NodeKind::InProcess(file.config.clone());
                    let report = crate::run(&cfg)?;
                    progress(file, network, partition, &report);
                    reports.push(report);
                }
                rows.push(summarise(&file.name, network, partition, &reports));
            }
        }
    }
    Ok(rows)
}

fn summarise(file: &str, network: Network, partition: bool, reports: &[Report]) -> SweepRow {
    let per_op: Vec<f64> = reports
        .iter()
        .map(|r| r.net.servers.msgs_per_op.map_or(0.0, f64::from))
        .collect();
    let quantiles: Vec<_> = reports
        .iter()
        .filter_map(|r| {
            r.workload
                .get::<SetFullResult>()
                .and_then(|s| s.stable_latencies)
        })
        .collect();
    let n = reports.len().max(1) as f64;
    SweepRow {
        file: file.to_string(),
        network,
        partition,
        runs: reports.len(),
        msgs_per_op_mean: per_op.iter().sum::<f64>() / n,
        msgs_per_op_worst: per_op.iter().copied().fold(0.0, f64::max),
        median_mean_ms: quantiles.iter().map(|q| q.q50 as f64).sum::<f64>()
            / quantiles.len().max(1) as f64,
        p99_worst_ms: quantiles.iter().map(|q| q.q99).max().unwrap_or(0),
        max_worst_ms: quantiles.iter().map(|q| q.q100).max().unwrap_or(0),
        lost: reports
            .iter()
            .filter_map(|r| r.workload.get::<SetFullResult>())
            .map(|s| s.lost_count)
            .sum(),
        all_valid: reports.iter().all(|r| r.valid == Validity::True),
    }
}

/// The rows as a Markdown table.
pub fn markdown_table(rows: &[SweepRow]) -> String {
    let mut out = String::from(
        "| topology file | network | nemesis | msgs-per-op (mean / worst) | median ms (mean) | p99 ms (worst) | max ms (worst) | lost | valid |\n\
         |---|---|---|--:|--:|--:|--:|--:|:-:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.3} / {:.3} | {:.0} | {} | {} | {} | {} |",
            r.file,
            r.network,
            if r.partition { "partition" } else { "none" },
            r.msgs_per_op_mean,
            r.msgs_per_op_worst,
            r.median_mean_ms,
            r.p99_worst_ms,
            r.max_worst_ms,
            r.lost,
            if r.all_valid {
                format!("{}/{}", r.runs, r.runs)
            } else {
                "no".to_string()
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workload;
    use std::time::Duration;

    #[test]
    fn a_small_sweep_fills_one_row_per_file_and_nemesis() {
        let base = SimConfig {
            workload: Workload::BROADCAST,
            node_count: 5,
            rate: 10.0,
            time_limit: Duration::from_secs(3),
            ..SimConfig::default()
        };
        let files: Vec<SweepFile> = ["3d", "grid"]
            .iter()
            .map(|name| SweepFile {
                name: name.to_string(),
                config: NodeConfig::load(name).expect("preset"),
            })
            .collect();
        let networks = [
            Network {
                latency_ms: 20,
                dist: LatencyDist::Constant,
            },
            Network {
                latency_ms: 50,
                dist: LatencyDist::Uniform,
            },
        ];
        let mut runs = 0;
        let rows = sweep(
            &base,
            &files,
            &networks,
            &[false, true],
            &[1, 2],
            |_, _, _, _| runs += 1,
        )
        .expect("runs");
        assert_eq!(runs, 16);
        assert_eq!(rows.len(), 8);
        for row in &rows {
            assert_eq!(row.runs, 2);
            assert_eq!(row.lost, 0, "{row:?}");
            assert!(row.all_valid, "{row:?}");
            assert!(row.msgs_per_op_worst >= row.msgs_per_op_mean);
            assert!(row.max_worst_ms >= row.p99_worst_ms);
        }
        let table = markdown_table(&rows);
        assert_eq!(table.lines().count(), 2 + 8);
        assert!(
            table.contains("| grid | uniform 50 | partition |"),
            "{table}"
        );
        assert!(table.contains("| 3d | constant 20 | none |"), "{table}");
    }
}
