//! The node core: a sans-IO state machine that answers every Maelstrom request.
//!
//! A [`Node`] is driven by one loop, the same in the runtime, the simulator and the tests:
//! feed it an [`Input`] with the current time through [`Node::handle`], drain
//! [`Node::poll_transmit`] until it returns `None`, then ask [`Node::poll_timeout`] when to call
//! [`Node::handle`] with [`Input::Timeout`] next. Time never goes backwards. The node reads no
//! clock, does no I/O, spawns nothing and uses no randomness, so a run is a pure function of
//! its inputs and their times.
//!
//! | module | holds |
//! |---|---|
//! | [`broadcast`] | the gossip engine (overlay, rounds, links, fallback), generic over an item kind |
//! | [`kind`] | the item-kind plug-in interface: a store, its wire format, its client requests |
//! | [`kinds`] | the kinds (broadcast values, counter shares, transactions, g-set, kafka logs) and their registry |
//! | [`message`] | the messages a node of a kind reads |
//! | `engine` | the gossip engine of the node's kind, with its replies waiting to be written |
//! | `identity` | who this node is once `init` has told it |
//! | `journal` | the records of the node's log, and why received gossip is logged too |
//!
//! ## How the node knows its workload
//! `read` is ambiguous: broadcast answers `{"messages": […]}`, a counter `{"value": n}`, and
//! Maelstrom rejects a reply with a missing or extra key. The node therefore settles its item
//! kind once, and never changes it:
//! 1. `workload = "broadcast" | "counter" | "txn" | "g-set" | "kafka"` in the topology file, or
//!    `--workload` on the command line, fixes it from the start (`auto`, the default, infers it).
//! 2. Otherwise the first message that tells settles it ([`Payload::tells`]): a request only one
//!    kind has (`broadcast`, an `add` with `delta` or with `element`, `txn`, kafka's `send`,
//!    `poll`, `commit_offsets` and `list_committed_offsets`), gossip carrying a
//!    kind's items, or `topology` (Maelstrom's broadcast workload always sends it to every node
//!    during setup, before any client request; the other workloads never do).
//! 3. A `read` before anything told is answered by the first registered kind that serves
//!    `read`, the counter (a read of 0), and settles nothing. A g-set node must therefore be
//!    told its workload (`--workload g-set`) if its first request may be a `read`.
//!
//! A request of another kind than the settled one gets error 10 (not supported), and gossip
//! of another kind is dropped with a notice.

pub mod broadcast;
mod engine;
mod identity;
pub(crate) mod journal;
pub mod kind;
pub mod kinds;
pub mod message;
pub(crate) mod outbox;
mod unique_id;

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::VecDeque;

use crate::config::{NodeConfig, Workload};
use crate::time::Time;
use crate::wire::{DecodeError, Decoder, ErrorCode, Transmit, Value, salvage_envelope};

use engine::{Engine, KindEngine};
use identity::Identity;
use kind::Kind;
use kinds::values::Values;
pub use message::{Gossip, Message, Payload, decode, decode_padded};
use outbox::{Outbox, Outgoing, Peer, PeerName, Pending};
use unique_id::UniqueIds;

/// Something that happened to the node, other than a message (which
/// [`Node::handle_message`] takes, typed by the item kind it was decoded for).
#[derive(Debug)]
pub enum Input<'a> {
    /// A line arrived that is not a valid message; the node answers with an error if the
    /// line says who to answer, and logs it otherwise.
    Malformed(DecodeError<'a>),
    /// The deadline last returned by [`Node::poll_timeout`] has passed.
    Timeout,
}

/// A notable event the driver may want to log (the core itself never writes anywhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A line or message was dropped without a reply, and why.
    Dropped(String),
    /// Something about the configuration or the cluster deserves a warning.
    Warning(String),
    /// The root changed the round schedule (what it now uses, and from which latencies).
    Timing(String),
    /// The node read back the log of a previous process with its id (see
    /// [`crate::storage`]).
    Recovered {
        /// This process's incarnation (the previous one's plus one).
        incarnation: u64,
        /// How many items the log gave back.
        items: usize,
        /// Lines of the log that were not records (a torn last write).
        unreadable: usize,
    },
    /// The node was initialised.
    Initialised {
        /// This node's id.
        node_id: String,
        /// How many nodes the cluster has.
        nodes: usize,
    },
}

