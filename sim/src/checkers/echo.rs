//! The echo checker: every invocation must complete `:ok` with an `echo` equal to the
//! payload it sent. Timeouts, errors and operations that never completed are errors.

use std::collections::BTreeMap;

use super::Validity;
use crate::history::{Op, OpF, OpType, OpValue, Process};

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
    for op in ops.iter().filter(|o| o.is_client() && o.f == OpF::Echo) {
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
