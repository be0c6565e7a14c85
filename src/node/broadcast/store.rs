//! The values a node holds: an append-only list plus an index for de-duplication.
//!
//! A value's position in the list never changes, so the rest of the broadcast code refers to
//! values by position (`u32`), and a `read` is answered with a prefix of the list.
//!
//! [`Items`] is what the engine needs of any store it disseminates: the values here, and the
//! counter states and transactions of [`crate::node::counter`] and [`crate::node::txn`].

use hashbrown::HashMap;

use crate::wire::{Gossip, Value};

/// A store the gossip engine disseminates: items at stable positions, each sent to every node.
///
/// The engine refers to items by position only. A store whose items can become obsolete (a
/// counter's older state, a transaction all of whose writes were overwritten) reports them as
/// superseded; the engine then stops sending them, since the item that superseded them is
/// queued for every neighbour anyway.
pub(crate) trait Items: std::fmt::Debug + Default {
    /// What one position holds.
    type Item;
    /// Stores `item` unless it is already held or obsolete.
    fn insert(&mut self, item: Self::Item) -> Inserted;
    /// How many positions there are.
    fn len(&self) -> usize;
    /// Whether the item at `pos` is still worth sending to a node that lacks it.
    fn is_live(&self, _pos: u32) -> bool {
        true
    }
    /// Moves into `out` the positions superseded since the last call.
    fn drain_superseded(&mut self, _out: &mut Vec<u32>) {}
    /// Takes this store's kind of items out of a gossip message.
    fn take_items(gossip: &mut Gossip) -> Vec<Self::Item>;
}

/// The outcome of [`ValueStore::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// The value is new and now stands at this position.
    New(u32),
    /// The value was already held at this position.
    Known(u32),
    /// The item is older than what the store holds: nothing to keep or send.
    Stale,
}

/// Every value this node has seen, each once, in arrival order.
#[derive(Debug, Default)]
pub(crate) struct ValueStore {
    values: Vec<Value>,
    index: HashMap<Value, u32>,
}

impl ValueStore {
    /// Adds `value` unless it is already held.
    pub(crate) fn insert(&mut self, value: Value) -> Inserted {
        let next = self.values.len() as u32;
        match self.index.entry(value) {
            hashbrown::hash_map::Entry::Occupied(slot) => Inserted::Known(*slot.get()),
            hashbrown::hash_map::Entry::Vacant(slot) => {
                self.values.push(slot.key().clone());
                slot.insert(next);
                Inserted::New(next)
            }
        }
    }

    /// All values, in arrival order.
    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

impl Items for ValueStore {
    type Item = Value;

    fn insert(&mut self, item: Value) -> Inserted {
        ValueStore::insert(self, item)
    }

    fn len(&self) -> usize {
        ValueStore::len(self)
    }

    fn take_items(gossip: &mut Gossip) -> Vec<Value> {
        std::mem::take(&mut gossip.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_each_value_once_in_order() {
        let mut s = ValueStore::default();
        assert_eq!(s.insert(Value::Int(5)), Inserted::New(0));
        assert_eq!(s.insert(Value::Json("\"x\"".into())), Inserted::New(1));
        assert_eq!(s.insert(Value::Int(5)), Inserted::Known(0));
        assert_eq!(s.values(), &[Value::Int(5), Value::Json("\"x\"".into())]);
    }
}
