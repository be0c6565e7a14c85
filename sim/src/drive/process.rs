//! The real-time driver: any Maelstrom node binary, one process per node, driving the same
//! [`Cluster`] core as the in-process driver, on the wall clock.
//!
//! Every node is spawned as Maelstrom does (see the `node_process` module); then the clock starts
//! and the core sends `init`. One loop sleeps until the core's next event or until a node
//! prints a line, hands lines to [`Cluster::on_node_line`] stamped with the time their `\n`
//! arrived, runs [`Cluster::advance`] and queues every delivery for the node's stdin. Times in
//! the history and the journal are real µs since the start, the same units as virtual time, so
//! the checkers and statistics are shared.
//!
//! The kill nemesis SIGKILLs a node's process and later starts a fresh one with the same node
//! id, arguments and working directory, to which the core sends `init` again; lines the
//! killed process printed are dropped. The pause nemesis SIGSTOPs and SIGCONTs it.
//!
//! A node that exits by itself aborts the test, as in Maelstrom ("Node n3 crashed with exit
//! status 3"), with the last lines of its stderr; at teardown every node is SIGKILLed.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::SimError;
use crate::config::SimConfig;
use crate::drive::cluster::{Cluster, NodeChange};
use crate::drive::node_process::{self, Clock, NodeEvent, NodeProcess};
use crate::report::Report;
use glomers::time::Time;

/// Longest sleep of the loop, so that exits and progress are noticed while nothing happens.
const MAX_SLEEP: Duration = Duration::from_millis(50);
/// How often the progress callback runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// How long a crash report waits for the node's last stderr lines.
const STDERR_PATIENCE: Duration = Duration::from_millis(500);

/// Where a real-time run is, for a progress display.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The core's phase ([`Cluster::phase_name`]).
    pub phase: &'static str,
    /// Time since the run started.
    pub elapsed: Duration,
    /// When the run should end (the time limit, plus the recovery period for broadcast),
    /// once the main phase has started.
    pub expected: Option<Duration>,
    /// Client operations invoked so far.
    pub ops: u64,
}

/// Options of a process-mode run beyond the [`SimConfig`].
#[derive(Default)]
pub struct ProcessOptions<'a> {
    /// Directory for `<node>.log` files with each node's stderr; none: stderr is only kept
    /// for crash reports.
    pub log_dir: Option<PathBuf>,
    /// Called about every 100 ms with the run's progress.
    pub on_progress: Option<&'a mut dyn FnMut(&Progress)>,
    /// Also copy every line a node prints on stderr to the console (our stderr), prefixed
    /// with the node's id, as Maelstrom's `--log-stderr` does.
    pub log_stderr: bool,
}

impl std::fmt::Debug for ProcessOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessOptions")
            .field("log_dir", &self.log_dir)
            .field("on_progress", &self.on_progress.is_some())
            .field("log_stderr", &self.log_stderr)
            .finish()
    }
}

