//! The only asynchronous code: reads stdin, feeds the node, writes stdout, wakes the node at
//! its deadlines. Also the only place that reads a clock.
//!
//! A reader thread hands stdin over in chunks; every complete line of a chunk is decoded in
//! place and handled, each reply encoded into one buffer, and the buffer written to stdout with
//! a single write and flush per chunk. Time given to the node is wall-clock time (microseconds
//! since the Unix epoch) made monotonic, so all nodes of a cluster agree on round boundaries.
//!
//! The node's log ([`LogFile`]: `glomers-<node id>.log` in the log directory, by default the
//! working directory, where Maelstrom starts every node) is committed once per chunk, before
//! the chunk's replies are written: one `write(2)` (and, in `sync` mode, one `fdatasync`) per
//! batch of input, whatever it holds (see [`crate::storage`]).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use crate::config::NodeConfig;
use crate::node::Notice;
use crate::step::{Driven, Feed};
use crate::time::Time;
use crate::wire::INPUT_PADDING;

/// Bytes read from stdin at a time.
const CHUNK: usize = 64 * 1024;

/// Runs a node on stdin/stdout until stdin closes, then writes whatever replies are owed and
/// returns. The node logs to `glomers-<node id>.log` in `log_dir` unless the configuration's
/// durability mode is `off`.
pub fn run(config: NodeConfig, log_dir: &Path) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let node = Driven::with_storage(config, Box::new(LogFile::new(log_dir)));
    runtime.block_on(serve(node))
}

/// Wall-clock time, read once per batch of input, never going backwards.
struct Clock {
    origin: Instant,
    origin_micros: u64,
}

impl Clock {
    #[allow(
        clippy::disallowed_methods,
        reason = "the runtime is the one place that reads the clock"
    )]
    fn new() -> Clock {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Clock {
            origin: Instant::now(),
            origin_micros: u64::try_from(since_epoch.as_micros()).unwrap_or(0),
        }
    }

    fn now(&self) -> Time {
        let elapsed = u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX);
        Time::from_micros(self.origin_micros.saturating_add(elapsed))
    }

    fn instant_of(&self, t: Time) -> tokio::time::Instant {
        let offset = t.as_micros().saturating_sub(self.origin_micros);
        (self.origin + Duration::from_micros(offset)).into()
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "the runtime is the one place that starts the stdin thread and writes stdout"
)]
async fn serve(mut node: Driven) -> io::Result<()> {
    let (tx, mut rx) = mpsc::channel::<(Vec<u8>, usize)>(16);
    // Read buffers go back to the reader once their bytes are copied, so that it neither
    // allocates nor zeroes 64 KiB per read.
    let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || read_stdin(tx, spare_rx))?;
    let clock = Clock::new();
    let mut lines = LineBuffer::default();
    let mut out = Vec::with_capacity(CHUNK);
    let mut stdout = io::stdout().lock();
    let mut deadline = None;
    loop {
        let wake = deadline.map(|t| clock.instant_of(t));
        tokio::select! {
            chunk = rx.recv() => {
                let now = clock.now();
                let eof = chunk.is_none();
                match chunk {
                    Some((chunk, len)) => {
                        lines.push(&chunk[..len]);
                        // The reader may have stopped already; then the buffer is just freed.
                        let _ = spare_tx.send(chunk);
                    }
                    None => lines.finish(),
                }
                lines.for_each_line(|buf, len| {
                    deadline = node.step(now, Feed::Line { buf, len }, &mut out, log);
                });
                node.commit()?;
                write_out(&mut stdout, &mut out)?;
                if eof {
                    return Ok(());
                }
            }
            () = sleep_until(wake) => {
                deadline = node.step(clock.now(), Feed::Timeout, &mut out, log);
                node.commit()?;
                write_out(&mut stdout, &mut out)?;
            }
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Sends stdin over in chunks of up to [`CHUNK`] bytes: `(buffer, bytes read into it)`.
#[allow(
    clippy::disallowed_methods,
    reason = "the runtime is the one place that reads stdin"
)]
fn read_stdin(tx: mpsc::Sender<(Vec<u8>, usize)>, spare: std::sync::mpsc::Receiver<Vec<u8>>) {
    let mut stdin = io::stdin().lock();
    loop {
        let mut chunk = spare.try_recv().unwrap_or_else(|_| vec![0; CHUNK]);
        match stdin.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => {
                if tx.blocking_send((chunk, n)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::error!("reading stdin: {e}");
                return;
            }
        }
    }
}

