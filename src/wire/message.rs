//! The messages themselves: what the node reads (borrowed from the input line) and what it
//! writes (borrowed from the node's state until it is encoded).

use smallvec::SmallVec;

use super::{ErrorCode, Value};

/// A decoded incoming message. Strings borrow from the line they were decoded from.
#[derive(Clone, Debug, PartialEq)]
pub struct Message<'a> {
    /// The sender: `c…` for Maelstrom clients, a node id otherwise.
    pub src: &'a str,
    /// The recipient: this node's id (or, before `init`, the id Maelstrom will give it).
    pub dest: &'a str,
    /// The body.
    pub body: Body<'a>,
}

/// The body of an incoming message.
#[derive(Clone, Debug, PartialEq)]
pub struct Body<'a> {
    /// The sender's id for this request, if it expects a reply.
    pub msg_id: Option<u64>,
    /// The request this message answers, if it is a reply.
    pub in_reply_to: Option<u64>,
    /// The type-specific part.
    pub payload: Payload<'a>,
}

/// The type-specific part of an incoming body, one variant per `type` the node understands.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload<'a> {
    /// `init`: who this node is and who the others are.
    Init {
        /// This node's id.
        node_id: &'a str,
        /// Every node's id, in Maelstrom's order (the same list on every node).
        node_ids: Vec<&'a str>,
    },
    /// `echo`: reply with the same `echo` value.
    Echo {
        /// The `echo` field as compact JSON text (Maelstrom sends a string, but any JSON is kept).
        echo: Box<str>,
    },
    /// `generate`: reply with a globally unique id.
    Generate,
    /// `broadcast`: store a value and spread it to every node.
    Broadcast {
        /// The value.
        message: Value,
    },
    /// `read`: reply with every value seen so far (broadcast) or the counter's value.
    Read,
    /// `add`: add `delta` to the cluster-wide counter (g-counter, pn-counter).
    Add {
        /// The amount, possibly negative (pn-counter).
        delta: i64,
    },
    /// `txn`: run these micro-operations as one transaction (txn-rw-register).
    Txn {
        /// The micro-operations, in order; reads carry no value yet.
        txn: Vec<MicroOp>,
    },
    /// `topology`: Maelstrom's suggested neighbours for each node.
    Topology {
        /// Each node id with its neighbour ids, in the order they appeared.
        topology: Vec<(&'a str, Vec<&'a str>)>,
    },
    /// `gossip`: a batch of values and acknowledgements between two nodes of the cluster.
    Gossip(Gossip),
    /// `error`: a Maelstrom error body (a reply to something this node sent).
    Error {
        /// The numeric code.
        code: i64,
        /// The optional explanation.
        text: Option<&'a str>,
    },
    /// Any other `type`: the node answers `not-supported` (or ignores it, for replies).
    Unknown {
        /// The `type` field as sent.
        kind: &'a str,
    },
}

impl Payload<'_> {
    /// The `type` string of this payload.
    pub fn kind(&self) -> &str {
        match self {
            Payload::Init { .. } => "init",
            Payload::Echo { .. } => "echo",
            Payload::Generate => "generate",
            Payload::Broadcast { .. } => "broadcast",
            Payload::Read => "read",
            Payload::Add { .. } => "add",
            Payload::Txn { .. } => "txn",
            Payload::Topology { .. } => "topology",
            Payload::Gossip(_) => "gossip",
            Payload::Error { .. } => "error",
            Payload::Unknown { kind } => kind,
        }
    }
}

/// The node-to-node message of the broadcast workload.
///
/// On the wire: `{"type":"gossip","seq":7,"values":[1,2],"acks":[3]}`. Every field but `type`
/// is optional and left out when empty, so an acknowledgement alone is
/// `{"type":"gossip","acks":[3]}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gossip {
    /// The sender's sequence number for this batch of values, present iff `values` is not
    /// empty; the receiver acknowledges it.
    pub seq: Option<u64>,
    /// New values for the receiver.
    pub values: Vec<Value>,
    /// Sequence numbers of the receiver's batches that the sender has received.
    pub acks: SmallVec<[u64; 4]>,
    /// The sender asks the receiver to relay for it (its own parent is unreachable).
    pub adopt: bool,
    /// The sender no longer needs the receiver to relay for it.
    pub detach: bool,
    /// Counter states (g-counter, pn-counter), in a batch numbered by `seq` like `values`.
    pub counts: Vec<Count>,
    /// Transactions' writes (txn-rw-register), in a batch numbered by `seq` like `values`.
    pub txns: Vec<TxnRecord>,
    /// When the sender sent it (its wall clock, ms): one latency sample for the receiver.
    pub sent: Option<u64>,
    /// A round schedule `[from_ms, period_ms, step_ms]` announced by the root, passed down.
    pub round: Option<[u64; 3]>,
}

impl Gossip {
    /// Whether the message carries any item (values, counts or transactions).
    pub fn has_items(&self) -> bool {
        !(self.values.is_empty() && self.counts.is_empty() && self.txns.is_empty())
    }
}

