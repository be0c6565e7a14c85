//! The `broadcast` workload: setup also sends the `topology` message; each operation is an
//! even draw between broadcasting the next integer (0, 1, 2, …) and reading; after the main
//! phase the network heals, the cluster waits quietly and every worker thread reads once
//! more. Reads are idempotent (a timeout or indefinite error is `:fail`). The checker is
//! Jepsen's [`set_full`]; [`summary`] holds its sections of the summary and JSON document,
//! its figures and curve, and `plot` (feature `present`) its plots.

#[cfg(feature = "present")]
mod plot;
pub mod set_full;
pub mod summary;

use serde_json::{Map, Value};

use crate::checkers::WorkloadResult;
use crate::history::{Op, OpF, OpValue, ReadValues};
use crate::workloads::boundary::{Entry, Setup, WorkloadRun};
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "broadcast",
    about: "every acknowledged value must eventually be read (Jepsen's set-full)",
    options: &[],
    build,
};

fn build(_: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    Ok(Box::new(Broadcast::default()))
}

/// The broadcast workload: the next value to broadcast.
#[derive(Debug, Default)]
pub struct Broadcast {
    next_value: i64,
}

impl WorkloadRun for Broadcast {
    fn sends_topology(&self) -> bool {
        true
    }

    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        if rng.below(2) == 0 {
            let v = self.next_value;
            self.next_value += 1;
            (OpF::BROADCAST, OpValue::Int(v))
        } else {
            (OpF::READ, OpValue::None)
        }
    }

    fn request(&self, f: OpF, value: &OpValue) -> String {
        match (f, value) {
            (OpF::BROADCAST, OpValue::Int(v)) => {
                format!("{{\"type\":\"broadcast\",\"message\":{v}}}")
            }
            _ => "{\"type\":\"read\"}".into(),
        }
    }

    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply {
        if f == OpF::BROADCAST {
            return rpc::check_reply("broadcast_ok", None, body);
        }
        match rpc::check_reply("read_ok", Some("messages"), body) {
            Reply::Ok(OpValue::Json(Value::Array(items))) => {
                let mut read = ReadValues::default();
                for item in &items {
                    match item.as_i64() {
                        Some(i) => read.ints.push(i),
                        None => read.other.push(item.to_string()),
                    }
                }
                Reply::Ok(OpValue::Read(read))
            }
            Reply::Ok(_) => rpc::malformed("messages must be an array"),
            other => other,
        }
    }

    fn idempotent(&self, f: OpF) -> bool {
        f == OpF::READ
    }

    fn final_phase(&self) -> bool {
        true
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(set_full::check(ops))
    }
}
