//! Jepsen's kafka checker (`jepsen/tests/kafka.clj`: `analysis`, `condense-error`,
//! `allowed-error-types`, `checker`) as Maelstrom 0.2.3 runs it, over client `send`, `poll`,
//! `assign` and `crash` operations.
//!
//! **Derived data.** A send is *committed* if it is `:ok`, or `:info` with its message in some
//! `:ok` poll. Per key the *log* maps offsets to the messages seen there, from committed sends
//! with a known offset and from `:ok` polls. An offset's *index* is its rank among the offsets
//! holding a message (gaps ignored); the *version order* lists one message per index (the first
//! one seen at that offset), and a message's index is its last position in that order. A
//! message's *writer* is its send's completion, whatever its type.
//!
//! **Anomalies** (all of them decide validity, except `:int-send-skip` and the `:G0` family,
//! which a single-send workload never produces):
//! - `:inconsistent-offsets`: an offset holding two messages; `:duplicate`: a message at two
//!   indices;
//! - `:lost-write`: per key, with `bound` = the highest first index of any message an `:ok` poll
//!   returned, a committed message whose last index ≤ `bound` that no `:ok` poll returned;
//! - `:unseen`: a message of an `:ok` send that no `:ok` poll ever returned;
//! - `:G1a`: an `:ok` poll returned a message whose send failed;
//! - `:poll-skip` / `:nonmonotonic-poll`: per process, the first message of a poll's list for
//!   a key is more than one index after / not after the last message of the process's previous
//!   poll of that key (an `:ok`/`:info` assign forgets unassigned keys); `:int-poll-skip` /
//!   `:int-nonmonotonic-poll`: the same between neighbours inside one list;
//! - `:nonmonotonic-send`: per process, a send to a key not after its previous send there;
//! - `:G1c-realtime`: the only cycle Elle can find with one micro-operation per operation and
//!   wr plus real-time edges: a poll returned a message whose send was invoked after the poll
//!   completed. (A cycle alternates sends and polls; if every read's send was invoked before
//!   the reading poll completed, the invocation times along the cycle strictly increase.)
//!
//! A returned message without any writer, or no `:ok` poll holding a key (an empty realtime
//! lag series), makes Jepsen's checker throw: `:valid? :unknown`.
//!
//! Unlike Jepsen, nothing is indexed by offset value, so sparse offsets cost nothing
//! (jepsen-io/maelstrom#51); maps are keyed by (key, message).

pub mod lag;
pub mod parse;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Value, json};

use crate::checkers::Validity;
use crate::checkers::quantiles::{Quantiles, quantiles};
use crate::history::{Op, OpType};
use lag::{PollLag, poll_lags};
use parse::{Completion, IntMap, Key, Kind, Msg, Parsed};

/// One error type's cases, condensed as Jepsen's `condense-error` does.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorCases {
    /// How many cases were found.
    pub count: usize,
    /// The kept cases (all, or the most telling few), as JSON maps.
    pub errs: Vec<Value>,
}

/// The `:unseen` entry: acknowledged messages no poll returned.
#[derive(Clone, Debug, PartialEq)]
pub struct Unseen {
    /// Time of the last `:ok` send or poll, ns.
    pub time_ns: u64,
    /// Per key, how many messages are unseen.
    pub unseen: BTreeMap<String, usize>,
    /// Per key, up to 32 of them (smallest first).
    pub messages: BTreeMap<String, Vec<Value>>,
}

/// `:worst-realtime-lag`.
#[derive(Clone, Debug, PartialEq)]
pub struct WorstLag {
    /// The poll's invocation time, ns.
    pub time_ns: u64,
    /// Its process.
    pub process: u64,
    /// The key.
    pub key: String,
    /// The lag, ns.
    pub lag_ns: u64,
}

