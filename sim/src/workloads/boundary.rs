//! The workload boundary: what the cluster asks of a workload, and how a workload registers.
//!
//! The cluster core runs the timeline every workload shares (setup, a main phase of operations
//! on Jepsen's schedule, draining, then optionally the heal, the quiet recovery period and
//! the final operations) and the network, clients and history under it. A workload decides
//! the rest through [`WorkloadRun`]: which operation comes next, how it becomes a request
//! body, how a reply becomes its completion, Maelstrom's client rules for it, whether the
//! final phase runs and with which operation, and the checker whose
//! [`Verdict`](crate::checkers::Verdict) joins
//! `:stats` and `:availability` in the overall `:valid?`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::checkers::WorkloadResult;
use crate::history::{Op, OpF, OpValue};
use crate::workloads::rpc::Reply;
use crate::world::rng::Rng;

/// Per-workload settings by flag name (`key-count` → `"3"`), as given on the command line.
pub type WorkloadOptions = BTreeMap<String, String>;

/// A command-line flag a workload reads (`--key-count N`); `glomers-sim test` offers every
/// registered workload's flags and stores what is given in [`WorkloadOptions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkloadOption {
    /// The flag without its dashes: `key-count`. Workloads that share a flag name share it.
    pub flag: &'static str,
    /// The placeholder of its value in help: `N`.
    pub value_name: &'static str,
    /// One line of help, naming the default.
    pub help: &'static str,
}

/// What a workload is told when a run starts.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    /// The workload's flags as given (absent ones take the workload's defaults).
    pub options: &'a WorkloadOptions,
    /// Nodes in the cluster.
    pub node_count: u16,
    /// Client worker threads.
    pub threads: usize,
}

impl Setup<'_> {
    /// Flag `flag` parsed as a `T`, or `default` when absent.
    pub fn option<T: std::str::FromStr>(&self, flag: &str, default: T) -> Result<T, String> {
        match self.options.get(flag) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| format!("--{flag}: cannot read {text:?}")),
        }
    }
}

/// Maelstrom's client rules for a workload (the clients of Maelstrom's `maelstrom/src/maelstrom/workload/*.clj`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientRules {
    /// Whether a worker keeps its client after an indeterminate (`:info`) outcome; if not,
    /// the worker opens a new client (a new `c…` id) for its next operation.
    pub reusable_after_info: bool,
    /// How long a client waits for a reply; `None`: [`crate::SimConfig::client_timeout`].
    pub timeout: Option<Duration>,
    /// Whether a definite error code makes the operation `:fail` (Maelstrom's counters make
    /// every error `:info`).
    pub definite_errors_fail: bool,
}

impl Default for ClientRules {
    /// Echo and broadcast's rules: a new client after `:info`, the configured timeout,
    /// definite errors fail.
    fn default() -> Self {
        ClientRules {
            reusable_after_info: false,
            timeout: None,
            definite_errors_fail: true,
        }
    }
}

/// A workload, set up for one run: everything the cluster core asks of it.
pub trait WorkloadRun: fmt::Debug + Send {
    /// Whether setup sends the `topology` message after `init` (broadcast does).
    fn sends_topology(&self) -> bool {
        false
    }

    /// The next operation of the main phase. `rng` is the workload's random stream, which
    /// the schedule's gaps also draw from.
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue);

    /// The request body of an operation: a JSON object with its `type` first and without
    /// `msg_id`, which the client appends as the last key.
    fn request(&self, f: OpF, value: &OpValue) -> String;

    /// Checks a reply body to operation `f` against the workload's closed schema (usually
    /// [`crate::workloads::rpc::check_reply`]) and extracts the completion's value;
    /// `Reply::Ok(OpValue::None)` keeps the invocation's value.
    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply;

    /// Whether operation `f` is idempotent: a timeout or an indefinite error then counts as
    /// `:fail` instead of `:info` (broadcast's `read`).
    fn idempotent(&self, _f: OpF) -> bool {
        false
    }

    /// Maelstrom's client rules for this workload.
    fn client_rules(&self) -> ClientRules {
        ClientRules::default()
    }

    /// Whether the final phase runs after the main one: heal the network and end the extra
    /// faults, wait [`crate::SimConfig::recovery`], then every worker thread invokes
    /// [`WorkloadRun::final_op`] at the same instant.
    fn final_phase(&self) -> bool {
        false
    }

    /// The operation a worker thread invokes in the final phase (marked `:final?`).
    fn final_op(&mut self) -> (OpF, OpValue) {
        (OpF::READ, OpValue::None)
    }

    /// The workload's checker over the finished history.
    fn check(&self, ops: &[Op]) -> WorkloadResult;
}

/// A workload in the registry ([`crate::workloads::REGISTRY`]).
#[derive(Clone, Copy)]
pub struct Entry {
    /// Maelstrom's name (`-w broadcast`).
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The flags it reads.
    pub options: &'static [WorkloadOption],
    /// Sets it up for one run; an error is a configuration error.
    pub build: fn(&Setup<'_>) -> Result<Box<dyn WorkloadRun>, String>,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
