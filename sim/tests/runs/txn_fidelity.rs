//! txn-rw-register fidelity (workloads spec checklist §9.12, 9.13, 9.15, §5.1–5.3, §8): the
//! wire format, the client's outcome mapping and reuse, the reply taken verbatim, the
//! generator's mix as the simulator issues it, and the absence of a final phase.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use glomers_sim::history::{Op, OpType, OpValue, Process};
use glomers_sim::workloads::txn_rw_register::TXN;
use glomers_sim::{Availability, Cluster, Report, SimConfig, Validity, Workload};
use serde_json::{Value, json};

fn cfg(nodes: u16, rate: f64, secs: u64, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named("txn-rw-register").expect("registered"),
        node_count: nodes,
        rate,
        time_limit: Duration::from_secs(secs),
        seed,
        workload_options: [("consistency-models".into(), "read-committed".into())].into(),
        ..SimConfig::default()
    }
}

fn run(cfg: &SimConfig, mut node: impl FnMut(&Value) -> Vec<String>) -> Report {
    let mut cluster = Cluster::new(cfg).expect("valid config");
    common::drive_fake(&mut cluster, |_, _, m| node(m));
    cluster.finish().expect("the test runs")
}

/// A correct single-register-file store answering `txn` (reads see earlier writes).
fn store() -> impl FnMut(&Value) -> Vec<String> {
    let mut state: BTreeMap<i64, i64> = BTreeMap::new();
    move |m| {
        if m["body"]["type"] != "txn" {
            return common::polite(m);
        }
        let mut done = Vec::new();
        for mop in m["body"]["txn"].as_array().into_iter().flatten() {
            let k = mop[1].as_i64().unwrap_or(0);
            if mop[0] == "w" {
                state.insert(k, mop[2].as_i64().unwrap_or(0));
                done.push(mop.clone());
            } else {
                done.push(json!(["r", k, state.get(&k)]));
            }
        }
        vec![common::reply(m, json!({"type": "txn_ok", "txn": done}))]
    }
}

fn txn_ops(r: &Report) -> impl Iterator<Item = &Op> {
    r.history.ops().iter().filter(|o| o.f == TXN)
}

#[test]
fn requests_carry_the_txn_with_null_reads_and_nothing_else() {
    let mut seen = 0;
    let mut inner = store();
    run(&cfg(1, 50.0, 2, 1), |m| {
        if m["body"]["type"] == "txn" {
            seen += 1;
            let body = m["body"].as_object().expect("object");
            let keys: BTreeSet<&str> = body.keys().map(String::as_str).collect();
            assert_eq!(keys, BTreeSet::from(["msg_id", "txn", "type"]));
            for mop in body["txn"].as_array().expect("a list") {
                let mop = mop.as_array().expect("[f k v]");
                assert_eq!(mop.len(), 3);
                assert!(mop[1].is_i64());
                match mop[0].as_str() {
                    Some("r") => assert!(mop[2].is_null()),
                    Some("w") => assert!(mop[2].is_i64()),
                    other => panic!("f {other:?}"),
                }
            }
        }
        inner(m)
    });
    assert!(seen > 50);
}

#[test]
fn definite_errors_fail_and_the_rest_are_info_on_the_same_reused_client() {
    // One thread: every request comes from its one client, whatever the outcomes.
    let mut c = cfg(1, 20.0, 20, 2);
    c.availability = Some(Availability::Total);
    let mut n = 0;
    let mut clients = BTreeSet::new();
    let r = run(&c, |m| {
        if m["body"]["type"] != "txn" {
            return common::polite(m);
        }
        clients.insert(m["src"].as_str().unwrap_or("").to_string());
        n += 1;
        let err = |code: i64| common::reply(m, json!({"type": "error", "code": code}));
        match n % 6 {
            0 => vec![err(30)],
            1 => vec![err(14)],
            2 => vec![err(13)],
            3 => vec![err(1000)],
            4 => Vec::new(),
            _ => vec![common::reply(
                m,
                json!({"type": "txn_ok", "txn": [], "extra": 1}),
            )],
        }
    });
    assert_eq!(clients.len(), 1, "the txn client is reusable: {clients:?}");
    let done: Vec<&Op> = txn_ops(&r).filter(|o| o.kind != OpType::Invoke).collect();
    assert!(done.len() >= 12);
    for (i, op) in done.iter().enumerate() {
        let (kind, error) = match (i + 1) % 6 {
            0 => (OpType::Fail, "[:txn-conflict"),
            1 => (OpType::Fail, "[:abort"),
            2 => (OpType::Info, "[:crash"),
            3 => (OpType::Info, "[:unknown"),
            4 => (OpType::Info, ":net-timeout"),
            _ => (OpType::Info, "Malformed RPC response"),
        };
        assert_eq!(op.kind, kind, "op {i}: {op}");
        assert!(
            op.error.as_deref().unwrap_or("").starts_with(error),
            "op {i}: {op}"
        );
        // A failed or unknown txn keeps the request's micro-operations.
        assert!(matches!(&op.value, OpValue::Json(Value::Array(a)) if !a.is_empty()));
    }
    // The process advances by the concurrency after each :info, not after a :fail.
    let procs: Vec<u64> = done
        .iter()
        .map(|o| match o.process {
            Process::Client(p) => p,
            Process::Nemesis => u64::MAX,
        })
        .collect();
    assert_eq!(&procs[..6], &[0, 0, 1, 2, 3, 4]);
    assert_eq!(r.stats.valid, Validity::False, "no :ok txn at all");
    assert_eq!(r.availability.valid, Validity::False);
    assert_eq!(r.availability.ok_fraction, Some(0.0));
}