/// The kafka checker's result.
#[derive(Clone, Debug, PartialEq)]
pub struct KafkaResult {
    /// `:valid?`.
    pub valid: Validity,
    /// Why the checker could not decide (Jepsen's exception), when `:unknown`.
    pub exception: Option<String>,
    /// Every error type found, with its cases (`:unseen` apart).
    pub errors: BTreeMap<String, ErrorCases>,
    /// `:unseen`, when some acknowledged message was never polled.
    pub unseen: Option<Unseen>,
    /// `:bad-error-types`: the error types that invalidate the run.
    pub bad_error_types: Vec<String>,
    /// `:info-txn-causes`: the distinct errors of `:info` sends and polls.
    pub info_txn_causes: Vec<String>,
    /// `:worst-realtime-lag`.
    pub worst_realtime_lag: Option<WorstLag>,
    /// Per `:ok` poll: (invocation ns, its worst key's lag ns), in history order.
    pub lag_series: Vec<(u64, u64)>,
    /// Quantiles of the per-poll worst lag, ms.
    pub lag_quantiles: Option<Quantiles>,
    /// After each `:ok` send or poll: (ns, acknowledged messages not yet polled).
    pub unseen_series: Vec<(u64, u64)>,
    /// Latency quantiles (ms) of `:ok` sends and `:ok` polls.
    pub send_latency: Option<Quantiles>,
    /// See `send_latency`.
    pub poll_latency: Option<Quantiles>,
    /// `:ok` sends, and sends of any outcome.
    pub sends_ok: usize,
    /// See `sends_ok`.
    pub sends: usize,
}

impl KafkaResult {
    /// `:error-types`: every type found, sorted.
    pub fn error_types(&self) -> Vec<String> {
        let mut t: BTreeSet<String> = self.errors.keys().cloned().collect();
        if self.unseen.is_some() {
            t.insert("unseen".into());
        }
        t.into_iter().collect()
    }
}

/// Error types Jepsen allows without `subscribe` or ww inference (`allowed-error-types`).
pub const ALLOWED: [&str; 4] = ["int-send-skip", "G0", "G0-process", "G0-realtime"];

/// Largest number of skipped messages listed in one skip case.
const SKIPPED_SHOWN: usize = 32;

/// Everything the anomaly passes share.
struct Analysis<'a> {
    p: &'a Parsed,
    /// (key, msg) → index in the version order (its last position there).
    by_value: IntMap<(Key, Msg), u32>,
    /// Per key, the version order.
    by_index: Vec<Vec<Msg>>,
    /// Per key, the log: offset → messages (first seen first).
    logs: Vec<BTreeMap<i64, Vec<Msg>>>,
    /// (key, msg) → its send's completion (position in `p.ops`; the last if several).
    writer: IntMap<(Key, Msg), usize>,
    /// (key, msg) pairs some `:ok` poll returned.
    ok_read: HashSet<(Key, Msg), std::hash::BuildHasherDefault<parse::IntHasher>>,
    /// (key, msg) → the first `:ok` poll that returned it.
    first_reader: IntMap<(Key, Msg), usize>,
    errors: BTreeMap<&'static str, Vec<(i64, Value)>>,
    exception: Option<String>,
}

/// Runs the checker over a history.
pub fn check(ops: &[Op]) -> KafkaResult {
    let p = Parsed::new(ops);
    let mut a = Analysis::new(&p);
    a.inconsistent_and_duplicates();
    a.g1a_and_g1c();
    a.lost_writes();
    a.poll_order();
    a.int_poll_order();
    a.send_order();
    let unseen_series = unseen_series(&p);
    let unseen = final_unseen(&p);
    let lags = poll_lags(&p);
    if lags.is_empty() && a.exception.is_none() {
        a.exception = Some("no :ok poll held any key: the realtime lag series is empty".into());
    }
    let worst = lags
        .iter()
        .fold(None::<&PollLag>, |w, l| match w {
            Some(w) if w.lag >= l.lag => Some(w),
            _ => Some(l),
        })
        .map(|l| WorstLag {
            time_ns: l.time,
            process: l.process,
            key: p.keys[l.key as usize].clone(),
            lag_ns: l.lag,
        });
    let lag_ms: Vec<u64> = lags.iter().map(|l| l.lag / 1_000_000).collect();
    let errors: BTreeMap<String, ErrorCases> = std::mem::take(&mut a.errors)
        .into_iter()
        .map(|(t, cases)| (t.to_string(), condense(t, cases)))
        .collect();
    let mut types: BTreeSet<String> = errors.keys().cloned().collect();
    if unseen.is_some() {
        types.insert("unseen".into());
    }
    let (bad, valid) = verdict(types, a.exception.is_some());
    let mut causes: Vec<String> = Vec::new();
    for c in &p.ops {
        if c.kind == OpType::Info && matches!(c.f, Kind::Send | Kind::Poll) {
            if let Some(e) = &c.error {
                if !causes.contains(e) {
                    causes.push(e.clone());
                }
            }
        }
    }
    let latency = |f: Kind| {
        let ms: Vec<u64> = p
            .ops
            .iter()
            .filter(|c| c.f == f && c.kind == OpType::Ok)
            .map(|c| c.time.saturating_sub(c.invoked) / 1_000_000)
            .collect();
        quantiles(&ms)
    };
    let sends: Vec<&Completion> = p.ops.iter().filter(|c| c.f == Kind::Send).collect();
    KafkaResult {
        valid,
        exception: a.exception.take(),
        errors,
        unseen,
        bad_error_types: bad,
        info_txn_causes: causes,
        worst_realtime_lag: worst,
        lag_series: lags.iter().map(|l| (l.time, l.lag)).collect(),
        lag_quantiles: quantiles(&lag_ms),
        unseen_series,
        send_latency: latency(Kind::Send),
        poll_latency: latency(Kind::Poll),
        sends_ok: sends.iter().filter(|c| c.kind == OpType::Ok).count(),
        sends: sends.len(),
    }
}

