//! Messages the node has decided to send, queued until the driver drains them.
//!
//! Entries are owned and compact; [`Outgoing::transmit`] lends one out as a
//! [`Transmit`](crate::wire::Transmit) that borrows names and values from the node instead of
//! copying them (a `read_ok` refers to a prefix of the value store).

use std::borrow::Cow;
use std::collections::VecDeque;

use smallvec::SmallVec;

use crate::wire::{ErrorCode, OutPayload, Transmit, Value, ValueList};

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
    BroadcastOk,
    /// The first `upto` values of the store (it only ever grows, so this is the state at the
    /// time of the read).
    ReadOk {
        upto: usize,
    },
    TopologyOk,
    Error {
        code: ErrorCode,
        text: Cow<'static, str>,
    },
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
    /// `init`), `me` this node's index in them, `store` the broadcast values.
    pub(crate) fn transmit<'a>(
        &'a self,
        names: &'a [Box<str>],
        me: Option<u16>,
        store: &'a [Value],
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
            Pending::BroadcastOk => OutPayload::BroadcastOk,
            Pending::ReadOk { upto } => OutPayload::ReadOk {
                messages: ValueList::Slice(&store[..(*upto).min(store.len())]),
            },
            Pending::TopologyOk => OutPayload::TopologyOk,
            Pending::Error { code, text } => OutPayload::Error { code: *code, text },
            Pending::Gossip {
                seq,
                positions,
                acks,
                adopt,
                detach,
                sent,
                round,
            } => OutPayload::Gossip {
                seq: *seq,
                values: ValueList::Picked { store, positions },
                acks,
                adopt: *adopt,
                detach: *detach,
                sent: *sent,
                round: *round,
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
