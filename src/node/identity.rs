//! Who this node is, once `init` has told it: the cluster's names and this node's index.

use hashbrown::HashMap;

/// Who this node is, once `init` has told it.
pub(super) struct Identity {
    pub(super) names: Vec<Box<str>>,
    /// Each name's position in `names` (they are distinct): every message asks who sent it,
    /// and a scan of 25 names cost more than the rest of an `echo`'s handling.
    index: HashMap<Box<str>, u16>,
    pub(super) me: u16,
}

impl std::fmt::Debug for Identity {
    // Without `index`: its order is random, and a node's debug output should not be.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("names", &self.names)
            .field("me", &self.me)
            .finish_non_exhaustive()
    }
}

impl Identity {
    pub(super) fn new(names: Vec<Box<str>>, me: u16) -> Identity {
        let index = names.iter().zip(0..).map(|(n, i)| (n.clone(), i)).collect();
        Identity { names, index, me }
    }

    /// The index of the node called `name`.
    pub(super) fn index_of(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }
}