/// Jepsen's `condense-error`: the count, and which cases to show.
/// Jepsen's `checker` verdict: the error types outside [`ALLOWED`] (sorted), invalid when
/// there is any, else `:unknown` when the analysis threw.
fn verdict(types: BTreeSet<String>, threw: bool) -> (Vec<String>, Validity) {
    let bad: Vec<String> = types
        .into_iter()
        .filter(|t| !ALLOWED.contains(&t.as_str()))
        .collect();
    let valid = if !bad.is_empty() {
        Validity::False
    } else if threw {
        Validity::Unknown
    } else {
        Validity::True
    };
    (bad, valid)
}

/// Jepsen's `condense-error`: how many cases of each type the result keeps.
fn condense(t: &str, mut cases: Vec<(i64, Value)>) -> ErrorCases {
    let count = cases.len();
    cases.sort_by_key(|(k, _)| *k);
    let keep: Vec<Value> = match t {
        "duplicate" | "inconsistent-offsets" => cases.into_iter().take(32).map(|c| c.1).collect(),
        "G1c-realtime" | "int-nonmonotonic-poll" | "nonmonotonic-poll" | "nonmonotonic-send" => {
            cases.into_iter().take(8).map(|c| c.1).collect()
        }
        "int-poll-skip" | "poll-skip" => {
            let skip = cases.len().saturating_sub(8);
            cases.into_iter().skip(skip).map(|c| c.1).collect()
        }
        _ => cases.into_iter().map(|c| c.1).collect(),
    };
    ErrorCases { count, errs: keep }
}

