//! Memory stays bounded by what neighbours lack.
//!
//! In the simulator: 100 nodes at rate 1000 on the 3e star, each node's `pending_len` sampled
//! every 250 ms of virtual time. Values wait on a link only while the neighbour lacks them:
//! at every sample, a node's pending count is at most the number of its values that its
//! neighbours did not hold an acknowledgement round-trip earlier, and it falls to zero once
//! the cluster settles.
//!
//! With the real binary (ignored by default; a measurement, best of the release build): peak
//! RSS per stored value, for a node that nobody answers, so that every value stays pending on
//! every link:
//! `cargo build --release && GLOMERS_BIN=target/release/glomers cargo test --test memory_bounds -- --ignored --nocapture`.

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use glomers::Time;
use glomers::wire::Value;
use glomers_sim::drive::inprocess::InProcess;

struct Sample {
    at: Time,
    pending: Vec<usize>,
    stored: Vec<usize>,
}

#[test]
fn pending_values_are_what_neighbours_lack_and_drain_to_zero() {
    let nodes = 100u16;
    let cfg = common::broadcast(nodes, 1000.0, 4, 100, 17);
    let preset = common::preset("3e");
    let every = Duration::from_millis(250);
    let mut samples = Vec::new();
    let mut last: Vec<Vec<Value>> = Vec::new();
    let sim = InProcess::new(&cfg, &preset).expect("valid");
    let report = sim
        .run_sampled(every, |at, ns| {
            samples.push(Sample {
                at,
                pending: ns.iter().map(|n| n.node().pending_len()).collect(),
                stored: ns.iter().map(|n| n.node().values().len()).collect(),
            });
            last = ns.iter().map(|n| n.node().values().to_vec()).collect();
        })
        .expect("runs");
    common::assert_broadcast_valid(&report);
    let acked = report
        .workload
        .get::<glomers_sim::workloads::broadcast::set_full::SetFullResult>()
        .expect("broadcast")
        .attempt_count;
    assert!(acked > 1500, "{acked} values");

    // Stores only grow, so a node's store at any sample is a prefix of its final one.
    let position: Vec<HashMap<&Value, usize>> = last
        .iter()
        .map(|vs| vs.iter().enumerate().map(|(i, v)| (v, i)).collect())
        .collect();
    // The 3e star around n0.
    let neighbours = |i: u16| -> Vec<u16> {
        if i == 0 {
            (1..nodes).collect()
        } else {
            vec![0]
        }
    };
    let t = &preset.timing;
    // A value sent at t reaches the neighbour by t + hop and is acknowledged by
    // t + 2·hop + ack_delay: by then the neighbour lacked it no earlier than a window back.
    let hop = t.hop_ms.unwrap_or(100); // the run's latency unless pinned
    let window = Duration::from_millis(t.ack_delay_ms + 2 * hop + t.gather_ms + 50);
    let mut peak = 0;
    for s in &samples {
        let Some(back) = samples.iter().rev().find(|b| b.at + window <= s.at) else {
            continue;
        };
        for i in 0..nodes {
            let ii = usize::from(i);
            let mine = &last[ii][..s.stored[ii]];
            let lacks: usize = neighbours(i)
                .into_iter()
                .map(|j| {
                    let had = back.stored[usize::from(j)];
                    let pos = &position[usize::from(j)];
                    mine.iter()
                        .filter(|v| pos.get(v).is_none_or(|&p| p >= had))
                        .count()
                })
                .sum();
            let pending = s.pending[ii];
            peak = peak.max(pending);
            assert!(
                pending <= lacks,
                "n{i} at {:?}: {pending} pending, neighbours lacked {lacks}",
                s.at
            );
        }
    }
    assert!(peak > 1000, "the root carried real load: peak {peak}");
    // Settled: the last samples, well into the recovery period, have nothing pending.
    let end = samples.last().expect("samples").at;
    for s in samples
        .iter()
        .filter(|s| s.at + Duration::from_secs(4) <= end)
        .rev()
        .take(4)
    {
        assert!(
            s.pending.iter().all(|&p| p == 0),
            "at {:?}: {:?}",
            s.at,
            s.pending
        );
        assert!(
            s.stored.iter().all(|&c| c == s.stored[0]),
            "everyone holds the same"
        );
    }
}

/// Peak resident memory of a process, from /proc (kB), and the current one.
fn rss_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Feeds `count` broadcasts to node `me` of a 25-node 3e star and returns the peak RSS (kB)
/// after init and after the values.
fn feed(me: &str, count: u64) -> (u64, u64) {
    let bin = std::env::var_os("GLOMERS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(common::glomers_bin);
    let mut child = Command::new(bin)
        .args(["--topology-file", "3e"])
        .env("GLOMERS_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let ids: Vec<String> = (0..25).map(|i| format!("\"n{i}\"")).collect();
    let init = format!(
        r#"{{"src":"c0","dest":"{me}","body":{{"type":"init","node_id":"{me}","node_ids":[{}],"msg_id":1}}}}"#,
        ids.join(",")
    );
    writeln!(stdin, "{init}").expect("write");
    let mut line = String::new();
    stdout.read_line(&mut line).expect("init_ok");
    let (after_init, _) = rss_kb(pid);
    // Read replies and gossip concurrently, discarding them, until the final read arrives.
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                return false;
            }
            if line.contains("read_ok") {
                return true;
            }
        }
    });
    let mut batch = String::new();
    for v in 0..count {
        batch += &format!(
            r#"{{"src":"c1","dest":"{me}","body":{{"type":"broadcast","message":{v},"msg_id":{}}}}}"#,
            v + 2
        );
        batch.push('\n');
        if batch.len() > 1 << 16 {
            stdin.write_all(batch.as_bytes()).expect("write");
            batch.clear();
        }
    }
    batch += &format!(r#"{{"src":"c1","dest":"{me}","body":{{"type":"read","msg_id":1}}}}"#);
    batch.push('\n');
    stdin.write_all(batch.as_bytes()).expect("write");
    stdin.flush().expect("flush");
    assert!(reader.join().expect("reader"), "the node answered the read");
    let (peak, _) = rss_kb(pid);
    child.kill().ok();
    child.wait().ok();
    (after_init, peak)
}

#[test]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
fn peak_rss_per_stored_value_of_the_binary() {
    let count = 1_000_000;
    for (me, links) in [("n1", 1), ("n0", 24)] {
        let (base, peak) = feed(me, count);
        let per_value = (peak - base) as f64 * 1024.0 / count as f64;
        println!(
            "{me} ({links} links, nothing acknowledged): {count} values, peak RSS {base} kB \
             after init → {peak} kB: {per_value:.0} bytes per stored value"
        );
        // Store + index ≈ 60–120 B; each link holds a 4-byte position per unacknowledged
        // value (plus Vec growth and the batch being encoded).
        assert!(
            per_value < 200.0 + 24.0 * links as f64,
            "{per_value} B/value"
        );
    }
}
