//! Plots of a run, as SVG documents (plotters' SVG backend; text is left to the viewer's
//! fonts, so no font library is needed to draw them).
//!
//! - `stable-latency.svg` (broadcast): each value's stable latency against the time it became
//!   known, with partitions and the period after the time limit shaded;
//! - `latency-distribution.svg` (broadcast): histogram and CDF of stable latencies, with
//!   Maelstrom's quantiles marked;
//! - `throughput.svg`: node↔node messages sent per second, and client operations started per
//!   second, over the run.
//!
//! Times are seconds since the run started (virtual or real, as the report's).

use std::error::Error;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::history::{OpF, OpType, Process};
use super::report::Report;

/// One rendered plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plot {
    /// File name, e.g. `stable-latency.svg`.
    pub file_name: &'static str,
    /// The SVG document.
    pub svg: String,
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Res<T = ()> = Result<T, Box<dyn Error>>;

const FONT: &str = "sans-serif";
const POINT: RGBColor = RGBColor(31, 119, 180);
const SECOND: RGBColor = RGBColor(255, 127, 14);
const PARTITION: RGBColor = RGBColor(214, 39, 40);

/// Every plot that applies to the report's workload.
pub fn render(report: &Report) -> Result<Vec<Plot>, String> {
    let mut plots = Vec::new();
    let mut add = |file_name, draw: &dyn Fn(&mut String) -> Res| -> Result<(), String> {
        let mut svg = String::new();
        draw(&mut svg).map_err(|e| format!("{file_name}: {e}"))?;
        plots.push(Plot { file_name, svg });
        Ok(())
    };
    if let Some(sf) = report.set_full() {
        if sf.stable_count > 0 {
            add("stable-latency.svg", &|svg| stable_latency(report, svg))?;
            add("latency-distribution.svg", &|svg| distribution(report, svg))?;
        }
    }
    add("throughput.svg", &|svg| throughput(report, svg))?;
    Ok(plots)
}

/// A line under the title naming the run.
fn subtitle(report: &Report) -> String {
    let c = &report.config;
    format!(
        "{} · {} nodes · rate {}/s · time limit {} s · latency {} ms{} · seed {}",
        c.workload,
        c.node_count,
        c.rate,
        c.time_limit.as_secs_f64(),
        c.latency_ms,
        if c.partition { " · partitions" } else { "" },
        report.seed
    )
}

fn secs_ns(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// The time limit window, in seconds since the start: (main start, time limit).
fn window(report: &Report) -> (f64, f64) {
    let start = report.main_start.as_micros() as f64 / 1e6;
    (start, start + report.config.time_limit.as_secs_f64())
}

/// Partition intervals (start, heal) in seconds, from the nemesis's history entries.
fn partitions(report: &Report) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut open = None;
    for op in report.history.ops() {
        if op.process != Process::Nemesis {
            continue;
        }
        match op.f {
            OpF::StartPartition if open.is_none() => open = Some(secs_ns(op.time_ns)),
            OpF::StopPartition => {
                if let Some(start) = open.take() {
                    out.push((start, secs_ns(op.time_ns)));
                }
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        out.push((start, report.end.as_micros() as f64 / 1e6));
    }
    out
}

/// Draws the title block and returns the area left for charts.
fn titled<'b>(
    root: &DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    report: &Report,
) -> Res<DrawingArea<SVGBackend<'b>, plotters::coord::Shift>> {
    root.fill(&WHITE)?;
    let (top, rest) = root.split_vertically(62);
    let (w, _) = top.dim_in_pixel();
    let centre = (w / 2) as i32;
    let style = |size: i32| {
        TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top))
    };
    top.draw_text(title, &style(22), (centre, 8))?;
    top.draw_text(
        &subtitle(report),
        &style(14).color(&RGBColor(90, 90, 90)),
        (centre, 38),
    )?;
    Ok(rest)
}