/// Whether `workload` names a registered item kind (or is `auto`); the error lists the names.
pub fn check_workload(workload: &Workload) -> Result<(), String> {
    if workload.is_auto() || kinds::find(workload.name()).is_some() {
        return Ok(());
    }
    Err(format!(
        "unknown workload {:?} ({})",
        workload.name(),
        kinds::names()
    ))
}

/// A Maelstrom node: echo and unique ids, and the requests and gossip of one item kind
/// (broadcast, counters, transactions, g-set, kafka) in one state machine.
#[derive(Debug)]
pub struct Node {
    config: NodeConfig,
    identity: Option<Identity>,
    unique: Option<UniqueIds>,
    /// The item kind served, once settled: configured, or told by the first message that
    /// tells (see the module docs).
    settled: Option<Settled>,
    /// The gossip engine: of the settled kind; before that, of the kind of the last message
    /// that needed one (it is then empty, and replaced when the kind is settled).
    engine: Option<Box<dyn Engine>>,
    outbox: Outbox,
    /// The message lent out by the last `poll_transmit`.
    lent: Option<Outgoing>,
    notices: VecDeque<Notice>,
    deadline: Option<Time>,
    now: Time,
    /// How many times this node's id had a process before this one that logged its start
    /// (0 without a log, or for the first).
    incarnation: u64,
    /// The node's log, when its driver keeps one (see [`crate::storage`]).
    journal: Option<Journal>,
    /// This node's neighbours in Maelstrom's `topology` message, and the kind that took them:
    /// logged, since a restarted process is sent `init` and never `topology` again.
    neighbours: Option<(&'static str, Vec<u16>)>,
}

/// A logging node's records waiting for the driver, and the log its previous process left.
#[derive(Debug, Default)]
struct Journal {
    /// The previous process's log, until `init` reads it.
    recovered: Option<Vec<u8>>,
    /// Records made outside the engine (the incarnation), waiting for the driver.
    pending: Vec<u8>,
}

/// The kind a node serves.
#[derive(Clone, Copy)]
struct Settled {
    name: &'static str,
    /// The kind's type, to tell a message of it from one of another kind.
    id: TypeId,
    /// Decodes a line as a message of the kind and handles it.
    feed: kinds::FeedFn,
    /// Builds the kind's engine.
    build: kinds::BuildFn,
}

impl std::fmt::Debug for Settled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Node {
    /// A node that has not been initialised yet.
    pub fn new(config: NodeConfig) -> Node {
        let mut node = Node {
            identity: None,
            unique: None,
            settled: None,
            engine: None,
            outbox: Outbox::default(),
            lent: None,
            notices: VecDeque::new(),
            deadline: None,
            now: Time::ZERO,
            incarnation: 0,
            journal: None,
            neighbours: None,
            config,
        };
        if let Err(e) = check_workload(&node.config.workload) {
            node.notice(Notice::Warning(format!("{e}: deciding from the messages")));
        }
        node.settled = kinds::find(node.config.workload.name()).map(|r| Settled {
            name: r.name,
            id: (r.type_id)(),
            feed: r.feed,
            build: r.build,
        });
        node
    }

    /// Handles one input at time `now` (which must not be earlier than any earlier `now`),
    /// then runs whatever timers are due.
    pub fn handle(&mut self, now: Time, input: Input<'_>) {
        let now = now.max(self.now);
        self.now = now;
        match input {
            Input::Malformed(error) => self.on_malformed(error),
            Input::Timeout => {}
        }
        self.run_timers(now);
    }

    /// Handles one message of item kind `K` at time `now` (see [`Node::handle`]). A request
    /// or gossip of another kind than the node serves is refused.
    pub fn handle_message<K: Kind>(&mut self, now: Time, message: Message<'_, K>) {
        let now = now.max(self.now);
        self.now = now;
        self.on_message(now, message);
        self.run_timers(now);
    }

