//! The workloads: one module each, behind the boundary the cluster calls.
//!
//! A workload module holds its generator (which operation comes next), its client RPC
//! mapping (operation → request body, reply → completion, Maelstrom's client rules), its
//! final-phase behaviour, its checker and that checker's sections of the summary and the
//! JSON document. It implements [`WorkloadRun`] and exports an [`Entry`]; adding a workload is
//! one new module and one line in [`REGISTRY`]. Its flags ([`WorkloadOption`]) then appear on
//! `glomers-sim test`, and `-w <name>` selects it.
//!
//! | module | workload |
//! |---|---|
//! | [`echo`] | `echo`: every request comes back with its payload |
//! | [`unique_ids`] | `unique-ids`: every generated id is unique |
//! | [`broadcast`] | `broadcast`: every acknowledged value is eventually read (set-full) |
//! | [`txn_rw_register`] | `txn-rw-register`: transactions checked by Elle's rw-register analysis |
//! | [`txn_list_append`] | `txn-list-append`: transactions checked by Elle's list-append analysis |
//! | [`counter`] | `g-counter`, `pn-counter`: every final read is the sum of the adds |
//! | [`kafka`] | `kafka`: replicated logs checked by Jepsen's kafka analysis |
//! | [`g_set`] | `g-set`: every acknowledged add is eventually read (set-full) |
//! | [`lin_kv`] | `lin-kv`: every key's register is linearizable (Knossos) |
//!
//! [`boundary`] defines the trait and the registry's entry; [`rpc`] the reply schema and JSON
//! helpers shared by workload clients; `generator` the schedule of the main phase (Jepsen's
//! stagger over worker threads), common to all workloads.

pub mod boundary;
pub mod broadcast;
pub mod counter;
pub mod echo;
pub mod elle;
pub mod g_set;
pub(crate) mod generator;
pub mod kafka;
pub mod lin_kv;
pub mod rpc;
#[cfg(test)]
mod toy;
pub mod txn_list_append;
pub mod txn_rw_register;
pub mod unique_ids;

use std::fmt;
use std::str::FromStr;

pub use boundary::{
    ClientRules, Entry, FinalStep, Invocation, ReplyStep, Setup, ThreadView, WorkloadOption,
    WorkloadOptions, WorkloadRun,
};

/// Every workload `-w` can name, in the order help lists them.
pub static REGISTRY: &[Entry] = &[
    echo::ENTRY,
    unique_ids::ENTRY,
    broadcast::ENTRY,
    txn_rw_register::workload::ENTRY,
    txn_list_append::workload::ENTRY,
    counter::G_COUNTER,
    counter::PN_COUNTER,
    kafka::ENTRY,
    lin_kv::ENTRY,
    g_set::ENTRY,
    #[cfg(test)]
    toy::ENTRY,
];

/// A registered workload, named by `-w`. Equal when the names are.
#[derive(Clone, Copy)]
pub struct Workload(&'static Entry);

impl Workload {
    /// `echo`.
    pub const ECHO: Workload = Workload(&echo::ENTRY);
    /// `unique-ids`.
    pub const UNIQUE_IDS: Workload = Workload(&unique_ids::ENTRY);
    /// `broadcast`.
    pub const BROADCAST: Workload = Workload(&broadcast::ENTRY);

    /// The registered workload called `name`.
    pub fn named(name: &str) -> Option<Workload> {
        REGISTRY.iter().find(|e| e.name == name).map(Workload)
    }

    /// Maelstrom's name for the workload.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Its registry entry.
    pub fn entry(self) -> &'static Entry {
        self.0
    }

    /// Sets the workload up for one run.
    pub fn build(self, setup: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
        (self.0.build)(setup)
    }
}

impl Default for Workload {
    /// Maelstrom's own default is none; the simulator's is broadcast.
    fn default() -> Self {
        Workload::BROADCAST
    }
}

impl PartialEq for Workload {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Workload {}

impl fmt::Debug for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Workload::named(s).ok_or_else(|| {
            let names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
            format!("unknown workload {s:?} ({})", names.join(", "))
        })
    }
}
