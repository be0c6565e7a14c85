//! The kill and pause nemesis acting on the cluster ([`Crashes`]): `--nemesis kill` and
//! `--nemesis pause`, scheduled by [`crate::world::db_nemesis`] (Jepsen's `db-package`, which
//! Maelstrom's nemesis composes). A kill ends the node's process with the lines it had been
//! given but not read; what is sent to it meanwhile piles up in its queue. A start sends
//! `init` again, which the node reads before everything that piled up (the kill nemesis of
//! Maelstrom's release that added it); the drivers learn of both through [`NodeChange`]s. A
//! pause holds the node's lines and timers (the extra faults' pause, until the nemesis
//! resumes it). Every step is recorded as Jepsen records it.

use std::collections::VecDeque;

use crate::config::SimConfig;
use crate::drive::clients::{ClientSide, Role, ns};
use crate::drive::events::Event;
use crate::drive::faults::Faults;
use crate::drive::protocol::{self, Request};
use crate::drive::wire::Wire;
use crate::history::{History, OpF, OpType, OpValue, Process};
use crate::world::db_nemesis::{DbNemesis, DbOp};
use crate::world::rng::{self, Stream};
use glomers::time::Time;

/// A node the kill nemesis killed or started again: the driver must act on it before it
/// writes any delivery polled after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeChange {
    /// Kill the node (SIGKILL; in process: drop the instance, its timers and its output).
    Killed(u16),
    /// Start the node afresh (a new process with the same node id and working directory; in
    /// process: a new instance given its disk). Its `init` follows as a delivery.
    Restarted(u16),
}

/// A span of time a node was down or paused by the nemesis, for the pictures of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    /// The node.
    pub node: u16,
    /// Killed (else paused).
    pub killed: bool,
    /// When it began, µs since the run started.
    pub from: Time,
    /// When it ended (`None`: at the end of the run).
    pub until: Option<Time>,
}

/// What the parts the nemesis acts on lend it for one step.
pub(crate) struct Cluster<'a> {
    pub(crate) wire: &'a mut Wire,
    pub(crate) faults: &'a mut Faults,
    pub(crate) clients: &'a mut ClientSide,
    pub(crate) history: &'a mut History,
}

/// The kill and pause nemesis, the nodes that are down, and what happened.
#[derive(Debug)]
pub(crate) struct Crashes {
    nemesis: Option<DbNemesis>,
    /// The nemesis will do nothing more before the time limit (or there is none).
    exhausted: bool,
    kill: bool,
    pause: bool,
    down: Vec<bool>,
    changes: VecDeque<NodeChange>,
    outages: Vec<Outage>,
}

impl Crashes {
    /// The nemesis `cfg` asks for, nothing done yet.
    pub(crate) fn new(cfg: &SimConfig) -> Crashes {
        let nemesis = (cfg.kill || cfg.pause).then(|| {
            DbNemesis::new(
                rng::stream(cfg.seed, Stream::DbNemesis),
                cfg.nemesis_interval,
                cfg.kill,
                cfg.pause,
            )
        });
        Crashes {
            exhausted: nemesis.is_none(),
            nemesis,
            kill: cfg.kill,
            pause: cfg.pause,
            down: vec![false; usize::from(cfg.node_count)],
            changes: VecDeque::new(),
            outages: Vec::new(),
        }
    }

    /// Whether the nemesis will do nothing more before the time limit.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Whether `node` is down.
    pub(crate) fn is_down(&self, node: u16) -> bool {
        self.down[usize::from(node)]
    }

    /// The next kill or restart the driver has not acted on.
    pub(crate) fn poll_change(&mut self) -> Option<NodeChange> {
        self.changes.pop_front()
    }

    /// Every kill and nemesis pause so far.
    pub(crate) fn take_outages(&mut self) -> Vec<Outage> {
        std::mem::take(&mut self.outages)
    }

    /// The main phase starts: the first operation comes after one gap (`gen/stagger`).
    pub(crate) fn start(&mut self, wire: &mut Wire) {
        if let Some(nemesis) = self.nemesis.as_mut() {
            let at = wire.now + nemesis.gap();
            wire.schedule(at, Event::DbNemesis);
        }
    }

    /// The nemesis's operation is due: applied, recorded, the next scheduled unless it falls
    /// at or after `deadline`. Returns whether it is now exhausted.
    pub(crate) fn on_nemesis(&mut self, mut c: Cluster<'_>, deadline: Time) -> bool {
        if self.exhausted {
            return false;
        }
        let n = self.down.len() as u16;
        let Some(nemesis) = self.nemesis.as_mut() else {
            return false;
        };
        let op = nemesis.next_op();
        let targets = match op {
            DbOp::Kill(spec) | DbOp::Pause(spec) => nemesis.pick(spec, n),
            DbOp::Start | DbOp::Resume => (0..n).collect(),
        };
        let next = c.wire.now + nemesis.gap();
        self.apply(&mut c, op, &targets);
        if next >= deadline {
            self.exhausted = true;
            return true;
        }
        c.wire.schedule(next, Event::DbNemesis);
        false
    }

