//! Jepsen's kafka checker (`jepsen/tests/kafka.clj`), each anomaly proven by a deliberately
//! broken in-process log that must be rejected with that anomaly named, and by hand-made
//! histories for its index arithmetic (`docs/fidelity.md` maps each rule to its test).

use std::time::Duration;

use crate::common::kafka_log::{KafkaLog, Mode};
use glomers_sim::history::{History, OpF, OpType, OpValue, Process};
use glomers_sim::workloads::kafka::{self, ASSIGN, KafkaResult, POLL, SEND};
use glomers_sim::{Report, SimConfig, Validity, Workload};
use serde_json::{Value, json};

fn cfg(seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named("kafka").expect("registered"),
        node_count: 2,
        concurrency: Some(4),
        rate: 1000.0,
        time_limit: Duration::from_secs(5),
        seed,
        ..SimConfig::default()
    }
}

fn run(mode: Mode, seed: u64) -> Report {
    let cfg = SimConfig {
        nodes: KafkaLog::nodes(mode),
        ..cfg(seed)
    };
    glomers_sim::run(&cfg).expect("the test runs")
}

fn result(r: &Report) -> &KafkaResult {
    r.workload.get::<KafkaResult>().expect("a kafka result")
}

/// Runs `mode` on two seeds; each run must be invalid with `anomaly` among the bad types.
fn rejected(mode: Mode, anomaly: &str) {
    for seed in [1, 2] {
        let r = run(mode, seed);
        let k = result(&r);
        let why = glomers_sim::report::output::summary(&r);
        assert_eq!(k.valid, Validity::False, "{mode:?} seed {seed}: {why}");
        assert_eq!(r.valid, Validity::False);
        assert!(
            k.bad_error_types.iter().any(|t| t == anomaly),
            "{mode:?} seed {seed} must name {anomaly}: {why}"
        );
        assert!(why.contains(&format!(":{anomaly} ")), "{why}");
    }
}

/// A log that forgets every commit is correct too: committed offsets only choose where a key
/// the process does not hold starts, and Jepsen's checker judges none of them
/// (`jepsen/tests/kafka.clj`).
#[test]
fn a_correct_log_is_accepted() {
    for mode in [Mode::Correct, Mode::Sparse, Mode::ForgetsCommits] {
        let r = run(mode, 3);
        let why = glomers_sim::report::output::summary(&r);
        assert_eq!(r.valid, Validity::True, "{mode:?}: {why}");
        assert!(result(&r).bad_error_types.is_empty());
    }
}

#[test]
fn duplicates_are_rejected() {
    rejected(Mode::DuplicateEvery(7), "duplicate");
}

#[test]
fn inconsistent_offsets_are_rejected() {
    rejected(Mode::WrongOffsetEvery(9), "inconsistent-offsets");
}

#[test]
fn lost_writes_are_rejected() {
    rejected(Mode::LoseEvery(11), "lost-write");
}

#[test]
fn unseen_messages_are_rejected() {
    for seed in [1, 2] {
        let r = run(Mode::HideNewest, seed);
        let k = result(&r);
        assert_eq!(k.bad_error_types, vec!["unseen".to_string()], "only unseen");
        let u = k.unseen.as_ref().expect(":unseen reported");
        // Every key's newest message stays hidden.
        assert!(u.unseen.values().all(|n| *n == 1), "{u:?}");
        assert!(u.unseen.len() > 50);
    }
}

#[test]
fn reads_of_failed_sends_are_rejected_as_g1a() {
    rejected(Mode::FailButStoreEvery(13), "G1a");
}

#[test]
fn rewinding_polls_are_rejected_as_nonmonotonic() {
    rejected(Mode::RewindEvery(10), "nonmonotonic-poll");
}

#[test]
fn skipping_polls_are_rejected() {
    rejected(Mode::SkipOneEvery(10), "poll-skip");
}

#[test]
fn gaps_inside_a_poll_are_rejected() {
    rejected(Mode::DropSecond, "int-poll-skip");
}

