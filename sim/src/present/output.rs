//! How a [`Report`] is shown: a Maelstrom-style summary (EDN-like text, ending with
//! Maelstrom's verdict line) and the flat JSON document written by `--json`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::checkers::set_full::{ElementResult, Mark, Quantiles, SetFullResult};
use crate::checkers::{OutcomeCounts, Validity, WorkloadResult};
use crate::config::NodeKind;
use crate::present::report::Report;
use crate::world::journal::GroupStats;

/// Maelstrom's closing line for a verdict.
pub fn verdict_line(valid: Validity) -> &'static str {
    match valid {
        Validity::True => "Everything looks good! ヽ(‘ー`)ノ",
        Validity::False => "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻",
        Validity::Unknown => "Errors occurred during analysis, but no anomalies found. ಠ~ಠ",
    }
}

fn set(items: &[i64]) -> String {
    const SHOWN: usize = 24;
    let mut s = String::from("#{");
    for (i, v) in items.iter().take(SHOWN).enumerate() {
        let _ = write!(s, "{}{v}", if i > 0 { " " } else { "" });
    }
    if items.len() > SHOWN {
        let _ = write!(s, " … {} more", items.len() - SHOWN);
    }
    s.push('}');
    s
}

fn quantiles_edn(q: &Quantiles) -> String {
    let parts: Vec<String> = q.points().iter().map(|(p, v)| format!("{p} {v}")).collect();
    format!("{{{}}}", parts.join(", "))
}

fn group_edn(g: &GroupStats) -> String {
    let mut s = format!(
        "{{:send-count {}, :recv-count {}, :msg-count {}",
        g.send_count, g.recv_count, g.msg_count
    );
    if let Some(m) = g.msgs_per_op {
        let _ = write!(s, ", :msgs-per-op {m}");
    }
    s.push('}');
    s
}

fn counts_edn(c: &OutcomeCounts) -> String {
    format!(
        ":count {}, :ok-count {}, :fail-count {}, :info-count {}",
        c.count, c.ok_count, c.fail_count, c.info_count
    )
}

fn set_full_edn(out: &mut String, r: &SetFullResult) {
    let _ = writeln!(out, " :workload {{:valid? {},", r.valid);
    let _ = writeln!(out, "            :attempt-count {},", r.attempt_count);
    let _ = writeln!(out, "            :stable-count {},", r.stable_count);
    let _ = writeln!(
        out,
        "            :lost-count {}, :lost {},",
        r.lost_count,
        set(&r.lost)
    );
    let _ = writeln!(
        out,
        "            :never-read-count {}, :never-read {},",
        r.never_read_count,
        set(&r.never_read)
    );
    let _ = writeln!(
        out,
        "            :stale-count {}, :stale {},",
        r.stale_count,
        set(&r.stale)
    );
    let _ = writeln!(out, "            :duplicated-count {},", r.duplicated_count);
    if let Some(q) = &r.stable_latencies {
        let _ = writeln!(out, "            :stable-latencies {},", quantiles_edn(q));
    }
    if let Some(q) = &r.lost_latencies {
        let _ = writeln!(out, "            :lost-latencies {},", quantiles_edn(q));
    }
    let indent = "                           ";
    let worst: Vec<String> = r.worst_stale.iter().map(element_edn).collect();
    let _ = writeln!(
        out,
        "            :worst-stale ({})}},",
        worst.join(&format!("\n{indent}"))
    );
}

/// One element of `:worst-stale` in Maelstrom's shape; `:known` and `:last-absent` show the
/// history index and time (ns) of the operation Maelstrom would print in full.
fn element_edn(e: &ElementResult) -> String {
    let mark = |m: Option<Mark>| {
        m.map_or("nil".to_string(), |m| {
            format!("{{:index {}, :time {}}}", m.index, m.time_ns)
        })
    };
    let ms = |v: Option<u64>| v.map_or("nil".to_string(), |v| v.to_string());
    format!(
        "{{:element {}, :outcome :{}, :stable-latency {}, :lost-latency {}, :known {}, :last-absent {}}}",
        e.element,
        e.outcome.name(),
        ms(e.stable_latency_ms),
        ms(e.lost_latency_ms),
        mark(e.known),
        mark(e.last_absent)
    )
}

