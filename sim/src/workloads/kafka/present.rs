//! The kafka checker's result as Maelstrom prints it (`:workload {…}`), as JSON fields, and as
//! files for the results folder: `realtime-lag.svg` (each poll's worst key lag over time) and
//! `unseen.svg` (acknowledged messages not yet polled, over time).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::checker::{ErrorCases, KafkaResult};
use crate::checkers::{Validity, Verdict};
use crate::present::artifacts::edn::edn;

fn list(items: &[String], keyword: bool) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|t| {
            if keyword {
                format!(":{t}")
            } else {
                json!(t).to_string()
            }
        })
        .collect();
    format!("({})", parts.join(" "))
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// Appends ` :workload {:valid? …, :worst-realtime-lag …, :bad-error-types …, …},`.
pub fn workload_edn(out: &mut String, r: &KafkaResult) {
    let pad = "            ";
    let _ = writeln!(out, " :workload {{:valid? {},", r.valid);
    if let Some(e) = &r.exception {
        let _ = writeln!(out, "{pad}:error {},", json!(e));
    }
    let lag = match &r.worst_realtime_lag {
        Some(w) => format!(
            "{{:time {:.3}, :process {}, :key {}, :lag {:.3}}}",
            secs(w.time_ns),
            w.process,
            json!(w.key),
            secs(w.lag_ns)
        ),
        None => "nil".into(),
    };
    let _ = writeln!(out, "{pad}:worst-realtime-lag {lag},");
    let _ = writeln!(
        out,
        "{pad}:bad-error-types {},",
        list(&r.bad_error_types, true)
    );
    let _ = writeln!(out, "{pad}:error-types {},", list(&r.error_types(), true));
    let _ = write!(
        out,
        "{pad}:info-txn-causes {}",
        list(&r.info_txn_causes, false)
    );
    for (t, cases) in &r.errors {
        let errs: Vec<String> = cases.errs.iter().map(edn).collect();
        let _ = write!(
            out,
            ",\n{pad}:{t} {{:count {}, :errs [{}]}}",
            cases.count,
            errs.join(" ")
        );
    }
    if let Some(u) = &r.unseen {
        let counts: Vec<String> = u
            .unseen
            .iter()
            .map(|(k, n)| format!("{} {n}", json!(k)))
            .collect();
        let msgs: Vec<String> = u
            .messages
            .iter()
            .map(|(k, m)| format!("{} {}", json!(k), edn(&json!(m))))
            .collect();
        let _ = write!(
            out,
            ",\n{pad}:unseen {{:time {}, :unseen {{{}}}, :messages {{{}}}}}",
            u.time_ns,
            counts.join(", "),
            msgs.join(", ")
        );
    }
    out.push_str("},\n");
}

fn cases_json(c: &ErrorCases) -> Value {
    json!({"count": c.count, "errs": c.errs})
}

/// The `--json` fields of a kafka run: `workload_valid` and one `kafka` object.
pub fn workload_json(r: &KafkaResult) -> Map<String, Value> {
    let mut errors: Map<String, Value> = r
        .errors
        .iter()
        .map(|(t, c)| (t.clone(), cases_json(c)))
        .collect();
    if let Some(u) = &r.unseen {
        errors.insert(
            "unseen".into(),
            json!({"time_ns": u.time_ns, "unseen": u.unseen, "messages": u.messages}),
        );
    }
    let q = |q: &Option<crate::checkers::quantiles::Quantiles>| q.map_or(Value::Null, |q| q.json());
    let kafka = json!({
        "bad_error_types": r.bad_error_types,
        "error_types": r.error_types(),
        "info_txn_causes": r.info_txn_causes,
        "exception": r.exception,
        "worst_realtime_lag": r.worst_realtime_lag.as_ref().map(|w| json!({
            "time_s": secs(w.time_ns), "process": w.process, "key": w.key,
            "lag_s": secs(w.lag_ns)})),
        "realtime_lag_ms": q(&r.lag_quantiles),
        "send_latency_ms": q(&r.send_latency),
        "poll_latency_ms": q(&r.poll_latency),
        "sends": r.sends,
        "sends_ok": r.sends_ok,
        "unseen_at_end": r.unseen.as_ref().map_or(0, |u| u.unseen.values().sum::<usize>()),
        "errors": errors,
    });
    let mut m = Map::new();
    m.insert("workload_valid".into(), r.valid.json());
    m.insert("kafka".into(), kafka);
    m
}