#[test]
fn descending_lists_are_rejected() {
    rejected(Mode::Descending, "int-nonmonotonic-poll");
}

#[test]
fn offsets_that_go_down_are_rejected_as_nonmonotonic_sends() {
    rejected(Mode::CountDown, "nonmonotonic-send");
}

#[test]
fn reading_the_future_is_rejected_as_g1c_realtime() {
    rejected(Mode::Prophet, "G1c-realtime");
}

#[test]
fn a_message_nobody_sent_makes_the_checker_unknown() {
    let r = run(Mode::Invent, 1);
    let k = result(&r);
    let why = glomers_sim::report::output::summary(&r);
    assert_eq!(k.valid, Validity::Unknown, "{why}");
    assert!(k.bad_error_types.is_empty(), "{why}");
    assert!(
        k.exception.as_deref().unwrap_or("").contains("no-writer"),
        "{why}"
    );
    assert_eq!(r.valid, Validity::Unknown);
}

// Hand-made histories.

struct H(History);

const MS: u64 = 1_000_000;

impl H {
    fn new() -> H {
        H(History::new())
    }
    fn send(&mut self, t: u64, p: u64, k: &str, m: i64, outcome: Option<(OpType, Option<i64>)>) {
        let c = Process::Client(p);
        let v = OpValue::Json(json!([["send", k, m]]));
        self.0.invoke(t, c, SEND, v.clone());
        if let Some((kind, offset)) = outcome {
            let v = match offset {
                Some(o) => OpValue::Json(json!([["send", k, [o, m]]])),
                None => v,
            };
            self.0.complete(t + MS, c, kind, SEND, v, None);
        }
    }
    fn poll(&mut self, t: u64, p: u64, msgs: Value) {
        let c = Process::Client(p);
        self.0.invoke(t, c, POLL, OpValue::Json(json!([["poll"]])));
        let v = OpValue::Json(json!([["poll", msgs]]));
        self.0.complete(t + MS, c, OpType::Ok, POLL, v, None);
    }
    fn assign(&mut self, t: u64, p: u64, keys: &[&str]) {
        let c = Process::Client(p);
        let v = OpValue::Json(json!(keys));
        self.0.invoke(t, c, ASSIGN, v.clone());
        self.0.complete(t + MS, c, OpType::Ok, ASSIGN, v, None);
    }
    fn check(&self) -> KafkaResult {
        kafka::check(self.0.ops())
    }
}

fn types(r: &KafkaResult) -> Vec<String> {
    r.error_types()
}

const OK: Option<(OpType, Option<i64>)> = Some((OpType::Ok, None));

fn ok_at(o: i64) -> Option<(OpType, Option<i64>)> {
    Some((OpType::Ok, Some(o)))
}

#[test]
fn lost_writes_are_bounded_by_the_highest_first_index_read() {
    // Offsets 0, 5, 9 (sparse); a poll reads 1 and 3, skipping 2: 2 is lost; 4 (after
    // the highest read) is merely unseen.
    let mut h = H::new();
    h.send(0, 0, "k", 1, ok_at(0));
    h.send(10 * MS, 0, "k", 2, ok_at(5));
    h.send(20 * MS, 0, "k", 3, ok_at(9));
    h.send(30 * MS, 0, "k", 4, ok_at(12));
    h.poll(40 * MS, 1, json!({"k": [[0, 1], [9, 3]]}));
    let r = h.check();
    assert_eq!(r.valid, Validity::False);
    let lost = &r.errors["lost-write"];
    assert_eq!(lost.count, 1);
    assert_eq!(lost.errs[0]["value"], 2);
    assert_eq!(lost.errs[0]["index"], 1);
    assert_eq!(lost.errs[0]["max-read-index"], 2);
    let skip = &r.errors["int-poll-skip"];
    assert_eq!(skip.errs[0]["delta"], 2);
    assert_eq!(skip.errs[0]["skipped"], json!([2]));
    assert_eq!(r.unseen.as_ref().unwrap().unseen["k"], 2, "2 and 4");
    assert_eq!(types(&r), ["int-poll-skip", "lost-write", "unseen"]);
}

