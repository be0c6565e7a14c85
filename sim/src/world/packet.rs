//! A message on the simulated network, as its delivery queues and the reorder fault's transit
//! hold it.

use crate::world::endpoint::Endpoint;
use glomers::time::Time;

/// A message on its way to a node.
#[derive(Clone, Debug)]
pub(crate) struct Packet {
    /// Maelstrom's network-wide message id.
    pub(crate) id: u64,
    pub(crate) from: Endpoint,
    pub(crate) deadline: Time,
    /// The line to write to the node's stdin, without `\n`.
    pub(crate) line: Vec<u8>,
}
