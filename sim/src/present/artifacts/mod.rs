//! The files a Maelstrom user looks at, written into every results folder for every workload
//! from the history and the message journal alone:
//!
//! | file | holds |
//! |---|---|
//! | `messages.svg` | the spacetime diagram of the run's messages (`diagram`) |
//! | `timeline.html` | each client process's operations as a track (`timeline`) |
//! | `history.txt`, `history.jsonl` | the history, one line per entry (`history_files`) |
//!
//! The latency and rate plots are in [`super::plot`]. [`describe`] says what a file of a folder is,
//! for `results.json`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::report::Report;

pub(crate) mod diagram;
pub(crate) mod history_files;
pub(crate) mod layout;
pub(crate) mod messages;
pub(crate) mod spans;
pub(crate) mod svg;
pub(crate) mod timeline;

/// What every picture of a run shares: who ran, when partitions were in force, when the time
/// limit ended. Times are seconds since the run started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    /// A line naming the run (workload, nodes, rate, seed…).
    pub subtitle: String,
    /// Partition intervals (start, heal).
    pub partitions: Vec<(f64, f64)>,
    /// When the time limit ended.
    pub limit_s: f64,
    /// When the nodes were stopped.
    pub end_s: f64,
}

impl Frame {
    /// The frame of a finished run.
    pub fn of(report: &Report) -> Frame {
        let run = report.plot_input();
        Frame {
            limit_s: run.window.1,
            end_s: run.end_s,
            subtitle: run.subtitle,
            partitions: run.partitions,
        }
    }
}

/// Writes the diagram, the timeline and the history files of a run into `dir` and returns
/// their paths. The history files are streamed (a long broadcast run's reads make them large).
/// The diagram needs the message trace ([`crate::SimConfig::trace`]); without one it is left
/// out.
pub fn write_all(dir: &Path, report: &Report) -> Result<Vec<PathBuf>, String> {
    let frame = Frame::of(report);
    let mut files = Vec::new();
    let mut write = |name: &str, fill: &dyn Fn(&mut BufWriter<File>) -> io::Result<()>| {
        let path = dir.join(name);
        let result = File::create(&path).and_then(|f| {
            let mut out = BufWriter::new(f);
            fill(&mut out)?;
            out.flush()
        });
        result.map_err(|e| format!("{}: {e}", path.display()))?;
        files.push(path);
        Ok::<(), String>(())
    };
    if let Some(trace) = &report.trace {
        let svg = diagram::render(&messages::from_trace(trace), &frame);
        write("messages.svg", &|out| out.write_all(svg.as_bytes()))?;
    }
    let verdict = report.workload.verdict();
    let own = |op: &crate::history::Op| verdict.value_edn(op);
    let html = timeline::render(&spans::pair(&report.history), &frame, &own);
    write("timeline.html", &|out| out.write_all(html.as_bytes()))?;
    write("history.txt", &|out| {
        history_files::write_text(&report.history, &own, out)
    })?;
    write("history.jsonl", &|out| {
        history_files::write_jsonl(&report.history, out)
    })?;
    Ok(files)
}

/// What a results file is, for a results browser's list (`results.json`'s `artifacts`).
pub fn describe(file_name: &str) -> &'static str {
    match file_name {
        "results.json" => "the result map as JSON",
        "summary.txt" => "the printed summary",
        "messages.svg" => "spacetime diagram of the messages",
        "timeline.html" => "each client process's operations over time",
        "history.txt" => "the history, one entry a line (process, type, f, value, error)",
        "history.jsonl" => "the history as JSON lines",
        "latency-raw.svg" => "each operation's latency over time, by outcome",
        "latency-quantiles.svg" => "latency quantiles over time",
        "rate.svg" => "operations per second by kind and outcome",
        "throughput.svg" => "messages per second",
        _ if file_name.ends_with(".log") => "a node's stderr",
        _ => "",
    }
}

/// `text` made safe inside XML/HTML text and attribute values; characters XML forbids become
/// U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The smallest 1, 2 or 5 × 10^k at least `min` (and at least 1).
pub fn nice_step(min: f64) -> f64 {
    let mut scale = 1.0;
    while scale * 10.0 <= min {
        scale *= 10.0;
    }
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * scale >= min {
            return step * scale;
        }
    }
    10.0 * scale
}

/// Seconds with three decimals.
pub fn secs(ns: u64) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:.3}", ns as f64 / 1e9);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_and_forbidden_characters() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{1}b\nc"), "a\u{fffd}b\nc");
        assert_eq!(escape("n3 → n7"), "n3 → n7");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.3), 1.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.5), 2.0);
        assert_eq!(nice_step(60.0), 100.0);
        assert_eq!(nice_step(150.0), 200.0);
        assert_eq!(nice_step(499.0), 500.0);
        assert_eq!(nice_step(501.0), 1000.0);
    }

    #[test]
    fn the_index_says_what_each_file_is() {
        assert_eq!(
            describe("messages.svg"),
            "spacetime diagram of the messages"
        );
        assert_eq!(describe("node-logs/n0.log"), "a node's stderr");
        assert_eq!(describe("x"), "");
    }
}
