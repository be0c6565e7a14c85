//! The `echo` workload: each operation sends `Please echo K` (K uniform in 0…127) and the
//! checker requires every invocation to complete `:ok` with an `echo` equal to the payload it
//! sent. Timeouts, errors and operations that never completed are errors. No final phase.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::checkers::{Validity, Verdict, WorkloadResult};
use crate::history::{Op, OpF, OpType, OpValue, Process};
use crate::workloads::boundary::{Entry, Setup, WorkloadRun};
use crate::workloads::rpc::{self, Reply, push_json_str};
use crate::world::rng::Rng;

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "echo",
    about: "every request must come back with the same payload",
    options: &[],
    build,
};

fn build(_: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    Ok(Box::new(Echo))
}

/// The echo workload (it keeps no state).
#[derive(Debug)]
pub struct Echo;

impl WorkloadRun for Echo {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        let k = rng.below(128);
        (OpF::ECHO, OpValue::Text(format!("Please echo {k}")))
    }

    fn request(&self, _f: OpF, value: &OpValue) -> String {
        let mut b = String::from("{\"type\":\"echo\",\"echo\":");
        if let OpValue::Text(text) = value {
            push_json_str(&mut b, text);
        }
        b.push('}');
        b
    }

    fn reply(&self, _f: OpF, body: &Map<String, Value>) -> Reply {
        rpc::check_reply("echo_ok", Some("echo"), body)
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(check(ops))
    }
}

/// The echo result.
#[derive(Clone, Debug, PartialEq)]
pub struct EchoResult {
    /// True iff there is no error.
    pub valid: Validity,
    /// Echo invocations.
    pub attempt_count: usize,
    /// Each failed operation: its invocation index and what went wrong.
    pub errors: Vec<(usize, String)>,
}

/// Runs the checker over a history.
pub fn check(ops: &[Op]) -> EchoResult {
    let mut open: BTreeMap<Process, &Op> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut attempt_count = 0;
    for op in ops.iter().filter(|o| o.is_client() && o.f == OpF::ECHO) {
        if op.kind == OpType::Invoke {
            attempt_count += 1;
            open.insert(op.process, op);
            continue;
        }
        let Some(inv) = open.remove(&op.process) else {
            continue;
        };
        let sent = match &inv.value {
            OpValue::Text(s) => serde_json::Value::String(s.clone()),
            _ => serde_json::Value::Null,
        };
        let problem = match (&op.kind, &op.value) {
            (OpType::Ok, OpValue::Json(echo)) if *echo == sent => continue,
            (OpType::Ok, OpValue::Json(echo)) => format!("expected {sent}, got {echo}"),
            (kind, _) => format!(
                ":{} {}",
                kind.name(),
                op.error.as_deref().unwrap_or("(no reply)")
            ),
        };
        errors.push((inv.index, problem));
    }
    for inv in open.values() {
        errors.push((inv.index, "never completed".into()));
    }
    errors.sort();
    EchoResult {
        valid: if errors.is_empty() {
            Validity::True
        } else {
            Validity::False
        },
        attempt_count,
        errors,
    }
}

impl Verdict for EchoResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        let _ = writeln!(
            out,
            " :workload {{:valid? {}, :errors {} of {}}},",
            self.valid,
            self.errors.len(),
            self.attempt_count
        );
        for (index, e) in self.errors.iter().take(8) {
            let _ = writeln!(out, "   op {index}: {e}");
        }
    }

    fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("workload_valid".into(), self.valid.json());
        m.insert("attempt_count".into(), json!(self.attempt_count));
        m.insert("error_count".into(), json!(self.errors.len()));
        m
    }
}
