//! How a node knows its workload, which decides what `read` answers: the setting if given,
//! else the first message that tells; a `read` before that is a counter's and settles nothing.

use glomers::Time;
use glomers::config::{NodeConfig, Workload};
use glomers::step::{Driven, Feed};
use serde_json::{Value, json};

struct One {
    node: Driven,
    next_id: u64,
}

impl One {
    fn new(workload: Workload) -> One {
        let config = NodeConfig {
            workload,
            ..NodeConfig::default()
        };
        let mut one = One {
            node: Driven::new(config),
            next_id: 1,
        };
        one.send(
            "c0",
            json!({"type": "init", "node_id": "n0", "node_ids": ["n0", "n1"]}),
        );
        one
    }

    /// Feeds one message and returns the bodies of what the node sent.
    fn send(&mut self, src: &str, mut body: Value) -> Vec<Value> {
        if src.starts_with('c') {
            body["msg_id"] = self.next_id.into();
            self.next_id += 1;
        }
        let mut line = json!({"src": src, "dest": "n0", "body": body})
            .to_string()
            .into_bytes();
        let len = line.len();
        let mut out = Vec::new();
        let feed = Feed::Line {
            buf: &mut line,
            len,
        };
        self.node.step(Time::from_millis(5), feed, &mut out, |_| {});
        out.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice::<Value>(l).expect("JSON")["body"].clone())
            .collect()
    }

    fn ask(&mut self, body: Value) -> Value {
        let mut replies = self.send("c1", body);
        assert_eq!(replies.len(), 1, "{replies:?}");
        let mut reply = replies.remove(0);
        reply.as_object_mut().expect("object").remove("in_reply_to");
        reply
    }
}

#[test]
fn a_read_before_anything_told_is_a_counters_and_settles_nothing() {
    let mut n = One::new(Workload::auto());
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "value": 0})
    );
    assert_eq!(n.node.node().workload(), None);
    // Maelstrom's broadcast workload starts with `topology`: from then on, reads list values.
    assert_eq!(
        n.ask(json!({"type": "topology", "topology": {}}))["type"],
        "topology_ok"
    );
    assert_eq!(n.node.node().workload(), Some("broadcast"));
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "messages": []})
    );
    assert_eq!(n.ask(json!({"type": "add", "delta": 1}))["code"], 10);
}

#[test]
fn the_first_request_or_gossip_that_tells_settles_it_for_good() {
    let mut n = One::new(Workload::auto());
    n.ask(json!({"type": "add", "delta": 4}));
    assert_eq!(n.node.node().workload(), Some("counter"));
    assert_eq!(
        n.ask(json!({"type": "broadcast", "message": 1}))["code"],
        10
    );
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "value": 4})
    );

    let mut n = One::new(Workload::auto());
    n.send(
        "n1",
        json!({"type": "gossip", "seq": 0, "txns": [[3, 1, [[1, 2]]]]}),
    );
    assert_eq!(n.node.node().workload(), Some("txn-rw-register"));
    let reply = n.ask(json!({"type": "txn", "txn": [["r", 1, null]]}));
    assert_eq!(reply, json!({"type": "txn_ok", "txn": [["r", 1, 2]]}));

    let mut n = One::new(Workload::auto());
    n.send("n1", json!({"type": "gossip", "seq": 0, "values": [7]}));
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "messages": [7]})
    );
}

#[test]
fn a_configured_workload_holds_whatever_arrives() {
    let mut n = One::new(Workload::named("counter"));
    assert_eq!(
        n.ask(json!({"type": "topology", "topology": {}}))["type"],
        "topology_ok"
    );
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "value": 0})
    );
    n.send("n1", json!({"type": "gossip", "seq": 0, "values": [7]}));
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "value": 0})
    );

    let mut n = One::new(Workload::named("broadcast"));
    assert_eq!(
        n.ask(json!({"type": "read"})),
        json!({"type": "read_ok", "messages": []})
    );
    assert_eq!(n.ask(json!({"type": "txn", "txn": []}))["code"], 10);
}
