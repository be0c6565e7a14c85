//! The `[durability]` section: whether and how the node's log reaches the disk (see
//! `docs/reliability.md`, "Durability", and [`crate::storage`]).

use serde::{Deserialize, Serialize};

/// How the driver keeps the node's log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DurabilityMode {
    /// No log: a restarted node starts empty (and may repeat ids).
    Off,
    /// The log is handed to the operating system (`write(2)`) before the replies that depend
    /// on it leave: a killed process loses nothing; a machine crash may lose the last writes.
    #[default]
    Write,
    /// As `write`, and the log is synced (`fdatasync`) before those replies leave, once per
    /// batch of input (group commit): a machine crash loses nothing acknowledged either.
    Sync,
}

/// Where and how the node logs what it must not lose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DurabilityConfig {
    /// `off`, `write` (the default) or `sync`.
    pub mode: DurabilityMode,
    /// The log is compacted into a snapshot of the node's state once it has grown by this
    /// many bytes and by twice the last snapshot's size since that snapshot.
    pub compact_bytes: u32,
}

impl Default for DurabilityConfig {
    fn default() -> Self {
        DurabilityConfig {
            mode: DurabilityMode::Write,
            compact_bytes: 4 << 20,
        }
    }
}
