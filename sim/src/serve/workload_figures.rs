//! The figures only some workloads' results hold: the counters' final reads against the
//! acceptable range, the transaction checker's models and anomalies, kafka's error types,
//! realtime lag and unseen messages. The run page and the
//! comparison show them between the generic figures, in [`LABELS`] order.

use serde_json::Value;

use super::runs::{Figure, fmt_num};

/// Every label [`figures`] may give, in display order.
pub const LABELS: [&str; 12] = [
    "workload checker",
    "final reads",
    "acceptable range",
    "out-of-range reads",
    "consistency models",
    "anomaly types",
    "anomalies found (all)",
    "rules out",
    "kafka error types",
    "worst realtime lag",
    "unseen messages",
    "sends acknowledged",
];

/// The workload-specific figures of a `results.json` document, in [`LABELS`] order; those the
/// document lacks are left out.
pub fn figures(doc: &Value) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut push = |label, value: Option<String>| {
        if let Some(v) = value {
            out.push((label, v));
        }
    };
    push("workload checker", doc.get("workload_valid").map(validity));
    push("final reads", doc.get("final_reads").map(list));
    push("acceptable range", doc.get("acceptable").and_then(ranges));
    push(
        "out-of-range reads",
        (doc.get("final_reads").is_some())
            .then(|| doc.get("errors").and_then(Value::as_array).map(Vec::len))
            .flatten()
            .map(|n| n.to_string()),
    );
    push(
        "consistency models",
        doc.get("consistency_models").map(|m| words(m, ", ")),
    );
    push(
        "anomaly types",
        doc.get("anomaly_types")
            .map(|t| Some(words(t, ", ")).filter(|s| !s.is_empty()))
            .map(|t| t.unwrap_or_else(|| "none".into())),
    );
    push(
        "anomalies found (all)",
        doc.get("all_anomaly_counts").and_then(counts),
    );
    push("rules out", rules_out(doc));
    let kafka = doc.get("kafka");
    push(
        "kafka error types",
        kafka
            .and_then(|k| k.get("error_types"))
            .map(|t| Some(words(t, ", ")).filter(|s| !s.is_empty()))
            .map(|t| t.unwrap_or_else(|| "none".into())),
    );
    push(
        "worst realtime lag",
        kafka
            .and_then(|k| k.get("worst_realtime_lag")?.get("lag_s")?.as_f64())
            .map(|s| format!("{} s", fmt_num(s))),
    );
    push(
        "unseen messages",
        kafka.and_then(|k| k.get("unseen_at_end")).map(scalar),
    );
    push(
        "sends acknowledged",
        kafka.and_then(|k| {
            let ok = k.get("sends_ok")?;
            Some(format!("{} of {}", scalar(ok), scalar(k.get("sends")?)))
        }),
    );
    out
}

