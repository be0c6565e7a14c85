//! Decoding one input line into a [`Message`] with simd-json, in place.
//!
//! The line is parsed into a reused simd-json tape (no allocation per line once the buffers
//! have grown), and every string of the message borrows from the line itself. A line that is
//! not a valid message yields a [`DecodeError`] that still carries whatever could be recovered
//! of `src`, `dest` and `msg_id`, so that the node can answer with a Maelstrom error body.
//!
//! The wire knows the envelope (`src`, `dest`, `msg_id`, `in_reply_to`, `type`) and nothing of
//! what a body means: the caller turns the body's [`Fields`] into its payload type (the node
//! does it with the item kind it serves, see `node::message`). [`Decoder::with_envelope`] lends
//! the parsed line to a closure, for a caller that must look at the body before it knows how
//! to decode it.

use std::borrow::Cow;

use simd_json::prelude::*;
use simd_json::tape::{Tape, Value as TapeValue};
use smallvec::SmallVec;

mod fields;
use super::message::{Body, Message};
pub use fields::{Field, Fields};

/// Why a line could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    /// The line is not valid JSON (or holds a number no JSON parser here can represent).
    #[error("invalid JSON: {0}")]
    Json(String),
    /// The line is JSON but not an object.
    #[error("a message must be a JSON object")]
    NotAnObject,
    /// A required field is absent.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// A field has the wrong JSON type or an out-of-range value.
    #[error("field `{field}` must be {expected}")]
    Invalid {
        /// The field's name.
        field: &'static str,
        /// What it should have been.
        expected: &'static str,
    },
}

/// A line that is not a valid message, with what could be recovered of its envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError<'a> {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The sender, if it could be read.
    pub src: Option<Cow<'a, str>>,
    /// The recipient, if it could be read.
    pub dest: Option<Cow<'a, str>>,
    /// The body's `msg_id`, if it could be read: without it no reply is possible.
    pub msg_id: Option<u64>,
}

impl std::fmt::Display for DecodeError<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kind.fmt(f)
    }
}

impl DecodeError<'_> {
    /// The same error, no longer borrowing from the line.
    pub fn into_owned(self) -> DecodeError<'static> {
        DecodeError {
            kind: self.kind,
            src: self.src.map(|s| Cow::Owned(s.into_owned())),
            dest: self.dest.map(|s| Cow::Owned(s.into_owned())),
            msg_id: self.msg_id,
        }
    }

    fn bare(kind: DecodeErrorKind) -> Self {
        DecodeError {
            kind,
            src: None,
            dest: None,
            msg_id: None,
        }
    }
}

/// A reusable decoder: owns simd-json's scratch buffers and tape between lines.
pub struct Decoder {
    buffers: simd_json::Buffers,
    tape: Tape<'static>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            buffers: simd_json::Buffers::new(4096),
            tape: Tape(Vec::new()),
        }
    }
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").finish_non_exhaustive()
    }
}

/// Padding that [`Decoder::decode_padded`] needs after the line inside the same buffer.
pub const INPUT_PADDING: usize = simd_json::INPUT_PADDING;

impl Decoder {
    /// A decoder with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one line (without its `\n`) whose body `payload` turns into a `P` (given the
    /// body's `type` and fields). The line is modified in place (JSON string escapes are
    /// undone where they stand), and the message borrows from it.
    pub fn decode<'a, P>(
        &mut self,
        line: &'a mut [u8],
        payload: impl for<'t> FnOnce(&'a str, &Fields<'t, 'a>) -> Result<P, DecodeErrorKind>,
    ) -> Result<Message<'a, P>, DecodeError<'a>> {
        self.with_envelope(line, None, |envelope| envelope?.decode(payload))
    }

    /// [`Decoder::decode`] of the line `buf[..len]` where `buf` continues with at least
    /// [`INPUT_PADDING`] bytes of anything (typically the next lines of the same read buffer),
    /// which saves the padded copy [`Decoder::decode`] makes. Falls back to that copy when the
    /// padding is short.
    pub fn decode_padded<'a, P>(
        &mut self,
        buf: &'a mut [u8],
        len: usize,
        payload: impl for<'t> FnOnce(&'a str, &Fields<'t, 'a>) -> Result<P, DecodeErrorKind>,
    ) -> Result<Message<'a, P>, DecodeError<'a>> {
        self.with_envelope(buf, Some(len), |envelope| envelope?.decode(payload))
    }

    /// Parses `line` (or, with `Some(len)`, the line `line[..len]` followed by padding, as for
    /// [`Decoder::decode_padded`]) and lends its envelope to `f`, or the error that stopped it
    /// before the body. The envelope borrows the decoder's tape, so it lives only inside `f`.
    pub fn with_envelope<'a, R>(
        &mut self,
        line: &'a mut [u8],
        len: Option<usize>,
        f: impl for<'t> FnOnce(Result<Envelope<'t, 'a>, DecodeError<'a>>) -> R,
    ) -> R {
        let mut tape: Tape<'a> = std::mem::replace(&mut self.tape, Tape(Vec::new()));
        let parsed = match len {
            Some(len) if line.len() >= len + INPUT_PADDING => {
                simd_json::fill_tape_padded(line, len, &mut self.buffers, &mut tape)
            }
            Some(len) => simd_json::fill_tape(&mut line[..len], &mut self.buffers, &mut tape),
            None => simd_json::fill_tape(line, &mut self.buffers, &mut tape),
        };
        let result = match parsed {
            Ok(()) => f(envelope_from(tape.as_value())),
            Err(e) => f(Err(DecodeError::bare(DecodeErrorKind::Json(e.to_string())))),
        };
        self.tape = tape.reset();
        result
    }
}

