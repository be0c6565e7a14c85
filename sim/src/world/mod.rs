//! The virtual world the nodes live in: who exists ([`endpoint`]), the network with its
//! latency, per-node delivery workers and message journal ([`journal`]), messages held in
//! transit, partitions ([`partition`]) and the nemesis that schedules them, the faults beyond
//! Maelstrom's ([`faults`]) and their schedule, the seeded random streams, the timer queue and
//! the broadcast `topology` message ([`topology`]), and Maelstrom's [`services`].
//!
//! # Services
//!
//! Maelstrom's services (`seq-kv`, `lin-kv`, `lww-kv`, `lin-tso`:
//! Maelstrom's `maelstrom/src/maelstrom/service.clj` and `doc/services.md`) are endpoints addressed by name on this same network,
//! not nodes:
//!
//! - [`endpoint::Endpoint::Service`] is parsed from and displayed as the service's name;
//!   [`endpoint::Endpoint::is_client`] is false for it, so the journal counts node↔service
//!   messages in `:servers` both ways.
//! - The network gives each service a delivery queue and worker after the nodes' (index
//!   `node_count + s`): a request from a node to a service, and the reply, each draw the
//!   configured latency and wait behind earlier messages exactly like a node's (head-of-line
//!   blocking).
//! - Partitions only ever name nodes, so services are never cut off; the extra `--faults`
//!   act on node↔node messages only.
//! - The cluster core hands a delivery for a service to its state machine ([`services`],
//!   via `drive::service_worker`) instead of `Cluster::poll_delivery`, and the reply enters
//!   the network as a line from that endpoint, like a node's.

pub mod endpoint;
pub(crate) mod fault_schedule;
pub mod faults;
pub mod journal;
pub(crate) mod min_queue;
pub(crate) mod nemesis;
pub(crate) mod network;
pub(crate) mod packet;
pub mod partition;
pub mod rng;
pub mod services;
pub mod topology;
pub(crate) mod transit;
