//! The `g-counter` and `pn-counter` workloads (Maelstrom's `g_counter.clj` and
//! `pn_counter.clj`): what they generate and how their histories are checked.
//!
//! Requests are `{"type":"add","delta":d}` → `add_ok` and `{"type":"read"}` →
//! `{"type":"read_ok","value":<integer>}`. The client is not reusable after an `:info`, times
//! out after 5 s, and turns every error reply or timeout into `:info` (never `:fail`). After
//! the main phase come the heal, 10 s of quiet and one final read per client thread.

pub mod checker;
pub mod generator;
pub mod present;

pub use checker::{CounterResult, check};
pub use generator::Counter;
