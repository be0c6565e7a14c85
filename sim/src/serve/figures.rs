//! The figures of a run as label/value rows: the run page's table and the comparison table's
//! rows come from here, so both show the same things in the same order. The workload's own
//! figures come from its results ([`ResultsJson::figures`]) and take their place in
//! [`ORDER`] at [`WORKLOAD`].

use super::runs::{Row, Run, fmt_num};
use crate::report::document::{NodesJson, ResultsJson};

/// Where the workload's own figures come in [`ORDER`] (their label is not one of it).
pub const WORKLOAD: &str = "(the workload's figures)";

/// The common labels [`figures`] may give, in display order (the comparison's row order),
/// with the place of the workload's own.
pub const ORDER: [&str; 22] = [
    "verdict",
    "problem",
    "workload",
    "flags",
    "nodes",
    "node config",
    "seed",
    "operations",
    "msgs-per-op (servers)",
    "msgs-per-op (all)",
    "server messages",
    "client messages",
    "operation latency 0.5/0.95/0.99/1 (ms)",
    "workload checker",
    WORKLOAD,
    "ok / fail / info",
    "availability (ok fraction)",
    "dropped by partitions",
    "nemesis kills / pauses / lines lost with killed processes",
    "node errors",
    "wall time (ms)",
    "written",
];

/// Where `label` comes in the display order: its place in [`ORDER`]; any other label is a
/// workload's own and comes at [`WORKLOAD`].
pub fn rank(label: &str) -> usize {
    let at = |l: &str| ORDER.iter().position(|o| *o == l);
    at(label).or_else(|| at(WORKLOAD)).unwrap_or(ORDER.len())
}

/// Every figure the run's results hold, in display order; absent figures are left out.
pub fn figures(run: &Run) -> Vec<Row> {
    let mut out: Vec<Row> = vec![("verdict".into(), run.verdict.name().to_string())];
    if let Some(p) = &run.problem {
        out.push(("problem".into(), p.clone()));
    }
    let Some(doc) = &run.doc else {
        return out;
    };
    let mut push = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            out.push((label.to_owned(), v));
        }
    };
    let num = |v: Option<f64>| v.map(fmt_num);
    let net = doc.net.unwrap_or_default();
    push("workload", Some(run.workload().to_string()));
    push("flags", Some(run.flags()));
    push("nodes", nodes(doc));
    push("node config", node_config(doc));
    push("seed", run.seed().map(|s| s.to_string()));
    push("operations", num(doc.op_count.map(|n| n as f64)));
    push("msgs-per-op (servers)", run.msgs_per_op().map(fmt_num));
    push("msgs-per-op (all)", num(net.all.msgs_per_op));
    let counted = doc.net.is_some();
    push(
        "server messages",
        counted.then(|| net.servers.msg_count.to_string()),
    );
    push(
        "client messages",
        counted.then(|| net.clients.msg_count.to_string()),
    );
    push(
        "operation latency 0.5/0.95/0.99/1 (ms)",
        doc.series
            .as_ref()
            .and_then(|s| s.op_latency_percentiles.as_deref())
            .and_then(index4),
    );
    push(
        "workload checker",
        doc.workload_valid.map(|v| {
            match v {
                crate::checkers::Validity::True => "valid",
                crate::checkers::Validity::False => "invalid",
                crate::checkers::Validity::Unknown => "unknown",
            }
            .to_owned()
        }),
    );
    for f in &doc.figures {
        push(&f.label, Some(f.value.clone()));
    }
    push(
        "ok / fail / info",
        doc.stats
            .map(|s| format!("{} / {} / {}", s.ok_count, s.fail_count, s.info_count)),
    );
    push(
        "availability (ok fraction)",
        num(doc.availability.and_then(|a| a.ok_fraction)),
    );
    push(
        "dropped by partitions",
        doc.partition_drops.map(|n| n.to_string()),
    );
    push(
        "nemesis kills / pauses / lines lost with killed processes",
        doc.kills
            .map(|k| format!("{} / {} / {}", k.kills, k.pauses, k.dropped)),
    );
    push(
        "node errors",
        doc.node_errors.as_ref().map(|e| e.len().to_string()),
    );
    push("wall time (ms)", doc.wall_ms.map(|ms| format!("{ms:.0}")));
    push("written", Some(run.when()).filter(|w| !w.is_empty()));
    out
}

