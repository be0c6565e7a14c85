//! The workloads' own flags on `glomers-sim test` (`--key-count`, …): every registered
//! workload's [`WorkloadOption`]s become flags of the subcommand, and what is given is handed
//! to the run as [`WorkloadOptions`].

use clap::{Arg, ArgMatches};
use glomers_sim::Workload;
use glomers_sim::workloads::{REGISTRY, WorkloadOption, WorkloadOptions};

/// Every registered workload's flags, each once.
fn all() -> Vec<(&'static str, WorkloadOption)> {
    let mut flags: Vec<(&'static str, WorkloadOption)> = Vec::new();
    for entry in REGISTRY {
        for option in entry.options {
            if !flags.iter().any(|(_, o)| o.flag == option.flag) {
                flags.push((entry.name, *option));
            }
        }
    }
    flags
}

/// `test` with the registered workloads named in `-w`'s help and their flags added.
pub fn add(test: clap::Command) -> clap::Command {
    let names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
    let workloads = format!("Workload: {}.", names.join(", "));
    test.mut_arg("workload", |a| a.help(workloads))
        .args(all().into_iter().map(|(_, o)| {
            Arg::new(o.flag)
                .long(o.flag)
                .value_name(o.value_name)
                .help(o.help)
                .help_heading("Workload options")
        }))
}

/// The workload flags given to `test`, checked against the chosen workload.
pub fn given(matches: &ArgMatches, workload: Workload) -> Result<WorkloadOptions, String> {
    let mut options = WorkloadOptions::new();
    for (_, o) in all() {
        let Some(value) = matches.get_one::<String>(o.flag) else {
            continue;
        };
        if !workload.entry().options.iter().any(|w| w.flag == o.flag) {
            return Err(format!("--{} does not apply to -w {workload}", o.flag));
        }
        options.insert(o.flag.to_string(), value.clone());
    }
    Ok(options)
}
