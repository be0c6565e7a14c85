//! Plots of client operations for every workload, named as Maelstrom names its own:
//! `latency-raw.svg` (each operation's latency against its invocation time, coloured by
//! outcome), `latency-quantiles.svg` (0.5, 0.95, 0.99 and 1 quantiles of ok operations' latency
//! over time windows, one panel per kind of operation) and `rate.svg` (operations completed per
//! second by kind and outcome).

use std::collections::BTreeMap;

use plotters::prelude::*;

use crate::figures::draw::{
    CATEGORY10, Chart, FONT, PARTITION, POINT, Res, SECOND, axes, legend, shade, titled, top,
};
use crate::history::{History, OpF, OpType};
use crate::present::artifacts::spans;
use crate::report::Report;

/// One completed client operation: invocation time (s), latency (ms), kind, outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Invocation time, seconds since the run started.
    pub at_s: f64,
    /// Latency in ms.
    pub latency_ms: f64,
    /// What it did.
    pub f: OpF,
    /// How it ended.
    pub outcome: OpType,
}

/// Every completed client operation of `history`, in invocation order.
pub fn samples(history: &History) -> Vec<Sample> {
    spans::pair(history)
        .iter()
        .filter(|s| s.invoke.is_client() && s.invoke.kind == OpType::Invoke)
        .filter_map(|s| {
            Some(Sample {
                at_s: s.start_ns() as f64 / 1e9,
                latency_ms: s.latency_ns()? as f64 / 1e6,
                f: s.invoke.f,
                outcome: s.outcome()?,
            })
        })
        .collect()
}

/// The quantiles drawn, with their names.
pub const QUANTILES: [(f64, &str); 4] = [(0.5, "0.5"), (0.95, "0.95"), (0.99, "0.99"), (1.0, "1")];

/// Maelstrom's quantile of sorted values: the element at ⌊n·p⌋ (the last for p = 1).
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len().checked_sub(1)?);
    sorted.get(i).copied()
}

/// For each window of `dt` seconds holding at least one sample (by invocation time): its
/// middle and the [`QUANTILES`] of the latencies in it.
pub fn quantile_windows(samples: &[Sample], dt: f64) -> Vec<(f64, [f64; 4])> {
    let mut windows: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for s in samples {
        windows
            .entry((s.at_s / dt) as u64)
            .or_default()
            .push(s.latency_ms);
    }
    windows
        .into_iter()
        .filter_map(|(w, mut v)| {
            v.sort_by(f64::total_cmp);
            let q = QUANTILES.map(|(p, _)| quantile(&v, p).unwrap_or(0.0));
            Some(((w as f64 + 0.5) * dt, q)).filter(|_| !v.is_empty())
        })
        .collect()
}

/// `windows` split where a window is missing.
pub fn runs(windows: &[(f64, [f64; 4])], dt: f64) -> Vec<&[(f64, [f64; 4])]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=windows.len() {
        if i == windows.len() || windows[i].0 - windows[i - 1].0 > 1.5 * dt {
            out.push(&windows[start..i]);
            start = i;
        }
    }
    out
}

/// Operations completed during each whole second, by kind and outcome.
pub fn rates(samples: &[Sample]) -> BTreeMap<(OpF, &'static str), Vec<u64>> {
    let mut out: BTreeMap<(OpF, &'static str), Vec<u64>> = BTreeMap::new();
    for s in samples {
        let second = (s.at_s + s.latency_ms / 1000.0) as usize;
        let counts = out.entry((s.f, s.outcome.name())).or_default();
        if counts.len() <= second {
            counts.resize(second + 1, 0);
        }
        counts[second] += 1;
    }
    out
}

fn outcome_colour(t: OpType) -> RGBColor {
    match t {
        OpType::Info => SECOND,
        OpType::Fail => PARTITION,
        OpType::Ok | OpType::Invoke => POINT,
    }
}

/// The category colours less grey and olive.
const SERIES: [RGBColor; 8] = {
    let c = CATEGORY10;
    [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[9]]
};

fn x_max(report: &Report) -> f64 {
    (report.end.as_micros() as f64 / 1e6).max(1.0)
}

/// A chart over the run's time on `area`, axes drawn, partitions and the time limit shaded.
fn time_chart<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: Option<String>,
    report: &Report,
    (x_max, y_max): (f64, f64),
    (x_desc, y_desc): (&str, &str),
) -> Res<Chart<'a, 'b>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72);
    if let Some(caption) = caption {
        builder.caption(caption, (FONT, 16));
    }
    let mut chart = builder.build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(&mut chart, x_desc, y_desc)?;
    shade(&mut chart, &report.plot_input(), y_max)?;
    Ok(chart)
}

