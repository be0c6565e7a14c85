//! The HTML pages (maud templates): the list of runs, a run, and "not found". Everything a
//! page needs is in it (inline style, no script, no asset from elsewhere).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::figures::figures;
use super::files::{self, Artifacts, Entry};
use super::paths::{encode_path, encode_query};
use super::runs::{Run, fmt_num};

/// The pages' style sheet.
const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 1.2em 2em; color: #222; background: #fff; }
h1 { font-size: 1.5em; margin: 0.3em 0; } h2 { font-size: 1.15em; margin-top: 1.6em; }
a { color: #1a5fb4; } nav { font-size: 0.95em; margin-bottom: 0.6em; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.55em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.7em; overflow-x: auto; }
.verdict { font-weight: bold; padding: 0.1em 0.5em; border-radius: 0.3em; color: #fff; }
.verdict.valid { background: #26a269; } .verdict.invalid { background: #c01c28; }
.verdict.unknown { background: #c88800; } .verdict.unreadable, .verdict.aborted { background: #888; }
tr.valid td:first-child { border-left: 5px solid #26a269; }
tr.invalid td:first-child { border-left: 5px solid #c01c28; }
tr.unknown td:first-child { border-left: 5px solid #c88800; }
tr.unreadable td:first-child, tr.aborted td:first-child { border-left: 5px solid #888; }
.muted { color: #777; } .swatch { display: inline-block; width: 1.4em; height: 0.5em; margin-right: 0.4em; }
img.plot { max-width: 100%; border: 1px solid #ddd; margin: 0.4em 0; }
iframe.diagram { width: 100%; height: 75vh; border: 1px solid #ddd; margin: 0.4em 0; }
figure { margin: 0.8em 0; } figcaption { font-size: 0.85em; color: #555; }
.chart svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 0 1.5em; }
.charts h2 { font-size: 1em; }
tr.differs th { background: #fff3bf; } tr.differs td { background: #fffbe6; }
td.code { max-width: 32em; overflow-wrap: anywhere; }
button { font-size: 1em; padding: 0.35em 1em; margin: 0.8em 0; }
"#;

/// A whole page around `body`.
pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// The URL of a run folder (or of a file in it).
pub fn run_url(rel: &str) -> String {
    format!("/runs/{}/", encode_path(rel))
}

fn file_url(run: &Run, file: &str) -> String {
    format!("{}{}", run_url(&run.rel), encode_path(file))
}

/// The badge of a verdict.
pub fn verdict_badge(run: &Run) -> Markup {
    html! { span class={ "verdict " (run.verdict.name()) } { (run.verdict.name()) } }
}

fn opt(v: Option<String>) -> Markup {
    match v {
        Some(v) => html! { (v) },
        None => html! { span.muted { "–" } },
    }
}

/// The list of every run, newest first, with checkboxes to compare runs.
pub fn list(store: &str, runs: &[Run]) -> Markup {
    let body = html! {
        h1 { "glomers-sim results" }
        p.muted { "Store " code { (store) } " · " (runs.len()) " runs, newest first. "
            "Tick two or more runs and compare them side by side." }
        @if runs.is_empty() {
            p { "No runs yet: " code { "glomers-sim test …" } " writes one folder per run here." }
        } @else {
            form action="/compare" method="get" {
                table.runs {
                    thead { tr {
                        th { "compare" } th { "written" } th { "workload" } th { "flags" }
                        th { "seed" } th { "verdict" } th { "ops" } th { "msgs-per-op" }
                        th { "latency 0.5 / 0.95 / max (ms)" } th { "folder" }
                    } }
                    tbody {
                        @for run in runs { (list_row(run)) }
                    }
                }
                button type="submit" { "Compare selected runs" }
            }
        }
    };
    layout("glomers-sim results", body)
}

fn list_row(run: &Run) -> Markup {
    let latency = run.latency().map(|(kind, [a, b, c])| {
        format!("{} / {} / {} ({kind})", fmt_num(a), fmt_num(b), fmt_num(c))
    });
    html! {
        tr class=(run.verdict.name()) {
            td { input type="checkbox" name="run" value=(run.rel) aria-label={ "compare " (run.rel) }; }
            td { a href=(run_url(&run.rel)) { (run.when()) } }
            td { (run.workload()) }
            td { @if run.doc.is_none() {
                span.muted { (run.problem.clone().unwrap_or_default()) }
            } @else {
                code { (run.flags()) }
                @if let Some(d) = run.node_description().filter(|d| !d.is_empty()) {
                    br; span.muted { (d) }
                }
            } }
            td.num { (opt(run.seed().map(|s| s.to_string()))) }
            td { (verdict_badge(run)) }
            td.num { (opt(run.op_count().map(|n| n.to_string()))) }
            td.num { (opt(run.msgs_per_op().map(fmt_num))) }
            td.num { (opt(latency)) }
            td { a href=(run_url(&run.rel)) { code { (run.rel) } } }
        }
    }
}

fn entry_list(run: &Run, entries: &[Entry]) -> Markup {
    html! {
        ul { @for e in entries {
            li { a href=(file_url(run, &e.rel)) { (e.rel) } " " span.muted { "(" (files::human_size(e.size)) ")" } }
        } }
    }
}

/// A run's page: figures, diagram, timeline, plots, summary, node logs and other files.
pub fn run(run: &Run, art: &Artifacts, summary: Option<&str>) -> Markup {
    let title = format!(
        "{} · seed {}",
        run.workload(),
        run.seed().map_or("?".into(), |s| s.to_string())
    );
    let compare = format!("/compare?run={}", encode_query(&run.rel));
    let body = html! {
        nav { a href="/" { "← all runs" } " · " a href=(compare) { "curves" } }
        h1 { (title) " " (verdict_badge(run)) }
        p.muted { "Folder " code { (run.rel) } }
        h2 { "Figures" }
        table.figures { tbody { @for (label, value) in figures(run) {
            tr { th { (label) } td { @if matches!(label.as_str(), "flags" | "node config") { code { (value) } } @else { (value) } } }
        } } }
        h2 { "Diagram" }
        @if let Some(d) = &art.diagram {
            p { "Every message between nodes and clients; hover an arrow for the message. "
                a href=(file_url(run, &d.rel)) { "Open messages.svg alone" }
                " (" (files::human_size(d.size)) ")." }
            // A frame shows the diagram at its own size, scrolled within the page (an <object>
            // or <img> would shrink a long run's diagram to fit), hover titles included.
            iframe.diagram src=(file_url(run, &d.rel)) title="messages.svg: the spacetime diagram" {}
        } @else {
            p.muted { "This folder has no messages.svg." }
        }
        h2 { "Timeline" }
        @if let Some(t) = &art.timeline {
            p { a href=(file_url(run, &t.rel)) { "timeline.html" } ": each client's operations as a track." }
        } @else {
            p.muted { "This folder has no timeline.html." }
        }
        @if !art.plots.is_empty() {
            h2 { "Plots" }
            @for p in &art.plots {
                figure {
                    a href=(file_url(run, &p.rel)) {
                        img.plot src=(file_url(run, &p.rel)) alt=(p.rel) loading="lazy";
                    }
                    figcaption { (p.rel) }
                }
            }
        }
        h2 { "Summary" }
        @match summary {
            Some(text) => pre { (text) },
            None => p.muted { "No summary.txt." },
        }
        @if !art.history.is_empty() {
            h2 { "History" }
            (entry_list(run, &art.history))
        }
        @if !art.node_logs.is_empty() {
            h2 { "Node logs" }
            (entry_list(run, &art.node_logs))
        }
        h2 { "Files" }
        (entry_list(run, &art.other))
    };
    layout(&format!("{title} · glomers-sim"), body)
}

/// The page for anything not found.
pub fn not_found(what: &str) -> Markup {
    let body = html! {
        h1 { "Not found" }
        p { (what) }
        p { a href="/" { "← all runs" } }
    };
    layout("Not found · glomers-sim", body)
}
