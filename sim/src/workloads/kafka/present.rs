//! The kafka checker's result as Maelstrom prints it (`:workload {…}`), as its section of
//! `results.json`, as the results browser's figures (error types, worst realtime lag, unseen
//! messages, sends acknowledged), as plots for the results folder (`realtime-lag.svg`,
//! `unseen.svg`, in `plot.rs`) and its operations' values in `history.txt` as Jepsen
//! prints them (`[[:send "9" 1]]`).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::checker::{ErrorCases, KafkaResult};
use super::{POLL, SEND};
use crate::checkers::{Validity, Verdict};
use crate::figures::Figure;
use crate::history::{Op, OpValue};
use crate::report::edn::edn;

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

    fn figures(&self) -> Vec<Figure> {
        figures(self)
    }

    #[cfg(feature = "present")]
    fn plots(
        &self,
        run: &crate::figures::PlotInput<'_>,
    ) -> Result<Vec<crate::figures::Plot>, String> {
        super::plot::plots(self, run)
    }

    fn value_edn(&self, op: &Op) -> Option<String> {
        matches!(op.f, SEND | POLL)
            .then(|| mops_edn(&op.value))
            .flatten()
    }
}

/// The figures of a kafka run: the error types found (`none`), the worst realtime lag, the
/// acknowledged messages never polled, and the sends acknowledged of those invoked.
pub fn figures(r: &KafkaResult) -> Vec<Figure> {
    let types = r.error_types();
    let mut out = vec![Figure::new(
        "kafka_error_types",
        "kafka error types",
        if types.is_empty() {
            "none".to_owned()
        } else {
            types.join(", ")
        },
    )];
    if let Some(w) = &r.worst_realtime_lag {
        out.push(Figure::new(
            "worst_realtime_lag",
            "worst realtime lag",
            format!("{} s", seconds_text(w.lag_ns)),
        ));
    }
    let unseen = r
        .unseen
        .as_ref()
        .map_or(0, |u| u.unseen.values().sum::<usize>());
    out.push(Figure::new("unseen_at_end", "unseen messages", unseen));
    out.push(Figure::new(
        "sends_acknowledged",
        "sends acknowledged",
        format!("{} of {}", r.sends_ok, r.sends),
    ));
    out
}

/// Nanoseconds as seconds with at most three decimals and no trailing zeros (`1.5`).
fn seconds_text(ns: u64) -> String {
    let text = format!("{:.3}", secs(ns));
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A send's or poll's micro-operations in EDN with their functions as keywords, as Jepsen
/// prints them (`[[:send "9" 1]]`, `[[:poll {"9" [[0 1]]}]]`); `None` if the value is not a
/// list of `[f, …]` lists.
fn mops_edn(value: &OpValue) -> Option<String> {
    let OpValue::Json(Value::Array(mops)) = value else {
        return None;
    };
    let mut out = String::from("[");
    for (i, mop) in mops.iter().enumerate() {
        let Value::Array(parts) = mop else {
            return None;
        };
        let (Some(Value::String(f)), rest) = (parts.first(), parts.get(1..).unwrap_or_default())
        else {
            return None;
        };
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("[:{f}"));
        for part in rest {
            out.push(' ');
            out.push_str(&edn(part));
        }
        out.push(']');
    }
    out.push(']');
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checkers::WorkloadResult;
    use crate::history::{OpF, OpType, Process};
    use crate::workloads::kafka::checker::{Unseen, WorstLag};

    fn result(errors: &[&str], lag_ns: Option<u64>, unseen: usize) -> KafkaResult {
        KafkaResult {
            valid: Validity::True,
            exception: None,
            errors: errors
                .iter()
                .map(|t| {
                    let cases = ErrorCases {
                        count: 1,
                        errs: Vec::new(),
                    };
                    ((*t).to_owned(), cases)
                })
                .collect(),
            unseen: (unseen > 0).then(|| Unseen {
                time_ns: 0,
                unseen: BTreeMap::from([("3".to_owned(), unseen)]),
                messages: BTreeMap::new(),
            }),
            bad_error_types: Vec::new(),
            info_txn_causes: Vec::new(),
            worst_realtime_lag: lag_ns.map(|lag_ns| WorstLag {
                time_ns: 0,
                process: 0,
                key: "3".into(),
                lag_ns,
            }),
            lag_series: Vec::new(),
            lag_quantiles: None,
            unseen_series: Vec::new(),
            send_latency: None,
            poll_latency: None,
            sends_ok: 118,
            sends: 120,
        }
    }

    fn get<'a>(f: &'a [Figure], label: &str) -> Option<&'a str> {
        f.iter()
            .find(|x| x.label == label)
            .map(|x| x.value.as_str())
    }

    #[test]
    fn a_kafka_run_shows_its_error_types_lag_unseen_messages_and_sends() {
        let f = figures(&result(&["lost-write"], Some(1_500_000_000), 4));
        assert_eq!(get(&f, "kafka error types"), Some("lost-write, unseen"));
        assert_eq!(get(&f, "worst realtime lag"), Some("1.5 s"));
        assert_eq!(get(&f, "unseen messages"), Some("4"));
        assert_eq!(get(&f, "sends acknowledged"), Some("118 of 120"));
        let clean = figures(&result(&[], None, 0));
        assert_eq!(get(&clean, "kafka error types"), Some("none"));
        assert_eq!(get(&clean, "worst realtime lag"), None);
        assert_eq!(get(&clean, "unseen messages"), Some("0"));
    }

    #[test]
    fn sends_and_polls_print_their_functions_as_keywords_in_the_history() {
        let verdict = WorkloadResult::new(result(&[], None, 0));
        let op = |f: OpF, value: Value| Op {
            index: 0,
            time_ns: 0,
            process: Process::Client(0),
            kind: OpType::Ok,
            f,
            value: OpValue::Json(value),
            error: None,
            final_read: false,
        };
        let edn = |o: &Op| verdict.verdict().value_edn(o);
        let send = op(SEND, json!([["send", "9", [3, 1]]]));
        assert_eq!(edn(&send).as_deref(), Some(r#"[[:send "9" [3 1]]]"#));
        let poll = op(POLL, json!([["poll", {"9": [[0, 1], [1, 2]]}]]));
        assert_eq!(
            edn(&poll).as_deref(),
            Some(r#"[[:poll {"9" [[0 1] [1 2]]}]]"#)
        );
        // An assign's key list, or a value of another shape, prints as plain EDN.
        assert_eq!(edn(&op(super::super::ASSIGN, json!(["1", "2"]))), None);
        assert_eq!(edn(&op(SEND, json!(["send"]))), None);
    }
}