    /// Decodes the line `buf[..len]` (followed by padding in `buf`, if there is enough: see
    /// [`Decoder::decode_padded`]) as a message of the kind this node serves, or of the kind it
    /// tells of, and handles it at `now`; a line that is not a valid message is handled as
    /// [`Input::Malformed`] (with `src` and `msg_id` salvaged when the JSON parser rejected
    /// the whole line, so its sender still gets an error reply).
    pub fn handle_line(&mut self, decoder: &mut Decoder, now: Time, buf: &mut [u8], len: usize) {
        let settled = self.settled;
        let result = decoder.with_envelope(buf, Some(len), |envelope| {
            let envelope = envelope.map_err(DecodeError::into_owned)?;
            match settled {
                Some(kind) => (kind.feed)(self, now, &envelope),
                None => kinds::route(self, now, &envelope),
            }
        });
        if let Err(mut error) = result {
            if error.src.is_none() {
                // simd-json rejected the whole line (say, a 100-digit integer): read the
                // envelope with a more lenient parser so the sender still gets an error reply.
                salvage_envelope(&buf[..len], &mut error);
            }
            self.handle(now, Input::Malformed(error));
        }
    }

    fn run_timers(&mut self, now: Time) {
        if let Some(b) = &mut self.engine {
            // `deadline` looks at every link: compute it once when nothing is due.
            let mut deadline = b.deadline(now);
            if deadline.is_some_and(|d| d <= now) {
                b.on_time(now, &mut self.outbox);
                deadline = b.deadline(now);
            }
            self.deadline = deadline;
            debug_assert!(
                self.deadline.is_none_or(|d| d > now),
                "a timer due at {:?} survived on_time({now:?}): {b:?}",
                self.deadline
            );
            if let Some(note) = b.take_timing_note() {
                self.notice(Notice::Timing(note));
            }
        }
    }

    /// The next message to send, if any. The message borrows from the node: encode it before
    /// calling this again.
    pub fn poll_transmit(&mut self) -> Option<Transmit<'_>> {
        loop {
            self.lent = self.outbox.pop();
            let message = self.lent.as_ref()?;
            if matches!(message.payload, Pending::Reply)
                && !self.engine.as_mut().is_some_and(|e| e.lend_reply())
            {
                // Its engine was replaced before it was drained: nothing to write.
                continue;
            }
            break;
        }
        let message = self.lent.as_ref()?;
        let (names, me) = match &self.identity {
            Some(id) => (&id.names[..], Some(id.me)),
            None => (&[][..], None),
        };
        Some(message.transmit(names, me, self.engine.as_deref(), self.incarnation))
    }

    /// Makes the node keep a log: from now on [`Node::write_journal`] hands out records.
    /// `recovered` is the log its previous process left (empty if none), read back at `init`.
    /// Call it before `init`.
    pub(crate) fn keep_log(&mut self, recovered: Vec<u8>) {
        self.journal = Some(Journal {
            recovered: (!recovered.is_empty()).then_some(recovered),
            pending: Vec::new(),
        });
    }

    /// Whether the node keeps a log (see [`Node::keep_log`]).
    pub(crate) fn keeps_log(&self) -> bool {
        self.journal.is_some()
    }

    /// Appends the log records made since the last call: they must reach the log before any
    /// message drained since then is released.
    pub(crate) fn write_journal(&mut self, out: &mut Vec<u8>) {
        let Some(journal) = &mut self.journal else {
            return;
        };
        out.append(&mut journal.pending);
        if let Some(engine) = &mut self.engine {
            engine.journal(out);
        }
    }

    /// Appends a snapshot: records of everything the log holds, to replace it. Includes
    /// whatever [`Node::write_journal`] would write.
    pub(crate) fn write_snapshot(&mut self, out: &mut Vec<u8>) {
        let Some(journal) = &mut self.journal else {
            return;
        };
        journal.pending.clear();
        if self.identity.is_some() {
            journal::write_incarnation(self.incarnation, out);
        }
        if let Some((kind, neighbours)) = &self.neighbours {
            journal::write_neighbours(kind, neighbours, out);
        }
        if let Some(engine) = &mut self.engine {
            engine.snapshot(out);
        }
    }

    /// This process's incarnation: 0 for a node's first process (or one without a log), one
    /// more than its previous process's for a node that recovered a log at `init`.
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    /// When the node next needs [`Input::Timeout`], if ever. `None` means the node is idle
    /// until the next message.
    pub fn poll_timeout(&self) -> Option<Time> {
        self.deadline
    }

