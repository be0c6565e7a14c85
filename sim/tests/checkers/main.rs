//! The checkers, each shown a case it must reject: echo, unique-ids, set-full, stats,
//! availability and latency quantiles.

mod echo;
mod linearizable;
mod quantiles;
mod set_full;
mod stats_availability;
mod unique_ids;
