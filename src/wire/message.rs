//! The messages themselves: what the node reads (borrowed from the input line) and what it
//! writes (borrowed from the node's state until it is encoded).
//!
//! The wire knows the envelope and the node's own bodies (`init_ok`, errors, the frame of
//! `gossip`); what an item kind puts in its replies and gossip it writes itself, through
//! [`WriteReply`] and [`WriteItems`].

use std::fmt;

use super::ErrorCode;

/// A decoded incoming message whose body's type-specific part is a `P`. Strings borrow from
/// the line it was decoded from.
#[derive(Clone, Debug, PartialEq)]
pub struct Message<'a, P> {
    /// The sender: `c…` for Maelstrom clients, a node id otherwise.
    pub src: &'a str,
    /// The recipient: this node's id (or, before `init`, the id Maelstrom will give it).
    pub dest: &'a str,
    /// The body.
    pub body: Body<P>,
}

/// The body of an incoming message.
#[derive(Clone, Debug, PartialEq)]
pub struct Body<P> {
    /// The sender's id for this request, if it expects a reply.
    pub msg_id: Option<u64>,
    /// The request this message answers, if it is a reply.
    pub in_reply_to: Option<u64>,
    /// The type-specific part.
    pub payload: P,
}

/// A message the node wants sent, borrowing from the node until it is encoded.
#[derive(Clone, Debug)]
pub struct Transmit<'a> {
    /// This node's id.
    pub src: &'a str,
    /// The recipient's id.
    pub dest: &'a str,
    /// The request this answers, for replies.
    pub in_reply_to: Option<u64>,
    /// The type-specific part.
    pub payload: OutPayload<'a>,
}

/// The type-specific part of an outgoing body.
#[derive(Clone, Debug)]
pub enum OutPayload<'a> {
    /// `init_ok`.
    InitOk,
    /// `echo_ok` with the request's `echo` value (compact JSON text).
    EchoOk {
        /// The value to echo, as JSON text.
        echo: &'a str,
    },
    /// `generate_ok` with a fresh id.
    GenerateOk {
        /// The unique id.
        id: u64,
    },
    /// `topology_ok`.
    TopologyOk,
    /// A Maelstrom error body.
    Error {
        /// The code.
        code: ErrorCode,
        /// A human-readable explanation.
        text: &'a str,
    },
    /// An item kind's reply to a client's request (`broadcast_ok`, `read_ok`, `txn_ok` …),
    /// written by the kind.
    Reply(Reply<'a>),
    /// A `gossip` message to another node.
    Gossip {
        /// Batch sequence number (present iff `items` is not empty).
        seq: Option<u64>,
        /// The items, written by their kind under its field name.
        items: Items<'a>,
        /// Acknowledged sequence numbers.
        acks: &'a [u64],
        /// Ask the receiver to relay for us.
        adopt: bool,
        /// Tell the receiver it no longer relays for us.
        detach: bool,
        /// Send time (ms), if stamped.
        sent: Option<u64>,
        /// A round schedule `[from_ms, period_ms, step_ms]` to pass on.
        round: Option<[u64; 3]>,
        /// One-way latencies (ms) the sender observed on the receiver's messages, reported
        /// (written as `lat` when not empty).
        latency: &'a [u64],
        /// The sender's incarnation (written as `inc` when not 0).
        incarnation: u64,
    },
}

/// What writes a reply body: its `type` as a JSON string, then `,"field":value` for each of
/// its fields (`"read_ok","messages":[1,2]`). `in_reply_to` and the braces are the encoder's.
pub trait WriteReply {
    /// Appends the reply's `type` and fields to `out`.
    fn write_reply(&self, out: &mut Vec<u8>);
}

/// What writes a list of gossiped items: the store they are picked from.
pub trait WriteItems {
    /// Appends the JSON array of the items at `positions` (in that order) to `out`.
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>);
}

/// A reply lent for encoding.
#[derive(Clone, Copy)]
pub struct Reply<'a>(pub &'a dyn WriteReply);

impl fmt::Debug for Reply<'_> {
    /// The body as it will be written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.0.write_reply(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// The items of a gossip message: positions in a store, written under the kind's field name.
#[derive(Clone, Copy)]
pub struct Items<'a> {
    /// The body field that carries them (`values`, `counts`, `txns` …).
    pub field: &'static str,
    /// The store the positions refer to.
    pub store: &'a dyn WriteItems,
    /// Positions in `store`, in the order to send them.
    pub positions: &'a [u32],
}

impl Items<'_> {
    /// No items.
    pub const NONE: Items<'static> = Items {
        field: "",
        store: &NoItems,
        positions: &[],
    };

    /// Whether no item is picked.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

impl fmt::Debug for Items<'_> {
    /// The field and the list as they will be written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.store.write_items(self.positions, &mut out);
        write!(f, "{}: {}", self.field, String::from_utf8_lossy(&out))
    }
}

/// An empty store.
struct NoItems;

impl WriteItems for NoItems {
    fn write_items(&self, _: &[u32], out: &mut Vec<u8>) {
        out.extend_from_slice(b"[]");
    }
}
