//! The kill and pause nemeses (`--nemesis kill`, `--nemesis pause`) on the virtual clock, with
//! in-process test nodes that record every step: a kill replaces the node by a fresh instance
//! that is sent `init` again and then reads what piled up in its queue while it was down (the
//! kill nemesis of Maelstrom's release that added it), a pause holds deliveries and timers
//! until the resume; a node that keeps its state in memory only is caught losing acknowledged
//! values, and the same node writing them to its simulated disk first is not.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use glomers::Time;
use glomers_sim::drive::inprocess::InProcess;
use glomers_sim::drive::node::{InProcessNode, NodeFactory};
use glomers_sim::workloads::broadcast::set_full::SetFullResult;
use glomers_sim::world::disk::Disk;
use glomers_sim::{Report, SimConfig, Validity, Workload};
use serde_json::{Value, json};

/// One step a test node took: which node, which instance of it (0 = the first), at what node
/// time, and the type of the line it read (`"timer"` for a timeout).
#[derive(Clone, Debug)]
struct Step {
    node: u16,
    instance: usize,
    at: u64,
    what: String,
}

type Journal = Arc<Mutex<Vec<Step>>>;

/// How a test node treats its disk.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Durability {
    /// State in memory only.
    Forgetful,
    /// Every value it learns is appended to its disk before it replies (never synced).
    Appends,
    /// Appends, then syncs.
    Syncs,
}

/// A broadcast node: answers the workload, sends what it knows to every other node every
/// 200 ms (anti-entropy, so a restarted node catches up with its neighbours), and records
/// each step in the shared journal.
struct TestNode {
    index: u16,
    instance: usize,
    journal: Journal,
    durability: Durability,
    id: String,
    peers: Vec<String>,
    values: BTreeSet<u64>,
    /// Values learnt since the last `persist`.
    unwritten: Vec<u64>,
}

const ROUND_US: u64 = 200_000;

impl TestNode {
    fn reply(request: &Value, mut body: Value) -> String {
        body["in_reply_to"] = request["body"]["msg_id"].clone();
        let msg = json!({"src": request["dest"], "dest": request["src"], "body": body});
        format!("{msg}\n")
    }

    fn learn(&mut self, v: u64) {
        if self.values.insert(v) {
            self.unwritten.push(v);
        }
    }
}

impl InProcessNode for TestNode {
    fn step(&mut self, now: Time, line: Option<&mut Vec<u8>>, out: &mut Vec<u8>) -> Option<Time> {
        let next = Time::from_micros((now.as_micros() / ROUND_US + 1) * ROUND_US);
        let Some(line) = line else {
            self.record(now, "timer");
            let values: Vec<u64> = self.values.iter().copied().collect();
            for peer in self.peers.iter().filter(|p| **p != self.id) {
                let body = json!({"type": "sync", "values": values});
                let msg = json!({"src": self.id, "dest": peer, "body": body});
                out.extend_from_slice(format!("{msg}\n").as_bytes());
            }
            return Some(next);
        };
        let msg: Value = serde_json::from_slice(line).expect("JSON");
        let body = &msg["body"];
        let kind = body["type"].as_str().unwrap_or("").to_owned();
        self.record(now, &kind);
        let answer = match kind.as_str() {
            "init" => {
                self.id = body["node_id"].as_str().unwrap_or("").to_owned();
                let ids = body["node_ids"].as_array().cloned().unwrap_or_default();
                self.peers = ids
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                Some(json!({"type": "init_ok"}))
            }
            "topology" => Some(json!({"type": "topology_ok"})),
            "broadcast" => {
                self.learn(body["message"].as_u64().expect("a value"));
                Some(json!({"type": "broadcast_ok"}))
            }
            "read" => Some(json!({"type": "read_ok", "messages": self.values})),
            "sync" => {
                for v in body["values"].as_array().into_iter().flatten() {
                    self.learn(v.as_u64().unwrap_or(0));
                }
                None
            }
            _ => None,
        };
        if let Some(answer) = answer {
            out.extend_from_slice(TestNode::reply(&msg, answer).as_bytes());
        }
        Some(next)
    }

    fn restore(&mut self, disk: &[u8]) {
        for line in disk.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let v = std::str::from_utf8(line)
                .expect("utf-8")
                .parse()
                .expect("a value");
            self.values.insert(v);
        }
    }

    fn persist(&mut self, disk: &mut Disk) {
        if self.durability == Durability::Forgetful || self.unwritten.is_empty() {
            return;
        }
        for v in self.unwritten.drain(..) {
            disk.append(format!("{v}\n").as_bytes());
        }
        if self.durability == Durability::Syncs {
            disk.sync();
        }
    }
}

impl TestNode {
    fn record(&self, now: Time, what: &str) {
        self.journal.lock().expect("journal").push(Step {
            node: self.index,
            instance: self.instance,
            at: now.as_micros(),
            what: what.to_owned(),
        });
    }
}