/// Recovers `src`, `dest` and `body.msg_id` from a line simd-json rejected (for instance one
/// holding an integer wider than 64 bits), so the node can still send an error reply. The
/// failed parse may have rewritten escaped strings of the line in place, so this is best
/// effort: when it fails the line stays unanswerable.
pub fn salvage_envelope(line: &[u8], error: &mut DecodeError<'_>) {
    #[derive(serde::Deserialize)]
    struct Envelope {
        src: Option<String>,
        dest: Option<String>,
        body: Option<BodyIds>,
    }
    #[derive(serde::Deserialize)]
    struct BodyIds {
        msg_id: Option<u64>,
    }
    if let Ok(env) = serde_json::from_slice::<Envelope>(line) {
        error.src = env.src.map(Cow::Owned);
        error.dest = env.dest.map(Cow::Owned);
        error.msg_id = env.body.and_then(|b| b.msg_id);
    }
}

type Tv<'t, 'a> = TapeValue<'t, 'a>;

/// A parsed line whose envelope is an object with a `body` object: what is known of it
/// before its payload is decoded.
pub struct Envelope<'t, 'a> {
    src: Option<&'a str>,
    dest: Option<&'a str>,
    kind: Option<Tv<'t, 'a>>,
    msg_id: Option<Tv<'t, 'a>>,
    in_reply_to: Option<Tv<'t, 'a>>,
    fields: Fields<'t, 'a>,
}

impl<'t, 'a> Envelope<'t, 'a> {
    /// The body's `type`, if it is a string.
    pub fn kind(&self) -> Option<&'a str> {
        self.kind.and_then(|k| k.into_string())
    }

    /// The body's fields other than `type`, `msg_id` and `in_reply_to`.
    pub fn fields(&self) -> &Fields<'t, 'a> {
        &self.fields
    }

    /// Decodes the message, its payload by `payload`. Errors come in the order a reader of
    /// the line meets them: `type`, `msg_id`, `in_reply_to`, the payload's fields, then a
    /// missing `src` or `dest` (with `msg_id` recovered whenever it can be, so that the sender
    /// can still be answered).
    pub fn decode<P>(
        &self,
        payload: impl FnOnce(&'a str, &Fields<'t, 'a>) -> Result<P, DecodeErrorKind>,
    ) -> Result<Message<'a, P>, DecodeError<'a>> {
        let result = self.body(payload);
        let mut err = DecodeError {
            kind: DecodeErrorKind::Missing("src"),
            src: self.src.map(Cow::Borrowed),
            dest: self.dest.map(Cow::Borrowed),
            msg_id: self.msg_id.and_then(|v| v.as_u64()),
        };
        let (Some(src), Some(dest)) = (self.src, self.dest) else {
            if self.src.is_some() {
                err.kind = DecodeErrorKind::Missing("dest");
            }
            return Err(err);
        };
        match result {
            Ok(body) => Ok(Message { src, dest, body }),
            Err(kind) => {
                err.kind = kind;
                Err(err)
            }
        }
    }

    fn body<P>(
        &self,
        payload: impl FnOnce(&'a str, &Fields<'t, 'a>) -> Result<P, DecodeErrorKind>,
    ) -> Result<Body<P>, DecodeErrorKind> {
        let kind = Field::required(self.kind.map(Field), "type")?
            .as_str()
            .ok_or_else(|| invalid("type", "a string"))?;
        let msg_id = Field::optional_u64(self.msg_id.map(Field), "msg_id")?;
        let in_reply_to = Field::optional_u64(self.in_reply_to.map(Field), "in_reply_to")?;
        Ok(Body {
            msg_id,
            in_reply_to,
            payload: payload(kind, &self.fields)?,
        })
    }
}

fn envelope_from<'t, 'a>(root: Tv<'t, 'a>) -> Result<Envelope<'t, 'a>, DecodeError<'a>> {
    let Some(object) = root.as_object() else {
        return Err(DecodeError::bare(DecodeErrorKind::NotAnObject));
    };
    let (mut src, mut dest, mut body) = (None, None, None);
    for (key, value) in &object {
        match key {
            "src" => src = Some(value),
            "dest" => dest = Some(value),
            "body" => body = Some(value),
            _ => {}
        }
    }
    let src = src.and_then(|v| v.into_string());
    let dest = dest.and_then(|v| v.into_string());
    let Some(body) = body.and_then(|b| b.as_object()) else {
        return Err(DecodeError {
            kind: match body {
                None => DecodeErrorKind::Missing("body"),
                Some(_) => invalid("body", "an object"),
            },
            src: src.map(Cow::Borrowed),
            dest: dest.map(Cow::Borrowed),
            msg_id: None,
        });
    };
    let mut envelope = Envelope {
        src,
        dest,
        kind: None,
        msg_id: None,
        in_reply_to: None,
        fields: Fields::default(),
    };
    let mut entries = SmallVec::new();
    for (key, value) in &body {
        match key {
            "type" => envelope.kind = Some(value),
            "msg_id" => envelope.msg_id = Some(value),
            "in_reply_to" => envelope.in_reply_to = Some(value),
            _ => entries.push((key, value)),
        }
    }
    envelope.fields = Fields::new(entries);
    Ok(envelope)
}

pub(crate) fn invalid(field: &'static str, expected: &'static str) -> DecodeErrorKind {
    DecodeErrorKind::Invalid { field, expected }
}
