//! Linearizability of independent registers: Jepsen's `independent/checker` around
//! `checker/linearizable` with Knossos's CAS register (`jepsen/independent.clj`,
//! `jepsen/checker.clj`, `knossos/model.clj`, `knossos/history.clj`).
//!
//! The history is split by key: every client operation whose value is a `[k v]` tuple
//! belongs to key k's history, unwrapped to `v`. Each key is checked on its own, keys in
//! parallel, with Knossos's preprocessing: a read's value is the one its `:ok` completion
//! returned; `:fail` operations are dropped with their invocations; an operation that ended
//! `:info` or never ended is crashed: it may take effect at any point after its invocation,
//! or never. The model is Knossos's CAS register, starting at `nil`: a write sets the value;
//! a cas `[a b]` is legal only if the value equals `a` (Clojure's `=`, so 1 ≠ 1.0) and then
//! sets `b`; a read of `v` is legal if `v` equals the value, or if `v` is `nil` (always). The
//! search is `wgl`: Wing & Gong with Lowe's cache of visited configurations, within a
//! [`Budget`]: a key whose search exceeds it is `:unknown`, with the budget named.
//!
//! The result is Maelstrom's `:workload` map: `:results` per key (`:linearizable`, and for an
//! invalid key the `:op` that cannot be linearized, the `:previous-ok` operation and up to
//! ten `:final-paths`; `:timeline`, always valid), `:failures` (invalid keys), and the merged
//! `:valid?` (false if any key is false, else unknown if any is unknown). [`present`] prints
//! it; [`diagram`] draws each invalid key's last moments into the results folder.

#[cfg(feature = "present")]
pub mod diagram;
pub mod present;
pub(crate) mod wgl;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::checkers::Validity;
use crate::history::{Op, OpF, OpType, OpValue, Process};
use wgl::{Call, Config, Outcome, Step};

/// How much one key's search may do before the key is `:unknown` (Knossos has no time
/// limit and answers `:unknown` only when the JVM runs low on memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Search steps (entries visited) per key.
    pub max_steps: u64,
    /// Bytes of visited configurations kept per key.
    pub max_cache_bytes: u64,
}

impl Default for Budget {
    /// 200 million steps (a few seconds) and 512 MiB per key.
    fn default() -> Self {
        Budget {
            max_steps: 200_000_000,
            max_cache_bytes: 512 << 20,
        }
    }
}

/// An operation as Knossos prints it: the completion (`:ok`, or `:info` for a crashed one)
/// with its history index and time.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownOp {
    /// Jepsen's process.
    pub process: u64,
    /// `:ok` or `:info`.
    pub kind: OpType,
    /// `read`, `write` or `cas`.
    pub f: OpF,
    /// The unwrapped value: what was read, written, or `[from to]`.
    pub value: Value,
    /// History index of the completion (of the invocation for an operation never completed).
    pub index: usize,
    /// Its time, ns since the run started.
    pub time_ns: u64,
}

/// The register after a step of a final path.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    /// `#knossos.model.CASRegister{:value v}`.
    Register(Value),
    /// `#knossos.model.Inconsistent{:msg "…"}`: the step was impossible.
    Inconsistent(String),
}

/// One step of a final path: an operation and the model after it (`{:op … :model …}`).
#[derive(Clone, Debug, PartialEq)]
pub struct PathStep {
    /// The operation (`None` for the initial configuration, before any operation).
    pub op: Option<ShownOp>,
    /// The register after it.
    pub model: Model,
}

/// Why a key is not linearizable (Knossos's analysis of an invalid history).
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The `:ok` operation that cannot be linearized.
    pub op: ShownOp,
    /// The last `:ok` operation before it completed.
    pub previous_ok: Option<ShownOp>,
    /// Up to ten ways the operations pending at that point could be ordered, each ending
    /// in an inconsistent model.
    pub final_paths: Vec<Vec<PathStep>>,
}

