//! Messages the node has decided to send, queued until the driver drains them.
//!
//! Entries are owned and compact; [`Outgoing::transmit`] lends one out as a
//! [`Transmit`](crate::wire::Transmit) that borrows names and values from the node instead of
//! copying them (a `read_ok` refers to a prefix of the value store).

use std::borrow::Cow;
use std::collections::VecDeque;

use smallvec::SmallVec;

use crate::wire::{
    Count, ErrorCode, MicroOp, OutPayload, Picked, Transmit, TxnRecord, Value, ValueList,
};

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
    AddOk,
    /// A counter's value at the time of the read.
    ReadValue(i128),
    /// A transaction as executed, reads filled in.
    TxnOk(Vec<MicroOp>),
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

/// The store whose positions gossip messages refer to: one kind per node.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StoreRef<'a> {
    /// Broadcast values.
    Values(&'a [Value]),
    /// Counter states.
    Counts(&'a [Count]),
    /// Transactions' writes.
    Txns(&'a [TxnRecord]),
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
    /// `init`), `me` this node's index in them, `items` the store gossip positions refer to.
    pub(crate) fn transmit<'a>(
        &'a self,
        names: &'a [Box<str>],
        me: Option<u16>,
        items: StoreRef<'a>,
    ) -> Transmit<'a> {
        let store = match items {
            StoreRef::Values(values) => values,
            _ => &[],
        };
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
            Pending::AddOk => OutPayload::AddOk,
            Pending::ReadValue(value) => OutPayload::ReadValueOk { value: *value },
            Pending::TxnOk(txn) => OutPayload::TxnOk { txn },
            Pending::Error { code, text } => OutPayload::Error { code: *code, text },
            Pending::Gossip {
                seq,
                positions,
                acks,
                adopt,
                detach,
                sent,
                round,
            } => {
                let none: &[u32] = &[];
                let pick = |kind: bool| if kind { &positions[..] } else { none };
                let (counts, txns) = match items {
                    StoreRef::Counts(store) => (store, &[][..]),
                    StoreRef::Txns(store) => (&[][..], store),
                    StoreRef::Values(_) => (&[][..], &[][..]),
                };
                OutPayload::Gossip {
                    seq: *seq,
                    values: ValueList::Picked {
                        store,
                        positions: pick(matches!(items, StoreRef::Values(_))),
                    },
                    acks,
                    adopt: *adopt,
                    detach: *detach,
                    counts: Picked {
                        store: counts,
                        positions: pick(matches!(items, StoreRef::Counts(_))),
                    },
                    txns: Picked {
                        store: txns,
                        positions: pick(matches!(items, StoreRef::Txns(_))),
                    },
                    sent: *sent,
                    round: *round,
                }
            }
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