/// `latency-raw.svg`.
pub(super) fn raw(report: &Report, svg: &mut String) -> Res {
    let samples = samples(&report.history);
    let root = SVGBackend::with_string(svg, (1100, 620)).into_drawing_area();
    let area = titled(&root, "Latency of each operation", &report.plot_input())?;
    let y_max = top(samples.iter().map(|s| s.latency_ms).fold(0.0, f64::max));
    let axes_desc = ("invocation time (s since the run started)", "latency (ms)");
    let mut chart = time_chart(&area, None, report, (x_max(report), y_max), axes_desc)?;
    let mut kinds: Vec<(OpF, OpType)> = samples.iter().map(|s| (s.f, s.outcome)).collect();
    kinds.sort_by_key(|&(f, t)| (f, t.name()));
    kinds.dedup();
    let mut fs: Vec<OpF> = kinds.iter().map(|k| k.0).collect();
    fs.dedup();
    for &(f, t) in &kinds {
        let colour = outcome_colour(t);
        let points = samples_of(&samples, f, t);
        let label = format!("{} {}", f.name(), t.name());
        // The first kind of operation as dots, the second as triangles, the rest as crosses.
        match fs.iter().position(|&x| x == f) {
            Some(0) => chart
                .draw_series(points.map(|p| Circle::new(p, 2, colour.mix(0.7).filled())))?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 8, y), 3, colour.filled())),
            Some(1) => chart
                .draw_series(points.map(|p| TriangleMarker::new(p, 3, colour.mix(0.7).filled())))?
                .label(label)
                .legend(move |(x, y)| TriangleMarker::new((x + 8, y), 4, colour.filled())),
            _ => chart
                .draw_series(points.map(|p| Cross::new(p, 3, colour.mix(0.7))))?
                .label(label)
                .legend(move |(x, y)| Cross::new((x + 8, y), 4, colour)),
        };
    }
    legend(&mut chart)?;
    root.present()?;
    Ok(())
}

fn samples_of(samples: &[Sample], f: OpF, t: OpType) -> impl Iterator<Item = (f64, f64)> + '_ {
    samples
        .iter()
        .filter(move |s| s.f == f && s.outcome == t)
        .map(|s| (s.at_s, s.latency_ms))
}

/// `latency-quantiles.svg`: one panel per kind of operation.
pub(super) fn quantiles(report: &Report, svg: &mut String) -> Res {
    let samples: Vec<Sample> = samples(&report.history)
        .into_iter()
        .filter(|s| s.outcome == OpType::Ok)
        .collect();
    let mut fs: Vec<OpF> = samples.iter().map(|s| s.f).collect();
    fs.sort();
    fs.dedup();
    let x_max = x_max(report);
    let dt = crate::present::artifacts::nice_step(x_max / 40.0 * 1000.0) / 1000.0;
    let panel_h = 330u32;
    let height = 62 + panel_h * fs.len().max(1) as u32;
    let root = SVGBackend::with_string(svg, (1100, height)).into_drawing_area();
    let area = titled(
        &root,
        "Latency quantiles of ok operations",
        &report.plot_input(),
    )?;
    let panels = area.split_evenly((fs.len().max(1), 1));
    for (f, panel) in fs.iter().zip(&panels) {
        let mine: Vec<Sample> = samples.iter().copied().filter(|s| s.f == *f).collect();
        let windows = quantile_windows(&mine, dt);
        let y_max = top(windows.iter().map(|w| w.1[3]).fold(0.0, f64::max));
        let caption = format!(
            "{} (windows of {} s)",
            f.name(),
            crate::figures::draw::tick(&dt)
        );
        let axes_desc = ("invocation time (s since the run started)", "latency (ms)");
        let mut chart = time_chart(panel, Some(caption), report, (x_max, y_max), axes_desc)?;
        // The maximum first, so the lower quantiles stay visible where they meet it; a
        // window with no operation breaks the lines.
        for (q, (_, name)) in QUANTILES.iter().enumerate().rev() {
            let colour = SERIES[q];
            for (i, run) in runs(&windows, dt).into_iter().enumerate() {
                let line: Vec<(f64, f64)> = run.iter().map(|(t, v)| (*t, v[q])).collect();
                let series = chart.draw_series(LineSeries::new(
                    line.iter().copied(),
                    colour.stroke_width(2),
                ))?;
                if i == 0 {
                    series
                        .label(format!("quantile {name}"))
                        .legend(move |(x, y)| {
                            PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2))
                        });
                }
                chart.draw_series(line.into_iter().map(|p| Circle::new(p, 2, colour.filled())))?;
            }
        }
        legend(&mut chart)?;
    }
    root.present()?;
    Ok(())
}