/// Runs `cfg` with one `bin args` process per node, in real time.
pub fn run(
    cfg: &SimConfig,
    bin: &Path,
    args: &[String],
    mut options: ProcessOptions<'_>,
) -> Result<Report, SimError> {
    cfg.validate().map_err(SimError::Config)?;
    let bin = std::path::absolute(bin)
        .map_err(|e| SimError::Config(format!("{}: {e}", bin.display())))?;
    let dir = node_process::RunDir::new()
        .map_err(|e| SimError::Config(format!("cannot make the nodes' directory: {e}")))?;
    let mut children = Vec::with_capacity(usize::from(cfg.node_count));
    for node in 0..cfg.node_count {
        match node_process::spawn(&bin, args, dir.path()) {
            Ok(child) => children.push(child),
            Err(e) => {
                for mut c in children {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                let what = format!("cannot start n{node} as {}: {e}", bin.display());
                return Err(SimError::Config(what));
            }
        }
    }
    let clock = Clock::start();
    let (events_tx, events) = mpsc::channel();
    let mut nodes = Vec::with_capacity(children.len());
    for (node, child) in (0..).zip(children) {
        let log = options
            .log_dir
            .as_ref()
            .and_then(|dir| File::create(dir.join(format!("n{node}.log"))).ok());
        nodes.push(NodeProcess::start(
            node,
            0,
            child,
            clock,
            events_tx.clone(),
            log,
            options.log_stderr,
        ));
    }
    let mut driver = Driver {
        cluster: Cluster::new(cfg)?,
        stopped: vec![false; nodes.len()],
        incarnations: vec![0; nodes.len()],
        bin,
        args: args.to_vec(),
        node_dir: dir.path().to_path_buf(),
        log_dir: options.log_dir.clone(),
        log_stderr: options.log_stderr,
        events_tx: events_tx.clone(),
        nodes,
        clock,
        check_exits: false,
        last_exit_check: Time::ZERO,
        last_progress: None,
    };
    let outcome = driver.run(&events, &mut options);
    for node in &mut driver.nodes {
        node.kill();
    }
    drop(events_tx);
    // Let the stderr copiers finish the log files (one shared deadline: a node whose
    // orphaned children keep its stderr open must not delay teardown once per node).
    let deadline = Instant::now() + STDERR_PATIENCE;
    for node in &driver.nodes {
        node.stderr_tail(deadline.saturating_duration_since(Instant::now()));
    }
    outcome?;
    driver.cluster.finish()
}

struct Driver {
    cluster: Cluster,
    nodes: Vec<NodeProcess>,
    /// Which nodes are stopped (SIGSTOP) for the pause fault.
    stopped: Vec<bool>,
    /// Each node's current process number (one more after each kill); lines a killed
    /// process printed are dropped.
    incarnations: Vec<u32>,
    /// What a restarted node runs, in which directory (the run's, where its durability log
    /// is), and where its stderr goes.
    bin: PathBuf,
    args: Vec<String>,
    node_dir: PathBuf,
    log_dir: Option<PathBuf>,
    log_stderr: bool,
    events_tx: mpsc::Sender<NodeEvent>,
    clock: Clock,
    /// A stdout closed: look for exited nodes now.
    check_exits: bool,
    last_exit_check: Time,
    last_progress: Option<Time>,
}

impl Driver {
    /// Runs until the core is done; an error if a node exited by itself.
    fn run(
        &mut self,
        events: &mpsc::Receiver<NodeEvent>,
        options: &mut ProcessOptions<'_>,
    ) -> Result<(), SimError> {
        loop {
            let now = self.clock.now();
            self.cluster.advance(now);
            while let Some(change) = self.cluster.poll_node_change() {
                self.change(change, now)?;
            }
            self.apply_pauses(now)?;
            while let Some(d) = self.cluster.poll_delivery() {
                self.nodes[usize::from(d.node)].deliver(d.line);
            }
            if self.cluster.is_done() {
                // Maelstrom's teardown: a node that is already gone fails the test.
                return match self.crashed() {
                    Some(reason) => Err(SimError::Aborted { at: now, reason }),
                    None => Ok(()),
                };
            }
            if self.check_exits || now.saturating_since(self.last_exit_check) >= MAX_SLEEP {
                self.check_exits = false;
                self.last_exit_check = now;
                if let Some(reason) = self.crashed() {
                    // The core's finish() reports the abort with this reason.
                    self.cluster.abort(reason);
                    return Ok(());
                }
            }
            self.progress(now, options);
            let sleep = self
                .cluster
                .next_event_time()
                .map_or(MAX_SLEEP, |t| self.clock.until(t).min(MAX_SLEEP));
            match events.recv_timeout(sleep) {
                Ok(event) => {
                    self.handle(event);
                    while let Ok(event) = events.try_recv() {
                        self.handle(event);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            }
        }
    }

    /// Stops the nodes the core has paused and continues those it resumed, so a paused node
    /// also stops its own timers and output, as under SIGSTOP in a real cluster.
    fn apply_pauses(&mut self, now: Time) -> Result<(), SimError> {
        for (i, node) in self.nodes.iter().enumerate() {
            let paused = self
                .cluster
                .paused_until(i as u16)
                .is_some_and(|until| until > now);
            if paused != self.stopped[i] {
                node.pause(paused).map_err(|e| SimError::Aborted {
                    at: now,
                    reason: format!(
                        "cannot {} n{i}: {e}",
                        if paused { "stop" } else { "continue" }
                    ),
                })?;
                self.stopped[i] = paused;
            }
        }
        Ok(())
    }

    /// Kills a node's process (SIGKILL; Maelstrom's `stop-node!` destroys it forcibly) or
    /// starts a fresh one with the same node id, binary, arguments and working directory
    /// (`start-node!`); the core then sends it `init`. Its stderr log continues.
    fn change(&mut self, change: NodeChange, now: Time) -> Result<(), SimError> {
        match change {
            NodeChange::Killed(node) => {
                let i = usize::from(node);
                self.nodes[i].kill();
                self.stopped[i] = false;
            }
            NodeChange::Restarted(node) => {
                let i = usize::from(node);
                let child =
                    node_process::spawn(&self.bin, &self.args, &self.node_dir).map_err(|e| {
                        SimError::Aborted {
                            at: now,
                            reason: format!("cannot restart n{node}: {e}"),
                        }
                    })?;
                let log = self.log_dir.as_ref().and_then(|dir| {
                    std::fs::OpenOptions::new()
                        .append(true)
                        .create(true)
                        .open(dir.join(format!("n{node}.log")))
                        .ok()
                });
                self.incarnations[i] += 1;
                let events = self.events_tx.clone();
                let (clock, echo) = (self.clock, self.log_stderr);
                let incarnation = self.incarnations[i];
                let fresh = NodeProcess::start(node, incarnation, child, clock, events, log, echo);
                // The killed process was reaped at its kill.
                self.nodes[i] = fresh;
            }
        }
        Ok(())
    }

    fn handle(&mut self, event: NodeEvent) {
        match event {
            NodeEvent::Line {
                node,
                incarnation,
                at,
                line,
            } => {
                if incarnation == self.incarnations[usize::from(node)] {
                    self.cluster.on_node_line(at, node, &line);
                }
            }
            NodeEvent::Closed => self.check_exits = true,
        }
    }

    /// The crash report of the first node found to have exited, if any.
    fn crashed(&mut self) -> Option<String> {
        let (node, status) = self
            .nodes
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| !self.cluster.is_down(*i as u16))
            .find_map(|(i, n)| n.exit_status().map(|s| (i, s)))?;
        let tail = self.nodes[node].stderr_tail(STDERR_PATIENCE);
        Some(crash_report(node, status, &tail))
    }

    fn progress(&mut self, now: Time, options: &mut ProcessOptions<'_>) {
        let Some(callback) = options.on_progress.as_mut() else {
            return;
        };
        if self
            .last_progress
            .is_some_and(|t| now.saturating_since(t) < PROGRESS_EVERY)
        {
            return;
        }
        self.last_progress = Some(now);
        let c = self.cluster.config();
        let recovery = if self.cluster.has_final_phase() {
            c.recovery
        } else {
            Duration::ZERO
        };
        let tail = c.time_limit + recovery;
        let since_start = |t: Time| Duration::from_micros(t.as_micros());
        callback(&Progress {
            phase: self.cluster.phase_name(),
            elapsed: since_start(now),
            expected: self.cluster.main_start().map(|t| since_start(t) + tail),
            ops: self.cluster.ops_invoked(),
        });
    }
}

/// Maelstrom's words for a node that exited by itself, with its last stderr lines.
fn crash_report(node: usize, status: ExitStatus, stderr: &[String]) -> String {
    let status = match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    };
    let mut text = format!("Node n{node} crashed with {status}.");
    if stderr.is_empty() {
        text.push_str(" It wrote nothing to stderr.");
    } else {
        text.push_str(" Last lines of its stderr:");
        for line in stderr {
            text.push_str("\n    ");
            text.push_str(line);
        }
    }
    text
}
