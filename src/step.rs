//! The one drive step every driver of a [`Node`] runs — the tokio [`runtime`](crate::runtime),
//! the simulator's in-process driver, the benches and the tests: hand the node one input
//! line (decoded here, as a message of the item kind the node serves: the only place a line
//! becomes a message or an [`Input`]) or a timeout at the current time, drain everything it
//! transmits, and learn its next deadline. Drivers that decode ahead of time hand over typed
//! messages with [`Driven::step_message_with`].
//!
//! ```
//! use glomers::{Time, config::NodeConfig, step::{Driven, Feed}};
//!
//! let mut node = Driven::new(NodeConfig::default());
//! let mut out = Vec::new();
//! let mut line = br#"{"src":"c1","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}"#.to_vec();
//! let len = line.len();
//! let deadline = node.step(Time::from_millis(0), Feed::Line { buf: &mut line, len }, &mut out, |_| {});
//! assert_eq!(deadline, None);
//! assert_eq!(out, b"{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}\n");
//! ```

use std::io;

use crate::config::{DurabilityMode, NodeConfig};
use crate::node::kind::Kind;
use crate::node::{Input, Message, Node, Notice, Payload};
use crate::storage::Storage;
use crate::time::Time;
use crate::wire::{Decoder, INPUT_PADDING, Transmit, encode};

/// What a driver hands the node in one step.
#[derive(Debug)]
pub enum Feed<'a> {
    /// One input line, `buf[..len]`, without its `\n`. Bytes of `buf` after the line serve as
    /// the decoder's padding when there are at least
    /// [`INPUT_PADDING`] of them (else the line is copied). The
    /// line may be rewritten in place. A trailing `\r` is ignored; a blank line is dropped with
    /// a [`Notice::Dropped`]; a line that does not decode reaches the node as
    /// [`Input::Malformed`] (with `src` and `msg_id` salvaged when the JSON parser rejected the
    /// whole line), so its sender still gets an error reply.
    Line {
        /// The buffer holding the line, then anything.
        buf: &'a mut [u8],
        /// The line's length.
        len: usize,
    },
    /// An input other than a message (a malformed line a test made).
    Input(Input<'a>),
    /// The node's deadline has come ([`Input::Timeout`]).
    Timeout,
}

/// A node with its line decoder, stepped through [`Driven::step`], and its log's storage if
/// it keeps one.
#[derive(Debug)]
pub struct Driven {
    node: Node,
    decoder: Decoder,
    log: Option<Log>,
}

/// The node's log: its storage (unless the driver hands it to each commit), the records not
/// yet handed to it, and when to compact.
struct Log {
    storage: Option<Box<dyn Storage>>,
    sync: bool,
    /// Records made since the last commit.
    pending: Vec<u8>,
    /// The log's size as written.
    bytes: u64,
    /// The log is replaced by a snapshot once it is this large.
    compact_at: u64,
    compact_bytes: u64,
    /// An error of `open`, reported by the next commit.
    error: Option<io::Error>,
    /// Commits and snapshots so far.
    commits: u64,
    snapshots: u64,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("sync", &self.sync)
            .field("pending", &self.pending.len())
            .field("bytes", &self.bytes)
            .field("compact_at", &self.compact_at)
            .finish_non_exhaustive()
    }
}

/// What a driver may want to report about a node's log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogStats {
    /// The log's size now, in bytes.
    pub bytes: u64,
    /// Commits that wrote something.
    pub commits: u64,
    /// Times the log was replaced by a snapshot.
    pub snapshots: u64,
}

impl Driven {
    /// A fresh node with `config`, keeping no log.
    pub fn new(config: NodeConfig) -> Driven {
        Driven {
            node: Node::new(config),
            decoder: Decoder::new(),
            log: None,
        }
    }

    /// A fresh node with `config` that logs what it must not lose to `storage` (unless the
    /// configuration's durability mode is `off`), and reads back at `init` what the previous
    /// process with its id logged there. The driver must call [`Driven::commit`] before it
    /// releases what the steps since the last commit drained (see [`crate::storage`]).
    pub fn with_storage(config: NodeConfig, storage: Box<dyn Storage>) -> Driven {
        Driven::logging(config, Some(storage))
    }