/// Logs a node's notice on stderr.
fn log(notice: Notice) {
    match notice {
        Notice::Dropped(why) => tracing::warn!("dropped: {why}"),
        Notice::Warning(what) => tracing::warn!("{what}"),
        Notice::Timing(what) => tracing::info!("{what}"),
        Notice::Recovered {
            incarnation,
            items,
            unreadable,
        } => {
            tracing::info!(
                "recovered {items} items from the log: incarnation {incarnation} ({unreadable} unreadable lines)"
            );
        }
        Notice::Initialised { node_id, nodes } => {
            tracing::info!("initialised as {node_id} of {nodes} nodes");
        }
    }
}

fn write_out(stdout: &mut impl Write, out: &mut Vec<u8>) -> io::Result<()> {
    if !out.is_empty() {
        stdout.write_all(out)?;
        stdout.flush()?;
        out.clear();
    }
    Ok(())
}

/// A node's log file, `glomers-<node id>.log` in a directory.
///
/// Its first line names the run that wrote it: the node's parent process (Maelstrom's JVM,
/// the simulator) by pid and start time, or `$GLOMERS_RUN` when set. A node restarted by the
/// same parent reads the log back; a node of a later run (Maelstrom starts every run's nodes
/// in the same temporary directory) finds another run's name and starts a new log.
#[derive(Debug)]
pub struct LogFile {
    dir: PathBuf,
    run: String,
    path: Option<PathBuf>,
    file: Option<File>,
}

impl LogFile {
    /// Logs in `dir`.
    pub fn new(dir: &Path) -> LogFile {
        LogFile {
            dir: dir.to_path_buf(),
            run: run_name(),
            path: None,
            file: None,
        }
    }

    fn header(&self) -> Vec<u8> {
        let mut header = b"{\"run\":".to_vec();
        crate::wire::write_str(&mut header, &self.run);
        header.extend_from_slice(b"}\n");
        header
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the log is not open"))
    }
}

/// The run this process belongs to (see [`LogFile`]).
#[allow(
    clippy::disallowed_methods,
    reason = "the runtime is the one place that reads its environment"
)]
fn run_name() -> String {
    if let Ok(run) = std::env::var("GLOMERS_RUN") {
        return run;
    }
    let parent = std::os::unix::process::parent_id();
    // The parent's start time (field 22 of /proc/<pid>/stat, after the parenthesised name)
    // tells a reused pid apart.
    let started = std::fs::read_to_string(format!("/proc/{parent}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = &stat[stat.rfind(')')? + 1..];
            rest.split_whitespace().nth(19).map(str::to_string)
        })
        .unwrap_or_default();
    format!("{parent}:{started}")
}

impl crate::storage::Storage for LogFile {
    fn open(&mut self, node_id: &str) -> io::Result<Vec<u8>> {
        let name: String = node_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("glomers-{name}.log"));
        let header = self.header();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let mut log = Vec::new();
        if bytes.starts_with(&header) {
            // Without a torn last line: what follows it must start on a line of its own.
            let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            log = bytes[header.len()..whole.max(header.len())].to_vec();
            file.set_len(whole.max(header.len()) as u64)?;
        } else {
            file.set_len(0)?;
            file.write_all(&header)?;
        }
        drop(file);
        self.file = Some(OpenOptions::new().append(true).open(&path)?);
        self.path = Some(path);
        Ok(log)
    }

    fn append(&mut self, records: &[u8], sync: bool) -> io::Result<()> {
        let file = self.file()?;
        file.write_all(records)?;
        if sync {
            file.sync_data()?;
        }
        Ok(())
    }

    fn replace(&mut self, snapshot: &[u8], sync: bool) -> io::Result<()> {
        let path = self
            .path
            .clone()
            .ok_or_else(|| io::Error::other("the log is not open"))?;
        let tmp = path.with_extension("log.new");
        let mut file = File::create(&tmp)?;
        file.write_all(&self.header())?;
        file.write_all(snapshot)?;
        if sync {
            file.sync_all()?;
        }
        drop(file);
        std::fs::rename(&tmp, &path)?;
        if sync {
            File::open(&self.dir)?.sync_all()?;
        }
        self.file = Some(OpenOptions::new().append(true).open(&path)?);
        Ok(())
    }
}

