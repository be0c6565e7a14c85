//! The checkers Maelstrom composes, and how their verdicts combine.
//!
//! `:workload` is [`set_full`] (broadcast), [`unique_ids`] or [`echo`]; `:stats` requires an
//! `:ok` for every kind of client operation; `:availability` applies `--availability`.
//! `:perf`, `:timeline`, `:exceptions` and `:net` are always valid. Overall: false if any is
//! false, else unknown if any is unknown, else true.

pub mod echo;
pub mod set_full;
pub mod unique_ids;

use std::collections::BTreeMap;
use std::fmt;

use crate::config::{Availability, Workload};
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

/// The workload checker's result.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkloadResult {
    /// Broadcast: set-full.
    Broadcast(set_full::SetFullResult),
    /// Unique ids.
    UniqueIds(unique_ids::UniqueIdsResult),
    /// Echo.
    Echo(echo::EchoResult),
}

impl WorkloadResult {
    /// The workload checker's verdict.
    pub fn valid(&self) -> Validity {
        match self {
            WorkloadResult::Broadcast(r) => r.valid,
            WorkloadResult::UniqueIds(r) => r.valid,
            WorkloadResult::Echo(r) => r.valid,
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
    let valid = if by_f.values().all(|c| c.ok_count > 0) {
        Validity::True
    } else {
        Validity::False
    };
    StatsResult { valid, total, by_f }
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
#[derive(Clone, Debug, PartialEq)]
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

/// Runs the checkers of `workload` over a history.
pub fn check_all(workload: Workload, demand: Option<Availability>, ops: &[Op]) -> Results {
    let workload = match workload {
        Workload::Broadcast => WorkloadResult::Broadcast(set_full::check(ops)),
        Workload::UniqueIds => WorkloadResult::UniqueIds(unique_ids::check(ops)),
        Workload::Echo => WorkloadResult::Echo(echo::check(ops)),
    };
    let stats = stats(ops);
    let availability = availability(demand, ops);
    Results {
        valid: Validity::all([workload.valid(), stats.valid, availability.valid]),
        workload,
        stats,
        availability,
    }
}
