//! The checkers Maelstrom composes, and how their verdicts combine.
//!
//! `:workload` is the workload's own checker (in its module under [`crate::workloads`]), seen
//! here as a [`Verdict`]; `:stats` requires an `:ok` for every kind of client operation;
//! `:availability` applies `--availability`. `:perf`, `:timeline`, `:exceptions` and `:net`
//! are always valid. Overall: false if any is false, else unknown if any is unknown, else true.
//! Also the latency [`quantiles`] workloads report.

pub mod linearizable;
pub mod quantiles;

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::figures::{Artifact, Figure, Series};
#[cfg(feature = "present")]
use crate::figures::{Plot, PlotInput};
use crate::history::{Op, OpF, OpType};

/// Jepsen's three-valued `:valid?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// `true`.
    True,
    /// `false`.
    False,
    /// `:unknown`.
    Unknown,
}

impl Validity {
    /// Combines verdicts: false wins, then unknown.
    pub fn all(verdicts: impl IntoIterator<Item = Validity>) -> Validity {
        verdicts
            .into_iter()
            .fold(Validity::True, |acc, v| match (acc, v) {
                (Validity::False, _) | (_, Validity::False) => Validity::False,
                (Validity::Unknown, _) | (_, Validity::Unknown) => Validity::Unknown,
                _ => Validity::True,
            })
    }

    /// The process exit status Maelstrom uses: 0, 1 or 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Validity::True => 0,
            Validity::False => 1,
            Validity::Unknown => 2,
        }
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Validity::True => "true",
            Validity::False => "false",
            Validity::Unknown => ":unknown",
        })
    }
}

/// A workload checker's result, as the rest of the simulator sees it: a verdict, its section
/// of the summary and of the JSON document, and everything the workload shows of a run: its
/// figures, its latency curves, its plots and any other files it adds to the results folder,
/// and how its operations' values print in `history.txt`. Only [`Verdict::valid`],
/// [`Verdict::summary`] and [`Verdict::json`] are required; the rest show nothing by default.
pub trait Verdict: Any + fmt::Debug + Send + Sync {
    /// The workload checker's `:valid?`.
    fn valid(&self) -> Validity;
    /// Writes the summary's `:workload` entry: lines starting ` :workload {`, each ending in
    /// `\n`, the last one in `},`.
    fn summary(&self, out: &mut String);
    /// The workload's figures for the JSON document (merged into it at the top level, so keys
    /// must not clash with the common ones; `workload_valid` is the convention for the verdict).
    fn json(&self) -> Map<String, Value>;
    /// Files the workload adds to a run's results folder besides its plots, each with what
    /// it holds for the folder's index. None by default.
    fn artifacts(&self) -> Vec<Artifact> {
        Vec::new()
    }

    /// The workload's figures, in display order: rows of the results browser's run page and
    /// comparison table (the verdict itself is shown for every workload). Kept in
    /// `results.json` under `figures`.
    fn figures(&self) -> Vec<Figure> {
        Vec::new()
    }

    /// Latency curves the workload measures beyond its operations' latency (broadcast's
    /// stable latency), kept in `results.json` under `series.workload` for comparing runs.
    fn series(&self) -> Vec<Series> {
        Vec::new()
    }

    /// The workload's plots for the results folder (feature `present`; draw them with
    /// [`crate::figures::draw`]). Generic plots (throughput, operation latency and rate) are
    /// drawn for every workload besides these.
    #[cfg(feature = "present")]
    fn plots(&self, _run: &PlotInput<'_>) -> Result<Vec<Plot>, String> {
        Ok(Vec::new())
    }

    /// How the value of operation `op` prints in EDN in `history.txt` and the timeline, if not
    /// as its JSON value in EDN (a transaction's micro-operations: `[[:r 1 nil] [:w 2 3]]`).
    fn value_edn(&self, _op: &Op) -> Option<String> {
        None
    }
}

/// The workload checker's result (`:workload`): any [`Verdict`], shared.
#[derive(Clone, Debug)]
pub struct WorkloadResult(Arc<dyn Verdict>);

impl WorkloadResult {
    /// Wraps a workload checker's result.
    pub fn new(verdict: impl Verdict) -> WorkloadResult {
        WorkloadResult(Arc::new(verdict))
    }

    /// The workload checker's verdict.
    pub fn valid(&self) -> Validity {
        self.0.valid()
    }

    /// The result as the workload's own type, if it is one (`r.get::<SetFullResult>()`).
    pub fn get<T: Verdict>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.0;
        any.downcast_ref()
    }

    /// The result behind the trait.
    pub fn verdict(&self) -> &dyn Verdict {
        &*self.0
    }
}

impl serde::Serialize for Validity {
    /// JSON's form: `true`, `false` or `"unknown"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Validity::True => s.serialize_bool(true),
            Validity::False => s.serialize_bool(false),
            Validity::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Validity {
    /// `true`, `false`, and anything else (`"unknown"`) as unknown.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Bool(true) => Validity::True,
            Value::Bool(false) => Validity::False,
            _ => Validity::Unknown,
        })
    }
}

