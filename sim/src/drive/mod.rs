//! What runs a test: the sans-IO [`cluster`] core (Maelstrom minus the processes: clients,
//! the test's phases, the JSON exchanged with nodes, the core's timers) and the two drivers
//! that feed it, [`inprocess`] (glomers nodes on a virtual clock) and [`process`] (any node
//! binary, one process per node, in real time).

pub(crate) mod clients;
pub mod cluster;
pub(crate) mod events;
pub(crate) mod faults;
pub mod inprocess;
pub(crate) mod nemesis;
pub mod node;
pub(crate) mod node_process;
pub(crate) mod phases;
pub mod process;
pub(crate) mod protocol;
pub(crate) mod service_worker;
pub(crate) mod state;
pub(crate) mod wire;
