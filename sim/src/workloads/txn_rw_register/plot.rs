//! `transactions.svg` (feature `present`): transaction outcomes per second, and the
//! anomalies found over time.

use plotters::prelude::*;

use super::elle::ElleResult;
use super::elle::history::Outcome;
use crate::figures::draw::{
    FONT, PARTITION, POINT, Res, SECOND, axes, legend, plot, shade, tick, titled, top,
};
use crate::figures::{Plot, PlotInput, secs_ns};

/// The plot.
pub(super) fn plots(r: &ElleResult, run: &PlotInput<'_>) -> Result<Vec<Plot>, String> {
    Ok(vec![plot(
        "transactions.svg",
        "transactions per second by outcome, and anomalies over time",
        |svg| outcomes(run, r, svg),
    )?])
}

/// Completions per second of each outcome: (ok, fail, info).
fn outcomes_per_second(r: &ElleResult) -> Vec<[u64; 3]> {
    let mut out: Vec<[u64; 3]> = Vec::new();
    for t in &r.txns {
        let s = usize::try_from(t.complete_ns / 1_000_000_000).unwrap_or(usize::MAX);
        if out.len() <= s {
            out.resize(s + 1, [0; 3]);
        }
        out[s][match t.outcome {
            Outcome::Ok => 0,
            Outcome::Fail => 1,
            Outcome::Info => 2,
        }] += 1;
    }
    out
}

/// The anomaly rows (every type found, reportable first) and the points of each: the
/// completion time of every transaction a case names.
fn anomaly_points(r: &ElleResult) -> Vec<(String, Vec<f64>)> {
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    let reportable = r
        .all_anomalies
        .iter()
        .filter(|(t, _)| r.anomalies.contains_key(t));
    let other = r
        .all_anomalies
        .iter()
        .filter(|(t, _)| !r.anomalies.contains_key(t));
    for (i, (t, cases)) in reportable.chain(other).enumerate() {
        let label = if i < r.anomalies.len() {
            format!("{t} ({})", cases.len())
        } else {
            format!("{t} ({}, allowed)", cases.len())
        };
        let times = cases
            .iter()
            .flat_map(|c| c.txns())
            .map(|i| secs_ns(r.txns[i].complete_ns))
            .collect();
        rows.push((label, times));
    }
    rows
}

/// Two panels: stacked outcomes per second, then one row per anomaly type with a mark at
/// each transaction involved in one of its cases.
fn outcomes(run: &PlotInput<'_>, r: &ElleResult, svg: &mut String) -> Res {
    let root = SVGBackend::with_string(svg, (1100, 760)).into_drawing_area();
    let area = titled(&root, "Transactions and anomalies over time", run)?;
    let (upper, lower) = area.split_vertically(380);
    let x_max = run.end_s.ceil().max(1.0);

    let counts = outcomes_per_second(r);
    let y_max = top(counts
        .iter()
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0) as f64);
    let mut chart = ChartBuilder::on(&upper)
        .margin(14)
        .caption("transactions completed per second, by outcome", (FONT, 16))
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(
        &mut chart,
        "time (s since the run started)",
        "transactions / s",
    )?;
    shade(&mut chart, run, y_max)?;
    let colours = [
        ("ok", POINT),
        ("fail (aborted)", PARTITION),
        ("info (unknown)", SECOND),
    ];
    for (layer, (name, colour)) in colours.into_iter().enumerate().rev() {
        // Stack: each layer is drawn up to the sum of itself and the layers below it.
        let mut steps = Vec::with_capacity(2 * counts.len());
        for (s, c) in counts.iter().enumerate() {
            let h = c[..=layer].iter().sum::<u64>() as f64;
            steps.push((s as f64, h));
            steps.push(((s + 1) as f64, h));
        }
        if counts.iter().all(|c| c[layer] == 0) {
            continue;
        }
        chart
            .draw_series(AreaSeries::new(steps, 0.0, colour.mix(0.3)).border_style(colour))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], colour.filled()));
    }
    legend(&mut chart)?;

    let rows = anomaly_points(r);
    let n = rows.len().max(1) as f64;
    let caption = if rows.is_empty() {
        "anomalies: none found".to_string()
    } else {
        // Red: ruled out by the models checked; grey ("allowed"): found, but they allow it.
        format!(
            "anomalies found, checked against {}: red breaks them, grey is allowed",
            r.consistency_models.join(", ")
        )
    };
    let mut chart = ChartBuilder::on(&lower)
        .margin(14)
        .caption(caption, (FONT, 16))
        .x_label_area_size(44)
        .y_label_area_size(200)
        .build_cartesian_2d(0.0..x_max, -0.5..n - 0.5)?;
    let labels: Vec<String> = rows.iter().map(|(l, _)| l.clone()).collect();
    chart
        .configure_mesh()
        .x_desc("time (s since the run started)")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_labels(rows.len().max(1))
        .y_label_formatter(&|y: &f64| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .draw()?;
    for (i, (_, times)) in rows.iter().enumerate() {
        let colour = if i < r.anomalies.len() {
            PARTITION
        } else {
            RGBColor(120, 120, 120)
        };
        chart.draw_series(
            times
                .iter()
                .map(|&t| Cross::new((t, i as f64), 5, colour.stroke_width(2))),
        )?;
    }
    root.present()?;
    Ok(())
}
