//! The values a node holds: an append-only list plus an index for de-duplication.
//!
//! A value's position in the list never changes, so the rest of the broadcast code refers to
//! values by position (`u32`), and a `read` is answered with a prefix of the list.

use hashbrown::HashMap;

use crate::wire::Value;

/// The outcome of [`ValueStore::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// The value is new and now stands at this position.
    New(u32),
    /// The value was already held at this position.
    Known(u32),
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