/// `true` → `valid`, `false` → `invalid`, anything else (`"unknown"`) → `unknown`.
fn validity(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "valid".into(),
        Some(false) => "invalid".into(),
        None => "unknown".into(),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(_) => v.as_f64().map(fmt_num).unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

/// A JSON array as its items separated by `sep` (one value: that value).
fn words(v: &Value, sep: &str) -> String {
    match v.as_array() {
        Some(items) => items.iter().map(scalar).collect::<Vec<_>>().join(sep),
        None => scalar(v),
    }
}

fn list(v: &Value) -> String {
    format!("[{}]", words(v, " "))
}

/// The counters' `acceptable` ranges `[[lo, hi], …]` as `lo … hi` (one value when lo = hi),
/// joined by `or`.
fn ranges(v: &Value) -> Option<String> {
    let parts: Option<Vec<String>> = v
        .as_array()?
        .iter()
        .map(|r| {
            let lo = scalar(r.get(0)?);
            let hi = scalar(r.get(1)?);
            Some(if lo == hi {
                lo
            } else {
                format!("{lo} … {hi}")
            })
        })
        .collect();
    Some(parts?.join(" or ")).filter(|s| !s.is_empty())
}

/// `{"G2-item": 46, "lost-update": 18}` as `G2-item 46, lost-update 18`, or `none`.
fn counts(v: &Value) -> Option<String> {
    let map = v.as_object()?;
    if map.is_empty() {
        return Some("none".into());
    }
    Some(
        map.iter()
            .map(|(k, n)| format!("{k} {}", scalar(n)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Elle's `:not` and `:also-not` together: the models the anomalies found rule out.
fn rules_out(doc: &Value) -> Option<String> {
    let not = doc.get("not")?.as_array()?;
    let also = doc.get("also_not").and_then(Value::as_array);
    let all: Vec<String> = not
        .iter()
        .chain(also.into_iter().flatten())
        .map(scalar)
        .collect();
    Some(if all.is_empty() {
        "nothing".into()
    } else {
        all.join(", ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get<'a>(f: &'a [Figure], l: &str) -> Option<&'a str> {
        f.iter().find(|(k, _)| *k == l).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_counter_run_shows_final_reads_against_the_acceptable_range() {
        let f = figures(&json!({"workload": "pn-counter", "workload_valid": false,
            "final_reads": [-214, -214, -210], "acceptable": [[-214, -214]],
            "errors": [{"node": "n2", "value": -210}]}));
        assert_eq!(get(&f, "workload checker"), Some("invalid"));
        assert_eq!(get(&f, "final reads"), Some("[-214 -214 -210]"));
        assert_eq!(get(&f, "acceptable range"), Some("-214"));
        assert_eq!(get(&f, "out-of-range reads"), Some("1"));
        assert_eq!(get(&f, "anomaly types"), None);
        let wide = figures(&json!({"final_reads": [3], "acceptable": [[1, 4], [6, 6]]}));
        assert_eq!(get(&wide, "acceptable range"), Some("1 … 4 or 6"));
    }

    #[test]
    fn a_txn_run_shows_models_anomalies_and_what_they_rule_out() {
        let f = figures(
            &json!({"workload": "txn-rw-register", "workload_valid": true,
            "consistency_models": ["read-committed"], "anomaly_types": [],
            "all_anomaly_counts": {"G2-item": 46, "lost-update": 18},
            "not": ["ROLA"], "also_not": ["serializable"]}),
        );
        assert_eq!(get(&f, "workload checker"), Some("valid"));
        assert_eq!(get(&f, "consistency models"), Some("read-committed"));
        assert_eq!(get(&f, "anomaly types"), Some("none"));
        assert_eq!(
            get(&f, "anomalies found (all)"),
            Some("G2-item 46, lost-update 18")
        );
        assert_eq!(get(&f, "rules out"), Some("ROLA, serializable"));
        assert_eq!(get(&f, "final reads"), None);
        let bad = figures(
            &json!({"workload_valid": "unknown", "anomaly_types": ["G1a", "G1c"],
            "all_anomaly_counts": {}, "not": [], "also_not": []}),
        );
        assert_eq!(get(&bad, "workload checker"), Some("unknown"));
        assert_eq!(get(&bad, "anomaly types"), Some("G1a, G1c"));
        assert_eq!(get(&bad, "anomalies found (all)"), Some("none"));
        assert_eq!(get(&bad, "rules out"), Some("nothing"));
    }

    #[test]
    fn a_kafka_run_shows_its_error_types_lag_and_unseen_messages() {
        let f = figures(&json!({"workload": "kafka", "workload_valid": false,
            "kafka": {"error_types": ["lost-write", "unseen"],
                      "worst_realtime_lag": {"lag_s": 1.5, "key": "3"},
                      "unseen_at_end": 4, "sends": 120, "sends_ok": 118}}));
        assert_eq!(get(&f, "workload checker"), Some("invalid"));
        assert_eq!(get(&f, "kafka error types"), Some("lost-write, unseen"));
        assert_eq!(get(&f, "worst realtime lag"), Some("1.5 s"));
        assert_eq!(get(&f, "unseen messages"), Some("4"));
        assert_eq!(get(&f, "sends acknowledged"), Some("118 of 120"));
        let clean = figures(&json!({"kafka": {"error_types": [], "worst_realtime_lag": null}}));
        assert_eq!(get(&clean, "kafka error types"), Some("none"));
        assert_eq!(get(&clean, "worst realtime lag"), None);
    }

    #[test]
    fn figures_come_in_label_order_and_a_broadcast_run_has_none() {
        let f = figures(
            &json!({"workload_valid": true, "final_reads": [1], "acceptable": [[1, 1]],
            "errors": [], "consistency_models": ["x"], "anomaly_types": [],
            "all_anomaly_counts": {}, "not": [], "also_not": [],
            "kafka": {"error_types": [], "worst_realtime_lag": {"lag_s": 0.25},
                      "unseen_at_end": 0, "sends": 10, "sends_ok": 9}}),
        );
        let labels: Vec<&str> = f.iter().map(|x| x.0).collect();
        assert_eq!(labels, LABELS);
        assert!(figures(&json!({"workload": "broadcast", "lost_count": 0})).is_empty());
    }
}
