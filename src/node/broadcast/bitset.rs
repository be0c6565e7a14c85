//! A growable set of value positions, one bit each: what a neighbour is known to hold.

/// A set of `u32` positions stored as bits; grows on insert.
#[derive(Debug, Default, Clone)]
pub(crate) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    #[inline]
    pub(crate) fn contains(&self, i: u32) -> bool {
        let (w, b) = (i as usize / 64, i % 64);
        self.words.get(w).is_some_and(|word| word & (1 << b) != 0)
    }

    #[inline]
    pub(crate) fn insert(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_and_queries() {
        let mut s = BitSet::default();
        for i in [0, 1, 63, 64, 1000] {
            assert!(!s.contains(i));
            s.insert(i);
            assert!(s.contains(i));
        }
        assert!(!s.contains(2));
        assert!(!s.contains(100_000));
    }
}