impl Validity {
    /// JSON's form: `true`, `false` or `"unknown"`.
    pub fn json(self) -> Value {
        match self {
            Validity::True => json!(true),
            Validity::False => json!(false),
            Validity::Unknown => json!("unknown"),
        }
    }
}

/// Outcome counts of one kind of operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Completions of any type.
    pub count: usize,
    /// `:ok` completions.
    pub ok_count: usize,
    /// `:fail` completions.
    pub fail_count: usize,
    /// `:info` completions.
    pub info_count: usize,
}

/// Jepsen's `stats` checker.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsResult {
    /// True iff every kind of operation has at least one `:ok`.
    pub valid: Validity,
    /// Over all client operations.
    pub total: OutcomeCounts,
    /// Per kind of operation.
    pub by_f: BTreeMap<OpF, OutcomeCounts>,
}

/// Counts client completions by kind.
pub fn stats(ops: &[Op]) -> StatsResult {
    let mut total = OutcomeCounts::default();
    let mut by_f: BTreeMap<OpF, OutcomeCounts> = BTreeMap::new();
    for op in ops
        .iter()
        .filter(|o| o.is_client() && o.kind != OpType::Invoke)
    {
        for c in [&mut total, by_f.entry(op.f).or_default()] {
            c.count += 1;
            match op.kind {
                OpType::Ok => c.ok_count += 1,
                OpType::Fail => c.fail_count += 1,
                _ => c.info_count += 1,
            }
        }
    }
    // Maelstrom wraps `:stats` in kafka's `stats-checker` for every workload: `:crash` and
    // `:debug-topic-partitions` need no `:ok` (jepsen/tests/kafka.clj, maelstrom/core.clj).
    let counted = |f: &OpF| !matches!(f.name(), "crash" | "debug-topic-partitions");
    let valid = if by_f.iter().all(|(f, c)| !counted(f) || c.ok_count > 0) {
        Validity::True
    } else {
        Validity::False
    };
    StatsResult { valid, total, by_f }
}

/// What `--availability` demands of client operations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Availability {
    /// `total`: every operation must succeed.
    Total,
    /// A number: at least this fraction of operations must succeed.
    Fraction(f64),
}

impl std::str::FromStr for Availability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "total" {
            return Ok(Availability::Total);
        }
        match s.parse::<f64>() {
            Ok(p) if (0.0..=1.0).contains(&p) => Ok(Availability::Fraction(p)),
            _ => Err(format!(
                "availability must be `total` or a number in [0, 1], not {s:?}"
            )),
        }
    }
}

/// Maelstrom's availability checker.
#[derive(Clone, Debug, PartialEq)]
pub struct AvailabilityResult {
    /// Whether the demanded fraction of operations succeeded (always true without a demand).
    pub valid: Validity,
    /// `:ok` completions over client invocations (`None` without invocations).
    pub ok_fraction: Option<f64>,
}

/// Applies `--availability` to the client operations.
pub fn availability(demand: Option<Availability>, ops: &[Op]) -> AvailabilityResult {
    let client = ops.iter().filter(|o| o.is_client());
    let (mut invoked, mut ok) = (0usize, 0usize);
    for op in client {
        match op.kind {
            OpType::Invoke => invoked += 1,
            OpType::Ok => ok += 1,
            _ => {}
        }
    }
    let ok_fraction = (invoked > 0).then(|| ok as f64 / invoked as f64);
    let valid = match (demand, ok_fraction) {
        (None, _) => Validity::True,
        // Maelstrom divides by zero here: its checker crashes, which Jepsen reports as unknown.
        (Some(_), None) => Validity::Unknown,
        (Some(Availability::Total), Some(f)) => bool_validity(f >= 1.0),
        (Some(Availability::Fraction(p)), Some(f)) => bool_validity(f >= p),
    };
    AvailabilityResult { valid, ok_fraction }
}

fn bool_validity(b: bool) -> Validity {
    if b { Validity::True } else { Validity::False }
}

/// Every checker's result and the overall verdict.
#[derive(Clone, Debug)]
pub struct Results {
    /// Overall `:valid?`.
    pub valid: Validity,
    /// `:workload`.
    pub workload: WorkloadResult,
    /// `:stats`.
    pub stats: StatsResult,
    /// `:availability`.
    pub availability: AvailabilityResult,
}

/// Composes the workload checker's result with `:stats` and `:availability` over a history.
pub fn check_all(workload: WorkloadResult, demand: Option<Availability>, ops: &[Op]) -> Results {
    let stats = stats(ops);
    let availability = availability(demand, ops);
    Results {
        valid: Validity::all([workload.valid(), stats.valid, availability.valid]),
        workload,
        stats,
        availability,
    }
}
