//! The txn-rw-register checker's result as Maelstrom prints it (`:workload {…}`), as the
//! `--json` document's workload fields and as figures, and its transactions' values in EDN.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::elle::ElleResult;
use super::elle::history::{Mop, Txn, Value as RegValue};
use super::elle::kinds::Case;
use crate::checkers::{Validity, Verdict};
use crate::figures::Figure;
use crate::history::{Op, OpValue};
use crate::workloads::elle::summary::write_anomalies;

fn validity(v: Validity) -> String {
    v.to_string()
}

/// The `:workload` entry of the summary, one line per anomaly case shown.
pub fn workload_edn(r: &ElleResult) -> String {
    let mut out = String::new();
    let _ = write!(out, " :workload {{:valid? {}", validity(r.valid));
    if let Some(e) = &r.error {
        let _ = writeln!(out, ", :error {e:?}}},");
        return out;
    }
    let types: Vec<String> = r.anomaly_types.iter().map(|t| t.to_string()).collect();
    let _ = write!(out, ", :anomaly-types ({})", types.join(" "));
    if r.anomalies.is_empty() {
        let _ = writeln!(out, ", :anomalies nil}},");
        return out;
    }
    let name = |t: usize| r.txns[t].edn();
    write_anomalies(
        &mut out,
        &r.anomaly_types,
        &r.anomalies,
        |c| c.edn(&name),
        &r.not,
        &r.also_not,
    );
    out
}

fn value_json(v: RegValue) -> Value {
    v.map_or(Value::Null, |v| json!(v))
}

/// A micro-operation as `["r", k, v]` / `["w", k, v]`.
pub fn mop_json(m: &Mop) -> Value {
    match *m {
        Mop::Read(k, v) => json!(["r", k, value_json(v)]),
        Mop::Write(k, v) => json!(["w", k, v]),
    }
}

/// A transaction as `{index, type, process, time_ns, value}`.
pub fn txn_json(t: &Txn) -> Value {
    json!({
        "index": t.index,
        "type": t.outcome.name(),
        "process": t.process,
        "time_ns": t.complete_ns,
        "value": t.mops.iter().map(mop_json).collect::<Vec<_>>(),
    })
}

fn case_json(r: &ElleResult, c: &Case) -> Value {
    let t = |i: usize| txn_json(&r.txns[i]);
    match c {
        Case::Read { op, mop, writer } => {
            json!({"op": t(*op), "mop": mop_json(mop), "writer": t(*writer)})
        }
        Case::Internal { op, mop, expected } => {
            json!({"op": t(*op), "mop": mop_json(mop), "expected": value_json(*expected)})
        }
        Case::LostUpdate { key, value, txns } => json!({
            "key": key,
            "value": value_json(*value),
            "txns": txns.iter().map(|&i| t(i)).collect::<Vec<_>>(),
        }),
        Case::CyclicVersions { key, scc, sources } => json!({
            "key": key,
            "scc": scc.iter().map(|v| value_json(*v)).collect::<Vec<_>>(),
            "sources": sources,
        }),
        Case::Cycle { steps } => json!({
            "cycle": steps.iter().map(|s| t(s.from)).collect::<Vec<_>>(),
            "steps": steps.iter().map(|s| json!({
                "type": s.rel.name(),
                "key": s.key,
                "value": value_json(s.value),
                "value'": value_json(s.value2),
            })).collect::<Vec<_>>(),
        }),
        Case::Marker => json!(true),
    }
}

/// The workload fields of the `--json` document.
pub fn workload_json(r: &ElleResult) -> Value {
    let valid = match r.valid {
        Validity::True => json!(true),
        Validity::False => json!(false),
        Validity::Unknown => json!("unknown"),
    };
    let anomalies: serde_json::Map<String, Value> = r
        .anomalies
        .iter()
        .map(|(t, cases)| {
            let cases: Vec<Value> = cases.iter().map(|c| case_json(r, c)).collect();
            (t.name().to_string(), Value::Array(cases))
        })
        .collect();
    json!({
        "workload_valid": valid,
        "consistency_models": r.consistency_models,
        "anomaly_types": r.anomaly_types.iter().map(|t| t.name()).collect::<Vec<_>>(),
        "anomalies": anomalies,
        "all_anomaly_counts": r.all_anomalies.iter()
            .map(|(t, c)| (t.name().to_string(), json!(c.len())))
            .collect::<serde_json::Map<_, _>>(),
        "not": r.not,
        "also_not": r.also_not,
        "error": r.error,
        "txn_count": r.txns.len(),
    })
}

