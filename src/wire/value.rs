//! Broadcast values: integers kept as integers, anything else kept as its JSON text.
//!
//! Maelstrom's broadcast workload sends the integers 0, 1, 2, … and its checker compares
//! values exactly (`1.0` is not `1`), so a value must come back out byte-for-byte the same
//! kind of JSON it went in as. Integers that fit an `i64` are stored as such; every other
//! JSON value (floats, big integers, strings, arrays, objects) is stored as compact JSON text.

use std::fmt;

/// One broadcast value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// A JSON integer that fits in an `i64` (every value Maelstrom itself generates).
    Int(i64),
    /// Any other JSON value, as compact JSON text (e.g. `"a"`, `1.5`, `[1,2]`,
    /// `18446744073709551615`).
    Json(Box<str>),
}

impl Value {
    /// Appends the value's JSON text to `out`.
    #[inline]
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
            Value::Json(text) => out.extend_from_slice(text.as_bytes()),
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Json(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_json_text() {
        let mut out = Vec::new();
        Value::Int(-42).write_json(&mut out);
        out.push(b',');
        Value::Json("\"x\"".into()).write_json(&mut out);
        assert_eq!(out, b"-42,\"x\"");
    }
}
