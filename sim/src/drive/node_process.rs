//! One node binary run the way Maelstrom runs it (Maelstrom's `maelstrom/src/maelstrom/process.clj`): executed directly,
//! working directory the system temp dir, environment inherited, one JSON line per message on
//! stdin, stdout read line by line (a line counts when its `\n` arrives), stderr copied to a log
//! file with its last lines kept for crash reports.
//!
//! Each node gets three threads: a stdin writer fed by a channel (like Maelstrom's per-node
//! delivery thread, so a node that stops reading never blocks the driver), a stdout reader that
//! stamps every line with the driver's clock and hands it over a shared channel, and a stderr
//! copier.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use glomers::time::Time;

/// How many stderr lines a crash report shows (Maelstrom shows 32).
const TAIL_LINES: usize = 32;
/// Longest stderr line kept for a crash report, in bytes.
const TAIL_LINE_BYTES: usize = 300;

/// The driver's clock: real time since the run started, in the core's units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock(Instant);

impl Clock {
    /// A clock reading zero now.
    pub(crate) fn start() -> Clock {
        Clock(Instant::now())
    }

    /// Time since the start, to the µs.
    pub(crate) fn now(&self) -> Time {
        Time::from_micros(u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// How long until `t` (zero if it has passed).
    pub(crate) fn until(&self, t: Time) -> Duration {
        t.saturating_since(self.now())
    }
}

/// What a node's stdout reader reports.
#[derive(Debug)]
pub(crate) enum NodeEvent {
    /// Node `node`'s process number `incarnation` (0 at the start, one more after each kill)
    /// printed `line` (without its `\n`) at `at`.
    Line {
        node: u16,
        incarnation: u32,
        at: Time,
        line: Vec<u8>,
    },
    /// A node's stdout closed (it probably exited).
    Closed,
}

/// The last lines of a node's stderr, and whether the stream has ended.
#[derive(Debug, Default)]
struct Tail {
    lines: VecDeque<String>,
    closed: bool,
}

type SharedTail = Arc<(Mutex<Tail>, Condvar)>;

/// A running node process and its pipe threads.
#[derive(Debug)]
pub(crate) struct NodeProcess {
    child: Child,
    stdin: Option<Sender<Vec<u8>>>,
    tail: SharedTail,
    exited: Option<ExitStatus>,
}

/// The working directory of one run's nodes: a fresh directory under the temp directory (as
/// Maelstrom starts every node of a run in one directory), removed when dropped. Nodes keep
/// files there (the `glomers` node its log, `glomers-<id>.log`): a fresh one per run keeps a
/// later run, or a simulator running beside this one, from reading them.
#[derive(Debug)]
pub(crate) struct RunDir(PathBuf);

impl RunDir {
    pub(crate) fn new() -> io::Result<RunDir> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("glomers-sim-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(RunDir(dir))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `bin args` with piped stdin/stdout/stderr in directory `dir`.
///
/// A binary written just before (a test's script) can be briefly "busy" while another thread
/// of this process forks with the writer's descriptor still open; that is retried a few times.
pub(crate) fn spawn(bin: &Path, args: &[String], dir: &Path) -> io::Result<Child> {
    let mut attempts = 0;
    loop {
        let result = Command::new(bin)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        match result {
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy && attempts < 10 => {
                attempts += 1;
                thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl NodeProcess {
    /// Starts the pipe threads of node `node`'s process number `incarnation`: stdout lines go
    /// to `events` stamped by `clock`, stderr to `log` (if any).
    pub(crate) fn start(
        node: u16,
        incarnation: u32,
        mut child: Child,
        clock: Clock,
        events: Sender<NodeEvent>,
        log: Option<File>,
        echo: bool,
    ) -> NodeProcess {
        let name = format!("n{node}");
        let tail: SharedTail = Arc::default();
        let stdin = child.stdin.take().map(|pipe| {
            let (tx, rx) = mpsc::channel();
            spawn_thread(&name, "stdin", move || write_lines(pipe, &rx));
            tx
        });
        if let Some(stdout) = child.stdout.take() {
            spawn_thread(&name, "stdout", move || {
                read_lines(
                    (node, incarnation),
                    BufReader::with_capacity(1 << 16, stdout),
                    clock,
                    &events,
                );
            });
        }
        match child.stderr.take() {
            Some(stderr) => {
                let tail = Arc::clone(&tail);
                spawn_thread(&name, "stderr", move || {
                    copy_stderr(BufReader::new(stderr), log, &tail, echo.then_some(node));
                });
            }
            None => tail.0.lock().unwrap_or_else(|e| e.into_inner()).closed = true,
        }
        NodeProcess {
            child,
            stdin,
            tail,
            exited: None,
        }
    }

    /// Queues `line` (without `\n`) for the node's stdin.
    pub(crate) fn deliver(&self, mut line: Vec<u8>) {
        line.push(b'\n');
        if let Some(stdin) = &self.stdin {
            // A closed channel means the node's stdin broke: it has exited, which the exit
            // check reports.
            let _ = stdin.send(line);
        }
    }

    /// The node's exit status, if it has exited.
    pub(crate) fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// Stops (`pause` true: SIGSTOP) or continues (SIGCONT) the node, for the pause fault.
    /// Uses the system's `kill` command, which keeps this crate free of `unsafe` code; a
    /// failure is returned for the driver to report.
    pub(crate) fn pause(&self, pause: bool) -> io::Result<()> {
        let signal = if pause { "-STOP" } else { "-CONT" };
        let status = std::process::Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "kill {signal} exited with {status}"
            )))
        }
    }

    /// Force-kills the node (SIGKILL, as Maelstrom's teardown does) and reaps it.
    pub(crate) fn kill(&mut self) {
        self.stdin = None;
        if self.exit_status().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }

    /// Waits up to `patience` for the node's stderr to close, then returns its last lines.
    pub(crate) fn stderr_tail(&self, patience: Duration) -> Vec<String> {
        let (lock, closed) = &*self.tail;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = closed
            .wait_timeout_while(guard, patience, |t| !t.closed)
            .unwrap_or_else(|e| e.into_inner());
        guard.lines.iter().cloned().collect()
    }
}

fn spawn_thread(node: &str, what: &str, f: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .name(format!("{node}-{what}"))
        .spawn(f)
        .expect("a thread can be started");
}

/// Writes each queued line with one `write` call; stops when the queue closes or the pipe
/// breaks.
fn write_lines(mut pipe: ChildStdin, lines: &Receiver<Vec<u8>>) {
    for line in lines {
        if pipe.write_all(&line).and_then(|()| pipe.flush()).is_err() {
            return;
        }
    }
}

/// Hands every complete stdout line to the driver; an unterminated last line is dropped.
fn read_lines(
    (node, incarnation): (u16, u32),
    mut out: impl BufRead,
    clock: Clock,
    events: &Sender<NodeEvent>,
) {
    loop {
        let mut line = Vec::with_capacity(256);
        match out.read_until(b'\n', &mut line) {
            Ok(_) if line.last() == Some(&b'\n') => {
                line.pop();
                let at = clock.now();
                let event = NodeEvent::Line {
                    node,
                    incarnation,
                    at,
                    line,
                };
                if events.send(event).is_err() {
                    return;
                }
            }
            _ => break,
        }
    }
    let _ = events.send(NodeEvent::Closed);
}

/// Copies stderr to `log` line by line, keeping the last [`TAIL_LINES`] lines; with `echo`,
/// also prints each line on our stderr after the node's id.
fn copy_stderr(mut err: impl BufRead, mut log: Option<File>, tail: &SharedTail, echo: Option<u16>) {
    let mut line = Vec::new();
    loop {
        line.clear();
        match err.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if log
            .as_mut()
            .is_some_and(|file| file.write_all(&line).is_err())
        {
            log = None;
        }
        let mut text = String::from_utf8_lossy(&line).trim_end().to_string();
        if let Some(node) = echo {
            eprintln!("n{node} stderr: {text}");
        }
        if text.len() > TAIL_LINE_BYTES {
            let cut = (0..=TAIL_LINE_BYTES)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push('…');
        }
        let mut t = tail.0.lock().unwrap_or_else(|e| e.into_inner());
        if t.lines.len() == TAIL_LINES {
            t.lines.pop_front();
        }
        t.lines.push_back(text);
    }
    tail.0.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
    tail.1.notify_all();
}
