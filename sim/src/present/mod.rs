//! How a run is shown on disk (feature `present`): the results folder ([`results`]), its SVG
//! plots ([`plot`]) and the diagram, timeline and history files ([`artifacts`]). What is
//! workload-specific comes from the workload's [`Verdict`](crate::checkers::Verdict): its
//! plots, its own files and how its operations' values print; nothing here names a workload.

pub mod artifacts;
pub mod plot;
pub mod results;
