//! The results folder of a run, laid out like Maelstrom's store:
//! `store/<workload>/<YYYYMMDD-HHMMSS>-seed<N>/` holding `results.json` (the `--json`
//! document), `summary.txt` (the printed summary), `node-logs/<node>.log` (process mode: each
//! node's stderr) and the SVG plots of [`crate::present::plot`]. `store/latest` points at the newest run.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::Workload;
use crate::present::plot;
use crate::present::report::Report;

/// The folder holding node logs inside a results folder.
pub const NODE_LOGS: &str = "node-logs";

/// `store/<workload>/<YYYYMMDD-HHMMSS>-seed<seed>` for a run started at `started` (local time).
pub fn default_dir(
    store: &Path,
    workload: Workload,
    seed: u64,
    started: chrono::DateTime<chrono::Local>,
) -> PathBuf {
    store
        .join(workload.name())
        .join(format!("{}-seed{seed}", started.format("%Y%m%d-%H%M%S")))
}

/// Creates a fresh folder at `dir`, or at `dir-2`, `dir-3`… if `dir` already exists (two runs
/// of one seed in the same second), and returns it.
pub fn create_fresh(dir: &Path) -> io::Result<PathBuf> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut candidate = dir.to_path_buf();
    for n in 2.. {
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let mut name = dir.as_os_str().to_os_string();
                name.push(format!("-{n}"));
                candidate = PathBuf::from(name);
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("some suffix is free")
}

/// Creates `dir/node-logs` and returns it.
pub fn create_node_logs(dir: &Path) -> io::Result<PathBuf> {
    let logs = dir.join(NODE_LOGS);
    std::fs::create_dir_all(&logs)?;
    Ok(logs)
}

/// Points `store/latest` at `dir` (best effort; Unix only).
pub fn link_latest(store: &Path, dir: &Path) {
    #[cfg(unix)]
    {
        let link = store.join("latest");
        let target = dir.strip_prefix(store).unwrap_or(dir);
        let _ = std::fs::remove_file(&link);
        let _ = std::os::unix::fs::symlink(target, &link);
    }
    #[cfg(not(unix))]
    let _ = (store, dir);
}

fn write(path: PathBuf, contents: &[u8]) -> Result<PathBuf, String> {
    std::fs::write(&path, contents).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Writes `results.json`, `summary.txt`, the plots and the workload's own files
/// ([`crate::checkers::Verdict::artifacts`]) of a finished run into `dir`; returns the files
/// written.
pub fn write_run(
    dir: &Path,
    report: &Report,
    json: &serde_json::Value,
    summary: &str,
) -> Result<Vec<PathBuf>, String> {
    let text = serde_json::to_string_pretty(json).map_err(|e| e.to_string())? + "\n";
    let mut files = vec![
        write(dir.join("results.json"), text.as_bytes())?,
        write(dir.join("summary.txt"), summary.as_bytes())?,
    ];
    for p in plot::render(report)? {
        files.push(write(dir.join(p.file_name), p.svg.as_bytes())?);
    }
    for (name, contents) in report.workload.verdict().artifacts() {
        files.push(write(dir.join(name), &contents)?);
    }
    Ok(files)
}

/// Writes `summary.txt` for a run that produced no report (aborted or failed).
pub fn write_failure(dir: &Path, text: &str) -> Result<PathBuf, String> {
    write(dir.join("summary.txt"), format!("{text}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn default_dir_names_workload_time_and_seed() {
        let t = chrono::Local
            .with_ymd_and_hms(2025, 3, 9, 7, 5, 2)
            .single()
            .expect("a valid local time");
        let dir = default_dir(Path::new("store"), Workload::BROADCAST, 42, t);
        assert_eq!(dir, Path::new("store/broadcast/20250309-070502-seed42"));
    }

    #[test]
    fn fresh_dirs_never_collide() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("echo/20250101-000000-seed1");
        let a = create_fresh(&dir).expect("first");
        let b = create_fresh(&dir).expect("second");
        assert_eq!(a, dir);
        assert_ne!(a, b);
        assert!(b.to_string_lossy().ends_with("-seed1-2"));
    }
}