/// Shades partitions (red) and the time after the time limit (grey), with legend entries.
fn shade(chart: &mut Chart<'_, '_>, report: &Report, y_max: f64) -> Res {
    let (_, limit) = window(report);
    let x_max = chart.x_range().end;
    if limit < x_max {
        chart
            .draw_series([Rectangle::new(
                [(limit, 0.0), (x_max, y_max)],
                BLACK.mix(0.07).filled(),
            )])?
            .label("after the time limit")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], BLACK.mix(0.15).filled())
            });
    }
    let parts = partitions(report);
    if !parts.is_empty() {
        let rects = parts.into_iter().map(|(a, b)| {
            Rectangle::new(
                [(a, 0.0), (b.min(x_max), y_max)],
                PARTITION.mix(0.13).filled(),
            )
        });
        chart
            .draw_series(rects)?
            .label("partition in force")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], PARTITION.mix(0.25).filled())
            });
    }
    Ok(())
}

fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> Res {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

/// Axis labels without a pointless `.0`.
fn tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// Some headroom above the largest value, never an empty range.
fn top(max: f64) -> f64 {
    if max > 0.0 { max * 1.08 } else { 1.0 }
}

fn stable_latency(report: &Report, svg: &mut String) -> Res {
    let samples = report.stable_samples();
    let root = SVGBackend::with_string(svg, (1100, 620)).into_drawing_area();
    let area = titled(&root, "Stable latency of each broadcast value", report)?;
    let x_max = (report.end.as_micros() as f64 / 1e6).max(1.0);
    let y_max = top(samples.iter().map(|s| s.2).max().unwrap_or(0) as f64);
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("time the value became known (s since the run started)")
        .y_desc("stable latency (ms)")
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    shade(&mut chart, report, y_max)?;
    chart
        .draw_series(samples.iter().map(|&(_, known_ns, ms)| {
            Circle::new((secs_ns(known_ns), ms as f64), 2, POINT.mix(0.7).filled())
        }))?
        .label("a broadcast value")
        .legend(|(x, y)| Circle::new((x + 8, y), 3, POINT.filled()));
    if let Some(q) = report.set_full().and_then(|r| r.stable_latencies.as_ref()) {
        for (value, what, colour) in [(q.q50, "median", SECOND), (q.q100, "max", PARTITION)] {
            let v = value as f64;
            chart
                .draw_series(LineSeries::new(
                    [(0.0, v), (x_max, v)],
                    colour.stroke_width(1),
                ))?
                .label(format!("{what} {value} ms"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour));
        }
    }
    legend(&mut chart)?;
    root.present()?;
    Ok(())
}

/// A bin width from 1, 2, 5 × 10^k giving about `bins` bins up to `max`.
fn bin_width(max: u64, bins: u64) -> u64 {
    let raw = (max / bins).max(1);
    let mut scale = 1;
    loop {
        for step in [1, 2, 5] {
            if step * scale >= raw {
                return step * scale;
            }
        }
        scale *= 10;
    }
}

fn distribution(report: &Report, svg: &mut String) -> Res {
    let mut values: Vec<u64> = report.stable_samples().iter().map(|s| s.2).collect();
    values.sort_unstable();
    let max = values.last().copied().unwrap_or(0);
    let width = bin_width(max, 40);
    let mut counts = vec![0u64; usize::try_from(max / width + 1)?];
    for v in &values {
        counts[usize::try_from(v / width)?] += 1;
    }
    let root = SVGBackend::with_string(svg, (1200, 560)).into_drawing_area();
    let area = titled(&root, "Distribution of stable latencies", report)?;
    let (left, right) = area.split_horizontally(600);
    let x_max = ((max / width + 1) * width) as f64;
    let c_max = top(counts.iter().copied().max().unwrap_or(0) as f64);
    let mut hist = ChartBuilder::on(&left)
        .margin(16)
        .caption("histogram", (FONT, 16))
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..c_max)?;
    hist.configure_mesh()
        .x_desc(format!("stable latency (ms), bins of {width} ms"))
        .y_desc("broadcast values")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    hist.draw_series(counts.iter().enumerate().map(|(i, &n)| {
        let x0 = (i as u64 * width) as f64;
        Rectangle::new(
            [(x0, 0.0), (x0 + width as f64, n as f64)],
            POINT.mix(0.75).filled(),
        )
    }))?;
    let mut cdf = ChartBuilder::on(&right)
        .margin(16)
        .caption("cumulative distribution", (FONT, 16))
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..1.02)?;
    cdf.configure_mesh()
        .x_desc("stable latency (ms)")
        .y_desc("fraction of values at or below")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    let n = values.len() as f64;
    let mut steps = vec![(0.0, 0.0)];
    for (i, &v) in values.iter().enumerate() {
        let y0 = steps.last().map_or(0.0, |p| p.1);
        steps.push((v as f64, y0));
        steps.push((v as f64, (i + 1) as f64 / n));
    }
    steps.push((x_max, 1.0));
    cdf.draw_series(LineSeries::new(steps, POINT.stroke_width(2)))?;
    if let Some(q) = report.set_full().and_then(|r| r.stable_latencies.as_ref()) {
        let marks = [
            (q.q50, "p50", 0.5),
            (q.q95, "p95", 0.95),
            (q.q99, "p99", 0.99),
            (q.q100, "max", 1.0),
        ];
        for (i, (value, name, p)) in marks.into_iter().enumerate() {
            let x = value as f64;
            cdf.draw_series(LineSeries::new(
                [(x, 0.0), (x, p)],
                SECOND.mix(0.8).stroke_width(1),
            ))?;
            cdf.draw_series([Circle::new((x, p), 4, SECOND.filled())])?;
            let label = format!("{name} = {value} ms");
            let text_y = 0.08 + 0.09 * i as f64;
            let style =
                TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
            cdf.draw_series([Text::new(label, (x_max * 0.97, text_y), style)])?;
        }
    }
    root.present()?;
    Ok(())
}

