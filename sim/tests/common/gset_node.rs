//! A g-set node for the simulator's tests: a state-based CRDT that gossips its whole set to
//! every other node every 500 ms (correct, under partitions too once they heal), with a switch
//! that makes it forget some adds. It runs in process on the virtual clock as an
//! [`InProcessNode`].

use std::collections::BTreeSet;
use std::time::Duration;

use glomers::Time;
use glomers_sim::NodeKind;
use glomers_sim::drive::node::InProcessNode;
use serde_json::{Value, json};

/// One node.
pub struct GSetNode {
    id: String,
    peers: Vec<String>,
    set: BTreeSet<i64>,
    /// Acknowledge every `k`-th add without keeping it (0: never).
    forget_every: u32,
    adds: u32,
    next_gossip: Option<Time>,
}

impl GSetNode {
    /// A node that forgets every `forget_every`-th add it is asked (0: a correct node).
    pub fn new(forget_every: u32) -> GSetNode {
        GSetNode {
            id: String::new(),
            peers: Vec::new(),
            set: BTreeSet::new(),
            forget_every,
            adds: 0,
            next_gossip: None,
        }
    }

    /// In-process nodes of this kind, for [`glomers_sim::SimConfig::nodes`].
    pub fn nodes(forget_every: u32) -> NodeKind {
        NodeKind::custom(
            format!("g-set CRDT, forget every {forget_every}"),
            move |_| Box::new(GSetNode::new(forget_every)),
        )
    }

    fn reply(out: &mut Vec<u8>, msg: &Value, mut body: Value) {
        body["in_reply_to"] = msg["body"]["msg_id"].clone();
        let line = json!({"src": msg["dest"], "dest": msg["src"], "body": body});
        out.extend_from_slice(format!("{line}\n").as_bytes());
    }
}

impl InProcessNode for GSetNode {
    fn step(&mut self, now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let Some(line) = line else {
            for peer in &self.peers {
                let msg = json!({"src": self.id, "dest": peer,
                                 "body": {"type": "gossip", "elements": self.set}});
                out.extend_from_slice(format!("{msg}\n").as_bytes());
            }
            let next = Time::from_micros(now.as_micros() + 500_000);
            self.next_gossip = Some(next);
            return self.next_gossip;
        };
        let msg: Value = serde_json::from_slice(line).expect("Maelstrom sends JSON");
        let body = &msg["body"];
        match body["type"].as_str().unwrap_or("") {
            "init" => {
                self.id = body["node_id"].as_str().unwrap_or("").to_owned();
                self.peers = body["node_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|p| *p != self.id)
                    .map(str::to_owned)
                    .collect();
                Self::reply(out, &msg, json!({"type": "init_ok"}));
                self.next_gossip = Some(now + Duration::from_millis(500));
            }
            "add" => {
                self.adds += 1;
                if self.forget_every == 0 || self.adds % self.forget_every != 0 {
                    self.set.insert(body["element"].as_i64().unwrap_or(-1));
                }
                Self::reply(out, &msg, json!({"type": "add_ok"}));
            }
            "read" => Self::reply(out, &msg, json!({"type": "read_ok", "value": self.set})),
            "gossip" => {
                let elements = body["elements"].as_array().into_iter().flatten();
                self.set.extend(elements.filter_map(Value::as_i64));
            }
            _ => {}
        }
        self.next_gossip
    }
}