    /// The next notice for the driver's log, if any.
    pub fn poll_notice(&mut self) -> Option<Notice> {
        self.notices.pop_front()
    }

    /// This node's id, once initialised.
    pub fn node_id(&self) -> Option<&str> {
        self.identity
            .as_ref()
            .map(|id| &*id.names[usize::from(id.me)])
    }

    /// The store of kind `K`, if the node's engine is of that kind.
    pub fn store<K: Kind>(&self) -> Option<&K> {
        let engine = self.engine.as_ref()?.as_any();
        engine
            .downcast_ref::<KindEngine<K>>()
            .map(KindEngine::store)
    }

    /// Every broadcast value this node holds, in arrival order (none unless it serves
    /// broadcast).
    pub fn values(&self) -> &[Value] {
        self.store::<Values>().map_or(&[], Values::values)
    }

    /// Whether the node has nothing queued, unacknowledged or owed towards other nodes.
    pub fn is_idle(&self) -> bool {
        self.outbox.len() == 0 && self.engine.as_ref().is_none_or(|e| e.is_idle())
    }

    /// How many items wait on links to be sent or acknowledged, summed over links.
    pub fn pending_len(&self) -> usize {
        self.engine.as_ref().map_or(0, |e| e.pending_len())
    }

    /// The name of the item kind the node serves ([`Kind::NAME`]): configured, or settled by
    /// the first message that told; `None` while nothing has.
    pub fn workload(&self) -> Option<&'static str> {
        self.settled.map(|s| s.name)
    }

    /// How many items the node's store holds: broadcast values, or every version of the
    /// counter shares, or transaction records (superseded ones included).
    pub fn items_len(&self) -> usize {
        self.engine.as_ref().map_or(0, |e| e.items_len())
    }

    /// The configuration the node runs with.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// Makes the node's engine one of kind `K` if it may serve `K`: it does if it serves `K`
    /// already, or serves no kind yet (then it settles on `K` if `tells`). Returns the engine,
    /// or `None` for a node of another kind (or before `init`).
    fn engine_for<K: Kind>(&mut self, tells: bool) -> Option<&mut KindEngine<K>> {
        match self.settled {
            Some(s) if s.id != TypeId::of::<K>() => return None,
            // The common case: the engine is of the settled kind.
            Some(_) if self.engine.is_some() => return typed(&mut self.engine),
            Some(_) => {}
            None if tells => {
                self.settled = Some(Settled {
                    name: K::NAME,
                    id: TypeId::of::<K>(),
                    feed: kinds::feed::<K>,
                    build: kinds::build::<K>,
                });
            }
            None => {}
        }
        let is_k = self
            .engine
            .as_ref()
            .is_some_and(|e| e.as_any().is::<KindEngine<K>>());
        if !is_k && let Some(id) = &self.identity {
            // An undecided node's engine is empty (items settle the kind): replacing it loses
            // nothing. The configuration's warnings are logged with the first engine only.
            let (mut engine, warnings) = KindEngine::<K>::new(&self.config, id.me, &id.names);
            if self.incarnation > 0 {
                engine.restarted(self.now, self.incarnation);
            }
            if self.engine.is_none() {
                for warning in warnings {
                    self.notice(Notice::Warning(warning));
                }
            }
            self.engine = Some(Box::new(engine));
        }
        typed(&mut self.engine)
    }

    fn on_message<K: Kind>(&mut self, now: Time, m: Message<'_, K>) {
        let msg_id = m.body.msg_id;
        let Some(identity) = &self.identity else {
            return self.before_init(now, m);
        };
        let me = identity.me;
        let from_node = identity.index_of(m.src);
        let from_me = from_node == Some(me);
        match m.body.payload {
            Payload::Init {
                node_id, node_ids, ..
            } => {
                let same = node_id == &*identity.names[usize::from(me)]
                    && node_ids.len() == identity.names.len()
                    && node_ids
                        .iter()
                        .zip(&identity.names)
                        .all(|(a, b)| *a == &**b);
                if same {
                    self.reply(m.src, msg_id, Pending::InitOk);
                } else {
                    let text = format!("already initialised as {}", self.node_id().unwrap_or(""));
                    self.error(m.src, msg_id, ErrorCode::PreconditionFailed, text);
                }
            }
            Payload::Echo { echo } => self.reply(m.src, msg_id, Pending::EchoOk(echo)),
            Payload::Generate => match self.unique.as_mut().and_then(UniqueIds::next_id) {
                Some(id) => self.reply(m.src, msg_id, Pending::GenerateOk(id)),
                None => self.error(m.src, msg_id, ErrorCode::Abort, "id space exhausted".into()),
            },
            Payload::Request(request) => {
                let kind = K::request_type(&request);
                // A reply that cannot be sent is not kept (the outbox refuses its place).
                let deliverable = msg_id.is_some() && self.reply_peer(m.src).is_some();
                let Some(engine) = self.engine_for::<K>(K::tells(&request)) else {
                    return self.wrong_workload(m.src, msg_id, kind);
                };
                match engine.serve(now, me, request) {
                    Ok(reply) => {
                        if deliverable {
                            engine.queue_reply(reply);
                        }
                        self.reply(m.src, msg_id, Pending::Reply);
                    }
                    Err(refusal) => self.error(m.src, msg_id, refusal.code, refusal.text),
                }
            }
            Payload::Topology { topology } => {
                let mine: Vec<u16> = topology
                    .iter()
                    .filter(|(node, _)| *node == &*identity.names[usize::from(me)])
                    .flat_map(|(_, list)| list.iter())
                    .filter_map(|n| identity.index_of(n))
                    .collect();
                if let Some(engine) = self.engine_for::<K>(K::TOPOLOGY) {
                    engine.on_topology(now, &mine);
                    if let Some(journal) = &mut self.journal {
                        journal::write_neighbours(K::NAME, &mine, &mut journal.pending);
                    }
                    self.neighbours = Some((K::NAME, mine));
                }
                self.reply(m.src, msg_id, Pending::TopologyOk);
            }
            Payload::Gossip(_) if from_me => {
                self.drop_notice(format!("gossip from {} to itself", m.src));
            }
            Payload::Gossip(gossip) => match from_node {
                Some(from) => self.on_gossip::<K>(now, from, gossip),
                None => self.drop_notice(format!(
                    "gossip from {}, which is not a node of this cluster",
                    m.src
                )),
            },
            Payload::Error { code, text } => self.drop_notice(format!(
                "error {code} from {}: {}",
                m.src,
                text.unwrap_or("")
            )),
            Payload::Unknown { kind } => {
                if m.body.in_reply_to.is_some() {
                    self.drop_notice(format!("reply of type {kind:?} from {}", m.src));
                } else if kinds::REGISTRY.iter().any(|r| r.serves(kind)) {
                    self.wrong_workload(m.src, msg_id, kind);
                } else {
                    let text = format!("message type {kind:?} is not supported");
                    self.error(m.src, msg_id, ErrorCode::NotSupported, text);
                }
            }
        }
    }

    /// Gossip from node `from` (never this node) to the engine, if it is of the node's kind.
    fn on_gossip<K: Kind>(&mut self, now: Time, from: u16, mut gossip: Gossip<K::Item>) {
        let n = self.identity.as_ref().map_or(0, |id| id.names.len());
        let before = gossip.items.len();
        gossip.items.retain(|item| K::accepts(item, n));
        if gossip.items.len() < before {
            self.drop_notice(format!(
                "gossip items naming a node outside 0..{n}: dropped"
            ));
        }
        let tells = !gossip.items.is_empty();
        if self.settled.is_none() && !tells {
            return self.drop_notice(format!(
                "gossip without items from n{from} before this node knows its workload"
            ));
        }
        if self.engine_for::<K>(tells).is_none() {
            let text = format!(
                "gossip of another workload than this node's ({})",
                self.workload().unwrap_or("undecided")
            );
            return self.drop_notice(text);
        }
        if let Some(engine) = typed::<K>(&mut self.engine) {
            engine.on_gossip(now, from, gossip, &mut self.outbox);
        }
    }

    /// Answers a request of a kind this node does not serve.
    fn wrong_workload(&mut self, src: &str, msg_id: Option<u64>, kind: &str) {
        let text = format!(
            "{kind} is not supported: this node serves the {} workload",
            self.workload().unwrap_or("undecided")
        );
        self.error(src, msg_id, ErrorCode::NotSupported, text);
    }

    fn before_init<K: Kind>(&mut self, now: Time, m: Message<'_, K>) {
        let Payload::Init { node_id, node_ids } = m.body.payload else {
            let kind = match &m.body.payload {
                Payload::Init { .. } => "init",
                Payload::Echo { .. } => "echo",
                Payload::Generate => "generate",
                Payload::Topology { .. } => "topology",
                Payload::Request(r) => K::request_type(r),
                Payload::Gossip(_) => "gossip",
                Payload::Error { .. } => "error",
                Payload::Unknown { kind } => kind,
            };
            let text = format!("{kind} before init: this node does not know its id yet");
            return self.error_as(
                m.dest,
                m.src,
                m.body.msg_id,
                ErrorCode::TemporarilyUnavailable,
                text,
            );
        };
        let problem = if node_ids.is_empty() {
            Some("node_ids is empty".to_string())
        } else if node_ids.len() > usize::from(u16::MAX) {
            Some(format!(
                "{} nodes is more than this node supports",
                node_ids.len()
            ))
        } else if !node_ids.contains(&node_id) {
            Some(format!("node_id {node_id:?} is not in node_ids"))
        } else if (1..node_ids.len()).any(|i| node_ids[..i].contains(&node_ids[i])) {
            Some("node_ids lists a node twice".to_string())
        } else {
            None
        };
        if let Some(text) = problem {
            return self.error_as(
                m.dest,
                m.src,
                m.body.msg_id,
                ErrorCode::MalformedRequest,
                text,
            );
        }
        let me = node_ids.iter().position(|n| *n == node_id).unwrap_or(0) as u16;
        let names: Vec<Box<str>> = node_ids.iter().map(|n| Box::from(*n)).collect();
        let log = self.read_log_start();
        if let Some(kind) = self.settled {
            let (engine, warnings) = (kind.build)(&self.config, me, &names);
            for warning in warnings {
                self.notice(Notice::Warning(warning));
            }
            self.engine = Some(engine);
        }
        if let Some((log, unreadable)) = log {
            self.replay(now, &log, unreadable);
        }
        if let Some(journal) = &mut self.journal {
            journal::write_incarnation(self.incarnation, &mut journal.pending);
        }
        self.unique = Some(UniqueIds::new(me, names.len() as u16, self.incarnation));
        self.notice(Notice::Initialised {
            node_id: node_id.to_string(),
            nodes: names.len(),
        });
        self.identity = Some(Identity::new(names, me));
        self.reply(m.src, m.body.msg_id, Pending::InitOk);
    }

    /// At `init`: takes the previous process's log, if any, and learns from it this
    /// process's incarnation and (for an undecided node) its kind. Returns the log and how
    /// many of its lines were unreadable.
    fn read_log_start(&mut self) -> Option<(Vec<u8>, usize)> {
        let log = self.journal.as_mut()?.recovered.take()?;
        let scan = journal::scan(&log);
        self.incarnation = scan.incarnation.map_or(0, |e| e.saturating_add(1));
        if let Some(name) = &scan.workload {
            match (self.settled, kinds::find(name)) {
                (None, Some(r)) => {
                    self.settled = Some(Settled {
                        name: r.name,
                        id: (r.type_id)(),
                        feed: r.feed,
                        build: r.build,
                    });
                }
                (Some(s), _) if s.name == name => {}
                _ => self.notice(Notice::Warning(format!(
                    "the log holds {name} items, and this node serves {}: not restored",
                    self.workload().unwrap_or("another workload")
                ))),
            }
        }
        Some((log, scan.unreadable))
    }

    /// At `init`, the engine built: puts back the items of the previous process's log and
    /// tells the engine it restarted.
    fn replay(&mut self, now: Time, log: &[u8], unreadable: usize) {
        let mut items = 0;
        let mut bad = unreadable;
        // An engine is built only for a settled kind, whose name is the one its records carry.
        if let (Some(engine), Some(settled)) = (&mut self.engine, self.settled) {
            let name = settled.name;
            let mut neighbours = None;
            journal::for_each_record(log, |fields| {
                if fields.get("workload").and_then(|f| f.as_str()) != Some(name) {
                    return;
                }
                if fields.get("neighbours").is_some() {
                    match journal::read_neighbours(fields) {
                        Some(n) => neighbours = Some(n),
                        None => bad += 1,
                    }
                    return;
                }
                match engine.restore(fields) {
                    Ok(n) => items += n,
                    Err(_) => bad += 1,
                }
            });
            if self.incarnation > 0 {
                engine.restarted(now, self.incarnation);
            }
            // After the restart's own spreading: the links the topology makes queue
            // everything once, as at the first `topology`.
            if let Some(neighbours) = neighbours {
                engine.on_topology(now, &neighbours);
                self.neighbours = Some((name, neighbours));
            }
        }
        self.notice(Notice::Recovered {
            incarnation: self.incarnation,
            items,
            unreadable: bad,
        });
    }

    fn on_malformed(&mut self, e: DecodeError<'_>) {
        let (Some(src), Some(msg_id)) = (&e.src, e.msg_id) else {
            return self.drop_notice(format!("unanswerable line: {}", e.kind));
        };
        let text = format!("malformed request: {}", e.kind);
        let me = e.dest.as_deref().unwrap_or("");
        match self.identity {
            Some(_) => self.error(src, Some(msg_id), ErrorCode::MalformedRequest, text),
            None => self.error_as(me, src, Some(msg_id), ErrorCode::MalformedRequest, text),
        }
    }

    /// Where a reply to `src` can go: a client, or a node of the cluster. Anything else would
    /// make Maelstrom reject the line (and stop reading this node), so it is dropped.
    fn reply_peer(&self, src: &str) -> Option<Peer> {
        if let Some(id) = &self.identity
            && let Some(i) = id.index_of(src)
        {
            return Some(Peer::Node(i));
        }
        src.starts_with('c')
            .then(|| Peer::Named(PeerName::new(src)))
    }

    fn reply(&mut self, src: &str, msg_id: Option<u64>, payload: Pending) {
        self.send_reply(None, src, msg_id, payload);
    }

    fn error(&mut self, src: &str, msg_id: Option<u64>, code: ErrorCode, text: String) {
        self.send_reply(
            None,
            src,
            msg_id,
            Pending::Error {
                code,
                text: Cow::Owned(text),
            },
        );
    }

    /// An error sent before `init`, from the id the request was addressed to.
    fn error_as(
        &mut self,
        me: &str,
        src: &str,
        msg_id: Option<u64>,
        code: ErrorCode,
        text: String,
    ) {
        let payload = Pending::Error {
            code,
            text: Cow::Owned(text),
        };
        self.send_reply(Some(PeerName::new(me)), src, msg_id, payload);
    }

    fn send_reply(
        &mut self,
        me: Option<PeerName>,
        src: &str,
        msg_id: Option<u64>,
        payload: Pending,
    ) {
        let Some(msg_id) = msg_id else {
            return self.drop_notice(format!("no msg_id on a request from {src}: not answered"));
        };
        let Some(dest) = self.reply_peer(src) else {
            return self.drop_notice(format!(
                "not answering {src}: not a client or a node of this cluster"
            ));
        };
        self.outbox.push(Outgoing {
            dest,
            src_before_init: me,
            in_reply_to: Some(msg_id),
            payload,
        });
    }

    /// Records that the driver dropped an input line without handing it over, and why.
    pub(crate) fn note_dropped(&mut self, why: &str) {
        self.drop_notice(why.to_string());
    }

    fn drop_notice(&mut self, why: String) {
        self.notice(Notice::Dropped(why));
    }

    /// Keeps the last notices for the driver; a driver that never reads them loses the
    /// oldest rather than letting them grow without bound.
    fn notice(&mut self, notice: Notice) {
        const KEEP: usize = 1024;
        if self.notices.len() == KEEP {
            self.notices.pop_front();
        }
        self.notices.push_back(notice);
    }
}

/// The node's engine, if it is of kind `K`.
#[inline]
fn typed<K: Kind>(engine: &mut Option<Box<dyn Engine>>) -> Option<&mut KindEngine<K>> {
    engine.as_mut()?.as_any_mut().downcast_mut()
}
