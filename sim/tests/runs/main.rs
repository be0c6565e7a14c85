//! Simulated tests on the virtual clock with in-process nodes: the challenges' scenarios, the
//! network and nemesis, faults, clients, net statistics, determinism and efficiency budgets;
//! Maelstrom's services on the network and the counter workloads.

#[path = "../common/mod.rs"]
mod common;

mod client_timeouts;
mod counter_workload;
mod crashes;
mod determinism;
mod efficiency_budget;
mod fault_injection;
mod final_phase;
mod g_set;
mod head_of_line;
mod kafka_node;
mod kafka_workload;
mod lin_kv;
mod malformed_reply;
mod net_stats;
mod op_counts;
mod overlays;
mod partition_shapes;
mod recovery_window;
mod rejected_lines;
mod scenario_3a;
mod scenario_3b;
mod scenario_3c;
mod scenario_3d_3e_partitions;
mod scenario_echo;
mod scenario_unique_ids;
mod self_tuning_networks;
mod services_network;
mod topology_shapes;
mod txn_fidelity;
mod txn_list_append;
mod txn_rw_register;
mod txn_store_nodes;
