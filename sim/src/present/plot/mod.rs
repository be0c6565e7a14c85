//! Plots of a run, as SVG documents (plotters' SVG backend; text is left to the viewer's
//! fonts, so no font library is needed to draw them).
//!
//! - `stable-latency.svg` (broadcast): each value's stable latency against the time it became
//!   known, with partitions and the period after the time limit shaded;
//! - `latency-distribution.svg` (broadcast): histogram and CDF of stable latencies, with
//!   Maelstrom's quantiles marked;
//! - `transactions.svg` (txn-rw-register): transactions completed per second by outcome, and
//!   the anomalies found, over time;
//! - `counter-value.svg` (counters): each node's reads over time against the sum of the
//!   acknowledged adds;
//! - `throughput.svg`: server messages (node↔node, node↔service) sent per second, and client operations started per
//!   second, over the run;
//! - for every workload, as Maelstrom names them: `latency-raw.svg`, `latency-quantiles.svg`
//!   and `rate.svg` ([`operations`]).
//!
//! Times are seconds since the run started (virtual or real, as the report's).

use std::error::Error;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::present::report::{Report, partitions, subtitle, window};

mod counter;
mod latency;
pub mod operations;
mod throughput;
mod txn;

/// One rendered plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plot {
    /// File name, e.g. `stable-latency.svg`.
    pub file_name: &'static str,
    /// The SVG document.
    pub svg: String,
}

pub(crate) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
pub(crate) type Res<T = ()> = Result<T, Box<dyn Error>>;

pub(crate) const FONT: &str = "sans-serif";
/// The ten category colours (d3's and matplotlib's `category10`): the one palette of the
/// results folder's plots and the results browser's comparison charts.
pub const CATEGORY10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
pub(crate) const POINT: RGBColor = CATEGORY10[0];
pub(crate) const SECOND: RGBColor = CATEGORY10[1];
pub(crate) const PARTITION: RGBColor = CATEGORY10[3];

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
            add("stable-latency.svg", &|svg| latency::over_time(report, svg))?;
            add("latency-distribution.svg", &|svg| {
                latency::distribution(report, svg)
            })?;
        }
    }
    if let Some(r) = report.txn() {
        add("transactions.svg", &|svg| txn::outcomes(report, r, svg))?;
    }
    if report.counter().is_some() {
        add("counter-value.svg", &|svg| {
            counter::value_per_node(report, svg)
        })?;
    }
    add("throughput.svg", &|svg| throughput::per_second(report, svg))?;
    if !operations::samples(&report.history).is_empty() {
        add("latency-raw.svg", &|svg| operations::raw(report, svg))?;
        add("latency-quantiles.svg", &|svg| {
            operations::quantiles(report, svg)
        })?;
        add("rate.svg", &|svg| operations::rate(report, svg))?;
    }
    Ok(plots)
}

/// Draws the title block and returns the area left for charts.
pub(crate) fn titled<'b>(
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
pub(crate) fn shade(chart: &mut Chart<'_, '_>, report: &Report, y_max: f64) -> Res {
    let (_, limit) = window(report);
    let x_max = chart.x_range().end;
    // From the chart's bottom, not 0: a pn-counter's values go below zero.
    let y_min = chart.y_range().start.min(0.0);
    if limit < x_max {
        chart
            .draw_series([Rectangle::new(
                [(limit, y_min), (x_max, y_max)],
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
                [(a, y_min), (b.min(x_max), y_max)],
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

/// Draws the grid and both axes of `chart` in the plots' common style, with these titles.
pub(crate) fn axes(chart: &mut Chart<'_, '_>, x_desc: &str, y_desc: &str) -> Res {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    Ok(())
}

pub(crate) fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> Res {
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
pub(crate) fn tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// Some headroom above the largest value, never an empty range.
pub(crate) fn top(max: f64) -> f64 {
    if max > 0.0 { max * 1.08 } else { 1.0 }
}
