//! The linearization diagram of a key that is not linearizable (Knossos's `linear.svg`):
//! the operations around the failure, one track per process, time flowing right; `:ok`
//! operations blue, crashed ones orange and open-ended, the operation that cannot be
//! linearized red, the previous `:ok` one outlined green; below, the final paths: each order
//! of the pending operations that was tried, with the register after every step and the
//! step the register refused.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::checkers::linearizable::present::{edn, op_edn};
use crate::checkers::linearizable::{KeyOp, KeyOutcome, KeyResult, Model, ShownOp};

/// Operations drawn at most.
const MAX_OPS: usize = 60;

fn label(f: &str, v: &Value) -> String {
    match (f, v.as_array().map(Vec::as_slice)) {
        ("cas", Some([a, b])) => format!("cas {}→{}", edn(a), edn(b)),
        ("write", _) => format!("w {}", edn(v)),
        _ => format!("r {}", edn(v)),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn step_text(op: &Option<ShownOp>, model: &Model) -> String {
    let op = op.as_ref().map_or("start".into(), |o| {
        format!("{} (p{})", label(o.f.name(), &o.value), o.process)
    });
    match model {
        Model::Register(v) => format!("{op} ⇒ {}", edn(v)),
        Model::Inconsistent(msg) => format!("{op} ✗ {msg}"),
    }
}

/// The diagram of `r`, if its key is not linearizable.
pub fn render(r: &KeyResult) -> Option<String> {
    let KeyOutcome::NotLinearizable(failure) = &r.outcome else {
        return None;
    };
    let end = failure.op.time_ns;
    let target_invoke = r
        .ops
        .iter()
        .find(|o| o.complete.map(|c| c.0) == Some(failure.op.index))
        .map_or(end, |o| o.invoke.1);
    let prev = failure.previous_ok.as_ref().map(|p| p.index);
    let pending_start = r
        .ops
        .iter()
        .filter(|o| o.invoke.1 <= end && o.complete.is_none_or(|c| c.1 >= end))
        .filter(|o| o.complete.is_some())
        .map(|o| o.invoke.1)
        .min()
        .unwrap_or(target_invoke);
    let prev_start = r
        .ops
        .iter()
        .find(|o| o.complete.map(|c| c.0) == prev)
        .map_or(target_invoke, |o| o.invoke.1);
    let start = pending_start.min(prev_start).min(target_invoke);
    let mut shown: Vec<&KeyOp> = r
        .ops
        .iter()
        .filter(|o| o.invoke.1 <= end && o.complete.is_none_or(|c| c.1 >= start))
        .collect();
    if shown.len() > MAX_OPS {
        shown.drain(..shown.len() - MAX_OPS);
    }
    let start = shown.iter().map(|o| o.invoke.1).min().unwrap_or(start);
    let span = (end.saturating_sub(start)).max(1) as f64;
    let tracks: BTreeMap<u64, usize> = {
        let mut ps: Vec<u64> = shown.iter().map(|o| o.process).collect();
        ps.sort_unstable();
        ps.dedup();
        ps.into_iter().enumerate().map(|(i, p)| (p, i)).collect()
    };
    let (left, width, row) = (90.0, 900.0, 34.0);
    let x = |t: u64| left + (t.saturating_sub(start)) as f64 / span * width * 0.9;
    let top = 70.0;
    let paths_top = top + tracks.len() as f64 * row + 30.0;
    let path_lines: usize =
        failure.final_paths.iter().map(Vec::len).sum::<usize>() + failure.final_paths.len();
    let height = paths_top + 20.0 + path_lines as f64 * 16.0 + 20.0;
    let total_width = left + width + 40.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total_width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {total_width:.0} {height:.0}\">\n<style>text{{font-family:sans-serif;font-size:12px}}\
         .t{{font-size:16px;font-weight:bold}}.ok{{fill:#6baed6}}.info{{fill:#fdae6b}}\
         .bad{{fill:#e6550d;stroke:#a50f15;stroke-width:2}}.prev{{stroke:#31a354;stroke-width:3}}\
         .lane{{stroke:#ddd}}</style>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        out,
        "<text class=\"t\" x=\"10\" y=\"24\">key {} is not linearizable: {}</text>",
        escape(&edn(&r.key)),
        escape(&label(failure.op.f.name(), &failure.op.value))
    );
    let _ = writeln!(
        out,
        "<text x=\"10\" y=\"44\">red: the operation no order of the others can explain; green outline: the previous ok operation; orange: crashed (may take effect any time after it began, or never). {:.1} ms shown.</text>",
        span / 1e6
    );
    for (&p, &i) in &tracks {
        let y = top + i as f64 * row;
        let _ = writeln!(
            out,
            "<text x=\"10\" y=\"{:.0}\">process {p}</text><line class=\"lane\" x1=\"{left}\" x2=\"{:.0}\" y1=\"{:.0}\" y2=\"{:.0}\"/>",
            y + 16.0,
            left + width,
            y + row - 4.0,
            y + row - 4.0
        );
    }
    for o in &shown {
        let y = top + tracks[&o.process] as f64 * row;
        let x0 = x(o.invoke.1);
        let x1 = o.complete.map_or(left + width, |c| x(c.1)).max(x0 + 6.0);
        let is_target = o.complete.map(|c| c.0) == Some(failure.op.index);
        let class = if is_target {
            "bad"
        } else if o.complete.is_none() {
            "info"
        } else if o.complete.map(|c| c.0) == prev {
            "ok prev"
        } else {
            "ok"
        };
        let shown_op = ShownOp {
            process: o.process,
            kind: if o.complete.is_some() {
                crate::history::OpType::Ok
            } else {
                crate::history::OpType::Info
            },
            f: o.f,
            value: o.value.clone(),
            index: o.complete.or(o.info).unwrap_or(o.invoke).0,
            time_ns: o.complete.or(o.info).unwrap_or(o.invoke).1,
        };
        let _ = writeln!(
            out,
            "<g><title>{}</title><rect class=\"{class}\" x=\"{x0:.1}\" y=\"{:.0}\" width=\"{:.1}\" height=\"{:.0}\" rx=\"3\"/><text x=\"{:.1}\" y=\"{:.0}\">{}</text></g>",
            escape(&op_edn(&shown_op)),
            y + 2.0,
            x1 - x0,
            row - 10.0,
            x0 + 3.0,
            y + 18.0,
            escape(&label(o.f.name(), &o.value))
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"t\" x=\"10\" y=\"{paths_top:.0}\">Final paths (orders of the pending operations tried before the red one)</text>"
    );
    let mut y = paths_top + 20.0;
    for (i, path) in failure.final_paths.iter().enumerate() {
        let _ = writeln!(out, "<text x=\"10\" y=\"{y:.0}\">path {}:</text>", i + 1);
        y += 16.0;
        for step in path {
            let _ = writeln!(
                out,
                "<text x=\"40\" y=\"{y:.0}\">{}</text>",
                escape(&step_text(&step.op, &step.model))
            );
            y += 16.0;
        }
    }
    out.push_str("</svg>\n");
    Some(out)
}
