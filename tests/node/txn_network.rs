//! Transactions (challenges 6a–6c) across in-process nodes on a deterministic network: every
//! `txn` answered `txn_ok` at once, even cut off; no G0, G1a, G1b, G1c or cyclic versions in
//! the history (checked here the way Elle's rw-register analysis builds its graph); the same
//! state on every node after the heal; silence once settled.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cluster::{Net, Rng};
use glomers::config::{NodeConfig, OverlayKind};
use serde_json::{Value, json};

/// One completed micro-op: (`"r"`/`"w"`, key, value or None).
type Op = (String, i64, Option<i64>);

fn ops_of(txn: &Value) -> Vec<Op> {
    txn.as_array()
        .expect("txn array")
        .iter()
        .map(|op| {
            let op = op.as_array().expect("micro-op array");
            assert_eq!(op.len(), 3, "{op:?}");
            (
                op[0].as_str().expect("f").to_string(),
                op[1].as_i64().expect("int key"),
                op[2].as_i64(),
            )
        })
        .collect()
}

/// The anomalies Elle's rw-register analysis would find in a history of `:ok` transactions
/// (values unique per key): G1b, internal inconsistencies, reads of unwritten values, and
/// cycles in the ww ∪ wr graph (G0/G1c) or in a key's version order (cyclic versions).
fn anomalies(history: &[Vec<Op>]) -> Vec<String> {
    let mut found = Vec::new();
    // (key, value) → (writer, whether it is the writer's final write of the key).
    let mut writes: BTreeMap<(i64, i64), (usize, bool)> = BTreeMap::new();
    for (t, ops) in history.iter().enumerate() {
        for (i, (f, k, v)) in ops.iter().enumerate() {
            if f == "w" {
                let last = !ops[i + 1..].iter().any(|(g, j, _)| g == "w" && j == k);
                writes.insert((*k, v.expect("written value")), (t, last));
            }
        }
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); history.len()];
    let mut versions: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    for (t, ops) in history.iter().enumerate() {
        let mut own: BTreeMap<i64, Option<i64>> = BTreeMap::new();
        let mut ext_read: BTreeMap<i64, i64> = BTreeMap::new();
        for (f, k, v) in ops {
            if f == "w" {
                own.insert(*k, *v);
                continue;
            }
            if let Some(mine) = own.get(k) {
                if mine != v {
                    found.push(format!(
                        "internal: txn {t} read {k}={v:?} after writing {mine:?}"
                    ));
                }
                continue;
            }
            let Some(v) = v else { continue };
            match writes.get(&(*k, *v)) {
                None => found.push(format!("txn {t} read {k}={v}, which nobody wrote")),
                Some(&(w, _)) if w == t => {}
                Some(&(w, last)) => {
                    if !last {
                        found.push(format!("G1b: txn {t} read intermediate {k}={v} of txn {w}"));
                    }
                    edges[w].push(t);
                }
            }
            ext_read.entry(*k).or_insert(*v);
        }
        for (k, v1) in ext_read {
            if let Some(Some(v2)) = own.get(&k) {
                versions.entry(k).or_default().push((v1, *v2));
                if let Some(&(w, _)) = writes.get(&(k, v1))
                    && w != t
                {
                    edges[w].push(t);
                }
            }
        }
    }
    if has_cycle(&edges) {
        found.push("G0/G1c: a cycle of ww and wr edges".to_string());
    }
    for (k, pairs) in versions {
        let mut ids: BTreeMap<i64, usize> = BTreeMap::new();
        for &(a, b) in &pairs {
            let n = ids.len();
            ids.entry(a).or_insert(n);
            let n = ids.len();
            ids.entry(b).or_insert(n);
        }
        let mut graph = vec![Vec::new(); ids.len()];
        for (a, b) in pairs {
            graph[ids[&a]].push(ids[&b]);
        }
        if has_cycle(&graph) {
            found.push(format!("cyclic versions of key {k}"));
        }
    }
    found
}

