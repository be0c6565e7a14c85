//! The node's one gossip engine, holding whichever kind of items its workload disseminates:
//! broadcast values, counter shares or transaction records. All three are the same
//! [`Broadcast`] engine (overlay, aligned rounds, acknowledged links, resends, fallback) over a
//! different [`Items`](super::broadcast::Items) store.

use crate::config::{NodeConfig, OverlayKind, Workload};
use crate::node::broadcast::{Broadcast, Items, ValueStore};
use crate::node::counter::CounterStore;
use crate::node::outbox::{Outbox, StoreRef};
use crate::node::txn::TxnStore;
use crate::time::Time;
use crate::wire::{Gossip, Value};

/// A gossip engine of one of the three kinds.
#[derive(Debug)]
pub(crate) enum Engine {
    /// Broadcast values.
    Values(Broadcast<ValueStore>),
    /// Counter shares.
    Counter(Broadcast<CounterStore>),
    /// Transaction records.
    Txn(Broadcast<TxnStore>),
}

/// Runs `$body` with `$b` bound to the engine, whatever its kind.
macro_rules! each {
    ($engine:expr, $b:ident => $body:expr) => {
        match $engine {
            Engine::Values($b) => $body,
            Engine::Counter($b) => $body,
            Engine::Txn($b) => $body,
        }
    };
}

impl Engine {
    /// The engine for `workload` (`Auto` and `Broadcast` get a value engine) of node `me`
    /// among `names`, with the configuration's warnings.
    ///
    /// Only broadcast gets Maelstrom's `topology` message, so the `maelstrom` overlay kind
    /// means Maelstrom's default grid for the other workloads.
    pub(crate) fn new(
        workload: Workload,
        config: &NodeConfig,
        me: u16,
        names: &[Box<str>],
    ) -> (Engine, Vec<String>) {
        match workload {
            Workload::Auto | Workload::Broadcast => {
                let (b, warnings) = Broadcast::new(config, me, names);
                (Engine::Values(b), warnings)
            }
            Workload::Counter | Workload::Txn => {
                let mut config = config.clone();
                if config.overlay.kind == OverlayKind::Maelstrom {
                    config.overlay.kind = OverlayKind::Grid;
                }
                if workload == Workload::Counter {
                    let (b, warnings) = Broadcast::new(&config, me, names);
                    (Engine::Counter(b), warnings)
                } else {
                    let (b, warnings) = Broadcast::new(&config, me, names);
                    (Engine::Txn(b), warnings)
                }
            }
        }
    }

    /// The workload this engine serves (`Broadcast` for a value engine).
    pub(crate) fn workload(&self) -> Workload {
        match self {
            Engine::Values(_) => Workload::Broadcast,
            Engine::Counter(_) => Workload::Counter,
            Engine::Txn(_) => Workload::Txn,
        }
    }

    /// Whether the engine has never stored an item (so replacing it loses nothing).
    pub(crate) fn is_empty(&self) -> bool {
        self.is_idle() && matches!(self, Engine::Values(b) if b.values().is_empty())
    }

    /// Broadcast values held (none for the other kinds).
    pub(crate) fn values(&self) -> &[Value] {
        match self {
            Engine::Values(b) => b.values(),
            _ => &[],
        }
    }

    /// The store gossip positions refer to.
    pub(crate) fn store_ref(&self) -> StoreRef<'_> {
        match self {
            Engine::Values(b) => StoreRef::Values(b.values()),
            Engine::Counter(b) => StoreRef::Counts(b.store().entries()),
            Engine::Txn(b) => StoreRef::Txns(b.store().records()),
        }
    }

    /// See [`Broadcast::deadline`].
    pub(crate) fn deadline(&self, now: Time) -> Option<Time> {
        each!(self, b => b.deadline(now))
    }

    /// See [`Broadcast::on_time`].
    pub(crate) fn on_time(&mut self, now: Time, out: &mut Outbox) {
        each!(self, b => b.on_time(now, out))
    }

    /// See [`Broadcast::on_gossip`].
    pub(crate) fn on_gossip(&mut self, now: Time, from: u16, gossip: Gossip, out: &mut Outbox) {
        each!(self, b => b.on_gossip(now, from, gossip, out))
    }

    /// See [`Broadcast::on_topology`] (broadcast only).
    pub(crate) fn on_topology(&mut self, now: Time, neighbours: &[u16]) {
        if let Engine::Values(b) = self {
            b.on_topology(now, neighbours);
        }
    }

    /// A note on the timing the root just adopted, to log once (see the schedule).
    pub(crate) fn take_timing_note(&mut self) -> Option<String> {
        each!(self, b => b.take_timing_note())
    }

    /// See [`Broadcast::is_idle`].
    pub(crate) fn is_idle(&self) -> bool {
        each!(self, b => b.is_idle())
    }

    /// How many positions the store holds (superseded ones included).
    pub(crate) fn items_len(&self) -> usize {
        each!(self, b => Items::len(b.store()))
    }

    /// See [`Broadcast::pending_len`].
    pub(crate) fn pending_len(&self) -> usize {
        each!(self, b => b.pending_len())
    }
}

/// The workload a gossip message belongs to, by the items it carries: `None` for a message
/// with none (acknowledgements, `detach`), `Err` for one mixing kinds.
pub(crate) fn gossip_workload(g: &Gossip) -> Result<Option<Workload>, &'static str> {
    let kinds = [
        (!g.values.is_empty(), Workload::Broadcast),
        (!g.counts.is_empty(), Workload::Counter),
        (!g.txns.is_empty(), Workload::Txn),
    ];
    let mut found = kinds.iter().filter(|(has, _)| *has).map(|(_, w)| *w);
    match (found.next(), found.next()) {
        (first, None) => Ok(first),
        _ => Err("gossip mixing values, counts and txns"),
    }
}
