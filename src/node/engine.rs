//! The node's gossip engine for the one item kind it serves: [`KindEngine<K>`], the
//! [`Broadcast`] engine (overlay, aligned rounds, acknowledged links, resends, fallback) over
//! `K`'s store, with the replies to `K`'s client requests waiting to be written.
//!
//! The node holds it as a `Box<dyn Engine>`: [`Engine`] is what the node needs of any kind's
//! engine (timers, the encoder's view of replies and items), and a message of kind `K` reaches
//! the typed engine by [`Engine::as_any_mut`]. Nothing else dispatches on the kind.

use std::any::Any;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt::Debug;

use crate::config::{NodeConfig, OverlayKind};
use crate::node::broadcast::Broadcast;
use crate::node::journal;
use crate::node::kind::{Kind, Refusal};
use crate::node::kinds::Registration;
use crate::node::message::Gossip;
use crate::node::outbox::Outbox;
use crate::time::Time;
use crate::wire::{DecodeErrorKind, Field, Fields, WriteItems, WriteReply};

/// What the node needs of its engine, whatever the kind.
pub(crate) trait Engine: Debug + Send {
    /// See [`Broadcast::deadline`].
    fn deadline(&self, now: Time) -> Option<Time>;
    /// See [`Broadcast::on_time`].
    fn on_time(&mut self, now: Time, out: &mut Outbox);
    /// See [`Broadcast::on_topology`].
    fn on_topology(&mut self, now: Time, neighbours: &[u16]);
    /// A note on the timing the root just adopted, to log once (see the schedule).
    fn take_timing_note(&mut self) -> Option<String>;
    /// Nothing queued, unacknowledged or owed on any link, and no reply waiting.
    fn is_idle(&self) -> bool;
    /// See [`Broadcast::pending_len`].
    fn pending_len(&self) -> usize;
    /// How many positions the store holds (superseded ones included).
    fn items_len(&self) -> usize;
    /// Takes the next waiting reply out to be written; false if there is none.
    fn lend_reply(&mut self) -> bool;
    /// Writes the reply last lent.
    fn reply(&self) -> &dyn WriteReply;
    /// The `gossip` field of the kind's items.
    fn field(&self) -> &'static str;
    /// Writes items of the store.
    fn items(&self) -> &dyn WriteItems;
    /// Appends a log record of the items stored since the last record or snapshot (none if
    /// there are none; superseded ones are left out).
    fn journal(&mut self, out: &mut Vec<u8>);
    /// Appends a log record of every live item (a snapshot); later records start after it.
    fn snapshot(&mut self, out: &mut Vec<u8>);
    /// Puts back the items of a log record of this kind (`fields` is its body): stored, not
    /// spread, and not logged again. Returns how many there were.
    fn restore(&mut self, fields: &Fields<'_, '_>) -> Result<usize, DecodeErrorKind>;
    /// See [`Broadcast::restarted`].
    fn restarted(&mut self, now: Time, incarnation: u64);
    /// The typed engine.
    fn as_any(&self) -> &dyn Any;
    /// The typed engine.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The gossip engine over kind `K`'s store, and `K`'s replies waiting for the encoder.
#[derive(Debug)]
pub(crate) struct KindEngine<K: Kind> {
    gossip: Broadcast<K>,
    /// Replies in the order their requests were served (the outbox holds their places).
    replies: VecDeque<K::Reply>,
    /// The reply lent to the encoder by the last `lend_reply`.
    lent: Option<K::Reply>,
    /// Store positions below this are in the log (or need not be: logging is off).
    logged: u32,
    /// Scratch for the positions of a log record.
    record: Vec<u32>,
}

impl<K: Kind> KindEngine<K> {
    /// The engine of node `me` among `names`, with the configuration's warnings. A kind that
    /// Maelstrom sends no `topology` takes the `maelstrom` overlay kind to mean Maelstrom's
    /// default grid; a kind with timing of its own ([`Kind::MAX_LATENCY_MS`],
    /// [`Kind::TICK_MS`]) takes it when the configuration's timing is the default.
    pub(crate) fn new(
        config: &NodeConfig,
        me: u16,
        names: &[Box<str>],
    ) -> (KindEngine<K>, Vec<String>) {
        let mut config = Cow::Borrowed(config);
        if !K::TOPOLOGY && config.overlay.kind == OverlayKind::Maelstrom {
            config.to_mut().overlay.kind = OverlayKind::Grid;
        }
        if let Some(own) = Registration::of::<K>().own_timing(&config) {
            config = Cow::Owned(own);
        }
        let (gossip, warnings) = Broadcast::new(&config, me, names);
        let engine = KindEngine {
            gossip,
            replies: VecDeque::new(),
            lent: None,
            logged: 0,
            record: Vec::new(),
        };
        (engine, warnings)
    }

