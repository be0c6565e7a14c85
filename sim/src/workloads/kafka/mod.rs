//! The `kafka` workload (Gossip Glomers challenges 5a–5c): Maelstrom's
//! `maelstrom/src/maelstrom/workload/kafka.clj` over Jepsen's `jepsen/tests/kafka.clj`.
//!
//! Clients `send` messages to keyed logs, `poll` them back from offsets they track,
//! `commit_offsets` after every poll that returned something and `list_committed_offsets`
//! when they `assign` keys; a `crash` throws a client away. After the main phase come the
//! heal, 10 s of quiet and the final polls: every thread crashes its client, assigns every key
//! seen so far from offset 0 and polls until it has read up to the highest offset known for
//! each (at most 10 s). The checker then looks for every anomaly Jepsen's kafka analysis
//! reports.
//!
//! | module | holds |
//! |---|---|
//! | [`generator`] | the main phase's sends, polls, assigns (with catch-up) and crashes |
//! | [`client`] | the four RPCs, their closed schemas and the client's offsets |
//! | [`checker`] | Jepsen's kafka analysis: version orders, anomalies, unseen, realtime lag |
//! | [`present`] | the result in the summary, `results.json`, the results browser's figures and `history.txt` |
//! | `plot` | `realtime-lag.svg` and `unseen.svg` (feature `present`) |

pub mod checker;
pub mod client;
pub mod generator;
#[cfg(feature = "present")]
mod plot;
pub mod present;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

pub use checker::{KafkaResult, check};
pub use generator::{KafkaGenerator, KafkaOp, KafkaOptions};

use crate::checkers::WorkloadResult;
use crate::history::{Op, OpF, OpType, OpValue};
use crate::workloads::boundary::{
    ClientRules, Entry, FinalStep, Invocation, ReplyStep, Setup, WorkloadOption, WorkloadRun,
};
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;
use client::{KafkaClient, key_name};

/// `send`: value `[["send", key, msg]]`, completed `[["send", key, [offset, msg]]]`.
pub const SEND: OpF = OpF::new("send");
/// `poll`: value `[["poll"]]`, completed `[["poll", {key: [[offset, msg], …]}]]`.
pub const POLL: OpF = OpF::new("poll");
/// `assign`: value the list of keys.
pub const ASSIGN: OpF = OpF::new("assign");
/// `crash`: no value; always `:info`.
pub const CRASH: OpF = OpF::new("crash");

/// How long the final polls may go on after the final phase's first operation.
pub const FINAL_POLLS_LIMIT: Duration = Duration::from_secs(10);
/// Final polls are spaced by a wait uniform in [0, this).
pub const FINAL_POLL_GAP: Duration = Duration::from_millis(400);

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "kafka",
    about: "replicated logs: sends, polls and committed offsets, checked by Jepsen's kafka \
            analysis (5a–5c)",
    options: &[
        WorkloadOption {
            flag: "key-count",
            value_name: "N",
            help: "txn-rw-register, kafka: keys in active rotation (default 10)",
        },
        WorkloadOption {
            flag: "max-writes-per-key",
            value_name: "N",
            help: "txn-rw-register, kafka: writes to a key (values 1, 2, …) before it \
                   retires (default 16)",
        },
        WorkloadOption {
            flag: "kafka-assign-odds",
            value_name: "N",
            help: "kafka: one assign in N operation slots (default 8, Maelstrom 0.2.3; \
                   0.2.4+ uses 64)",
        },
    ],
    build,
};

fn build(setup: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    let d = KafkaOptions::default();
    let opts = KafkaOptions {
        key_count: setup.option("key-count", d.key_count)?,
        max_writes_per_key: setup.option("max-writes-per-key", d.max_writes_per_key)?,
        assign_odds: setup.option("kafka-assign-odds", d.assign_odds)?,
        crash_interval: d.crash_interval,
    };
    opts.validate()?;
    Ok(Box::new(KafkaRun::new(opts, setup.threads)))
}

/// Where a worker thread is in the final phase.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FinalState {
    /// About to crash its client.
    Crash,
    /// About to assign every target key with seek-to-beginning.
    Assign,
    /// Polling until `remaining` is empty (key → target offset not yet reached).
    Poll,
    /// Finished.
    Done,
}

