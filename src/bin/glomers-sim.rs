//! `glomers-sim`: a local Maelstrom (in progress).
fn main() {}
