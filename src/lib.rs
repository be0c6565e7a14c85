//! # glomers
//!
//! A Maelstrom node for the Gossip Glomers challenges (echo, unique ids, broadcast 3a–3e)
//! built for message efficiency. Its simulator, `glomers-sim`, is the workspace's `sim/` crate.
//!
//! The node is a sans-IO state machine ([`Node`]). Every driver — the tokio [`runtime`], the
//! simulator (`glomers-sim`), the benches and the tests — runs the same loop, written once in
//! [`step::Driven::step`] (which also turns input lines into [`Input`]s):
//!
//! ```
//! use glomers::{Input, Node, Time, config::NodeConfig, wire::{Decoder, encode}};
//!
//! let mut node = Node::new(NodeConfig::default());
//! let mut decoder = Decoder::new();
//! let mut out = Vec::new();
//! let mut line = br#"{"src":"c1","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}"#.to_vec();
//!
//! // 1. hand the node one input with the current time;
//! let message = decoder.decode(&mut line).expect("valid line");
//! node.handle(Time::from_millis(0), Input::Message(message));
//! // 2. drain what it wants to send;
//! while let Some(t) = node.poll_transmit() {
//!     encode(&t, &mut out);
//! }
//! // 3. ask when to wake it with `Input::Timeout` (here: never, it is idle).
//! assert_eq!(node.poll_timeout(), None);
//! assert_eq!(out, b"{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}\n");
//! ```
//!
//! | module | holds |
//! |---|---|
//! | [`wire`] | Maelstrom's JSON lines: decode (simd-json, in place), encode, error codes |
//! | [`node`] | the state machine: echo, unique ids, broadcast ([`node::broadcast`]) |
//! | [`config`] | topology files: overlay, round timing, retries, fallback |
//! | [`step`] | the one drive step: a line or input in, transmits out, next deadline |
//! | [`runtime`] | the tokio driver for stdin/stdout |

#![deny(missing_docs)]

pub mod config;
pub mod node;
pub mod runtime;
pub mod step;
pub mod time;
pub mod wire;

pub use node::{Input, Node, Notice};
pub use time::Time;
