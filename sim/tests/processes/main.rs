//! Real processes: the glomers binary under the process driver, the glomers-sim command line,
//! fault campaigns and the binary's memory.

#[path = "../common/mod.rs"]
mod common;

mod fault_campaign;
mod memory_bounds;
mod process_mode;