/// At most `n` points: the maximum of each of `n` equal runs of points.
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

/// A step plot of `points` (ns, y) as a small stand-alone SVG.
pub fn plot_svg(title: &str, y_label: &str, points: &[(u64, u64)], y_scale: f64) -> String {
    let (w, h, left, bottom, top, right) = (860.0, 320.0, 70.0, 40.0, 36.0, 20.0);
    let pts = thin(points, 1200);
    let x_max = pts.iter().map(|p| p.0).max().unwrap_or(1).max(1) as f64 / 1e9;
    let y_max = (pts.iter().map(|p| p.1).max().unwrap_or(0) as f64 / y_scale).max(1e-9);
    let x = |t: u64| left + (t as f64 / 1e9) / x_max * (w - left - right);
    let y = |v: u64| h - bottom - (v as f64 / y_scale) / y_max * (h - bottom - top);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\">\n\
         <text x=\"{left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{title}</text>\n"
    );
    for i in 0..=4 {
        let f = f64::from(i) / 4.0;
        let yy = h - bottom - f * (h - bottom - top);
        let xx = left + f * (w - left - right);
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{:.3}</text>\
             <text x=\"{xx:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{:.1}</text>",
            w - right,
            left - 6.0,
            yy + 4.0,
            f * y_max,
            h - bottom + 16.0,
            f * x_max
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">time (s)</text>\
         <text x=\"14\" y=\"{}\" font-size=\"12\" transform=\"rotate(-90 14 {})\" \
         text-anchor=\"middle\">{y_label}</text>",
        (w + left) / 2.0,
        h - 6.0,
        h / 2.0,
        h / 2.0
    );
    let mut path = String::new();
    for (i, (t, v)) in pts.iter().enumerate() {
        let _ = write!(
            path,
            "{}{:.1},{:.1} ",
            if i == 0 { "M" } else { "L" },
            x(*t),
            y(*v)
        );
    }
    if pts.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\">no points</text>",
            w / 2.0,
            h / 2.0
        );
    } else {
        let _ = writeln!(
            svg,
            "<path d=\"{path}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\"/>"
        );
    }
    svg.push_str("</svg>\n");
    svg
}

impl Verdict for KafkaResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        workload_edn(out, self);
    }

    fn json(&self) -> Map<String, Value> {
        workload_json(self)
    }

    fn artifacts(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            (
                "realtime-lag.svg".into(),
                plot_svg(
                    "kafka: realtime lag (each poll's worst key)",
                    "lag (s)",
                    &self.lag_series,
                    1e9,
                )
                .into_bytes(),
            ),
            (
                "unseen.svg".into(),
                plot_svg(
                    "kafka: acknowledged messages not yet polled",
                    "unseen messages",
                    &self.unseen_series,
                    1.0,
                )
                .into_bytes(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_thin_long_series_and_keep_the_peaks() {
        let pts: Vec<(u64, u64)> = (0..10_000u64).map(|i| (i * 1_000_000, i % 97)).collect();
        let thinned = thin(&pts, 100);
        assert!(thinned.len() <= 100);
        assert!(thinned.iter().all(|p| p.1 == 96));
        let svg = plot_svg("t", "y", &pts, 1.0);
        assert!(svg.starts_with("<svg") && svg.contains("<path"));
        assert!(plot_svg("t", "y", &[], 1.0).contains("no points"));
    }
}
