//! Which workload the node serves, and the requests whose meaning depends on it: `read`,
//! `add` (counters), `txn` (transactions), `topology` and `gossip`.
//!
//! ## How the node knows its workload
//! `read` is ambiguous: broadcast answers `{"messages": […]}`, a counter `{"value": n}`, and
//! Maelstrom rejects a reply with a missing or extra key. The node therefore settles its
//! workload once, and never changes it:
//! 1. `workload = "broadcast" | "counter" | "txn"` in the topology file, or `--workload` on
//!    the command line, fixes it from the start (`auto`, the default, infers it).
//! 2. Otherwise the first message that tells settles it: `broadcast`, `topology` or gossip
//!    carrying values mean broadcast; `add` or gossip carrying counts mean a counter; `txn` or
//!    gossip carrying transactions mean transactions. Maelstrom's broadcast workload always
//!    sends `topology` to every node during setup, before any client request; the counter and
//!    transaction workloads never do.
//! 3. A `read` before anything told is therefore a counter's read (of 0, or of whatever counts
//!    arrived), and does not settle anything.
//!
//! A request of another workload than the settled one gets error 10 (not supported), and
//! gossip of another kind is dropped with a notice.

use crate::config::Workload;
use crate::node::engine::{Engine, gossip_workload};
use crate::node::outbox::Pending;
use crate::node::{Node, Notice};
use crate::time::Time;
use crate::wire::{ErrorCode, Gossip, MicroOp};

impl Node {
    /// The workload the node serves: settled, or `Auto` while nothing told.
    pub fn workload(&self) -> Workload {
        self.workload
    }

    /// The counter's value as this node sees it (0 unless it serves a counter).
    pub fn counter_value(&self) -> i128 {
        match &self.engine {
            Some(Engine::Counter(b)) => b.store().value(),
            _ => 0,
        }
    }

    /// How many items the node's store holds: broadcast values, or every version of the
    /// counter shares, or transaction records (superseded ones included).
    pub fn items_len(&self) -> usize {
        self.engine.as_ref().map_or(0, Engine::items_len)
    }

    /// Settles the workload on `w` if it is not settled yet (replacing the idle value engine
    /// `init` made), and says whether the node serves `w`.
    pub(super) fn settle(&mut self, w: Workload) -> bool {
        if self.workload == Workload::Auto {
            self.workload = w;
            let engine_serves = self.engine.as_ref().map(Engine::workload);
            if engine_serves != Some(w)
                && self.engine.as_ref().is_none_or(Engine::is_empty)
                && let Some(id) = &self.identity
            {
                // Warnings were logged when `init` built the first engine.
                let (engine, _) = Engine::new(w, &self.config, id.me, &id.names);
                self.engine = Some(engine);
            }
        }
        self.workload == w
    }

    /// Answers a request of workload `w` that this node does not serve.
    pub(super) fn wrong_workload(&mut self, src: &str, msg_id: Option<u64>, kind: &str) {
        let text = format!(
            "{kind} is not supported: this node serves the {} workload",
            name(self.workload)
        );
        self.error(src, msg_id, ErrorCode::NotSupported, text);
    }

    pub(super) fn on_read(&mut self, src: &str, msg_id: Option<u64>) {
        let payload = match self.workload {
            Workload::Broadcast => Pending::ReadOk {
                upto: self.values().len(),
            },
            Workload::Counter | Workload::Auto => Pending::ReadValue(self.counter_value()),
            Workload::Txn => return self.wrong_workload(src, msg_id, "read"),
        };
        self.reply(src, msg_id, payload);
    }

    pub(super) fn on_add(&mut self, now: Time, src: &str, msg_id: Option<u64>, delta: i64) {
        if !self.settle(Workload::Counter) {
            return self.wrong_workload(src, msg_id, "add");
        }
        let me = self.identity.as_ref().map_or(0, |id| id.me);
        if let Some(Engine::Counter(b)) = &mut self.engine {
            if delta != 0 {
                let Some(share) = b.store().after_add(me, delta) else {
                    let text = format!("adding {delta} would take this node's share past 64 bits");
                    return self.error(src, msg_id, ErrorCode::PreconditionFailed, text);
                };
                b.on_client_value(now, share);
            }
        }
        self.reply(src, msg_id, Pending::AddOk);
    }

    pub(super) fn on_txn(
        &mut self,
        now: Time,
        src: &str,
        msg_id: Option<u64>,
        mut txn: Vec<MicroOp>,
    ) {
        if !self.settle(Workload::Txn) {
            return self.wrong_workload(src, msg_id, "txn");
        }
        let me = self.identity.as_ref().map_or(0, |id| id.me);
        if let Some(Engine::Txn(b)) = &mut self.engine
            && let Some(record) = b.store().execute(me, &mut txn)
        {
            b.on_client_value(now, record);
        }
        self.reply(src, msg_id, Pending::TxnOk(txn));
    }

    pub(super) fn on_topology(&mut self, now: Time, mine: &[u16]) {
        if self.settle(Workload::Broadcast)
            && let Some(engine) = &mut self.engine
        {
            engine.on_topology(now, mine);
        }
    }

    /// Gossip from node `from` (never this node): settles the workload by what it carries and
    /// hands it to the engine, or drops it if it is of another workload.
    pub(super) fn on_node_gossip(&mut self, now: Time, from: u16, mut gossip: Gossip) {
        let n = self.identity.as_ref().map_or(0, |id| id.names.len());
        let before = gossip.counts.len() + gossip.txns.len();
        gossip.counts.retain(|c| usize::from(c.node) < n);
        gossip.txns.retain(|t| usize::from(t.node) < n);
        if gossip.counts.len() + gossip.txns.len() < before {
            self.drop_notice(format!(
                "gossip items naming a node outside 0..{n}: dropped"
            ));
        }
        let serves = match gossip_workload(&gossip) {
            Err(why) => return self.drop_notice(why.to_string()),
            Ok(Some(w)) => self.settle(w),
            Ok(None) => true,
        };
        match &mut self.engine {
            Some(engine) if serves => engine.on_gossip(now, from, gossip, &mut self.outbox),
            _ => self.notice(Notice::Dropped(format!(
                "gossip of another workload than this node's ({})",
                name(self.workload)
            ))),
        }
    }
}

/// A workload's name in messages.
fn name(w: Workload) -> &'static str {
    match w {
        Workload::Broadcast => "broadcast",
        Workload::Counter => "counter",
        Workload::Txn => "txn-rw-register",
        Workload::Auto => "undecided",
    }
}