impl Verdict for ElleResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        out.push_str(&workload_edn(self));
    }

    fn json(&self) -> serde_json::Map<String, Value> {
        match workload_json(self) {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        }
    }

    fn figures(&self) -> Vec<Figure> {
        figures(self)
    }

    #[cfg(feature = "present")]
    fn plots(
        &self,
        run: &crate::figures::PlotInput<'_>,
    ) -> Result<Vec<crate::figures::Plot>, String> {
        super::plot::plots(self, run)
    }

    fn value_edn(&self, op: &Op) -> Option<String> {
        (op.f == super::TXN).then(|| txn_edn(&op.value)).flatten()
    }
}

/// The figures of a txn run: the models checked, the anomaly types that make it invalid
/// (`none`), every anomaly found with its count (`G2-item 46, lost-update 18`, or `none`) and
/// the models those rule out (Elle's `:not` and `:also-not`, or `nothing`).
pub fn figures(r: &ElleResult) -> Vec<Figure> {
    crate::workloads::elle::figures(
        &r.consistency_models,
        &r.anomaly_types,
        r.all_anomalies.iter().map(|(t, cases)| (*t, cases.len())),
        r.not.iter().chain(&r.also_not).copied(),
    )
}

/// A transaction's micro-operations in EDN with their functions as keywords
/// (`[[:r 1 nil] [:w 2 3]]`), as Jepsen prints them; `None` if the value is not a list of
/// `[f, key, value]` with integer or `null` arguments.
fn txn_edn(value: &OpValue) -> Option<String> {
    let OpValue::Json(Value::Array(mops)) = value else {
        return None;
    };
    let mut out = String::from("[");
    for (i, mop) in mops.iter().enumerate() {
        let (Value::String(f), args) = mop.as_array()?.split_first()? else {
            return None;
        };
        let _ = write!(out, "{}[:{f}", if i > 0 { " " } else { "" });
        for arg in args {
            match arg {
                Value::Null => out.push_str(" nil"),
                Value::Number(n) => {
                    let _ = write!(out, " {n}");
                }
                _ => return None,
            }
        }
        out.push(']');
    }
    out.push(']');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::txn_rw_register::elle::history::{Outcome, r, w};
    use crate::workloads::txn_rw_register::elle::{Options, check};

    #[test]
    fn an_aborted_read_prints_in_maelstroms_shape() {
        let txns = vec![
            Txn::new(1, Outcome::Fail, vec![w(1, 1)]),
            Txn::new(3, Outcome::Ok, vec![r(1, Some(1))]),
            Txn::new(5, Outcome::Ok, vec![w(2, 1)]),
            Txn::new(7, Outcome::Ok, vec![r(2, Some(1))]),
        ];
        let opts = Options {
            consistency_models: vec!["read-committed".into()],
        };
        let res = check(&opts, &txns);
        let edn = workload_edn(&res);
        assert!(
            edn.starts_with(" :workload {:valid? false, :anomaly-types (:G1a)"),
            "{edn}"
        );
        assert!(
            edn.contains(
                "{:op {:index 3, :type :ok, :process 0, :value [[:r 1 1]]}, :mop [:r 1 1], \
             :writer {:index 1, :type :fail, :process 0, :value [[:w 1 1]]}}"
            ),
            "{edn}"
        );
        assert!(edn.contains(":not #{:read-committed}"), "{edn}");
        let j = workload_json(&res);
        assert_eq!(j["consistency_models"], json!(["read-committed"]));
        assert_eq!(j["anomaly_types"], json!(["G1a"]));
        assert_eq!(j["anomalies"]["G1a"][0]["mop"], json!(["r", 1, 1]));
        let ok = check(&opts, &txns[2..]);
        assert_eq!(
            workload_edn(&ok),
            " :workload {:valid? true, :anomaly-types (), :anomalies nil},\n"
        );
    }
}
