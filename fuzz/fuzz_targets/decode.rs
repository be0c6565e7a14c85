//! The line decoder on arbitrary bytes, as a message of every item kind: `decode`,
//! `decode_padded` and `salvage_envelope` must never panic, must agree with each other, and whatever they accept
//! must be something the node can later write back out as valid JSON (values and echo
//! payloads are kept as JSON text and emitted verbatim, and so are transaction keys and
//! values).

#![no_main]

use glomers::node::kind::Kind;
use glomers::node::kinds::counter::Counter;
use glomers::node::kinds::gset::{self, GSet};
use glomers::node::kinds::txn::Txn;
use glomers::node::kinds::values::{self, Values};
use glomers::node::{Message, Payload, decode, decode_padded};
use glomers::wire::{DecodeErrorKind, Decoder, INPUT_PADDING, Value, salvage_envelope};
use libfuzzer_sys::fuzz_target;

fn assert_json(text: &str, what: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("{what} kept as invalid JSON text {text:?}: {e}");
    }
}

fn check_value(v: &Value) {
    if let Value::Json(text) = v {
        assert_json(text, "a value");
    }
}

/// The values a decoded payload of a kind keeps as JSON text, for `check`.
trait Kept: Kind + Sized {
    fn kept(p: &Payload<'_, Self>) -> Vec<Value>;
}

impl Kept for Values {
    fn kept(p: &Payload<'_, Self>) -> Vec<Value> {
        match p {
            Payload::Request(values::Request::Broadcast { message }) => vec![message.clone()],
            Payload::Gossip(g) => g.items.clone(),
            _ => Vec::new(),
        }
    }
}

impl Kept for GSet {
    fn kept(p: &Payload<'_, Self>) -> Vec<Value> {
        match p {
            Payload::Request(gset::Request::Add { element }) => vec![element.clone()],
            Payload::Gossip(g) => g.items.clone(),
            _ => Vec::new(),
        }
    }
}

impl Kept for Counter {
    fn kept(_: &Payload<'_, Self>) -> Vec<Value> {
        Vec::new()
    }
}

impl Kept for Txn {
    fn kept(p: &Payload<'_, Self>) -> Vec<Value> {
        match p {
            Payload::Request(txn) => txn
                .iter()
                .flat_map(|op| std::iter::once(op.key.clone()).chain(op.value.clone()))
                .collect(),
            Payload::Gossip(g) => g
                .items
                .iter()
                .flat_map(|r| r.writes.iter().flat_map(|(k, v)| [k.clone(), v.clone()]))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// What a decoded message must satisfy, and a summary to compare two decodings by.
fn check<K: Kept>(m: &Message<'_, K>) -> String {
    if let Payload::Echo { echo } = &m.body.payload {
        assert_json(echo, "an echo payload");
    }
    K::kept(&m.body.payload).iter().for_each(check_value);
    format!("{m:?}")
}

/// The error, minus simd-json's wording (which may name a position inside the padding).
fn kind(k: &DecodeErrorKind) -> String {
    match k {
        DecodeErrorKind::Json(_) => "json".to_string(),
        other => other.to_string(),
    }
}

/// Decodes `data` as a message of kind `K` both ways, and checks they agree.
fn run<K: Kept>(decoder: &mut Decoder, data: &[u8]) {
    let mut plain = data.to_vec();
    let first = match decode::<K>(decoder, &mut plain) {
        Ok(m) => Ok(check(&m)),
        Err(mut e) => {
            if e.src.is_none() {
                salvage_envelope(data, &mut e);
            }
            Err(kind(&e.kind))
        }
    };
    // The same line followed by padding (as the runtime hands it over) decodes the same way,
    // and the decoder's reused buffers carry nothing over from the previous line.
    let mut padded = data.to_vec();
    padded.extend(std::iter::repeat_n(b' ', INPUT_PADDING));
    let second = match decode_padded::<K>(decoder, &mut padded, data.len()) {
        Ok(m) => Ok(check(&m)),
        Err(e) => Err(kind(&e.kind)),
    };
    assert_eq!(first, second, "decode and decode_padded disagree");
}

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new();
    run::<Values>(&mut decoder, data);
    run::<Counter>(&mut decoder, data);
    run::<Txn>(&mut decoder, data);
    run::<GSet>(&mut decoder, data);
});
