//! The virtual world the nodes live in: who exists ([`endpoint`]), the network with its
//! latency, per-node delivery workers and message journal ([`journal`]), messages held in
//! transit, partitions ([`partition`]) and the nemesis that schedules them, the faults beyond
//! Maelstrom's ([`faults`]) and their schedule, the seeded random streams, the timer queue and
//! the broadcast `topology` message ([`topology`]).
//!
//! # Where services go
//!
//! Maelstrom's services (`seq-kv`, `lin-kv`, `lww-kv`, `lin-tso`:
//! `maelstrom-compat-workloads.md` §2) are endpoints addressed by name on this same network,
//! not nodes. The hook for them:
//!
//! - [`endpoint::Endpoint`] gains a `Service(index)` variant, parsed from and displayed as the
//!   service's name; [`endpoint::Endpoint::is_client`] stays false for it, so the journal
//!   already counts node↔service messages in `:servers` both ways.
//! - The network gives each service a delivery queue and worker after the nodes' (index
//!   `node_count + s`): a message from a node to a service, and the reply, each draw the
//!   configured latency in `Network::send` (it draws for every non-client sender) and wait
//!   behind earlier messages exactly like a node's (head-of-line blocking).
//! - Partitions only ever name nodes (`Partition::blocks` takes node indices, and the take
//!   check applies to `Endpoint::Node` senders only), so services are never cut off; whether
//!   the extra `--faults` apply to service links is the service module's choice.
//! - The cluster core hands a delivery for a service to the service's state machine (a new
//!   `world/services/` folder, one module per service) instead of `Cluster::poll_delivery`,
//!   and the service's reply enters the network as a line from that endpoint, like a node's.

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
pub mod topology;
pub(crate) mod transit;
