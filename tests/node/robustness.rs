//! Odd but possible inputs the node must take in its stride: gossip that claims to come from
//! the node itself, a goodbye carrying values, a flood of batches, a very large cluster on
//! the all-to-all overlay, counter shares and transaction records arriving out of order.

use glomers::Time;
use glomers::config::{NodeConfig, OverlayKind, Workload};
use glomers::step::{Driven, Feed};

struct Harness {
    node: Driven,
    now: Time,
}

impl Harness {
    fn new(config: NodeConfig, me: &str, ids: &[String]) -> Harness {
        // These cases read without a `topology` first, which alone would mean a counter.
        Harness::serving(config, Workload::named("broadcast"), me, ids)
    }

    fn serving(mut config: NodeConfig, workload: Workload, me: &str, ids: &[String]) -> Harness {
        config.workload = workload;
        let mut h = Harness {
            node: Driven::new(config),
            now: Time::from_millis(1_000_000),
        };
        let ids = serde_json::to_string(ids).expect("ids");
        let out = h.feed(&format!(
            r#"{{"src":"c0","dest":"{me}","body":{{"type":"init","node_id":"{me}","node_ids":{ids},"msg_id":1}}}}"#
        ));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["body"]["type"], "init_ok");
        h
    }

    fn feed(&mut self, line: &str) -> Vec<serde_json::Value> {
        let mut buf = line.as_bytes().to_vec();
        let len = buf.len();
        self.step(self.now, Feed::Line { buf: &mut buf, len })
    }

    fn step(&mut self, now: Time, feed: Feed<'_>) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        self.node.step(now, feed, &mut out, |_| {});
        out.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).expect("JSON"))
            .collect()
    }

    /// Fires every timer up to `until`, returning what the node sent.
    fn run_until(&mut self, until: Time) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        while let Some(t) = self.node.node().poll_timeout().filter(|&t| t <= until) {
            self.now = t;
            out.extend(self.step(t, Feed::Timeout));
        }
        self.now = until;
        out
    }

    fn read(&mut self) -> Vec<serde_json::Value> {
        let out = self.feed(r#"{"src":"c9","dest":"n0","body":{"type":"read","msg_id":77}}"#);
        out[0]["body"]["messages"]
            .as_array()
            .expect("messages")
            .clone()
    }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("n{i}")).collect()
}

fn with_kind(kind: OverlayKind) -> NodeConfig {
    let mut c = NodeConfig::load("3d").expect("preset");
    c.overlay.kind = kind;
    c.fallback.enabled = false;
    c
}

