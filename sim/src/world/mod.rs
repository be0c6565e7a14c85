//! The virtual world the nodes live in: who exists ([`endpoint`]), the network with its
//! latency, per-node delivery workers and message journal ([`journal`]), messages held in
//! transit, partitions ([`partition`]) and the nemesis that schedules them, the faults beyond
//! Maelstrom's ([`faults`]) and their schedule, the seeded random streams, the timer queue and
//! the broadcast `topology` message ([`topology`]).

pub mod endpoint;
pub(crate) mod fault_schedule;
pub mod faults;
pub mod journal;
pub(crate) mod min_queue;
pub(crate) mod nemesis;
pub(crate) mod network;
pub mod partition;
pub(crate) mod rng;
pub mod topology;
pub(crate) mod transit;