/// What the search concluded for one key.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyOutcome {
    /// Linearizable; the register's final value.
    Linearizable(Value),
    /// Not linearizable.
    NotLinearizable(Failure),
    /// The budget ran out; the cause names it.
    Unknown(String),
}

/// One key's operations, after Knossos's preprocessing.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyOp {
    /// Jepsen's process.
    pub process: u64,
    /// `read`, `write` or `cas`.
    pub f: OpF,
    /// The unwrapped value (a read's is what its completion returned).
    pub value: Value,
    /// History index and time (ns) of the invocation.
    pub invoke: (usize, u64),
    /// History index and time of the `:ok` completion; `None`: crashed.
    pub complete: Option<(usize, u64)>,
    /// History index and time of an `:info` completion, if there was one.
    pub info: Option<(usize, u64)>,
}

impl KeyOp {
    fn shown(&self) -> ShownOp {
        let (kind, (index, time_ns)) = match (self.complete, self.info) {
            (Some(c), _) => (OpType::Ok, c),
            (None, Some(i)) => (OpType::Info, i),
            (None, None) => (OpType::Info, self.invoke),
        };
        ShownOp {
            process: self.process,
            kind,
            f: self.f,
            value: self.value.clone(),
            index,
            time_ns,
        }
    }
}

/// One key's result.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyResult {
    /// The key.
    pub key: Value,
    /// Its `:valid?`.
    pub valid: Validity,
    /// The conclusion.
    pub outcome: KeyOutcome,
    /// Operations checked (`:fail` ones dropped).
    pub op_count: usize,
    /// Of which crashed.
    pub crashed_count: usize,
    /// Search steps taken.
    pub steps: u64,
    /// Configurations the cache kept.
    pub configs: usize,
    /// The key's operations, kept for invalid keys (the diagram draws them).
    pub ops: Vec<KeyOp>,
}

/// The workload checker's result (`:workload` of a lin-kv test).
#[derive(Clone, Debug, PartialEq)]
pub struct LinearizableResult {
    /// Merged over keys: false if any is false, else unknown if any is unknown.
    pub valid: Validity,
    /// Per key, sorted by key.
    pub results: Vec<KeyResult>,
    /// Keys that are not linearizable.
    pub failures: Vec<Value>,
    /// The budget each key had.
    pub budget: Budget,
}

/// Splits a history by key and checks each key, keys in parallel.
pub fn check(ops: &[Op], budget: &Budget) -> LinearizableResult {
    let keys = split(ops);
    let keys: Vec<(Value, Vec<KeyOp>)> = keys.into_values().collect();
    let results: Vec<Mutex<Option<KeyResult>>> = keys.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(keys.len())
        .max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((key, ops)) = keys.get(i) else { break };
                    let r = check_key(key.clone(), ops.clone(), budget);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let results: Vec<KeyResult> = results
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect();
    let failures = results
        .iter()
        .filter(|r| r.valid == Validity::False)
        .map(|r| r.key.clone())
        .collect();
    LinearizableResult {
        valid: Validity::all(results.iter().map(|r| r.valid)),
        results,
        failures,
        budget: *budget,
    }
}

/// Sort order of keys: integers numerically, then anything else by its JSON text.
fn key_order(k: &Value) -> (u8, i64, String) {
    match k.as_i64() {
        Some(i) => (0, i, String::new()),
        None => (1, 0, k.to_string()),
    }
}

