//! The results folder of a run, laid out like Maelstrom's store:
//! `store/<workload>/<YYYYMMDD-HHMMSS>-seed<N>/` holding `results.json` (the `--json`
//! document), `summary.txt` (the printed summary), `node-logs/<node>.log` (process mode: each
//! node's stderr), the SVG plots of [`crate::present::plot`] and the diagram, timeline and
//! history files of [`crate::present::artifacts`]. `store/latest` points at the newest run.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::Workload;
use crate::present::artifacts;
use crate::present::plot;
use crate::report::Report;
use crate::report::document::{ArtifactJson, ResultsJson};

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

/// Writes `results.json`, `summary.txt`, the plots (the workload's and the generic ones),
/// the workload's own files ([`crate::checkers::Verdict::artifacts`]) and the [`artifacts`]
/// of a finished run into `dir`; returns the files written. `results.json` gets an
/// `artifacts` list naming every file of the folder (node logs included) and what it is.
pub fn write_run(
    dir: &Path,
    report: &Report,
    json: &ResultsJson,
    summary: &str,
) -> Result<Vec<PathBuf>, String> {
    let mut files = vec![write(dir.join("summary.txt"), summary.as_bytes())?];
    let mut index = vec![
        artifact("results.json", artifacts::describe("results.json")),
        artifact("summary.txt", artifacts::describe("summary.txt")),
    ];
    for p in plot::render(report)? {
        files.push(write(dir.join(&p.file_name), p.svg.as_bytes())?);
        index.push(artifact(&p.file_name, &p.what));
    }
    for a in report.workload.verdict().artifacts() {
        let path = dir.join(&a.file_name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        files.push(write(path, &a.contents)?);
        index.push(artifact(&a.file_name, &a.what));
    }
    for f in artifacts::write_all(dir, report)? {
        if let Some(name) = f.file_name().and_then(|n| n.to_str()) {
            index.push(artifact(name, artifacts::describe(name)));
        }
        files.push(f);
    }
    if let Ok(logs) = std::fs::read_dir(dir.join(NODE_LOGS)) {
        let mut logs: Vec<String> = logs
            .filter_map(|e| Some(format!("{NODE_LOGS}/{}", e.ok()?.file_name().to_str()?)))
            .collect();
        logs.sort_by_key(|l| (l.len(), l.clone()));
        index.extend(logs.iter().map(|l| artifact(l, artifacts::describe(l))));
    }
    let mut json = json.clone();
    json.artifacts = index;
    files.insert(
        0,
        write(dir.join("results.json"), json.to_text().as_bytes())?,
    );
    Ok(files)
}

fn artifact(file: &str, what: &str) -> ArtifactJson {
    ArtifactJson {
        file: file.to_owned(),
        what: what.to_owned(),
    }
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

    #[test]
    fn a_3e_results_folder_holds_every_file_and_lists_them() {
        let cfg = crate::SimConfig {
            workload: Workload::BROADCAST,
            node_count: 25,
            rate: 100.0,
            time_limit: std::time::Duration::from_secs(3),
            latency_ms: 100,
            partition: true,
            nemesis_interval: std::time::Duration::from_secs(1),
            seed: 5,
            trace: true,
            nodes: crate::NodeKind::InProcess(
                glomers::config::NodeConfig::load("3e").expect("preset"),
            ),
            ..crate::SimConfig::default()
        };
        let report = crate::run(&cfg).expect("the test runs");
        let dir = tempfile::tempdir().expect("temp dir");
        let doc = crate::report::output::to_json(&report);
        write_run(dir.path(), &report, &doc, "summary\n").expect("written");
        let expected = [
            "results.json",
            "summary.txt",
            "stable-latency.svg",
            "latency-distribution.svg",
            "throughput.svg",
            "latency-raw.svg",
            "latency-quantiles.svg",
            "rate.svg",
            "messages.svg",
            "timeline.html",
            "history.txt",
            "history.jsonl",
        ];
        let mut on_disk: Vec<String> = std::fs::read_dir(dir.path())
            .expect("listed")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut wanted: Vec<String> = expected.map(String::from).to_vec();
        wanted.sort();
        assert_eq!(on_disk, wanted);
        let text = std::fs::read_to_string(dir.path().join("results.json")).expect("read");
        let json = ResultsJson::parse(&text).expect("a results document");
        assert_eq!(
            json.artifacts[2].what,
            "each broadcast value's stable latency"
        );
        let mut listed: Vec<String> = json.artifacts.iter().map(|a| a.file.clone()).collect();
        listed.sort();
        assert_eq!(listed, wanted, "results.json lists exactly what is there");

        let svg = std::fs::read_to_string(dir.path().join("messages.svg")).expect("svg");
        assert_eq!(svg.matches("class=\"lane node\"").count(), 25);
        assert!(svg.matches("class=\"lane client\"").count() >= 25);
        let server_arrows = svg
            .lines()
            .filter_map(|l| l.strip_prefix("<line class=\"m "))
            .filter(|l| {
                !l.split('"')
                    .next()
                    .unwrap_or("")
                    .split(' ')
                    .any(|c| c == "c")
            })
            .count();
        assert!(server_arrows > 50, "node↔node arrows: {server_arrows}");
        assert!(svg.contains("partition in force"));
        assert!(svg.len() < 4_000_000, "{} bytes", svg.len());

        let history = report.history.ops().len();
        let txt = std::fs::read_to_string(dir.path().join("history.txt")).expect("txt");
        let jsonl = std::fs::read_to_string(dir.path().join("history.jsonl")).expect("jsonl");
        assert_eq!(
            (txt.lines().count(), jsonl.lines().count()),
            (history, history)
        );
        let html = std::fs::read_to_string(dir.path().join("timeline.html")).expect("html");
        let invocations = usize::try_from(report.history.client_invocations()).expect("fits");
        let nemesis = report
            .history
            .ops()
            .iter()
            .filter(|o| !o.is_client())
            .count();
        assert!(nemesis > 0);
        assert_eq!(
            html.matches("<div class=\"op ").count(),
            invocations + nemesis
        );
    }
}
