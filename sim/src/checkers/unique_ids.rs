//! The unique-ids checker (Jepsen's `unique-ids`): valid iff no id appears in more than one
//! `:ok` reply. Ids may be any JSON, compared exactly; the range needs mutually comparable
//! ids (all numbers or all strings), otherwise the checker fails and the result is unknown.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::Validity;
use crate::history::{Op, OpF, OpType, OpValue};

/// The unique-ids result.
#[derive(Clone, Debug, PartialEq)]
pub struct UniqueIdsResult {
    /// False on any duplicate; unknown if the ids cannot be ordered.
    pub valid: Validity,
    /// `generate` invocations.
    pub attempted_count: usize,
    /// `:ok` completions.
    pub acknowledged_count: usize,
    /// Ids returned more than once.
    pub duplicated_count: usize,
    /// Up to 48 duplicated ids (as JSON text) with how often each came back, most first.
    pub duplicated: Vec<(String, usize)>,
    /// The smallest and largest id, as JSON text.
    pub range: Option<(String, String)>,
    /// Why the checker could not decide, if it could not.
    pub error: Option<String>,
}

fn compare(a: &serde_json::Value, b: &serde_json::Value) -> Option<Ordering> {
    use serde_json::Value::{Number, String};
    match (a, b) {
        (Number(x), Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(x), Some(y), _, _) => Some(x.cmp(&y)),
            (_, _, Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
        },
        (String(x), String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Runs the checker over a history.
pub fn check(ops: &[Op]) -> UniqueIdsResult {
    let generate = |o: &&Op| o.is_client() && o.f == OpF::Generate;
    let attempted_count = ops
        .iter()
        .filter(generate)
        .filter(|o| o.kind == OpType::Invoke)
        .count();
    let ids: Vec<&serde_json::Value> = ops
        .iter()
        .filter(generate)
        .filter(|o| o.kind == OpType::Ok)
        .filter_map(|o| match &o.value {
            OpValue::Json(v) => Some(v),
            _ => None,
        })
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for id in &ids {
        *counts.entry(id.to_string()).or_default() += 1;
    }
    let mut duplicated: Vec<(String, usize)> = counts.into_iter().filter(|(_, c)| *c > 1).collect();
    let duplicated_count = duplicated.len();
    duplicated.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    duplicated.truncate(48);
    let mut range: Option<(&serde_json::Value, &serde_json::Value)> = None;
    let mut error = None;
    for id in &ids {
        let (lo, hi) = range.unwrap_or((id, id));
        match (compare(id, lo), compare(id, hi)) {
            (Some(a), Some(b)) => {
                let lo = if a == Ordering::Less { *id } else { lo };
                let hi = if b == Ordering::Greater { *id } else { hi };
                range = Some((lo, hi));
            }
            _ => {
                error = Some(format!("ids {id} and {lo} cannot be compared"));
                break;
            }
        }
    }
    let valid = if duplicated_count > 0 {
        Validity::False
    } else if error.is_some() {
        Validity::Unknown
    } else {
        Validity::True
    };
    UniqueIdsResult {
        valid,
        attempted_count,
        acknowledged_count: ids.len(),
        duplicated_count,
        duplicated,
        range: range.map(|(lo, hi)| (lo.to_string(), hi.to_string())),
        error,
    }
}