/// A factory of test nodes recording into `journal`; each call for a node is a new instance.
fn factory(journal: &Journal, durability: Durability) -> NodeFactory {
    let journal = Arc::clone(journal);
    let made = Arc::new(Mutex::new(Vec::<usize>::new()));
    NodeFactory::new(format!("{durability:?} test node"), move |index| {
        let mut made = made.lock().expect("counts");
        if made.len() <= usize::from(index) {
            made.resize(usize::from(index) + 1, 0);
        }
        let instance = made[usize::from(index)];
        made[usize::from(index)] += 1;
        Box::new(TestNode {
            index,
            instance,
            journal: Arc::clone(&journal),
            durability,
            id: String::new(),
            peers: Vec::new(),
            values: BTreeSet::new(),
            unwritten: Vec::new(),
        })
    })
}

fn config(seed: u64, nemesis: &str) -> SimConfig {
    let mut cfg = SimConfig {
        workload: Workload::BROADCAST,
        node_count: 5,
        rate: 20.0,
        time_limit: Duration::from_secs(20),
        latency_ms: 20,
        nemesis_interval: Duration::from_secs(2),
        seed,
        ..SimConfig::default()
    };
    cfg.set_nemesis(nemesis).expect("a known nemesis");
    cfg
}

/// Runs `cfg` with test nodes; returns the report and every step (times relative to the
/// run's start, µs).
fn run(cfg: &SimConfig, durability: Durability) -> (Report, Vec<Step>) {
    let journal = Journal::default();
    let sim = InProcess::from_factory(cfg, &factory(&journal, durability)).expect("config");
    let epoch = sim.epoch();
    let report = sim.run().expect("the run completes");
    let mut steps = journal.lock().expect("journal").clone();
    for s in &mut steps {
        s.at -= epoch;
    }
    (report, steps)
}

/// (f, value) of the nemesis's completions, in order.
fn nemesis_ops(r: &Report) -> Vec<(u64, String, String)> {
    let mut out = Vec::new();
    let ops = r.history.ops();
    for pair in ops.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.process == glomers_sim::history::Process::Nemesis
            && b.process == a.process
            && a.f == b.f
            && a.time_ns == b.time_ns
            && b.index == a.index + 1
        {
            out.push((
                b.time_ns / 1000,
                b.f.name().to_owned(),
                format!("{:?}", b.value),
            ));
        }
    }
    out
}

#[test]
fn a_kill_restarts_the_node_as_a_fresh_instance_sent_init_first() {
    let cfg = config(1, "kill");
    let (report, steps) = run(&cfg, Durability::Forgetful);
    let kills: Vec<_> = report.outages.iter().filter(|o| o.killed).collect();
    assert!(
        kills.len() >= 3,
        "the nemesis killed nodes: {:?}",
        report.outages
    );
    assert!(
        nemesis_ops(&report)
            .iter()
            .any(|(_, f, v)| f == "start" && v.contains(":started")),
        "starts are recorded: {:?}",
        nemesis_ops(&report)
    );
    for node in 0..cfg.node_count {
        let killed = kills.iter().filter(|o| o.node == node).count();
        let restarted = kills
            .iter()
            .filter(|o| o.node == node && o.until.is_some())
            .count();
        let mine: Vec<&Step> = steps.iter().filter(|s| s.node == node).collect();
        let instances: BTreeSet<usize> = mine.iter().map(|s| s.instance).collect();
        // Instance 0 at the start, one fresh instance per kill; the last one is only stepped
        // if the node was started again.
        assert_eq!(
            instances.len(),
            1 + restarted,
            "n{node}: killed {killed} times, restarted {restarted}"
        );
        for instance in instances {
            let first = mine
                .iter()
                .find(|s| s.instance == instance)
                .expect("stepped");
            assert_eq!(first.what, "init", "n{node} #{instance} reads init first");
            if instance > 0 {
                let restart = kills
                    .iter()
                    .filter(|o| o.node == node)
                    .nth(instance - 1)
                    .and_then(|o| o.until)
                    .expect("restarted");
                assert!(first.at >= restart.as_micros(), "init after the start");
            }
        }
    }
}

#[test]
fn a_killed_node_reads_nothing_while_down_then_its_init_then_what_piled_up() {
    let cfg = config(2, "kill");
    let (report, steps) = run(&cfg, Durability::Forgetful);
    assert!(report.fault_counts.kills > 0);
    let mut replayed = 0;
    for o in report.outages.iter().filter(|o| o.killed) {
        let until = o.until.map_or(u64::MAX, |t| t.as_micros());
        let during = steps
            .iter()
            .filter(|s| s.node == o.node && s.at >= o.from.as_micros() && s.at < until)
            .count();
        assert_eq!(during, 0, "n{} stepped while down: {o:?}", o.node);
        // Every 200 ms each of the four others sends a sync (20 ms latency): a node down for
        // longer has some waiting in its queue (and maybe clients' requests), read at once
        // after the init.
        if o.until.is_none() || until - o.from.as_micros() < 300_000 {
            continue;
        }
        let after: Vec<&Step> = steps
            .iter()
            .filter(|s| s.node == o.node && s.at >= until)
            .take(2)
            .collect();
        assert_eq!(
            after[0].what, "init",
            "n{} reads its init first: {o:?}",
            o.node
        );
        assert!(
            after[1].at == until && ["sync", "read", "broadcast"].contains(&&*after[1].what),
            "n{} then reads what piled up (peers' syncs, clients' requests), at once: {o:?} \
             {:?}",
            o.node,
            after[1]
        );
        replayed += 1;
    }
    assert!(replayed > 0, "some kill lasted long enough");
    // Latency 20 ms and a sync round every 200 ms: messages are always in flight to every
    // node, yet each restarted instance reads its init before anything else.
    for node in 0..cfg.node_count {
        let mut seen = BTreeSet::new();
        for s in steps.iter().filter(|s| s.node == node && s.what != "timer") {
            if seen.insert(s.instance) {
                assert_eq!(s.what, "init", "n{node} #{}", s.instance);
            }
        }
    }
}

