//! The node core through its drive step: golden wire cases, odd inputs, relays, counters and
//! transactions across a few nodes, how a node settles its workload.

mod cluster;
mod counter_network;
mod durability;
mod gset_network;
mod kafka_network;
mod relay_duplicates;
mod robustness;
mod self_tuning;
mod txn_network;
mod wire_golden;
mod workload_settling;