impl<'a> Analysis<'a> {
    fn new(p: &'a Parsed) -> Analysis<'a> {
        let mut a = Analysis {
            p,
            by_value: IntMap::default(),
            by_index: vec![Vec::new(); p.keys.len()],
            logs: vec![BTreeMap::new(); p.keys.len()],
            writer: IntMap::default(),
            ok_read: HashSet::default(),
            first_reader: IntMap::default(),
            errors: BTreeMap::new(),
            exception: None,
        };
        for (i, c) in p.ops.iter().enumerate() {
            if let Some((k, m, _)) = c.send {
                a.writer.insert((k, m), i);
            }
            if c.f == Kind::Poll {
                for r in p.reads_of(c) {
                    for (_, m) in p.pairs_of(r) {
                        a.ok_read.insert((r.key, *m));
                        a.first_reader.entry((r.key, *m)).or_insert(i);
                    }
                }
            }
        }
        // The logs, from committed sends with an offset (only `:ok` sends know one) and
        // `:ok` polls, in history order.
        for c in &p.ops {
            match (c.f, c.kind, c.send) {
                (Kind::Send, OpType::Ok, Some((k, m, Some(o)))) => {
                    log_insert(&mut a.logs[k as usize], o, m);
                }
                (Kind::Poll, OpType::Ok, _) => {
                    for r in p.reads_of(c) {
                        for (o, m) in p.pairs_of(r) {
                            log_insert(&mut a.logs[r.key as usize], *o, *m);
                        }
                    }
                }
                _ => {}
            }
        }
        for (k, log) in a.logs.iter().enumerate() {
            let order: Vec<Msg> = log.values().map(|ms| ms[0]).collect();
            for (i, m) in order.iter().enumerate() {
                a.by_value.insert((k as Key, *m), i as u32);
            }
            a.by_index[k] = order;
        }
        a
    }

    fn push(&mut self, t: &'static str, sort: i64, case: Value) {
        self.errors.entry(t).or_default().push((sort, case));
    }

    fn key(&self, k: Key) -> Value {
        Value::String(self.p.keys[k as usize].clone())
    }

    fn msg(&self, m: Msg) -> Value {
        self.p.msg_json(m)
    }

    fn index(&self, k: Key, m: Option<Msg>) -> Option<i64> {
        m.and_then(|m| self.by_value.get(&(k, m)).map(|i| i64::from(*i)))
    }

    fn op(&self, i: usize) -> Value {
        op_json(&self.p.ops[i])
    }

    fn skipped(&self, k: Key, from: i64, to: i64) -> Value {
        let order = &self.by_index[k as usize];
        let msgs: Vec<Value> = (from + 1..to)
            .take(SKIPPED_SHOWN)
            .filter_map(|i| order.get(i as usize).map(|m| self.msg(*m)))
            .collect();
        Value::Array(msgs)
    }

    /// `:inconsistent-offsets` and `:duplicate`.
    fn inconsistent_and_duplicates(&mut self) {
        for k in 0..self.logs.len() {
            let key = k as Key;
            let mut found = Vec::new();
            for (index, (offset, msgs)) in self.logs[k].iter().enumerate() {
                if msgs.len() > 1 {
                    let values: Vec<Value> = msgs.iter().map(|m| self.msg(*m)).collect();
                    let case = json!({"key": self.key(key), "offset": offset, "index": index,
                                      "values": values});
                    found.push((msgs.len() as i64, case));
                }
            }
            for (n, case) in found {
                self.push("inconsistent-offsets", n, case);
            }
            let mut counts: BTreeMap<Msg, i64> = BTreeMap::new();
            for m in &self.by_index[k] {
                *counts.entry(*m).or_default() += 1;
            }
            for (m, n) in counts.into_iter().filter(|(_, n)| *n > 1) {
                let case = json!({"key": self.key(key), "value": self.msg(m), "count": n});
                self.push("duplicate", n, case);
            }
        }
    }

    /// `:G1a` (an `:ok` poll returned a failed send's message) and `:G1c-realtime` (it
    /// returned a message sent only after the poll completed); a message without a writer is
    /// Jepsen's `:no-writer-of-value` exception.
    fn g1a_and_g1c(&mut self) {
        let p = self.p;
        let mut cycles: HashSet<(usize, usize)> = HashSet::new();
        for (i, c) in p.ops.iter().enumerate() {
            if c.f != Kind::Poll {
                continue;
            }
            for r in p.reads_of(c) {
                for (_, m) in p.pairs_of(r) {
                    let Some(&w) = self.writer.get(&(r.key, *m)) else {
                        if self.exception.is_none() {
                            self.exception = Some(format!(
                                "{{:type :no-writer-of-value, :key {}, :value {}}}",
                                self.key(r.key),
                                self.msg(*m)
                            ));
                        }
                        continue;
                    };
                    let writer = &p.ops[w];
                    if writer.kind == OpType::Fail {
                        let case = json!({"key": self.key(r.key), "value": self.msg(*m),
                                          "writer": self.op(w), "reader": self.op(i)});
                        self.push("G1a", 0, case);
                    } else if c.time < writer.invoked && cycles.insert((w, i)) {
                        let case = json!({"cycle": [self.op(w), self.op(i), self.op(w)],
                            "steps": [
                                {"type": "wr", "key": self.key(r.key), "value": self.msg(*m)},
                                {"type": "realtime"}]});
                        self.push("G1c-realtime", 2, case);
                    }
                }
            }
        }
    }

    /// `:lost-write`.
    fn lost_writes(&mut self) {
        let p = self.p;
        // Per key, the messages `:ok` polls returned.
        let mut read: Vec<HashSet<Msg>> = vec![HashSet::new(); p.keys.len()];
        for (k, m) in &self.ok_read {
            read[*k as usize].insert(*m);
        }
        for (k, read) in read.iter().enumerate() {
            if read.is_empty() {
                continue;
            }
            let key = k as Key;
            // Each message's first and last index in the raw log.
            let mut first: IntMap<Msg, i64> = IntMap::default();
            let mut last: Vec<(Msg, i64)> = Vec::new();
            let mut last_at: IntMap<Msg, usize> = IntMap::default();
            for (index, msgs) in self.logs[k].values().enumerate() {
                for m in msgs {
                    first.entry(*m).or_insert(index as i64);
                    match last_at.get(m) {
                        Some(&j) => last[j].1 = index as i64,
                        None => {
                            last_at.insert(*m, last.len());
                            last.push((*m, index as i64));
                        }
                    }
                }
            }
            let bound = read
                .iter()
                .filter_map(|m| first.get(m))
                .copied()
                .max()
                .unwrap_or(-1);
            let max_read = last
                .iter()
                .filter(|(_, i)| *i == bound)
                .min_by_key(|(m, _)| first.get(m).copied().unwrap_or(0))
                .and_then(|(m, _)| self.first_reader.get(&(key, *m)))
                .map(|r| self.op(*r));
            let mut lost: Vec<(i64, Msg)> = last
                .iter()
                .filter(|(m, i)| *i <= bound && !read.contains(m))
                .map(|(m, i)| (*i, *m))
                .collect();
            lost.sort_unstable();
            for (_, m) in lost {
                let Some(&w) = self.writer.get(&(key, m)) else {
                    if self.exception.is_none() {
                        self.exception = Some(format!(
                            "{{:type :no-writer-of, :key {}, :value {}}}",
                            self.key(key),
                            self.msg(m)
                        ));
                    }
                    continue;
                };
                // Committed: `:ok` (an `:info` writer of an unread message is not).
                if p.ops[w].kind != OpType::Ok {
                    continue;
                }
                let case = json!({"key": self.key(key), "value": self.msg(m),
                    "index": first.get(&m), "max-read-index": bound,
                    "writer": self.op(w), "max-read": max_read});
                self.push("lost-write", 0, case);
            }
        }
    }

    /// `:poll-skip` and `:nonmonotonic-poll`, per process.
    fn poll_order(&mut self) {
        let p = self.p;
        // Per process: key → (the last poll that returned the key, that list's last msg).
        let mut last: IntMap<u64, BTreeMap<Key, (usize, Option<Msg>)>> = IntMap::default();
        for (i, c) in p.ops.iter().enumerate() {
            match (c.f, c.kind) {
                (Kind::Assign, OpType::Ok | OpType::Info) => {
                    let keep = p.assigned_of(c);
                    if let Some(l) = last.get_mut(&c.process) {
                        l.retain(|k, _| keep.contains(k));
                    }
                }
                (Kind::Poll, OpType::Ok) => {
                    let mine = last.entry(c.process).or_default();
                    let mut found = Vec::new();
                    for r in p.reads_of(c) {
                        let pairs = p.pairs_of(r);
                        let this_first = pairs.first().map(|(_, m)| *m);
                        let this_last = pairs.last().map(|(_, m)| *m);
                        if let Some((prev, prev_msg)) = mine.insert(r.key, (i, this_last)) {
                            found.push((r.key, prev, prev_msg, this_first));
                        }
                    }
                    for (k, prev, v, v2) in found {
                        let (Some(a), Some(b)) = (self.index(k, v), self.index(k, v2)) else {
                            continue;
                        };
                        let delta = b - a;
                        if delta > 1 {
                            let case = json!({"key": self.key(k), "delta": delta,
                                "skipped": self.skipped(k, a, b),
                                "ops": [self.op(prev), self.op(i)]});
                            self.push("poll-skip", delta, case);
                        } else if delta < 1 {
                            let values = [v.map(|m| self.msg(m)), v2.map(|m| self.msg(m))];
                            let case = json!({"key": self.key(k), "values": values,
                                "delta": delta, "ops": [self.op(prev), self.op(i)]});
                            self.push("nonmonotonic-poll", delta, case);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `:int-poll-skip` and `:int-nonmonotonic-poll`, inside each list.
    fn int_poll_order(&mut self) {
        let p = self.p;
        for (i, c) in p.ops.iter().enumerate() {
            if c.f != Kind::Poll {
                continue;
            }
            for r in p.reads_of(c) {
                for w in p.pairs_of(r).windows(2) {
                    let (v1, v2) = (w[0].1, w[1].1);
                    let (Some(a), Some(b)) =
                        (self.index(r.key, Some(v1)), self.index(r.key, Some(v2)))
                    else {
                        continue;
                    };
                    let delta = b - a;
                    if delta == 1 {
                        continue;
                    }
                    let mut case = json!({"key": self.key(r.key),
                        "values": [self.msg(v1), self.msg(v2)], "delta": delta, "op": self.op(i)});
                    if delta > 1 {
                        case["skipped"] = self.skipped(r.key, a, b);
                        self.push("int-poll-skip", delta, case);
                    } else {
                        self.push("int-nonmonotonic-poll", delta, case);
                    }
                }
            }
        }
    }

    /// `:nonmonotonic-send`, per process over `:ok` and `:info` completions.
    fn send_order(&mut self) {
        let p = self.p;
        let mut last: IntMap<u64, BTreeMap<Key, (usize, Msg)>> = IntMap::default();
        for (i, c) in p.ops.iter().enumerate() {
            if !matches!(c.kind, OpType::Ok | OpType::Info) {
                continue;
            }
            match c.f {
                Kind::Assign => {
                    let keep = p.assigned_of(c);
                    if let Some(l) = last.get_mut(&c.process) {
                        l.retain(|k, _| keep.contains(k));
                    }
                }
                Kind::Send => {
                    let Some((k, m, _)) = c.send else { continue };
                    let prev = last.entry(c.process).or_default().insert(k, (i, m));
                    let Some((prev, v)) = prev else { continue };
                    let (Some(a), Some(b)) = (self.index(k, Some(v)), self.index(k, Some(m)))
                    else {
                        continue;
                    };
                    if b - a < 1 {
                        let case = json!({"key": self.key(k), "values": [self.msg(v), self.msg(m)],
                            "delta": b - a, "ops": [self.op(prev), self.op(i)]});
                        self.push("nonmonotonic-send", b - a, case);
                    }
                }
                _ => {}
            }
        }
    }
}

fn log_insert(log: &mut BTreeMap<i64, Vec<Msg>>, offset: i64, m: Msg) {
    let msgs = log.entry(offset).or_default();
    if !msgs.contains(&m) {
        msgs.push(m);
    }
}

/// An operation as the cases show it (the history files hold its value).
fn op_json(c: &Completion) -> Value {
    let f = match c.f {
        Kind::Send => "send",
        Kind::Poll => "poll",
        Kind::Assign => "assign",
        Kind::Crash => "crash",
    };
    json!({"index": c.index, "time": c.time, "type": c.kind.name(), "process": c.process, "f": f})
}

/// The running count of acknowledged, never polled messages after each `:ok` send or poll.
fn unseen_series(p: &Parsed) -> Vec<(u64, u64)> {
    let mut sent: HashSet<(Key, Msg)> = HashSet::new();
    let mut polled: HashSet<(Key, Msg)> = HashSet::new();
    let mut unseen: u64 = 0;
    let mut out = Vec::new();
    for c in p.ops.iter().filter(|c| c.kind == OpType::Ok) {
        match c.f {
            Kind::Send => {
                if let Some((k, m, _)) = c.send {
                    if sent.insert((k, m)) && !polled.contains(&(k, m)) {
                        unseen += 1;
                    }
                }
            }
            Kind::Poll => {
                for r in p.reads_of(c) {
                    for (_, m) in p.pairs_of(r) {
                        if polled.insert((r.key, *m)) && sent.contains(&(r.key, *m)) {
                            unseen -= 1;
                        }
                    }
                }
            }
            _ => continue,
        }
        out.push((c.time, unseen));
    }
    out
}

/// Jepsen's last `unseen` observation, when it has any unseen message.
fn final_unseen(p: &Parsed) -> Option<Unseen> {
    let mut sent: BTreeMap<Key, BTreeSet<Msg>> = BTreeMap::new();
    let mut polled: HashSet<(Key, Msg)> = HashSet::new();
    let mut time = 0;
    for c in p.ops.iter().filter(|c| c.kind == OpType::Ok) {
        match c.f {
            Kind::Send => {
                if let Some((k, m, _)) = c.send {
                    sent.entry(k).or_default().insert(m);
                }
            }
            Kind::Poll => {
                for r in p.reads_of(c) {
                    for (_, m) in p.pairs_of(r) {
                        polled.insert((r.key, *m));
                    }
                }
            }
            _ => continue,
        }
        time = c.time;
    }
    let mut unseen = BTreeMap::new();
    let mut messages = BTreeMap::new();
    for (k, msgs) in sent {
        let missing: Vec<Msg> = msgs
            .into_iter()
            .filter(|m| !polled.contains(&(k, *m)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let name = p.keys[k as usize].clone();
        unseen.insert(name.clone(), missing.len());
        let shown = missing.iter().take(32).map(|m| p.msg_json(*m)).collect();
        messages.insert(name, shown);
    }
    (!unseen.is_empty()).then_some(Unseen {
        time_ns: time,
        unseen,
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(types: &[&str]) -> BTreeSet<String> {
        types.iter().map(|t| t.to_string()).collect()
    }

    /// `allowed-error-types` of `jepsen/tests/kafka.clj` as Maelstrom 0.2.3 calls it (no
    /// subscribe, no ww inference): only `:int-send-skip` and the `:G0` family pass; every
    /// other type, `:unseen` and the poll-order ones included, invalidates; an exception
    /// with nothing bad is `:unknown`.
    #[test]
    fn only_int_send_skip_and_g0_are_allowed() {
        let allowed = set(&["G0", "G0-process", "G0-realtime", "int-send-skip"]);
        assert_eq!(verdict(allowed.clone(), false), (vec![], Validity::True));
        assert_eq!(verdict(allowed, true), (vec![], Validity::Unknown));
        for t in [
            "unseen",
            "poll-skip",
            "nonmonotonic-poll",
            "int-poll-skip",
            "int-nonmonotonic-poll",
            "nonmonotonic-send",
            "int-nonmonotonic-send",
            "lost-write",
            "duplicate",
            "inconsistent-offsets",
            "G1a",
            "G1c-realtime",
            "G1c",
        ] {
            let (bad, valid) = verdict(set(&["G0", t]), true);
            assert_eq!((bad, valid), (vec![t.to_string()], Validity::False), "{t}");
        }
    }

    /// `condense-error`: at most 32 duplicates and inconsistent offsets (sorted by count
    /// ascending, the first 32, as Jepsen sorts them), the 8 largest skips, the 8 most
    /// negative nonmonotonic deltas, the 8 shortest cycles; lost writes and `:G1a` in full.
    #[test]
    fn each_error_type_keeps_jepsens_number_of_samples() {
        let cases = |n: i64| -> Vec<(i64, Value)> { (0..n).rev().map(|i| (i, json!(i))).collect() };
        let kept = |t: &str, n: i64| {
            let c = condense(t, cases(n));
            assert_eq!(c.count, n as usize, "{t}");
            c.errs
        };
        assert_eq!(
            kept("duplicate", 40),
            (0..32).map(|i| json!(i)).collect::<Vec<_>>()
        );
        assert_eq!(kept("inconsistent-offsets", 40).len(), 32);
        assert_eq!(
            kept("poll-skip", 20),
            (12..20).map(|i| json!(i)).collect::<Vec<_>>()
        );
        assert_eq!(kept("int-poll-skip", 20).len(), 8);
        for t in [
            "nonmonotonic-poll",
            "int-nonmonotonic-poll",
            "nonmonotonic-send",
        ] {
            assert_eq!(
                kept(t, 20),
                (0..8).map(|i| json!(i)).collect::<Vec<_>>(),
                "{t}"
            );
        }
        assert_eq!(kept("G1c-realtime", 20).len(), 8);
        assert_eq!(kept("lost-write", 100).len(), 100);
        assert_eq!(kept("G1a", 100).len(), 100);
    }
}
