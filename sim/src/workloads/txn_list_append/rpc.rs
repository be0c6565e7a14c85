//! The `txn` RPC of txn-list-append on the wire (`txn_list_append.clj`): each micro-operation
//! `["r", k, null]` or `["append", k, e]` in requests; in a `txn_ok` reply reads carry the
//! list observed (or `null`: never appended) and appends come back unchanged. The reply's
//! transaction is taken as the completed operation without comparing it to the request, as
//! Maelstrom does. Keys and elements here are integers (the generator's).

use serde_json::{Value, json};

use super::history::Mop;

/// A micro-operation as JSON: `["r", k, [e…]]` / `["r", k, null]` / `["append", k, e]`.
pub fn mop_json(m: &Mop) -> Value {
    match m {
        Mop::Read(k, v) => json!(["r", k, v]),
        Mop::Append(k, e) => json!(["append", k, e]),
    }
}

/// A transaction as the JSON list the wire and the history carry.
pub fn txn_json(mops: &[Mop]) -> Value {
    Value::Array(mops.iter().map(mop_json).collect())
}

/// Whether some element of a `txn` list has an `f` other than `"r"` and `"append"` (Elle's
/// `verify-mop-types` then throws: `:unknown`).
pub fn has_unknown_f(value: &Value) -> bool {
    value.as_array().is_some_and(|items| {
        items.iter().any(|i| {
            !matches!(
                i.as_array().and_then(|a| a.first()).and_then(Value::as_str),
                Some("r" | "append")
            )
        })
    })
}

/// The micro-operations of a `txn` field, or why it fails the schema.
pub fn parse_txn(value: &Value) -> Result<Vec<Mop>, String> {
    crate::workloads::rpc::txn_triples(value, |f, k, v, item| match (f, v) {
        (Some("r"), Value::Null) => Ok(Mop::Read(k, None)),
        (Some("r"), Value::Array(es)) => es
            .iter()
            .map(|e| {
                e.as_i64()
                    .ok_or_else(|| format!("element {e} in {item} must be an integer"))
            })
            .collect::<Result<Vec<i64>, String>>()
            .map(|es| Mop::Read(k, Some(es))),
        (Some("r"), _) => Err(format!("read value in {item} must be a list or null")),
        (Some("append"), v) => v
            .as_i64()
            .map(|e| Mop::Append(k, e))
            .ok_or_else(|| format!("element in {item} must be an integer")),
        _ => Err(format!("f in {item} must be \"r\" or \"append\"")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::txn_list_append::history::{append, r, r_nil};

    #[test]
    fn replies_fill_reads_with_lists_or_null_and_are_taken_verbatim() {
        let reply: Value =
            serde_json::from_str(r#"[["r",1,[8]],["append",1,6],["append",2,9],["r",3,null]]"#)
                .expect("json");
        assert_eq!(
            parse_txn(&reply),
            Ok(vec![r(1, &[8]), append(1, 6), append(2, 9), r_nil(3)])
        );
        assert_eq!(
            txn_json(&[r_nil(1), append(1, 6)]).to_string(),
            r#"[["r",1,null],["append",1,6]]"#
        );
        assert!(!has_unknown_f(&reply));
    }

    #[test]
    fn malformed_elements_fail_the_schema() {
        for bad in [
            r#"{"1":2}"#,
            r#"[["r",1]]"#,
            r#"[["r",1,[1],4]]"#,
            r#"[["w",1,2]]"#,
            r#"[["r","1",[2]]]"#,
            r#"[["r",1,3]]"#,
            r#"[["r",1,[1.5]]]"#,
            r#"[["append",1,null]]"#,
        ] {
            let v: Value = serde_json::from_str(bad).expect("json");
            assert!(parse_txn(&v).is_err(), "{bad}");
        }
        let w: Value = serde_json::from_str(r#"[["w",1,2]]"#).expect("json");
        assert!(has_unknown_f(&w));
    }
}
