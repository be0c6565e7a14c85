//! The runs of a store and what their `results.json` says, read through its type
//! ([`ResultsJson`]) and tolerantly: a folder with a missing or unreadable `results.json` is
//! still listed, marked as such, and every figure is optional (older documents lack the
//! `series`, `flags` and `figures` keys).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::paths::Store;
use crate::checkers::Validity;
use crate::report::document::{NodesJson, ResultsJson};

/// How deep below the store run folders are looked for (`<workload>/<run>` is depth 2).
const MAX_DEPTH: usize = 4;

/// A run's verdict as its results say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `valid: true`.
    Valid,
    /// `valid: false`.
    Invalid,
    /// `valid: "unknown"`.
    Unknown,
    /// No `results.json`, only a summary: the run aborted (or failed) before its analysis.
    Aborted,
    /// A `results.json` that cannot be read or parsed (or lacks `valid`).
    Unreadable,
}

impl Verdict {
    /// The word shown, also the CSS class.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Unknown => "unknown",
            Verdict::Aborted => "aborted",
            Verdict::Unreadable => "unreadable",
        }
    }
}

/// One run folder and its figures.
#[derive(Clone, Debug)]
pub struct Run {
    /// Path relative to the store, `/`-separated (its id in URLs).
    pub rel: String,
    /// When its results were written (the newest of `results.json` and `summary.txt`).
    pub modified: Option<SystemTime>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why `results.json` could not be used, if it could not.
    pub problem: Option<String>,
    /// The parsed `results.json` (`None` if unreadable).
    pub doc: Option<ResultsJson>,
}

#[cfg(test)]
impl Run {
    /// A valid run named `r` whose `results.json` is `doc`, for the views' unit tests.
    pub(crate) fn of_doc(doc: serde_json::Value) -> Run {
        Run {
            rel: "r".into(),
            modified: None,
            verdict: Verdict::Valid,
            problem: None,
            doc: Some(serde_json::from_value(doc).expect("a results document")),
        }
    }
}

