//! Stable-latency plots of the broadcast workload (feature `present`):
//!
//! - `stable-latency.svg`: each value's stable latency against the time it became known,
//!   with partitions and the period after the time limit shaded;
//! - `latency-distribution.svg`: histogram and CDF of stable latencies, with Maelstrom's
//!   quantiles marked.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::set_full::SetFullResult;
use crate::figures::draw::{
    FONT, PARTITION, POINT, Res, SECOND, axes, legend, plot, shade, titled, top,
};
use crate::figures::{Plot, PlotInput, secs_ns};

/// Both plots, if any value is stable.
pub(super) fn plots(r: &SetFullResult, run: &PlotInput<'_>) -> Result<Vec<Plot>, String> {
    if r.stable_count == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![
        plot(
            "stable-latency.svg",
            "each broadcast value's stable latency",
            |svg| over_time(r, run, svg),
        )?,
        plot(
            "latency-distribution.svg",
            "distribution of stable latencies",
            |svg| distribution(r, run, svg),
        )?,
    ])
}

/// Each stable value's latency against the time it became known.
fn over_time(r: &SetFullResult, run: &PlotInput<'_>, svg: &mut String) -> Res {
    let samples = r.stable_samples();
    let root = SVGBackend::with_string(svg, (1100, 620)).into_drawing_area();
    let area = titled(&root, "Stable latency of each broadcast value", run)?;
    let x_max = run.end_s.max(1.0);
    let y_max = top(samples.iter().map(|s| s.2).max().unwrap_or(0) as f64);
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(
        &mut chart,
        "time the value became known (s since the run started)",
        "stable latency (ms)",
    )?;
    shade(&mut chart, run, y_max)?;
    chart
        .draw_series(samples.iter().map(|&(_, known_ns, ms)| {
            Circle::new((secs_ns(known_ns), ms as f64), 2, POINT.mix(0.7).filled())
        }))?
        .label("a broadcast value")
        .legend(|(x, y)| Circle::new((x + 8, y), 3, POINT.filled()));
    if let Some(q) = r.stable_latencies.as_ref() {
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

/// Histogram and CDF of stable latencies with Maelstrom's quantiles.
fn distribution(r: &SetFullResult, run: &PlotInput<'_>, svg: &mut String) -> Res {
    let mut values: Vec<u64> = r.stable_samples().iter().map(|s| s.2).collect();
    values.sort_unstable();
    let max = values.last().copied().unwrap_or(0);
    let width = bin_width(max, 40);
    let mut counts = vec![0u64; usize::try_from(max / width + 1)?];
    for v in &values {
        counts[usize::try_from(v / width)?] += 1;
    }
    let root = SVGBackend::with_string(svg, (1200, 560)).into_drawing_area();
    let area = titled(&root, "Distribution of stable latencies", run)?;
    let (left, right) = area.split_horizontally(600);
    let x_max = ((max / width + 1) * width) as f64;
    let c_max = top(counts.iter().copied().max().unwrap_or(0) as f64);
    let mut hist = ChartBuilder::on(&left)
        .margin(16)
        .caption("histogram", (FONT, 16))
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..c_max)?;
    axes(
        &mut hist,
        &format!("stable latency (ms), bins of {width} ms"),
        "broadcast values",
    )?;
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
    axes(
        &mut cdf,
        "stable latency (ms)",
        "fraction of values at or below",
    )?;
    let n = values.len() as f64;
    let mut steps = vec![(0.0, 0.0)];
    for (i, &v) in values.iter().enumerate() {
        let y0 = steps.last().map_or(0.0, |p| p.1);
        steps.push((v as f64, y0));
        steps.push((v as f64, (i + 1) as f64 / n));
    }
    steps.push((x_max, 1.0));
    cdf.draw_series(LineSeries::new(steps, POINT.stroke_width(2)))?;
    if let Some(q) = r.stable_latencies.as_ref() {
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
