//! Curves of several runs on one pair of shared axes, drawn server-side as SVG (plotters'
//! SVG backend, as the results folder's plots), and the curves the comparison view takes
//! from each run's `results.json`.

use plotters::prelude::*;
use serde_json::Value;

use super::runs::{Run, fmt_num};

/// Distinct colours for up to ten runs (then they repeat): the results folder's plots' own.
pub const PALETTE: [RGBColor; 10] = crate::present::plot::CATEGORY10;

/// The colour of the `i`th run, as CSS `#rrggbb`.
pub fn css_colour(i: usize) -> String {
    let RGBColor(r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// One run's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// Index of the run (its colour).
    pub run: usize,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
}

/// What a comparison chart plots, and where each run's data is in `results.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// `server_sends_per_second`: server messages (node↔node, node↔service) sent in each second.
    MessageRate,
    /// `series.stable_latency_per_second[].p50` against `t`.
    StableLatencyOverTime,
    /// `series.stable_latency_percentiles`.
    StableLatencyPercentiles,
    /// `series.op_latency_per_second[].p50` against `t`.
    OpLatencyOverTime,
    /// `series.op_latency_percentiles`.
    OpLatencyPercentiles,
}

impl Measure {
    /// Every measure, in the order the comparison view shows them.
    pub const ALL: [Measure; 5] = [
        Measure::MessageRate,
        Measure::StableLatencyOverTime,
        Measure::StableLatencyPercentiles,
        Measure::OpLatencyOverTime,
        Measure::OpLatencyPercentiles,
    ];

    /// Title, x axis and y axis descriptions.
    pub fn text(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Measure::MessageRate => (
                "Server messages (node↔node, node↔service) sent per second",
                "time (s since the run started)",
                "messages per second",
            ),
            Measure::StableLatencyOverTime => (
                "Stable latency over time (median of the values known in each second)",
                "time the value became known (s since the run started)",
                "stable latency (ms)",
            ),
            Measure::StableLatencyPercentiles => (
                "Stable latency by percentile",
                "percentile",
                "stable latency (ms)",
            ),
            Measure::OpLatencyOverTime => (
                "Operation latency over time (median of the ok operations invoked in each second)",
                "time invoked (s since the run started)",
                "latency (ms)",
            ),
            Measure::OpLatencyPercentiles => (
                "Operation latency by percentile (ok operations)",
                "percentile",
                "latency (ms)",
            ),
        }
    }

    /// The run's points for this measure, or `None` if its results lack them.
    pub fn points(self, run: &Run) -> Option<Vec<(f64, f64)>> {
        let doc = &run.doc;
        let array = |pointer: &str| doc.pointer(pointer).and_then(Value::as_array);
        let indexed = |a: &Vec<Value>| -> Option<Vec<(f64, f64)>> {
            a.iter()
                .enumerate()
                .map(|(i, v)| Some((i as f64, v.as_f64()?)))
                .collect()
        };
        let over_time = |a: &Vec<Value>| -> Option<Vec<(f64, f64)>> {
            a.iter()
                .map(|v| Some((v.get("t")?.as_f64()? + 0.5, v.get("p50")?.as_f64()?)))
                .collect()
        };
        let points = match self {
            Measure::MessageRate => indexed(array("/server_sends_per_second")?),
            Measure::StableLatencyOverTime => {
                over_time(array("/series/stable_latency_per_second")?)
            }
            Measure::StableLatencyPercentiles => {
                indexed(array("/series/stable_latency_percentiles")?)
            }
            Measure::OpLatencyOverTime => over_time(array("/series/op_latency_per_second")?),
            Measure::OpLatencyPercentiles => indexed(array("/series/op_latency_percentiles")?),
        }?;
        // An empty rate is a run without node↔node messages (its curve is 0); empty latency
        // series have nothing to draw.
        (self == Measure::MessageRate || !points.is_empty()).then_some(points)
    }
}

/// Draws `curves` on shared axes (x from 0, or from the smallest x if negative; y from 0) and
/// returns the SVG document.
pub fn draw(measure: Measure, curves: &[Curve]) -> Result<String, String> {
    let (title, x_desc, y_desc) = measure.text();
    let all = || curves.iter().flat_map(|c| c.points.iter());
    let x_max = all().map(|p| p.0).fold(1.0_f64, f64::max);
    let y_max = all().map(|p| p.1).fold(0.0_f64, f64::max);
    // Headroom for the legend (upper right), one line per run, above the curves.
    let headroom = 1.1 + 0.07 * curves.len() as f64;
    let y_max = if y_max > 0.0 { y_max * headroom } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 420)).into_drawing_area();
        let e = |e: &dyn std::fmt::Display| format!("{title}: {e}");
        root.fill(&WHITE).map_err(|x| e(&x))?;
        // The page's heading carries the title.
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .axis_desc_style(("sans-serif", 16))
            .label_style(("sans-serif", 14))
            .light_line_style(BLACK.mix(0.05))
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .draw()
            .map_err(|x| e(&x))?;
        for c in curves {
            let colour = PALETTE[c.run % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(c.points.clone(), colour.stroke_width(2)))
                .map_err(|x| e(&x))?
                .label(c.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(|x| e(&x))?;
        root.present().map_err(|x| e(&x))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn points_come_from_the_results_document() {
        let r = Run::of_doc(json!({
            "server_sends_per_second": [0, 10, 4],
            "series": {"stable_latency_per_second": [{"t": 2, "p50": 120}],
                       "op_latency_percentiles": [1, 2, 3]}}));
        assert_eq!(
            Measure::MessageRate.points(&r),
            Some(vec![(0.0, 0.0), (1.0, 10.0), (2.0, 4.0)])
        );
        assert_eq!(
            Measure::StableLatencyOverTime.points(&r),
            Some(vec![(2.5, 120.0)])
        );
        assert_eq!(Measure::OpLatencyOverTime.points(&r), None);
        assert_eq!(
            Measure::OpLatencyPercentiles.points(&r).map(|p| p.len()),
            Some(3)
        );
        assert_eq!(Measure::MessageRate.points(&Run::of_doc(json!({}))), None);
        let quiet = Run::of_doc(
            json!({"server_sends_per_second": [], "series": {"op_latency_per_second": []}}),
        );
        assert_eq!(Measure::MessageRate.points(&quiet), Some(vec![]));
        assert_eq!(Measure::OpLatencyOverTime.points(&quiet), None);
    }

    #[test]
    fn shared_axes_span_every_curve() {
        let curves = [
            Curve {
                label: "#1 short".into(),
                run: 0,
                points: vec![(0.0, 5.0), (3.0, 7.0)],
            },
            Curve {
                label: "#2 long".into(),
                run: 1,
                points: vec![(0.0, 1.0), (30.0, 2.0)],
            },
        ];
        let svg = draw(Measure::MessageRate, &curves).expect("drawn");
        assert!(
            svg.contains("#1 short") && svg.contains("#2 long"),
            "both in the legend"
        );
        assert!(
            svg.contains(">\n30\n</text>"),
            "the x axis reaches the longer run"
        );
        assert!(svg.contains("stroke=\"#1F77B4\"") || svg.contains("#1f77b4"));
        assert_eq!(css_colour(1), "#ff7f0e");
    }
}
