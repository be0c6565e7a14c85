//! The `workload` setting: which item kind the node serves, or `auto`.

use serde::{Deserialize, Serialize};

/// The workload a node serves: `auto`, or the name of an item kind the node crate registers
/// (`broadcast`, `counter` or `g-counter` or `pn-counter`, `txn` or `txn-rw-register`,
/// `g-set`, `kafka`: see `glomers::node::kinds`). Most requests say which by themselves; `read` does
/// not (broadcast answers `messages`, a counter `value`), hence this setting. See
/// [`crate::node`] for how `auto` decides. A name no kind answers to is reported when the node
/// starts, which then decides as with `auto`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Workload(Box<str>);

impl Workload {
    /// Decide from the first request or gossip that tells (the default).
    pub fn auto() -> Workload {
        Workload("auto".into())
    }

    /// The workload called `name` (not checked against the registered kinds here).
    pub fn named(name: &str) -> Workload {
        Workload(name.into())
    }

    /// Whether the node decides from the messages.
    pub fn is_auto(&self) -> bool {
        &*self.0 == "auto"
    }

    /// The name as given.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl Default for Workload {
    fn default() -> Workload {
        Workload::auto()
    }
}

impl std::str::FromStr for Workload {
    type Err = String;

    fn from_str(s: &str) -> Result<Workload, String> {
        Ok(Workload::named(s))
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