/// Each key's operations, with Knossos's preprocessing.
pub fn split(ops: &[Op]) -> BTreeMap<(u8, i64, String), (Value, Vec<KeyOp>)> {
    let mut keys: BTreeMap<(u8, i64, String), (Value, Vec<KeyOp>)> = BTreeMap::new();
    // Each process has at most one operation outstanding: (key, position in its list).
    let mut open: BTreeMap<u64, ((u8, i64, String), usize)> = BTreeMap::new();
    let mut failed: Vec<((u8, i64, String), usize)> = Vec::new();
    for op in ops {
        let Process::Client(p) = op.process else {
            continue;
        };
        let OpValue::Json(Value::Array(kv)) = &op.value else {
            continue;
        };
        let [k, v] = kv.as_slice() else { continue };
        match op.kind {
            OpType::Invoke => {
                let order = key_order(k);
                let (_, list) = keys
                    .entry(order.clone())
                    .or_insert_with(|| (k.clone(), Vec::new()));
                list.push(KeyOp {
                    process: p,
                    f: op.f,
                    value: v.clone(),
                    invoke: (op.index, op.time_ns),
                    complete: None,
                    info: None,
                });
                open.insert(p, (order, list.len() - 1));
            }
            kind => {
                let Some((order, i)) = open.remove(&p) else {
                    continue;
                };
                let Some((_, list)) = keys.get_mut(&order) else {
                    continue;
                };
                let entry = &mut list[i];
                match kind {
                    OpType::Ok => {
                        entry.complete = Some((op.index, op.time_ns));
                        entry.value = v.clone();
                    }
                    OpType::Fail => failed.push((order, i)),
                    _ => entry.info = Some((op.index, op.time_ns)),
                }
            }
        }
    }
    let failed: std::collections::BTreeSet<((u8, i64, String), usize)> =
        failed.into_iter().collect();
    for (order, (_, list)) in keys.iter_mut() {
        let mut i = 0;
        list.retain(|_| {
            i += 1;
            !failed.contains(&(order.clone(), i - 1))
        });
    }
    keys.into_iter()
        .filter(|(_, (_, list))| !list.is_empty())
        .collect()
}

/// Values interned for the search: 0 is `nil`.
#[derive(Default)]
struct Values(Vec<Value>);

impl Values {
    fn id(&mut self, v: &Value) -> u32 {
        if self.0.is_empty() {
            self.0.push(Value::Null);
        }
        if let Some(i) = self.0.iter().position(|x| x == v) {
            return i as u32;
        }
        self.0.push(v.clone());
        (self.0.len() - 1) as u32
    }

    fn get(&self, id: u32) -> Value {
        self.0.get(id as usize).cloned().unwrap_or(Value::Null)
    }
}

fn step_of(op: &KeyOp, values: &mut Values) -> Step {
    match op.f.name() {
        "write" => Step::Write(values.id(&op.value)),
        "cas" => {
            let (from, to) = match op.value.as_array().map(Vec::as_slice) {
                Some([a, b]) => (a.clone(), b.clone()),
                _ => (Value::Null, Value::Null),
            };
            Step::Cas(values.id(&from), values.id(&to))
        }
        _ if op.value.is_null() => Step::Read(None),
        _ => Step::Read(Some(values.id(&op.value))),
    }
}

/// Checks one key's operations.
pub fn check_key(key: Value, mut ops: Vec<KeyOp>, budget: &Budget) -> KeyResult {
    // A crashed read changes nothing and is legal anywhere: Knossos keeps it to no effect.
    ops.retain(|o| !(o.complete.is_none() && o.f == OpF::READ));
    let mut values = Values::default();
    values.id(&Value::Null);
    let calls: Vec<Call> = ops
        .iter()
        .map(|o| Call {
            step: step_of(o, &mut values),
            invoke: o.invoke.0,
            complete: o.complete.map(|c| c.0),
        })
        .collect();
    let search = wgl::search(&calls, budget);
    let crashed_count = ops.iter().filter(|o| o.complete.is_none()).count();
    let (valid, outcome, keep) = match search.outcome {
        Outcome::Valid(state) => (
            Validity::True,
            KeyOutcome::Linearizable(values.get(state)),
            false,
        ),
        Outcome::Unknown(why) => (Validity::Unknown, KeyOutcome::Unknown(why), false),
        Outcome::Invalid { op, configs } => {
            let failure = failure(&ops, &calls, &values, op, &configs);
            (Validity::False, KeyOutcome::NotLinearizable(failure), true)
        }
    };
    KeyResult {
        key,
        valid,
        outcome,
        op_count: ops.len(),
        crashed_count,
        steps: search.steps,
        configs: search.configs,
        ops: if keep { ops } else { Vec::new() },
    }
}