/// Input bytes split into lines, each handed out with padding after it for in-place decoding.
#[derive(Default)]
struct LineBuffer {
    buf: Vec<u8>,
    /// Bytes of `buf` that are input (the rest is padding).
    filled: usize,
    /// Input ended: the last line needs no `\n`.
    finished: bool,
}

impl LineBuffer {
    fn push(&mut self, bytes: &[u8]) {
        self.buf.truncate(self.filled);
        self.buf.extend_from_slice(bytes);
        self.filled = self.buf.len();
    }

    fn finish(&mut self) {
        self.finished = true;
    }

    /// Calls `f(line_and_following_bytes, line_len)` for every complete line, then keeps the
    /// incomplete rest for the next chunk.
    fn for_each_line(&mut self, mut f: impl FnMut(&mut [u8], usize)) {
        self.buf.truncate(self.filled);
        self.buf.resize(self.filled + INPUT_PADDING, b' ');
        let mut start = 0;
        while start < self.filled {
            let end = match memchr_newline(&self.buf[start..self.filled]) {
                Some(i) => start + i,
                None if self.finished => self.filled,
                None => break,
            };
            f(&mut self.buf[start..], end - start);
            start = end + 1;
        }
        let start = start.min(self.filled);
        self.buf.copy_within(start..self.filled, 0);
        self.filled -= start;
        self.buf.truncate(self.filled);
    }
}

/// The first `\n` (SIMD search: a byte-by-byte scan was 5 % of the runtime's cycles on
/// short lines).
fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(chunks: &[&str], finish: bool) -> (Vec<String>, usize) {
        let mut lb = LineBuffer::default();
        let mut seen = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            lb.push(c.as_bytes());
            if finish && i + 1 == chunks.len() {
                lb.finish();
            }
            lb.for_each_line(|buf, len| {
                assert!(buf.len() >= len + INPUT_PADDING);
                seen.push(String::from_utf8_lossy(&buf[..len]).into_owned());
            });
        }
        (seen, lb.filled)
    }

    #[test]
    fn splits_lines_across_chunks_and_keeps_the_rest() {
        let (seen, rest) = lines_of(&["{\"a\":1}\n{\"b\"", ":2}\n{\"c\""], false);
        assert_eq!(seen, vec!["{\"a\":1}", "{\"b\":2}"]);
        assert_eq!(rest, 4);
    }

    #[test]
    fn the_log_file_keeps_whole_lines_of_its_own_run_only() {
        use crate::storage::Storage;
        let dir = std::env::temp_dir().join(format!("glomers-logfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mut log = LogFile::new(&dir);
        assert_eq!(log.open("n0").expect("open"), b"");
        log.append(b"{\"body\":{\"incarnation\":0}}\n", false)
            .expect("append");
        log.append(b"{\"body\":{\"workl", true)
            .expect("a torn write");
        let mut again = LogFile::new(&dir);
        assert_eq!(
            again.open("n0").expect("open"),
            b"{\"body\":{\"incarnation\":0}}\n"
        );
        again.append(b"b\n", false).expect("append");
        again.replace(b"snapshot\n", true).expect("replace");
        again.append(b"c\n", false).expect("append");
        assert_eq!(
            LogFile::new(&dir).open("n0").expect("open"),
            b"snapshot\nc\n"
        );
        let mut other_run = LogFile::new(&dir);
        other_run.run = "another run".to_string();
        assert_eq!(
            other_run.open("n0").expect("open"),
            b"",
            "another run's log"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_last_line_without_newline_counts_at_end_of_input() {
        let (seen, rest) = lines_of(&["x\ny"], true);
        assert_eq!(seen, vec!["x", "y"]);
        assert_eq!(rest, 0);
    }
}
