//! What must never happen in a campaign run, whatever the faults (see the module
//! documentation of [`crate::campaign`]).

use std::collections::BTreeSet;

use crate::config::Workload;
use crate::history::{OpF, OpType, OpValue, Process};
use crate::report::Report;
use crate::workloads::broadcast::set_full::SetFullResult;
use crate::workloads::unique_ids::UniqueIdsResult;

/// The node a history operation went to: thread `p mod threads`, node `thread mod n`.
fn node_of(report: &Report, process: Process) -> Option<u16> {
    let Process::Client(p) = process else {
        return None;
    };
    let threads = report.config.threads() as u64;
    let n = u64::from(report.config.node_count);
    Some(((p % threads) % n) as u16)
}

/// Broadcast values whose `broadcast_ok` reached the client, or unique ids handed out.
pub(crate) fn acknowledged(report: &Report) -> Vec<i64> {
    let f = match report.config.workload {
        w if w == Workload::BROADCAST => OpF::BROADCAST,
        w if w == Workload::UNIQUE_IDS => OpF::GENERATE,
        _ => return Vec::new(),
    };
    report
        .history
        .ops()
        .iter()
        .filter(|o| o.kind == OpType::Ok && o.f == f)
        .filter_map(|o| match &o.value {
            OpValue::Int(v) => Some(*v),
            OpValue::Json(v) => v.as_i64(),
            _ => None,
        })
        .collect()
}

/// Everything that must not happen, whatever the faults: see the module documentation.
pub fn check(report: &Report) -> Vec<String> {
    let mut v = Vec::new();
    for e in &report.node_errors {
        v.push(format!(
            "n{} printed a line Maelstrom rejects: {}",
            e.node, e.reason
        ));
    }
    if report.past_deadlines > 0 {
        let times = report.past_deadlines;
        v.push(format!("nodes asked {times} times to be woken in the past"));
    }
    if let Some(sf) = report.workload.get::<SetFullResult>() {
        if sf.lost_count > 0 {
            v.push(format!(
                "set-full lost {} values: {:?}",
                sf.lost_count, sf.lost
            ));
        }
        check_reads(report, &mut v);
    }
    if let Some(r) = report.workload.get::<UniqueIdsResult>() {
        if r.duplicated_count > 0 {
            v.push(format!("unique ids handed out twice: {:?}", r.duplicated));
        }
    }
    v
}

fn check_reads(report: &Report, v: &mut Vec<String>) {
    let acked: BTreeSet<i64> = acknowledged(report).into_iter().collect();
    let n = usize::from(report.config.node_count);
    let (mut final_asked, mut final_ok) = (vec![false; n], vec![false; n]);
    for op in report.history.ops() {
        if op.f != OpF::READ {
            continue;
        }
        if op.kind == OpType::Invoke {
            if op.final_read {
                final_asked[usize::from(node_of(report, op.process).unwrap_or(0))] = true;
            }
            continue;
        }
        let node = node_of(report, op.process).unwrap_or(0);
        let OpValue::Read(values) = &op.value else {
            if op.final_read {
                let why = op.error.as_deref().unwrap_or("no value");
                v.push(format!("n{node}'s final read did not succeed: {why}"));
            }
            continue;
        };
        let ints: BTreeSet<i64> = values.ints.iter().copied().collect();
        let others: BTreeSet<&String> = values.other.iter().collect();
        if ints.len() < values.ints.len() || others.len() < values.other.len() {
            v.push(format!("a read of n{node} listed a value twice"));
        }
        if op.final_read {
            final_ok[usize::from(node)] = true;
            let missing: Vec<i64> = acked.difference(&ints).copied().collect();
            if !missing.is_empty() {
                let shown = &missing[..missing.len().min(10)];
                v.push(format!(
                    "n{node}'s final read misses {} acknowledged values: {shown:?}",
                    missing.len()
                ));
            }
        }
    }
    for (node, ok) in final_ok.iter().enumerate() {
        if final_asked[node] && !ok {
            v.push(format!("n{node} has no successful final read"));
        }
    }
}
