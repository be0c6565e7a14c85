//! Maelstrom's wire format: JSON lines with `src`, `dest` and `body`.
//!
//! [`Decoder`] turns an input line into a borrowed [`Message`] (the caller decodes the body's
//! [`Fields`] into its payload); [`encode`] turns a [`Transmit`] into an output line.
//! [`ErrorCode`] is Maelstrom's error table and [`Value`] any JSON value a client hands over
//! (integers as such, anything else as compact JSON text). The wire knows no item kind: a
//! kind reads its fields through [`Field`] and writes its replies and gossiped items through
//! [`WriteReply`] and [`WriteItems`].

mod decode;
mod encode;
mod error_code;
mod message;
mod value;

pub use decode::{
    DecodeError, DecodeErrorKind, Decoder, Envelope, Field, Fields, INPUT_PADDING, salvage_envelope,
};
pub use encode::{encode, write_i64, write_joined, write_str, write_u64, write_values};
pub use error_code::ErrorCode;
pub use message::{Body, Items, Message, OutPayload, Reply, Transmit, WriteItems, WriteReply};
pub use value::Value;