    /// A fresh node with `config` that keeps a log (unless the configuration's durability mode
    /// is `off`) in a storage its driver hands to every [`Driven::commit_to`], and to which
    /// the driver gives back, before `init`, what the previous process with its id logged
    /// ([`Driven::restore_log`]). For drivers that own the disk: a simulator's.
    pub fn with_log(config: NodeConfig) -> Driven {
        let mut driven = Driven::logging(config, None);
        if driven.log.is_some() {
            driven.node.keep_log(Vec::new());
        }
        driven
    }

    /// Before `init`: the log the previous process with this node's id left (see
    /// [`Driven::with_log`]). Ignored without a log or after `init`.
    pub fn restore_log(&mut self, log: Vec<u8>) {
        if let Some(state) = &mut self.log
            && self.node.node_id().is_none()
        {
            state.bytes = log.len() as u64;
            self.node.keep_log(log);
        }
    }

    fn logging(config: NodeConfig, storage: Option<Box<dyn Storage>>) -> Driven {
        let durability = config.durability.clone();
        let mut driven = Driven::new(config);
        if durability.mode != DurabilityMode::Off {
            driven.log = Some(Log {
                storage,
                sync: durability.mode == DurabilityMode::Sync,
                pending: Vec::new(),
                bytes: 0,
                compact_at: u64::from(durability.compact_bytes.max(1)),
                compact_bytes: u64::from(durability.compact_bytes.max(1)),
                error: None,
                commits: 0,
                snapshots: 0,
            });
        }
        driven
    }

    /// Hands the log records made since the last commit to the storage, in one append (synced
    /// in `sync` mode), and replaces the log by a snapshot once it has grown past the
    /// compaction threshold. Call it before releasing any message drained since the last
    /// commit. Without a log, does nothing.
    pub fn commit(&mut self) -> io::Result<()> {
        let Some(log) = &mut self.log else {
            return Ok(());
        };
        let Some(mut storage) = log.storage.take() else {
            return Err(io::Error::other(
                "no storage: a node made by with_log uses commit_to",
            ));
        };
        let result = self.commit_to(&mut *storage);
        if let Some(log) = &mut self.log {
            log.storage = Some(storage);
        }
        result
    }

    /// [`Driven::commit`] to `storage` (for a node made by [`Driven::with_log`]).
    pub fn commit_to(&mut self, storage: &mut dyn Storage) -> io::Result<()> {
        let Some(log) = &mut self.log else {
            return Ok(());
        };
        if let Some(e) = log.error.take() {
            return Err(e);
        }
        self.node.write_journal(&mut log.pending);
        if log.pending.is_empty() {
            return Ok(());
        }
        storage.append(&log.pending, log.sync)?;
        log.bytes += log.pending.len() as u64;
        log.commits += 1;
        log.pending.clear();
        if log.bytes >= log.compact_at {
            self.node.write_snapshot(&mut log.pending);
            storage.replace(&log.pending, log.sync)?;
            log.bytes = log.pending.len() as u64;
            log.compact_at = log.bytes + log.compact_bytes.max(2 * log.bytes);
            log.snapshots += 1;
            log.pending.clear();
        }
        Ok(())
    }

    /// The log's figures, if the node keeps one.
    pub fn log_stats(&self) -> Option<LogStats> {
        self.log.as_ref().map(|l| LogStats {
            bytes: l.bytes,
            commits: l.commits,
            snapshots: l.snapshots,
        })
    }

    /// Before `init` reaches a logging node: opens its log, and hands the node what the
    /// previous process left there.
    fn open_log(&mut self, node_id: &str) {
        let Some(log) = &mut self.log else {
            return;
        };
        let Some(storage) = &mut log.storage else {
            return;
        };
        if self.node.keeps_log() {
            return;
        }
        let recovered = match storage.open(node_id) {
            Ok(bytes) => bytes,
            Err(e) => {
                log.error = Some(e);
                Vec::new()
            }
        };
        log.bytes = recovered.len() as u64;
        self.node.keep_log(recovered);
    }

