//! A fixed fault campaign: every topology preset under every kind of fault (none, partitions,
//! loss, duplication, reordering, latency spikes, one-way partitions, pauses, all at once)
//! for many seeds. Every acknowledged value must be in every node's final read, no read may
//! list a value twice, no unique id may be handed out twice. A failure names the command that
//! replays it. The longer campaign is `glomers-sim campaign` (see docs/reliability.md).

use std::process::Command;
use std::time::Duration;

use glomers_sim::Workload;
use glomers_sim::campaign::{self, CampaignConfig, FaultKind, Outcome};

fn failures(outcomes: &[Outcome]) -> String {
    let mut text = String::new();
    for o in outcomes.iter().filter(|o| !o.violations.is_empty()) {
        text += &format!(
            "\n{}\n  replay: {}",
            o.violations.join("\n  "),
            o.run.command()
        );
    }
    text
}

fn run_campaign(cfg: &CampaignConfig) -> Vec<Outcome> {
    let outcomes = campaign::execute_all(&campaign::plan(cfg), 1, |_| {});
    let failed = failures(&outcomes);
    assert!(failed.is_empty(), "failed runs:{failed}");
    outcomes
}

#[test]
fn five_nodes_every_preset_every_fault_kind() {
    // The network's faults; the crash kinds have their own test below.
    let cfg = CampaignConfig {
        first_seed: 1,
        seeds: 20,
        kinds: FaultKind::NETWORK.to_vec(),
        workloads: vec![Workload::BROADCAST, Workload::UNIQUE_IDS],
        ..CampaignConfig::default()
    };
    let outcomes = run_campaign(&cfg);
    // 8 presets × 9 kinds × 20 seeds of broadcast, 9 kinds × 20 seeds of unique ids.
    assert_eq!(outcomes.len(), 8 * 9 * 20 + 9 * 20);
    let acked: usize = outcomes.iter().map(|o| o.acknowledged).sum();
    assert!(acked > 100_000, "{acked} values and ids checked");
    // The faults did act.
    let lost: u64 = outcomes.iter().map(|o| o.lost_messages).sum();
    let pauses: u64 = outcomes.iter().map(|o| o.fault_counts.pauses).sum();
    let reordered: u64 = outcomes.iter().map(|o| o.fault_counts.reordered).sum();
    assert!(lost > 1000 && pauses > 100 && reordered > 1000);
}

#[test]
fn counters_transactions_g_set_and_kafka_under_every_network_fault_kind() {
    let names = [
        "g-counter",
        "pn-counter",
        "txn-rw-register",
        "g-set",
        "kafka",
    ];
    let cfg = CampaignConfig {
        first_seed: 1,
        seeds: 10,
        kinds: FaultKind::NETWORK.to_vec(),
        workloads: names.iter().filter_map(|n| Workload::named(n)).collect(),
        ..CampaignConfig::default()
    };
    let outcomes = run_campaign(&cfg);
    // 5 workloads × 9 kinds × 10 seeds, on the first preset.
    assert_eq!(outcomes.len(), 5 * 9 * 10);
    let acked: usize = outcomes.iter().map(|o| o.acknowledged).sum();
    assert!(acked > 60_000, "{acked} operations checked");
}

#[test]
fn crashes_on_every_workload_the_node_serves() {
    // Kills alone and kills mixed with every other fault (`--nemesis partition,kill` and the
    // mixed faults), intervals 1–6 s: nodes die with what they had not yet passed on, whole
    // clusters die together, and the restarted ones read their logs back.
    let cfg = CampaignConfig {
        first_seed: 1,
        seeds: 5,
        kinds: vec![FaultKind::Kill, FaultKind::Crash],
        workloads: campaign::workloads(),
        ..CampaignConfig::default()
    };
    let outcomes = run_campaign(&cfg);
    // 8 presets × 2 kinds × 5 seeds of broadcast; 2 kinds × 5 seeds of unique ids, g-counter,
    // pn-counter, txn-rw-register, g-set and kafka.
    assert_eq!(outcomes.len(), 8 * 2 * 5 + 6 * 2 * 5);
    let kills: u64 = outcomes.iter().map(|o| o.fault_counts.kills).sum();
    assert!(kills > 300, "{kills} kills");
}

