//! How a run is shown: the [`report`], its summary and JSON forms ([`output`]), the results
//! folder ([`results`]), its SVG plots ([`plot`]) and the diagram, timeline and history files
//! ([`artifacts`]).

pub mod artifacts;
pub mod output;
pub mod plot;
pub mod report;
pub mod results;
pub mod series;
