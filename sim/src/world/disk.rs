//! A node's simulated disk: what an in-process node writes so that it survives the kill
//! nemesis, the simulator's stand-in for a log file in the node's working directory.
//!
//! The in-process driver keeps one [`Disk`] per node for the whole run. After every step it
//! hands the node its disk ([`crate::drive::node::InProcessNode::persist`]) *before* it releases
//! the lines the step printed, so a node that appends there what it must not lose, before it
//! replies, never acknowledges anything a kill can take back. When a killed node is started
//! again, the fresh instance is given the disk's contents
//! ([`crate::drive::node::InProcessNode::restore`]) before it reads `init`.
//!
//! Two kinds of writes, as with a file:
//!
//! - [`Disk::append`] and [`Disk::replace`] reach the operating system: they survive a process
//!   kill (`--nemesis kill`).
//! - [`Disk::sync`] (fsync) makes them survive a machine crash too: with
//!   [`crate::SimConfig::kill_drops_unsynced`] a kill is a machine crash and whatever was
//!   written since the last sync is lost.
//!
//! [`Disk::replace`] is a compaction (write a new file, rename it over the old one): until the
//! next sync, a machine crash brings back the old contents.

/// One node's disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// What the operating system holds (what a restarted process reads).
    current: Vec<u8>,
    /// What survives a machine crash.
    synced: Vec<u8>,
    /// Whether `current` is `synced` followed by appends only.
    extends_synced: bool,
    /// Bytes written (appended or replaced) over the run.
    written: u64,
    /// How many syncs were asked for.
    syncs: u64,
}

impl Disk {
    /// An empty disk.
    pub fn new() -> Disk {
        Disk {
            extends_synced: true,
            ..Disk::default()
        }
    }

    /// Appends `bytes` (a `write(2)` to the log): survives a process kill.
    pub fn append(&mut self, bytes: &[u8]) {
        self.current.extend_from_slice(bytes);
        self.written += bytes.len() as u64;
    }

    /// Replaces the whole contents with `bytes` (compaction: a new file renamed over the
    /// old). Survives a process kill; a machine crash before the next [`Disk::sync`] brings
    /// back the last synced contents.
    pub fn replace(&mut self, bytes: &[u8]) {
        self.current.clear();
        self.current.extend_from_slice(bytes);
        self.extends_synced = false;
        self.written += bytes.len() as u64;
    }

    /// Makes everything written so far survive a machine crash (fsync).
    pub fn sync(&mut self) {
        self.syncs += 1;
        if self.extends_synced {
            let tail = &self.current[self.synced.len()..];
            self.synced.extend_from_slice(tail);
        } else {
            self.synced.clone_from(&self.current);
            self.extends_synced = true;
        }
    }

    /// What a process started now reads.
    pub fn contents(&self) -> &[u8] {
        &self.current
    }

    /// Bytes written and not yet synced, or `None` after an unsynced [`Disk::replace`].
    pub fn unsynced(&self) -> Option<&[u8]> {
        self.extends_synced
            .then(|| &self.current[self.synced.len()..])
    }

    /// Bytes written over the run (appends and replacements).
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Syncs asked for over the run.
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// A machine crash: what was not synced is gone.
    pub(crate) fn crash(&mut self) {
        self.current.clone_from(&self.synced);
        self.extends_synced = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_kill_keeps_writes_and_a_machine_crash_keeps_synced_ones() {
        let mut d = Disk::new();
        d.append(b"a1\n");
        d.sync();
        d.append(b"a2\n");
        assert_eq!(d.contents(), b"a1\na2\n", "written to the OS");
        assert_eq!(d.unsynced(), Some(&b"a2\n"[..]));
        let mut crashed = d.clone();
        crashed.crash();
        assert_eq!(crashed.contents(), b"a1\n");
        d.replace(b"snap\n");
        let mut crashed = d.clone();
        crashed.crash();
        assert_eq!(crashed.contents(), b"a1\n", "the rename was not synced");
        d.sync();
        d.append(b"a3\n");
        d.crash();
        assert_eq!(d.contents(), b"snap\n");
        assert_eq!((d.written(), d.syncs()), (14, 2));
    }
}
