//! The comparison view: two or more runs side by side, their figures in one table and their
//! message-rate and latency curves on shared axes.

use maud::{Markup, PreEscaped, html};

use super::chart::{self, Curve, Measure};
use super::figures;
use super::pages::{layout, run_url, verdict_badge};
use super::runs::Run;

/// A run's short name in legends and column headers: `#i workload seed`.
pub fn label(i: usize, run: &Run) -> String {
    let seed = run.seed().map_or(String::new(), |s| format!(" seed {s}"));
    format!("#{} {}{seed}", i + 1, run.workload())
}

/// Whether the runs' values of a row are not all the same (such rows are highlighted).
pub fn differs(values: &[Option<String>]) -> bool {
    values.windows(2).any(|w| w[0] != w[1])
}

/// One chart of the view: its SVG and the runs that lack its data.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The measure drawn.
    pub measure: Measure,
    /// The SVG document, if any run has the data.
    pub svg: Option<String>,
    /// Labels of the runs without the data.
    pub missing: Vec<String>,
}

/// The charts of the comparison of `runs` (measures no run has are left out).
pub fn panels(runs: &[Run]) -> Result<Vec<Panel>, String> {
    let mut out = Vec::new();
    for measure in Measure::ALL {
        let mut curves = Vec::new();
        let mut missing = Vec::new();
        for (i, run) in runs.iter().enumerate() {
            match measure.points(run) {
                Some(points) => curves.push(Curve {
                    label: label(i, run),
                    run: i,
                    points,
                }),
                None => missing.push(label(i, run)),
            }
        }
        if curves.is_empty() {
            continue;
        }
        let svg = Some(chart::draw(measure, &curves)?);
        out.push(Panel {
            measure,
            svg,
            missing,
        });
    }
    Ok(out)
}

/// The comparison page.
pub fn page(runs: &[Run], panels: &[Panel]) -> Markup {
    let rows = figures::table(runs);
    let body = html! {
        nav { a href="/" { "← all runs" } }
        h1 { "Comparison of " (runs.len()) " runs" }
        @if runs.len() < 2 {
            p.muted { "Only one run is selected: tick two or more on the list to compare them." }
        }
        table.compare {
            thead { tr {
                th { "" }
                @for (i, run) in runs.iter().enumerate() {
                    th {
                        span.swatch style={ "background:" (chart::css_colour(i)) } {}
                        a href=(run_url(&run.rel)) { (label(i, run)) }
                        br; (verdict_badge(run))
                        br; code.muted { (run.rel) }
                    }
                }
            } }
            tbody { @for (label, values) in &rows {
                tr class=[(*label != "written" && differs(values)).then_some("differs")] {
                    th { (label) }
                    @for v in values {
                        @match v {
                            Some(v) if matches!(*label, "flags" | "node config") => td.code { code { (v) } },
                            Some(v) => td { (v) },
                            None => td.muted { "–" },
                        }
                    }
                }
            } }
        }
        @for p in panels {
            h2 { (p.measure.text().0) }
            @if let Some(svg) = &p.svg {
                div.chart { (PreEscaped(svg)) }
            }
            @if !p.missing.is_empty() {
                p.muted { "Not in the results of: " (p.missing.join(", ")) }
            }
        }
        @if panels.is_empty() {
            p.muted { "None of these runs' results holds curves (older results.json)." }
        }
    };
    layout(
        &format!("Comparison of {} runs · glomers-sim", runs.len()),
        body,
    )
}
