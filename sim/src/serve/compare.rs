//! The comparison view: two or more runs side by side, their figures in one table and their
//! message-rate and latency curves on shared axes.

use maud::{Markup, PreEscaped, html};

use super::chart::{self, Curve, Measure};
use super::figures;
use super::pages::{layout, run_url, verdict_badge};
use super::runs::Run;

/// A run's short name in legends and column headers: `#i workload seed N`, then the node
/// configuration's name (the head of its description, such as `3e`) or the node binary's
/// file name, so that runs of one seed are told apart.
pub fn label(i: usize, run: &Run) -> String {
    let seed = run.seed().map_or(String::new(), |s| format!(" seed {s}"));
    let nodes = run
        .node_description()
        .and_then(|d| d.split([':', ',']).next())
        .or_else(|| {
            let bin = run.node_bin()?;
            bin.rsplit(['/', '\\']).next()
        })
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 24)
        .map_or(String::new(), |n| format!(" · {n}"));
    format!("#{} {}{seed}{nodes}", i + 1, run.workload())
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
    for measure in Measure::all(runs) {
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
        // A chart of nothing but zeros (operation latency of a workload whose clients wait
        // for nothing) says no more than its note.
        let all_zero = curves.iter().all(|c| c.points.iter().all(|p| p.1 == 0.0));
        let svg = if all_zero {
            None
        } else {
            Some(chart::draw(&measure, &curves)?)
        };
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
                tr class=[(label != "written" && differs(values)).then_some("differs")] {
                    th { (label) }
                    @for v in values {
                        @match v {
                            Some(v) if matches!(label.as_str(), "flags" | "node config") => td.code { code { (v) } },
                            Some(v) => td { (v) },
                            None => td.muted { "–" },
                        }
                    }
                }
            } }
        }
        div.charts { @for p in panels {
            section {
                h2 { (p.measure.text().0) }
                @if let Some(svg) = &p.svg {
                    div.chart { (PreEscaped(svg)) }
                }
                @if p.svg.is_none() {
                    p.muted { "Every run's value is 0 throughout." }
                } @else if !p.missing.is_empty() {
                    p.muted { "Not in the results of: " (p.missing.join(", ")) }
                }
            }
        } }
        @if panels.is_empty() {
            p.muted { "None of these runs' results holds curves (older results.json)." }
        }
    };
    layout(
        &format!("Comparison of {} runs · glomers-sim", runs.len()),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_tell_runs_of_one_seed_apart() {
        let preset = Run::of_doc(json!({"workload": "broadcast", "seed": 5,
            "nodes": {"kind": "in-process", "description": "3d: star, 350 ms rounds"}}));
        let tree = Run::of_doc(json!({"workload": "broadcast",
            "nodes": {"kind": "in-process", "description": "tree of fanout 4, 1 s rounds: more hops"}}));
        assert_eq!(label(3, &tree), "#4 broadcast · tree of fanout 4");
        assert_eq!(label(0, &preset), "#1 broadcast seed 5 · 3d");
        let binary = Run::of_doc(json!({"workload": "echo", "seed": 1,
            "nodes": {"kind": "process", "bin": "/x/target/release/my-node", "args": []}}));
        assert_eq!(label(1, &binary), "#2 echo seed 1 · my-node");
        assert_eq!(label(2, &Run::of_doc(json!({}))), "#3 ?");
        assert!(differs(&[Some("a".into()), None]));
        assert!(!differs(&[Some("a".into()), Some("a".into())]));
    }
}
