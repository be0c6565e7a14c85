//! The real `glomers` binary on the counter and transaction workloads: several node processes
//! joined by a tiny in-test router that forwards their gossip over pipes, as Maelstrom would.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Node processes and the lines they write, tagged with the writer.
struct Cluster {
    children: Vec<Child>,
    stdins: Vec<ChildStdin>,
    lines: Receiver<(usize, String)>,
    next_msg_id: u64,
    /// Node-to-node messages forwarded.
    forwarded: usize,
}

impl Cluster {
    fn start(n: usize) -> Cluster {
        let (tx, lines) = mpsc::channel();
        let mut children = Vec::new();
        let mut stdins = Vec::new();
        for i in 0..n {
            // Short rounds keep the test quick; the workload is told by the requests.
            let mut child = crate::glomers()
                .args(["--topology-file", "3d"])
                .env("GLOMERS_LOG", "warn")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("binary starts");
            stdins.push(child.stdin.take().expect("stdin"));
            let stdout = BufReader::new(child.stdout.take().expect("stdout"));
            let tx = tx.clone();
            thread::spawn(move || {
                for line in stdout.lines().map_while(Result::ok) {
                    if tx.send((i, line)).is_err() {
                        break;
                    }
                }
            });
            children.push(child);
        }
        let mut c = Cluster {
            children,
            stdins,
            lines,
            next_msg_id: 1,
            forwarded: 0,
        };
        let ids: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
        for i in 0..n {
            let reply = c.request(
                i,
                json!({"type": "init", "node_id": format!("n{i}"), "node_ids": ids}),
            );
            assert_eq!(reply["type"], "init_ok");
        }
        c
    }

    fn send(&mut self, i: usize, line: &str) {
        writeln!(self.stdins[i], "{line}").expect("write");
        self.stdins[i].flush().expect("flush");
    }

    /// Forwards gossip until node `i` answers request `id`, and returns the answer's body.
    fn request(&mut self, i: usize, mut body: Value) -> Value {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        body["msg_id"] = id.into();
        let line = json!({"src": "c1", "dest": format!("n{i}"), "body": body}).to_string();
        self.send(i, &line);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (from, line) = self.lines.recv_timeout(left).expect("the node answers");
            let msg: Value = serde_json::from_str(&line).expect("JSON line");
            if let Some(to) = self.route(&msg, &line) {
                self.send(to, &line);
            } else if from == i && msg["body"]["in_reply_to"] == id {
                return msg["body"].clone();
            }
        }
    }

    /// The node a message goes to, if it is node-to-node traffic.
    fn route(&mut self, msg: &Value, line: &str) -> Option<usize> {
        let dest = msg["dest"].as_str().expect("dest");
        let to = dest.strip_prefix('n')?.parse().ok()?;
        assert!(
            line.contains("\"gossip\""),
            "only gossip between nodes: {line}"
        );
        self.forwarded += 1;
        Some(to)
    }

    /// Asks until `check` holds for every node's answer to `body` (gossip flowing meanwhile).
    fn await_all(&mut self, body: Value, check: impl Fn(&Value) -> bool) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let answers: Vec<Value> = (0..self.children.len())
                .map(|i| self.request(i, body.clone()))
                .collect();
            if answers.iter().all(&check) {
                return answers;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "never converged: {answers:?}"
            );
            // Let a round or two of gossip through.
            let until = Instant::now() + Duration::from_millis(200);
            while let Ok((_, line)) = self
                .lines
                .recv_timeout(until.saturating_duration_since(Instant::now()))
            {
                let msg: Value = serde_json::from_str(&line).expect("JSON line");
                if let Some(to) = self.route(&msg, &line) {
                    self.send(to, &line);
                }
            }
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.children {
            c.kill().ok();
            c.wait().ok();
        }
    }
}

#[test]
fn three_processes_count_to_the_same_total() {
    let mut c = Cluster::start(3);
    for (node, delta) in [(0, 3), (1, -1), (1, 4), (2, 5), (2, 0)] {
        let reply = c.request(node, json!({"type": "add", "delta": delta}));
        assert_eq!(reply["type"], "add_ok", "{reply}");
    }
    let reads = c.await_all(json!({"type": "read"}), |r| r["value"] == 11);
    for r in reads {
        assert_eq!(r.as_object().expect("object").len(), 3, "{r}");
    }
    assert!(c.forwarded > 0, "the total came through gossip");
}

#[test]
fn two_processes_share_committed_transactions() {
    let mut c = Cluster::start(2);
    let a = c.request(
        0,
        json!({"type": "txn", "txn": [["w", 1, 1], ["w", 2, 2], ["r", 1, null]]}),
    );
    assert_eq!(a["txn"], json!([["w", 1, 1], ["w", 2, 2], ["r", 1, 1]]));
    let b = c.request(
        1,
        json!({"type": "txn", "txn": [["r", 3, null], ["w", 3, 3]]}),
    );
    assert_eq!(b["txn"], json!([["r", 3, null], ["w", 3, 3]]));
    let all = json!({"type": "txn", "txn": [["r", 1, null], ["r", 2, null], ["r", 3, null]]});
    let want = json!([["r", 1, 1], ["r", 2, 2], ["r", 3, 3]]);
    c.await_all(all, |r| r["txn"] == want);
}
