//! Real processes: the glomers binary under the process driver, the glomers-sim command line,
//! fault campaigns and the binary's memory.

#[path = "../common/mod.rs"]
mod common;

mod counter_results;
mod fault_campaign;
mod lin_kv_cli;
mod memory_bounds;
mod process_mode;
mod process_mode_counter;
mod process_mode_kafka;
