//! How a run is shown: the [`report`], its summary and JSON forms ([`output`]), the results
//! folder ([`results`]) and its SVG plots ([`plot`]).

pub mod output;
pub mod plot;
pub mod report;
pub mod results;
