//! The kafka workload end to end on the virtual clock, with correct in-process logs (one node;
//! two nodes forwarding to `n0`) and the client, generator, final-phase and accounting rules of
//! Maelstrom's `kafka.clj` over `jepsen/tests/kafka.clj` (`docs/fidelity.md` maps each rule to
//! its test).

use crate::common;
use crate::common::kafka_log::{KafkaLog, Mode};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use glomers::Time;
use glomers_sim::drive::node::InProcessNode;
use glomers_sim::history::{Op, OpType, OpValue, Process};
use glomers_sim::workloads::kafka::{ASSIGN, CRASH, KafkaResult, POLL, SEND};
use glomers_sim::{NodeKind, Report, SimConfig, Validity, Workload};
use serde_json::{Value, json};

/// The Fly.io 5a/5b command: `-w kafka --node-count N --concurrency 2n --time-limit 20
/// --rate 1000`, shortened to `secs`.
pub fn cfg(nodes: u16, secs: u64, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named("kafka").expect("registered"),
        node_count: nodes,
        concurrency: Some(usize::from(nodes) * 2),
        rate: 1000.0,
        time_limit: Duration::from_secs(secs),
        seed,
        ..SimConfig::default()
    }
}

pub fn run(cfg: &SimConfig, mode: Mode) -> Report {
    let cfg = SimConfig {
        nodes: KafkaLog::nodes(mode),
        ..cfg.clone()
    };
    glomers_sim::run(&cfg).expect("the test runs")
}

pub fn kafka(r: &Report) -> &KafkaResult {
    r.workload.get::<KafkaResult>().expect("a kafka result")
}

fn client_ops(r: &Report) -> impl Iterator<Item = &Op> {
    r.history.ops().iter().filter(|o| o.is_client())
}

#[test]
fn correct_logs_on_one_and_two_nodes_are_valid() {
    for nodes in [1, 2] {
        for seed in common::SEEDS {
            let r = run(&cfg(nodes, 10, seed), Mode::Correct);
            let k = kafka(&r);
            let why = glomers_sim::report::output::summary(&r);
            assert_eq!(r.valid, Validity::True, "{why}");
            assert!(k.errors.is_empty() && k.unseen.is_none(), "{why}");
            assert_eq!(k.sends_ok, k.sends, "every send is acknowledged");
            assert!(k.sends > 500, "{why}");
            let worst = k.worst_realtime_lag.as_ref().expect("polls held keys");
            assert!(worst.lag_ns < 5_000_000_000, "{why}");
        }
    }
}

/// What one client sent and got back, in order: (request body, reply body).
type Exchanges = BTreeMap<String, Vec<(Value, Value)>>;

/// A correct log that records every client exchange.
struct Recorder {
    node: KafkaLog,
    log: Arc<Mutex<Exchanges>>,
    /// Requests awaiting their reply, by (client, msg_id).
    open: BTreeMap<(String, u64), Value>,
}