/// Kahn's algorithm: whether the directed graph has a cycle.
fn has_cycle(edges: &[Vec<usize>]) -> bool {
    let mut indegree = vec![0usize; edges.len()];
    for list in edges {
        for &b in list {
            indegree[b] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..edges.len()).filter(|&v| indegree[v] == 0).collect();
    let mut done = 0;
    while let Some(v) = ready.pop() {
        done += 1;
        for &b in &edges[v] {
            indegree[b] -= 1;
            if indegree[b] == 0 {
                ready.push(b);
            }
        }
    }
    done < edges.len()
}

fn w(k: i64, v: i64) -> Op {
    ("w".into(), k, Some(v))
}

fn r(k: i64, v: Option<i64>) -> Op {
    ("r".into(), k, v)
}

#[test]
fn the_checker_rejects_write_cycles_intermediate_reads_and_cyclic_versions() {
    assert!(anomalies(&[vec![w(1, 1), r(2, None)], vec![r(1, Some(1)), w(2, 1)]]).is_empty());
    let g1c = anomalies(&[vec![w(1, 1), r(2, Some(1))], vec![w(2, 1), r(1, Some(1))]]);
    assert!(g1c.iter().any(|a| a.starts_with("G0/G1c")), "{g1c:?}");
    let g1b = anomalies(&[vec![w(1, 1), w(1, 2)], vec![r(1, Some(1))]]);
    assert!(g1b.iter().any(|a| a.starts_with("G1b")), "{g1b:?}");
    let versions = anomalies(&[vec![r(1, Some(1)), w(1, 2)], vec![r(1, Some(2)), w(1, 1)]]);
    assert!(
        versions.iter().any(|a| a.starts_with("cyclic")),
        "{versions:?}"
    );
    let internal = anomalies(&[vec![w(1, 1), r(1, None)]]);
    assert!(
        internal.iter().any(|a| a.starts_with("internal")),
        "{internal:?}"
    );
}

/// Random transactions (1–4 micro-ops, half reads, 10 keys, values 1, 2, … per key) at random
/// nodes every 5 ms for 20 s, node 0 cut off from the others between 5 s and 15 s. Returns the
/// history, the node messages sent, and each node's final view of every key.
fn run(n: usize, config: &NodeConfig, seed: u64) -> (Vec<Vec<Op>>, usize, Vec<Value>) {
    let mut net = Net::new(n, config, seed);
    let mut rng = Rng::new(seed ^ 0x7A7A);
    let mut next_value = [0i64; 10];
    let mut history = Vec::new();
    let others: Vec<usize> = (1..n).collect();
    for step in 0..4_000 {
        if step == 1_000 {
            net.partition(&[0], &others);
        }
        if step == 3_000 {
            net.heal();
        }
        let len = 1 + rng.next_u64() % 4;
        let txn: Vec<Value> = (0..len)
            .map(|_| {
                let k = (rng.next_u64() % 10) as usize;
                if rng.unit() < 0.5 {
                    json!(["r", k, null])
                } else {
                    next_value[k] += 1;
                    json!(["w", k, next_value[k]])
                }
            })
            .collect();
        let node = (rng.next_u64() % n as u64) as usize;
        let reply = net.request(node, json!({"type": "txn", "txn": txn}));
        assert_eq!(
            reply["type"], "txn_ok",
            "every txn commits at once: {reply}"
        );
        let keys: Vec<&String> = reply.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["in_reply_to", "txn", "type"], "{reply}");
        let done = ops_of(&reply["txn"]);
        for (sent, got) in txn.iter().zip(&done) {
            assert_eq!(sent[0], got.0.as_str());
            assert_eq!(sent[1], got.1);
            if got.0 == "w" {
                assert_eq!(sent[2].as_i64(), got.2, "writes come back unchanged");
            }
        }
        assert_eq!(done.len(), txn.len());
        history.push(done);
        net.run_for(Duration::from_millis(5));
    }
    assert!(net.settle(Duration::from_secs(60)), "idle after the heal");
    let all: Vec<Value> = (0..10).map(|k| json!(["r", k, null])).collect();
    let views = (0..n)
        .map(|i| net.request(i, json!({"type": "txn", "txn": all.clone()}))["txn"].clone())
        .collect();
    (history, net.server_messages, views)
}

#[test]
fn challenges_6b_6c_two_nodes_partitioned_commit_everything_without_anomalies() {
    for seed in 1..=5 {
        let (history, messages, views) = run(2, &NodeConfig::default(), seed);
        assert_eq!(anomalies(&history), Vec::<String>::new(), "seed {seed}");
        assert_eq!(
            views[0], views[1],
            "seed {seed}: both nodes hold the same state"
        );
        let per_op = messages as f64 / history.len() as f64;
        assert!(
            per_op < 0.05,
            "seed {seed}: {messages} messages for {} txns",
            history.len()
        );
    }
}

#[test]
fn five_nodes_on_several_overlays_converge_without_anomalies() {
    for kind in [OverlayKind::Star, OverlayKind::Grid, OverlayKind::Tree] {
        let mut config = NodeConfig::load("3d").expect("preset");
        config.overlay.kind = kind;
        config.fallback.enabled = kind.is_rooted();
        let (history, _, views) = run(5, &config, 11);
        assert_eq!(anomalies(&history), Vec::<String>::new(), "{kind:?}");
        assert!(views.iter().all(|v| *v == views[0]), "{kind:?}: {views:?}");
        assert!(
            views[0]
                .as_array()
                .expect("ops")
                .iter()
                .any(|op| !op[2].is_null()),
            "the final reads see writes"
        );
    }
}

#[test]
fn a_single_node_is_its_own_store() {
    let mut net = Net::new(1, &NodeConfig::default(), 1);
    let reply = net.request(
        0,
        json!({"type": "txn", "txn": [["w", 1, 6], ["r", 1, null]]}),
    );
    assert_eq!(reply["txn"], json!([["w", 1, 6], ["r", 1, 6]]));
    let reply = net.request(
        0,
        json!({"type": "txn", "txn": [["r", 1, null], ["r", 2, null]]}),
    );
    assert_eq!(reply["txn"], json!([["r", 1, 6], ["r", 2, null]]));
    net.run_for(Duration::from_secs(30));
    assert_eq!(net.server_messages, 0, "nothing to gossip with");
}