/// The kafka workload set up for one run.
#[derive(Debug)]
pub struct KafkaRun {
    generator: KafkaGenerator,
    /// Each worker thread's current client.
    clients: Vec<KafkaClient>,
    /// Per thread: the key and message of its outstanding send, and the keys of its
    /// outstanding assign.
    sending: Vec<Option<(String, Value)>>,
    assigning: Vec<Vec<String>>,
    /// The final phase: when its first operation went (since the main phase began), the
    /// targets, and per thread its state and the targets it has not reached.
    final_start: Option<Duration>,
    targets: BTreeMap<u64, i64>,
    final_state: Vec<FinalState>,
    remaining: Vec<BTreeMap<String, i64>>,
    /// Per thread, when its next final poll is due (Jepsen's `stagger`: none before the
    /// first, then the previous poll's issue time plus a wait uniform in [0, 0.4 s)).
    next_poll: Vec<Option<Duration>>,
}

impl KafkaRun {
    /// The workload for `threads` client threads.
    pub fn new(opts: KafkaOptions, threads: usize) -> KafkaRun {
        KafkaRun {
            generator: KafkaGenerator::new(opts, threads),
            clients: vec![KafkaClient::default(); threads],
            sending: vec![None; threads],
            assigning: vec![Vec::new(); threads],
            final_start: None,
            targets: BTreeMap::new(),
            final_state: vec![FinalState::Crash; threads],
            remaining: vec![BTreeMap::new(); threads],
            next_poll: vec![None; threads],
        }
    }

    fn op_value(op: KafkaOp) -> (OpF, OpValue) {
        match op {
            KafkaOp::Send { key, msg } => {
                (SEND, OpValue::Json(json!([["send", key_name(key), msg]])))
            }
            KafkaOp::Poll => (POLL, OpValue::Json(json!([["poll"]]))),
            KafkaOp::Assign(keys) => {
                let keys: Vec<String> = keys.into_iter().map(key_name).collect();
                (ASSIGN, OpValue::Json(json!(keys)))
            }
            KafkaOp::Crash => (CRASH, OpValue::None),
        }
    }

    /// The poll's pairs per key, with each list's highest offset (−1 when empty).
    fn poll_maxima(value: &OpValue) -> Vec<(String, i64)> {
        let OpValue::Json(v) = value else {
            return Vec::new();
        };
        let Some(msgs) = v.pointer("/0/1").and_then(Value::as_object) else {
            return Vec::new();
        };
        msgs.iter()
            .map(|(k, pairs)| {
                let max = pairs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get(0).and_then(Value::as_i64))
                    .max()
                    .unwrap_or(-1);
                (k.clone(), max)
            })
            .collect()
    }

    fn in_final_phase(&self) -> bool {
        self.final_start.is_some()
    }
}

fn send_parts(value: &OpValue) -> Option<(String, Value)> {
    let OpValue::Json(v) = value else {
        return None;
    };
    let key = v.pointer("/0/1")?.as_str()?.to_string();
    let msg = v.pointer("/0/2")?.clone();
    Some((key, msg))
}

