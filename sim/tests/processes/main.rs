//! Real processes: the glomers binary under the process driver, the glomers-sim command line,
//! fault campaigns, the binary's memory, and `glomers-sim serve` seen in headless Chromium.

#[path = "../common/mod.rs"]
mod common;

mod fault_campaign;
mod memory_bounds;
mod process_mode;
mod serve_browser;
