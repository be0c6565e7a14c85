//! The real `glomers` binary fed bad input one line at a time, as Maelstrom would deliver it:
//! after every line a `read` probe shows the node is still running, answered the line with the
//! right Maelstrom error (or dropped it with a log line), and holds exactly the values it
//! acknowledged, each once.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

struct Proc {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr: Receiver<String>,
    next_probe: u64,
}

impl Proc {
    fn spawn() -> Proc {
        // The probes read without a `topology` first, which alone would mean a counter.
        let mut child = crate::glomers()
            .args(["--workload", "broadcast"])
            .env("GLOMERS_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary starts");
        let stdin = child.stdin.take().expect("stdin");
        let (tx, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        thread::spawn(move || {
            for line in stdout.lines() {
                if tx.send(line.expect("utf-8 stdout")).is_err() {
                    break;
                }
            }
        });
        let (etx, stderr) = mpsc::channel();
        let mut err = child.stderr.take().expect("stderr");
        thread::spawn(move || {
            let mut text = String::new();
            err.read_to_string(&mut text).ok();
            etx.send(text).ok();
        });
        Proc {
            child,
            stdin,
            lines,
            stderr,
            next_probe: 1_000,
        }
    }

    fn send(&mut self, line: &[u8]) {
        self.stdin.write_all(line).expect("write");
        self.stdin.write_all(b"\n").expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The next line to a client (gossip to the absent n1 is checked and skipped).
    fn reply(&self) -> Value {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .expect("the node answers (it is still running)");
            let v: Value = serde_json::from_str(&line).expect("stdout holds only JSON lines");
            let mut keys: Vec<&String> = v.as_object().expect("object").keys().collect();
            keys.sort();
            assert_eq!(keys, ["body", "dest", "src"], "{line}");
            if v["dest"] != "n1" {
                return v;
            }
        }
    }

    /// Reads, and returns the values (as JSON text) after checking each is listed once.
    fn probe(&mut self) -> Vec<String> {
        self.next_probe += 1;
        let id = self.next_probe;
        self.send(
            format!(r#"{{"src":"c1","dest":"n0","body":{{"type":"read","msg_id":{id}}}}}"#)
                .as_bytes(),
        );
        let r = self.reply();
        assert_eq!(r["body"]["type"], "read_ok", "{r}");
        assert_eq!(r["body"]["in_reply_to"], id, "{r}");
        let mut values: Vec<String> = r["body"]["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(Value::to_string)
            .collect();
        values.sort();
        let n = values.len();
        values.dedup();
        assert_eq!(values.len(), n, "a value listed twice: {r}");
        values
    }

    fn finish(mut self) -> String {
        drop(self.stdin);
        let status = self.child.wait().expect("exits at end of input");
        let stderr = self.stderr.recv().unwrap_or_default();
        assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }
}

fn request(body: Value) -> Vec<u8> {
    json!({"src": "c1", "dest": "n0", "body": body})
        .to_string()
        .into_bytes()
}

/// A case: what it is, the line, the error code it must be answered with (0: a non-error
/// reply; `None`: no answer), and the value it adds to the store, if any.
type Case = (&'static str, Vec<u8>, Option<u64>, Option<&'static str>);

fn cases() -> Vec<Case> {
    let deep = format!(
        r#"{{"src":"c1","dest":"n0","body":{{"type":"broadcast","message":{}{},"msg_id":3}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut padded =
        br#"{"src":"c1","dest":"n0","body":{"type":"broadcast","message":46,"msg_id":9"#.to_vec();
    padded.extend(std::iter::repeat_n(b' ', 8 << 20));
    padded.extend_from_slice(b"}}");
    let big = "123456789012345678901234567890";
    vec![
        ("binary garbage", b"\xff\xfe\x00\x01garbage".to_vec(), None, None),
        ("invalid UTF-8 in a string", b"{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"echo\":\"\xc3\x28\",\"msg_id\":1}}".to_vec(), Some(12), None),
        ("a truncated line", br#"{"src":"c1","dest":"n0","body":{"type":"broadcast","message":7,"msg_id":2"#.to_vec(), None, None),
        ("trailing garbage", br#"{"src":"c1","dest":"n0","body":{"type":"broadcast","message":8,"msg_id":2}}xyz"#.to_vec(), None, None),
        ("a 100000-deep array", deep.into_bytes(), Some(12), None),
        ("a 100-deep array", format!(r#"{{"src":"c1","dest":"n0","body":{{"type":"broadcast","message":{}{},"msg_id":4}}}}"#, "[".repeat(100), "]".repeat(100)).into_bytes(), Some(0), Some("deep")),
        ("a huge value", format!(r#"{{"src":"c1","dest":"n0","body":{{"type":"broadcast","message":{big},"msg_id":5}}}}"#).into_bytes(), Some(12), None),
        ("a huge msg_id", format!(r#"{{"src":"c1","dest":"n0","body":{{"type":"broadcast","message":9,"msg_id":{big}}}}}"#).into_bytes(), None, None),
        ("a fractional msg_id", request(json!({"type":"broadcast","message":10,"msg_id":1.5})), None, None),
        ("an infinite value", br#"{"src":"c1","dest":"n0","body":{"type":"broadcast","message":1e999,"msg_id":6}}"#.to_vec(), Some(12), None),
        ("the smallest i64", request(json!({"type":"broadcast","message":i64::MIN,"msg_id":7})), Some(0), Some("-9223372036854775808")),
        ("an object value", request(json!({"type":"broadcast","message":{"a":[1,{"b":null}]},"msg_id":8})), Some(0), Some(r#"{"a":[1,{"b":null}]}"#)),
        ("an 8 MB line", padded, Some(0), Some("46")),
        ("8 MB of garbage", vec![b'x'; 8 << 20], None, None),
        ("an unknown type", request(json!({"type":"frobnicate","msg_id":10})), Some(10), None),
        ("an unknown reply", request(json!({"type":"frobnicate_ok","in_reply_to":3})), None, None),
        ("gossip from an unknown node", br#"{"src":"n7","dest":"n0","body":{"type":"gossip","seq":0,"values":[1000]}}"#.to_vec(), None, None),
        ("a request from a service", br#"{"src":"lin-kv","dest":"n0","body":{"type":"broadcast","message":1001,"msg_id":11}}"#.to_vec(), None, Some("1001")),
        ("gossip with the largest seq", br#"{"src":"n1","dest":"n0","body":{"type":"gossip","seq":18446744073709551615,"values":[44]}}"#.to_vec(), None, Some("44")),
        ("gossip with a negative ack", br#"{"src":"n1","dest":"n0","body":{"type":"gossip","acks":[-1]}}"#.to_vec(), None, None),
        ("gossip values without seq", br#"{"src":"n1","dest":"n0","body":{"type":"gossip","values":[1002]}}"#.to_vec(), None, None),
        ("a broadcast", request(json!({"type":"broadcast","message":43,"msg_id":20})), Some(0), Some("43")),
        ("the same msg_id again", request(json!({"type":"broadcast","message":43,"msg_id":20})), Some(0), None),
        ("the largest msg_id", request(json!({"type":"echo","echo":"a\u{0}b","msg_id":u64::MAX})), Some(0), None),
        ("a CRLF line end", b"{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"broadcast\",\"message\":47,\"msg_id\":21}}\r".to_vec(), Some(0), Some("47")),
        ("a blank line", b"   ".to_vec(), None, None),
        ("init again as another node", request(json!({"type":"init","node_id":"n1","node_ids":["n0","n1"],"msg_id":22})), Some(22), None),
    ]
}

#[test]
fn bad_lines_are_answered_or_dropped_and_nothing_stored_is_lost() {
    let mut p = Proc::spawn();
    p.send(br#"{"src":"c0","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0","n1"],"msg_id":1}}"#);
    assert_eq!(p.reply()["body"]["type"], "init_ok");
    p.send(&request(
        json!({"type":"broadcast","message":42,"msg_id":2}),
    ));
    assert_eq!(p.reply()["body"]["type"], "broadcast_ok");
    let mut stored = vec!["42".to_string()];
    for (what, line, answer, adds) in cases() {
        p.send(&line);
        if let Some(code) = answer {
            let r = p.reply();
            let body = &r["body"];
            if code == 0 {
                assert_ne!(body["type"], "error", "{what}: {r}");
            } else {
                assert_eq!(
                    (&body["type"], &body["code"]),
                    (&json!("error"), &json!(code)),
                    "{what}: {r}"
                );
            }
        }
        if let Some(v) = adds {
            stored.push(if v == "deep" {
                format!("{}{}", "[".repeat(100), "]".repeat(100))
            } else {
                v.to_string()
            });
            stored.sort();
        }
        assert_eq!(p.probe(), stored, "after {what}");
    }
    let stderr = p.finish();
    assert!(stderr.contains("dropped"), "drops are logged: {stderr}");
    assert!(stderr.contains("n7"), "the unknown node is named: {stderr}");
}

#[test]
fn requests_before_init_get_temporarily_unavailable_and_init_still_works() {
    let mut p = Proc::spawn();
    p.send(&request(json!({"type":"broadcast","message":1,"msg_id":1})));
    let r = p.reply();
    assert_eq!(
        (&r["body"]["code"], &r["src"]),
        (&json!(11), &json!("n0")),
        "{r}"
    );
    p.send(br#"{"src":"n1","dest":"n0","body":{"type":"gossip","seq":0,"values":[2]}}"#);
    p.send(b"garbage before init");
    p.send(br#"{"src":"c0","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0","n1"],"msg_id":1}}"#);
    assert_eq!(p.reply()["body"]["type"], "init_ok");
    assert!(p.probe().is_empty(), "nothing was stored before init");
    p.finish();
}
