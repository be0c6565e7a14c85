//! `results.json` as one type: what `glomers-sim test --json` and the results folder write,
//! and what the results browser reads back, through the same definitions.
//!
//! Every field is optional on reading (a document of an older version, or one cut short,
//! still reads: what it lacks is absent), and absent optional fields are not written. The
//! workload's own section ([`Verdict::json`](crate::checkers::Verdict::json): broadcast's
//! `lost_count`, `stable_latencies`, …) stays flat at the top level, as scripts read it, and
//! is kept as it is in [`ResultsJson::workload_fields`]; what the browser shows of it comes
//! typed, in [`ResultsJson::figures`] and [`SeriesJson::workload`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::checkers::Validity;
use crate::figures::Figure;

/// What the kill and pause nemesis did in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KillsJson {
    /// Node kills (a node counted once per kill).
    pub kills: u64,
    /// Node pauses by the nemesis and the fault schedule.
    pub pauses: u64,
    /// Lines lost with killed processes: given to them and not yet read (what is sent to a
    /// dead node waits in its queue and is not counted).
    pub dropped: u64,
}

/// The version of the document's layout written now. Documents without `schema_version`
/// are older (the workload's figures and curves were not yet typed).
pub const SCHEMA_VERSION: u32 = 2;

/// The `results.json` document of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultsJson {
    /// [`SCHEMA_VERSION`] when written; 0 when read from an older document.
    pub schema_version: u32,
    /// Overall `:valid?`: `true`, `false` or `"unknown"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid: Option<Validity>,
    /// The seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The workload's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// The run's settings as `glomers-sim test` flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<String>,
    /// `--node-count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_count: Option<u16>,
    /// `--rate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// `--time-limit` in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<f64>,
    /// `--latency` in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Whether the partition nemesis ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<bool>,
    /// The whole `--nemesis` value (`partition,kill`), written when it names more than
    /// `partition` (older documents, and runs without kills or pauses, leave it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nemesis: Option<String>,
    /// Node kills by the kill nemesis and the lines lost with the killed processes; written
    /// only with `--nemesis kill` or `pause`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kills: Option<KillsJson>,
    /// The nodes the run drove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<NodesJson>,
    /// In-process glomers nodes: the node configuration the run used, as the node crate
    /// writes it (overlay, timing, retry, fallback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_config: Option<Value>,
    /// Client invocations, the msgs-per-op divisor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_count: Option<u64>,
    /// `:net`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<NetJson>,
    /// `:stats` over all client operations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<StatsJson>,
    /// `:availability`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<AvailabilityJson>,
    /// The workload checker's `:valid?`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload_valid: Option<Validity>,
    /// The workload's figures, in its display order.
    pub figures: Vec<Figure>,
    /// Lines Maelstrom would have rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_errors: Option<Vec<NodeErrorJson>>,
    /// Node↔node messages dropped by partitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_drops: Option<u64>,
    /// Times nodes asked to be woken in the past.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub past_deadlines: Option<u64>,
    /// When the main phase started, µs since the run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_start_us: Option<u64>,
    /// When the nodes were torn down, µs since the run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_us: Option<u64>,
    /// Server messages sent during each second since the run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_sends_per_second: Option<Vec<u64>>,
    /// Curves kept to compare runs without their history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesJson>,
    /// Wall-clock time of the run in ms (written by the command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall_ms: Option<f64>,
    /// The files of the results folder and what each is (written with the folder).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<ArtifactJson>,
    /// The workload's own section, flat at the top level as its verdict wrote it
    /// ([`Verdict::json`](crate::checkers::Verdict::json)); on reading, every key not above.
    #[serde(flatten)]
    pub workload_fields: Map<String, Value>,
}

/// The nodes a run drove.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum NodesJson {
    /// In-process nodes on the virtual clock.
    #[serde(rename = "in-process")]
    InProcess {
        /// What they are (the node configuration's description).
        #[serde(default)]
        description: String,
    },
    /// Node processes in real time.
    #[serde(rename = "process")]
    Process {
        /// The binary.
        bin: String,
        /// Its arguments.
        #[serde(default)]
        args: Vec<String>,
    },
}

/// Message counts of one group of `:net`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupJson {
    /// Messages sent.
    pub send_count: u64,
    /// Messages delivered.
    pub recv_count: u64,
    /// Distinct messages.
    pub msg_count: u64,
    /// Messages per client operation (Maelstrom's 32-bit float, widened).
    pub msgs_per_op: Option<f64>,
}

/// `:net`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetJson {
    /// Every message.
    pub all: GroupJson,
    /// Messages with a client at either end.
    pub clients: GroupJson,
    /// Node↔node (and node↔service) messages.
    pub servers: GroupJson,
}

/// `:stats` over all client operations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsJson {
    /// Its verdict.
    pub valid: Validity,
    /// Completions.
    #[serde(default)]
    pub count: usize,
    /// `:ok` completions.
    #[serde(default)]
    pub ok_count: usize,
    /// `:fail` completions.
    #[serde(default)]
    pub fail_count: usize,
    /// `:info` completions.
    #[serde(default)]
    pub info_count: usize,
}

/// `:availability`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityJson {
    /// Its verdict.
    pub valid: Validity,
    /// `:ok` completions over invocations (`null` without invocations).
    #[serde(default)]
    pub ok_fraction: Option<f64>,
}

/// A line Maelstrom would have rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeErrorJson {
    /// The node (`n1`).
    pub node: String,
    /// When it was printed, µs since the run started.
    pub time_us: u64,
    /// Why it was rejected.
    pub reason: String,
    /// The line (cut).
    pub line: String,
}

