//! What each workload asks of the nodes: the operation generator of the main phase.

pub(crate) mod generator;
