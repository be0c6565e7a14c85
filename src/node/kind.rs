//! The plug-in interface of the gossip engine: an item kind.
//!
//! The node spreads one kind of item over its gossip engine (overlay, aligned rounds,
//! acknowledged links, resends, fallback: [`crate::node::broadcast`]): broadcast values,
//! counter shares, transaction records, g-set elements, kafka log entries. A kind is one module under
//! `src/node/kinds/` whose type implements [`Kind`]: it is the store of the items (the engine
//! refers to them by position only), it reads and writes them on the wire (one body field of
//! `gossip`), and it serves the kind's client requests (`broadcast`/`read`, `add`/`read`,
//! `txn` …). Its entry in `kinds::REGISTRY` makes the node serve it.
//!
//! The engine is generic over the kind (`Broadcast<K>`); a node holds the engine of the one
//! kind it serves, chosen once (see `node::settle`), so a gossip message carries the items of
//! one kind only and nothing dispatches on kinds at run time but the registry's entry points.

use std::fmt::Debug;

use crate::wire::{DecodeErrorKind, ErrorCode, Field, Fields};

/// One kind of item the gossip engine disseminates, with its store, its wire format and its
/// client requests. See the module docs.
pub trait Kind: Default + Debug + Send + 'static {
    /// The workload's name, as `--workload` and error texts say it.
    const NAME: &'static str;
    /// Other names `--workload` (and `workload =` in a topology file) accept for it.
    const ALIASES: &'static [&'static str] = &[];
    /// The `type`s of the client requests it serves.
    const REQUESTS: &'static [&'static str];
    /// The `gossip` body field that carries its items.
    const FIELD: &'static str;
    /// What that field must be, for the error text of a malformed one.
    const FIELD_EXPECTED: &'static str;
    /// Whether Maelstrom's workload sends `topology` (broadcast only): the `maelstrom` overlay
    /// kind then means the topology Maelstrom suggests; for the other kinds, Maelstrom's
    /// default grid. A `topology` message also settles an undecided node on this kind.
    const TOPOLOGY: bool = false;
    /// Whether a resend to a neighbour takes along every batch it has not acknowledged, not
    /// only the overdue ones. A kind whose items supersede one another (counter shares,
    /// transaction records) needs nothing of the kind: its older batches empty themselves.
    /// A kind whose items all stay live (g-set elements) piles up one unacknowledged batch
    /// per round while a neighbour is cut off; resent one by one as each falls due, they cost
    /// a message per batch per timeout, where together they cost one per timeout.
    const RESEND_TOGETHER: bool = false;
    /// Whether a node cut off from its parent asks another node to relay for it (when the
    /// topology file enables the fallback; see `broadcast/fallback.rs`). A relay keeps items
    /// moving during a partition, for latency, at the price of a second route's messages.
    const FALLBACK: bool = true;

    /// The kind's own latency budget (`timing.max_latency_ms`, ms), used instead of the
    /// default one when the configuration leaves `[timing]` at its defaults: a kind whose
    /// reads wait for a round trip of gossip (kafka) needs shorter rounds than one whose
    /// items only have to arrive. (Its prior is then derived from it.)
    const MAX_LATENCY_MS: Option<u64> = None;
    /// The kind's own fixed round period (`timing.tick_ms`, ms), used like
    /// [`Kind::MAX_LATENCY_MS`]: the budget then only caps how long a parent waits for its
    /// children's deltas.
    const TICK_MS: Option<u64> = None;

    /// One disseminated item.
    type Item: Clone + Debug + PartialEq + Send;
    /// A client request, decoded.
    type Request: Clone + Debug + PartialEq;
    /// A reply as kept until it is written (it may refer to the store: a `read_ok` of
    /// broadcast values is a prefix of it).
    type Reply: Debug + Send;

    /// Decodes a client request of `type` `kind`, or `None` if the kind serves no such type.
    fn decode_request(
        kind: &str,
        fields: &Fields<'_, '_>,
    ) -> Option<Result<Self::Request, DecodeErrorKind>>;
    /// The `type` of a request.
    fn request_type(request: &Self::Request) -> &'static str;
    /// Whether `request` tells an undecided node that it serves this kind (a `read` does not:
    /// several kinds have one).
    fn tells(request: &Self::Request) -> bool;
    /// Decodes one gossiped item, or `None` if it is malformed.
    fn decode_item(item: Field<'_, '_>) -> Option<Self::Item>;
    /// Whether an item that arrived in a cluster of `nodes` nodes can be kept (one naming a
    /// node outside the cluster cannot).
    fn accepts(_item: &Self::Item, _nodes: usize) -> bool {
        true
    }

    /// Serves `request` at node `me`: the reply, and the item the request made, which the
    /// engine stores and spreads before anything else happens (so a reply is never ahead of
    /// the store). A refused request changes nothing.
    fn serve(
        &self,
        me: u16,
        request: Self::Request,
    ) -> Result<(Self::Reply, Option<Self::Item>), Refusal>;
    /// Appends the reply's `type` and fields (see [`crate::wire::WriteReply`]).
    fn write_reply(&self, reply: &Self::Reply, out: &mut Vec<u8>);
    /// Appends the JSON array of the items at `positions`, in that order.
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>);

    /// Tells the store, once, before anything else, which node it is on (`me`) and how many
    /// nodes the cluster has (a kafka node numbers offsets by both).
    fn init(&mut self, _me: u16, _nodes: usize) {}

    /// Stores `item` unless it is already held or obsolete.
    fn insert(&mut self, item: Self::Item) -> Inserted;
    /// How many positions there are (superseded ones included).
    fn len(&self) -> usize;
    /// Whether no item was ever stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether the item at `pos` is still worth sending to a node that lacks it.
    fn is_live(&self, _pos: u32) -> bool {
        true
    }
    /// Moves into `out` the positions superseded since the last call (a counter's older
    /// share, a transaction all of whose writes were overwritten): the engine stops sending
    /// them, since what superseded them is queued for every neighbour anyway.
    fn drain_superseded(&mut self, _out: &mut Vec<u32>) {}
    /// Moves into `out` the positions of items the store made and stored on its own while
    /// taking others (a kafka node's raised promise on learning of a higher offset): the
    /// engine spreads them to every neighbour, the sender of what caused them included.
    fn drain_made(&mut self, _out: &mut Vec<u32>) {}
}

/// The outcome of [`Kind::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The item is new and now stands at this position.
    New(u32),
    /// The item was already held at this position.
    Known(u32),
    /// The item is older than what the store holds: nothing to keep or send.
    Stale,
}

/// A request [`Kind::serve`] refused, answered with a Maelstrom error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// Why.
    pub text: String,
}
