//! Where a node's log goes: the [`Storage`] a driver hands [`Driven::with_storage`], and
//! [`MemoryStorage`], a disk in memory for tests and simulators.
//!
//! The node core does no I/O. A node driven with a storage makes log records (see the
//! `journal` module of [`crate::node`]) of what it must not lose; [`Driven::commit`] hands the
//! records made since the last commit to [`Storage::append`] in one call (group commit), and
//! compacts the log into a snapshot through [`Storage::replace`] once it has grown enough.
//! **A driver calls [`Driven::commit`] before it releases any message drained since the last
//! commit**: that is what makes an acknowledged value, an acknowledged gossip batch and a
//! node's incarnation survive the death of its process. At `init` the driver's storage gives
//! back the log the node's previous process left ([`Storage::open`]), and the node puts its
//! state back from it before it answers.
//!
//! [`Driven::with_storage`]: crate::step::Driven::with_storage
//! [`Driven::commit`]: crate::step::Driven::commit

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

/// A node's log, kept by its driver: a file (the runtime's), a simulated disk.
pub trait Storage: Send {
    /// Opens the log of node `node_id` and returns what its previous process left there
    /// (empty if nothing, or only what is another run's: the driver decides), without a torn
    /// last line. Called once, when `init` arrives.
    fn open(&mut self, node_id: &str) -> io::Result<Vec<u8>>;
    /// Appends `records` (whole lines). With `sync`, returns only once they are on stable
    /// storage; without, once a crash of this process can no longer lose them.
    fn append(&mut self, records: &[u8], sync: bool) -> io::Result<()>;
    /// Replaces the whole log with `snapshot` (whole lines), atomically: after a crash the
    /// log is the old one or the new one. `sync` as for [`Storage::append`].
    fn replace(&mut self, snapshot: &[u8], sync: bool) -> io::Result<()>;
}

/// The logs of a cluster's nodes in memory, one per node id: clones share them, so a test or
/// a simulator can drop a node (its process "dies"), start a new one on a clone, and have it
/// read back what the old one logged. [`MemoryStorage::crash`] models a machine crash: each
/// log loses what was appended without `sync` since it was last synced.
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    disks: Arc<Mutex<std::collections::BTreeMap<String, Disk>>>,
    /// The node this handle logs for, once opened.
    node: Option<String>,
}

/// One node's log in memory.
#[derive(Clone, Debug, Default)]
struct Disk {
    bytes: Vec<u8>,
    /// How much of `bytes` a machine crash keeps.
    synced: usize,
    /// How many times `append` and `replace` were called.
    writes: usize,
}

impl MemoryStorage {
    /// An empty set of logs.
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }

    /// Another handle on the same logs, not yet opened (for a new process).
    pub fn handle(&self) -> MemoryStorage {
        MemoryStorage {
            disks: Arc::clone(&self.disks),
            node: None,
        }
    }

    /// The log of `node_id` as it stands.
    pub fn log(&self, node_id: &str) -> Vec<u8> {
        self.with(|d| d.get(node_id).map(|d| d.bytes.clone()).unwrap_or_default())
    }

    /// How many writes (appends and replacements) the log of `node_id` has had.
    pub fn writes(&self, node_id: &str) -> usize {
        self.with(|d| d.get(node_id).map_or(0, |d| d.writes))
    }

    /// A machine crash: every log loses what was appended since it was last synced.
    pub fn crash(&self) {
        self.with(|d| {
            for disk in d.values_mut() {
                disk.bytes.truncate(disk.synced);
            }
        });
    }

    fn with<R>(&self, f: impl FnOnce(&mut std::collections::BTreeMap<String, Disk>) -> R) -> R {
        f(&mut self.disks.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn disk<R>(&mut self, f: impl FnOnce(&mut Disk) -> R) -> io::Result<R> {
        let Some(node) = self.node.clone() else {
            return Err(io::Error::other("the log is not open"));
        };
        Ok(self.with(|d| f(d.entry(node).or_default())))
    }
}

impl Storage for MemoryStorage {
    fn open(&mut self, node_id: &str) -> io::Result<Vec<u8>> {
        self.node = Some(node_id.to_string());
        self.disk(|d| {
            let whole = d
                .bytes
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            d.bytes.truncate(whole);
            d.synced = d.synced.min(whole);
            d.bytes.clone()
        })
    }

    fn append(&mut self, records: &[u8], sync: bool) -> io::Result<()> {
        self.disk(|d| {
            d.bytes.extend_from_slice(records);
            d.writes += 1;
            if sync {
                d.synced = d.bytes.len();
            }
        })
    }

    fn replace(&mut self, snapshot: &[u8], sync: bool) -> io::Result<()> {
        self.disk(|d| {
            // Unsynced, the new log may not survive a crash, and the old one is gone: the
            // model keeps nothing (the worst a file system may do).
            d.bytes = snapshot.to_vec();
            d.synced = if sync { d.bytes.len() } else { 0 };
            d.writes += 1;
        })
    }
}
