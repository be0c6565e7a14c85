//! The messages a node of item kind `K` reads: the wire's envelope around a [`Payload`] whose
//! client requests and gossiped items are `K`'s own types, decoded by `K` (see
//! [`crate::node::kind`]).

use smallvec::SmallVec;

use crate::node::kind::Kind;
use crate::wire::{self, DecodeError, DecodeErrorKind, Decoder, Field, Fields};

/// A decoded incoming message for a node serving kind `K`. Strings borrow from the line.
pub type Message<'a, K> = wire::Message<'a, Payload<'a, K>>;

/// The type-specific part of an incoming body, one variant per `type` the node understands.
#[derive(Debug)]
pub enum Payload<'a, K: Kind> {
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
    /// `topology`: Maelstrom's suggested neighbours for each node (broadcast only).
    Topology {
        /// Each node id with its neighbour ids, in the order they appeared.
        topology: Vec<(&'a str, Vec<&'a str>)>,
    },
    /// A client request of kind `K` (`broadcast`, `add`, `read`, `txn` …).
    Request(K::Request),
    /// `gossip`: a batch of `K`'s items and acknowledgements between two nodes of the cluster.
    Gossip(Gossip<K::Item>),
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

/// The node-to-node message of the gossip engine, carrying items of one kind.
///
/// On the wire: `{"type":"gossip","seq":7,"values":[1,2],"acks":[3]}`, the items under the
/// kind's field (`values`, `counts`, `txns`, `elements` …). Every field but `type` is optional
/// and left out when empty, so an acknowledgement alone is `{"type":"gossip","acks":[3]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gossip<I> {
    /// The sender's sequence number for this batch of items, present iff `items` is not
    /// empty; the receiver acknowledges it.
    pub seq: Option<u64>,
    /// New items for the receiver.
    pub items: Vec<I>,
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
    /// On a child's message to the root (`lat`, ms): the one-way latencies the child
    /// observed on the root's messages to it since its last report, each reported once. The
    /// root's clean samples of the way down (see `schedule.rs`, "Reports"); left out when
    /// empty, and by older nodes.
    pub latency: SmallVec<[u64; 4]>,
    /// The sender's incarnation (`inc`, left out when 0): how many times its process has
    /// restarted and recovered its log. A higher one than before tells the receiver that the
    /// sender restarted (see `docs/reliability.md`, "Durability").
    pub incarnation: u64,
}

impl<I> Default for Gossip<I> {
    fn default() -> Self {
        Gossip {
            seq: None,
            items: Vec::new(),
            acks: SmallVec::new(),
            adopt: false,
            detach: false,
            sent: None,
            round: None,
            latency: SmallVec::new(),
            incarnation: 0,
        }
    }
}

// By hand: derived impls would ask `K` (a store) to be `Clone` and `PartialEq` too.
impl<K: Kind> Clone for Payload<'_, K> {
    fn clone(&self) -> Self {
        match self {
            Payload::Init { node_id, node_ids } => Payload::Init {
                node_id,
                node_ids: node_ids.clone(),
            },
            Payload::Echo { echo } => Payload::Echo { echo: echo.clone() },
            Payload::Generate => Payload::Generate,
            Payload::Topology { topology } => Payload::Topology {
                topology: topology.clone(),
            },
            Payload::Request(r) => Payload::Request(r.clone()),
            Payload::Gossip(g) => Payload::Gossip(g.clone()),
            Payload::Error { code, text } => Payload::Error {
                code: *code,
                text: *text,
            },
            Payload::Unknown { kind } => Payload::Unknown { kind },
        }
    }
}

impl<K: Kind> PartialEq for Payload<'_, K> {
    fn eq(&self, other: &Self) -> bool {
        use Payload as P;
        match (self, other) {
            (
                P::Init {
                    node_id: a,
                    node_ids: b,
                },
                P::Init {
                    node_id: c,
                    node_ids: d,
                },
            ) => a == c && b == d,
            (P::Echo { echo: a }, P::Echo { echo: b }) => a == b,
            (P::Generate, P::Generate) => true,
            (P::Topology { topology: a }, P::Topology { topology: b }) => a == b,
            (P::Request(a), P::Request(b)) => a == b,
            (P::Gossip(a), P::Gossip(b)) => a == b,
            (P::Error { code: a, text: b }, P::Error { code: c, text: d }) => a == c && b == d,
            (P::Unknown { kind: a }, P::Unknown { kind: b }) => a == b,
            _ => false,
        }
    }
}

