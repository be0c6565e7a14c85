//! kafka's plots (feature `present`): `realtime-lag.svg`, each `:ok` poll's worst key lag
//! over the run, and `unseen.svg`, the acknowledged messages not yet polled after each `:ok`
//! send or poll; partitions and the time after the time limit shaded. A healthy log's lag
//! stays near the poll interval and its unseen count falls to zero in the final polls.

use plotters::prelude::*;

use super::checker::KafkaResult;
use crate::figures::draw::{POINT, Res, axes, legend, plot, shade, titled, top};
use crate::figures::{Plot, PlotInput, secs_ns};

/// Both plots.
pub(super) fn plots(r: &KafkaResult, run: &PlotInput<'_>) -> Result<Vec<Plot>, String> {
    Ok(vec![
        plot(
            "realtime-lag.svg",
            "each poll's worst realtime lag over a key, over time",
            |svg| steps(run, svg, &Curve::LAG, &r.lag_series),
        )?,
        plot(
            "unseen.svg",
            "acknowledged messages not yet polled, over time",
            |svg| steps(run, svg, &Curve::UNSEEN, &r.unseen_series),
        )?,
    ])
}

/// What one plot shows.
struct Curve {
    title: &'static str,
    y_desc: &'static str,
    label: &'static str,
    /// Divides a point's value into the plotted unit.
    y_scale: f64,
}

impl Curve {
    const LAG: Curve = Curve {
        title: "kafka: realtime lag (each poll's worst key)",
        y_desc: "lag (s)",
        label: "worst lag of an :ok poll",
        y_scale: 1e9,
    };
    const UNSEEN: Curve = Curve {
        title: "kafka: acknowledged messages not yet polled",
        y_desc: "unseen messages",
        label: "acknowledged, never polled",
        y_scale: 1.0,
    };
}

/// At most `n` points: the maximum of each of `n` equal runs of points (the peaks stay).
fn thin(points: &[(u64, u64)], n: usize) -> Vec<(u64, u64)> {
    if points.len() <= n {
        return points.to_vec();
    }
    let per = points.len().div_ceil(n);
    points
        .chunks(per)
        .filter_map(|c| c.iter().max_by_key(|p| p.1).copied())
        .collect()
}

/// A line through `points` (ns since the start, value).
fn steps(run: &PlotInput<'_>, svg: &mut String, curve: &Curve, points: &[(u64, u64)]) -> Res {
    let root = SVGBackend::with_string(svg, (1100, 520)).into_drawing_area();
    let area = titled(&root, curve.title, run)?;
    let pts: Vec<(f64, f64)> = thin(points, 1200)
        .into_iter()
        .map(|(t, v)| (secs_ns(t), v as f64 / curve.y_scale))
        .collect();
    let y_max = top(pts.iter().map(|p| p.1).fold(0.0, f64::max));
    let x_max = run.end_s.ceil().max(1.0);
    let mut chart = ChartBuilder::on(&area)
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(&mut chart, "time (s since the run started)", curve.y_desc)?;
    shade(&mut chart, run, y_max)?;
    chart
        .draw_series(LineSeries::new(pts, POINT.stroke_width(1)))?
        .label(curve.label)
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], POINT.stroke_width(2)));
    legend(&mut chart)?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_series_are_thinned_and_keep_their_peaks() {
        let pts: Vec<(u64, u64)> = (0..10_000u64).map(|i| (i * 1_000_000, i % 97)).collect();
        let thinned = thin(&pts, 100);
        assert!(thinned.len() <= 100);
        assert!(thinned.iter().all(|p| p.1 == 96));
        assert_eq!(thin(&pts[..5], 100), pts[..5].to_vec());
    }
}
