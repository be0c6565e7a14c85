//! Decoding one input line into a [`Message`] with simd-json, in place.
//!
//! The line is parsed into a reused simd-json tape (no allocation per line once the buffers
//! have grown), and every string of the message borrows from the line itself. A line that is
//! not a valid message yields a [`DecodeError`] that still carries whatever could be recovered
//! of `src`, `dest` and `msg_id`, so that the node can answer with a Maelstrom error body.

use std::borrow::Cow;

use simd_json::prelude::*;
use simd_json::tape::{Tape, Value as TapeValue};
use smallvec::SmallVec;

mod fields;
mod items;
use super::message::{Body, Gossip, Message, Payload};
use super::value::Value;
use fields::{
    json_text, optional_bool, optional_u64, required, round_from, str_list, topology_from,
    value_from,
};
use items::{COUNT, TXN_RECORD, count_from, optional_list, record_from, txn_from};

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

    /// Decodes one line (without its `\n`). The line is modified in place (JSON string
    /// escapes are undone where they stand), and the message borrows from it.
    pub fn decode<'a>(&mut self, line: &'a mut [u8]) -> Result<Message<'a>, DecodeError<'a>> {
        let mut tape: Tape<'a> = std::mem::replace(&mut self.tape, Tape(Vec::new()));
        let parsed = simd_json::fill_tape(line, &mut self.buffers, &mut tape);
        let result = match parsed {
            Ok(()) => message_from(tape.as_value()),
            Err(e) => Err(DecodeError::bare(DecodeErrorKind::Json(e.to_string()))),
        };
        self.tape = tape.reset();
        result
    }

    /// Decodes the line `buf[..len]` where `buf` continues with at least [`INPUT_PADDING`]
    /// bytes of anything (typically the next lines of the same read buffer), which saves the
    /// padded copy [`Decoder::decode`] makes. Falls back to that copy when the padding is short.
    pub fn decode_padded<'a>(
        &mut self,
        buf: &'a mut [u8],
        len: usize,
    ) -> Result<Message<'a>, DecodeError<'a>> {
        if buf.len() < len + INPUT_PADDING {
            return self.decode(&mut buf[..len]);
        }
        let mut tape: Tape<'a> = std::mem::replace(&mut self.tape, Tape(Vec::new()));
        let parsed = simd_json::fill_tape_padded(buf, len, &mut self.buffers, &mut tape);
        let result = match parsed {
            Ok(()) => message_from(tape.as_value()),
            Err(e) => Err(DecodeError::bare(DecodeErrorKind::Json(e.to_string()))),
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

fn message_from<'a>(root: Tv<'_, 'a>) -> Result<Message<'a>, DecodeError<'a>> {
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
    let mut err = DecodeError {
        kind: DecodeErrorKind::Missing("src"),
        src: src.map(Cow::Borrowed),
        dest: dest.map(Cow::Borrowed),
        msg_id: None,
    };
    let Some(body) = body.and_then(|b| b.as_object()) else {
        err.kind = match body {
            None => DecodeErrorKind::Missing("body"),
            Some(_) => invalid("body", "an object"),
        };
        return Err(err);
    };
    let mut fields = BodyFields::default();
    for (key, value) in &body {
        fields.set(key, value);
    }
    // The ids first, so that any later failure can still be answered.
    err.msg_id = fields.msg_id.and_then(|v| v.as_u64());
    let result = body_from(&fields);
    let (Some(src), Some(dest)) = (src, dest) else {
        err.kind = if src.is_none() {
            DecodeErrorKind::Missing("src")
        } else {
            DecodeErrorKind::Missing("dest")
        };
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

fn invalid(field: &'static str, expected: &'static str) -> DecodeErrorKind {
    DecodeErrorKind::Invalid { field, expected }
}

/// The body fields the node knows, found in one pass over the object.
#[derive(Default)]
struct BodyFields<'t, 'a> {
    kind: Option<Tv<'t, 'a>>,
    msg_id: Option<Tv<'t, 'a>>,
    in_reply_to: Option<Tv<'t, 'a>>,
    node_id: Option<Tv<'t, 'a>>,
    node_ids: Option<Tv<'t, 'a>>,
    echo: Option<Tv<'t, 'a>>,
    message: Option<Tv<'t, 'a>>,
    topology: Option<Tv<'t, 'a>>,
    seq: Option<Tv<'t, 'a>>,
    values: Option<Tv<'t, 'a>>,
    acks: Option<Tv<'t, 'a>>,
    adopt: Option<Tv<'t, 'a>>,
    detach: Option<Tv<'t, 'a>>,
    sent: Option<Tv<'t, 'a>>,
    round: Option<Tv<'t, 'a>>,
    code: Option<Tv<'t, 'a>>,
    text: Option<Tv<'t, 'a>>,
    delta: Option<Tv<'t, 'a>>,
    txn: Option<Tv<'t, 'a>>,
    counts: Option<Tv<'t, 'a>>,
    txns: Option<Tv<'t, 'a>>,
}

impl<'t, 'a> BodyFields<'t, 'a> {
    #[inline]
    fn set(&mut self, key: &str, value: Tv<'t, 'a>) {
        let slot = match key {
            "type" => &mut self.kind,
            "msg_id" => &mut self.msg_id,
            "in_reply_to" => &mut self.in_reply_to,
            "node_id" => &mut self.node_id,
            "node_ids" => &mut self.node_ids,
            "echo" => &mut self.echo,
            "message" => &mut self.message,
            "topology" => &mut self.topology,
            "seq" => &mut self.seq,
            "values" => &mut self.values,
            "acks" => &mut self.acks,
            "adopt" => &mut self.adopt,
            "detach" => &mut self.detach,
            "sent" => &mut self.sent,
            "round" => &mut self.round,
            "code" => &mut self.code,
            "text" => &mut self.text,
            "delta" => &mut self.delta,
            "txn" => &mut self.txn,
            "counts" => &mut self.counts,
            "txns" => &mut self.txns,
            _ => return,
        };
        *slot = Some(value);
    }
}

fn body_from<'a>(f: &BodyFields<'_, 'a>) -> Result<Body<'a>, DecodeErrorKind> {
    let kind = required(f.kind, "type")?
        .into_string()
        .ok_or_else(|| invalid("type", "a string"))?;
    let msg_id = optional_u64(f.msg_id, "msg_id")?;
    let in_reply_to = optional_u64(f.in_reply_to, "in_reply_to")?;
    let payload = match kind {
        "broadcast" => Payload::Broadcast {
            message: value_from(required(f.message, "message")?),
        },
        "read" => Payload::Read,
        "add" => Payload::Add {
            delta: required(f.delta, "delta")?
                .as_i64()
                .ok_or_else(|| invalid("delta", "an integer"))?,
        },
        "txn" => Payload::Txn {
            txn: txn_from(required(f.txn, "txn")?)?,
        },
        "gossip" => Payload::Gossip(gossip_from(f)?),
        "generate" => Payload::Generate,
        "echo" => Payload::Echo {
            echo: json_text(required(f.echo, "echo")?),
        },
        "init" => Payload::Init {
            node_id: required(f.node_id, "node_id")?
                .into_string()
                .ok_or_else(|| invalid("node_id", "a string"))?,
            node_ids: str_list(required(f.node_ids, "node_ids")?, "node_ids")?,
        },
        "topology" => Payload::Topology {
            topology: topology_from(required(f.topology, "topology")?)?,
        },
        "error" => Payload::Error {
            code: required(f.code, "code")?
                .as_i64()
                .ok_or_else(|| invalid("code", "an integer"))?,
            text: f.text.and_then(|t| t.into_string()),
        },
        other => Payload::Unknown { kind: other },
    };
    Ok(Body {
        msg_id,
        in_reply_to,
        payload,
    })
}

fn gossip_from(f: &BodyFields<'_, '_>) -> Result<Gossip, DecodeErrorKind> {
    let values: Vec<Value> = match f.values {
        None => Vec::new(),
        Some(v) => {
            let array = v.as_array().ok_or_else(|| invalid("values", "an array"))?;
            let mut values = Vec::with_capacity(array.len());
            values.extend(array.iter().map(value_from));
            values
        }
    };
    let acks: SmallVec<[u64; 4]> = match f.acks {
        None => SmallVec::new(),
        Some(v) => {
            let array = v
                .as_array()
                .ok_or_else(|| invalid("acks", "an array of integers"))?;
            array
                .iter()
                .map(|a| {
                    a.as_u64()
                        .ok_or_else(|| invalid("acks", "an array of integers"))
                })
                .collect::<Result<_, _>>()?
        }
    };
    let seq = optional_u64(f.seq, "seq")?;
    let gossip = Gossip {
        seq,
        values,
        acks,
        adopt: optional_bool(f.adopt, "adopt")?,
        detach: optional_bool(f.detach, "detach")?,
        counts: optional_list(f.counts, "counts", COUNT, count_from)?,
        txns: optional_list(f.txns, "txns", TXN_RECORD, record_from)?,
        sent: optional_u64(f.sent, "sent")?,
        round: round_from(f.round)?,
    };
    if seq.is_none() && gossip.has_items() {
        return Err(DecodeErrorKind::Missing("seq"));
    }
    Ok(gossip)
}

#[cfg(test)]
mod tests;
