//! A real `glomers` process killed with SIGKILL mid-run and started again in the same
//! directory (as Maelstrom's `kill` nemesis does) loses nothing it acknowledged: its values
//! are read back from it at once, from its log, and then from every node. Without the log
//! (`--durability off`) the same restarted process has forgotten them.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Node processes in one directory, the lines they write tagged with the writer, and the
/// messages waiting for a node that is down (Maelstrom queues them).
struct Cluster {
    dir: PathBuf,
    args: Vec<String>,
    children: Vec<Option<Child>>,
    stdins: Vec<Option<ChildStdin>>,
    held: Vec<Vec<String>>,
    tx: Sender<(usize, u32, String)>,
    lines: Receiver<(usize, u32, String)>,
    /// Each node's process count: lines of a killed process are ignored.
    lives: Vec<u32>,
    next_msg_id: u64,
}

impl Cluster {
    fn start(n: usize, args: &[&str]) -> Cluster {
        let (tx, lines) = mpsc::channel();
        let mut c = Cluster {
            dir: crate::scratch_dir(),
            args: args.iter().map(|s| s.to_string()).collect(),
            children: (0..n).map(|_| None).collect(),
            stdins: (0..n).map(|_| None).collect(),
            held: vec![Vec::new(); n],
            tx,
            lines,
            lives: vec![0; n],
            next_msg_id: 1,
        };
        for i in 0..n {
            c.spawn(i);
        }
        c
    }

    /// Starts node `i`'s process and initialises it.
    fn spawn(&mut self, i: usize) {
        let mut child = crate::glomers_in(self.dir.clone())
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        self.lives[i] += 1;
        let life = self.lives[i];
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let tx = self.tx.clone();
        thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send((i, life, line)).is_err() {
                    break;
                }
            }
        });
        self.stdins[i] = child.stdin.take();
        self.children[i] = Some(child);
        let ids: Vec<String> = (0..self.children.len()).map(|i| format!("n{i}")).collect();
        let init = json!({"type": "init", "node_id": format!("n{i}"), "node_ids": ids});
        assert_eq!(self.request(i, init)["type"], "init_ok");
        for line in std::mem::take(&mut self.held[i]) {
            self.send(i, &line);
        }
    }

    /// SIGKILLs node `i`'s process: whatever it had not handed to the OS is gone.
    fn kill(&mut self, i: usize) {
        self.stdins[i] = None;
        if let Some(mut child) = self.children[i].take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }

    fn send(&mut self, i: usize, line: &str) {
        match &mut self.stdins[i] {
            Some(stdin) => {
                writeln!(stdin, "{line}").expect("write");
                stdin.flush().expect("flush");
            }
            None => self.held[i].push(line.to_string()),
        }
    }

    /// Handles one line a node wrote: forwards gossip; returns a client reply.
    fn handle(&mut self, from: usize, life: u32, line: String) -> Option<(usize, Value)> {
        if life != self.lives[from] {
            return None;
        }
        let msg: Value = serde_json::from_str(&line).expect("JSON line");
        let dest = msg["dest"].as_str().expect("dest");
        match dest.strip_prefix('n').and_then(|n| n.parse::<usize>().ok()) {
            Some(to) => {
                self.send(to, &line);
                None
            }
            None => Some((from, msg["body"].clone())),
        }
    }

    /// Forwards gossip until node `i` answers, and returns the answer's body.
    fn request(&mut self, i: usize, mut body: Value) -> Value {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        body["msg_id"] = id.into();
        let line = json!({"src": "c1", "dest": format!("n{i}"), "body": body}).to_string();
        self.send(i, &line);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (from, life, line) = self.lines.recv_timeout(left).expect("the node answers");
            if let Some((from, body)) = self.handle(from, life, line)
                && from == i
                && body["in_reply_to"] == id
            {
                return body;
            }
        }
    }

    /// Lets gossip flow for `span`.
    fn relay_for(&mut self, span: Duration) {
        let until = Instant::now() + span;
        while let Ok((from, life, line)) = self
            .lines
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            self.handle(from, life, line);
        }
    }

    fn read(&mut self, i: usize) -> BTreeSet<i64> {
        let reply = self.request(i, json!({"type": "read"}));
        assert_eq!(reply["type"], "read_ok", "{reply}");
        (reply["messages"].as_array().expect("messages").iter())
            .map(|v| v.as_i64().expect("int"))
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            self.kill(i);
        }
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Broadcasts 30 values to leaf n2 of a 3-node star, SIGKILLs n2 right after its last
/// `broadcast_ok` (values wait for the next round in the node that took them), starts it
/// again in the same directory, and reads.
fn kill_after_broadcasts(durability: &str) -> (BTreeSet<i64>, Cluster) {
    let args = ["--workload", "broadcast", "--topology-file", "3d"];
    let mut c = Cluster::start(3, &[&args[..], &["--durability", durability]].concat());
    for v in 0..30 {
        let reply = c.request(2, json!({"type": "broadcast", "message": v}));
        assert_eq!(reply["type"], "broadcast_ok");
    }
    c.kill(2);
    c.relay_for(Duration::from_millis(100));
    c.spawn(2);
    let at_once = c.read(2);
    (at_once, c)
}

#[test]
fn a_killed_process_loses_nothing_it_acknowledged() {
    let acked: BTreeSet<i64> = (0..30).collect();
    let (at_once, mut c) = kill_after_broadcasts("write");
    assert_eq!(at_once, acked, "read back from the log before any gossip");
    let started = Instant::now();
    for i in 0..3 {
        loop {
            let got = c.read(i);
            if got == acked {
                break;
            }
            assert!(got.is_subset(&acked), "n{i}: {got:?}");
            assert!(started.elapsed() < Duration::from_secs(30), "n{i}: {got:?}");
            c.relay_for(Duration::from_millis(200));
        }
    }
    let log = std::fs::read_to_string(c.dir.join("glomers-n2.log")).expect("n2's log");
    assert!(log.contains("\"incarnation\":1"), "{log}");
}

#[test]
fn without_the_log_a_killed_process_forgets() {
    let (at_once, _c) = kill_after_broadcasts("off");
    assert!(at_once.is_empty(), "{at_once:?}");
}