#[test]
fn the_reply_txn_is_taken_verbatim() {
    let r = run(&cfg(1, 20.0, 2, 3), |m| {
        if m["body"]["type"] != "txn" {
            return common::polite(m);
        }
        // Not the request's micro-operations at all.
        let txn = json!([["w", 77, 5], ["r", 78, 9]]);
        vec![common::reply(
            m,
            json!({"type": "txn_ok", "txn": txn, "msg_id": 4}),
        )]
    });
    let oks: Vec<&Op> = txn_ops(&r).filter(|o| o.kind == OpType::Ok).collect();
    assert!(!oks.is_empty());
    for op in oks {
        assert_eq!(op.value, OpValue::Json(json!([["w", 77, 5], ["r", 78, 9]])));
    }
}

#[test]
fn the_generator_mix_as_issued_and_no_final_phase() {
    let mut c = cfg(2, 1000.0, 10, 4);
    c.concurrency = Some(4);
    c.partition = true;
    c.nemesis_interval = Duration::from_secs(2);
    let r = run(&c, store());
    let limit = r.main_start.as_micros() * 1000 + c.time_limit.as_nanos() as u64;
    let (mut lengths, mut reads, mut writes) = ([0u64; 5], 0u64, 0u64);
    let mut last: BTreeMap<i64, i64> = BTreeMap::new();
    for op in txn_ops(&r).filter(|o| o.kind == OpType::Invoke) {
        assert!(op.time_ns < limit, "invoked after the time limit");
        assert!(!op.final_read);
        let OpValue::Json(Value::Array(mops)) = &op.value else {
            panic!("{op}");
        };
        lengths[mops.len()] += 1;
        for m in mops {
            if m[0] == "r" {
                reads += 1;
            } else {
                writes += 1;
                let (k, v) = (m[1].as_i64().unwrap_or(0), m[2].as_i64().unwrap_or(0));
                let prev = last.insert(k, v).unwrap_or(0);
                assert_eq!(v, prev + 1, "per-key values 1, 2, …");
                assert!(v <= 16);
            }
        }
    }
    let total: u64 = lengths.iter().sum();
    // The 150 µs per-operation lag costs about 13% at this rate.
    assert!(total > 8000, "{total} txns in 10 s at rate 1000");
    assert_eq!(lengths[0], 0);
    for l in &lengths[1..] {
        assert!(
            (*l as f64 / total as f64 - 0.25).abs() < 0.03,
            "{lengths:?}"
        );
    }
    assert!((reads as f64 / (reads + writes) as f64 - 0.5).abs() < 0.02);
    assert!(
        last.len() > 50,
        "keys retire after 16 writes: {}",
        last.len()
    );
    // No heal is recorded: whatever the nemesis last did stands until teardown.
    let nemesis: Vec<&Op> = r.history.ops().iter().filter(|o| !o.is_client()).collect();
    assert!(nemesis.iter().all(|o| o.time_ns < limit));
    // Messages to clients: init and init_ok, then two per operation.
    assert_eq!(
        r.net.clients.msg_count,
        2 * u64::from(c.node_count) + 2 * r.op_count
    );
    assert_eq!(r.valid, Validity::True, "a correct store");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let mut c = cfg(2, 500.0, 3, 9);
    c.partition = true;
    c.nemesis_interval = Duration::from_secs(1);
    let (a, b) = (run(&c, store()), run(&c, store()));
    assert_eq!(a.history, b.history);
    assert_eq!(a.net, b.net);
    let c2 = SimConfig { seed: 10, ..c };
    assert_ne!(run(&c2, store()).history, a.history, "the seed matters");
}
