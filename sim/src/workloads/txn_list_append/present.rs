//! The txn-list-append checker's result as Maelstrom prints it (`:workload {…}`), as the
//! `--json` document's workload fields and figures, its transactions' values in EDN
//! (`[[:append 1 2] [:r 1 [1 2]]]`), and as files in the results folder: Elle's
//! `elle/<type>.txt` (each cycle explained step by step, `elle/core.clj` `write-cycles!`),
//! `elle/incompatible-order/<key>.html` (every read of the key against the longest,
//! `elle/list_append.clj` `render-incompatible-orders!`) and `elle/anomalies.html`, one page
//! with every reportable anomaly and each cycle drawn.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::check::ListAppendResult;
use super::history::{Mop, Txn};
use super::kinds::{AnomalyType, Case, Rel, Step};
use super::rpc::mop_json;
use crate::checkers::{Validity, Verdict};
use crate::figures::{Artifact, Figure};
use crate::history::{Op, OpValue};
use crate::workloads::elle::summary::{models_edn, write_anomalies};
use crate::workloads::txn_rw_register::TXN;

/// Cases per type written to the results folder's files.
pub const FILE_CASES: usize = 100;

/// The `:workload` entry of the summary, one line per anomaly case shown.
pub fn workload_edn(r: &ListAppendResult) -> String {
    let mut out = String::new();
    let _ = write!(out, " :workload {{:valid? {}", r.valid);
    if let Some(e) = &r.error {
        let _ = writeln!(out, ", :error {e:?}}},");
        return out;
    }
    if r.anomalies.is_empty() {
        let _ = writeln!(out, "}},");
        return out;
    }
    let types: Vec<String> = r.anomaly_types.iter().map(|t| t.to_string()).collect();
    let _ = write!(out, ", :anomaly-types ({})", types.join(" "));
    let name = |t: usize| r.txns[t].edn();
    write_anomalies(
        &mut out,
        &r.anomaly_types,
        &r.anomalies,
        |c| c.edn(&name),
        &r.not,
        &r.also_not,
    );
    out
}

/// A transaction as `{index, type, process, time_ns, value}`.
pub fn txn_json(t: &Txn) -> Value {
    json!({
        "index": t.index,
        "type": t.outcome.name(),
        "process": t.process,
        "time_ns": t.complete_ns,
        "value": t.mops.iter().map(mop_json).collect::<Vec<_>>(),
    })
}

fn step_json(s: &Step) -> Value {
    json!({
        "type": s.rel.name(),
        "key": s.key,
        "value": s.value,
        "value'": s.value2,
    })
}

fn case_json(r: &ListAppendResult, c: &Case) -> Value {
    let t = |i: usize| txn_json(&r.txns[i]);
    match c {
        Case::Read {
            op,
            mop,
            writer,
            element,
        } => json!({"op": t(*op), "mop": mop_json(mop), "writer": t(*writer), "element": element}),
        Case::Internal { op, mop, expected } => json!({
            "op": t(*op),
            "mop": mop_json(mop),
            "expected": expected.edn(),
        }),
        Case::FutureRead { op, mop, element } => {
            json!({"op": t(*op), "mop": mop_json(mop), "element": element})
        }
        Case::Duplicates {
            op,
            mop,
            duplicates,
        } => json!({
            "op": t(*op),
            "mop": mop_json(mop),
            "duplicates": duplicates.iter().map(|(e, n)| (e.to_string(), json!(n)))
                .collect::<serde_json::Map<_, _>>(),
        }),
        Case::IncompatibleOrder { key, values } => json!({"key": key, "values": values}),
        Case::DirtyUpdate { key, values, txns } => json!({
            "key": key,
            "values": values,
            "txns": [t(txns.0), t(txns.1)],
        }),
        Case::LostUpdate { key, value, txns } => json!({
            "key": key,
            "value": value,
            "txns": txns.iter().map(|&i| t(i)).collect::<Vec<_>>(),
        }),
        Case::Cycle { steps } => json!({
            "cycle": steps.iter().map(|s| t(s.from)).collect::<Vec<_>>(),
            "steps": steps.iter().map(step_json).collect::<Vec<_>>(),
        }),
        Case::Marker => json!(true),
    }
}

/// The workload fields of the `--json` document.
pub fn workload_json(r: &ListAppendResult) -> Value {
    let anomalies: serde_json::Map<String, Value> = r
        .anomalies
        .iter()
        .map(|(t, cases)| {
            let cases: Vec<Value> = cases.iter().map(|c| case_json(r, c)).collect();
            (t.name().to_string(), Value::Array(cases))
        })
        .collect();
    json!({
        "workload_valid": r.valid.json(),
        "consistency_models": r.consistency_models,
        "anomaly_types": r.anomaly_types.iter().map(|t| t.name()).collect::<Vec<_>>(),
        "anomalies": anomalies,
        "all_anomaly_counts": r.all_anomalies.iter()
            .map(|(t, c)| (t.name().to_string(), json!(c.len())))
            .collect::<serde_json::Map<_, _>>(),
        "not": r.not,
        "also_not": r.also_not,
        "error": r.error,
        "txn_count": r.txns.len(),
    })
}

