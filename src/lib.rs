//! # glomers
//!
//! A Maelstrom node for the Gossip Glomers challenges (echo, unique ids, broadcast 3a–3e,
//! g-counter and pn-counter 4, kafka 5a–5c, txn-rw-register 6a–6c) and Maelstrom's g-set, built for message efficiency, and a
//! local Maelstrom simulator to measure it (`glomers-sim`, the workspace's `sim/` crate).
//!
//! The node is a sans-IO state machine ([`Node`]). Every driver — the tokio [`runtime`], the
//! simulator (`glomers-sim`), the benches and the tests — runs the same loop, written once in
//! [`step::Driven::step`] (which also turns input lines into messages of the item kind the
//! node serves, see [`node::kind`]):
//!
//! ```
//! use glomers::{Node, Time, config::NodeConfig, wire::{Decoder, encode}};
//!
//! let mut node = Node::new(NodeConfig::default());
//! let mut decoder = Decoder::new();
//! let mut out = Vec::new();
//! let mut line = br#"{"src":"c1","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}"#.to_vec();
//!
//! // 1. hand the node one input with the current time;
//! let len = line.len();
//! node.handle_line(&mut decoder, Time::from_millis(0), &mut line, len);
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
//! | [`node`] | the state machine: echo, unique ids, the gossip engine ([`node::broadcast`]) and the item kinds it carries ([`node::kinds`]: broadcast values, counters, transactions, g-set, kafka logs) |
//! | [`config`] | topology files: overlay, round timing, retries, fallback |
//! | [`step`] | the one drive step: a line or input in, transmits out, next deadline, the log committed |
//! | [`storage`] | where a node's log goes ([`storage::Storage`]), and a disk in memory |
//! | [`runtime`] | the tokio driver for stdin/stdout |

#![deny(missing_docs)]

pub mod config;
pub mod node;
#[cfg(feature = "runtime")]
pub mod runtime;
pub mod step;
pub mod storage;
pub mod time;
pub mod wire;

pub use node::{Input, Message, Node, Notice};
pub use time::Time;