#[test]
fn nine_nodes_with_maelstrom_latency_every_preset_every_fault_kind() {
    let cfg = CampaignConfig {
        first_seed: 1001,
        seeds: 4,
        kinds: FaultKind::NETWORK.to_vec(),
        workloads: vec![Workload::BROADCAST],
        node_count: 9,
        time_limit: Duration::from_secs(6),
        rate: 40.0,
        latency_ms: 100,
        ..CampaignConfig::default()
    };
    assert_eq!(run_campaign(&cfg).len(), 8 * 9 * 4);
}

#[test]
fn three_hundred_seeds_of_mixed_faults_on_the_3d_and_3e_presets() {
    let cfg = CampaignConfig {
        first_seed: 2001,
        seeds: 300,
        kinds: vec![campaign::FaultKind::Mixed],
        presets: vec!["3d".to_string(), "3e".to_string()],
        workloads: vec![Workload::BROADCAST],
        ..CampaignConfig::default()
    };
    let outcomes = run_campaign(&cfg);
    assert_eq!(outcomes.len(), 2 * 300);
    let acked: usize = outcomes.iter().map(|o| o.acknowledged).sum();
    assert!(acked > 50_000, "{acked} values checked");
}

#[test]
fn the_checks_catch_a_cluster_that_loses_values() {
    // Only n0 and n1 are linked: values never reach n2 … n4.
    let dir = std::env::temp_dir().join(format!("glomers-campaign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join("cut.toml");
    std::fs::write(
        &file,
        "# n2..n4 unreachable\n[overlay]\nkind = \"adjacency\"\nneighbours = { n0 = [\"n1\"] }\n[timing]\ntick_ms = 500\n",
    )
    .expect("write");
    let cfg = CampaignConfig {
        seeds: 1,
        kinds: vec![campaign::FaultKind::Clean],
        presets: vec![file.to_string_lossy().into_owned()],
        workloads: vec![Workload::BROADCAST],
        ..CampaignConfig::default()
    };
    let outcomes = campaign::execute_all(&campaign::plan(&cfg), 1, |_| {});
    std::fs::remove_dir_all(&dir).ok();
    let v = &outcomes[0].violations;
    assert!(
        v.iter().any(|v| v.starts_with("n3's final read misses")),
        "{v:?}"
    );
    let command = outcomes[0].run.command();
    assert!(
        command.starts_with("glomers-sim test -w broadcast --node-count 5")
            && command.contains("--seed 1"),
        "{command}"
    );
}

#[test]
fn the_printed_command_replays_the_run_exactly() {
    let cfg = CampaignConfig {
        first_seed: 31,
        seeds: 1,
        kinds: vec![campaign::FaultKind::Mixed],
        presets: vec!["tree2".into()],
        workloads: vec![Workload::BROADCAST],
        ..CampaignConfig::default()
    };
    let run = &campaign::plan(&cfg)[0];
    let outcome = campaign::execute(run);
    let command = run.command();
    let json = std::env::temp_dir().join(format!("glomers-replay-{}.json", std::process::id()));
    let mut args: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(String::from)
        .collect();
    args.extend(["--json".into(), json.to_string_lossy().into_owned()]);
    let status = Command::new(env!("CARGO_BIN_EXE_glomers-sim"))
        .args(&args)
        .output()
        .expect("glomers-sim runs");
    assert!(status.status.success(), "{command}: {status:?}");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("json");
    std::fs::remove_file(&json).ok();
    assert_eq!(doc["seed"], 31);
    assert_eq!(
        doc["net"]["servers"]["send_count"], outcome.server_messages,
        "{command}"
    );
    assert_eq!(doc["partition_drops"], outcome.partition_drops, "{command}");
    assert!(
        outcome.fault_counts.reordered > 0 && outcome.lost_messages > 0,
        "faults acted"
    );
}