impl InProcessNode for Recorder {
    fn step(&mut self, _now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let message: Value = serde_json::from_slice(line?).expect("JSON");
        let src = message["src"].as_str().unwrap_or("").to_string();
        if src.starts_with('c') && message["body"]["type"] != "init" {
            let id = message["body"]["msg_id"].as_u64().unwrap_or(0);
            self.open.insert((src, id), message["body"].clone());
        }
        for l in self.node.on_message(&message) {
            let reply: Value = serde_json::from_str(&l).expect("JSON");
            let dest = reply["dest"].as_str().unwrap_or("").to_string();
            let id = reply["body"]["in_reply_to"].as_u64().unwrap_or(0);
            if let Some(request) = self.open.remove(&(dest.clone(), id)) {
                let mut log = self.log.lock().unwrap();
                log.entry(dest)
                    .or_default()
                    .push((request, reply["body"].clone()));
            }
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
        None
    }
}

fn recorded(cfg: &SimConfig, mode: Mode) -> (Report, Exchanges) {
    let log = Arc::new(Mutex::new(Exchanges::new()));
    let shared = log.clone();
    let nodes = NodeKind::custom("recording kafka log", move |i| {
        Box::new(Recorder {
            node: KafkaLog::new(i, mode, false),
            log: shared.clone(),
            open: BTreeMap::new(),
        })
    });
    let r = glomers_sim::run(&SimConfig {
        nodes,
        ..cfg.clone()
    })
    .expect("runs");
    let log = log.lock().unwrap().clone();
    (r, log)
}

/// The client rules of `kafka.clj`, re-derived from the wire alone: polls
/// carry the whole offsets map (`{}` for a fresh client), every key in a reply advances to
/// max + 1 by max (unrequested keys adopted), a commit of the max offsets follows exactly the
/// polls that returned pairs, and assigns keep local, else committed, else 0.
#[test]
fn clients_follow_maelstroms_offset_rules_on_the_wire() {
    let (r, log) = recorded(&cfg(1, 10, 4), Mode::Correct);
    assert_eq!(r.valid, Validity::True);
    let (mut polls, mut commits, mut adopted, mut seeks) = (0, 0, 0, 0);
    for exchanges in log.values() {
        let mut offsets: BTreeMap<String, i64> = BTreeMap::new();
        let mut expect_commit: Option<Value> = None;
        for (i, (request, reply)) in exchanges.iter().enumerate() {
            let kind = request["type"].as_str().unwrap();
            let from_zero = request["offsets"]
                .as_object()
                .is_some_and(|m| !m.is_empty() && m.values().all(|o| *o == 0));
            if i == 0 && kind == "poll" && from_zero {
                // The final phase's fresh client after its seek assign (no RPC).
                seeks += 1;
                offsets = serde_json::from_value(request["offsets"].clone()).unwrap();
            }
            if let Some(want) = expect_commit.take() {
                assert_eq!(kind, "commit_offsets", "a commit follows a poll with pairs");
                assert_eq!(request["offsets"], want);
                commits += 1;
                continue;
            }
            match kind {
                "poll" => {
                    polls += 1;
                    assert_eq!(request["offsets"], json!(offsets), "the whole map");
                    let mut maxima = serde_json::Map::new();
                    for (k, pairs) in reply["msgs"].as_object().unwrap() {
                        let max = pairs
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p[0].as_i64().unwrap())
                            .max();
                        if !offsets.contains_key(k) {
                            adopted += 1;
                        }
                        let next = max.map_or(0, |m| m + 1);
                        let o = offsets.entry(k.clone()).or_insert(next);
                        *o = (*o).max(next);
                        if let Some(m) = max {
                            maxima.insert(k.clone(), json!(m));
                        }
                    }
                    expect_commit = (!maxima.is_empty()).then_some(Value::Object(maxima));
                }
                "list_committed_offsets" => {
                    let committed = reply["offsets"].as_object().unwrap();
                    offsets = request["keys"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| {
                            let k = k.as_str().unwrap().to_string();
                            let o = offsets
                                .get(&k)
                                .copied()
                                .or(committed.get(&k).and_then(Value::as_i64))
                                .unwrap_or(0);
                            (k, o)
                        })
                        .collect();
                }
                "send" => {}
                other => panic!("unexpected request {other}"),
            }
        }
    }
    assert!(
        polls > 500 && commits > 100,
        "{polls} polls, {commits} commits"
    );
    assert_eq!(adopted, 0, "the node returns only requested keys");
    assert_eq!(seeks, 2, "one seek per thread");
    // The final phase's seek assigns send nothing: one list_committed_offsets per main-phase
    // assign, and assigns after the main phase are all :ok without an RPC.
    let lists: usize = log
        .values()
        .flatten()
        .filter(|(q, _)| q["type"] == "list_committed_offsets")
        .count();
    let assigns = |final_read: bool| {
        client_ops(&r)
            .filter(|o| o.f == ASSIGN && o.kind == OpType::Invoke && o.final_read == final_read)
            .count()
    };
    assert_eq!(lists, assigns(false));
    assert_eq!(assigns(true), 2, "one seek assign per thread");
}

/// Message accounting (Maelstrom's `net` stats): clients exchange 2 messages per send, poll (4 with
/// its commit) and main-phase assign, none for crashes and seek assigns, plus init; op-count
/// counts every invocation, crashes and final operations included; crashes open new clients.
#[test]
fn accounting_counts_every_rpc_of_every_operation() {
    for nodes in [1, 2] {
        let r = run(&cfg(nodes, 10, 5), Mode::Correct);
        let mut want = 2 * u64::from(nodes);
        let mut crashes = 0;
        for op in client_ops(&r).filter(|o| o.kind != OpType::Invoke) {
            want += match op.f {
                SEND => 2,
                POLL => {
                    let pairs = match &op.value {
                        OpValue::Json(v) => v[0][1]
                            .as_object()
                            .is_some_and(|m| m.values().any(|l| !l.as_array().unwrap().is_empty())),
                        _ => false,
                    };
                    if pairs { 4 } else { 2 }
                }
                ASSIGN if op.final_read => 0,
                ASSIGN => 2,
                CRASH => {
                    crashes += 1;
                    0
                }
                _ => unreachable!(),
            };
        }
        assert_eq!(r.net.clients.msg_count, want);
        assert_eq!(r.op_count, r.history.client_invocations());
        // Init clients, the first client of each thread, one more per crash.
        let threads = 2 * usize::from(nodes);
        assert_eq!(r.clients_opened, usize::from(nodes) + threads + crashes);
        // Availability counts every invocation; crashes are :info.
        let oks = client_ops(&r).filter(|o| o.kind == OpType::Ok).count();
        let f = r.availability.ok_fraction.unwrap();
        assert!((f - oks as f64 / r.op_count as f64).abs() < 1e-12);
        assert!(
            f < 1.0 && crashes >= threads,
            "every thread crashes at least in the final phase"
        );
    }
}

