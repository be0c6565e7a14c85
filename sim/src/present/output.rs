//! How a [`Report`] is shown: a Maelstrom-style summary (EDN-like text, ending with
//! Maelstrom's verdict line) and the flat JSON document written by `--json`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::checkers::{OutcomeCounts, Validity};
use crate::config::{NodeKind, command_line};
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

fn nodes_json(nodes: &NodeKind) -> Value {
    match nodes {
        NodeKind::InProcess(node) => json!({"kind": "in-process", "description": node.description}),
        NodeKind::Custom(f) => json!({"kind": "in-process", "description": f.description}),
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
        "glomers-sim: -w {} --node-count {} --rate {} --time-limit {} --latency {}{}{nemesis}{faults}; \
         seed {} (replay with GLOMERS_SEED={})",
        c.workload,
        c.node_count,
        c.rate,
        c.time_limit.as_secs_f64(),
        c.latency_ms,
        super::series::workload_flags(c),
        report.seed,
        report.seed
    );
    let clock = match &c.nodes {
        NodeKind::InProcess(node) => {
            let _ = writeln!(out, "nodes: in-process glomers ({})", node.description);
            "virtual time"
        }
        NodeKind::Custom(f) => {
            let _ = writeln!(out, "nodes: in-process {}", f.description);
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
    report.workload.verdict().summary(&mut out);
    let _ = writeln!(out, " :op-count {},", report.op_count);
    let _ = writeln!(out, " :valid? {}}}", report.valid);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", verdict_line(report.valid));
    out
}

fn group_json(g: &GroupStats) -> Value {
    json!({
        "send_count": g.send_count,
        "recv_count": g.recv_count,
        "msg_count": g.msg_count,
        "msgs_per_op": g.msgs_per_op,
    })
}

/// The `--json` document: flat workload figures, `net`, `op_count`, `seed`, and the rest.
pub fn to_json(report: &Report) -> Value {
    let c = &report.config;
    let mut doc = json!({
        "valid": report.valid.json(),
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
            "valid": report.stats.valid.json(),
            "count": report.stats.total.count,
            "ok_count": report.stats.total.ok_count,
            "fail_count": report.stats.total.fail_count,
            "info_count": report.stats.total.info_count,
        },
        "availability": {
            "valid": report.availability.valid.json(),
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
    let extra = report.workload.verdict().json();
    if let Value::Object(doc) = &mut doc {
        doc.extend(extra);
    }
    super::series::add_to(&mut doc, report);
    doc
}