/// `rate.svg`: operations completed per second, one line per kind and outcome.
pub(super) fn rate(report: &Report, svg: &mut String) -> Res {
    let rates = rates(&samples(&report.history));
    let root = SVGBackend::with_string(svg, (1100, 620)).into_drawing_area();
    let area = titled(
        &root,
        "Operations completed per second",
        &report.plot_input(),
    )?;
    let x_max = x_max(report).ceil();
    let y_max = top(rates.values().flatten().copied().max().unwrap_or(0) as f64);
    let axes_desc = (
        "completion time (s since the run started)",
        "operations / s",
    );
    let mut chart = time_chart(&area, None, report, (x_max, y_max), axes_desc)?;
    for (i, ((f, outcome), counts)) in rates.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        let mut steps = Vec::with_capacity(2 * counts.len());
        for (s, &n) in counts.iter().enumerate() {
            steps.push((s as f64, n as f64));
            steps.push(((s + 1) as f64, n as f64));
        }
        chart
            .draw_series(LineSeries::new(steps, colour.stroke_width(2)))?
            .label(format!("{} {outcome}", f.name()))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    legend(&mut chart)?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OpValue, Process};

    #[test]
    fn samples_pair_client_operations_and_skip_the_nemesis() {
        let mut h = History::new();
        let p = Process::Client(0);
        h.invoke(1_000_000_000, p, OpF::READ, OpValue::None);
        h.complete(1_250_000_000, p, OpType::Ok, OpF::READ, OpValue::None, None);
        h.complete(
            2_000_000_000,
            Process::Nemesis,
            OpType::Info,
            OpF::START_PARTITION,
            OpValue::None,
            None,
        );
        h.invoke(3_000_000_000, p, OpF::READ, OpValue::None);
        let s = samples(&h);
        assert_eq!(
            s.len(),
            1,
            "open operations and the nemesis have no latency"
        );
        assert_eq!(
            (s[0].at_s, s[0].latency_ms, s[0].outcome),
            (1.0, 250.0, OpType::Ok)
        );
    }

    #[test]
    fn quantiles_follow_maelstroms_floor_rule_per_window() {
        let sample = |at_s, latency_ms| Sample {
            at_s,
            latency_ms,
            f: OpF::READ,
            outcome: OpType::Ok,
        };
        let mut s: Vec<Sample> = (1..=100).map(|i| sample(0.5, f64::from(i))).collect();
        s.push(sample(2.2, 7.0));
        let w = quantile_windows(&s, 1.0);
        assert_eq!(w.len(), 2, "an empty window is left out");
        assert_eq!(w[0], (0.5, [51.0, 96.0, 100.0, 100.0]));
        assert_eq!(w[1], (2.5, [7.0; 4]));
        assert_eq!(quantile(&[], 0.5), None);
        let runs = runs(&w, 1.0);
        assert_eq!(runs.len(), 2, "the missing window breaks the line");
        assert_eq!((runs[0].len(), runs[1].len()), (1, 1));
    }

    #[test]
    fn rates_count_completions_per_second_by_kind_and_outcome() {
        let sample = |at_s, latency_ms, outcome| Sample {
            at_s,
            latency_ms,
            f: OpF::BROADCAST,
            outcome,
        };
        let s = [
            sample(0.2, 100.0, OpType::Ok),
            sample(0.95, 100.0, OpType::Ok),
            sample(1.5, 100.0, OpType::Info),
        ];
        let r = rates(&s);
        assert_eq!(r[&(OpF::BROADCAST, "ok")], vec![1, 1]);
        assert_eq!(r[&(OpF::BROADCAST, "info")], vec![0, 1]);
    }
}
