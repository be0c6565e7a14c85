//! How a [`Report`] is shown: a Maelstrom-style summary (EDN-like text, ending with
//! Maelstrom's verdict line) and the `results.json` document written by `--json`
//! ([`ResultsJson`]).

use std::fmt::Write as _;

use super::Report;
use super::document::{
    AvailabilityJson, GroupJson, KillsJson, NetJson, NodeErrorJson, NodesJson, ResultsJson,
    SCHEMA_VERSION, StatsJson,
};
use crate::checkers::{OutcomeCounts, Validity};
use crate::config::{NodeKind, command_line};
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

fn nodes_json(nodes: &NodeKind) -> NodesJson {
    match nodes {
        NodeKind::InProcess(node) => NodesJson::InProcess {
            description: node.description.clone(),
        },
        NodeKind::Custom(f) => NodesJson::InProcess {
            description: f.description.clone(),
        },
        NodeKind::Process { bin, args } => NodesJson::Process {
            bin: bin.display().to_string(),
            args: args.clone(),
        },
    }
}

/// The summary printed at the end of a run.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    let c = &report.config;
    let nemesis = match c.nemesis_flag() {
        Some(flag) => format!(
            " --nemesis {flag} --nemesis-interval {}",
            c.nemesis_interval.as_secs_f64()
        ),
        None => String::new(),
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
            // A node told the run's workload takes that kind's own timing (kafka's rounds).
            let runs = glomers::node::kinds::config_for_workload(node, c.workload.name());
            let _ = writeln!(out, "nodes: in-process glomers ({})", runs.description);
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
    if c.kill || c.pause {
        let f = &report.fault_counts;
        let _ = writeln!(
            out,
            "nemesis: {} node kills, {} pauses, {} lines lost with killed processes, \
             {} late replies to closed clients",
            f.kills, f.pauses, f.killed_drops, f.late_replies
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

fn group_json(g: &GroupStats) -> GroupJson {
    GroupJson {
        send_count: g.send_count,
        recv_count: g.recv_count,
        msg_count: g.msg_count,
        msgs_per_op: g.msgs_per_op.map(f64::from),
    }
}

/// The `--json` document ([`ResultsJson`]): the run's settings, `net`, `op_count`, `seed`,
/// the checkers' results, the workload's own section, figures and curves, and the rest.
pub fn to_json(report: &Report) -> ResultsJson {
    let c = &report.config;
    let verdict = report.workload.verdict();
    let mut workload_fields = verdict.json();
    // A typed field of the document: the convention every verdict's JSON follows.
    workload_fields.remove("workload_valid");
    ResultsJson {
        schema_version: SCHEMA_VERSION,
        valid: Some(report.valid),
        seed: Some(report.seed),
        workload: Some(c.workload.name().to_owned()),
        flags: Some(super::series::flags(report)),
        node_count: Some(c.node_count),
        rate: Some(c.rate),
        time_limit_s: Some(c.time_limit.as_secs_f64()),
        latency_ms: Some(c.latency_ms),
        partition: Some(c.partition),
        nemesis: c.nemesis_flag().filter(|_| c.kill || c.pause),
        kills: (c.kill || c.pause).then_some(KillsJson {
            kills: report.fault_counts.kills,
            pauses: report.fault_counts.pauses,
            dropped: report.fault_counts.killed_drops,
        }),
        nodes: Some(nodes_json(&c.nodes)),
        node_config: match &c.nodes {
            NodeKind::InProcess(node) => serde_json::to_value(node).ok(),
            _ => None,
        },
        op_count: Some(report.op_count),
        net: Some(NetJson {
            all: group_json(&report.net.all),
            clients: group_json(&report.net.clients),
            servers: group_json(&report.net.servers),
        }),
        stats: Some(StatsJson {
            valid: report.stats.valid,
            count: report.stats.total.count,
            ok_count: report.stats.total.ok_count,
            fail_count: report.stats.total.fail_count,
            info_count: report.stats.total.info_count,
        }),
        availability: Some(AvailabilityJson {
            valid: report.availability.valid,
            ok_fraction: report.availability.ok_fraction,
        }),
        workload_valid: Some(verdict.valid()),
        figures: verdict.figures(),
        node_errors: Some(
            report
                .node_errors
                .iter()
                .map(|e| NodeErrorJson {
                    node: format!("n{}", e.node),
                    time_us: e.time.as_micros(),
                    reason: e.reason.clone(),
                    line: e.line.clone(),
                })
                .collect(),
        ),
        partition_drops: Some(report.partition_drops),
        past_deadlines: Some(report.past_deadlines),
        main_start_us: Some(report.main_start.as_micros()),
        end_us: Some(report.end.as_micros()),
        server_sends_per_second: Some(report.server_sends_per_second.clone()),
        series: Some(super::series::of(report)),
        wall_ms: None,
        artifacts: Vec::new(),
        workload_fields,
    }
}