/// Latencies at percentiles 50, 95, 99, 100 of a 101-entry array.
fn index4(p: &[u64]) -> Option<String> {
    let parts: Option<Vec<String>> = [50, 95, 99, 100]
        .iter()
        .map(|&i| p.get(i).map(u64::to_string))
        .collect();
    Some(parts?.join(" / "))
}

/// The in-process node configuration but its description, flattened to `key=value` pairs
/// (`timing.tick_ms=1600 …`).
fn node_config(doc: &ResultsJson) -> Option<String> {
    let mut pairs = Vec::new();
    flatten("", doc.node_config.as_ref()?, &mut pairs);
    pairs.retain(|p| !p.starts_with("description="));
    Some(pairs.join(" "))
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::String(s) => out.push(format!("{prefix}={s}")),
        other => out.push(format!("{prefix}={other}")),
    }
}

fn nodes(doc: &ResultsJson) -> Option<String> {
    Some(match doc.nodes.as_ref()? {
        NodesJson::Process { bin, args } => {
            let mut s = bin.clone();
            for a in args {
                s.push(' ');
                s.push_str(a);
            }
            format!("process: {s}")
        }
        NodesJson::InProcess { description } if description.is_empty() => "in-process".into(),
        NodesJson::InProcess { description } => format!("in-process: {description}"),
    })
}

