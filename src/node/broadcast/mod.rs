//! The broadcast workload (challenges 3a–3e): every value given to any node ends up in every
//! node's `read`, with as few node-to-node messages as the overlay and the round schedule allow.
//!
//! - `overlay`: which nodes talk (star, tree, grid …), computed from the node list.
//! - `rounds`: when a queued value leaves (aligned rounds, relays just after arrivals).
//! - `schedule`: the round period and phases a latency budget gives; `leader`: how the root
//!   announces them and every node follows; `latency`: the one-way latencies each link observes.
//! - `link`: per neighbour: batching, piggybacked acknowledgements, resends of what is missing;
//!   `links`: every link by neighbour, and what is true of all of them at once.
//! - `gossip`: what a gossip message does: latency sample, plan, acks, new values absorbed.
//! - `fallback`: asking another node to relay when the parent stops answering.
//!
//! `Broadcast` holds the parts, each owning its state (`Links`, `Rounds`, `Leader`,
//! `Fallback`, the store), and the facts of the overlay that do not change; what a part does
//! to the others goes through its methods' arguments.
//!
//! The engine is generic over the item kind it carries (`Broadcast<K>`, see
//! [`crate::node::kind`]): broadcast values, counter shares, transaction records, g-set
//! elements, kafka log entries and promises. It keeps the kind's store and refers to items by position only: positions are
//! all the links ever see.

mod bitset;
mod fallback;
mod gossip;
mod latency;
mod leader;
mod link;
mod links;
pub(crate) mod overlay;
mod rounds;
mod schedule;
pub use schedule::describe as describe_timing;

use std::time::Duration;

use crate::config::{NodeConfig, OverlayKind};
use crate::node::kind::{Inserted, Kind};
use crate::node::outbox::Outbox;
use crate::time::Time;

use fallback::Fallback;
use leader::Leader;
use link::LinkKind;
use links::Links;
use overlay::{Overlay, Role};
use rounds::{Dues, Origin, Rounds};

/// The configuration as durations, ready for the hot path.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// A fixed round period (`timing.tick_ms`), if set.
    pub(crate) tick: Option<Duration>,
    pub(crate) gather: Duration,
    /// A fixed one-way latency (`timing.hop_ms`), if set.
    pub(crate) hop: Option<Duration>,
    pub(crate) max_latency: Option<Duration>,
    pub(crate) median_latency: Option<Duration>,
    /// The latency assumed before any is observed (`timing.prior_latency_ms`), if set.
    pub(crate) prior: Option<Duration>,
    pub(crate) quantile: f64,
    pub(crate) ack_delay: Duration,
    pub(crate) retry_timeout: Duration,
    pub(crate) retry_backoff: f64,
    pub(crate) retry_max: Duration,
    /// A resend takes every unacknowledged batch along ([`Kind::RESEND_TOGETHER`]).
    pub(crate) resend_together: bool,
    pub(crate) fallback_enabled: bool,
    pub(crate) fallback_after: Duration,
    pub(crate) fallback_candidates: usize,
    pub(crate) lease: Duration,
    /// The first sequence number of this process's batches: a restarted node numbers its
    /// batches from `incarnation << 32`, so an acknowledgement meant for its previous life
    /// never matches a batch of this one (see `Broadcast::restarted`).
    pub(crate) seq_base: u64,
}

impl Settings {
    pub(crate) fn from_config(c: &NodeConfig) -> Settings {
        let ms = Duration::from_millis;
        Settings {
            tick: c.timing.tick_ms.map(ms),
            gather: ms(c.timing.gather_ms),
            hop: c.timing.hop_ms.map(ms),
            max_latency: c.timing.max_latency_ms.map(ms),
            median_latency: c.timing.median_latency_ms.map(ms),
            prior: c.timing.prior_latency_ms.map(ms),
            quantile: c.timing.latency_quantile,
            ack_delay: ms(c.timing.ack_delay_ms),
            retry_timeout: ms(c.retry.timeout_ms),
            retry_backoff: c.retry.backoff,
            retry_max: ms(c.retry.max_timeout_ms),
            resend_together: false,
            fallback_enabled: c.fallback.enabled && c.overlay.kind.is_rooted(),
            fallback_after: ms(c.fallback.after_ms),
            fallback_candidates: usize::from(c.fallback.candidates),
            lease: ms(c.fallback.lease_ms),
            seq_base: 0,
        }
    }
}

