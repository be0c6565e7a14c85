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
    /// `read`: reply with every value seen so far.
    Read,
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
    /// When the sender sent it (its wall clock, ms): one latency sample for the receiver.
    pub sent: Option<u64>,
    /// A round schedule `[from_ms, period_ms, step_ms]` announced by the root, passed down.
    pub round: Option<[u64; 3]>,
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
        /// Send time (ms), if stamped.
        sent: Option<u64>,
        /// A round schedule `[from_ms, period_ms, step_ms]` to pass on.
        round: Option<[u64; 3]>,
    },
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
