//! `glomers`: the Maelstrom node. Maelstrom runs it with no arguments; experiments pass a
//! topology file after Maelstrom's `--` or in `GLOMERS_TOPOLOGY`.

use std::process::ExitCode;

use clap::Parser;
use glomers::config::NodeConfig;

/// A message-efficient Maelstrom node (echo, unique-ids, broadcast, g-counter, pn-counter,
/// kafka, txn-rw-register, g-set).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Topology file (TOML), or the name of a built-in preset (3d, 3e, …). Overrides
    /// $GLOMERS_TOPOLOGY. Default: the 3e settings.
    #[arg(long, value_name = "PATH|PRESET")]
    topology_file: Option<String>,
    /// The workload to serve: auto (default: told by the first request), broadcast, counter
    /// (g-counter, pn-counter), txn (txn-rw-register), g-set or kafka. Overrides the topology file's.
    #[arg(long, value_name = "WORKLOAD")]
    workload: Option<glomers::config::Workload>,
    /// Print the configuration as TOML (what was asked), then, as comments, the timing the
    /// node derives from it (at start, and once it has measured the network), and exit.
    #[arg(long)]
    print_config: bool,
    /// Whether the node logs what it acknowledges before answering: write (the default: a
    /// killed process loses nothing), sync (fdatasync'd group commit: a machine crash loses
    /// nothing either) or off. Overrides the topology file's `durability.mode`.
    #[arg(long, value_name = "MODE")]
    durability: Option<String>,
    /// Where the log (`glomers-<node id>.log`) goes. Default: the working directory, where
    /// Maelstrom starts every node.
    #[arg(long, value_name = "DIR", default_value = ".")]
    log_dir: std::path::PathBuf,
    /// The cluster size `--print-config` describes the derived timing for.
    #[arg(long, default_value_t = 25, value_name = "N")]
    nodes: u16,
}

#[allow(
    clippy::disallowed_macros,
    reason = "the binary prints its configuration (--print-config) and start-up errors"
)]
fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GLOMERS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let spec = args.topology_file.or_else(|| {
        std::env::var("GLOMERS_TOPOLOGY")
            .ok()
            .filter(|s| !s.is_empty())
    });
    let mut config = match NodeConfig::load(spec.as_deref().unwrap_or("3e")) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("glomers: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(workload) = args.workload {
        config.workload = workload;
    }
    if let Some(mode) = &args.durability {
        config.durability.mode = match mode.as_str() {
            "off" => glomers::config::DurabilityMode::Off,
            "write" => glomers::config::DurabilityMode::Write,
            "sync" => glomers::config::DurabilityMode::Sync,
            other => {
                eprintln!("glomers: --durability {other:?}: expected write, sync or off");
                return ExitCode::from(2);
            }
        };
    }
    if let Err(e) = glomers::node::check_workload(&config.workload) {
        eprintln!("glomers: {e}");
        return ExitCode::from(2);
    }
    if args.print_config {
        // What a node of a kind with timing of its own (kafka) runs with, when it is named.
        let config = glomers::node::kinds::config_for_workload(&config, config.workload.name());
        match toml::to_string_pretty(&config) {
            Ok(text) => print!(
                "{text}\n{}",
                glomers::node::broadcast::describe_timing(&config, args.nodes)
            ),
            Err(e) => {
                eprintln!("glomers: {e}");
                return ExitCode::from(2);
            }
        }
        return ExitCode::SUCCESS;
    }
    tracing::info!(
        "starting with {} topology ({})",
        spec.as_deref().unwrap_or("default (3e)"),
        config.description
    );
    match glomers::runtime::run(config, &args.log_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("i/o error: {e}");
            ExitCode::FAILURE
        }
    }
}
