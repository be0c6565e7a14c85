//! The release-shaped `glomers` binary end to end: golden cases through stdin/stdout, bad input.

mod bad_input;
mod e2e;
