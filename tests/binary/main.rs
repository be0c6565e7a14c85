//! The release-shaped `glomers` binary end to end: golden cases through stdin/stdout, bad input.

#![allow(
    clippy::disallowed_methods,
    reason = "tests of the binary run real processes: they spawn pipe threads and time them"
)]

mod bad_input;
mod e2e;
