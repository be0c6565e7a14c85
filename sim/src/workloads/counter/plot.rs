//! `counter-value.svg` (feature `present`): the value each node's reads returned over the
//! run, against the sum of the acknowledged adds, with partitions shaded. A correct counter's reads trail the
//! acknowledged sum while partitions or gossip delay them, and meet it at the final reads.

use plotters::prelude::*;

use super::ADD;
use crate::figures::draw::{CATEGORY10, Res, axes, legend, plot, shade, titled, top};
use crate::figures::{Plot, PlotInput, secs_ns};
use crate::history::{OpF, OpType, OpValue, Process};

/// The plot.
pub(super) fn plots(run: &PlotInput<'_>) -> Result<Vec<Plot>, String> {
    Ok(vec![plot(
        "counter-value.svg",
        "each node's counter reads over time, against the acknowledged sum",
        |svg| value_per_node(run, svg),
    )?])
}

/// The category colours less red (partitions are shaded red), grey, olive and cyan.
const PALETTE: [RGBColor; 6] = {
    let c = CATEGORY10;
    [c[0], c[1], c[2], c[4], c[5], c[6]]
};

/// Points `(time s, value)`.
type Line = Vec<(f64, f64)>;

/// Per node, the `(time s, value)` of its `:ok` reads; and the acknowledged sum over time as
/// steps `(time s, sum)`.
fn series(run: &PlotInput<'_>) -> (Vec<Line>, Line) {
    let n = usize::from(run.node_count.max(1));
    let threads = run.threads.max(1) as u64;
    let mut reads = vec![Vec::new(); n];
    let mut sum = 0i64;
    let mut acked = vec![(0.0, 0.0)];
    for op in run.history.ops() {
        let (Process::Client(p), OpType::Ok, OpValue::Int(v)) = (op.process, op.kind, &op.value)
        else {
            continue;
        };
        let t = secs_ns(op.time_ns);
        match op.f {
            OpF::READ => reads[((p % threads) as usize) % n].push((t, *v as f64)),
            ADD => {
                acked.push((t, sum as f64));
                sum += v;
                acked.push((t, sum as f64));
            }
            _ => {}
        }
    }
    acked.push((run.end_s, sum as f64));
    (reads, acked)
}

/// `counter-value.svg`.
fn value_per_node(run: &PlotInput<'_>, svg: &mut String) -> Res {
    let root = SVGBackend::with_string(svg, (1100, 620)).into_drawing_area();
    let area = titled(&root, "Counter value read on each node", run)?;
    let (reads, acked) = series(run);
    let values = reads.iter().flatten().chain(acked.iter()).map(|p| p.1);
    let y_min = values.clone().fold(0.0f64, f64::min);
    let y_max = top(values.fold(0.0f64, f64::max));
    let x_max = run.end_s.ceil().max(1.0);
    let mut chart = ChartBuilder::on(&area)
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, y_min..y_max)?;
    axes(
        &mut chart,
        "time (s since the run started)",
        "counter value",
    )?;
    shade(&mut chart, run, y_max)?;
    chart
        .draw_series(LineSeries::new(acked, BLACK.stroke_width(2)))?
        .label("sum of acknowledged adds")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.stroke_width(2)));
    for (node, points) in reads.into_iter().enumerate() {
        let colour = PALETTE[node % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(points.clone(), colour.mix(0.6)))?
            .label(format!("n{node} reads"))
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, colour.filled())),
        )?;
    }
    legend(&mut chart)?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;

    /// The heights of the partition shading `<rect>`s (the legend swatch is more opaque).
    fn partition_rect_heights(svg: &str) -> Vec<f64> {
        svg.split("<rect")
            .skip(1)
            .filter(|r| r.contains("opacity=\"0.13\" fill=\"#D62728\""))
            .filter_map(|r| {
                let h = r.split("height=\"").nth(1)?.split('"').next()?;
                h.parse().ok()
            })
            .collect()
    }

    #[test]
    fn shading_spans_the_whole_plot_when_the_counter_goes_negative() {
        let cfg = |seed| SimConfig {
            workload: "pn-counter".parse().expect("registered"),
            node_count: 3,
            rate: 100.0,
            time_limit: std::time::Duration::from_secs(6),
            partition: true,
            seed,
            ..SimConfig::default()
        };
        let report = (1..=20)
            .map(|seed| crate::run(&cfg(seed)).expect("the run"))
            .find(|r| series(&r.plot_input()).1.iter().any(|p| p.1 < -30.0))
            .expect("some seed sends the pn-counter well below zero");
        let mut svg = String::new();
        value_per_node(&report.plot_input(), &mut svg).expect("the plot");
        let heights = partition_rect_heights(&svg);
        assert!(!heights.is_empty(), "partitions are shaded");
        // The plot area is about 470 px high; shading from 0 up covered only the strip
        // above zero.
        assert!(
            heights.iter().all(|&h| h > 300.0),
            "each partition is shaded top to bottom: {heights:?}"
        );
    }
}