    /// The store.
    pub(crate) fn store(&self) -> &K {
        self.gossip.store()
    }

    /// Serves a client's request at node `me`: stores and spreads the item it made, and
    /// returns the reply (which [`KindEngine::queue_reply`] keeps until it is written).
    pub(crate) fn serve(
        &mut self,
        now: Time,
        me: u16,
        request: K::Request,
    ) -> Result<K::Reply, Refusal> {
        let (reply, item) = self.gossip.store().serve(me, request)?;
        if let Some(item) = item {
            self.gossip.on_client_value(now, item);
        }
        Ok(reply)
    }

    /// Keeps `reply` for the encoder (its place is a `Pending::Reply` in the outbox).
    pub(crate) fn queue_reply(&mut self, reply: K::Reply) {
        self.replies.push_back(reply);
    }

    /// See [`Broadcast::on_gossip`].
    pub(crate) fn on_gossip(
        &mut self,
        now: Time,
        from: u16,
        gossip: Gossip<K::Item>,
        out: &mut Outbox,
    ) {
        self.gossip.on_gossip(now, from, gossip, out);
    }
}

impl<K: Kind> WriteReply for KindEngine<K> {
    fn write_reply(&self, out: &mut Vec<u8>) {
        if let Some(reply) = &self.lent {
            self.gossip.store().write_reply(reply, out);
        }
    }
}

impl<K: Kind> WriteItems for KindEngine<K> {
    #[inline]
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        self.gossip.store().write_items(positions, out);
    }
}

impl<K: Kind> Engine for KindEngine<K> {
    fn deadline(&self, now: Time) -> Option<Time> {
        self.gossip.deadline(now)
    }

    fn on_time(&mut self, now: Time, out: &mut Outbox) {
        self.gossip.on_time(now, out);
    }

    fn on_topology(&mut self, now: Time, neighbours: &[u16]) {
        self.gossip.on_topology(now, neighbours);
    }

    fn take_timing_note(&mut self) -> Option<String> {
        self.gossip.take_timing_note()
    }

    fn is_idle(&self) -> bool {
        self.replies.is_empty() && self.gossip.is_idle()
    }

    fn pending_len(&self) -> usize {
        self.gossip.pending_len()
    }

    fn items_len(&self) -> usize {
        self.gossip.store().len()
    }

    fn lend_reply(&mut self) -> bool {
        self.lent = self.replies.pop_front();
        self.lent.is_some()
    }

    fn reply(&self) -> &dyn WriteReply {
        self
    }

    fn field(&self) -> &'static str {
        K::FIELD
    }

    fn items(&self) -> &dyn WriteItems {
        self
    }

    fn journal(&mut self, out: &mut Vec<u8>) {
        let store = self.gossip.store();
        let len = store.len() as u32;
        if self.logged == len {
            return;
        }
        self.record.clear();
        self.record
            .extend((self.logged..len).filter(|&pos| store.is_live(pos)));
        self.logged = len;
        if !self.record.is_empty() {
            journal::write_items::<K>(store, &self.record, out);
        }
    }

    fn snapshot(&mut self, out: &mut Vec<u8>) {
        self.logged = 0;
        self.journal(out);
    }

    fn restore(&mut self, fields: &Fields<'_, '_>) -> Result<usize, DecodeErrorKind> {
        let items = Field::optional_list(
            fields.get(K::FIELD),
            K::FIELD,
            K::FIELD_EXPECTED,
            K::decode_item,
        )?;
        let count = items.len();
        for item in items {
            self.gossip.restore(item);
        }
        self.logged = self.gossip.store().len() as u32;
        Ok(count)
    }

    fn restarted(&mut self, now: Time, incarnation: u64) {
        self.gossip.restarted(now, incarnation);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