/// Client operations invoked during each second since the run started.
fn ops_per_second(report: &Report) -> Vec<u64> {
    let mut out = Vec::new();
    for op in report.history.ops() {
        if op.kind == OpType::Invoke && op.is_client() {
            let s = usize::try_from(op.time_ns / 1_000_000_000).unwrap_or(usize::MAX);
            if out.len() <= s {
                out.resize(s + 1, 0);
            }
            out[s] += 1;
        }
    }
    out
}

/// One bar per second: `(second, count)` drawn from `s` to `s + 1`.
fn per_second_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    report: &Report,
    counts: &[u64],
    (caption, y_desc, colour): (&str, &str, RGBColor),
    x_max: f64,
) -> Res {
    let y_max = top(counts.iter().copied().max().unwrap_or(0) as f64);
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .caption(caption, (FONT, 16))
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("time (s since the run started)")
        .y_desc(y_desc)
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    shade(&mut chart, report, y_max)?;
    let mut steps = Vec::with_capacity(2 * counts.len() + 1);
    for (s, &n) in counts.iter().enumerate() {
        steps.push((s as f64, n as f64));
        steps.push(((s + 1) as f64, n as f64));
    }
    chart.draw_series(
        AreaSeries::new(steps, 0.0, colour.mix(0.25)).border_style(colour.stroke_width(2)),
    )?;
    legend(&mut chart)
}

fn throughput(report: &Report, svg: &mut String) -> Res {
    let root = SVGBackend::with_string(svg, (1100, 760)).into_drawing_area();
    let area = titled(&root, "Messages and operations per second", report)?;
    let (upper, lower) = area.split_vertically(349);
    let x_max = (report.end.as_micros() as f64 / 1e6).ceil().max(1.0);
    let servers = &report.server_sends_per_second;
    let what = ("node↔node messages sent per second", "messages / s", POINT);
    per_second_panel(&upper, report, servers, what, x_max)?;
    let what = (
        "client operations started per second",
        "operations / s",
        SECOND,
    );
    per_second_panel(&lower, report, &ops_per_second(report), what, x_max)?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_widths_are_round() {
        assert_eq!(bin_width(0, 40), 1);
        assert_eq!(bin_width(39, 40), 1);
        assert_eq!(bin_width(100, 40), 2);
        assert_eq!(bin_width(791, 40), 20);
        assert_eq!(bin_width(1900, 40), 50);
    }
}