/// Client errors: assigns are idempotent (an indefinite error is :fail and the client is
/// kept), the final seek assigns still satisfy :stats; a commit's definite error fails the
/// poll, which then carries no messages.
#[test]
fn assign_and_commit_errors_follow_with_errors() {
    let r = run(&cfg(1, 6, 6), Mode::AssignError(13));
    let main_assigns: Vec<&Op> = client_ops(&r)
        .filter(|o| o.f == ASSIGN && o.kind != OpType::Invoke && !o.final_read)
        .collect();
    assert!(!main_assigns.is_empty());
    assert!(main_assigns.iter().all(|o| o.kind == OpType::Fail));
    assert_eq!(r.stats.valid, Validity::True, "seek assigns are :ok");
    let crashes = client_ops(&r)
        .filter(|o| o.f == CRASH && o.kind == OpType::Info)
        .count();
    assert_eq!(
        r.clients_opened,
        1 + 2 + crashes,
        "failed assigns keep their client"
    );

    let r = run(&cfg(1, 6, 6), Mode::CommitError(11));
    let failed: Vec<&Op> = client_ops(&r)
        .filter(|o| o.f == POLL && o.kind == OpType::Fail)
        .collect();
    assert!(!failed.is_empty());
    for op in failed {
        assert_eq!(op.value, OpValue::Json(json!([["poll"]])), "no messages");
        assert!(
            op.error
                .as_deref()
                .unwrap()
                .contains("temporarily-unavailable")
        );
    }
}

/// The final phase (`final-polls` in `jepsen/tests/kafka.clj`): after the quiet recovery period every thread crashes,
/// seek-assigns every key seen in the main phase (ascending) and polls until its own polls
/// reached every target, within 10 s.
#[test]
fn final_polls_catch_up_on_every_key_within_ten_seconds() {
    let r = run(&cfg(2, 10, 7), Mode::Correct);
    let ops: Vec<&Op> = client_ops(&r).collect();
    let main_end = ops
        .iter()
        .filter(|o| !o.final_read)
        .map(|o| o.time_ns)
        .max()
        .unwrap();
    let finals: Vec<&&Op> = ops.iter().filter(|o| o.final_read).collect();
    let start = finals.first().unwrap().time_ns;
    assert!(start >= main_end + 10_000_000_000, "10 s of quiet first");
    let end = finals.iter().map(|o| o.time_ns).max().unwrap();
    assert!(end - start <= 10_000_000_000 + 5_000_000_000);
    // Targets: the highest offset per key of any main-phase :ok send or poll.
    let mut targets: BTreeMap<String, i64> = BTreeMap::new();
    for o in ops.iter().filter(|o| !o.final_read && o.kind == OpType::Ok) {
        let OpValue::Json(v) = &o.value else { continue };
        let mut note = |k: &str, off: i64| {
            let t = targets.entry(k.to_string()).or_insert(off);
            *t = (*t).max(off);
        };
        if o.f == SEND {
            note(v[0][1].as_str().unwrap(), v[0][2][0].as_i64().unwrap());
        } else if o.f == POLL {
            for (k, l) in v[0][1].as_object().unwrap() {
                let max = l
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[0].as_i64().unwrap())
                    .max();
                note(k, max.unwrap_or(-1));
            }
        }
    }
    let mut keys: Vec<&String> = targets.keys().collect();
    keys.sort_by_key(|k| k.parse::<u64>().unwrap());
    for thread in 0..4u64 {
        let mine: Vec<&&&Op> = finals
            .iter()
            .filter(|o| matches!(o.process, Process::Client(p) if p % 4 == thread))
            .filter(|o| o.kind != OpType::Invoke)
            .collect();
        assert_eq!(mine[0].f, CRASH);
        assert_eq!(mine[1].f, ASSIGN);
        assert_eq!(mine[1].value, OpValue::Json(json!(keys)));
        assert!(
            mine[2..]
                .iter()
                .all(|o| o.f == POLL && o.kind == OpType::Ok)
        );
        let mut reached: BTreeMap<String, i64> = BTreeMap::new();
        for o in &mine[2..] {
            let OpValue::Json(v) = &o.value else { continue };
            for (k, l) in v[0][1].as_object().unwrap() {
                let max = l
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[0].as_i64().unwrap())
                    .max();
                let e = reached.entry(k.clone()).or_insert(-1);
                *e = (*e).max(max.unwrap_or(-1));
            }
        }
        for (k, t) in &targets {
            assert!(
                reached.get(k).is_some_and(|r| r >= t),
                "thread {thread} key {k}"
            );
        }
    }
}