/// A node command line for display: the binary and its arguments, space-separated.
pub fn command_line(bin: &std::path::Path, args: &[String]) -> String {
    let mut s = bin.display().to_string();
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

fn nodes_json(nodes: &NodeKind) -> Value {
    match nodes {
        NodeKind::InProcess(node) => json!({"kind": "in-process", "description": node.description}),
        NodeKind::Process { bin, args } => {
            json!({"kind": "process", "bin": bin.display().to_string(), "args": args})
        }
    }
}

/// The summary printed at the end of a run.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    let c = &report.config;
    let nemesis = if c.partition {
        format!(
            " --nemesis partition --nemesis-interval {}",
            c.nemesis_interval.as_secs_f64()
        )
    } else {
        String::new()
    };
    let faults = if c.faults.is_none() {
        String::new()
    } else {
        format!(" --faults {}", c.faults)
    };
    let _ = writeln!(
        out,
        "glomers-sim: -w {} --node-count {} --rate {} --time-limit {} --latency {}{nemesis}{faults}; \
         seed {} (replay with GLOMERS_SEED={})",
        c.workload,
        c.node_count,
        c.rate,
        c.time_limit.as_secs_f64(),
        c.latency_ms,
        report.seed,
        report.seed
    );
    let clock = match &c.nodes {
        NodeKind::InProcess(node) => {
            let _ = writeln!(out, "nodes: in-process glomers ({})", node.description);
            "virtual time"
        }
        NodeKind::Process { bin, args } => {
            let _ = writeln!(out, "nodes: processes `{}`", command_line(bin, args));
            "real time"
        }
    };
    let _ = writeln!(
        out,
        "{clock}: main phase from {:.3} s, torn down at {:.3} s; {} clients opened; \
         {} messages dropped by partitions",
        report.main_start.as_micros() as f64 / 1e6,
        report.end.as_micros() as f64 / 1e6,
        report.clients_opened,
        report.partition_drops
    );
    if !c.faults.is_none() {
        let f = &report.fault_counts;
        let _ = writeln!(
            out,
            "faults: {} lost, {} duplicated, {} reordered, {} spiked, {} one-way partitions, \
             {} pauses",
            report.fault_losses, f.duplicated, f.reordered, f.spiked, f.oneway_partitions, f.pauses
        );
    }
    if report.past_deadlines > 0 {
        let _ = writeln!(
            out,
            "WARNING: nodes asked {} times to be woken in the past (woken 1 ms later instead)",
            report.past_deadlines
        );
    }
    for e in &report.node_errors {
        let _ = writeln!(
            out,
            "NODE ERROR n{} at {:.3} s: {} — Maelstrom stops reading its stdout. Line: {}",
            e.node,
            e.time.as_micros() as f64 / 1e6,
            e.reason,
            e.line
        );
    }
    let s = &report.stats;
    let _ = writeln!(
        out,
        "{{:stats {{:valid? {}, {},",
        s.valid,
        counts_edn(&s.total)
    );
    for (f, counts) in &s.by_f {
        let _ = writeln!(out, "          :{} {{{}}},", f.name(), counts_edn(counts));
    }
    let a = &report.availability;
    let fraction = a.ok_fraction.map_or("nil".to_string(), |f| f.to_string());
    let _ = writeln!(
        out,
        " :availability {{:valid? {}, :ok-fraction {fraction}}},",
        a.valid
    );
    let n = &report.net;
    let _ = writeln!(out, " :net {{:all {},", group_edn(&n.all));
    let _ = writeln!(out, "       :clients {},", group_edn(&n.clients));
    let _ = writeln!(out, "       :servers {},", group_edn(&n.servers));
    let _ = writeln!(out, "       :valid? true}},");
    match &report.workload {
        WorkloadResult::Broadcast(r) => set_full_edn(&mut out, r),
        WorkloadResult::UniqueIds(r) => {
            let range = r
                .range
                .as_ref()
                .map_or("nil".to_string(), |(lo, hi)| format!("[{lo} {hi}]"));
            let duplicated: Vec<String> = r
                .duplicated
                .iter()
                .map(|(id, times)| format!("{id} {times}"))
                .collect();
            let _ = writeln!(
                out,
                " :workload {{:valid? {}, :attempted-count {}, :acknowledged-count {}, \
                 :duplicated-count {}, :duplicated {{{}}}, :range {range}}},",
                r.valid,
                r.attempted_count,
                r.acknowledged_count,
                r.duplicated_count,
                duplicated.join(", ")
            );
        }
        WorkloadResult::Echo(r) => {
            let _ = writeln!(
                out,
                " :workload {{:valid? {}, :errors {} of {}}},",
                r.valid,
                r.errors.len(),
                r.attempt_count
            );
            for (index, e) in r.errors.iter().take(8) {
                let _ = writeln!(out, "   op {index}: {e}");
            }
        }
    }
    let _ = writeln!(out, " :op-count {},", report.op_count);
    let _ = writeln!(out, " :valid? {}}}", report.valid);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", verdict_line(report.valid));
    out
}

fn validity_json(v: Validity) -> Value {
    match v {
        Validity::True => json!(true),
        Validity::False => json!(false),
        Validity::Unknown => json!("unknown"),
    }
}

fn group_json(g: &GroupStats) -> Value {
    json!({
        "send_count": g.send_count,
        "recv_count": g.recv_count,
        "msg_count": g.msg_count,
        "msgs_per_op": g.msgs_per_op,
    })
}

