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

/// Settles the workload on `w` if it is not settled yet (replacing the idle value engine
/// `init` made), and says whether the node serves `w`.
pub(super) fn settle(node: &mut Node, w: Workload) -> bool {
    if node.workload == Workload::Auto {
        node.workload = w;
        let engine_serves = node.engine.as_ref().map(Engine::workload);
        if engine_serves != Some(w)
            && node.engine.as_ref().is_none_or(Engine::is_empty)
            && let Some(id) = &node.identity
        {
            // Warnings were logged when `init` built the first engine.
            let (engine, _) = Engine::new(w, &node.config, id.me, &id.names);
            node.engine = Some(engine);
        }
    }
    node.workload == w
}

/// Answers a request of workload `w` that this node does not serve.
pub(super) fn wrong_workload(node: &mut Node, src: &str, msg_id: Option<u64>, kind: &str) {
    let text = format!(
        "{kind} is not supported: this node serves the {} workload",
        name(node.workload)
    );
    node.error(src, msg_id, ErrorCode::NotSupported, text);
}

/// `read`: the broadcast values or the counter's value, by workload.
pub(super) fn on_read(node: &mut Node, src: &str, msg_id: Option<u64>) {
    let payload = match node.workload {
        Workload::Broadcast => Pending::ReadOk {
            upto: node.values().len(),
        },
        Workload::Counter | Workload::Auto => Pending::ReadValue(node.counter_value()),
        Workload::Txn => return wrong_workload(node, src, msg_id, "read"),
    };
    node.reply(src, msg_id, payload);
}

/// `add`: a new share for this node, acknowledged at once.
pub(super) fn on_add(node: &mut Node, now: Time, src: &str, msg_id: Option<u64>, delta: i64) {
    if !settle(node, Workload::Counter) {
        return wrong_workload(node, src, msg_id, "add");
    }
    let me = node.identity.as_ref().map_or(0, |id| id.me);
    if let Some(Engine::Counter(b)) = &mut node.engine {
        if delta != 0 {
            let Some(share) = b.store().after_add(me, delta) else {
                let text = format!("adding {delta} would take this node's share past 64 bits");
                return node.error(src, msg_id, ErrorCode::PreconditionFailed, text);
            };
            b.on_client_value(now, share);
        }
    }
    node.reply(src, msg_id, Pending::AddOk);
}

/// `txn`: run at once against the local store; its record spreads through the engine.
pub(super) fn on_txn(
    node: &mut Node,
    now: Time,
    src: &str,
    msg_id: Option<u64>,
    mut txn: Vec<MicroOp>,
) {
    if !settle(node, Workload::Txn) {
        return wrong_workload(node, src, msg_id, "txn");
    }
    let me = node.identity.as_ref().map_or(0, |id| id.me);
    if let Some(Engine::Txn(b)) = &mut node.engine
        && let Some(record) = b.store().execute(me, &mut txn)
    {
        b.on_client_value(now, record);
    }
    node.reply(src, msg_id, Pending::TxnOk(txn));
}

/// `topology`: broadcast only (the `maelstrom` overlay kind uses it).
pub(super) fn on_topology(node: &mut Node, now: Time, mine: &[u16]) {
    if settle(node, Workload::Broadcast)
        && let Some(engine) = &mut node.engine
    {
        engine.on_topology(now, mine);
    }
}

/// Gossip from node `from` (never this node): settles the workload by what it carries and
/// hands it to the engine, or drops it if it is of another workload.
pub(super) fn on_node_gossip(node: &mut Node, now: Time, from: u16, mut gossip: Gossip) {
    let n = node.identity.as_ref().map_or(0, |id| id.names.len());
    let before = gossip.counts.len() + gossip.txns.len();
    gossip.counts.retain(|c| usize::from(c.node) < n);
    gossip.txns.retain(|t| usize::from(t.node) < n);
    if gossip.counts.len() + gossip.txns.len() < before {
        node.drop_notice(format!(
            "gossip items naming a node outside 0..{n}: dropped"
        ));
    }
    let serves = match gossip_workload(&gossip) {
        Err(why) => return node.drop_notice(why.to_string()),
        Ok(Some(w)) => settle(node, w),
        Ok(None) => true,
    };
    match &mut node.engine {
        Some(engine) if serves => engine.on_gossip(now, from, gossip, &mut node.outbox),
        _ => node.notice(Notice::Dropped(format!(
            "gossip of another workload than this node's ({})",
            name(node.workload)
        ))),
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
