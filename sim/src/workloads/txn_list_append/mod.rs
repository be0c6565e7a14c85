//! The `txn-list-append` workload (Maelstrom's Datomic chapter, `doc/05-datomic`):
//! transactions of reads and appends over integer-keyed lists, checked by Elle's list-append
//! analysis (`elle/list_append.clj`).
//!
//! | module | holds |
//! |---|---|
//! | [`rpc`] | the `txn` request body and the `txn_ok` schema |
//! | [`history`] | transactions, micro-operations |
//! | `anomalies` | per-transaction anomalies and the version orders |
//! | `graph` | the ww/wr/rw dependency graph and its explanations |
//! | [`check`] | the checker: analysis, models, Elle's `result-map` |
//! | [`kinds`] | the cases witnessing each anomaly |
//! | [`present`] | the result in the summary, the JSON document, its figures, its transactions' EDN and the results folder's `elle/` files |
//! | [`synth`] | synthetic strict-serializable histories (benchmarks) |
//! | [`workload`] | the registry entry and [`WorkloadRun`](crate::workloads::WorkloadRun) |
//!
//! The generator is txn-rw-register's (Elle's `wr-txns`) with each write turned into an
//! append (`elle/list_append.clj` `append-txns`). The cycle search, its typing and the
//! consistency models are shared with txn-rw-register ([`crate::workloads::elle`]). The test
//! stores (correct and broken on purpose) live with the integration tests (`tests/common`).

pub(crate) mod anomalies;
pub mod check;
pub(crate) mod graph;
pub mod history;
pub mod kinds;
pub mod present;
pub mod rpc;
pub mod synth;
pub mod workload;

use crate::history::{Op, OpValue, Process};
use crate::workloads::txn_rw_register::TXN;
use check::{ListAppendResult, Options};
use history::{Entry, Outcome};

/// Runs the checker over a history's `txn` operations (client operations only).
pub fn check_ops(opts: &Options, ops: &[Op]) -> ListAppendResult {
    let mut entries = Vec::new();
    for op in ops.iter().filter(|o| o.f == TXN && o.is_client()) {
        let mops = match &op.value {
            OpValue::Json(v) => {
                if rpc::has_unknown_f(v) {
                    return ListAppendResult::unknown(
                        opts,
                        Vec::new(),
                        format!(
                            "history contained operations other than appends or reads: {v} \
                             (op {})",
                            op.index
                        ),
                    );
                }
                rpc::parse_txn(v).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        entries.push(Entry {
            index: op.index,
            outcome: Outcome::of(op.kind),
            process: match op.process {
                Process::Client(p) => p,
                Process::Nemesis => u64::MAX,
            },
            time_ns: op.time_ns,
            mops,
        });
    }
    check::check_owned(opts, history::completed(entries))
}

#[cfg(test)]
mod tests;
