//! What each workload asks of the nodes: the operation generator of the main phase.

pub mod counter;
pub(crate) mod generator;
