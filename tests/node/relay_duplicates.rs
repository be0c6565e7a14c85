//! A relay asked twice to adopt a node (its request duplicated by the network, or repeated
//! before the relay's answer arrives) still sends each value once per message.

use std::time::Duration;

use glomers::Time;
use glomers::config::NodeConfig;
use glomers::step::{Driven, Feed};
use serde_json::Value;

fn feed(node: &mut Driven, now: Time, line: &str) -> Vec<Value> {
    let mut buf = line.as_bytes().to_vec();
    let len = buf.len();
    step(node, now, Feed::Line { buf: &mut buf, len })
}

fn step(node: &mut Driven, now: Time, feed: Feed<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    node.step(now, feed, &mut out, |_| {});
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("JSON"))
        .collect()
}

#[test]
fn a_duplicated_adopt_request_does_not_duplicate_values() {
    // Star of three rooted at n0; n1 is the node under test, n2 ranks after it.
    let mut n1 = Driven::new(NodeConfig::load("3e").expect("preset"));
    let mut now = Time::from_millis(1_000_000);
    let init = r#"{"src":"c0","dest":"n1","body":{"type":"init","node_id":"n1","node_ids":["n0","n1","n2"],"msg_id":1}}"#;
    feed(&mut n1, now, init);
    for (v, id) in [(1, 2), (2, 3)] {
        let b = format!(
            r#"{{"src":"c9","dest":"n1","body":{{"type":"broadcast","message":{v},"msg_id":{id}}}}}"#
        );
        feed(&mut n1, now, &b);
    }
    // n2 lost its parent and asks n1 to relay; the request arrives twice.
    let adopt =
        r#"{"src":"n2","dest":"n1","body":{"type":"gossip","seq":0,"values":[3],"adopt":true}}"#;
    feed(&mut n1, now, adopt);
    now += Duration::from_millis(1);
    feed(&mut n1, now, adopt);
    // Run n1's timers for a while and look at everything it sends n2.
    let mut to_n2 = Vec::new();
    let end = now + Duration::from_secs(3);
    while let Some(t) = n1.node().poll_timeout().filter(|&t| t <= end) {
        let sent = step(&mut n1, t, Feed::Timeout);
        to_n2.extend(sent.into_iter().filter(|m| m["dest"] == "n2"));
    }
    let with_values: Vec<&Value> = to_n2
        .iter()
        .filter(|m| m["body"]["values"].is_array())
        .collect();
    assert!(!with_values.is_empty(), "n1 relays to n2: {to_n2:?}");
    for m in with_values {
        let values = m["body"]["values"].as_array().expect("array");
        let mut distinct = values.clone();
        distinct.sort_by_key(|v| v.to_string());
        distinct.dedup();
        assert_eq!(distinct.len(), values.len(), "a value sent twice: {m}");
        assert!(!values.contains(&Value::from(3)), "n2 sent 3 itself: {m}");
    }
}
