//! Broadcast values (challenges 3a–3e, Maelstrom's `broadcast` workload,
//! `maelstrom/src/maelstrom/workload/broadcast.clj`): `broadcast` stores a value and spreads it
//! to every node; `read` answers every value held, in arrival order.
//!
//! The store is an append-only list plus an index for de-duplication (`ValueList`, which the
//! g-set's elements share). A value's position never changes, so a `read` is answered with a
//! prefix of the list, lent to the encoder without a copy. On the wire a gossip carries
//! `"values":[1,2]`.

use hashbrown::HashMap;

use crate::node::kind::{Inserted, Kind, Refusal};
use crate::wire::{DecodeErrorKind, Field, Fields, Value, write_values};

/// Distinct JSON values in arrival order, each at a position that never changes, with an
/// index for de-duplication: the store of broadcast values and of g-set elements alike
/// (`kinds::gset`), whose reads answer a prefix of it and whose gossip writes positions of it.
#[derive(Debug, Default)]
pub(crate) struct ValueList {
    values: Vec<Value>,
    index: HashMap<Value, u32>,
}

impl ValueList {
    /// All values, in arrival order.
    pub(crate) fn as_slice(&self) -> &[Value] {
        &self.values
    }

    /// How many values.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Stores `value` at the next position unless it is held already.
    #[inline]
    pub(crate) fn insert(&mut self, value: Value) -> Inserted {
        let next = self.values.len() as u32;
        match self.index.entry(value) {
            hashbrown::hash_map::Entry::Occupied(slot) => Inserted::Known(*slot.get()),
            hashbrown::hash_map::Entry::Vacant(slot) => {
                self.values.push(slot.key().clone());
                slot.insert(next);
                Inserted::New(next)
            }
        }
    }

    /// Appends the JSON array of the first `upto` values (a read's answer).
    pub(crate) fn write_prefix(&self, upto: usize, out: &mut Vec<u8>) {
        write_values(out, self.values[..upto.min(self.values.len())].iter());
    }

    /// Appends the JSON array of the values at `positions`, in that order; stops at a position
    /// outside the list (there are none: positions come from it).
    #[inline]
    pub(crate) fn write_positions(&self, positions: &[u32], out: &mut Vec<u8>) {
        let values = &self.values;
        write_values(out, positions.iter().map_while(|&p| values.get(p as usize)));
    }
}

/// Every value this node has seen, each once, in arrival order.
#[derive(Debug, Default)]
pub struct Values {
    list: ValueList,
}

impl Values {
    /// All values, in arrival order.
    pub fn values(&self) -> &[Value] {
        self.list.as_slice()
    }
}

/// A client request of the broadcast workload.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `broadcast`: store `message` and spread it.
    Broadcast {
        /// The value.
        message: Value,
    },
    /// `read`: every value held.
    Read,
}

/// A reply of the broadcast workload.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    /// `broadcast_ok`.
    BroadcastOk,
    /// `read_ok` with the first `upto` values (the list only grows, so this is the state at
    /// the time of the read).
    ReadOk {
        /// How many values.
        upto: usize,
    },
}

impl Kind for Values {
    const NAME: &'static str = "broadcast";
    const REQUESTS: &'static [&'static str] = &["broadcast", "read"];
    const FIELD: &'static str = "values";
    const FIELD_EXPECTED: &'static str = "an array";
    const TOPOLOGY: bool = true;

    type Item = Value;
    type Request = Request;
    type Reply = Reply;

    fn decode_request(
        kind: &str,
        fields: &Fields<'_, '_>,
    ) -> Option<Result<Request, DecodeErrorKind>> {
        Some(match kind {
            "broadcast" => Field::required(fields.get("message"), "message")
                .map(|m| Request::Broadcast { message: m.value() }),
            "read" => Ok(Request::Read),
            _ => return None,
        })
    }

    fn request_type(request: &Request) -> &'static str {
        match request {
            Request::Broadcast { .. } => "broadcast",
            Request::Read => "read",
        }
    }

    fn tells(request: &Request) -> bool {
        matches!(request, Request::Broadcast { .. })
    }

    #[inline]
    fn decode_item(item: Field<'_, '_>) -> Option<Value> {
        Some(item.value())
    }

    fn serve(&self, _me: u16, request: Request) -> Result<(Reply, Option<Value>), Refusal> {
        Ok(match request {
            Request::Broadcast { message } => (Reply::BroadcastOk, Some(message)),
            Request::Read => (
                Reply::ReadOk {
                    upto: self.list.len(),
                },
                None,
            ),
        })
    }

    fn write_reply(&self, reply: &Reply, out: &mut Vec<u8>) {
        match *reply {
            Reply::BroadcastOk => out.extend_from_slice(b"\"broadcast_ok\""),
            Reply::ReadOk { upto } => {
                out.extend_from_slice(b"\"read_ok\",\"messages\":");
                self.list.write_prefix(upto, out);
            }
        }
    }

    #[inline]
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        self.list.write_positions(positions, out);
    }

    #[inline]
    fn insert(&mut self, value: Value) -> Inserted {
        self.list.insert(value)
    }

    fn len(&self) -> usize {
        self.list.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_each_value_once_in_order() {
        let mut s = Values::default();
        assert_eq!(s.insert(Value::Int(5)), Inserted::New(0));
        assert_eq!(s.insert(Value::Json("\"x\"".into())), Inserted::New(1));
        assert_eq!(s.insert(Value::Int(5)), Inserted::Known(0));
        assert_eq!(s.values(), &[Value::Int(5), Value::Json("\"x\"".into())]);
        let mut out = Vec::new();
        s.write_items(&[1, 0], &mut out);
        assert_eq!(out, b"[\"x\",5]");
    }
}