/// Knossos's message for an impossible step, with Clojure's `str` of the values (`nil` is
/// empty).
fn inconsistency(op: &KeyOp, state: &Value) -> String {
    let s = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => present::edn(other),
    };
    match op.f.name() {
        "cas" => {
            let (from, to) = match op.value.as_array().map(Vec::as_slice) {
                Some([a, b]) => (a.clone(), b.clone()),
                _ => (Value::Null, Value::Null),
            };
            format!("can't CAS {} from {} to {}", s(state), s(&from), s(&to))
        }
        _ => format!("can't read {} from register {}", s(&op.value), s(state)),
    }
}

/// Paths from each stuck configuration: every order of a subset of the pending operations,
/// then the failing one, each extended until the register refuses a step (Knossos's
/// `final-paths-for-config`); at most ten, explored within a fixed amount of work.
fn failure(
    ops: &[KeyOp],
    calls: &[Call],
    values: &Values,
    op: usize,
    configs: &[Config],
) -> Failure {
    let target = &ops[op];
    let done = target.complete.map_or(usize::MAX, |c| c.0);
    let previous_ok = ops
        .iter()
        .filter(|o| o.complete.is_some_and(|c| c.0 < done))
        .max_by_key(|o| o.complete.map(|c| c.0))
        .map(KeyOp::shown);
    let pending: Vec<usize> = (0..ops.len())
        .filter(|&i| {
            ops[i].invoke.0 < done
                && ops[i].complete.is_none_or(|c| c.0 > done)
                && ops[i].process != target.process
        })
        .collect();
    let mut paths: Vec<Vec<PathStep>> = Vec::new();
    let mut work = 0usize;
    for config in configs {
        let prefix = vec![PathStep {
            op: config.last.map(|i| ops[i].shown()),
            model: Model::Register(values.get(config.state)),
        }];
        let free: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&i| !config.has(i))
            .collect();
        let mut walk = Walk {
            ops,
            calls,
            values,
            target: op,
            paths: &mut paths,
            work: &mut work,
        };
        walk.extend(prefix, config.state, &free);
    }
    Failure {
        op: target.shown(),
        previous_ok,
        final_paths: paths,
    }
}

const MAX_PATHS: usize = 10;
const MAX_WORK: usize = 20_000;

struct Walk<'a> {
    ops: &'a [KeyOp],
    calls: &'a [Call],
    values: &'a Values,
    target: usize,
    paths: &'a mut Vec<Vec<PathStep>>,
    work: &'a mut usize,
}

impl Walk<'_> {
    fn apply(&self, path: &mut Vec<PathStep>, state: u32, i: usize) -> Option<u32> {
        let after = self.calls[i].step.apply(state);
        let model = match after {
            Some(s) => Model::Register(self.values.get(s)),
            None => Model::Inconsistent(inconsistency(&self.ops[i], &self.values.get(state))),
        };
        path.push(PathStep {
            op: Some(self.ops[i].shown()),
            model,
        });
        after
    }

    fn record(&mut self, path: Vec<PathStep>) {
        if self.paths.len() < MAX_PATHS && !self.paths.contains(&path) {
            self.paths.push(path);
        }
    }

    fn extend(&mut self, path: Vec<PathStep>, state: u32, free: &[usize]) {
        *self.work += 1;
        if self.paths.len() >= MAX_PATHS || *self.work > MAX_WORK {
            return;
        }
        let mut last = path.clone();
        self.apply(&mut last, state, self.target);
        self.record(last);
        for (k, &i) in free.iter().enumerate() {
            let mut next = path.clone();
            match self.apply(&mut next, state, i) {
                None => self.record(next),
                Some(after) => {
                    let rest: Vec<usize> =
                        free[..k].iter().chain(&free[k + 1..]).copied().collect();
                    self.extend(next, after, &rest);
                }
            }
        }
    }
}