/// The dissemination state of one node, for items of kind `K`.
#[derive(Debug)]
pub(crate) struct Broadcast<K> {
    settings: Settings,
    me: u16,
    kind: OverlayKind,
    rounds: Rounds,
    store: K,
    links: Links,
    parent: Option<u16>,
    /// Position of every node in the overlay's root-first order (rooted overlays).
    rank: Vec<u32>,
    /// Every node's height (rooted overlays): to place a stamped delta in its round.
    heights: Vec<u32>,
    fallback: Fallback,
    /// Scratch for [`Kind::drain_superseded`].
    superseded: Vec<u32>,
    /// The root's schedule duties: `None` on other nodes and when the timing is fixed.
    leader: Option<Leader>,
    /// Whether this node passes the root's schedule on to the links below it.
    announces: bool,
    /// Whether this node reports to its parent, the root, the latency of the root's messages
    /// (`schedule.rs`, "Reports").
    reports: bool,
}

impl<K: Kind> Broadcast<K> {
    /// The broadcast state of node `me` among `names`. Returns warnings about the
    /// configuration (unknown node names) for the caller to log.
    pub(crate) fn new(
        config: &NodeConfig,
        me: u16,
        names: &[Box<str>],
    ) -> (Broadcast<K>, Vec<String>) {
        let from_config = Settings::from_config(config);
        let settings = Settings {
            resend_together: K::RESEND_TOGETHER,
            fallback_enabled: from_config.fallback_enabled && K::FALLBACK,
            ..from_config
        };
        let n = names.len() as u16;
        let mut warnings = Vec::new();
        let index_of = |name: &str| names.iter().position(|m| &**m == name).map(|i| i as u16);
        let root = match &config.overlay.root {
            None => 0,
            Some(name) => index_of(name).unwrap_or_else(|| {
                warnings.push(format!(
                    "overlay.root {name:?} is not a node of this cluster; using {}",
                    names[0]
                ));
                0
            }),
        };
        let overlay = match config.overlay.kind {
            OverlayKind::Adjacency => {
                let mut links = Vec::new();
                for (a, list) in config.overlay.neighbours.iter().flatten() {
                    for b in list {
                        match (index_of(a), index_of(b)) {
                            (Some(x), Some(y)) => links.push((x, y)),
                            _ => warnings.push(format!(
                                "overlay.neighbours link {a} – {b} names a node not in this cluster; ignored"
                            )),
                        }
                    }
                }
                let overlay = Overlay::from_links(n, links);
                if !overlay.is_connected() {
                    warnings.push(
                        "overlay.neighbours does not connect every node: some values will never reach some nodes"
                            .to_string(),
                    );
                }
                overlay
            }
            // Only this node's links matter here: the full all-to-all graph is n² entries.
            OverlayKind::Total => Overlay::from_links(n, (0..n).map(|other| (me, other))),
            kind => Overlay::build(kind, n, root, config.overlay.fanout.unwrap_or(4)),
        };
        let root_height = overlay.height(root);
        let root_children = overlay.neighbours(root).len();
        let plan = schedule::choose(&settings, root_height, root_children, &[])
            .plan(Time::ZERO, settings.gather);
        let rounds = Rounds::new(
            &settings,
            overlay.depth(me),
            overlay.height(me),
            root_height,
            plan,
        );
        let adaptive = overlay.is_rooted() && (settings.tick.is_none() || settings.hop.is_none());
        let leader = (adaptive && me == root).then(|| Leader::new(root_height, root_children));
        let fallback = Fallback::new(overlay.fallback_candidates(me, settings.fallback_candidates));
        let mut store = K::default();
        store.init(me, names.len());
        let mut b = Broadcast {
            me,
            kind: config.overlay.kind,
            rounds,
            store,
            links: Links::new(n),
            parent: overlay.parent(me),
            rank: (0..n).map(|i| overlay.rank(i)).collect(),
            heights: (0..n).map(|i| overlay.height(i)).collect(),
            fallback,
            superseded: Vec::new(),
            leader,
            announces: adaptive,
            reports: adaptive && overlay.depth(me) == 1,
            settings,
        };
        for &peer in overlay.neighbours(me) {
            let kind = match overlay.role(me, peer) {
                Role::Parent => LinkKind::Parent,
                Role::Child => LinkKind::Child,
                Role::Peer => LinkKind::Peer,
            };
            b.links.add(peer, kind, &b.settings);
        }
        (b, warnings)
    }

    /// The store.
    pub(crate) fn store(&self) -> &K {
        &self.store
    }

    /// Puts back an item this node held before its process died (read back from its log):
    /// stored, not spread (see [`Broadcast::restarted`]).
    pub(crate) fn restore(&mut self, item: K::Item) {
        self.store.insert(item);
        self.store.drain_superseded(&mut self.superseded);
        self.superseded.clear();
    }

    /// This node is incarnation `incarnation` (> 0) of its id, its store put back from the
    /// log: its batches are numbered afresh, and what it holds is queued for every neighbour,
    /// since it no longer knows what each of them holds or what it still owed them.
    pub(crate) fn restarted(&mut self, now: Time, incarnation: u64) {
        self.settings.seq_base = incarnation << 32;
        for link in self.links.iter_mut() {
            link.renumber(self.settings.seq_base);
        }
        let mut dues = Dues::new(Origin::Client, now, self.acting_root(now));
        for pos in 0..self.store.len() as u32 {
            if self.store.is_live(pos) {
                self.spread(pos, None, &mut dues);
            }
        }
    }