/// One second's latency figures (ms) of the samples that fell in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerSecondJson {
    /// The second since the run started.
    pub t: u64,
    /// Samples.
    pub count: usize,
    /// Median (Jepsen's rule).
    pub p50: u64,
    /// 95th percentile.
    pub p95: u64,
    /// Maximum.
    pub max: u64,
}

/// A workload's latency curve ([`crate::figures::Series`]) as kept in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadSeriesJson {
    /// Its identifier (`stable_latency`).
    pub key: String,
    /// What it measures (`stable latency`).
    pub label: String,
    /// What a sample's time is (`time the value became known`).
    #[serde(default)]
    pub time_label: String,
    /// Grouped by second.
    #[serde(default)]
    pub per_second: Vec<PerSecondJson>,
    /// Latency (ms) at percentiles 0, 1, …, 100; absent without samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentiles: Option<Vec<u64>>,
}

/// `series`: curves kept to compare runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeriesJson {
    /// The layout's version (2: the workload's curves under `workload`).
    pub version: u64,
    /// `ok` operations grouped by the second they were invoked in.
    pub op_latency_per_second: Vec<PerSecondJson>,
    /// Operation latency (ms) at percentiles 0, 1, …, 100; absent without samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_latency_percentiles: Option<Vec<u64>>,
    /// The workload's own curves.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workload: Vec<WorkloadSeriesJson>,
}

/// One file of a results folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactJson {
    /// Its name in the folder (`node-logs/n0.log`).
    pub file: String,
    /// What it is.
    #[serde(default)]
    pub what: String,
}

impl ResultsJson {
    /// Reads a document.
    pub fn parse(text: &str) -> Result<ResultsJson, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The document as pretty-printed JSON with a final newline.
    pub fn to_text(&self) -> String {
        // A document of strings, numbers and maps: serde_json cannot fail on it.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NodeKind, SimConfig, Workload};

    #[test]
    fn every_workloads_document_reads_back_as_written() {
        for (workload, node_count) in [
            (Workload::BROADCAST, 5),
            (Workload::ECHO, 2),
            ("g-counter".parse().expect("registered"), 3),
            ("txn-rw-register".parse().expect("registered"), 2),
            ("kafka".parse().expect("registered"), 2),
            ("txn-list-append".parse().expect("registered"), 2),
            // The glomers node serves neither: their sections are those of failed runs here;
            // sim/tests/runs/{lin_kv,g_set}.rs round-trip them with nodes that do.
            ("lin-kv".parse().expect("registered"), 2),
            ("g-set".parse().expect("registered"), 2),
        ] {
            let cfg = SimConfig {
                workload,
                node_count,
                rate: 20.0,
                time_limit: std::time::Duration::from_secs(2),
                partition: true,
                seed: 4,
                // lin-kv's independent generator runs a key on 2N threads.
                concurrency: Some(2 * usize::from(node_count)),
                ..SimConfig::default()
            };
            let report = crate::run(&cfg).expect("the test runs");
            let mut doc = super::super::output::to_json(&report);
            doc.wall_ms = Some(12.5);
            doc.artifacts = vec![ArtifactJson {
                file: "summary.txt".into(),
                what: "the printed summary".into(),
            }];
            let back = ResultsJson::parse(&doc.to_text()).expect("it parses");
            assert_eq!(back, doc, "{workload}");
            if workload.name().starts_with("txn-") {
                let keys: Vec<&str> = back.figures.iter().map(|f| f.key.as_str()).collect();
                assert!(keys.contains(&"anomaly_types"), "{workload}: {keys:?}");
                assert!(
                    back.workload_fields.contains_key("anomaly_types"),
                    "{workload}"
                );
            }
            assert_eq!(back.schema_version, SCHEMA_VERSION);
            assert!(matches!(back.nodes, Some(NodesJson::InProcess { .. })));
            assert!(!matches!(cfg.nodes, NodeKind::Process { .. }));
        }
    }

    #[test]
    fn the_keys_scripts_read_stay_where_they_were() {
        let cfg = SimConfig {
            node_count: 3,
            rate: 20.0,
            time_limit: std::time::Duration::from_secs(2),
            seed: 1,
            ..SimConfig::default()
        };
        let report = crate::run(&cfg).expect("the test runs");
        let text = super::super::output::to_json(&report).to_text();
        let v: Value = serde_json::from_str(&text).expect("JSON");
        // scripts/compare-modes.sh reads these.
        assert!(v["net"]["servers"]["msgs_per_op"].is_number());
        assert!(v["stable_latencies"]["0.5"].is_number());
        assert_eq!(v["lost_count"], 0);
        assert!(v["op_count"].is_number());
        assert_eq!(v["valid"], true);
        assert_eq!(v["workload_valid"], true);
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
    }

    #[test]
    fn older_and_partial_documents_read() {
        let old = r#"{"valid": "unknown", "workload": "echo", "net": {"servers": {}},
            "series": {"version": 1, "stable_latency_per_second": []}, "lost_count": 2}"#;
        let doc = ResultsJson::parse(old).expect("an older document reads");
        assert_eq!(doc.schema_version, 0);
        assert_eq!(doc.valid, Some(Validity::Unknown));
        assert_eq!(doc.net.map(|n| n.servers.msgs_per_op), Some(None));
        assert_eq!(doc.workload_fields["lost_count"], 2);
        assert!(ResultsJson::parse("[1, 2]").is_err());
    }
}