fn key_list(value: &OpValue) -> Vec<String> {
    match value {
        OpValue::Json(Value::Array(keys)) => keys
            .iter()
            .filter_map(|k| k.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

impl WorkloadRun for KafkaRun {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        self.next_op_at(rng, Duration::ZERO)
    }

    fn next_op_at(&mut self, rng: &mut Rng, at: Duration) -> (OpF, OpValue) {
        Self::op_value(self.generator.next_op(rng, at))
    }

    /// The request of a fresh client (what [`WorkloadRun::invoke`] sends with state).
    fn request(&self, f: OpF, value: &OpValue) -> String {
        match f {
            SEND => send_parts(value)
                .map(|(k, m)| client::send_request(&k, &m))
                .unwrap_or_default(),
            ASSIGN => client::assign_request(&key_list(value)),
            _ => KafkaClient::default().poll_request(),
        }
    }

    /// The schema of each reply, without client state (see [`WorkloadRun::on_reply`]).
    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply {
        match f {
            SEND => rpc::check_reply("send_ok", Some("offset"), body),
            ASSIGN => rpc::check_reply("list_committed_offsets_ok", Some("offsets"), body),
            _ => rpc::check_reply("poll_ok", Some("msgs"), body),
        }
    }

    fn idempotent(&self, f: OpF) -> bool {
        f == ASSIGN
    }

    fn client_rules(&self) -> ClientRules {
        ClientRules {
            reusable_after_info: false,
            timeout: Some(Duration::from_secs(5)),
            definite_errors_fail: true,
        }
    }

    fn final_phase(&self) -> bool {
        true
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(check(ops))
    }

    fn invoke(&mut self, thread: usize, f: OpF, value: &OpValue) -> Invocation {
        match f {
            CRASH => Invocation::Local(OpType::Info, OpValue::None),
            SEND => {
                let parts = send_parts(value).unwrap_or_default();
                let body = client::send_request(&parts.0, &parts.1);
                self.sending[thread] = Some(parts);
                Invocation::Rpc(body)
            }
            ASSIGN => {
                let keys = key_list(value);
                if self.in_final_phase() {
                    self.clients[thread].seek(&keys);
                    return Invocation::Local(OpType::Ok, value.clone());
                }
                let body = client::assign_request(&keys);
                self.assigning[thread] = keys;
                Invocation::Rpc(body)
            }
            _ => Invocation::Rpc(self.clients[thread].poll_request()),
        }
    }

    fn on_reply(
        &mut self,
        thread: usize,
        f: OpF,
        _invoked: &OpValue,
        body: &Map<String, Value>,
    ) -> ReplyStep {
        let client = &mut self.clients[thread];
        match f {
            SEND => match &self.sending[thread] {
                Some((key, msg)) => ReplyStep::Done(client::send_reply(key, msg, body)),
                None => ReplyStep::Done(self.reply(f, body)),
            },
            ASSIGN => ReplyStep::Done(client.assign_reply(&self.assigning[thread], body)),
            _ => {
                if let Some(value) = client.committing.take() {
                    return ReplyStep::Done(
                        match rpc::check_reply("commit_offsets_ok", None, body) {
                            Reply::Ok(_) => Reply::Ok(OpValue::Json(value)),
                            other => other,
                        },
                    );
                }
                match client.poll_reply(body) {
                    Ok((value, Some(commit))) => {
                        client.committing = Some(value);
                        ReplyStep::Then(commit)
                    }
                    Ok((value, None)) => ReplyStep::Done(Reply::Ok(OpValue::Json(value))),
                    Err(reply) => ReplyStep::Done(reply),
                }
            }
        }
    }

    fn on_complete(&mut self, thread: usize, op: &Op) {
        self.sending[thread] = None;
        self.assigning[thread].clear();
        self.clients[thread].committing = None;
        if op.kind == OpType::Info {
            self.clients[thread] = KafkaClient::default();
        }
        if op.kind != OpType::Ok {
            return;
        }
        if op.f == SEND {
            if let OpValue::Json(v) = &op.value {
                let key = v.pointer("/0/1").and_then(Value::as_str);
                let offset = v.pointer("/0/2/0").and_then(Value::as_i64);
                if let (Some(k), Some(o)) = (key.and_then(|k| k.parse().ok()), offset) {
                    if !self.in_final_phase() {
                        self.generator.saw_send(k, o);
                    }
                }
            }
        } else if op.f == POLL {
            let maxima = Self::poll_maxima(&op.value);
            if self.in_final_phase() {
                let remaining = &mut self.remaining[thread];
                for (k, max) in maxima {
                    if remaining.get(&k).is_some_and(|target| *target <= max) {
                        remaining.remove(&k);
                    }
                }
            } else {
                for (k, max) in maxima {
                    if let Ok(k) = k.parse() {
                        self.generator.saw_poll(k, max);
                    }
                }
            }
        }
    }

    /// Each thread: crash, seek-assign every target key, then poll until its own polls
    /// reached every target: the first poll at once, each next one due a wait uniform in
    /// [0, 0.4 s) after the previous one was issued (Jepsen's `stagger 1/5`; a slower poll
    /// is followed at once). Nothing is issued without targets, and nothing 10 s after the
    /// phase's first operation (Maelstrom's `time-limit 10`).
    fn final_step(&mut self, thread: usize, first: bool, at: Duration, rng: &mut Rng) -> FinalStep {
        if first && self.final_start.is_none() {
            self.final_start = Some(at);
            self.targets = self.generator.targets();
        }
        let start = self.final_start.unwrap_or(at);
        if self.targets.is_empty() || at >= start + FINAL_POLLS_LIMIT {
            self.final_state[thread] = FinalState::Done;
        }
        match self.final_state[thread].clone() {
            FinalState::Crash => {
                self.final_state[thread] = FinalState::Assign;
                FinalStep::Op(CRASH, OpValue::None)
            }
            FinalState::Assign => {
                self.remaining[thread] = self
                    .targets
                    .iter()
                    .map(|(k, o)| (key_name(*k), *o))
                    .collect();
                self.final_state[thread] = FinalState::Poll;
                let keys: Vec<String> = self.targets.keys().map(|k| key_name(*k)).collect();
                FinalStep::Op(ASSIGN, OpValue::Json(json!(keys)))
            }
            FinalState::Poll => {
                if self.remaining[thread].is_empty() {
                    self.final_state[thread] = FinalState::Done;
                    return FinalStep::Done;
                }
                if let Some(due) = self.next_poll[thread].filter(|due| at < *due) {
                    return FinalStep::Wait(due - at);
                }
                let gap = rng.below(FINAL_POLL_GAP.as_micros() as u64);
                self.next_poll[thread] = Some(at + Duration::from_micros(gap));
                FinalStep::Op(POLL, OpValue::Json(json!([["poll"]])))
            }
            FinalState::Done => FinalStep::Done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Process;
    use crate::world::rng::{self, Stream};

    fn done(thread: usize, kind: OpType, f: OpF, value: OpValue) -> Op {
        Op {
            index: 0,
            kind,
            f,
            process: Process::Client(thread as u64),
            time_ns: 0,
            value,
            error: None,
            final_read: true,
        }
    }

    /// `final-polls` in `jepsen/tests/kafka.clj` as `maelstrom/workload/kafka.clj` runs it:
    /// the targets are a snapshot taken when the phase starts; each thread crashes (a fresh
    /// client), seek-assigns every target key in ascending numeric order without an RPC,
    /// then polls at once and then under `stagger 1/5` (each poll due U(0, 0.4 s) after the
    /// previous one was issued) until its own polls reached every target (−1, an empty
    /// list, is reached by any poll listing the key).
    #[test]
    fn final_phase_crashes_seeks_and_polls_until_its_targets_are_reached() {
        let mut run = KafkaRun::new(KafkaOptions::default(), 2);
        run.generator.saw_send(10, 3);
        run.generator.saw_send(2, 0);
        run.generator.saw_poll(2, 0);
        run.generator.saw_poll(7, -1);
        run.clients[0].offsets.insert("10".into(), 4);
        let mut rng = rng::stream(1, Stream::Workload);
        let t0 = Duration::from_secs(100);
        assert_eq!(
            run.final_step(0, true, t0, &mut rng),
            FinalStep::Op(CRASH, OpValue::None)
        );
        // A send completing now (from before the snapshot) no longer moves the targets.
        let late = json!([["send", "10", [9, 5]]]);
        run.on_complete(1, &done(1, OpType::Ok, SEND, OpValue::Json(late)));
        assert_eq!(
            run.invoke(0, CRASH, &OpValue::None),
            Invocation::Local(OpType::Info, OpValue::None)
        );
        run.on_complete(0, &done(0, OpType::Info, CRASH, OpValue::None));
        assert!(
            run.clients[0].offsets.is_empty(),
            "a crash opens a new client"
        );
        let keys = OpValue::Json(json!(["2", "7", "10"]));
        assert_eq!(
            run.final_step(0, false, t0, &mut rng),
            FinalStep::Op(ASSIGN, keys.clone())
        );
        assert_eq!(
            run.invoke(0, ASSIGN, &keys),
            Invocation::Local(OpType::Ok, keys.clone()),
            "seek-to-beginning sends nothing"
        );
        let zero: BTreeMap<String, i64> = ["2", "7", "10"].map(|k| (k.into(), 0)).into();
        assert_eq!(run.clients[0].offsets, zero);
        // Polls take 1 ms, one of them 500 ms.
        let mut t = t0;
        let mut issued = Vec::new();
        for round in 0..400 {
            // Hold the 10 s cap off (tested below) to see many gaps.
            run.final_start = Some(t);
            let step = loop {
                match run.final_step(0, false, t, &mut rng) {
                    FinalStep::Wait(w) => {
                        assert!(round > 0 && round != 6, "no wait before the first poll");
                        assert!(w > Duration::ZERO);
                        t += w;
                    }
                    other => break other,
                }
            };
            assert_eq!(step, FinalStep::Op(POLL, OpValue::Json(json!([["poll"]]))));
            issued.push(t);
            // Key 10 stays one short of its target of 3 until the last round.
            let msgs = match round {
                0 => json!({"2": [[0, 1]], "7": [], "10": [[0, 1], [1, 2]]}),
                399 => json!({"10": [[3, 4]]}),
                _ => json!({"10": [[2, 3]]}),
            };
            let v = OpValue::Json(json!([["poll", msgs]]));
            run.on_complete(0, &done(0, OpType::Ok, POLL, v));
            t += Duration::from_millis(if round == 5 { 500 } else { 1 });
        }
        assert_eq!(run.final_step(0, false, t, &mut rng), FinalStep::Done);
        assert_eq!(issued[0], t0, "the first poll right after the seek");
        // Each poll is due U(0, 0.4 s) after the previous one was issued (1 ms at least,
        // the time a poll takes here); the one after the 500 ms poll goes at once.
        let gaps: Vec<Duration> = issued.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(gaps[5], Duration::from_millis(500));
        let gaps: Vec<Duration> = gaps.into_iter().filter(|g| g.as_millis() != 500).collect();
        let max = gaps.iter().max().unwrap();
        let min = gaps.iter().min().unwrap();
        let mean = gaps.iter().sum::<Duration>() / gaps.len() as u32;
        assert!(*max < FINAL_POLL_GAP && *max > Duration::from_millis(380));
        assert_eq!(
            *min,
            Duration::from_millis(1),
            "a gap shorter than the poll"
        );
        assert!(
            (mean.as_secs_f64() - 0.2).abs() < 0.02,
            "uniform in [0, 0.4 s): {mean:?}"
        );
    }

    /// Nothing is issued 10 s after the phase's first operation, caught up or not, and
    /// nothing at all without targets.
    #[test]
    fn final_phase_stops_after_ten_seconds_and_is_empty_without_targets() {
        let mut run = KafkaRun::new(KafkaOptions::default(), 2);
        run.generator.saw_send(1, 5);
        let mut rng = rng::stream(2, Stream::Workload);
        let t0 = Duration::from_secs(50);
        assert!(matches!(
            run.final_step(0, true, t0, &mut rng),
            FinalStep::Op(CRASH, _)
        ));
        assert!(matches!(
            run.final_step(1, true, t0, &mut rng),
            FinalStep::Op(CRASH, _)
        ));
        assert!(matches!(
            run.final_step(0, false, t0, &mut rng),
            FinalStep::Op(ASSIGN, _)
        ));
        let poll = FinalStep::Op(POLL, OpValue::Json(json!([["poll"]])));
        assert_eq!(run.final_step(0, false, t0, &mut rng), poll);
        let just_before = t0 + FINAL_POLLS_LIMIT - Duration::from_millis(1);
        assert_eq!(run.final_step(0, false, just_before, &mut rng), poll);
        let at_limit = t0 + FINAL_POLLS_LIMIT;
        assert_eq!(
            run.final_step(0, false, at_limit, &mut rng),
            FinalStep::Done
        );
        assert_eq!(
            run.final_step(1, false, at_limit, &mut rng),
            FinalStep::Done
        );

        let mut empty = KafkaRun::new(KafkaOptions::default(), 1);
        assert_eq!(empty.final_step(0, true, t0, &mut rng), FinalStep::Done);
    }
}
