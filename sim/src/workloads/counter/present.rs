//! The counter checker's result as Maelstrom prints it (`:workload {…}`), as flat `--json`
//! fields, and as figures: the final reads against the acceptable range.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::checker::CounterResult;
use crate::Validity;
use crate::figures::Figure;
use crate::history::Op;

fn intervals_edn(acceptable: &[[i64; 2]]) -> String {
    let parts: Vec<String> = acceptable
        .iter()
        .map(|[lo, hi]| format!("[{lo} {hi}]"))
        .collect();
    format!("({})", parts.join(" "))
}

fn op_edn(op: &Op) -> String {
    format!(
        "{{:index {}, :time {}, :type :{}, :f :{}, :value {}, :final? true}}",
        op.index,
        op.time_ns,
        op.kind.name(),
        op.f.name(),
        match &op.value {
            crate::history::OpValue::Int(v) => v.to_string(),
            _ => "nil".into(),
        }
    )
}

/// Appends ` :workload {:valid? …, :errors …, :final-reads (…), :acceptable (…)},`.
pub fn workload_edn(out: &mut String, r: &CounterResult) {
    let errors = if r.errors.is_empty() {
        "nil".to_string()
    } else {
        let ops: Vec<String> = r.errors.iter().map(op_edn).collect();
        format!("({})", ops.join("\n                    "))
    };
    let reads: Vec<String> = r.final_reads.iter().map(i64::to_string).collect();
    let _ = writeln!(out, " :workload {{:valid? {},", r.valid);
    let _ = writeln!(out, "            :errors {errors},");
    let _ = writeln!(out, "            :final-reads ({}),", reads.join(" "));
    let _ = writeln!(
        out,
        "            :acceptable {}}},",
        intervals_edn(&r.acceptable)
    );
}

/// The figures of a counter run: final reads, the acceptable range (`lo … hi` joined by `or`,
/// one value when lo = hi) and how many final reads fall outside it.
pub fn figures(r: &CounterResult) -> Vec<Figure> {
    let reads: Vec<String> = r.final_reads.iter().map(i64::to_string).collect();
    let ranges: Vec<String> = r
        .acceptable
        .iter()
        .map(|[lo, hi]| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo} … {hi}")
            }
        })
        .collect();
    let mut out = vec![Figure::new(
        "final_reads",
        "final reads",
        format!("[{}]", reads.join(" ")),
    )];
    if !ranges.is_empty() {
        out.push(Figure::new(
            "acceptable",
            "acceptable range",
            ranges.join(" or "),
        ));
    }
    out.push(Figure::new(
        "out_of_range_reads",
        "out-of-range reads",
        r.errors.len(),
    ));
    out
}

/// The flat `--json` fields of a counter run.
pub fn workload_json(r: &CounterResult) -> Value {
    let valid = match r.valid {
        Validity::True => json!(true),
        Validity::False => json!(false),
        Validity::Unknown => json!("unknown"),
    };
    json!({
        "workload_valid": valid,
        "final_reads": r.final_reads,
        "acceptable": r.acceptable,
        "errors": r.errors.iter().map(|op| json!({
            "index": op.index,
            "time_ns": op.time_ns,
            "value": match op.value {
                crate::history::OpValue::Int(v) => json!(v),
                _ => Value::Null,
            },
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OpF, OpType, OpValue, Process};

    #[test]
    fn prints_like_maelstrom() {
        let bad = Op {
            index: 12,
            kind: OpType::Ok,
            f: OpF::READ,
            process: Process::Client(1),
            time_ns: 5_000,
            value: OpValue::Int(3),
            error: None,
            final_read: true,
        };
        let r = CounterResult {
            valid: Validity::False,
            errors: vec![bad],
            final_reads: vec![7, 3],
            acceptable: vec![[7, 7], [9, 10]],
        };
        let mut out = String::new();
        workload_edn(&mut out, &r);
        assert!(out.contains(":valid? false"), "{out}");
        assert!(out.contains(":final-reads (7 3)"), "{out}");
        assert!(out.contains(":acceptable ([7 7] [9 10])"), "{out}");
        assert!(out.contains(":errors ({:index 12, :time 5000, :type :ok, :f :read, :value 3"));
        let j = workload_json(&r);
        assert_eq!(j["acceptable"], json!([[7, 7], [9, 10]]));
        assert_eq!(j["errors"][0]["value"], 3);
        let ok = CounterResult {
            valid: Validity::True,
            errors: vec![],
            final_reads: vec![],
            acceptable: vec![[0, 0]],
        };
        let f = figures(&r);
        let shown: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("final reads", "[7 3]"),
                ("acceptable range", "7 or 9 … 10"),
                ("out-of-range reads", "1")
            ]
        );
        let mut out = String::new();
        workload_edn(&mut out, &ok);
        assert!(out.contains(":errors nil") && out.contains(":final-reads ()"));
    }
}
