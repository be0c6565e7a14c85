//! The `workload` setting: which workload the node serves, or `auto`.

use serde::{Deserialize, Serialize};

/// The workload a node serves. Most requests say which by themselves; `read` does not
/// (broadcast answers `messages`, a counter `value`), hence this setting. See
/// [`crate::node`] for how `auto` decides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Decide from the first request or gossip that tells (the default).
    #[default]
    Auto,
    /// Echo, unique ids and broadcast (challenges 1–3).
    Broadcast,
    /// g-counter and pn-counter (challenge 4).
    #[serde(alias = "g-counter", alias = "pn-counter")]
    Counter,
    /// txn-rw-register (challenges 6a–6c).
    #[serde(alias = "txn-rw-register")]
    Txn,
}

impl std::str::FromStr for Workload {
    type Err = String;

    fn from_str(s: &str) -> Result<Workload, String> {
        match s {
            "auto" => Ok(Workload::Auto),
            "broadcast" => Ok(Workload::Broadcast),
            "counter" | "g-counter" | "pn-counter" => Ok(Workload::Counter),
            "txn" | "txn-rw-register" => Ok(Workload::Txn),
            other => Err(format!(
                "unknown workload {other:?} (auto, broadcast, counter, g-counter, pn-counter, \
                 txn, txn-rw-register)"
            )),
        }
    }
}
