//! The test stores driven directly (no network): each broken one must be rejected with its
//! anomaly named, the correct ones must pass. The simulator runs them for real elsewhere.

use serde_json::{Map, Value, json};

use crate::common::txn_stores::{Outgoing, StoreKind, StoreNode};
use glomers_sim::checkers::Validity;
use glomers_sim::history::OpValue;
use glomers_sim::workloads::txn_rw_register::elle::history::{Outcome, Txn};
use glomers_sim::workloads::txn_rw_register::elle::kinds::AnomalyType as A;
use glomers_sim::workloads::txn_rw_register::elle::{ElleResult, Options, check};
use glomers_sim::workloads::txn_rw_register::rpc::{parse_txn, request_body};
use glomers_sim::workloads::{Setup, Workload, WorkloadOptions};
use glomers_sim::world::rng::Rng;

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Runs `n` transactions, one invoked every 2 ms, against one node of `kind`; returns the
/// completed transactions in completion order.
fn drive(kind: StoreKind, n: usize) -> Vec<Txn> {
    let mut node = StoreNode::new(kind);
    node.on_message(
        0,
        "c0",
        &obj(json!({"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1})),
    );
    let mut rng = Rng::workload(7);
    let options = WorkloadOptions::default();
    let setup = Setup {
        options: &options,
        node_count: 1,
        threads: 2,
        latency_ms: 0,
    };
    let mut g = Workload::named("txn-rw-register")
        .expect("registered")
        .build(&setup)
        .expect("the default options");
    let mut requests = Vec::new();
    let mut done: Vec<(u64, Txn)> = Vec::new();
    let mut complete = |out: Vec<Outgoing>, now: u64, requests: &Vec<Vec<_>>| {
        for (_, body) in out {
            let i = body["in_reply_to"].as_u64().unwrap_or(0) as usize;
            let (outcome, mops) = if body["type"] == "txn_ok" {
                (Outcome::Ok, parse_txn(&body["txn"]).expect("schema"))
            } else {
                (Outcome::Fail, requests[i].clone())
            };
            let mut t = Txn::new(0, outcome, mops);
            t.process = (i % 2) as u64;
            done.push((now, t));
        }
    };
    for i in 0..n {
        let now = 2_000 * i as u64;
        while let Some(d) = node.deadline_us().filter(|&d| d <= now) {
            let out = node.on_timer(d);
            complete(out, d, &requests);
        }
        let (_, value) = g.next_op(&mut rng);
        let OpValue::Json(txn) = value else {
            panic!("a transaction's value is its JSON list")
        };
        let mops = parse_txn(&txn).expect("the generator's own schema");
        requests.push(mops.clone());
        let body: Value = serde_json::from_str(&request_body(&mops, i as u64)).expect("json");
        let out = node.on_message(now, "c1", &obj(body));
        complete(out, now, &requests);
    }
    while let Some(d) = node.deadline_us() {
        let out = node.on_timer(d);
        complete(out, d, &requests);
    }
    done.sort_by_key(|(t, _)| *t);
    done.into_iter()
        .enumerate()
        .map(|(i, (_, mut t))| {
            t.index = 2 * i + 1;
            t
        })
        .collect()
}

fn run(kind: StoreKind, model: &str) -> ElleResult {
    let txns = drive(kind, 2000);
    check(
        &Options {
            consistency_models: vec![model.to_string()],
        },
        &txns,
    )
}

#[test]
fn the_correct_stores_pass_even_serializable() {
    for kind in [StoreKind::Serial, StoreKind::Lww] {
        for model in ["read-uncommitted", "read-committed", "serializable"] {
            let r = run(kind, model);
            assert_eq!(
                r.valid,
                Validity::True,
                "{kind:?} {model}: {:?}",
                r.anomaly_types
            );
        }
    }
}

#[test]
fn each_broken_store_is_rejected_with_its_anomaly_named() {
    for (kind, model, anomaly) in [
        (StoreKind::DirtyAborts, "read-committed", A::G1a),
        (StoreKind::FirstWriteWins, "read-committed", A::G1b),
        (StoreKind::DelayedReads, "read-committed", A::G1c),
        (StoreKind::LosesWrites, "repeatable-read", A::LostUpdate),
    ] {
        let r = run(kind, model);
        assert_eq!(r.valid, Validity::False, "{kind:?}");
        assert!(
            r.anomaly_types.contains(&anomaly),
            "{kind:?}: {:?}",
            r.anomaly_types
        );
    }
    // Read committed allows lost writes, as in Maelstrom.
    assert_eq!(
        run(StoreKind::LosesWrites, "read-committed").valid,
        Validity::True
    );
}
