//! The release-shaped `glomers` binary end to end: golden cases through stdin/stdout, bad input.

#![allow(
    clippy::disallowed_methods,
    reason = "tests of the binary run real processes: they spawn pipe threads and time them"
)]

mod bad_input;
mod counter_txn;
mod crash;
mod e2e;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh empty directory for one test's node processes (and their logs), in
/// cargo's temporary directory for tests (under `target/`).
pub fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("glomers-{}-{n}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The `glomers` binary, to run in a fresh directory of its own (its log goes there).
pub fn glomers() -> Command {
    glomers_in(scratch_dir())
}

/// The `glomers` binary, to run in `dir` (as Maelstrom runs every node in one directory).
pub fn glomers_in(dir: PathBuf) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_glomers"));
    command.current_dir(dir).env("GLOMERS_LOG", "warn");
    command
}
