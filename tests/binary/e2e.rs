//! End-to-end tests of the real `glomers` binary over pipes, as Maelstrom runs it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> Child {
    crate::glomers()
        .args(args)
        .env("GLOMERS_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts")
}

fn run_to_end(args: &[&str], input: &[u8]) -> (String, String, Option<i32>) {
    let mut child = spawn(args);
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write input");
    let out = child.wait_with_output().expect("exits");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn golden_exchanges_through_the_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for name in [
        "echo",
        "unique_ids",
        "broadcast",
        "errors",
        "counter",
        "txn",
    ] {
        let input = std::fs::read(dir.join(format!("{name}.in"))).expect("input");
        let expected = std::fs::read_to_string(dir.join(format!("{name}.out"))).expect("output");
        let (stdout, stderr, code) = run_to_end(&[], &input);
        assert_eq!(stdout, expected, "{name}; stderr:\n{stderr}");
        assert_eq!(code, Some(0), "{name} exits 0 at end of input");
    }
}

#[test]
fn garbage_never_stops_the_node_and_logs_go_to_stderr() {
    let mut input = Vec::new();
    input.extend_from_slice(
        b"{\"src\":\"c0\",\"dest\":\"n0\",\"body\":{\"type\":\"init\",\"node_id\":\"n0\",\"node_ids\":[\"n0\"],\"msg_id\":1}}\n",
    );
    input.extend_from_slice(b"{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"broadcast\",\"message\":42,\"msg_id\":1}}\n");
    let nasty: Vec<Vec<u8>> = vec![
        b"\xff\xfe\x00binary".to_vec(),
        b"{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"broad".to_vec(),
        "[".repeat(100_000).into_bytes(),
        format!("{{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{{\"type\":\"echo\",\"echo\":\"{}\",\"msg_id\":2}}}}", "x".repeat(1_000_000)).into_bytes(),
        b"{\"src\":\"n5\",\"dest\":\"n0\",\"body\":{\"type\":\"gossip\",\"seq\":1,\"values\":[1]}}".to_vec(),
        b"{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"broadcast\",\"message\":1e999,\"msg_id\":3}}".to_vec(),
        b"{}".to_vec(),
        b"null".to_vec(),
        b"\r".to_vec(),
    ];
    for line in &nasty {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    input.extend_from_slice(
        b"{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"read\",\"msg_id\":9}}\n",
    );
    let (stdout, stderr, code) = run_to_end(&[], &input);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    let last = stdout.lines().last().expect("replies");
    assert_eq!(
        last,
        r#"{"src":"n0","dest":"c1","body":{"type":"read_ok","messages":[42],"in_reply_to":9}}"#
    );
    // The million-byte echo came back whole.
    assert!(
        stdout
            .lines()
            .any(|l| l.len() > 1_000_000 && l.contains("echo_ok"))
    );
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("stdout holds only JSON lines");
    }
    assert!(stderr.contains("dropped"), "drops are logged: {stderr}");
}

#[test]
fn nodes_gossip_between_processes_and_fall_silent() {
    // Two real node processes; the test relays their gossip by hand.
    let ids = r#"["n0","n1"]"#;
    let mut nodes: Vec<Child> = (0..2).map(|_| spawn(&["--topology-file", "3d"])).collect();
    let mut readers: Vec<_> = nodes
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().expect("stdout")))
        .collect();
    let mut send = |i: usize, line: &str| {
        let stdin = nodes[i].stdin.as_mut().expect("stdin");
        writeln!(stdin, "{line}").expect("write");
        stdin.flush().expect("flush");
    };
    for i in 0..2 {
        send(
            i,
            &format!(
                r#"{{"src":"c{i}","dest":"n{i}","body":{{"type":"init","node_id":"n{i}","node_ids":{ids},"msg_id":1}}}}"#
            ),
        );
    }
    send(
        1,
        r#"{"src":"c9","dest":"n1","body":{"type":"broadcast","message":7,"msg_id":2}}"#,
    );
    let mut line = String::new();
    let mut next = |i: usize, line: &mut String| {
        line.clear();
        readers[i].read_line(line).expect("read");
        line.clone()
    };
    assert!(next(0, &mut line).contains("init_ok"));
    assert!(next(1, &mut line).contains("init_ok"));
    assert!(next(1, &mut line).contains("broadcast_ok"));
    // n1 flushes within one 300 ms round.
    let started = Instant::now();
    let gossip = next(1, &mut line);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        gossip.contains(r#""dest":"n0""#) && gossip.contains(r#""values":[7]"#),
        "{gossip}"
    );
    send(0, gossip.trim_end());
    send(
        0,
        r#"{"src":"c8","dest":"n0","body":{"type":"read","msg_id":3}}"#,
    );
    let read = next(0, &mut line);
    assert!(read.contains(r#""messages":[7]"#), "{read}");
    for mut n in nodes {
        n.kill().ok();
        n.wait().ok();
    }
}

#[test]
fn a_bad_topology_file_is_a_clear_startup_error() {
    let dir = std::env::temp_dir().join(format!("glomers-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[timing]\ntick_ms = -5\n").expect("write");
    let (_, stderr, code) = run_to_end(&["--topology-file", file.to_str().expect("utf8")], b"");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("tick_ms"), "{stderr}");
    let (_, stderr, code) = run_to_end(&["--topology-file", "no-such-preset"], b"");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no-such-preset") && stderr.contains("3e"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
