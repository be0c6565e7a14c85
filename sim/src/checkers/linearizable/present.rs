//! The linearizability result's sections of the summary (Maelstrom's `:workload` map:
//! `:results` per key with Knossos's keys, `:failures`, `:valid?`) and of the JSON document,
//! its figures, its plots in the results folder (each invalid key's diagram, feature
//! `present`) and its operations' values in EDN.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

#[cfg(feature = "present")]
use crate::checkers::linearizable::diagram;
use crate::checkers::linearizable::{
    KeyOutcome, KeyResult, LinearizableResult, Model, PathStep, ShownOp,
};
use crate::checkers::{Validity, Verdict};
use crate::figures::Figure;
#[cfg(feature = "present")]
use crate::figures::{Plot, PlotInput};
use crate::history::{Op, OpValue};

/// `value` in EDN, as Clojure prints JSON Maelstrom parsed: `nil`, `[1 2]`, `"s"`,
/// `{"k" 1}`.
pub fn edn(value: &Value) -> String {
    match value {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(edn).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Object(m) => {
            let inner: Vec<String> = m.iter().map(|(k, v)| format!("{k:?} {}", edn(v))).collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// An operation as Knossos renders it.
pub fn op_edn(op: &ShownOp) -> String {
    format!(
        "{{:process {}, :type :{}, :f :{}, :value {}, :index {}, :time {}}}",
        op.process,
        op.kind.name(),
        op.f.name(),
        edn(&op.value),
        op.index,
        op.time_ns
    )
}

/// A model as Clojure prints Knossos's records.
pub fn model_edn(model: &Model) -> String {
    match model {
        Model::Register(v) => format!("#knossos.model.CASRegister{{:value {}}}", edn(v)),
        Model::Inconsistent(msg) => format!("#knossos.model.Inconsistent{{:msg {msg:?}}}"),
    }
}

fn path_edn(path: &[PathStep]) -> String {
    let steps: Vec<String> = path
        .iter()
        .map(|s| {
            let op = s.op.as_ref().map_or("nil".into(), op_edn);
            format!("{{:op {op}, :model {}}}", model_edn(&s.model))
        })
        .collect();
    format!("[{}]", steps.join("\n              "))
}

/// The `:linearizable` map of one key.
pub fn linearizable_edn(r: &KeyResult) -> String {
    match &r.outcome {
        KeyOutcome::Linearizable(v) => format!(
            "{{:valid? true, :model {}, :final-paths ()}}",
            model_edn(&Model::Register(v.clone()))
        ),
        KeyOutcome::Unknown(cause) => format!("{{:valid? :unknown, :cause {cause:?}}}"),
        KeyOutcome::NotLinearizable(f) => {
            let mut s = String::from("{:valid? false,\n");
            let _ = writeln!(s, "            :op {},", op_edn(&f.op));
            let prev = f.previous_ok.as_ref().map_or("nil".into(), op_edn);
            let _ = writeln!(s, "            :previous-ok {prev},");
            let paths: Vec<String> = f.final_paths.iter().map(|p| path_edn(p)).collect();
            let _ = write!(
                s,
                "            :final-paths ({})}}",
                paths.join("\n             ")
            );
            s
        }
    }
}

impl Verdict for LinearizableResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        let _ = writeln!(out, " :workload {{:valid? {},", self.valid);
        let _ = writeln!(out, "            :results {{");
        for r in &self.results {
            let _ = writeln!(
                out,
                "             {} {{:linearizable {}, :timeline {{:valid? true}}, :valid? {}}}",
                edn(&r.key),
                linearizable_edn(r).replace('\n', "\n             "),
                r.valid
            );
        }
        let failures: Vec<String> = self.failures.iter().map(edn).collect();
        let _ = writeln!(out, "            }},");
        let _ = writeln!(out, "            :failures [{}]}},", failures.join(" "));
    }

    fn json(&self) -> Map<String, Value> {
        let keys: Vec<Value> = self
            .results
            .iter()
            .map(|r| {
                let mut k = json!({
                    "key": r.key,
                    "valid": r.valid.json(),
                    "ops": r.op_count,
                    "crashed": r.crashed_count,
                    "search_steps": r.steps,
                    "search_configs": r.configs,
                });
                match &r.outcome {
                    KeyOutcome::Linearizable(v) => k["model"] = v.clone(),
                    KeyOutcome::Unknown(cause) => k["cause"] = json!(cause),
                    KeyOutcome::NotLinearizable(f) => {
                        k["op"] = json!(op_edn(&f.op));
                        k["previous_ok"] = json!(f.previous_ok.as_ref().map(op_edn));
                        k["final_paths"] = json!(
                            f.final_paths
                                .iter()
                                .map(|p| path_edn(p))
                                .collect::<Vec<_>>()
                        );
                    }
                }
                k
            })
            .collect();
        let doc = json!({
            "workload_valid": self.valid.json(),
            "key_count": self.results.len(),
            "failures": self.failures,
            "unknown_keys": self.results.iter().filter(|r| r.valid == Validity::Unknown).map(|r| r.key.clone()).collect::<Vec<_>>(),
            "keys": keys,
        });
        match doc {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn figures(&self) -> Vec<Figure> {
        let count = |v: Validity| self.results.iter().filter(|r| r.valid == v).count();
        let steps: u64 = self.results.iter().map(|r| r.steps).sum();
        vec![
            Figure::new("key_count", "keys", self.results.len()),
            Figure::new(
                "nonlinearizable_key_count",
                "keys not linearizable",
                count(Validity::False),
            ),
            Figure::new(
                "unknown_key_count",
                "keys unknown",
                count(Validity::Unknown),
            ),
            Figure::new("search_steps", "search steps", steps),
        ]
    }

    /// `linear-<key>.svg` for every key that is not linearizable.
    #[cfg(feature = "present")]
    fn plots(&self, _run: &PlotInput<'_>) -> Result<Vec<Plot>, String> {
        Ok(self
            .results
            .iter()
            .filter_map(|r| {
                let svg = diagram::render(r)?;
                let key = edn(&r.key).replace(|c: char| !c.is_ascii_alphanumeric(), "_");
                Some(Plot {
                    file_name: format!("linear-{key}.svg"),
                    what: format!(
                        "key {}'s last moments: the operation no order could linearize",
                        edn(&r.key)
                    ),
                    svg,
                })
            })
            .collect())
    }

    /// Jepsen's independent tuples: `[k v]`, a cas `[k [from to]]`, a read's invocation
    /// `[k nil]`.
    fn value_edn(&self, op: &Op) -> Option<String> {
        match &op.value {
            OpValue::Json(v @ Value::Array(kv)) if kv.len() == 2 => Some(edn(v)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OpF, OpType};

    #[test]
    fn values_and_models_print_as_clojure_does() {
        assert_eq!(edn(&json!(null)), "nil");
        assert_eq!(edn(&json!([2, 3])), "[2 3]");
        assert_eq!(edn(&json!("x")), "\"x\"");
        assert_eq!(
            model_edn(&Model::Register(json!(3))),
            "#knossos.model.CASRegister{:value 3}"
        );
        let op = ShownOp {
            process: 4,
            kind: OpType::Ok,
            f: OpF::READ,
            value: json!(4),
            index: 87,
            time_ns: 123,
        };
        assert_eq!(
            op_edn(&op),
            "{:process 4, :type :ok, :f :read, :value 4, :index 87, :time 123}"
        );
    }
}