    /// The final generator of Jepsen's `db-package`: every node resumed and started, before
    /// the workload's final operations.
    pub(crate) fn finish(&mut self, mut c: Cluster<'_>) {
        if self.nemesis.is_none() {
            return;
        }
        let all: Vec<u16> = (0..self.down.len() as u16).collect();
        if self.pause {
            self.apply(&mut c, DbOp::Resume, &all);
        }
        if self.kill {
            self.apply(&mut c, DbOp::Start, &all);
        }
    }

    /// Applies `op` to `targets` and records it: an `:info` invocation with the node spec,
    /// an `:info` completion mapping each target to what happened to it.
    fn apply(&mut self, c: &mut Cluster<'_>, op: DbOp, targets: &[u16]) {
        let now = c.wire.now;
        let mut result = Vec::new();
        for &node in targets {
            let down = self.down[usize::from(node)];
            let outcome = match op {
                DbOp::Kill(_) if down => "already-dead",
                DbOp::Kill(_) => {
                    self.kill(c, node);
                    "killed"
                }
                DbOp::Start if !down => "already-running",
                DbOp::Start => {
                    self.restart(c, node);
                    "started"
                }
                DbOp::Pause(_) if down => "not-running",
                DbOp::Pause(_) => {
                    if c.faults.pause_until_resumed(c.wire, node) {
                        self.open(node, false, now);
                    }
                    "paused"
                }
                DbOp::Resume if c.faults.paused_until(node).is_none() => "not-paused",
                DbOp::Resume => {
                    c.faults.resume(c.wire, node);
                    self.close(node, now);
                    "resumed"
                }
            };
            result.push(format!("{} :{outcome}", c.wire.names()[usize::from(node)]));
        }
        let spec = match op {
            DbOp::Kill(s) | DbOp::Pause(s) => s.name(),
            DbOp::Start | DbOp::Resume => "all",
        };
        let f = match op {
            DbOp::Kill(_) => OpF::KILL,
            DbOp::Start => OpF::START,
            DbOp::Pause(_) => OpF::PAUSE,
            DbOp::Resume => OpF::RESUME,
        };
        let (t, p) = (ns(now), Process::Nemesis);
        let result = format!("{{{}}}", result.join(", "));
        let history = &mut *c.history;
        history.complete(t, p, OpType::Info, f, OpValue::Text(spec.into()), None);
        history.complete(t, p, OpType::Info, f, OpValue::Text(result), None);
    }

    /// Kills `node`: its process is gone with the lines it had been given but not read
    /// (a request it read and had not answered is lost); its queue stays and fills.
    fn kill(&mut self, c: &mut Cluster<'_>, node: u16) {
        let now = c.wire.now;
        self.down[usize::from(node)] = true;
        if c.faults.forget(node) {
            self.close(node, now);
        }
        let unread = c.wire.drop_deliveries(node);
        c.wire.net.fault_counts.killed_drops += unread as u64;
        c.wire.net.fault_counts.kills += 1;
        c.wire.net.kill(node);
        self.changes.push_back(NodeChange::Killed(node));
        self.open(node, true, now);
    }

    /// Starts `node` again (a fresh process, then `init` as `db.clj`'s `setup!` sends it,
    /// from a fresh client): the `init` goes ahead of what piled up in its queue.
    fn restart(&mut self, c: &mut Cluster<'_>, node: u16) {
        self.down[usize::from(node)] = false;
        self.close(node, c.wire.now);
        c.wire.net.restart(node);
        self.changes.push_back(NodeChange::Restarted(node));
        let names = c.wire.names().to_vec();
        let request = Request::Init {
            node_id: &names[usize::from(node)],
            node_ids: &names,
        };
        let body = |id| protocol::request_body(&request, id);
        c.clients
            .setup_request(c.wire, Role::Init(node), node, body);
    }

    fn open(&mut self, node: u16, killed: bool, from: Time) {
        self.outages.push(Outage {
            node,
            killed,
            from,
            until: None,
        });
    }

    /// Ends `node`'s open outage at `at`.
    fn close(&mut self, node: u16, at: Time) {
        if let Some(o) = self
            .outages
            .iter_mut()
            .rev()
            .find(|o| o.node == node && o.until.is_none())
        {
            o.until = Some(at);
        }
    }
}