/// Why `a` precedes `b`, in Elle's words (`render-explanation` of each explainer).
pub fn step_text(r: &ListAppendResult, s: &Step, a: &str, b: &str) -> String {
    let v = |x: Option<i64>| x.map_or("nil".into(), |x| x.to_string());
    match s.rel {
        Rel::Ww => format!(
            "{b} appended {} after {a} appended {} to {}",
            v(s.value2),
            v(s.value),
            s.key
        ),
        Rel::Wr => format!(
            "{b} observed {a}'s append of {} to key {}",
            v(s.value),
            s.key
        ),
        Rel::Rw if s.value.is_none() => format!(
            "{a} observed the initial (nil) state of {}, which {b} created by appending {}",
            s.key,
            v(s.value2)
        ),
        Rel::Rw => format!(
            "{a} did not observe {b}'s append of {} to {}",
            v(s.value2),
            s.key
        ),
        Rel::Realtime => {
            let (ta, tb) = (&r.txns[s.from], &r.txns[s.to]);
            let dt = tb.invoke_ns.saturating_sub(ta.complete_ns);
            format!(
                "{a} completed at index {}, {:.3} seconds before the invocation of {b}, at \
                 index {}",
                ta.index,
                dt as f64 / 1e9,
                tb.invoke_index
            )
        }
        Rel::Process => format!("process {} executed {a} before {b}", r.txns[s.from].process),
    }
}

