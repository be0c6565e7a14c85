//! Decoding the counter and transaction parts of a body: `txn` requests, and the counter
//! shares and transaction records of gossip.

use simd_json::prelude::*;

use super::fields::value_from;
use super::{DecodeErrorKind, Tv, invalid};
use crate::wire::message::{Count, MicroOp, OpKind, TxnRecord};

pub(super) const COUNT: &str = "an array of [node, version, total] integer triples";
pub(super) const TXN_RECORD: &str = "an array of [ts, node, [[key, value], ...]]";
const TXN: &str = "an array of [\"r\" or \"w\", key, value] triples";

/// An optional array field, each element converted by `item` (which returns `None` for a
/// malformed element).
pub(super) fn optional_list<T>(
    v: Option<Tv<'_, '_>>,
    field: &'static str,
    expected: &'static str,
    item: impl Fn(Tv<'_, '_>) -> Option<T>,
) -> Result<Vec<T>, DecodeErrorKind> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let array = v.as_array().ok_or_else(|| invalid(field, expected))?;
    array
        .iter()
        .map(|e| item(e).ok_or_else(|| invalid(field, expected)))
        .collect()
}

/// The elements of a JSON array of exactly `N` elements.
fn exactly<'t, 'a, const N: usize>(v: Tv<'t, 'a>) -> Option<[Tv<'t, 'a>; N]> {
    let array = v.as_array()?;
    if array.len() != N {
        return None;
    }
    let mut items = array.iter();
    Some(std::array::from_fn(|_| items.next().unwrap_or(v)))
}

pub(super) fn count_from(v: Tv<'_, '_>) -> Option<Count> {
    let [node, version, total] = exactly(v)?;
    Some(Count {
        node: u16::try_from(node.as_u64()?).ok()?,
        version: version.as_u64()?,
        total: total.as_i64()?,
    })
}

pub(super) fn record_from(v: Tv<'_, '_>) -> Option<TxnRecord> {
    let [ts, node, writes] = exactly(v)?;
    let writes = writes
        .as_array()?
        .iter()
        .map(|w| exactly(w).map(|[k, v]| (value_from(k), value_from(v))))
        .collect::<Option<Vec<_>>>()?;
    Some(TxnRecord {
        ts: ts.as_u64()?,
        node: u16::try_from(node.as_u64()?).ok()?,
        writes,
    })
}

/// A `txn` request: every micro-op is `["r", key, value]` or `["w", key, value]`; the value
/// of a read is ignored (Maelstrom sends `null`), that of a write kept (`null` included).
pub(super) fn txn_from(v: Tv<'_, '_>) -> Result<Vec<MicroOp>, DecodeErrorKind> {
    let array = v.as_array().ok_or_else(|| invalid("txn", TXN))?;
    array
        .iter()
        .map(|op| {
            let [f, key, value] = exactly(op).ok_or_else(|| invalid("txn", TXN))?;
            let (f, value) = match f.as_str() {
                Some("r") => (OpKind::Read, None),
                Some("w") => (OpKind::Write, Some(value_from(value))),
                _ => return Err(invalid("txn", TXN)),
            };
            Ok(MicroOp {
                f,
                key: value_from(key),
                value,
            })
        })
        .collect()
}
