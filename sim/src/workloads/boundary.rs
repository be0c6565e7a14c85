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
use crate::history::{Op, OpF, OpType, OpValue};
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
    /// `--latency` in ms (lin-kv's RPC timeout is max(10 × latency, 1000) ms).
    pub latency_ms: u64,
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

/// How a worker's client carries out an operation ([`WorkloadRun::invoke`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Invocation {
    /// Send this request body (without `msg_id`) to the worker's node.
    Rpc(String),
    /// Complete at once, without a message, as this type and value (kafka's `crash`, and its
    /// seek-to-beginning `assign`).
    Local(OpType, OpValue),
}

/// What a client does with the reply to its outstanding request ([`WorkloadRun::on_reply`]).
#[derive(Clone, Debug, PartialEq)]
pub enum ReplyStep {
    /// The operation completes as this reply says.
    Done(Reply),
    /// The operation goes on with another request (this body, without `msg_id`) from the same
    /// client to the same node, under a fresh timeout: kafka's `poll` followed by its
    /// `commit_offsets`.
    Then(String),
}

/// What a worker thread does next in the final phase ([`WorkloadRun::final_step`]).
#[derive(Clone, Debug, PartialEq)]
pub enum FinalStep {
    /// Invoke this operation now (recorded `:final?`).
    Op(OpF, OpValue),
    /// Sleep this long, then ask again.
    Wait(Duration),
    /// The thread has finished the final phase.
    Done,
}

/// A worker thread as a thread-aware generator sees it ([`WorkloadRun::next_op_on`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadView {
    /// An operation is outstanding.
    pub busy: bool,
    /// Jepsen's process number of the thread (it grows by the concurrency after each `:info`).
    pub process: u64,
}

/// A workload, set up for one run: everything the cluster core asks of it.
///
/// The methods with defaults after [`WorkloadRun::check`] serve workloads whose client keeps
/// state per worker thread, or whose final phase is more than one operation per thread
/// (kafka); the defaults reduce them to the simple methods above them.
pub trait WorkloadRun: fmt::Debug + Send {
    /// Whether setup sends the `topology` message after `init` (broadcast does).
    fn sends_topology(&self) -> bool {
        false
    }

    /// The next operation of the main phase. `rng` is the workload's random stream, which
    /// the schedule's gaps also draw from.
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue);

    /// Whether the workload picks the worker thread of each operation itself
    /// ([`WorkloadRun::next_op_on`]), as Jepsen's `reserve` and `independent` generators do;
    /// otherwise the cluster hands [`WorkloadRun::next_op`] to the next free thread in
    /// round-robin order.
    fn picks_threads(&self) -> bool {
        false
    }

    /// For workloads that [pick threads](WorkloadRun::picks_threads): the thread (an index
    /// into `threads`, which must not be busy) and operation of the next due operation, or
    /// `None` when no free thread may take one now (the operation then waits for a thread).
    fn next_op_on(
        &mut self,
        _threads: &[ThreadView],
        _rng: &mut Rng,
    ) -> Option<(usize, OpF, OpValue)> {
        None
    }

    /// The request body of an operation: a JSON object with its `type` first and without
    /// `msg_id`, which the client appends as the last key.
    fn request(&self, f: OpF, value: &OpValue) -> String;

    /// Checks a reply body to operation `f` against the workload's closed schema (usually
    /// [`crate::workloads::rpc::check_reply`]) and extracts the completion's value;
    /// `Reply::Ok(OpValue::None)` keeps the invocation's value.
    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply;

    /// Like [`WorkloadRun::reply`], knowing the invocation's value (lin-kv's read completes
    /// as `[k v]` with the key it asked for). By default, [`WorkloadRun::reply`].
    fn reply_to(&self, f: OpF, _invoked: &OpValue, body: &Map<String, Value>) -> Reply {
        self.reply(f, body)
    }

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

    /// Whether the final operations are tagged `:final? true` in the history (broadcast's
    /// are; g-set's `gen/each-thread` reads are not).
    fn final_op_tagged(&self) -> bool {
        true
    }

    /// The workload's checker over the finished history.
    fn check(&self, ops: &[Op]) -> WorkloadResult;

    /// The next operation of the main phase when it is due `at` after the main phase began
    /// (kafka merges a timed stream of client crashes into its operations). Defaults to
    /// [`WorkloadRun::next_op`].
    fn next_op_at(&mut self, rng: &mut Rng, _at: Duration) -> (OpF, OpValue) {
        self.next_op(rng)
    }

    /// How worker thread `thread`'s client carries out operation `f`: a request, or an
    /// immediate completion. Defaults to a request of [`WorkloadRun::request`].
    fn invoke(&mut self, _thread: usize, f: OpF, value: &OpValue) -> Invocation {
        Invocation::Rpc(self.request(f, value))
    }

    /// What worker thread `thread`'s client makes of a reply to operation `f`, invoked with
    /// `invoked`: a completion, or another request. Defaults to [`WorkloadRun::reply_to`].
    fn on_reply(
        &mut self,
        _thread: usize,
        f: OpF,
        invoked: &OpValue,
        body: &Map<String, Value>,
    ) -> ReplyStep {
        ReplyStep::Done(self.reply_to(f, invoked, body))
    }

    /// Tells the workload that worker thread `thread`'s operation completed as `op` (already
    /// in the history). After an `:info` the thread's client is replaced unless
    /// [`ClientRules::reusable_after_info`]; a workload with per-client state resets it here.
    fn on_complete(&mut self, _thread: usize, _op: &Op) {}

    /// What worker thread `thread` does next in the final phase; `first` on its first call,
    /// at the phase's start, and later each time its previous operation completed or its
    /// wait ended; `at` is the time since the main phase began. Defaults to one
    /// [`WorkloadRun::final_op`] per thread.
    fn final_step(
        &mut self,
        _thread: usize,
        first: bool,
        _at: Duration,
        _rng: &mut Rng,
    ) -> FinalStep {
        if first {
            let (f, value) = self.final_op();
            FinalStep::Op(f, value)
        } else {
            FinalStep::Done
        }
    }
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