/// Under `--nemesis partition` a log whose other nodes forward to `n0` loses forwarded requests
/// and replies: sends time out as `:info` (committed only if some poll returns them), polls as
/// `:info` with a fresh client; the final phase heals first, so the run stays valid.
#[test]
fn partitions_give_indeterminate_sends_and_a_valid_run() {
    let (mut saw_info, mut drops) = (false, 0);
    for seed in common::SEEDS {
        let cfg = SimConfig {
            partition: true,
            ..cfg(3, 20, seed)
        };
        let r = run(&cfg, Mode::Correct);
        let why = glomers_sim::report::output::summary(&r);
        assert_eq!(r.valid, Validity::True, "{why}");
        drops += r.partition_drops;
        let k = kafka(&r);
        assert!(
            k.unseen.is_none(),
            "the final polls see every acknowledged send: {why}"
        );
        saw_info |= k.sends_ok < k.sends;
        assert!(
            !k.info_txn_causes.is_empty() || k.sends_ok == k.sends,
            "{why}"
        );
    }
    assert!(drops > 0, "some partition cut n0 off");
    assert!(saw_info, "some forwarded send timed out");
}

/// A kafka run's results folder through the workload's own verdict: `results.json` reads back
/// through its type with kafka's section and figures, the folder holds kafka's two plots, and
/// `history.txt` prints sends and polls as Jepsen does (`[[:send "9" 1]]`).
#[cfg(feature = "present")]
#[test]
fn the_results_folder_shows_kafka_through_its_verdict() {
    use glomers_sim::present::results;
    use glomers_sim::report::document::{ResultsJson, SCHEMA_VERSION};

    let r = run(&cfg(2, 3, 1), Mode::Correct);
    let doc = glomers_sim::report::output::to_json(&r);
    let summary = glomers_sim::report::output::summary(&r);
    let dir = tempfile::tempdir().expect("a temporary folder");
    results::write_run(dir.path(), &r, &doc, &summary).expect("results written");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);

    let back = ResultsJson::parse(&read("results.json")).expect("it parses");
    assert_eq!(back.schema_version, SCHEMA_VERSION);
    assert_eq!(back.workload.as_deref(), Some("kafka"));
    assert_eq!(back.workload_valid, Some(Validity::True));
    let k = kafka(&r);
    let section = &back.workload_fields["kafka"];
    assert_eq!(section["sends"], k.sends);
    assert_eq!(section["error_types"], json!([]));
    let figure = |key: &str| {
        back.figures
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
    };
    assert_eq!(figure("kafka_error_types").as_deref(), Some("none"));
    assert_eq!(figure("unseen_at_end").as_deref(), Some("0"));
    let acked = format!("{} of {}", k.sends_ok, k.sends);
    assert_eq!(figure("sends_acknowledged"), Some(acked));
    assert!(figure("worst_realtime_lag").is_some_and(|v| v.ends_with(" s")));

    for plot in ["realtime-lag.svg", "unseen.svg"] {
        assert!(read(plot).starts_with("<svg"), "{plot}");
        assert!(
            back.artifacts
                .iter()
                .any(|a| a.file == plot && !a.what.is_empty())
        );
    }
    let history = read("history.txt");
    let line = |f: &str| {
        history
            .lines()
            .find(|l| l.contains(&format!(":ok\t:{f}\t")))
            .unwrap_or_else(|| panic!("an :ok {f} in {history}"))
            .to_owned()
    };
    assert!(line("send").contains("\t[[:send \""), "{}", line("send"));
    assert!(line("poll").contains("\t[[:poll {"), "{}", line("poll"));
    assert!(!history.contains("[[\"send\""));
}