fn quantiles_json(q: &Option<Quantiles>) -> Value {
    match q {
        None => Value::Null,
        Some(q) => Value::Object(
            q.points()
                .iter()
                .map(|(p, v)| (p.to_string(), json!(v)))
                .collect(),
        ),
    }
}

/// The `--json` document: flat workload figures, `net`, `op_count`, `seed`, and the rest.
pub fn to_json(report: &Report) -> Value {
    let c = &report.config;
    let mut doc = json!({
        "valid": validity_json(report.valid),
        "seed": report.seed,
        "workload": c.workload.name(),
        "node_count": c.node_count,
        "rate": c.rate,
        "time_limit_s": c.time_limit.as_secs_f64(),
        "latency_ms": c.latency_ms,
        "partition": c.partition,
        "nodes": nodes_json(&c.nodes),
        "op_count": report.op_count,
        "net": {
            "all": group_json(&report.net.all),
            "clients": group_json(&report.net.clients),
            "servers": group_json(&report.net.servers),
        },
        "stats": {
            "valid": validity_json(report.stats.valid),
            "count": report.stats.total.count,
            "ok_count": report.stats.total.ok_count,
            "fail_count": report.stats.total.fail_count,
            "info_count": report.stats.total.info_count,
        },
        "availability": {
            "valid": validity_json(report.availability.valid),
            "ok_fraction": report.availability.ok_fraction,
        },
        "node_errors": report.node_errors.iter().map(|e| json!({
            "node": format!("n{}", e.node),
            "time_us": e.time.as_micros(),
            "reason": e.reason,
            "line": e.line,
        })).collect::<Vec<_>>(),
        "partition_drops": report.partition_drops,
        "past_deadlines": report.past_deadlines,
        "main_start_us": report.main_start.as_micros(),
        "end_us": report.end.as_micros(),
        "server_sends_per_second": report.server_sends_per_second,
    });
    let extra = match &report.workload {
        WorkloadResult::Broadcast(r) => json!({
            "workload_valid": validity_json(r.valid),
            "attempt_count": r.attempt_count,
            "stable_count": r.stable_count,
            "lost_count": r.lost_count,
            "never_read_count": r.never_read_count,
            "stale_count": r.stale_count,
            "duplicated_count": r.duplicated_count,
            "lost": r.lost,
            "never_read": r.never_read,
            "stable_latencies": quantiles_json(&r.stable_latencies),
            "lost_latencies": quantiles_json(&r.lost_latencies),
            "stale": r.stale,
            "worst_stale": r.worst_stale.iter().map(|e| json!({
                "element": e.element,
                "outcome": e.outcome.name(),
                "stable_latency_ms": e.stable_latency_ms,
                "lost_latency_ms": e.lost_latency_ms,
                "known_ns": e.known.map(|k| k.time_ns),
                "last_absent_ns": e.last_absent.map(|m| m.time_ns),
            })).collect::<Vec<_>>(),
        }),
        WorkloadResult::UniqueIds(r) => json!({
            "workload_valid": validity_json(r.valid),
            "attempted_count": r.attempted_count,
            "acknowledged_count": r.acknowledged_count,
            "duplicated_count": r.duplicated_count,
            "duplicated": r.duplicated,
            "range": r.range,
        }),
        WorkloadResult::Echo(r) => json!({
            "workload_valid": validity_json(r.valid),
            "attempt_count": r.attempt_count,
            "error_count": r.errors.len(),
        }),
    };
    if let (Value::Object(doc), Value::Object(extra)) = (&mut doc, extra) {
        doc.extend(extra);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkers::set_full::Outcome;

    #[test]
    fn worst_stale_elements_print_in_maelstroms_shape() {
        let e = ElementResult {
            element: 391,
            outcome: Outcome::Stable,
            known: Some(Mark {
                index: 1591,
                time_ns: 7_923_444_000,
            }),
            last_present: None,
            last_absent: Some(Mark {
                index: 1922,
                time_ns: 9_624_815_000,
            }),
            stable_latency_ms: Some(1701),
            lost_latency_ms: None,
        };
        assert_eq!(
            element_edn(&e),
            "{:element 391, :outcome :stable, :stable-latency 1701, :lost-latency nil, \
             :known {:index 1591, :time 7923444000}, :last-absent {:index 1922, :time 9624815000}}"
        );
        let never_read = ElementResult {
            outcome: Outcome::NeverRead,
            known: None,
            last_absent: None,
            stable_latency_ms: None,
            ..e
        };
        assert_eq!(
            element_edn(&never_read),
            "{:element 391, :outcome :never-read, :stable-latency nil, :lost-latency nil, \
             :known nil, :last-absent nil}"
        );
    }
}
