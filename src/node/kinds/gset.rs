//! Maelstrom's grow-only set (`g-set`, `maelstrom/src/maelstrom/workload/g_set.clj`, described
//! in Maelstrom's `doc/workloads.md`): `add` puts an element in the set and is acknowledged at
//! once (`add_ok`); `read` answers every element held (`read_ok` with `value`). Maelstrom sends
//! integers; any JSON value is kept, like a broadcast value.
//!
//! The set is a broadcast of its elements: the same append-only list with an index for
//! de-duplication as broadcast values (`values::ValueList`), spread by the same gossip engine (overlay, rounds, acknowledged links,
//! resends, fallback) as broadcast values, so it is exact on every node once the network heals.
//! A `read` is answered with a prefix of the list, lent to the encoder without a copy. On the
//! wire a gossip carries `"elements":[1,2]`.

use super::values::ValueList;
use crate::node::kind::{Inserted, Kind, Refusal};
use crate::wire::{DecodeErrorKind, Field, Fields, Value};

/// Every element this node has seen, each once, in arrival order.
#[derive(Debug, Default)]
pub struct GSet {
    elements: ValueList,
}

impl GSet {
    /// All elements, in arrival order.
    pub fn elements(&self) -> &[Value] {
        self.elements.as_slice()
    }
}

/// A client request of the g-set workload.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `add`: put `element` in the set.
    Add {
        /// The element.
        element: Value,
    },
    /// `read`: every element held.
    Read,
}

/// A reply of the g-set workload.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    /// `add_ok`.
    AddOk,
    /// `read_ok` with the first `upto` elements (the list only grows).
    ReadOk {
        /// How many elements.
        upto: usize,
    },
}

impl Kind for GSet {
    const NAME: &'static str = "g-set";
    const REQUESTS: &'static [&'static str] = &["add", "read"];
    const FIELD: &'static str = "elements";
    const FIELD_EXPECTED: &'static str = "an array";
    /// Elements never supersede one another: while a neighbour is cut off, every round's
    /// batch to it stays unacknowledged, and they are resent as one message.
    const RESEND_TOGETHER: bool = true;
    /// No relay during partitions: Maelstrom's g-set checks what the reads hold once the
    /// network heals (a stale read is reported, not invalid), and a relay's second route
    /// doubles the messages on its links for as long as the partition lasts. Resends deliver
    /// every element after the heal, as they deliver a counter's shares (whose batches
    /// supersede one another and so never look lost long enough to fall back either).
    const FALLBACK: bool = false;

    type Item = Value;
    type Request = Request;
    type Reply = Reply;

    fn decode_request(
        kind: &str,
        fields: &Fields<'_, '_>,
    ) -> Option<Result<Request, DecodeErrorKind>> {
        Some(match kind {
            "add" => Field::required(fields.get("element"), "element")
                .map(|e| Request::Add { element: e.value() }),
            "read" => Ok(Request::Read),
            _ => return None,
        })
    }

    fn request_type(request: &Request) -> &'static str {
        match request {
            Request::Add { .. } => "add",
            Request::Read => "read",
        }
    }

    fn tells(request: &Request) -> bool {
        matches!(request, Request::Add { .. })
    }

    fn decode_item(item: Field<'_, '_>) -> Option<Value> {
        Some(item.value())
    }

    fn serve(&self, _me: u16, request: Request) -> Result<(Reply, Option<Value>), Refusal> {
        Ok(match request {
            Request::Add { element } => (Reply::AddOk, Some(element)),
            Request::Read => (
                Reply::ReadOk {
                    upto: self.elements.len(),
                },
                None,
            ),
        })
    }

    fn write_reply(&self, reply: &Reply, out: &mut Vec<u8>) {
        match *reply {
            Reply::AddOk => out.extend_from_slice(b"\"add_ok\""),
            Reply::ReadOk { upto } => {
                out.extend_from_slice(b"\"read_ok\",\"value\":");
                self.elements.write_prefix(upto, out);
            }
        }
    }

    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        self.elements.write_positions(positions, out);
    }

    fn insert(&mut self, element: Value) -> Inserted {
        self.elements.insert(element)
    }

    fn len(&self) -> usize {
        self.elements.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_each_element_once_and_reads_them_all() {
        let mut s = GSet::default();
        let (reply, item) = s
            .serve(
                0,
                Request::Add {
                    element: Value::Int(3),
                },
            )
            .expect("served");
        assert!(matches!(reply, Reply::AddOk));
        assert_eq!(s.insert(item.expect("an element")), Inserted::New(0));
        assert_eq!(s.insert(Value::Int(3)), Inserted::Known(0));
        s.insert(Value::Int(-1));
        let (read, none) = s.serve(0, Request::Read).expect("served");
        assert!(none.is_none());
        let mut out = Vec::new();
        s.write_reply(&read, &mut out);
        assert_eq!(out, b"\"read_ok\",\"value\":[3,-1]");
        out.clear();
        s.write_items(&[1], &mut out);
        assert_eq!(out, b"[-1]");
    }
}