/// A cycle explained as Elle's `write-cycles!` writes it: the transactions named T1, T2, …,
/// then each step, the last one "a contradiction!".
pub fn cycle_text(r: &ListAppendResult, steps: &[Step]) -> String {
    let names: Vec<String> = (1..=steps.len()).map(|i| format!("T{i}")).collect();
    let mut out = String::from("Let:\n");
    for (n, s) in names.iter().zip(steps) {
        let _ = writeln!(out, "  {n} = {}", r.txns[s.from].edn());
    }
    out.push_str("\nThen:\n");
    for (i, s) in steps.iter().enumerate() {
        let (a, b) = (&names[i], &names[(i + 1) % names.len()]);
        let why = step_text(r, s, a, b);
        if i + 1 == steps.len() {
            let _ = write!(
                out,
                "  - However, {a} < {b}, because {why}: a contradiction!"
            );
        } else {
            let _ = writeln!(out, "  - {a} < {b}, because {why}.");
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cycle drawn as SVG: its transactions on a circle, each step an arrow labelled with its
/// relation (and key).
pub fn cycle_svg(steps: &[Step]) -> String {
    let n = steps.len().max(1);
    let (w, h, rad) = (420.0, 300.0, 105.0);
    let pos = |i: usize| {
        let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        (w / 2.0 + rad * 1.3 * a.cos(), h / 2.0 + rad * a.sin())
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\"><defs><marker id=\"arr\" \
         viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>\
         </defs>"
    );
    for (i, s) in steps.iter().enumerate() {
        let (x1, y1) = pos(i);
        let (x2, y2) = pos((i + 1) % n);
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let (ax, ay, bx, by) = (
            x1 + ux * 26.0,
            y1 + uy * 16.0,
            x2 - ux * 26.0,
            y2 - uy * 16.0,
        );
        let color = match s.rel {
            Rel::Ww => "#1f77b4",
            Rel::Wr => "#2ca02c",
            Rel::Rw => "#d62728",
            Rel::Realtime | Rel::Process => "#7f7f7f",
        };
        let label = match s.rel {
            Rel::Realtime | Rel::Process => s.rel.name().to_string(),
            _ => format!("{} k{}", s.rel.name(), s.key),
        };
        let _ = write!(
            svg,
            "<line x1=\"{ax:.1}\" y1=\"{ay:.1}\" x2=\"{bx:.1}\" y2=\"{by:.1}\" stroke=\"{color}\" \
             stroke-width=\"2\" marker-end=\"url(#arr)\"/><text x=\"{:.1}\" y=\"{:.1}\" \
             fill=\"{color}\" text-anchor=\"middle\">{}</text>",
            (ax + bx) / 2.0 - uy * 12.0,
            (ay + by) / 2.0 + ux * 12.0,
            esc(&label)
        );
    }
    for i in 0..steps.len() {
        let (x, y) = pos(i);
        let _ = write!(
            svg,
            "<ellipse cx=\"{x:.1}\" cy=\"{y:.1}\" rx=\"24\" ry=\"14\" fill=\"#fff\" \
             stroke=\"#333\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">T{}</text>",
            y + 4.0,
            i + 1
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `elle/incompatible-order/<key>.html`: every read of `key` by an `:ok` transaction, each
/// element that disagrees with the longest read highlighted.
pub fn incompatible_order_html(r: &ListAppendResult, key: i64) -> String {
    let longest = r.longest.get(&key).cloned().unwrap_or_default();
    let mut out = format!(
        "<html><head><style>th {{ text-align: left; }} td.bad {{ background: #f4b6b6; }}\
         </style></head><body><h1>All Reads of {key}</h1><table><thead><tr><th>Index</th>\
         <th>Time (s)</th><th>Process</th><th>Fun</th><th colspan=\"32\">Value</th></tr>\
         </thead><tbody>"
    );
    for t in r.txns.iter().filter(|t| t.is_ok()) {
        for m in &t.mops {
            if let Mop::Read(k, Some(v)) = m
                && *k == key
            {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{:.2}</td><td>{}</td><td>txn</td>",
                    t.index,
                    t.complete_ns as f64 / 1e9,
                    t.process
                );
                for (i, e) in v.iter().enumerate() {
                    let class = if longest.get(i) == Some(e) {
                        ""
                    } else {
                        " class=\"bad\""
                    };
                    let _ = write!(out, "<td{class}>{e}</td>");
                }
                out.push_str("</tr>");
            }
        }
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}

/// `elle/anomalies.html`: the verdict, then each reportable anomaly type with its cases; each
/// cycle drawn and explained.
pub fn anomalies_html(r: &ListAppendResult) -> String {
    let mut out = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Elle list-append \
         anomalies</title><style>body{font-family:sans-serif;max-width:70em;margin:2em auto}\
         pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}.case{border-top:1px solid \
         #ccc;padding:.5em 0}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>txn-list-append: :valid? {}</h1><p>Models checked: {}. Not: {}; also not: {}.</p>",
        r.valid,
        esc(&r.consistency_models.join(", ")),
        esc(&models_edn(&r.not)),
        esc(&models_edn(&r.also_not))
    );
    if let Some(e) = &r.error {
        let _ = write!(out, "<p>The analysis threw: <code>{}</code></p>", esc(e));
    }
    let name = |t: usize| r.txns[t].edn();
    for t in &r.anomaly_types {
        let cases = &r.anomalies[t];
        let _ = write!(
            out,
            "<h2 id=\"{0}\">{1} ({2} case(s))</h2><p>{3}</p>",
            t.name(),
            esc(&t.to_string()),
            cases.len(),
            esc(describe(*t))
        );
        for (i, c) in cases.iter().take(FILE_CASES).enumerate() {
            out.push_str("<div class=\"case\">");
            match c {
                Case::Cycle { steps } => {
                    let _ = write!(
                        out,
                        "<h3>{} #{i}</h3>{}<pre>{}</pre>",
                        t.name(),
                        cycle_svg(steps),
                        esc(&cycle_text(r, steps))
                    );
                }
                Case::IncompatibleOrder { key, .. } => {
                    let _ = write!(
                        out,
                        "<pre>{}</pre><p><a href=\"incompatible-order/{key}.html\">every read \
                         of key {key}</a></p>",
                        esc(&c.edn(&name))
                    );
                }
                _ => {
                    let _ = write!(out, "<pre>{}</pre>", esc(&c.edn(&name)));
                }
            }
            out.push_str("</div>");
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// A sentence on what the anomaly means.
pub fn describe(t: AnomalyType) -> &'static str {
    match t {
        AnomalyType::G1a => {
            "Aborted read: a committed read holds an element a failed transaction appended."
        }
        AnomalyType::G1b => {
            "Intermediate read: a committed read ends at an element its appender appended past within the same transaction."
        }
        AnomalyType::Internal => {
            "A read disagrees with the transaction's own earlier reads and appends of that key."
        }
        AnomalyType::FutureRead => {
            "A read holds an element that the same transaction appends only later."
        }
        AnomalyType::DuplicateElements => "A read holds the same element more than once.",
        AnomalyType::IncompatibleOrder => {
            "Two reads of a key disagree on the order of its appends: the shorter is no prefix of the longer."
        }
        AnomalyType::DirtyUpdate => "Along a key's order, a committed append follows a failed one.",
        AnomalyType::LostUpdate => {
            "Committed transactions read the same state of a key and each appended to it."
        }
        AnomalyType::EmptyTransactionGraph => {
            "No dependency between transactions could be inferred: nothing to check."
        }
        AnomalyType::CycleSearchTimeout => {
            "A strongly connected component was too large to search completely."
        }
        t if t.is_cycle() => {
            "A cycle of dependencies: no order of the transactions explains what each observed."
        }
        _ => "",
    }
}

/// The results folder's files, each with what it holds.
pub fn artifacts(r: &ListAppendResult) -> Vec<Artifact> {
    let file = |file_name: String, what: String, contents: Vec<u8>| Artifact {
        file_name,
        what,
        contents,
    };
    let mut files = Vec::new();
    for (t, cases) in &r.anomalies {
        let cycles: Vec<&Vec<Step>> = cases
            .iter()
            .filter_map(|c| match c {
                Case::Cycle { steps } => Some(steps),
                _ => None,
            })
            .take(FILE_CASES)
            .collect();
        if !cycles.is_empty() {
            let text: Vec<String> = cycles
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} #{i}\n{}", t.name(), cycle_text(r, s)))
                .collect();
            files.push(file(
                format!("elle/{}.txt", t.name()),
                format!(
                    "each {} cycle explained step by step (at most {FILE_CASES})",
                    t.name()
                ),
                text.join("\n\n\n").into_bytes(),
            ));
        } else if !matches!(t, AnomalyType::EmptyTransactionGraph) {
            let name = |i: usize| r.txns[i].edn();
            let text: Vec<String> = cases
                .iter()
                .take(FILE_CASES)
                .map(|c| c.edn(&name))
                .collect();
            files.push(file(
                format!("elle/{}.txt", t.name()),
                format!("each {} case in EDN (at most {FILE_CASES})", t.name()),
                (text.join("\n") + "\n").into_bytes(),
            ));
        }
    }
    for &key in r.longest.keys() {
        files.push(file(
            format!("elle/incompatible-order/{key}.html"),
            format!("every read of key {key} against its longest read"),
            incompatible_order_html(r, key).into_bytes(),
        ));
    }
    if !r.anomalies.is_empty() || r.error.is_some() {
        files.push(file(
            "elle/anomalies.html".into(),
            "every reportable anomaly, each cycle drawn".into(),
            anomalies_html(r).into_bytes(),
        ));
    }
    files
}

/// The figures of a run: the models checked, the anomaly types that make it invalid, every
/// anomaly found with its count and the models those rule out.
pub fn figures(r: &ListAppendResult) -> Vec<Figure> {
    crate::workloads::elle::figures(
        &r.consistency_models,
        &r.anomaly_types,
        r.all_anomalies.iter().map(|(t, cases)| (*t, cases.len())),
        r.not.iter().chain(&r.also_not).copied(),
    )
}

/// A transaction's micro-operations in EDN with their functions as keywords
/// (`[[:append 1 2] [:r 1 [1 2]] [:r 3 nil]]`), as Jepsen prints them; `None` if the value is
/// not a list of `[f, key, value]` with integer, `null` or integer-list arguments.
fn txn_edn(value: &OpValue) -> Option<String> {
    fn arg(out: &mut String, v: &Value) -> Option<()> {
        match v {
            Value::Null => out.push_str("nil"),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    let Value::Number(n) = item else {
                        return None;
                    };
                    let _ = write!(out, "{n}");
                }
                out.push(']');
            }
            _ => return None,
        }
        Some(())
    }
    let OpValue::Json(Value::Array(mops)) = value else {
        return None;
    };
    let mut out = String::from("[");
    for (i, mop) in mops.iter().enumerate() {
        let (Value::String(f), args) = mop.as_array()?.split_first()? else {
            return None;
        };
        let _ = write!(out, "{}[:{f}", if i > 0 { " " } else { "" });
        for a in args {
            out.push(' ');
            arg(&mut out, a)?;
        }
        out.push(']');
    }
    out.push(']');
    Some(out)
}

impl Verdict for ListAppendResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        out.push_str(&workload_edn(self));
    }

    fn json(&self) -> serde_json::Map<String, Value> {
        match workload_json(self) {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        }
    }

    fn artifacts(&self) -> Vec<Artifact> {
        artifacts(self)
    }

    fn figures(&self) -> Vec<Figure> {
        figures(self)
    }

    fn value_edn(&self, op: &Op) -> Option<String> {
        (op.f == TXN).then(|| txn_edn(&op.value)).flatten()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::txn_edn;
    use crate::history::OpValue;

    #[test]
    fn a_transaction_prints_in_edn_as_jepsen_prints_it() {
        let mops = json!([
            ["append", 1, 2],
            ["r", 1, [1, 2]],
            ["r", 3, null],
            ["r", 4, []]
        ]);
        assert_eq!(
            txn_edn(&OpValue::Json(mops)).as_deref(),
            Some("[[:append 1 2] [:r 1 [1 2]] [:r 3 nil] [:r 4 []]]")
        );
        // Anything else falls back to the generic form.
        assert_eq!(txn_edn(&OpValue::Json(json!([["r", "k", null]]))), None);
        assert_eq!(txn_edn(&OpValue::Int(3)), None);
    }
}