impl Run {
    /// Reads the run folder `dir` (inside `store`).
    pub fn read(store: &Store, dir: &Path) -> Option<Run> {
        let rel = store.relative(dir)?;
        let results = dir.join("results.json");
        let modified = ["results.json", "summary.txt"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.join(f)).ok()?.modified().ok())
            .max()
            .or_else(|| std::fs::metadata(dir).ok()?.modified().ok());
        let parsed = std::fs::read_to_string(&results)
            .map_err(|e| format!("results.json: {e}"))
            .and_then(|text| ResultsJson::parse(&text).map_err(|e| format!("results.json: {e}")));
        let (doc, problem) = match parsed {
            Ok(doc) => (Some(doc), None),
            // An aborted run leaves only its summary: its first line says why.
            Err(_) if !results.exists() => {
                let why: String = std::fs::read_to_string(dir.join("summary.txt"))
                    .ok()
                    .and_then(|t| t.lines().next().map(|l| l.chars().take(300).collect()))
                    .unwrap_or_default();
                (None, Some(format!("no results.json: {why}")))
            }
            Err(e) => (None, Some(e)),
        };
        let verdict = match doc.as_ref().map(|d| d.valid) {
            _ if problem.is_some() && !results.exists() => Verdict::Aborted,
            _ if problem.is_some() => Verdict::Unreadable,
            Some(Some(Validity::True)) => Verdict::Valid,
            Some(Some(Validity::False)) => Verdict::Invalid,
            Some(Some(Validity::Unknown)) => Verdict::Unknown,
            Some(None) | None => Verdict::Unreadable,
        };
        Some(Run {
            rel,
            modified,
            verdict,
            problem,
            doc,
        })
    }

    /// The workload's name; without results, the name of the folder holding the run folder
    /// (`<workload>/<run>`), else `?`.
    pub fn workload(&self) -> &str {
        self.doc
            .as_ref()
            .and_then(|d| d.workload.as_deref())
            .or_else(|| self.rel.rsplit('/').nth(1))
            .unwrap_or("?")
    }

    /// The seed, if known.
    pub fn seed(&self) -> Option<u64> {
        self.doc.as_ref()?.seed
    }

    /// Client operations, if known.
    pub fn op_count(&self) -> Option<u64> {
        self.doc.as_ref()?.op_count
    }

    /// The in-process nodes' description, if the run had in-process nodes.
    pub fn node_description(&self) -> Option<&str> {
        match self.doc.as_ref()?.nodes.as_ref()? {
            NodesJson::InProcess { description } => Some(description),
            NodesJson::Process { .. } => None,
        }
    }

    /// The node binary, if the run drove processes.
    pub fn node_bin(&self) -> Option<&str> {
        match self.doc.as_ref()?.nodes.as_ref()? {
            NodesJson::Process { bin, .. } => Some(bin),
            NodesJson::InProcess { .. } => None,
        }
    }

    /// The run's flags: the `flags` key, or rebuilt from the older document's fields.
    pub fn flags(&self) -> String {
        let Some(doc) = &self.doc else {
            return format!("-w {}", self.workload());
        };
        if let Some(f) = &doc.flags {
            return f.clone();
        }
        let mut parts = vec![format!("-w {}", self.workload())];
        for (value, flag) in [
            (doc.node_count.map(f64::from), "--node-count"),
            (doc.rate, "--rate"),
            (doc.time_limit_s, "--time-limit"),
            (doc.latency_ms.map(|l| l as f64), "--latency"),
        ] {
            if let Some(v) = value {
                parts.push(format!("{flag} {}", fmt_num(v)));
            }
        }
        if doc.partition == Some(true) {
            parts.push("--nemesis partition".into());
        }
        parts.join(" ")
    }

    /// Maelstrom's msgs-per-op: node↔node messages per client operation.
    pub fn msgs_per_op(&self) -> Option<f64> {
        self.doc.as_ref()?.net?.servers.msgs_per_op
    }

    /// The latency figures the list shows: the name of the measure and its median, 95th
    /// percentile and maximum in ms (the workload's first curve, such as broadcast's stable
    /// latency, else operation latency).
    pub fn latency(&self) -> Option<(String, [f64; 3])> {
        let series = self.doc.as_ref()?.series.as_ref()?;
        let (label, p) = match series.workload.iter().find(|s| s.percentiles.is_some()) {
            Some(w) => (w.label.clone(), w.percentiles.as_ref()?),
            None => ("op".to_owned(), series.op_latency_percentiles.as_ref()?),
        };
        let get = |i: usize| p.get(i).map(|&v| v as f64);
        Some((label, [get(50)?, get(95)?, get(100)?]))
    }

    /// When the results were written, as local time `YYYY-MM-DD HH:MM:SS`.
    pub fn when(&self) -> String {
        self.modified.map_or_else(String::new, |t| {
            chrono::DateTime::<chrono::Local>::from(t)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
    }
}

/// One row of figures: a label and the value as shown.
pub type Row = (String, String);

/// A number without a pointless `.0`, and with at most three decimals.
pub fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Whether `dir` is a run folder: it holds `results.json` or `summary.txt`.
pub fn is_run_dir(dir: &Path) -> bool {
    dir.join("results.json").is_file() || dir.join("summary.txt").is_file()
}

/// Every run folder of the store, newest first (ties by folder name, descending: run folder
/// names start with their time). Symlinks are not followed
/// (`latest` would list a run twice), and run folders are not searched further.
pub fn scan(store: &Store) -> Vec<Run> {
    let mut dirs = Vec::new();
    collect(store.root(), 0, &mut dirs);
    let mut runs: Vec<Run> = dirs.iter().filter_map(|d| Run::read(store, d)).collect();
    let name = |r: &Run| r.rel.rsplit('/').next().unwrap_or("").to_string();
    runs.sort_by(|a, b| {
        (b.modified.cmp(&a.modified))
            .then_with(|| name(b).cmp(&name(a)))
            .then_with(|| b.rel.cmp(&a.rel))
    });
    runs
}

fn collect(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if !kind.is_dir() || name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if is_run_dir(&path) {
            out.push(path);
        } else if depth + 1 < MAX_DEPTH {
            collect(&path, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::write(dir.join(file), text).expect("write");
    }

    #[test]
    fn scan_lists_runs_and_marks_unreadable_ones() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path();
        let stable: Vec<u64> = (0..=100u64)
            .map(|p| match p {
                50 => 200,
                95 => 300,
                100 => 320,
                _ => 0,
            })
            .collect();
        let doc = json!({"valid": true, "workload": "broadcast", "seed": 7, "node_count": 5,
            "rate": 10.0, "time_limit_s": 2.0, "latency_ms": 100, "partition": true,
            "net": {"servers": {"msgs_per_op": 1.25}},
            "series": {"workload": [{"key": "stable_latency", "label": "stable latency",
                "percentiles": stable}]}});
        write(&root.join("broadcast/a"), "results.json", &doc.to_string());
        write(
            &root.join("echo/b"),
            "summary.txt",
            "glomers-sim: test aborted",
        );
        write(&root.join("echo/c"), "results.json", "[1, 2");
        write(
            &root.join("unique-ids/d"),
            "results.json",
            r#"{"valid": "unknown"}"#,
        );
        write(&root.join("notes"), "readme.md", "not a run");
        #[cfg(unix)]
        std::os::unix::fs::symlink("broadcast/a", root.join("latest")).expect("symlink");
        let store = Store::open(root).expect("store");
        let runs = scan(&store);
        let mut rels: Vec<&str> = runs.iter().map(|r| r.rel.as_str()).collect();
        rels.sort_unstable();
        assert_eq!(rels, ["broadcast/a", "echo/b", "echo/c", "unique-ids/d"]);
        let by = |rel: &str| runs.iter().find(|r| r.rel == rel).expect("listed");
        let a = by("broadcast/a");
        assert_eq!(a.verdict, Verdict::Valid);
        assert_eq!(a.seed(), Some(7));
        assert_eq!(a.msgs_per_op(), Some(1.25));
        assert_eq!(
            a.latency(),
            Some(("stable latency".to_owned(), [200.0, 300.0, 320.0]))
        );
        assert_eq!(
            a.flags(),
            "-w broadcast --node-count 5 --rate 10 --time-limit 2 --latency 100 --nemesis partition"
        );
        assert_eq!(by("echo/b").verdict, Verdict::Aborted);
        assert_eq!(by("echo/b").workload(), "echo");
        assert_eq!(
            by("echo/b").problem.as_deref(),
            Some("no results.json: glomers-sim: test aborted")
        );
        let c = by("echo/c");
        assert_eq!(c.verdict, Verdict::Unreadable);
        assert!(
            c.problem
                .as_deref()
                .is_some_and(|p| p.contains("results.json"))
        );
        assert_eq!(by("unique-ids/d").verdict, Verdict::Unknown);
        assert_eq!(by("unique-ids/d").latency(), None);
    }

    #[test]
    fn runs_are_listed_newest_first_and_ties_by_folder_name() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let at = |secs: u64| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        for (rel, secs) in [
            ("echo/20250101-000005-seed1", 5),
            ("broadcast/20250101-000009-seed2", 9),
            ("broadcast/20250101-000001-seed3", 1),
            ("unique-ids/20250101-000009-seed0", 9),
        ] {
            let dir = tmp.path().join(rel);
            write(&dir, "results.json", r#"{"valid": true}"#);
            let file = std::fs::File::options()
                .write(true)
                .open(dir.join("results.json"))
                .expect("open");
            file.set_modified(at(secs)).expect("set mtime");
        }
        let store = Store::open(tmp.path()).expect("store");
        let order: Vec<String> = scan(&store).into_iter().map(|r| r.rel).collect();
        assert_eq!(
            order,
            [
                "broadcast/20250101-000009-seed2",
                "unique-ids/20250101-000009-seed0",
                "echo/20250101-000005-seed1",
                "broadcast/20250101-000001-seed3"
            ]
        );
    }

    #[test]
    fn newer_documents_give_flags_and_operation_latency() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let pct: Vec<u64> = (0..=100).collect();
        let doc = json!({"valid": false, "workload": "echo", "flags": "-w echo --rate 3",
            "series": {"op_latency_percentiles": pct}});
        write(&tmp.path().join("r"), "results.json", &doc.to_string());
        let store = Store::open(tmp.path()).expect("store");
        let run = Run::read(&store, &store.root().join("r")).expect("run");
        assert_eq!(run.verdict, Verdict::Invalid);
        assert_eq!(run.flags(), "-w echo --rate 3");
        assert_eq!(run.latency(), Some(("op".to_owned(), [50.0, 95.0, 100.0])));
        assert_eq!(fmt_num(0.33333), "0.333");
        assert_eq!(fmt_num(20.0), "20");
    }
}
