//! The node core through its drive step: golden wire cases, odd inputs, relays.

mod relay_duplicates;
mod robustness;
mod self_tuning;
mod wire_golden;