    /// The `node_id` of `buf[..len]` if that line is an `init` (read from a copy: decoding
    /// rewrites the line in place).
    fn init_node_id(&mut self, buf: &[u8], len: usize) -> Option<String> {
        let line = &buf[..len];
        // Cheap test first: this runs on every line until the node is initialised.
        if !line.windows(6).any(|w| w == b"\"init\"") {
            return None;
        }
        let mut copy = Vec::with_capacity(len + INPUT_PADDING);
        copy.extend_from_slice(line);
        copy.resize(len + INPUT_PADDING, b' ');
        self.decoder
            .with_envelope(&mut copy, Some(len), |envelope| {
                let envelope = envelope.ok()?;
                (envelope.kind() == Some("init"))
                    .then(|| {
                        envelope
                            .fields()
                            .get("node_id")?
                            .as_str()
                            .map(str::to_string)
                    })
                    .flatten()
            })
    }

    /// The node, for inspection.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// One step: hands the node `feed` at `now`, appends everything it transmits to `out`
    /// (one JSON line each, ending in `\n`), gives each of its notices to `notice`, and
    /// returns when it next wants [`Feed::Timeout`].
    pub fn step(
        &mut self,
        now: Time,
        feed: Feed<'_>,
        out: &mut Vec<u8>,
        notice: impl FnMut(Notice),
    ) -> Option<Time> {
        self.step_with(now, feed, |t| encode(t, out), notice)
    }

    /// [`Driven::step`], with each transmit handed to `sink` instead of encoded.
    pub fn step_with(
        &mut self,
        now: Time,
        feed: Feed<'_>,
        sink: impl FnMut(&Transmit<'_>),
        notice: impl FnMut(Notice),
    ) -> Option<Time> {
        match feed {
            Feed::Line { buf, len } => {
                if self.log.is_some()
                    && self.node.node_id().is_none()
                    && let Some(node_id) = self.init_node_id(buf, len)
                {
                    self.open_log(&node_id);
                }
                feed_line(&mut self.node, &mut self.decoder, now, buf, len);
            }
            Feed::Input(input) => self.node.handle(now, input),
            Feed::Timeout => self.node.handle(now, Input::Timeout),
        }
        self.drain(sink, notice)
    }

    /// [`Driven::step_with`] for a message decoded ahead of time, as a message of item kind
    /// `K` (a test's hand-made message, a bench's script; see [`crate::node::decode`]).
    pub fn step_message_with<K: Kind>(
        &mut self,
        now: Time,
        message: Message<'_, K>,
        sink: impl FnMut(&Transmit<'_>),
        notice: impl FnMut(Notice),
    ) -> Option<Time> {
        if self.log.is_some()
            && self.node.node_id().is_none()
            && let Payload::Init { node_id, .. } = &message.body.payload
        {
            self.open_log(node_id);
        }
        self.node.handle_message(now, message);
        self.drain(sink, notice)
    }

    fn drain(
        &mut self,
        mut sink: impl FnMut(&Transmit<'_>),
        mut notice: impl FnMut(Notice),
    ) -> Option<Time> {
        while let Some(t) = self.node.poll_transmit() {
            sink(&t);
        }
        while let Some(n) = self.node.poll_notice() {
            notice(n);
        }
        self.node.poll_timeout()
    }
}

/// Turns the line `buf[..len]` into the node's input (see [`Feed::Line`]).
fn feed_line(node: &mut Node, decoder: &mut Decoder, now: Time, buf: &mut [u8], len: usize) {
    let mut line_end = len;
    if line_end > 0 && buf[line_end - 1] == b'\r' {
        line_end -= 1;
    }
    if buf[..line_end].iter().all(u8::is_ascii_whitespace) {
        node.note_dropped("an empty input line");
        return;
    }
    node.handle_line(decoder, now, buf, line_end);
}
