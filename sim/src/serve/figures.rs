//! The figures of a run as label/value rows: the run page's table and the comparison table's
//! rows come from here, so both show the same things in the same order.

use serde_json::Value;

use super::runs::{Figure, Run, fmt_num};
use super::workload_figures;

/// The common labels [`figures`] may give, in display order (the comparison's row order);
/// the workload's own ([`workload_figures::LABELS`]) come after `duplicated`, see [`rank`].
pub const ORDER: [&str; 25] = [
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
    "stable latency 0/0.5/0.95/0.99/1 (ms)",
    "lost latency 0/0.5/0.95/0.99/1 (ms)",
    "operation latency 0.5/0.95/0.99/1 (ms)",
    "lost",
    "stale",
    "never read",
    "duplicated",
    "ok / fail / info",
    "availability (ok fraction)",
    "dropped by partitions",
    "node errors",
    "wall time (ms)",
    "written",
];

/// Where `label` comes in the display order: [`ORDER`], with the workload's own labels right
/// after `duplicated`; unknown labels last.
pub fn rank(label: &str) -> usize {
    let common = |l: &str| ORDER.iter().position(|o| *o == l);
    let after = common("duplicated").unwrap_or(0) + 1;
    let workload = workload_figures::LABELS.len();
    match (
        common(label),
        workload_figures::LABELS.iter().position(|w| *w == label),
    ) {
        (Some(i), _) if i < after => i,
        (Some(i), _) => i + workload,
        (None, Some(w)) => after + w,
        (None, None) => ORDER.len() + workload,
    }
}

fn quantile_text(q: &Value, keys: &[&str]) -> Option<String> {
    let parts: Option<Vec<String>> = keys
        .iter()
        .map(|k| q.get(*k).and_then(Value::as_f64).map(fmt_num))
        .collect();
    Some(parts?.join(" / "))
}

/// Every figure the run's results hold, in display order; absent figures are left out.
pub fn figures(run: &Run) -> Vec<Figure> {
    let mut out: Vec<Figure> = vec![("verdict", run.verdict.name().to_string())];
    if let Some(p) = &run.problem {
        out.push(("problem", p.clone()));
    }
    if run.doc.is_null() {
        return out;
    }
    let num = |p: &str| run.num(p).map(fmt_num);
    let mut push = |label, value: Option<String>| {
        if let Some(v) = value {
            out.push((label, v));
        }
    };
    push("workload", Some(run.workload().to_string()));
    push("flags", Some(run.flags()));
    push("nodes", nodes(&run.doc));
    push("node config", node_config(&run.doc));
    push("seed", run.seed().map(|s| s.to_string()));
    push("operations", num("/op_count"));
    push("msgs-per-op (servers)", num("/net/servers/msgs_per_op"));
    push("msgs-per-op (all)", num("/net/all/msgs_per_op"));
    push("server messages", num("/net/servers/msg_count"));
    push("client messages", num("/net/clients/msg_count"));
    let q = ["0", "0.5", "0.95", "0.99", "1"];
    push(
        "stable latency 0/0.5/0.95/0.99/1 (ms)",
        run.doc
            .get("stable_latencies")
            .and_then(|v| quantile_text(v, &q)),
    );
    push(
        "lost latency 0/0.5/0.95/0.99/1 (ms)",
        run.doc
            .get("lost_latencies")
            .and_then(|v| quantile_text(v, &q)),
    );
    push(
        "operation latency 0.5/0.95/0.99/1 (ms)",
        run.doc
            .pointer("/series/op_latency_percentiles")
            .and_then(index4),
    );
    push("lost", num("/lost_count"));
    push("stale", num("/stale_count"));
    push("never read", num("/never_read_count"));
    push("duplicated", num("/duplicated_count"));
    for (label, value) in workload_figures::figures(&run.doc) {
        push(label, Some(value));
    }
    push("ok / fail / info", ok_fail_info(&run.doc));
    push(
        "availability (ok fraction)",
        num("/availability/ok_fraction"),
    );
    push("dropped by partitions", num("/partition_drops"));
    push(
        "node errors",
        run.doc
            .get("node_errors")
            .and_then(Value::as_array)
            .map(|e| e.len().to_string()),
    );
    push(
        "wall time (ms)",
        run.num("/wall_ms").map(|ms| format!("{ms:.0}")),
    );
    push("written", Some(run.when()).filter(|w| !w.is_empty()));
    out
}

/// Latencies at percentiles 50, 95, 99, 100 of a 101-entry array.
fn index4(p: &Value) -> Option<String> {
    let parts: Option<Vec<String>> = [50, 95, 99, 100]
        .iter()
        .map(|&i| p.get(i).and_then(Value::as_f64).map(fmt_num))
        .collect();
    Some(parts?.join(" / "))
}

