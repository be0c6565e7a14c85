//! The only asynchronous code: reads stdin, feeds the node, writes stdout, wakes the node at
//! its deadlines. Also the only place that reads a clock.
//!
//! A reader thread hands stdin over in chunks; every complete line of a chunk is decoded in
//! place and handled, each reply encoded into one buffer, and the buffer written to stdout with
//! a single write and flush per chunk. Time given to the node is wall-clock time (microseconds
//! since the Unix epoch) made monotonic, so all nodes of a cluster agree on round boundaries.

use std::io::{self, Read, Write};
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
/// returns.
pub fn run(config: NodeConfig) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    runtime.block_on(serve(Driven::new(config)))
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
                write_out(&mut stdout, &mut out)?;
                if eof {
                    return Ok(());
                }
            }
            () = sleep_until(wake) => {
                deadline = node.step(clock.now(), Feed::Timeout, &mut out, log);
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
    fn a_last_line_without_newline_counts_at_end_of_input() {
        let (seen, rest) = lines_of(&["x\ny"], true);
        assert_eq!(seen, vec!["x", "y"]);
        assert_eq!(rest, 0);
    }
}
