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
//! | [`broadcast`] | the gossip engine (overlay, rounds, links, fallback) and broadcast values |
//! | `counter` | g-counter/pn-counter shares, gossiped as state on the engine |
//! | `txn` | totally available read-committed transactions, records gossiped on the engine |
//! | `engine` | the engine of whichever kind the workload needs |
//! | `workload` | how the node knows its workload; `read`, `add`, `txn`, `topology`, gossip |
//! | `identity` | who this node is once `init` has told it |

pub mod broadcast;
mod counter;
mod engine;
mod identity;
pub(crate) mod outbox;
mod txn;
mod unique_id;
mod workload;

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::config::{NodeConfig, Workload};
use crate::time::Time;
use crate::wire::{DecodeError, ErrorCode, Message, Payload, Transmit, Value};

use engine::Engine;
use identity::Identity;
use outbox::{Outbox, Outgoing, Peer, PeerName, Pending};
use unique_id::UniqueIds;

/// Something that happened to the node.
#[derive(Debug)]
pub enum Input<'a> {
    /// A message arrived on stdin.
    Message(Message<'a>),
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
    /// The node was initialised.
    Initialised {
        /// This node's id.
        node_id: String,
        /// How many nodes the cluster has.
        nodes: usize,
    },
}

/// A Maelstrom node: echo, unique ids, broadcast, counters and transactions in one state
/// machine.
#[derive(Debug)]
pub struct Node {
    config: NodeConfig,
    identity: Option<Identity>,
    unique: Option<UniqueIds>,
    /// The gossip engine, built at `init` (see [`workload`] for which kind).
    engine: Option<Engine>,
    /// The workload served: the configured one, or settled by the first message that tells.
    workload: Workload,
    outbox: Outbox,
    /// The message lent out by the last `poll_transmit`.
    lent: Option<Outgoing>,
    notices: VecDeque<Notice>,
    deadline: Option<Time>,
    now: Time,
}

impl Node {
    /// A node that has not been initialised yet.
    pub fn new(config: NodeConfig) -> Node {
        Node {
            identity: None,
            unique: None,
            engine: None,
            workload: config.workload,
            outbox: Outbox::default(),
            lent: None,
            notices: VecDeque::new(),
            deadline: None,
            now: Time::ZERO,
            config,
        }
    }

    /// Handles one input at time `now` (which must not be earlier than any earlier `now`),
    /// then runs whatever timers are due.
    pub fn handle(&mut self, now: Time, input: Input<'_>) {
        let now = now.max(self.now);
        self.now = now;
        match input {
            Input::Message(message) => self.on_message(now, message),
            Input::Malformed(error) => self.on_malformed(error),
            Input::Timeout => {}
        }
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
        self.lent = self.outbox.pop();
        let message = self.lent.as_ref()?;
        let (names, me) = match &self.identity {
            Some(id) => (&id.names[..], Some(id.me)),
            None => (&[][..], None),
        };
        let store = self
            .engine
            .as_ref()
            .map_or(outbox::StoreRef::Values(&[]), Engine::store_ref);
        Some(message.transmit(names, me, store))
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

    /// Every broadcast value this node holds, in arrival order.
    pub fn values(&self) -> &[Value] {
        self.engine.as_ref().map_or(&[], Engine::values)
    }

    /// Whether the node has nothing queued, unacknowledged or owed towards other nodes.
    pub fn is_idle(&self) -> bool {
        self.outbox.len() == 0 && self.engine.as_ref().is_none_or(Engine::is_idle)
    }

    /// How many values wait on links to be sent or acknowledged, summed over links.
    pub fn pending_len(&self) -> usize {
        self.engine.as_ref().map_or(0, Engine::pending_len)
    }

    /// The workload the node serves: the configured one, settled by the first message that
    /// tells (see `src/node/workload.rs`), or `Auto` while nothing has.
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

    /// The configuration the node runs with.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    fn on_message(&mut self, now: Time, m: Message<'_>) {
        let msg_id = m.body.msg_id;
        let Some(identity) = &self.identity else {
            return self.before_init(m);
        };
        let from_node = identity.index_of(m.src);
        let from_me = from_node == Some(identity.me);
        match m.body.payload {
            Payload::Init {
                node_id, node_ids, ..
            } => {
                let same = node_id == &*identity.names[usize::from(identity.me)]
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
            Payload::Broadcast { message } => {
                if !workload::settle(self, Workload::Broadcast) {
                    return workload::wrong_workload(self, m.src, msg_id, "broadcast");
                }
                if let Some(Engine::Values(b)) = &mut self.engine {
                    b.on_client_value(now, message);
                }
                self.reply(m.src, msg_id, Pending::BroadcastOk);
            }
            Payload::Read => workload::on_read(self, m.src, msg_id),
            Payload::Add { delta } => workload::on_add(self, now, m.src, msg_id, delta),
            Payload::Txn { txn } => workload::on_txn(self, now, m.src, msg_id, txn),
            Payload::Topology { topology } => {
                let me = &*identity.names[usize::from(identity.me)];
                let mine: Vec<u16> = topology
                    .iter()
                    .filter(|(node, _)| *node == me)
                    .flat_map(|(_, list)| list.iter())
                    .filter_map(|n| identity.index_of(n))
                    .collect();
                workload::on_topology(self, now, &mine);
                self.reply(m.src, msg_id, Pending::TopologyOk);
            }
            Payload::Gossip(_) if from_me => {
                self.drop_notice(format!("gossip from {} to itself", m.src));
            }
            Payload::Gossip(gossip) => match from_node {
                Some(from) => workload::on_node_gossip(self, now, from, gossip),
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
                } else {
                    let text = format!("message type {kind:?} is not supported");
                    self.error(m.src, msg_id, ErrorCode::NotSupported, text);
                }
            }
        }
    }

    fn before_init(&mut self, m: Message<'_>) {
        let Payload::Init { node_id, node_ids } = m.body.payload else {
            let text = format!(
                "{} before init: this node does not know its id yet",
                m.body.payload.kind()
            );
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
        let (engine, warnings) = Engine::new(self.workload, &self.config, me, &names);
        for warning in warnings {
            self.notice(Notice::Warning(warning));
        }
        self.unique = Some(UniqueIds::new(me, names.len() as u16));
        self.engine = Some(engine);
        self.notice(Notice::Initialised {
            node_id: node_id.to_string(),
            nodes: names.len(),
        });
        self.identity = Some(Identity::new(names, me));
        self.reply(m.src, m.body.msg_id, Pending::InitOk);
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