#[test]
fn an_info_send_counts_once_read_and_a_failed_one_is_g1a() {
    let mut h = H::new();
    h.send(0, 0, "k", 1, Some((OpType::Info, None)));
    h.send(10 * MS, 1, "k", 2, Some((OpType::Fail, None)));
    h.send(20 * MS, 2, "k", 3, ok_at(2));
    h.poll(30 * MS, 3, json!({"k": [[0, 1], [1, 2], [2, 3]]}));
    let r = h.check();
    assert_eq!(types(&r), ["G1a"]);
    assert_eq!(r.errors["G1a"].errs[0]["value"], 2);
    // A send never acknowledged is never unseen; the :info one only counts once read.
    let mut h = H::new();
    h.send(0, 0, "k", 1, Some((OpType::Info, None)));
    h.send(10 * MS, 1, "k", 2, ok_at(1));
    h.poll(30 * MS, 3, json!({"k": [[1, 2]]}));
    assert!(h.check().error_types().is_empty(), "{:?}", h.check());
}

#[test]
fn external_poll_order_is_per_process_and_reset_by_assign_and_empty_lists() {
    let mut h = H::new();
    for (i, m) in (1..=4).enumerate() {
        h.send(i as u64 * MS * 3, 9, "k", m, ok_at(i as i64));
    }
    // Process 0 reads 1, then 3: a skip of 2.
    h.poll(20 * MS, 0, json!({"k": [[0, 1]]}));
    h.poll(30 * MS, 0, json!({"k": [[2, 3]]}));
    // Process 1 reads 1, 2, then 2 again: nonmonotonic (delta 0).
    h.poll(20 * MS, 1, json!({"k": [[0, 1], [1, 2]]}));
    h.poll(30 * MS, 1, json!({"k": [[1, 2], [2, 3], [3, 4]]}));
    // Process 2: an assign that drops k, or an empty list in between, breaks the chain.
    h.poll(20 * MS, 2, json!({"k": [[0, 1]]}));
    h.assign(25 * MS, 2, &["other"]);
    h.poll(30 * MS, 2, json!({"k": [[3, 4]]}));
    h.poll(40 * MS, 2, json!({"k": []}));
    h.poll(50 * MS, 2, json!({"k": [[0, 1], [1, 2], [2, 3], [3, 4]]}));
    let r = h.check();
    assert_eq!(types(&r), ["nonmonotonic-poll", "poll-skip"]);
    assert_eq!(r.errors["poll-skip"].count, 1);
    assert_eq!(r.errors["poll-skip"].errs[0]["skipped"], json!([2]));
    assert_eq!(r.errors["nonmonotonic-poll"].count, 1);
    assert_eq!(r.errors["nonmonotonic-poll"].errs[0]["delta"], 0);
}

#[test]
fn nonmonotonic_sends_compare_indices_per_process() {
    let mut h = H::new();
    h.send(0, 0, "k", 1, ok_at(7));
    h.send(10 * MS, 0, "k", 2, ok_at(3));
    // Another process's send going back is not this process's business.
    h.send(20 * MS, 1, "k", 3, ok_at(9));
    h.send(30 * MS, 2, "k", 4, ok_at(8));
    h.poll(40 * MS, 3, json!({"k": [[3, 2], [7, 1], [8, 4], [9, 3]]}));
    let r = h.check();
    assert_eq!(types(&r), ["nonmonotonic-send"], "{r:?}");
    assert_eq!(r.errors["nonmonotonic-send"].errs[0]["delta"], -1);
}

