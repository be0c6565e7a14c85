//! The `unique-ids` workload, and its checker (Jepsen's `unique-ids`): valid iff no id appears in more than one
//! `:ok` reply. Ids may be any JSON, compared exactly; the range needs mutually comparable
//! ids (all numbers or all strings), otherwise the checker fails and the result is unknown.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::checkers::{Validity, Verdict, WorkloadResult};
use crate::history::{Op, OpF, OpType, OpValue};
use crate::workloads::boundary::{ClientRules, Entry, Setup, WorkloadRun};
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "unique-ids",
    about: "every generate_ok id must be unique",
    options: &[],
    build,
};

fn build(_: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    Ok(Box::new(UniqueIds))
}

/// The unique-ids workload: every operation is a `generate`. No final phase.
#[derive(Debug)]
pub struct UniqueIds;

impl WorkloadRun for UniqueIds {
    fn next_op(&mut self, _rng: &mut Rng) -> (OpF, OpValue) {
        (OpF::GENERATE, OpValue::None)
    }

    fn request(&self, _f: OpF, _value: &OpValue) -> String {
        "{\"type\":\"generate\"}".into()
    }

    fn reply(&self, _f: OpF, body: &Map<String, Value>) -> Reply {
        rpc::check_reply("generate_ok", Some("id"), body)
    }

    /// Maelstrom's unique-ids client survives an `:info`.
    fn client_rules(&self) -> ClientRules {
        ClientRules {
            reusable_after_info: true,
            ..ClientRules::default()
        }
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(check(ops))
    }
}

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
    let generate = |o: &&Op| o.is_client() && o.f == OpF::GENERATE;
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

impl Verdict for UniqueIdsResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        let range = self
            .range
            .as_ref()
            .map_or("nil".to_string(), |(lo, hi)| format!("[{lo} {hi}]"));
        let duplicated: Vec<String> = self
            .duplicated
            .iter()
            .map(|(id, times)| format!("{id} {times}"))
            .collect();
        let _ = writeln!(
            out,
            " :workload {{:valid? {}, :attempted-count {}, :acknowledged-count {}, \
             :duplicated-count {}, :duplicated {{{}}}, :range {range}}},",
            self.valid,
            self.attempted_count,
            self.acknowledged_count,
            self.duplicated_count,
            duplicated.join(", ")
        );
    }

    fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("workload_valid".into(), self.valid.json());
        m.insert("attempted_count".into(), json!(self.attempted_count));
        m.insert("acknowledged_count".into(), json!(self.acknowledged_count));
        m.insert("duplicated_count".into(), json!(self.duplicated_count));
        m.insert("duplicated".into(), json!(self.duplicated));
        m.insert("range".into(), json!(self.range));
        m
    }
}
