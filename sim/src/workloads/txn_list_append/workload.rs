//! txn-list-append behind the workload boundary: its registry entry and flags, the generator
//! draw, the `txn` request and reply, the client rules and the checker.

use serde_json::{Map, Value};

use super::check::Options;
use super::history::Mop;
use super::{check_ops, rpc};
use crate::checkers::WorkloadResult;
use crate::history::{Op, OpF, OpValue};
use crate::workloads::boundary::{ClientRules, Entry, Setup, WorkloadOption, WorkloadRun};
use crate::workloads::rpc::{Reply, txn_reply, txn_request};
use crate::workloads::txn_rw_register::elle::history::Mop as RwMop;
use crate::workloads::txn_rw_register::generator::{TxnGenerator, TxnOptions};
use crate::workloads::txn_rw_register::{TXN, split_models};
use crate::world::rng::Rng;

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "txn-list-append",
    about: "transactions appending to lists, checked by Elle's list-append analysis \
            (Maelstrom's Datomic chapter)",
    options: &[
        WorkloadOption {
            flag: "consistency-models",
            value_name: "MODELS",
            help: "txn-rw-register, txn-list-append: models to check; several separated by \
                   ` , `. Default strict-serializable",
        },
        WorkloadOption {
            flag: "key-count",
            value_name: "N",
            help: "keys in active rotation (default 10)",
        },
        WorkloadOption {
            flag: "max-txn-length",
            value_name: "N",
            help: "most micro-operations per transaction (default 4)",
        },
        WorkloadOption {
            flag: "max-writes-per-key",
            value_name: "N",
            help: "writes or appends to a key (values 1, 2, …) before it retires (default 16)",
        },
    ],
    build,
};

fn build(setup: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    let options = TxnOptions::from_flags(setup, false)?;
    let mut opts = Options::default();
    if let Some(m) = setup.options.get("consistency-models") {
        opts.consistency_models = split_models(m);
    }
    Ok(Box::new(ListAppendRun {
        generator: TxnGenerator::new(options),
        opts,
    }))
}

/// One run of the workload: each operation is a `txn`; no final phase.
#[derive(Debug)]
pub struct ListAppendRun {
    generator: TxnGenerator,
    opts: Options,
}

/// Elle's `append-txns`: a `wr-txns` transaction with each write turned into an append.
pub fn appends(txn: &[RwMop]) -> Vec<Mop> {
    txn.iter()
        .map(|m| match *m {
            RwMop::Read(k, _) => Mop::Read(k, None),
            RwMop::Write(k, v) => Mop::Append(k, v),
        })
        .collect()
}

impl WorkloadRun for ListAppendRun {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        let txn = appends(&self.generator.next_txn(rng));
        (TXN, OpValue::Json(rpc::txn_json(&txn)))
    }

    fn request(&self, _f: OpF, value: &OpValue) -> String {
        txn_request(value)
    }

    /// `txn_ok` with a `txn` list of `[f k v]`, taken verbatim as the completion.
    fn reply(&self, _f: OpF, body: &Map<String, Value>) -> Reply {
        txn_reply(body, rpc::parse_txn)
    }

    /// Maelstrom's txn client survives an `:info`; definite errors abort the transaction.
    fn client_rules(&self) -> ClientRules {
        ClientRules {
            reusable_after_info: true,
            ..ClientRules::default()
        }
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(check_ops(&self.opts, ops))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::Workload;
    use crate::workloads::boundary::WorkloadOptions;
    use crate::world::rng::{Stream, stream};

    #[test]
    fn transactions_are_wr_txns_with_writes_turned_into_appends() {
        let mut a = stream(7, Stream::Workload);
        let mut b = stream(7, Stream::Workload);
        let mut rw = TxnGenerator::new(TxnOptions::default());
        let mut run = ListAppendRun {
            generator: TxnGenerator::new(TxnOptions::default()),
            opts: Options::default(),
        };
        let (mut reads, mut appended) = (0usize, 0usize);
        for _ in 0..2_000 {
            let expected = appends(&rw.next_txn(&mut a));
            let (f, value) = run.next_op(&mut b);
            assert_eq!(f, TXN);
            let OpValue::Json(v) = &value else {
                panic!("{value:?}")
            };
            let mops = rpc::parse_txn(v).expect("a txn");
            assert_eq!(mops, expected, "the same draw, writes as appends");
            assert!((1..=4).contains(&mops.len()));
            for m in &mops {
                match m {
                    Mop::Read(_, v) => {
                        assert_eq!(*v, None, "requests read null");
                        reads += 1;
                    }
                    Mop::Append(_, e) => {
                        assert!((1..=16).contains(e));
                        appended += 1;
                    }
                }
            }
        }
        let share = reads as f64 / (reads + appended) as f64;
        assert!((share - 0.5).abs() < 0.05, "{share}");
        let body = run.request(
            TXN,
            &OpValue::Json(serde_json::json!([["r", 1, null], ["append", 1, 6]])),
        );
        assert_eq!(
            body,
            r#"{"type":"txn","txn":[["r",1,null],["append",1,6]]}"#
        );
        let rules = run.client_rules();
        assert!(rules.reusable_after_info && rules.definite_errors_fail);
        assert_eq!(rules.timeout, None, "the configured 5 s client timeout");
    }

    #[test]
    fn replies_are_taken_verbatim_and_flags_are_checked() {
        let run = ListAppendRun {
            generator: TxnGenerator::new(TxnOptions::default()),
            opts: Options::default(),
        };
        let body = |s: &str| -> Map<String, Value> { serde_json::from_str(s).expect("json") };
        let ok = run.reply(
            TXN,
            &body(r#"{"type":"txn_ok","txn":[["r",3,[1,2]],["r",4,null]]}"#),
        );
        assert!(matches!(ok, Reply::Ok(OpValue::Json(_))), "{ok:?}");
        let bad = run.reply(TXN, &body(r#"{"type":"txn_ok","txn":[["r",3,7]]}"#));
        assert!(matches!(bad, Reply::Malformed(_)), "{bad:?}");
        let w = Workload::named("txn-list-append").expect("registered");
        let mut options = WorkloadOptions::new();
        options.insert("max-txn-length".into(), "0".into());
        let setup = Setup {
            options: &options,
            node_count: 2,
            threads: 2,
            latency_ms: 0,
        };
        assert!(w.build(&setup).is_err());
    }
}
