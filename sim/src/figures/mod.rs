//! What a workload shows of a run besides its verdict, in terms every workload shares: its
//! [`Figure`]s (rows of the results browser's run page and comparison table), its latency
//! [`Series`] (curves kept in `results.json` to compare runs), and its [`Plot`]s (SVG files of
//! the results folder), drawn from a [`PlotInput`].
//!
//! A workload's [`Verdict`](crate::checkers::Verdict) supplies them; the results folder and
//! the results browser render what they are given and name no workload. With the feature
//! `present`, [`draw`] holds the plots' common style (title block, axes, partition shading,
//! palette) for workloads to draw theirs with.

#[cfg(feature = "present")]
pub mod draw;

use serde::{Deserialize, Serialize};

use crate::history::History;

/// One figure of a run: a labelled value as shown (`lost` → `0`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// A stable identifier (`lost_count`): rows of different runs with the same key align.
    pub key: String,
    /// What the results browser shows beside it (`lost`).
    pub label: String,
    /// The value as shown.
    pub value: String,
}

impl Figure {
    /// A figure called `label`, identified by `key`.
    pub fn new(key: &str, label: &str, value: impl ToString) -> Figure {
        Figure {
            key: key.to_owned(),
            label: label.to_owned(),
            value: value.to_string(),
        }
    }
}

/// Latency samples a workload measures beyond its operations' latency (broadcast's stable
/// latency): kept in `results.json` as a curve per second and a distribution by percentile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// The curve's identifier (`stable_latency`).
    pub key: String,
    /// What it measures, in a title (`stable latency`).
    pub label: String,
    /// What a sample's time is (`time the value became known`).
    pub time_label: String,
    /// (time ns since the run started, latency ms) of every sample.
    pub samples: Vec<(u64, u64)>,
}

/// A rendered plot: an SVG file of the results folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plot {
    /// File name, e.g. `stable-latency.svg`.
    pub file_name: String,
    /// What it shows, for the results folder's index (`each broadcast value's stable
    /// latency`).
    pub what: String,
    /// The SVG document.
    pub svg: String,
}

/// A file a workload adds to a run's results folder besides its plots (txn-list-append's
/// `elle/G1c.txt`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the results folder, `/`-separated; sub-folders are created
    /// (`elle/G1c.txt`).
    pub file_name: String,
    /// What it holds, for the results folder's index (`each G1c cycle, explained`).
    pub what: String,
    /// The file's contents.
    pub contents: Vec<u8>,
}

/// What a plot may draw besides the workload's own result: the run's history, the line
/// naming the run, its time-limit window and its partitions.
#[derive(Clone, Debug)]
pub struct PlotInput<'a> {
    /// The history.
    pub history: &'a History,
    /// A line under the title naming the run.
    pub subtitle: String,
    /// The time-limit window in seconds since the start: (main start, time limit).
    pub window: (f64, f64),
    /// Partition intervals (start, heal) in seconds.
    pub partitions: Vec<(f64, f64)>,
    /// When the nodes were torn down, in seconds since the start.
    pub end_s: f64,
    /// Nodes in the cluster.
    pub node_count: u16,
    /// Client worker threads.
    pub threads: usize,
}

/// Nanoseconds since the start as seconds.
pub fn secs_ns(ns: u64) -> f64 {
    ns as f64 / 1e9
}
