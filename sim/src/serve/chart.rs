//! Curves of several runs on one pair of shared axes, drawn server-side as SVG (plotters'
//! SVG backend, as the results folder's plots), and the curves the comparison view takes
//! from each run's `results.json`.

use plotters::prelude::*;

use super::runs::{Run, fmt_num};
use crate::report::document::PerSecondJson;

/// Distinct colours for up to ten runs (then they repeat): the results folder's plots' own.
pub const PALETTE: [RGBColor; 10] = crate::figures::draw::CATEGORY10;

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

/// What a comparison chart plots, and where each run's data is in its results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Measure {
    /// `server_sends_per_second`: server messages (node↔node, node↔service) sent in each second.
    MessageRate,
    /// A workload curve's (`series.workload[]` with this key) `per_second[].p50` against `t`.
    WorkloadOverTime {
        /// The curve's key.
        key: String,
        /// What it measures (`stable latency`).
        label: String,
        /// What a sample's time is.
        time_label: String,
    },
    /// A workload curve's `percentiles`.
    WorkloadPercentiles {
        /// The curve's key.
        key: String,
        /// What it measures.
        label: String,
    },
    /// `series.op_latency_per_second[].p50` against `t`.
    OpLatencyOverTime,
    /// `series.op_latency_percentiles`.
    OpLatencyPercentiles,
}

impl Measure {
    /// Every measure some of `runs` may have, in the order the comparison view shows them:
    /// the message rate, each workload curve (first seen first), operation latency.
    pub fn all(runs: &[Run]) -> Vec<Measure> {
        let mut out = vec![Measure::MessageRate];
        let curves = runs
            .iter()
            .filter_map(|r| r.doc.as_ref()?.series.as_ref())
            .flat_map(|s| &s.workload);
        for c in curves {
            let over_time = Measure::WorkloadOverTime {
                key: c.key.clone(),
                label: c.label.clone(),
                time_label: c.time_label.clone(),
            };
            if !out.contains(&over_time) {
                out.push(over_time);
                out.push(Measure::WorkloadPercentiles {
                    key: c.key.clone(),
                    label: c.label.clone(),
                });
            }
        }
        out.extend([Measure::OpLatencyOverTime, Measure::OpLatencyPercentiles]);
        out
    }

    /// Title, x axis and y axis descriptions.
    pub fn text(&self) -> (String, String, String) {
        let own = |s: &str| s.to_owned();
        match self {
            Measure::MessageRate => (
                own("Server messages (node↔node, node↔service) sent per second"),
                own("time (s since the run started)"),
                own("messages per second"),
            ),
            Measure::WorkloadOverTime {
                label, time_label, ..
            } => (
                format!(
                    "{} over time (median of the samples of each second)",
                    capital(label)
                ),
                format!("{time_label} (s since the run started)"),
                format!("{label} (ms)"),
            ),
            Measure::WorkloadPercentiles { label, .. } => (
                format!("{} by percentile", capital(label)),
                own("percentile"),
                format!("{label} (ms)"),
            ),
            Measure::OpLatencyOverTime => (
                own(
                    "Operation latency over time (median of the ok operations invoked in each second)",
                ),
                own("time invoked (s since the run started)"),
                own("latency (ms)"),
            ),
            Measure::OpLatencyPercentiles => (
                own("Operation latency by percentile (ok operations)"),
                own("percentile"),
                own("latency (ms)"),
            ),
        }
    }

    /// The run's points for this measure, or `None` if its results lack them.
    pub fn points(&self, run: &Run) -> Option<Vec<(f64, f64)>> {
        let doc = run.doc.as_ref()?;
        let indexed = |a: &[u64]| -> Vec<(f64, f64)> {
            a.iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v as f64))
                .collect()
        };
        let over_time = |a: &[PerSecondJson]| -> Vec<(f64, f64)> {
            a.iter().map(|v| (v.t as f64 + 0.5, v.p50 as f64)).collect()
        };
        let curve = |key: &str| {
            let series = doc.series.as_ref()?;
            series.workload.iter().find(|w| w.key == key)
        };
        let points = match self {
            Measure::MessageRate => indexed(doc.server_sends_per_second.as_ref()?),
            Measure::WorkloadOverTime { key, .. } => over_time(&curve(key)?.per_second),
            Measure::WorkloadPercentiles { key, .. } => indexed(curve(key)?.percentiles.as_ref()?),
            Measure::OpLatencyOverTime => over_time(&doc.series.as_ref()?.op_latency_per_second),
            Measure::OpLatencyPercentiles => {
                indexed(doc.series.as_ref()?.op_latency_percentiles.as_ref()?)
            }
        };
        // An empty rate is a run without node↔node messages (its curve is 0); empty latency
        // series have nothing to draw.
        (*self == Measure::MessageRate || !points.is_empty()).then_some(points)
    }
}

/// `text` with its first letter in capitals.
fn capital(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// Draws `curves` on shared axes (x from 0, or from the smallest x if negative; y from 0) and
/// returns the SVG document.
pub fn draw(measure: &Measure, curves: &[Curve]) -> Result<String, String> {
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
            "series": {"workload": [{"key": "stable_latency", "label": "stable latency",
                "per_second": [{"t": 2, "count": 1, "p50": 120, "p95": 120, "max": 120}]}],
                       "op_latency_percentiles": [1, 2, 3]}}));
        let measures = Measure::all(std::slice::from_ref(&r));
        assert_eq!(measures.len(), 5);
        let stable = &measures[1];
        assert_eq!(stable.text().2, "stable latency (ms)");
        assert_eq!(
            Measure::MessageRate.points(&r),
            Some(vec![(0.0, 0.0), (1.0, 10.0), (2.0, 4.0)])
        );
        assert_eq!(stable.points(&r), Some(vec![(2.5, 120.0)]));
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
        let svg = draw(&Measure::MessageRate, &curves).expect("drawn");
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
