//! The message journal and Maelstrom's net statistics (`:net`).
//!
//! Every accepted message is journaled once as a send, when Maelstrom reads it and before any
//! partition or loss decision, and once per delivery as a receive. Messages with a client at
//! either end form the `clients` group, all others the `servers` group. Messages-per-op divides
//! the distinct message count by the number of client invocations.

use std::io::Write;

use crate::world::endpoint::Endpoint;
use glomers::time::Time;

/// Counts of one group of messages.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GroupStats {
    /// Messages sent.
    pub send_count: u64,
    /// Messages delivered.
    pub recv_count: u64,
    /// Distinct messages (by Maelstrom's message id) sent or delivered.
    pub msg_count: u64,
    /// `msg_count / op_count` as a 32-bit float, for `all` and `servers` when any client
    /// operation was invoked; `None` for `clients` and for runs with no operation.
    pub msgs_per_op: Option<f32>,
}

/// Maelstrom's `:net` result.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NetStats {
    /// Every message.
    pub all: GroupStats,
    /// Messages with a client at either end.
    pub clients: GroupStats,
    /// Node↔node messages.
    pub servers: GroupStats,
}

/// The journal of one run: counts, server sends per second, and optionally a trace.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    clients: GroupStats,
    servers: GroupStats,
    server_sends_per_second: Vec<u64>,
    trace: Option<Vec<u8>>,
    closed: bool,
}

impl Journal {
    /// An open journal; with `trace`, every event is also written as a line of text.
    pub fn new(trace: bool) -> Journal {
        Journal {
            trace: trace.then(Vec::new),
            ..Journal::default()
        }
    }

    fn group(&mut self, from: Endpoint, to: Endpoint) -> &mut GroupStats {
        if from.is_client() || to.is_client() {
            &mut self.clients
        } else {
            &mut self.servers
        }
    }

    /// Records message `id` sent at `now` (µs since the run started). Each id must be sent
    /// once; a duplicated delivery is a second [`Journal::recv`] of the same id.
    pub fn send(&mut self, now: Time, id: u64, from: Endpoint, to: Endpoint, line: &[u8]) {
        if self.closed {
            return;
        }
        let g = self.group(from, to);
        g.send_count += 1;
        g.msg_count += 1;
        if !from.is_client() && !to.is_client() {
            let second = (now.as_micros() / 1_000_000) as usize;
            if self.server_sends_per_second.len() <= second {
                self.server_sends_per_second.resize(second + 1, 0);
            }
            self.server_sends_per_second[second] += 1;
        }
        self.trace_line(now, "send", id, from, to, line);
    }

    /// Records the delivery of message `id` at `now`.
    pub fn recv(&mut self, now: Time, id: u64, from: Endpoint, to: Endpoint, line: &[u8]) {
        if self.closed {
            return;
        }
        self.group(from, to).recv_count += 1;
        self.trace_line(now, "recv", id, from, to, line);
    }

    fn trace_line(
        &mut self,
        now: Time,
        what: &str,
        id: u64,
        from: Endpoint,
        to: Endpoint,
        line: &[u8],
    ) {
        if let Some(out) = &mut self.trace {
            let _ = write!(out, "{} {what} {id} {from} {to} ", now.as_micros());
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }

    /// Stops recording (Maelstrom closes the journal at teardown).
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// The net statistics, given the number of client invocations.
    pub fn stats(&self, op_count: u64) -> NetStats {
        let per_op = |g: &GroupStats| (op_count > 0).then(|| g.msg_count as f32 / op_count as f32);
        let mut all = GroupStats {
            send_count: self.clients.send_count + self.servers.send_count,
            recv_count: self.clients.recv_count + self.servers.recv_count,
            msg_count: self.clients.msg_count + self.servers.msg_count,
            msgs_per_op: None,
        };
        all.msgs_per_op = per_op(&all);
        let mut servers = self.servers;
        servers.msgs_per_op = per_op(&servers);
        NetStats {
            all,
            clients: self.clients,
            servers,
        }
    }

    /// Node↔node messages sent during each second of the run (index = whole seconds since
    /// the run started).
    pub fn server_sends_per_second(&self) -> &[u64] {
        &self.server_sends_per_second
    }

    /// The trace, if one was asked for: one line per event,
    /// `<µs> <send|recv> <id> <from> <to> <line>`.
    pub fn trace(&self) -> Option<&[u8]> {
        self.trace.as_deref()
    }

    /// Takes the trace out of the journal.
    pub fn take_trace(&mut self) -> Option<Vec<u8>> {
        self.trace.take()
    }
}
