//! Messages the node has decided to send, queued until the driver drains them.
//!
//! Entries are owned and compact; [`Outgoing::transmit`] lends one out as a
//! [`Transmit`](crate::wire::Transmit) that borrows names and items from the node instead of
//! copying them (gossip refers to positions of the kind's store; a kind's reply waits in its
//! engine, the outbox keeping its place).

use std::borrow::Cow;
use std::collections::VecDeque;

use smallvec::SmallVec;

use crate::node::engine::Engine;
use crate::wire::{ErrorCode, Items, OutPayload, Reply, Transmit};

/// Who a message goes to: a cluster node by index, or any other id (a client) by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Peer {
    /// The node at this index of `node_ids`.
    Node(u16),
    /// Any other id, kept inline when short.
    Named(PeerName),
}

/// A short id such as `c12`, stored without allocating when it fits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PeerName(SmallVec<[u8; 22]>);

impl PeerName {
    pub(crate) fn new(name: &str) -> PeerName {
        PeerName(SmallVec::from_slice(name.as_bytes()))
    }

    pub(crate) fn as_str(&self) -> &str {
        // Built from a `&str` only, so always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// What a queued message says.
#[derive(Clone, Debug)]
pub(crate) enum Pending {
    InitOk,
    EchoOk(Box<str>),
    GenerateOk(u64),
    TopologyOk,
    Error {
        code: ErrorCode,
        text: Cow<'static, str>,
    },
    /// The next reply waiting in the engine (a reply to a request of the node's item kind).
    Reply,
    Gossip {
        seq: Option<u64>,
        positions: Vec<u32>,
        acks: SmallVec<[u64; 4]>,
        adopt: bool,
        detach: bool,
        /// Send time (ms) to stamp on it.
        sent: Option<u64>,
        /// A round schedule to announce with it.
        round: Option<[u64; 3]>,
        /// Latency samples (ms) of the receiver's messages to report to it.
        latency: SmallVec<[u64; 4]>,
    },
}

/// One queued message.
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    pub(crate) dest: Peer,
    /// The `src` to use when the node has no id yet (errors sent before `init`).
    pub(crate) src_before_init: Option<PeerName>,
    pub(crate) in_reply_to: Option<u64>,
    pub(crate) payload: Pending,
}

impl Outgoing {
    /// Lends this message out for encoding. `names` are the cluster's node ids (empty before
    /// `init`), `me` this node's index in them, `engine` the node's engine, which writes
    /// replies and gossiped items (a `Pending::Reply` must have been lent by it already),
    /// `incarnation` this node's (stamped on gossip).
    pub(crate) fn transmit<'a>(
        &'a self,
        names: &'a [Box<str>],
        me: Option<u16>,
        engine: Option<&'a dyn Engine>,
        incarnation: u64,
    ) -> Transmit<'a> {
        let node_name = |i: u16| names.get(usize::from(i)).map_or("", |s| &**s);
        let src = match (&self.src_before_init, me) {
            (Some(name), _) => name.as_str(),
            (None, Some(me)) => node_name(me),
            (None, None) => "",
        };
        let dest = match &self.dest {
            Peer::Node(i) => node_name(*i),
            Peer::Named(name) => name.as_str(),
        };
        let payload = match &self.payload {
            Pending::InitOk => OutPayload::InitOk,
            Pending::EchoOk(echo) => OutPayload::EchoOk { echo },
            Pending::GenerateOk(id) => OutPayload::GenerateOk { id: *id },
            Pending::TopologyOk => OutPayload::TopologyOk,
            Pending::Error { code, text } => OutPayload::Error { code: *code, text },
            Pending::Reply => match engine {
                Some(engine) => OutPayload::Reply(Reply(engine.reply())),
                None => OutPayload::Reply(Reply(&NoReply)),
            },
            Pending::Gossip {
                seq,
                positions,
                acks,
                adopt,
                detach,
                sent,
                round,
                latency,
            } => OutPayload::Gossip {
                seq: *seq,
                items: match engine {
                    Some(engine) => Items {
                        field: engine.field(),
                        store: engine.items(),
                        positions,
                    },
                    None => Items::NONE,
                },
                acks,
                adopt: *adopt,
                detach: *detach,
                sent: *sent,
                round: *round,
                latency,
                incarnation,
            },
        };
        Transmit {
            src,
            dest,
            in_reply_to: self.in_reply_to,
            payload,
        }
    }
}

/// A reply with no engine to write it (never queued: replies come from engines).
struct NoReply;

impl crate::wire::WriteReply for NoReply {
    fn write_reply(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"error\",\"code\":13");
    }
}

/// The queue of messages waiting for the driver, in the order they were decided.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queue: VecDeque<Outgoing>,
}

impl Outbox {
    pub(crate) fn push(&mut self, message: Outgoing) {
        self.queue.push_back(message);
    }

    /// Queues a gossip message to node `to`.
    pub(crate) fn gossip(&mut self, to: u16, payload: Pending) {
        self.push(Outgoing {
            dest: Peer::Node(to),
            src_before_init: None,
            in_reply_to: None,
            payload,
        });
    }

    pub(crate) fn pop(&mut self) -> Option<Outgoing> {
        self.queue.pop_front()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}
