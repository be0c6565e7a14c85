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

use crate::config::NodeConfig;
use crate::node::kind::Kind;
use crate::node::{Input, Message, Node, Notice};
use crate::time::Time;
use crate::wire::{Decoder, Transmit, encode};

/// What a driver hands the node in one step.
#[derive(Debug)]
pub enum Feed<'a> {
    /// One input line, `buf[..len]`, without its `\n`. Bytes of `buf` after the line serve as
    /// the decoder's padding when there are at least
    /// [`INPUT_PADDING`](crate::wire::INPUT_PADDING) of them (else the line is copied). The
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

/// A node with its line decoder, stepped through [`Driven::step`].
#[derive(Debug)]
pub struct Driven {
    node: Node,
    decoder: Decoder,
}

impl Driven {
    /// A fresh node with `config`.
    pub fn new(config: NodeConfig) -> Driven {
        Driven {
            node: Node::new(config),
            decoder: Decoder::new(),
        }
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
