//! The `txn-rw-register` workload (Gossip Glomers challenges 6a–6c): transactions of reads
//! and writes over integer registers, checked by Elle's rw-register analysis.
//!
//! | module | holds |
//! |---|---|
//! | [`generator`] | Elle's `wr-txns`: the transactions the clients send |
//! | [`rpc`] | the `txn` request body and the `txn_ok` schema |
//! | [`elle`] | the checker: Elle 0.1.6's rw-register analysis and Maelstrom's wrapper |
//! | [`present`] | the result in the summary and the JSON document, its figures |
//! | `plot` | (feature `present`) its plot, `transactions.svg` |
//! | [`workload`] | the registry entry and [`WorkloadRun`](crate::workloads::WorkloadRun) |
//!
//! In the history a transaction's value is its JSON list of micro-operations (`OpValue::Json`):
//! the request's (reads `null`) on invocations, failures and timeouts, the reply's on `:ok`.

pub mod elle;
pub mod generator;
#[cfg(feature = "present")]
mod plot;
pub mod present;
pub mod rpc;
pub mod workload;

use serde_json::Value;

use crate::history::{Op, OpF, OpValue, Process};
use elle::history::{Entry, Mop, Outcome};
use elle::{ElleResult, Options};
use generator::TxnOptions;

/// The workload's flags: the generator's options and `--consistency-models`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnSettings {
    /// `--key-count`, `--min-txn-length`, `--max-txn-length`, `--max-writes-per-key`.
    pub options: TxnOptions,
    /// `--consistency-models`, split as Maelstrom splits it. Default `strict-serializable`
    /// (Maelstrom's).
    pub consistency_models: Vec<String>,
}

impl Default for TxnSettings {
    fn default() -> TxnSettings {
        TxnSettings {
            options: TxnOptions::default(),
            consistency_models: vec!["strict-serializable".into()],
        }
    }
}

/// Splits a `--consistency-models` value as Maelstrom does: only on a comma with whitespace
/// on both sides, so `read-committed,serializable` is one (unknown) model name.
pub fn split_models(flag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = flag;
    loop {
        let found = rest.char_indices().find(|&(i, c)| {
            c == ','
                && rest[..i].ends_with(char::is_whitespace)
                && rest[i + 1..].starts_with(char::is_whitespace)
        });
        match found {
            Some((i, _)) => {
                out.push(rest[..i].trim_end().to_string());
                rest = rest[i + 1..].trim_start();
            }
            None => {
                out.push(rest.to_string());
                return out;
            }
        }
    }
}

/// The operation's name in the history.
pub const TXN: OpF = OpF::new("txn");

/// A transaction as the JSON list the wire and the history carry.
pub fn mops_json(mops: &[Mop]) -> Value {
    Value::Array(mops.iter().map(present::mop_json).collect())
}

/// Runs the checker over a history's transactions.
pub fn check(settings: &TxnSettings, ops: &[Op]) -> ElleResult {
    let mut parsed: Vec<(usize, Vec<Mop>)> = Vec::new();
    for op in ops.iter().filter(|o| o.f == TXN && o.is_client()) {
        let mops = match &op.value {
            OpValue::Json(v) => rpc::parse_txn(v).unwrap_or_default(),
            _ => Vec::new(),
        };
        parsed.push((op.index, mops));
    }
    let entries = ops
        .iter()
        .filter(|o| o.f == TXN && o.is_client())
        .zip(&parsed)
        .map(|(op, (_, mops))| Entry {
            index: op.index,
            outcome: Outcome::of(op.kind),
            process: match op.process {
                Process::Client(p) => p,
                Process::Nemesis => u64::MAX,
            },
            time_ns: op.time_ns,
            mops,
        });
    let txns = elle::history::completed(entries);
    let opts = Options {
        consistency_models: settings.consistency_models.clone(),
    };
    elle::check(&opts, &txns)
}

#[cfg(test)]
mod tests {
    use super::split_models;

    #[test]
    fn models_split_only_on_a_comma_between_spaces() {
        assert_eq!(split_models("read-committed"), ["read-committed"]);
        assert_eq!(
            split_models("read-uncommitted , read-committed"),
            ["read-uncommitted", "read-committed"]
        );
        assert_eq!(
            split_models("read-committed,serializable"),
            ["read-committed,serializable"]
        );
    }
}
