//! The files of a run folder, grouped by how the run page shows them, and their content
//! types.

use std::path::Path;

use super::runs::is_run_dir;

/// The spacetime diagram's file name (as Maelstrom names it).
pub const DIAGRAM: &str = "messages.svg";
/// The timeline's file name.
pub const TIMELINE: &str = "timeline.html";

/// The plots every workload's run has, in the order the run page shows them, after the
/// workload's own (`counter-value.svg`, `transactions.svg`, `stable-latency.svg`…), which say
/// most about the run.
pub const COMMON_PLOTS: [&str; 4] = [
    "rate.svg",
    "latency-raw.svg",
    "latency-quantiles.svg",
    "throughput.svg",
];

/// One file of a run folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the run folder, `/`-separated.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
}

/// A run folder's files as the run page groups them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Artifacts {
    /// `messages.svg`, if present.
    pub diagram: Option<Entry>,
    /// `timeline.html`, if present.
    pub timeline: Option<Entry>,
    /// Every other SVG at the top of the folder (plots): the workload's own by name, then
    /// [`COMMON_PLOTS`] in that order.
    pub plots: Vec<Entry>,
    /// Files under `node-logs/`, by name.
    pub node_logs: Vec<Entry>,
    /// The history files (`history.txt`, `history.jsonl`…), by name.
    pub history: Vec<Entry>,
    /// Every other file (results, summary, history…), by name.
    pub other: Vec<Entry>,
}

/// Lists the files of `dir` (and of its sub-folders, one level, such as `node-logs/`),
/// skipping hidden names, symlinks and nested run folders.
pub fn artifacts(dir: &Path) -> Artifacts {
    let mut all = Vec::new();
    list(dir, "", 0, &mut all);
    all.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut out = Artifacts::default();
    for e in all {
        match e.rel.as_str() {
            DIAGRAM => out.diagram = Some(e),
            TIMELINE => out.timeline = Some(e),
            r if r.starts_with("node-logs/") => out.node_logs.push(e),
            r if r.starts_with("history.") => out.history.push(e),
            r if !r.contains('/') && r.ends_with(".svg") => out.plots.push(e),
            _ => out.other.push(e),
        }
    }
    // Stable: the workload's plots keep their name order ahead of the common ones.
    out.plots.sort_by_key(|e| {
        COMMON_PLOTS
            .iter()
            .position(|c| *c == e.rel)
            .map_or(0, |i| i + 1)
    });
    out
}

fn list(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<Entry>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let (Ok(kind), Some(name)) = (
            entry.file_type(),
            entry.file_name().to_str().map(String::from),
        ) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if kind.is_file() {
            let size = entry.metadata().map_or(0, |m| m.len());
            out.push(Entry { rel, size });
        } else if kind.is_dir() && depth == 0 && !is_run_dir(&entry.path()) {
            list(&entry.path(), &format!("{rel}/"), depth + 1, out);
        }
    }
}

/// The content type a file is served with, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => "image/svg+xml",
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("css") => "text/css; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("txt" | "log" | "edn" | "jsonl" | "md" | "trace" | "toml") => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

/// A size for people: bytes, KB or MB.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_grouped_for_the_run_page() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let d = tmp.path();
        for f in [
            "results.json",
            "summary.txt",
            "messages.svg",
            "timeline.html",
            "throughput.svg",
            "latency-raw.svg",
            "counter-value.svg",
            "rate.svg",
            "history.txt",
            "history.jsonl",
            ".hidden",
        ] {
            std::fs::write(d.join(f), "x").expect("write");
        }
        std::fs::create_dir(d.join("node-logs")).expect("mkdir");
        std::fs::write(d.join("node-logs/n0.log"), "hello").expect("write");
        let a = artifacts(d);
        assert_eq!(a.diagram.as_ref().map(|e| e.rel.as_str()), Some(DIAGRAM));
        assert_eq!(a.timeline.as_ref().map(|e| e.rel.as_str()), Some(TIMELINE));
        let names = |v: &[Entry]| v.iter().map(|e| e.rel.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&a.plots),
            [
                "counter-value.svg",
                "rate.svg",
                "latency-raw.svg",
                "throughput.svg"
            ],
            "the workload's own plot first"
        );
        assert_eq!(names(&a.node_logs), ["node-logs/n0.log"]);
        assert_eq!(a.node_logs[0].size, 5);
        assert_eq!(names(&a.history), ["history.jsonl", "history.txt"]);
        assert_eq!(names(&a.other), ["results.json", "summary.txt"]);
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type(Path::new("a/messages.svg")), "image/svg+xml");
        assert_eq!(
            content_type(Path::new("t.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("n0.log")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("h.jsonl")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("results.json")), "application/json");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
        assert_eq!(human_size(2048), "2.0 KB");
    }
}