#[test]
fn duplicates_and_inconsistent_offsets_are_counted_on_the_version_order() {
    let mut h = H::new();
    h.send(0, 0, "k", 1, ok_at(0));
    h.send(10 * MS, 0, "k", 2, ok_at(1));
    h.poll(20 * MS, 1, json!({"k": [[0, 1], [1, 2], [2, 1]]}));
    h.poll(30 * MS, 2, json!({"k": [[1, 3]]}));
    h.send(40 * MS, 0, "k", 3, OK);
    let r = h.check();
    assert!(types(&r).contains(&"duplicate".to_string()));
    assert_eq!(r.errors["duplicate"].errs[0]["count"], 2);
    let inc = &r.errors["inconsistent-offsets"].errs[0];
    assert_eq!(
        (inc["offset"].clone(), inc["values"].clone()),
        (json!(1), json!([2, 3]))
    );
    // The poll of 3 came before its send was invoked: a G1c-realtime cycle.
    assert!(types(&r).contains(&"G1c-realtime".to_string()));
}

#[test]
fn realtime_lag_is_the_time_since_the_seen_offset_stopped_being_newest() {
    // Jepsen's docstring example: send x=0 at t1, poll sees it; send offset 1 completes at
    // t3; a poll invoked at t4 that sees nothing new lags by t4 − t3.
    let mut h = H::new();
    h.send(0, 0, "x", 1, ok_at(0));
    h.assign(2 * MS, 1, &["x"]);
    h.poll(4 * MS, 1, json!({"x": [[0, 1]]}));
    h.send(10 * MS, 0, "x", 2, ok_at(1));
    h.poll(100 * MS, 1, json!({"x": []}));
    let r = h.check();
    let w = r.worst_realtime_lag.as_ref().unwrap();
    assert_eq!((w.lag_ns, w.key.as_str(), w.process), (89 * MS, "x", 1));
    assert_eq!(r.lag_series, vec![(4 * MS, 0), (100 * MS, 89 * MS)]);
}

#[test]
fn without_any_poll_holding_a_key_the_checker_is_unknown() {
    let mut h = H::new();
    h.send(0, 0, "x", 1, ok_at(0));
    let r = h.check();
    assert_eq!(r.valid, Validity::False, "the send is unseen");
    let mut h = H::new();
    h.poll(0, 0, json!({}));
    assert_eq!(h.check().valid, Validity::Unknown);
}

#[test]
fn stats_ignore_crashes() {
    let crash = OpF::new("crash");
    let mut h = H::new();
    h.0.invoke(0, Process::Client(0), crash, OpValue::None);
    h.0.complete(
        0,
        Process::Client(0),
        OpType::Info,
        crash,
        OpValue::None,
        None,
    );
    h.send(0, 1, "x", 1, ok_at(0));
    let s = glomers_sim::checkers::stats(h.0.ops());
    assert_eq!(s.valid, Validity::True);
    assert_eq!(s.by_f[&crash].info_count, 1);
}

/// `:unseen` as Jepsen's `unseen` and `condense-error` report it: counted per key over the
/// whole run, the time of the last `:ok` send or poll, at most the 32 smallest messages per
/// key; a send that is not `:ok` is never unseen; and it alone invalidates the run.
#[test]
fn unseen_reports_counts_the_last_time_and_the_32_smallest_messages() {
    let mut h = H::new();
    for (i, m) in (1..=40).rev().enumerate() {
        h.send(i as u64 * 10 * MS, 0, "k", m, ok_at(i as i64));
    }
    h.send(500 * MS, 1, "j", 1, ok_at(0));
    h.send(510 * MS, 2, "j", 2, Some((OpType::Info, None)));
    h.poll(600 * MS, 3, json!({"j": [[0, 1]]}));
    let r = h.check();
    assert_eq!(r.valid, Validity::False);
    assert_eq!(r.bad_error_types, ["unseen"]);
    let u = r.unseen.as_ref().unwrap();
    assert_eq!(u.time_ns, 601 * MS, "the last :ok operation's completion");
    assert_eq!(u.unseen, [("k".to_string(), 40)].into());
    let smallest: Vec<Value> = (1..=32).map(|m| json!(m)).collect();
    assert_eq!(u.messages["k"], smallest);
}