fn ok_fail_info(doc: &Value) -> Option<String> {
    let s = doc.get("stats")?;
    let n = |k: &str| s.get(k).and_then(Value::as_u64);
    Some(format!(
        "{} / {} / {}",
        n("ok_count")?,
        n("fail_count")?,
        n("info_count")?
    ))
}

/// The in-process node configuration but its description, flattened to `key=value` pairs
/// (`timing.tick_ms=1600 …`).
fn node_config(doc: &Value) -> Option<String> {
    let mut pairs = Vec::new();
    flatten("", doc.get("node_config")?, &mut pairs);
    pairs.retain(|p| !p.starts_with("description="));
    Some(pairs.join(" "))
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => out.push(format!("{prefix}={s}")),
        other => out.push(format!("{prefix}={other}")),
    }
}

fn nodes(doc: &Value) -> Option<String> {
    let n = doc.get("nodes")?;
    match n.get("kind")?.as_str()? {
        "process" => {
            let mut s = n.get("bin")?.as_str()?.to_string();
            for a in n
                .get("args")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                s.push(' ');
                s.push_str(a.as_str().unwrap_or("?"));
            }
            Some(format!("process: {s}"))
        }
        kind => {
            let d = n.get("description").and_then(Value::as_str).unwrap_or("");
            Some(if d.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}: {d}")
            })
        }
    }
}

/// The rows of a comparison: every label any run has, in first-seen order, with each run's
/// value (`None` where a run lacks it).
pub fn table(runs: &[Run]) -> Vec<(&'static str, Vec<Option<String>>)> {
    let per_run: Vec<Vec<Figure>> = runs.iter().map(figures).collect();
    let mut labels: Vec<&'static str> = Vec::new();
    for figs in &per_run {
        for (label, _) in figs {
            if !labels.contains(label) {
                labels.push(label);
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
    use serde_json::json;

    fn run(rel: &str, doc: Value) -> Run {
        Run {
            rel: rel.into(),
            dir: rel.into(),
            modified: None,
            verdict: if doc.is_null() {
                Verdict::Unreadable
            } else {
                Verdict::Valid
            },
            problem: doc.is_null().then(|| "results.json: missing".to_string()),
            doc,
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
                "stable_latencies": {"0": 0, "0.5": 210, "0.95": 390, "0.99": 401, "1": 402},
                "stats": {"ok_count": 39, "fail_count": 0, "info_count": 1},
                "lost_count": 0}),
        );
        let f = figures(&r);
        let get = |l: &str| f.iter().find(|(k, _)| *k == l).map(|(_, v)| v.as_str());
        assert_eq!(get("verdict"), Some("valid"));
        assert_eq!(get("msgs-per-op (servers)"), Some("0.333"));
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
                "stable_latencies": {"0": 0, "0.5": 0, "0.95": 0, "0.99": 0, "1": 0},
                "lost_latencies": {"0": 0, "0.5": 0, "0.95": 0, "0.99": 0, "1": 0},
                "series": {"op_latency_percentiles": (0..=100).collect::<Vec<u64>>()},
                "lost_count": 0, "stale_count": 0, "never_read_count": 0, "duplicated_count": 0,
                "stats": {"ok_count": 1, "fail_count": 0, "info_count": 0},
                "availability": {"ok_fraction": 1.0}, "partition_drops": 0, "node_errors": [],
                "wall_ms": 3.0}),
        );
        let labels: Vec<&str> = figures(&full).iter().map(|f| f.0).collect();
        let expected: Vec<&str> = ORDER
            .iter()
            .copied()
            .filter(|l| !matches!(*l, "problem" | "written"))
            .collect();
        assert_eq!(labels, expected);
        let cut = ORDER
            .iter()
            .position(|l| *l == "duplicated")
            .expect("in ORDER")
            + 1;
        let ranks: Vec<usize> = ORDER[..cut]
            .iter()
            .chain(&workload_figures::LABELS)
            .chain(&ORDER[cut..])
            .map(|l| rank(l))
            .collect();
        assert_eq!(ranks, (0..ranks.len()).collect::<Vec<_>>());
        assert!(
            rank("unknown") >= ranks.len(),
            "the workload labels come after duplicated, unknown ones last"
        );
    }

    #[test]
    fn the_comparison_table_aligns_rows_across_runs() {
        let a = run(
            "a",
            json!({"valid": true, "workload": "echo", "op_count": 5}),
        );
        let b = run("b", Value::Null);
        let rows = table(&[a, b]);
        let row = |l: &str| rows.iter().find(|(k, _)| *k == l).map(|(_, v)| v.clone());
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
        let order: Vec<&str> = table(&[d, c]).iter().map(|r| r.0).collect();
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
    }
}