/// One node's share of a counter, as gossiped: `[node, version, total]` on the wire.
///
/// `total` is the sum of every delta added at node `node` (signed: pn-counter deltas may be
/// negative), and `version` counts the changes made to it, so the entry with the higher
/// version is the newer one and replaces the other whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Count {
    /// The node's index in `init`'s `node_ids`.
    pub node: u16,
    /// How many times the node's total has changed.
    pub version: u64,
    /// The sum of the node's deltas.
    pub total: i64,
}

/// The writes of one committed transaction, as gossiped: `[ts, node, [[k, v], …]]` on the wire.
///
/// `(ts, node)` identifies the transaction and orders conflicting writes: per key, the write of
/// the transaction with the highest `(ts, node)` wins on every node. Only each key's final
/// write in the transaction is listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxnRecord {
    /// The transaction's Lamport timestamp.
    pub ts: u64,
    /// The index of the node that ran it.
    pub node: u16,
    /// `(key, value)` for each key it wrote, each key once.
    pub writes: Vec<(Value, Value)>,
}

/// A micro-operation's function: `"r"` or `"w"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// `"r"`: read the key.
    Read,
    /// `"w"`: write the key.
    Write,
}

/// One micro-operation of a transaction: `["r", key, value-or-null]` or `["w", key, value]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MicroOp {
    /// Read or write.
    pub f: OpKind,
    /// The key (Maelstrom sends integers; any JSON value is kept as [`Value`]).
    pub key: Value,
    /// The value written, or the value read (`None` is JSON `null`: not read yet, or never
    /// written).
    pub value: Option<Value>,
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
    /// `broadcast_ok`.
    BroadcastOk,
    /// `read_ok` with every value the node holds.
    ReadOk {
        /// The values.
        messages: ValueList<'a>,
    },
    /// `topology_ok`.
    TopologyOk,
    /// `add_ok`.
    AddOk,
    /// `read_ok` with a counter's value.
    ReadValueOk {
        /// The counter's value (the sum of every node's total, which may exceed an `i64`).
        value: i128,
    },
    /// `txn_ok` with the transaction, reads filled in.
    TxnOk {
        /// The micro-operations as executed.
        txn: &'a [MicroOp],
    },
    /// A Maelstrom error body.
    Error {
        /// The code.
        code: ErrorCode,
        /// A human-readable explanation.
        text: &'a str,
    },
    /// A `gossip` message to another node.
    Gossip {
        /// Batch sequence number (present iff `values` is not empty).
        seq: Option<u64>,
        /// The values.
        values: ValueList<'a>,
        /// Acknowledged sequence numbers.
        acks: &'a [u64],
        /// Ask the receiver to relay for us.
        adopt: bool,
        /// Tell the receiver it no longer relays for us.
        detach: bool,
        /// Counter states.
        counts: Picked<'a, Count>,
        /// Transactions' writes.
        txns: Picked<'a, TxnRecord>,
        /// Send time (ms), if stamped.
        sent: Option<u64>,
        /// A round schedule `[from_ms, period_ms, step_ms]` to pass on.
        round: Option<[u64; 3]>,
    },
}

/// Items picked out of a store by position, encoded without copying them.
#[derive(Debug)]
pub struct Picked<'a, T> {
    /// The store.
    pub store: &'a [T],
    /// Positions in `store`, in the order to send them (positions outside it are skipped).
    pub positions: &'a [u32],
}

impl<T> Clone for Picked<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Picked<'_, T> {}

impl<'a, T> Picked<'a, T> {
    /// Nothing.
    pub const EMPTY: Picked<'a, T> = Picked {
        store: &[],
        positions: &[],
    };

    /// Whether no position is picked.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The picked items in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a T> + use<'a, T> {
        let store = self.store;
        self.positions
            .iter()
            .filter_map(move |&p| store.get(p as usize))
    }
}

/// A list of values to encode without copying them out of the node's store.
#[derive(Clone, Copy, Debug)]
pub enum ValueList<'a> {
    /// These values, in order.
    Slice(&'a [Value]),
    /// The values at these positions of a store, in this order.
    Picked {
        /// The store.
        store: &'a [Value],
        /// Positions in `store`.
        positions: &'a [u32],
    },
}

impl<'a> ValueList<'a> {
    /// How many values the list holds.
    pub fn len(&self) -> usize {
        match self {
            ValueList::Slice(s) => s.len(),
            ValueList::Picked { positions, .. } => positions.len(),
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values in order.
    pub fn iter(&self) -> ValueIter<'a> {
        ValueIter {
            list: *self,
            next: 0,
        }
    }
}

/// Iterator over a [`ValueList`].
#[derive(Clone, Debug)]
pub struct ValueIter<'a> {
    list: ValueList<'a>,
    next: usize,
}

impl<'a> Iterator for ValueIter<'a> {
    type Item = &'a Value;

    #[inline]
    fn next(&mut self) -> Option<&'a Value> {
        let i = self.next;
        self.next += 1;
        match self.list {
            ValueList::Slice(s) => s.get(i),
            ValueList::Picked { store, positions } => {
                positions.get(i).and_then(|&p| store.get(p as usize))
            }
        }
    }
}