    /// A client gave this node `value` (a broadcast value, or an item the node made for a
    /// client's request).
    pub(crate) fn on_client_value(&mut self, now: Time, value: K::Item) {
        if let Inserted::New(pos) = self.store.insert(value) {
            self.forget_superseded();
            let mut dues = Dues::new(Origin::Client, now, self.acting_root(now));
            self.spread(pos, None, &mut dues);
            self.spread_made(&mut dues);
        }
    }

    /// Spreads the items the store made on its own ([`Kind::drain_made`]) to every neighbour,
    /// when `dues` say.
    fn spread_made(&mut self, dues: &mut Dues) {
        let mut made = Vec::new();
        self.store.drain_made(&mut made);
        if made.is_empty() {
            return;
        }
        self.forget_superseded();
        for pos in made {
            self.spread(pos, None, dues);
        }
    }

    /// Items superseded by newer ones need not reach anyone: marking them known on every link
    /// drops them from queues and resends, while their successors are queued everywhere.
    fn forget_superseded(&mut self) {
        self.store.drain_superseded(&mut self.superseded);
        for pos in self.superseded.drain(..) {
            self.links.forget(pos);
        }
    }

    /// Maelstrom's `topology` message; used only by the `maelstrom` overlay kind.
    pub(crate) fn on_topology(&mut self, now: Time, neighbours: &[u16]) {
        if self.kind != OverlayKind::Maelstrom {
            return;
        }
        for &peer in neighbours {
            match self.links.of(peer) {
                // It gossiped before our own topology message arrived.
                Some(li) => self.links.get_mut(li).kind = LinkKind::Peer,
                None => {
                    let li = self.links.add(peer, LinkKind::Peer, &self.settings);
                    self.queue_everything(li, now + self.settings.gather);
                }
            }
        }
    }

    /// Runs whatever is due at `now`, queueing messages in `out`.
    pub(crate) fn on_time(&mut self, now: Time, out: &mut Outbox) {
        // Links first: a resend may find its values already known and drop the batch, which
        // changes whether the parent is suspect. Then the fallback decides, and whatever it
        // queued (a new relay's full state) leaves in a second pass.
        self.rounds.settle(now);
        if let Some(leader) = &mut self.leader {
            leader.review(&mut self.rounds, &mut self.links, &self.settings, now);
        }
        let plan = self.announces.then(|| self.rounds.latest().to_wire());
        self.links
            .poll(now, &self.settings, plan, self.reports, out);
        if let Some(parent) = self.parent
            && let Some(relay) =
                self.fallback
                    .step(&mut self.links, parent, &self.settings, now, out)
        {
            self.queue_everything(relay, now);
        }
        self.links.expire_adoptees(now, &self.settings);
        let plan = self.announces.then(|| self.rounds.latest().to_wire());
        self.links
            .poll(now, &self.settings, plan, self.reports, out);
    }

    /// The next time [`Broadcast::on_time`] has something to do, as seen at `now` (which it
    /// may be, when something is due already).
    pub(crate) fn deadline(&self, now: Time) -> Option<Time> {
        let fallback = self.parent.and_then(|parent| {
            self.fallback
                .deadline(&self.links, parent, &self.settings, now)
        });
        match (self.links.deadline(&self.settings), fallback) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A line for the log saying how the root changed the schedule, once.
    pub(crate) fn take_timing_note(&mut self) -> Option<String> {
        self.leader.as_mut().and_then(Leader::take_note)
    }

    /// Whether no message is queued, unacknowledged or owed on any link.
    pub(crate) fn is_idle(&self) -> bool {
        self.links.is_idle()
    }

    /// Values queued or unacknowledged, summed over links (bounded by what neighbours lack).
    pub(crate) fn pending_len(&self) -> usize {
        self.links.pending_len()
    }

    /// Queues a new item everywhere but on link `except`, each link when the rounds say.
    fn spread(&mut self, pos: u32, except: Option<usize>, dues: &mut Dues) {
        let rounds = &self.rounds;
        self.links
            .spread(pos, except, |kind| dues.get(rounds, kind));
    }

    /// Queues every live item for the link at `li` (a new neighbour that may lack anything).
    fn queue_everything(&mut self, li: usize, due: Time) {
        let link = self.links.get_mut(li);
        for pos in 0..self.store.len() as u32 {
            if self.store.is_live(pos) {
                link.queue(pos, due);
            }
        }
    }

    /// True for the root, and for a node whose parent is unreachable (it then relays down at
    /// once for the nodes that adopted it as their relay).
    fn acting_root(&self, now: Time) -> bool {
        self.parent
            .is_none_or(|p| self.links.suspect(p, now, &self.settings))
    }
}
