//! Time series and distributions of a run, kept in `results.json` under `series` so that
//! runs can be compared later (`glomers-sim serve`'s comparison view) without their history,
//! and the run's settings as flags:
//!
//! - `flags`: the run's settings as `glomers-sim test` flags;
//! - `series.op_latency_per_second`: client operations that completed `ok`, grouped by the
//!   second they were invoked in: `{t, count, p50, p95, max}` (latency in ms);
//! - `series.op_latency_percentiles`: the latency (ms) at percentiles 0, 1, …, 100 (Jepsen's
//!   rule: sorted, index ⌊n·p⌋), or absent without samples;
//! - `series.workload`: the workload's own curves
//!   ([`Verdict::series`](crate::checkers::Verdict::series), broadcast's stable latency), each
//!   with its key, label, per-second figures and percentiles.

use std::collections::{BTreeMap, HashMap};

use super::Report;
use super::document::{PerSecondJson, SeriesJson, WorkloadSeriesJson};
use crate::checkers::Availability;
use crate::config::{LatencyDist, NodeKind, SimConfig, command_line};
use crate::history::{OpType, Process};

/// The version of the `series` object's layout (2: the workload's curves under `workload`).
pub const VERSION: u64 = 2;

/// The run's settings as `glomers-sim test` flags (defaults of the rarer ones left out).
pub fn flags(report: &Report) -> String {
    let c = &report.config;
    let mut s = format!(
        "-w {} --node-count {} --rate {} --time-limit {} --latency {}",
        c.workload,
        c.node_count,
        c.rate,
        c.time_limit.as_secs_f64(),
        c.latency_ms
    );
    if c.latency_dist != LatencyDist::Constant {
        s += &format!(" --latency-dist {:?}", c.latency_dist).to_lowercase();
    }
    s += &workload_flags(c);
    if c.partition {
        s += &format!(
            " --nemesis partition --nemesis-interval {}",
            c.nemesis_interval.as_secs_f64()
        );
    }
    if !c.faults.is_none() {
        s += &format!(" --faults {}", c.faults);
    }
    if let NodeKind::Process { bin, args } = &c.nodes {
        s += &format!(" --bin {}", command_line(bin, args));
    }
    s
}

/// ` --concurrency N`, ` --availability A` and the workload's own flags
/// (` --consistency-models read-committed`) when given: without them a txn run's flags line
/// would not say which models it was checked against.
pub fn workload_flags(c: &SimConfig) -> String {
    let mut s = String::new();
    if let Some(n) = c.concurrency {
        s += &format!(" --concurrency {n}");
    }
    match c.availability {
        Some(Availability::Total) => s += " --availability total",
        Some(Availability::Fraction(f)) => s += &format!(" --availability {f}"),
        None => {}
    }
    for (flag, value) in &c.workload_options {
        s += &format!(" --{flag} {value}");
    }
    s
}

/// The `series` of the `--json` document of `report`.
pub fn of(report: &Report) -> SeriesJson {
    let ops = op_latencies(report);
    SeriesJson {
        version: VERSION,
        op_latency_per_second: per_second(&ops),
        op_latency_percentiles: percentiles(&ops),
        workload: report
            .workload
            .verdict()
            .series()
            .into_iter()
            .map(|s| WorkloadSeriesJson {
                per_second: per_second(&s.samples),
                percentiles: percentiles(&s.samples),
                key: s.key,
                label: s.label,
                time_label: s.time_label,
            })
            .collect(),
    }
}

/// (invocation time ns, latency ms) of every client operation that completed `ok`; a
/// process runs one operation at a time, so a completion closes its process's invocation.
pub fn op_latencies(report: &Report) -> Vec<(u64, u64)> {
    let mut open: HashMap<u64, u64> = HashMap::new();
    let mut out = Vec::new();
    for op in report.history.ops() {
        let Process::Client(p) = op.process else {
            continue;
        };
        if op.final_read {
            open.remove(&p);
            continue;
        }
        match op.kind {
            OpType::Invoke => {
                open.insert(p, op.time_ns);
            }
            OpType::Ok => {
                if let Some(start) = open.remove(&p) {
                    out.push((start, op.time_ns.saturating_sub(start) / 1_000_000));
                }
            }
            OpType::Fail | OpType::Info => {
                open.remove(&p);
            }
        }
    }
    out
}

/// Jepsen's quantile of sorted values: index min(n − 1, ⌊n·p⌋).
fn at(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() as f64 * p).floor() as usize).min(sorted.len() - 1)]
}

/// `[{t, count, p50, p95, max}]` for each second holding samples, in time order.
pub fn per_second(samples: &[(u64, u64)]) -> Vec<PerSecondJson> {
    let mut by_second: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for &(time_ns, ms) in samples {
        by_second
            .entry(time_ns / 1_000_000_000)
            .or_default()
            .push(ms);
    }
    by_second
        .into_iter()
        .map(|(t, mut v)| {
            v.sort_unstable();
            PerSecondJson {
                t,
                count: v.len(),
                p50: at(&v, 0.5),
                p95: at(&v, 0.95),
                max: at(&v, 1.0),
            }
        })
        .collect()
}

/// The latency at percentiles 0, 1, …, 100, or `None` without samples.
pub fn percentiles(samples: &[(u64, u64)]) -> Option<Vec<u64>> {
    if samples.is_empty() {
        return None;
    }
    let mut v: Vec<u64> = samples.iter().map(|s| s.1).collect();
    v.sort_unstable();
    Some((0..=100).map(|p| at(&v, f64::from(p) / 100.0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_second_groups_by_the_second_of_the_sample() {
        let s = [
            (100, 5),
            (900_000_000, 7),
            (1_000_000_000, 40),
            (2_500_000_000, 1),
        ];
        let v = per_second(&s);
        assert_eq!(
            v[0],
            PerSecondJson {
                t: 0,
                count: 2,
                p50: 7,
                p95: 7,
                max: 7
            }
        );
        assert_eq!(v[1].t, 1);
        assert_eq!(v[1].max, 40);
        assert_eq!(v[2].t, 2);
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn percentiles_follow_jepsens_rule() {
        assert_eq!(percentiles(&[]), None);
        let s: Vec<(u64, u64)> = (1..=200).map(|i| (0, i)).collect();
        let p = percentiles(&s).expect("samples");
        assert_eq!(p[0], 1);
        assert_eq!(p[50], 101);
        assert_eq!(p[100], 200);
        assert_eq!(p.len(), 101);
    }

    #[test]
    fn workload_flags_name_concurrency_availability_and_the_workloads_own() {
        let mut c = SimConfig::default();
        assert_eq!(workload_flags(&c), "");
        c.concurrency = Some(4);
        c.availability = Some(Availability::Total);
        c.workload_options
            .insert("consistency-models".into(), "read-committed".into());
        assert_eq!(
            workload_flags(&c),
            " --concurrency 4 --availability total --consistency-models read-committed"
        );
        c.availability = Some(Availability::Fraction(0.99));
        assert!(workload_flags(&c).contains(" --availability 0.99 "));
    }
}