#[test]
fn a_pause_holds_deliveries_and_timers_until_the_resume() {
    let cfg = config(3, "pause");
    let (report, steps) = run(&cfg, Durability::Forgetful);
    let pauses: Vec<_> = report.outages.iter().filter(|o| !o.killed).collect();
    assert!(pauses.len() >= 3, "{:?}", report.outages);
    let mut held_lines = 0;
    let mut overdue_timers = 0;
    for o in &pauses {
        let until = o
            .until
            .expect("resumed by the final generator at the latest");
        let (from, until) = (o.from.as_micros(), until.as_micros());
        let mine = || steps.iter().filter(|s| s.node == o.node);
        assert_eq!(
            mine().filter(|s| s.at > from && s.at < until).count(),
            0,
            "n{} ran while paused ({from}..{until} µs)",
            o.node
        );
        // What was delivered meanwhile is read at the resume, not dropped.
        let at_resume: Vec<_> = mine().filter(|s| s.at == until).collect();
        held_lines += at_resume.iter().filter(|s| s.what != "timer").count();
        overdue_timers += at_resume.iter().filter(|s| s.what == "timer").count();
    }
    assert!(held_lines > 0, "held deliveries are read on resuming");
    assert!(overdue_timers > 0, "an overdue timer fires on resuming");
    assert_eq!(report.fault_counts.killed_drops, 0, "a pause drops nothing");
    assert_eq!(report.valid, Validity::True, "a pause loses nothing");
}

/// The seed of the durability tests. Any seed with kills does: a value waits up to one sync
/// round (200 ms) in the node that acknowledged it before it reaches another.
const SEED: u64 = 4;

fn lost(r: &Report) -> usize {
    r.workload
        .get::<SetFullResult>()
        .expect("broadcast")
        .lost_count
}

#[test]
fn a_node_that_keeps_state_in_memory_loses_acknowledged_values_under_kill() {
    let cfg = config(SEED, "kill");
    let (report, _) = run(&cfg, Durability::Forgetful);
    assert!(report.fault_counts.kills > 0);
    assert_eq!(report.valid, Validity::False, "the checker rejects the run");
    assert!(lost(&report) > 0, "acknowledged values are lost");
    // The same node writing what it learns to its disk before replying loses nothing.
    let (durable, _) = run(&cfg, Durability::Appends);
    assert_eq!(lost(&durable), 0);
    assert_eq!(durable.valid, Validity::True);
}

#[test]
fn a_machine_crash_loses_unsynced_writes_and_keeps_synced_ones() {
    let mut cfg = config(SEED, "kill");
    cfg.kill_drops_unsynced = true;
    let (unsynced, _) = run(&cfg, Durability::Appends);
    assert!(
        lost(&unsynced) > 0,
        "appends without sync die with the machine"
    );
    let (synced, _) = run(&cfg, Durability::Syncs);
    assert_eq!(lost(&synced), 0);
    assert_eq!(synced.valid, Validity::True);
}

#[test]
fn a_restarted_node_answering_a_closed_client_is_not_silenced() {
    // Kills lasting up to 20 s (interval 10 s): requests wait in a dead node's queue past the
    // clients' 5 s timeout; the clients close, and the restarted node answers them anyway.
    let mut late = 0;
    for seed in 1..=3 {
        let mut cfg = config(seed, "kill");
        cfg.nemesis_interval = Duration::from_secs(10);
        let (report, steps) = run(&cfg, Durability::Appends);
        late += report.fault_counts.late_replies;
        assert!(
            report.node_errors.is_empty(),
            "seed {seed}: {:?}",
            report.node_errors
        );
        // Every node started again goes on answering: its last instance read a client's
        // request after its restart and the run's checker found nothing lost.
        assert_eq!(lost(&report), 0, "seed {seed}");
        for o in report
            .outages
            .iter()
            .filter(|o| o.killed && o.until.is_some())
        {
            let until = o.until.map_or(0, |t| t.as_micros());
            assert!(
                steps
                    .iter()
                    .any(|s| s.node == o.node && s.at > until && s.what == "read"),
                "seed {seed}: n{} serves reads after its restart",
                o.node
            );
        }
    }
    assert!(late > 0, "some replies reached closed clients");
}
