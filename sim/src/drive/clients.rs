//! Maelstrom's clients and Jepsen's worker threads.
//!
//! A client is a network id `c<k>` (numbered in the order clients are opened) with at most one
//! outstanding request; it exists on the network from open to close. Setup clients send `init`
//! and `topology`; each worker thread owns one client at a time and replaces it (new id) after
//! an indeterminate outcome when the workload's client is not reusable.

use crate::history::{OpF, OpValue};

/// What a client is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Sends `init` to this node.
    Init(u16),
    /// Sends `topology` to this node.
    Topology(u16),
    /// Serves this worker thread.
    Worker(usize),
}

/// The one request a client waits for.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub(crate) msg_id: u64,
    /// The operation, for worker clients (setup requests are not operations).
    pub(crate) op: Option<PendingOp>,
}

/// A worker's outstanding operation.
#[derive(Clone, Debug)]
pub(crate) struct PendingOp {
    pub(crate) f: OpF,
    /// The invocation's value (kept by failed and indeterminate completions).
    pub(crate) value: OpValue,
    pub(crate) final_read: bool,
}

#[derive(Debug)]
pub(crate) struct Client {
    pub(crate) role: Role,
    pub(crate) open: bool,
    last_msg_id: u64,
    pub(crate) pending: Option<Pending>,
}

impl Client {
    /// The next `msg_id`: 1, 2, 3 … per client.
    pub(crate) fn next_msg_id(&mut self) -> u64 {
        self.last_msg_id += 1;
        self.last_msg_id
    }
}

/// Every client ever opened, indexed by its number.
#[derive(Debug, Default)]
pub(crate) struct Clients {
    list: Vec<Client>,
}

impl Clients {
    /// Opens a new client and returns its number.
    pub(crate) fn open(&mut self, role: Role) -> u32 {
        self.list.push(Client {
            role,
            open: true,
            last_msg_id: 0,
            pending: None,
        });
        (self.list.len() - 1) as u32
    }

    /// Removes client `c` from the network; messages to it are rejected from now on.
    pub(crate) fn close(&mut self, c: u32) {
        if let Some(client) = self.list.get_mut(c as usize) {
            client.open = false;
            client.pending = None;
        }
    }

    /// Closes every client.
    pub(crate) fn close_all(&mut self) {
        for c in &mut self.list {
            c.open = false;
            c.pending = None;
        }
    }

    /// Whether client `c` currently exists on the network.
    pub(crate) fn exists(&self, c: u32) -> bool {
        self.list.get(c as usize).is_some_and(|c| c.open)
    }

    pub(crate) fn get_mut(&mut self, c: u32) -> &mut Client {
        &mut self.list[c as usize]
    }

    /// How many clients were ever opened.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

/// A Jepsen worker thread: a process number, a client, and whether it is busy.
#[derive(Debug)]
pub(crate) struct Worker {
    /// Jepsen's process: the thread number, plus the concurrency after each `:info`.
    pub(crate) process: u64,
    /// The client it talks through, once opened.
    pub(crate) client: Option<u32>,
    /// The client must be replaced before the next operation.
    pub(crate) replace_client: bool,
    /// An operation is outstanding.
    pub(crate) busy: bool,
}

impl Worker {
    pub(crate) fn new(thread: usize) -> Worker {
        Worker {
            process: thread as u64,
            client: None,
            replace_client: false,
            busy: false,
        }
    }
}
