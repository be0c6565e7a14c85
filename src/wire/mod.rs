//! Maelstrom's wire format: JSON lines with `src`, `dest` and `body`.
//!
//! [`Decoder`] turns an input line into a borrowed [`Message`]; [`encode`] turns a
//! [`Transmit`] into an output line. [`ErrorCode`] is Maelstrom's error table and [`Value`] the
//! representation of broadcast values.

mod decode;
mod encode;
mod error_code;
mod message;
mod value;

pub use decode::{DecodeError, DecodeErrorKind, Decoder, INPUT_PADDING, salvage_envelope};
pub use encode::{encode, write_str};
pub use error_code::ErrorCode;
pub use message::{
    Body, Count, Gossip, Message, MicroOp, OpKind, OutPayload, Payload, Picked, Transmit,
    TxnRecord, ValueIter, ValueList,
};
pub use value::Value;
