//! The plots of a run's results folder: the workload's own
//! ([`Verdict::plots`](crate::checkers::Verdict::plots)), then those of every workload:
//!
//! - `throughput.svg`: server messages (node↔node, node↔service) sent per second, and client
//!   operations started per second, over the run;
//! - as Maelstrom names them: `latency-raw.svg`, `latency-quantiles.svg` and `rate.svg`
//!   (`operations`).
//!
//! They are drawn in the common style of [`crate::figures::draw`].

use crate::figures::Plot;
use crate::figures::draw::{Res, plot};
use crate::report::Report;

pub(crate) mod operations;
mod throughput;

/// Every plot of the report: the workload's, then the generic ones.
pub fn render(report: &Report) -> Result<Vec<Plot>, String> {
    let run = report.plot_input();
    let mut plots = report.workload.verdict().plots(&run)?;
    let mut add = |file_name: &str, draw: &dyn Fn(&mut String) -> Res| -> Result<(), String> {
        let what = super::artifacts::describe(file_name);
        plots.push(plot(file_name, what, draw)?);
        Ok(())
    };
    add("throughput.svg", &|svg| throughput::per_second(report, svg))?;
    if !operations::samples(&report.history).is_empty() {
        add("latency-raw.svg", &|svg| operations::raw(report, svg))?;
        add("latency-quantiles.svg", &|svg| {
            operations::quantiles(report, svg)
        })?;
        add("rate.svg", &|svg| operations::rate(report, svg))?;
    }
    Ok(plots)
}