#[test]
fn gossip_from_the_node_itself_is_dropped_and_links_nothing() {
    let mut h = Harness::new(with_kind(OverlayKind::Total), "n0", &names(3));
    let out = h.feed(r#"{"src":"n0","dest":"n0","body":{"type":"gossip","seq":0,"values":[5]}}"#);
    assert!(out.is_empty(), "{out:?}");
    assert!(h.read().is_empty());
    assert!(h.node.node().is_idle());
    assert_eq!(
        h.node.node().poll_timeout(),
        None,
        "no link to itself waits to send anything"
    );
}

#[test]
fn a_goodbye_that_carries_values_keeps_them() {
    let mut h = Harness::new(NodeConfig::load("3e").expect("3e"), "n0", &names(5));
    // n3 detaches from n0 (which never adopted it) but the message carries values.
    h.feed(r#"{"src":"n3","dest":"n0","body":{"type":"gossip","seq":4,"values":[11,12],"detach":true}}"#);
    let read = h.read();
    assert_eq!(read, vec![serde_json::json!(11), serde_json::json!(12)]);
}

#[test]
fn a_flood_of_batches_is_acknowledged_in_bounded_messages() {
    let mut h = Harness::new(NodeConfig::load("3e").expect("3e"), "n0", &names(2));
    let mut sent = Vec::new();
    for seq in 0..1000u64 {
        let line = format!(
            r#"{{"src":"n1","dest":"n0","body":{{"type":"gossip","seq":{seq},"values":[{seq}]}}}}"#
        );
        sent.extend(h.feed(&line));
    }
    let end = h.now + std::time::Duration::from_secs(10);
    sent.extend(h.run_until(end));
    let mut acked: Vec<u64> = sent
        .iter()
        .filter(|m| m["dest"] == "n1")
        .flat_map(|m| m["body"]["acks"].as_array().cloned().unwrap_or_default())
        .map(|a| a.as_u64().expect("seq"))
        .collect();
    assert!(
        sent.iter()
            .all(|m| m["body"]["acks"].as_array().is_none_or(|a| a.len() <= 64))
    );
    acked.sort_unstable();
    acked.dedup();
    assert_eq!(
        acked,
        (0..1000).collect::<Vec<_>>(),
        "every batch acknowledged once"
    );
    assert_eq!(h.read().len(), 1000);
}

#[test]
fn a_huge_cluster_on_the_all_to_all_overlay_initialises_and_flushes_once_per_link() {
    let n = 20_000;
    let mut h = Harness::new(with_kind(OverlayKind::Total), "n0", &names(n));
    h.feed(r#"{"src":"c5","dest":"n0","body":{"type":"broadcast","message":1,"msg_id":2}}"#);
    let end = h.now + std::time::Duration::from_secs(1);
    let gossip = h.run_until(end);
    assert_eq!(gossip.len(), n - 1, "one message to every other node");
    assert!(
        gossip
            .iter()
            .all(|m| m["body"]["values"] == serde_json::json!([1]))
    );
}

/// Everything the node sends `dest` over the next ten seconds.
fn sent_to(h: &mut Harness, dest: &str) -> Vec<serde_json::Value> {
    let end = h.now + std::time::Duration::from_secs(10);
    h.run_until(end)
        .into_iter()
        .filter(|m| m["dest"] == dest)
        .collect()
}

#[test]
fn counter_shares_in_any_order_keep_the_latest_and_relay_only_it() {
    // n0 is the root of a star of three: what n1 sends, n0 relays to n2.
    let mut h = Harness::serving(
        NodeConfig::default(),
        Workload::named("counter"),
        "n0",
        &names(3),
    );
    for i in 0..500u64 {
        let version = 1 + (i * 211) % 500; // every version 1..=500 once, shuffled
        h.feed(&format!(
            r#"{{"src":"n1","dest":"n0","body":{{"type":"gossip","seq":{i},"counts":[[1,{version},{}]]}}}}"#,
            version * 2
        ));
    }
    let relayed = sent_to(&mut h, "n2");
    let shares: Vec<&serde_json::Value> = relayed
        .iter()
        .filter_map(|m| m["body"]["counts"].as_array())
        .flatten()
        .collect();
    assert!(!shares.is_empty() && shares.len() <= 2, "{shares:?}");
    assert_eq!(
        shares.last().copied(),
        Some(&serde_json::json!([1, 500, 1000]))
    );
    assert!(
        h.node.node().items_len() < 500,
        "stale shares are not stored"
    );
    let out = h.feed(r#"{"src":"c9","dest":"n0","body":{"type":"read","msg_id":5}}"#);
    assert_eq!(out[0]["body"]["value"], 1000);
}

#[test]
fn transaction_records_apply_whole_and_overwritten_ones_are_not_relayed() {
    let mut h = Harness::serving(
        NodeConfig::default(),
        Workload::named("txn"),
        "n0",
        &names(3),
    );
    h.feed(r#"{"src":"n1","dest":"n0","body":{"type":"gossip","seq":0,"txns":[[2,1,[[1,20],[2,20]]],[1,1,[[1,10],[2,10],[3,10]]],[3,1,[[1,30],[2,30]]]]}}"#);
    let out = h.feed(
        r#"{"src":"c9","dest":"n0","body":{"type":"txn","txn":[["r",1,null],["r",2,null],["r",3,null]],"msg_id":5}}"#,
    );
    assert_eq!(
        out[0]["body"]["txn"],
        serde_json::json!([["r", 1, 30], ["r", 2, 30], ["r", 3, 10]])
    );
    // The first batch to n2 (n2 never acknowledges, so later ones are resends). In arrival
    // order: ts 2, then ts 1 (still current on key 3), then ts 3, which overwrote all of ts 2.
    let relayed: Vec<serde_json::Value> = sent_to(&mut h, "n2")
        .iter()
        .find_map(|m| m["body"]["txns"].as_array().cloned())
        .expect("a batch to n2");
    assert_eq!(
        relayed,
        vec![
            serde_json::json!([1, 1, [[1, 10], [2, 10], [3, 10]]]),
            serde_json::json!([3, 1, [[1, 30], [2, 30]]]),
        ],
        "only records with a write still current travel on"
    );
}
