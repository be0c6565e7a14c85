//! Invariants shared by the node fuzz targets, checked after every input the node handles.

use glomers::wire::Value;
use glomers::{Node, Time};

/// What a node must keep true from one input to the next.
#[derive(Debug, Default)]
pub struct NodeInvariants {
    /// Every value the node has held so far, in its store's order.
    seen: Vec<Value>,
}

impl NodeInvariants {
    /// Checks `node` after it handled an input at `now` and was drained: its next deadline is
    /// after `now` (a timer in the past would spin its driver), and every value it held before
    /// is still held, at the same place (the store only grows: reads and positions rely on it).
    /// Returns the values the node holds.
    pub fn check<'a>(&mut self, node: &'a Node, now: Time) -> &'a [Value] {
        if let Some(deadline) = node.poll_timeout() {
            assert!(deadline > now, "deadline {deadline:?} not after {now:?}");
        }
        let values = node.values();
        assert!(values.len() >= self.seen.len(), "the store shrank");
        assert_eq!(
            &values[..self.seen.len()],
            &self.seen[..],
            "a stored value changed"
        );
        self.seen.extend_from_slice(&values[self.seen.len()..]);
        values
    }
}
