//! txn-rw-register behind the workload boundary: its registry entry and flags, the
//! generator draw, the `txn` request and reply, the client rules and the checker.

use serde_json::{Map, Value};

use super::generator::{TxnGenerator, TxnOptions};
use super::{TXN, TxnSettings, check, mops_json, rpc, split_models};
use crate::checkers::WorkloadResult;
use crate::history::{Op, OpF, OpValue};
use crate::workloads::boundary::{ClientRules, Entry, Setup, WorkloadOption, WorkloadRun};
use crate::workloads::rpc::{Reply, txn_reply, txn_request};
use crate::world::rng::Rng;

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "txn-rw-register",
    about: "transactions over registers, checked by Elle's rw-register analysis (6a–6c)",
    options: &[
        WorkloadOption {
            flag: "consistency-models",
            value_name: "MODELS",
            help: "txn-rw-register, txn-list-append: models to check, e.g. read-committed; \
                   several separated by ` , ` (spaces around the comma, as Maelstrom splits \
                   them). Default strict-serializable",
        },
        WorkloadOption {
            flag: "key-count",
            value_name: "N",
            help: "txn-rw-register, txn-list-append, kafka: keys in active rotation (default 10)",
        },
        WorkloadOption {
            flag: "min-txn-length",
            value_name: "N",
            help: "txn-rw-register: fewest micro-operations per transaction (default 1)",
        },
        WorkloadOption {
            flag: "max-txn-length",
            value_name: "N",
            help: "txn-rw-register, txn-list-append: most micro-operations per transaction \
                   (default 4)",
        },
        WorkloadOption {
            flag: "max-writes-per-key",
            value_name: "N",
            help: "txn-rw-register, txn-list-append, kafka: writes or appends to a key (values 1, \
                   2, …) before it retires (default 16)",
        },
    ],
    build,
};

fn build(setup: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    let options = TxnOptions::from_flags(setup, true)?;
    let mut settings = TxnSettings {
        options,
        ..TxnSettings::default()
    };
    if let Some(m) = setup.options.get("consistency-models") {
        settings.consistency_models = split_models(m);
    }
    Ok(Box::new(TxnRun {
        generator: TxnGenerator::new(options),
        settings,
    }))
}

/// One run of the workload: each operation is a `txn`; no final phase.
#[derive(Debug)]
pub struct TxnRun {
    generator: TxnGenerator,
    settings: TxnSettings,
}

impl WorkloadRun for TxnRun {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        (TXN, OpValue::Json(mops_json(&self.generator.next_txn(rng))))
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
        WorkloadResult::new(check(&self.settings, ops))
    }
}
