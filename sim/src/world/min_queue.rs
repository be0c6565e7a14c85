//! An earliest-first priority queue whose order never depends on heap internals: entries
//! leave in key order and, at equal keys, in the order they were pushed. The simulator's
//! timers, its delivery queues and the reorder fault's in-transit messages all need this, so
//! that a seed always gives the same run.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

#[derive(Debug)]
struct Entry<K, T> {
    key: K,
    seq: u64,
    item: T,
}

impl<K: Ord, T> PartialEq for Entry<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<K: Ord, T> Eq for Entry<K, T> {}
impl<K: Ord, T> PartialOrd for Entry<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord, T> Ord for Entry<K, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.key, self.seq).cmp(&(&other.key, other.seq))
    }
}

/// Items ordered by key, smallest first, ties broken by push order.
#[derive(Debug)]
pub(crate) struct MinQueue<K, T> {
    heap: BinaryHeap<Reverse<Entry<K, T>>>,
    pushed: u64,
}

impl<K, T> Default for MinQueue<K, T> {
    fn default() -> Self {
        MinQueue {
            heap: BinaryHeap::new(),
            pushed: 0,
        }
    }
}

impl<K: Ord, T> MinQueue<K, T> {
    /// Adds `item` under `key`.
    pub(crate) fn push(&mut self, key: K, item: T) {
        self.pushed += 1;
        self.heap.push(Reverse(Entry {
            key,
            seq: self.pushed,
            item,
        }));
    }

    /// The smallest key, if any.
    pub(crate) fn peek_key(&self) -> Option<&K> {
        self.heap.peek().map(|Reverse(e)| &e.key)
    }

    /// Removes and returns the item with the smallest key (the earliest pushed among equals).
    pub(crate) fn pop(&mut self) -> Option<T> {
        self.heap.pop().map(|Reverse(e)| e.item)
    }

    /// [`MinQueue::pop`], but only if the smallest key is at most `limit`.
    pub(crate) fn pop_at_most(&mut self, limit: &K) -> Option<T> {
        if self.peek_key()? > limit {
            return None;
        }
        self.pop()
    }

    /// Drops every item.
    pub(crate) fn clear(&mut self) {
        self.heap.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::MinQueue;

    #[test]
    fn smallest_key_first_then_push_order() {
        let mut q = MinQueue::default();
        for (key, item) in [(3, 'a'), (1, 'b'), (3, 'c'), (1, 'd'), (2, 'e')] {
            q.push(key, item);
        }
        assert_eq!(q.peek_key(), Some(&1));
        assert_eq!(q.pop_at_most(&0), None);
        assert_eq!(q.pop_at_most(&1), Some('b'));
        assert_eq!(q.pop_at_most(&1), Some('d'));
        assert_eq!(q.pop_at_most(&1), None);
        let rest: Vec<char> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(rest, ['e', 'a', 'c']);
        q.push(5, 'f');
        q.clear();
        assert_eq!(q.pop(), None);
    }
}
