//! What the in-process driver runs: any [`InProcessNode`], stepped on the virtual clock. The
//! glomers node is one (through its drive step, [`glomers::step::Driven`]); a test can plug
//! in its own, say a deliberately broken node that proves a checker rejects what it must
//! ([`crate::NodeKind::custom`]).

use std::fmt;
use std::sync::Arc;

use glomers::step::{Driven, Feed};
use glomers::storage::Storage;
use glomers::time::Time;

use crate::world::disk::Disk;

/// A node the in-process driver can run: fed one line or a timeout at a time, it prints
/// lines and names its next deadline, like a node process on stdin and stdout.
pub trait InProcessNode: Send {
    /// Handles `line` (one line Maelstrom writes to the node's stdin, without its `\n`; it
    /// may be rewritten in place) or, when `line` is `None`, the deadline it asked for, at
    /// `now` on the node's clock (the run's virtual time plus a seeded epoch, µs since the
    /// Unix epoch). Appends each line the node prints, ending in `\n`, to `out`, and returns
    /// when it next wants to be woken, if ever (a time after `now`).
    fn step(&mut self, now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time>;

    /// Called once on every new instance before its first step: at the start of the run (an
    /// empty disk) and whenever the kill nemesis starts the node again, with what its
    /// [`Disk`] holds then. The default ignores it: a node that keeps its state in memory
    /// only starts from nothing after a kill.
    fn restore(&mut self, disk: &[u8]) {
        let _ = disk;
    }

    /// Called after every step, *before* the lines that step printed are released to the
    /// network: append (or replace, and sync) on `disk` what must survive a kill, and a reply
    /// printed by the step is only sent once its cause is on disk. The default writes nothing.
    /// See [`crate::world::disk`] for what survives a process kill and a machine crash.
    fn persist(&mut self, disk: &mut Disk) {
        let _ = disk;
    }
}

impl InProcessNode for Driven {
    fn step(&mut self, now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let feed = match line {
            Some(buf) => {
                let len = buf.len();
                Feed::Line { buf, len }
            }
            None => Feed::Timeout,
        };
        Driven::step(self, now, feed, out, |_| {})
    }

    /// The glomers node reads back its durability log (a node built with
    /// [`Driven::with_log`]; others ignore it).
    fn restore(&mut self, disk: &[u8]) {
        if !disk.is_empty() {
            self.restore_log(disk.to_vec());
        }
    }

    /// The glomers node commits what its last steps logged, before their replies leave.
    fn persist(&mut self, disk: &mut Disk) {
        // The simulated disk cannot fail; a node that could not log would be a bug.
        self.commit_to(&mut DiskStorage(disk))
            .expect("the simulated disk takes every write");
    }
}

impl InProcessNode for Box<dyn InProcessNode> {
    fn step(&mut self, now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        (**self).step(now, line, out)
    }

    fn restore(&mut self, disk: &[u8]) {
        (**self).restore(disk);
    }

    fn persist(&mut self, disk: &mut Disk) {
        (**self).persist(disk);
    }
}

/// Makes the node of each index (`n<index>`) for a run of custom in-process nodes.
#[derive(Clone)]
pub struct NodeFactory {
    /// What the summary calls these nodes.
    pub description: String,
    make: Arc<dyn Fn(u16) -> Box<dyn InProcessNode> + Send + Sync>,
}

impl NodeFactory {
    /// A factory calling `make(index)` for each node.
    pub fn new(
        description: impl Into<String>,
        make: impl Fn(u16) -> Box<dyn InProcessNode> + Send + Sync + 'static,
    ) -> NodeFactory {
        NodeFactory {
            description: description.into(),
            make: Arc::new(make),
        }
    }

    /// The node of index `index`.
    pub fn make(&self, index: u16) -> Box<dyn InProcessNode> {
        (self.make)(index)
    }
}

impl fmt::Debug for NodeFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeFactory")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl PartialEq for NodeFactory {
    /// The same factory (not merely an equal description).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.make, &other.make)
    }
}

/// The simulated [`Disk`] as the node crate's [`Storage`]: one log per node, so `open` has
/// nothing to pick (what the disk holds was handed over by [`InProcessNode::restore`]).
struct DiskStorage<'a>(&'a mut Disk);

impl Storage for DiskStorage<'_> {
    fn open(&mut self, _node_id: &str) -> std::io::Result<Vec<u8>> {
        Ok(self.0.contents().to_vec())
    }

    fn append(&mut self, records: &[u8], sync: bool) -> std::io::Result<()> {
        self.0.append(records);
        if sync {
            self.0.sync();
        }
        Ok(())
    }

    fn replace(&mut self, snapshot: &[u8], sync: bool) -> std::io::Result<()> {
        self.0.replace(snapshot);
        if sync {
            self.0.sync();
        }
        Ok(())
    }
}
