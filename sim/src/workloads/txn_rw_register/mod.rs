//! The `txn-rw-register` workload (Gossip Glomers challenges 6a–6c): transactions of reads
//! and writes over integer registers, checked by Elle's rw-register analysis.

pub mod elle;
pub mod generator;
pub mod present;
pub mod rpc;
pub mod stores;

#[cfg(test)]
mod store_tests;