/// The rows of a comparison: every label any run has, in first-seen order, with each run's
/// value (`None` where a run lacks it).
pub fn table(runs: &[Run]) -> Vec<(String, Vec<Option<String>>)> {
    let per_run: Vec<Vec<Row>> = runs.iter().map(figures).collect();
    let mut labels: Vec<String> = Vec::new();
    for figs in &per_run {
        for (label, _) in figs {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
        }
    }
    labels.sort_by_key(|l| rank(l));
    labels
        .into_iter()
        .map(|label| {
            let values = per_run
                .iter()
                .map(|figs| {
                    figs.iter()
                        .find(|(l, _)| *l == label)
                        .map(|(_, v)| v.clone())
                })
                .collect();
            (label, values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::runs::Verdict;
    use serde_json::{Value, json};

    fn run(rel: &str, doc: Value) -> Run {
        Run {
            rel: rel.into(),
            modified: None,
            verdict: if doc.is_null() {
                Verdict::Unreadable
            } else {
                Verdict::Valid
            },
            problem: doc.is_null().then(|| "results.json: missing".to_string()),
            doc: (!doc.is_null()).then(|| serde_json::from_value(doc).expect("a document")),
        }
    }

    #[test]
    fn figures_show_what_the_results_hold() {
        let r = run(
            "b",
            json!({"valid": true, "workload": "broadcast", "seed": 3, "op_count": 40,
                "net": {"servers": {"msgs_per_op": 0.3333333, "msg_count": 13}},
                "nodes": {"kind": "in-process", "description": "3e"},
                "node_config": {"description": "3e", "overlay": {"kind": "star", "root": "n1"},
                    "timing": {"tick_ms": 1600}},
                "figures": [{"key": "stable_latencies",
                    "label": "stable latency 0/0.5/0.95/0.99/1 (ms)",
                    "value": "0 / 210 / 390 / 401 / 402"},
                    {"key": "lost_count", "label": "lost", "value": "0"}],
                "stats": {"valid": true, "ok_count": 39, "fail_count": 0, "info_count": 1},
                "lost_count": 0}),
        );
        let f = figures(&r);
        let get = |l: &str| f.iter().find(|(k, _)| k == l).map(|(_, v)| v.as_str());
        assert_eq!(get("verdict"), Some("valid"));
        assert_eq!(get("msgs-per-op (servers)"), Some("0.333"));
        assert_eq!(get("server messages"), Some("13"));
        assert_eq!(
            get("stable latency 0/0.5/0.95/0.99/1 (ms)"),
            Some("0 / 210 / 390 / 401 / 402")
        );
        assert_eq!(get("nodes"), Some("in-process: 3e"));
        assert_eq!(get("ok / fail / info"), Some("39 / 0 / 1"));
        assert_eq!(get("lost"), Some("0"));
        assert_eq!(
            get("node config"),
            Some("overlay.kind=star overlay.root=n1 timing.tick_ms=1600")
        );
        assert_eq!(get("operation latency 0.5/0.95/0.99/1 (ms)"), None);
    }

    #[test]
    fn figures_come_in_the_display_order() {
        let full = run(
            "f",
            json!({"valid": true, "workload": "broadcast", "flags": "-w broadcast", "seed": 1,
                "nodes": {"kind": "in-process", "description": "3e"}, "node_config": {"a": 1},
                "op_count": 1, "net": {"servers": {"msgs_per_op": 1, "msg_count": 1},
                "all": {"msgs_per_op": 1}, "clients": {"msg_count": 1}},
                "series": {"op_latency_percentiles": (0..=100).collect::<Vec<u64>>()},
                "workload_valid": true,
                "figures": [{"key": "w", "label": "the workload's", "value": "1"}],
                "stats": {"valid": true, "ok_count": 1, "fail_count": 0, "info_count": 0},
                "availability": {"valid": true, "ok_fraction": 1.0}, "partition_drops": 0,
                "kills": {"kills": 2, "pauses": 1, "dropped": 3},
                "node_errors": [], "wall_ms": 3.0}),
        );
        let get = |l: &str| figures(&full).into_iter().find(|f| f.0 == l).map(|f| f.1);
        assert_eq!(
            get("nemesis kills / pauses / lines lost with killed processes").as_deref(),
            Some("2 / 1 / 3")
        );
        let labels: Vec<String> = figures(&full).into_iter().map(|f| f.0).collect();
        let expected: Vec<&str> = ORDER
            .iter()
            .map(|l| if *l == WORKLOAD { "the workload's" } else { l })
            .filter(|l| !matches!(*l, "problem" | "written"))
            .collect();
        assert_eq!(labels, expected);
        let ranks: Vec<usize> = ORDER.iter().map(|l| rank(l)).collect();
        assert_eq!(ranks, (0..ORDER.len()).collect::<Vec<_>>());
        assert_eq!(rank("any workload's own"), rank(WORKLOAD));
    }

    #[test]
    fn the_comparison_table_aligns_rows_across_runs() {
        let a = run(
            "a",
            json!({"valid": true, "workload": "echo", "op_count": 5}),
        );
        let b = run("b", Value::Null);
        let rows = table(&[a, b]);
        let row = |l: &str| rows.iter().find(|(k, _)| k == l).map(|(_, v)| v.clone());
        assert_eq!(
            row("verdict"),
            Some(vec![Some("valid".into()), Some("unreadable".into())])
        );
        assert_eq!(row("operations"), Some(vec![Some("5".into()), None]));
        let c = run(
            "c",
            json!({"valid": true, "workload": "echo", "seed": 4, "op_count": 6}),
        );
        let d = run("d", Value::Null);
        let order: Vec<String> = table(&[d, c]).into_iter().map(|r| r.0).collect();
        assert_eq!(
            order,
            [
                "verdict",
                "problem",
                "workload",
                "flags",
                "seed",
                "operations"
            ],
            "rows keep the display order whichever run comes first"
        );
        assert_eq!(
            row("problem"),
            Some(vec![None, Some("results.json: missing".into())])
        );
        let counter = run(
            "e",
            json!({"valid": true, "workload": "g-counter", "stats": {"valid": true},
                "figures": [{"key": "final_reads", "label": "final reads", "value": "[3]"}]}),
        );
        let txn = run(
            "g",
            json!({"valid": true, "workload": "txn-rw-register", "stats": {"valid": true},
                "figures": [{"key": "anomaly_types", "label": "anomaly types", "value": "none"}]}),
        );
        let order: Vec<String> = table(&[counter, txn]).into_iter().map(|r| r.0).collect();
        assert_eq!(
            order,
            [
                "verdict",
                "workload",
                "flags",
                "final reads",
                "anomaly types",
                "ok / fail / info"
            ],
            "each workload's figures come at their place, in first-seen order"
        );
    }
}
