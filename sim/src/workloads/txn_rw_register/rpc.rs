//! The `txn` RPC on the wire: the request body a client sends and the check of the `txn`
//! field of a `txn_ok` reply (each element `[f, k, v]` with `f` "r" or "w", `k` an integer,
//! `v` an integer, or `null` for reads). The reply's transaction is taken as the completed
//! operation without comparing it to the request, as Maelstrom does.

use std::fmt::Write as _;

use serde_json::Value;

use super::elle::history::Mop;

/// The request body `{"type":"txn","txn":[["r",1,null],["w",1,6]],"msg_id":n}`.
pub fn request_body(txn: &[Mop], msg_id: u64) -> String {
    let mut b = String::from("{\"type\":\"txn\",\"txn\":[");
    for (i, mop) in txn.iter().enumerate() {
        if i > 0 {
            b.push(',');
        }
        let _ = match *mop {
            Mop::Read(k, Some(v)) => write!(b, "[\"r\",{k},{v}]"),
            Mop::Read(k, None) => write!(b, "[\"r\",{k},null]"),
            Mop::Write(k, v) => write!(b, "[\"w\",{k},{v}]"),
        };
    }
    let _ = write!(b, "],\"msg_id\":{msg_id}}}");
    b
}

/// The micro-operations of a reply's `txn` field, or why it fails the schema.
pub fn parse_txn(value: &Value) -> Result<Vec<Mop>, String> {
    crate::workloads::rpc::txn_triples(value, |f, k, v, item| match (f, v) {
        (Some("r"), Value::Null) => Ok(Mop::Read(k, None)),
        (Some("r" | "w"), v) if v.is_i64() => {
            let v = v.as_i64().unwrap_or_default();
            Ok(if f == Some("r") {
                Mop::Read(k, Some(v))
            } else {
                Mop::Write(k, v)
            })
        }
        (Some("r" | "w"), _) => Err(format!("value in {item} must be an integer")),
        _ => Err(format!("f in {item} must be \"r\" or \"w\"")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::txn_rw_register::elle::history::{r, w};

    #[test]
    fn requests_carry_null_reads_and_replies_are_taken_verbatim() {
        let txn = [r(1, None), w(1, 6), w(2, 9)];
        assert_eq!(
            request_body(&txn, 7),
            r#"{"type":"txn","txn":[["r",1,null],["w",1,6],["w",2,9]],"msg_id":7}"#
        );
        let reply: Value =
            serde_json::from_str(r#"[["r",1,3],["w",1,6],["w",5,9],["r",4,null]]"#).expect("json");
        assert_eq!(
            parse_txn(&reply),
            Ok(vec![r(1, Some(3)), w(1, 6), w(5, 9), r(4, None)]),
            "not compared with the request"
        );
    }

    #[test]
    fn malformed_elements_fail_the_schema() {
        for bad in [
            r#"{"1":2}"#,
            r#"[["r",1]]"#,
            r#"[["r",1,null,4]]"#,
            r#"[["x",1,2]]"#,
            r#"[["r","1",2]]"#,
            r#"[["r",1,2.0]]"#,
            r#"[["w",1,null]]"#,
            r#"[["w",1.5,3]]"#,
        ] {
            let v: Value = serde_json::from_str(bad).expect("json");
            assert!(parse_txn(&v).is_err(), "{bad}");
        }
    }
}