impl<K: Kind> Payload<'_, K> {
    /// Whether this payload tells an undecided node that it serves `K`: a request of `K` that
    /// only `K` has, gossip carrying `K`'s items, or `topology` for the kind Maelstrom sends it
    /// to.
    pub fn tells(&self) -> bool {
        match self {
            Payload::Request(r) => K::tells(r),
            Payload::Gossip(g) => !g.items.is_empty(),
            Payload::Topology { .. } => K::TOPOLOGY,
            _ => false,
        }
    }
}

/// Decodes a body of `type` `kind` as a payload of kind `K`.
pub(crate) fn payload_from<'a, K: Kind>(
    kind: &'a str,
    f: &Fields<'_, 'a>,
) -> Result<Payload<'a, K>, DecodeErrorKind> {
    if let Some(request) = K::decode_request(kind, f) {
        return request.map(Payload::Request);
    }
    let invalid = |field, expected| DecodeErrorKind::Invalid { field, expected };
    Ok(match kind {
        "gossip" => Payload::Gossip(gossip_from::<K>(f)?),
        "generate" => Payload::Generate,
        "echo" => Payload::Echo {
            echo: Field::required(f.get("echo"), "echo")?.json_text(),
        },
        "init" => Payload::Init {
            node_id: Field::required(f.get("node_id"), "node_id")?
                .as_str()
                .ok_or_else(|| invalid("node_id", "a string"))?,
            node_ids: Field::required(f.get("node_ids"), "node_ids")?.str_list("node_ids")?,
        },
        "topology" => Payload::Topology {
            topology: Field::required(f.get("topology"), "topology")?.topology()?,
        },
        "error" => Payload::Error {
            code: Field::required(f.get("code"), "code")?
                .as_i64()
                .ok_or_else(|| invalid("code", "an integer"))?,
            text: f.get("text").and_then(Field::as_str),
        },
        other => Payload::Unknown { kind: other },
    })
}

fn gossip_from<K: Kind>(f: &Fields<'_, '_>) -> Result<Gossip<K::Item>, DecodeErrorKind> {
    let items = Field::optional_list(f.get(K::FIELD), K::FIELD, K::FIELD_EXPECTED, K::decode_item)?;
    let integers = |field: &'static str| -> Result<SmallVec<[u64; 4]>, DecodeErrorKind> {
        let Some(v) = f.get(field) else {
            return Ok(SmallVec::new());
        };
        let bad = || DecodeErrorKind::Invalid {
            field,
            expected: "an array of integers",
        };
        v.elements()
            .ok_or_else(bad)?
            .map(|a| a.as_u64().ok_or_else(bad))
            .collect()
    };
    let acks = integers("acks")?;
    let seq = Field::optional_u64(f.get("seq"), "seq")?;
    let gossip = Gossip {
        seq,
        items,
        acks,
        adopt: Field::optional_bool(f.get("adopt"), "adopt")?,
        detach: Field::optional_bool(f.get("detach"), "detach")?,
        sent: Field::optional_u64(f.get("sent"), "sent")?,
        round: Field::round(f.get("round"))?,
        latency: integers("lat")?,
        incarnation: Field::optional_u64(f.get("inc"), "inc")?.unwrap_or(0),
    };
    match (seq, gossip.items.is_empty()) {
        (None, false) => Err(DecodeErrorKind::Missing("seq")),
        // A batch without this kind's items: another kind's gossip.
        (Some(_), true) if !f.has(K::FIELD) => Err(DecodeErrorKind::Missing(K::FIELD)),
        _ => Ok(gossip),
    }
}

/// Decodes one line (without its `\n`) as a message for a node of kind `K` (see
/// [`Decoder::decode`]): for drivers that decode ahead of time (benches, tests). The line is
/// modified in place.
pub fn decode<'a, K: Kind>(
    decoder: &mut Decoder,
    line: &'a mut [u8],
) -> Result<Message<'a, K>, DecodeError<'a>> {
    decoder.decode(line, payload_from::<K>)
}

/// [`decode`] of the line `buf[..len]` followed by padding (see [`Decoder::decode_padded`]).
pub fn decode_padded<'a, K: Kind>(
    decoder: &mut Decoder,
    buf: &'a mut [u8],
    len: usize,
) -> Result<Message<'a, K>, DecodeError<'a>> {
    decoder.decode_padded(buf, len, payload_from::<K>)
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
