//! How Clojure prints the JSON values a service holds, for the text of error 22
//! (`current value <cur> is not <from>`).
//!
//! Maelstrom parses JSON into Clojure data (integers → `Long`, or `BigInt` past 64 bits;
//! fractions → `Double`; arrays → vectors; objects → maps with string keys below the body's
//! top level) and builds the text with `pr-str` (readable: strings quoted, `nil`) or `str`
//! (strings bare, `nil` as nothing). Both print collections readably.

use serde_json::{Number, Value};

/// `(pr-str v)`.
pub(crate) fn pr_str(v: &Value) -> String {
    let mut out = String::new();
    pr(&mut out, v);
    out
}

/// `(str v)`: like [`pr_str`] except that a top-level string is bare and `nil` is empty.
pub(crate) fn str_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => number(n, false),
        other => pr_str(other),
    }
}

fn pr(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n, true)),
        Value::String(s) => quoted(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                pr(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                quoted(out, k);
                out.push(' ');
                pr(out, item);
            }
            out.push('}');
        }
    }
}

/// A Clojure string literal: `"`, `\` and control characters escaped as `pr-str` does.
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A `Long` prints as its digits; a `BigInt` (past `i64`) with an `N` suffix under `pr-str`;
/// a `Double` as Java's `Double.toString`.
fn number(n: &Number, readable: bool) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return if readable {
            format!("{u}N")
        } else {
            u.to_string()
        };
    }
    java_double(n.as_f64().unwrap_or(0.0))
}

/// Java's `Double.toString`: plain notation with at least one decimal for magnitudes in
/// [10⁻³, 10⁷), otherwise `d.dddE±x`; digits are the shortest that round-trip.
fn java_double(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let a = x.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{x}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    // `{:e}` gives the shortest round-trip mantissa, e.g. "1e10" or "1.5e-5".
    let s = format!("{x:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exp}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_like_clojure() {
        assert_eq!(pr_str(&json!(null)), "nil");
        assert_eq!(str_of(&json!(null)), "");
        assert_eq!(pr_str(&json!("a\"b")), "\"a\\\"b\"");
        assert_eq!(str_of(&json!("ab")), "ab");
        assert_eq!(pr_str(&json!(1.0)), "1.0");
        assert_eq!(pr_str(&json!(-3)), "-3");
        assert_eq!(pr_str(&json!(0.5)), "0.5");
        assert_eq!(pr_str(&json!(1e10)), "1.0E10");
        assert_eq!(pr_str(&json!(1.5e-5)), "1.5E-5");
        assert_eq!(pr_str(&json!(u64::MAX)), "18446744073709551615N");
        assert_eq!(str_of(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(pr_str(&json!([1, "x", [true]])), "[1 \"x\" [true]]");
        assert_eq!(str_of(&json!([1, "x"])), "[1 \"x\"]");
        assert_eq!(pr_str(&json!({"a": 1, "b": null})), "{\"a\" 1, \"b\" nil}");
    }
}
