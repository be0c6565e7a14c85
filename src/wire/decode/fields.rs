//! Reading one body field from the tape as the type the message needs (an id, a flag, a
//! broadcast value, a list of node ids, a topology, a round), with the error kind a malformed
//! field is answered with. Absent and `null` optional fields read as their defaults.

use simd_json::prelude::*;

use super::{DecodeErrorKind, Tv, invalid};
use crate::wire::encode::write_str;
use crate::wire::value::Value;

pub(super) fn required<'t, 'a>(
    v: Option<Tv<'t, 'a>>,
    field: &'static str,
) -> Result<Tv<'t, 'a>, DecodeErrorKind> {
    v.ok_or(DecodeErrorKind::Missing(field))
}

pub(super) fn optional_u64(
    v: Option<Tv<'_, '_>>,
    field: &'static str,
) -> Result<Option<u64>, DecodeErrorKind> {
    match v {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| invalid(field, "a non-negative integer")),
    }
}

pub(super) fn optional_bool(
    v: Option<Tv<'_, '_>>,
    field: &'static str,
) -> Result<bool, DecodeErrorKind> {
    match v {
        None => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| invalid(field, "a boolean")),
    }
}

/// Converts one JSON value to a broadcast [`Value`]: integers stay integers, anything else
/// keeps its compact JSON text.
pub(super) fn value_from(v: Tv<'_, '_>) -> Value {
    match v.as_i64() {
        Some(i) => Value::Int(i),
        None => Value::Json(json_text(v)),
    }
}

/// A JSON value's compact text. A string (an `echo` always is one) is written in one
/// allocation of its exact size; simd-json's generic encoder grows a `String` from empty, which
/// cost three allocator calls for a short echo.
pub(super) fn json_text(v: Tv<'_, '_>) -> Box<str> {
    match v.as_str() {
        Some(s) => {
            let mut text = Vec::with_capacity(s.len() + 2);
            write_str(&mut text, s);
            // `write_str` writes `s` and ASCII escapes only: always valid UTF-8.
            String::from_utf8(text)
                .map_or_else(|_| v.encode().into_boxed_str(), String::into_boxed_str)
        }
        None => v.encode().into_boxed_str(),
    }
}

pub(super) fn str_list<'a>(
    v: Tv<'_, 'a>,
    field: &'static str,
) -> Result<Vec<&'a str>, DecodeErrorKind> {
    let array = v
        .as_array()
        .ok_or_else(|| invalid(field, "an array of strings"))?;
    array
        .iter()
        .map(|s| {
            s.into_string()
                .ok_or_else(|| invalid(field, "an array of strings"))
        })
        .collect()
}

pub(super) fn topology_from<'a>(
    v: Tv<'_, 'a>,
) -> Result<Vec<(&'a str, Vec<&'a str>)>, DecodeErrorKind> {
    let object = v
        .as_object()
        .ok_or_else(|| invalid("topology", "an object of node id to neighbour ids"))?;
    object
        .iter()
        .map(|(node, neighbours)| Ok((node, str_list(neighbours, "topology")?)))
        .collect()
}

/// `round`: absent, or an array of three non-negative integers.
pub(super) fn round_from(v: Option<Tv<'_, '_>>) -> Result<Option<[u64; 3]>, DecodeErrorKind> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = || invalid("round", "an array of three non-negative integers");
    let array = v.as_array().ok_or_else(bad)?;
    let mut out = [0u64; 3];
    if array.len() != 3 {
        return Err(bad());
    }
    for (slot, item) in out.iter_mut().zip(array.iter()) {
        *slot = item.as_u64().ok_or_else(bad)?;
    }
    Ok(Some(out))
}
