//! The txn-rw-register flags of `glomers-sim test`, as Maelstrom names them.

use clap::Args;
use glomers_sim::workloads::txn_rw_register::generator::TxnOptions;
use glomers_sim::workloads::txn_rw_register::{TxnSettings, split_models};

/// txn-rw-register options.
#[derive(Args, Debug)]
pub struct TxnArgs {
    /// txn-rw-register: consistency models to check, e.g. `read-committed`; several are
    /// separated by ` , ` (spaces around the comma, as Maelstrom splits them). Maelstrom's
    /// default, strict-serializable, needs real-time edges glomers-sim does not build: pass a
    /// model.
    #[arg(long, value_name = "MODELS")]
    consistency_models: Option<String>,
    /// txn-rw-register: keys in active rotation.
    #[arg(long, default_value_t = 10, value_name = "N")]
    key_count: usize,
    /// txn-rw-register: fewest micro-operations per transaction.
    #[arg(long, default_value_t = 1, value_name = "N")]
    min_txn_length: usize,
    /// txn-rw-register: most micro-operations per transaction.
    #[arg(long, default_value_t = 4, value_name = "N")]
    max_txn_length: usize,
    /// txn-rw-register: writes to a key (values 1, 2, …) before it is retired.
    #[arg(long, default_value_t = 16, value_name = "N")]
    max_writes_per_key: i64,
}

impl TxnArgs {
    /// The settings these flags ask for.
    pub fn settings(&self) -> TxnSettings {
        let mut s = TxnSettings {
            options: TxnOptions {
                key_count: self.key_count,
                min_txn_length: self.min_txn_length,
                max_txn_length: self.max_txn_length,
                max_writes_per_key: self.max_writes_per_key,
            },
            ..TxnSettings::default()
        };
        if let Some(m) = &self.consistency_models {
            s.consistency_models = split_models(m);
        }
        s
    }
}
