//! The checkers, each shown a case it must reject: echo, unique-ids, set-full, stats,
//! availability, latency quantiles and kafka's checker.

#[path = "../common/mod.rs"]
mod common;

mod echo;
mod kafka;
mod linearizable;
mod quantiles;
mod set_full;
mod stats_availability;
mod unique_ids;
