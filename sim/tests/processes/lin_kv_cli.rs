//! The command line on lin-kv with a node binary of its own (a script with one register per
//! node): Jepsen's `--test-count` (one results folder per run, stopping at the first run that
//! is not valid), Maelstrom's `--log-stderr`, and exit status 254 for flags it cannot use.

use std::process::Command;

/// A lin-kv node in Python keeping its own registers: linearizable on one node, stale on two.
const NODE: &str = r#"#!/usr/bin/env python3
import json, sys
kv = {}
for line in sys.stdin:
    m = json.loads(line); b = m["body"]; t = b["type"]
    r = {"in_reply_to": b.get("msg_id")}
    if t == "init":
        r["type"] = "init_ok"
        print("node started", file=sys.stderr, flush=True)
    elif t == "read":
        if b["key"] in kv: r.update(type="read_ok", value=kv[b["key"]])
        else: r.update(type="error", code=20)
    elif t == "write":
        kv[b["key"]] = b["value"]; r["type"] = "write_ok"
    else:
        k = b["key"]
        if k not in kv: r.update(type="error", code=20)
        elif kv[k] != b["from"]: r.update(type="error", code=22)
        else: kv[k] = b["to"]; r["type"] = "cas_ok"
    print(json.dumps({"src": m["dest"], "dest": m["src"], "body": r}), flush=True)
"#;

fn sim(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glomers-sim"))
        .args(args)
        .output()
        .expect("glomers-sim runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn test_count_log_stderr_and_bad_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = dir.path().join("local_kv.py");
    std::fs::write(&node, NODE).expect("write the node");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let node = node.to_str().expect("utf-8 path");
    let results = dir.path().join("runs");
    let results = results.to_str().expect("utf-8 path");
    // Rate 100, not 20: Jepsen's stats checker fails a run in which no `cas` succeeds, and a
    // cas of random values succeeds about one time in five, so the 8 or so of a 2 s run at
    // rate 20 all failed in about one run in six (CI saw it); some 70 all fail in ~1e-7.
    let common = [
        "--concurrency",
        "2n",
        "--rate",
        "100",
        "--time-limit",
        "2",
        "--no-progress",
        "--seed",
        "1",
    ];
    // One node: linearizable, twice in a row, one folder each.
    let mut args = vec!["test", "-w", "lin-kv", "--bin", node, "--node-count", "1"];
    args.extend(common);
    args.extend([
        "--test-count",
        "2",
        "--log-stderr",
        "--results-dir",
        results,
    ]);
    let (code, stdout, stderr) = sim(&args);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.matches("Everything looks good!").count(),
        2,
        "{stdout}"
    );
    for i in 1..=2 {
        let folder = std::path::Path::new(results).join(format!("test-{i}"));
        assert!(
            folder.join("results.json").is_file(),
            "{}",
            folder.display()
        );
    }
    assert!(stderr.contains("n0 stderr: node started"), "{stderr}");
    // Two nodes with separate registers: the first run is invalid and ends the series.
    let args = [
        "test",
        "-w",
        "lin-kv",
        "--bin",
        node,
        "--node-count",
        "2",
        "--concurrency",
        "2n",
        "--rate",
        "20",
        "--time-limit",
        "5",
        "--no-progress",
        "--test-count",
        "3",
        "--no-results",
        "--seed",
        "3",
    ];
    let (code, stdout, stderr) = sim(&args);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.matches("=== test").count(),
        1,
        "Jepsen stops at the first: {stdout}"
    );
    assert!(stdout.contains(":failures ["), "{stdout}");
    // Flags it cannot use: 254, never 2 (an :unknown verdict).
    for bad in [
        vec!["test", "-w", "no-such-workload"],
        // No -w: Maelstrom 0.2.3 crashes on its default, which names no workload.
        vec!["test", "--time-limit", "1"],
        vec!["test", "-w", "echo", "--topology", "star"],
    ] {
        let (code, _, stderr) = sim(&bad);
        assert_eq!(code, Some(254), "{bad:?}: {stderr}");
    }
}
