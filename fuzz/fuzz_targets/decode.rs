//! The line decoder on arbitrary bytes: `Decoder::decode`, `Decoder::decode_padded` and
//! `salvage_envelope` must never panic, must agree with each other, and whatever they accept
//! must be something the node can later write back out as valid JSON (values and echo
//! payloads are kept as JSON text and emitted verbatim, and so are transaction keys and
//! values).

#![no_main]

use glomers::wire::{
    DecodeErrorKind, Decoder, INPUT_PADDING, Message, Payload, Value, salvage_envelope,
};
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

/// What a decoded message must satisfy, and a summary to compare two decodings by.
fn check(m: &Message<'_>) -> String {
    match &m.body.payload {
        Payload::Broadcast { message } => check_value(message),
        Payload::Echo { echo } => assert_json(echo, "an echo payload"),
        Payload::Gossip(g) => {
            g.values.iter().for_each(check_value);
            for record in &g.txns {
                for (k, v) in &record.writes {
                    check_value(k);
                    check_value(v);
                }
            }
        }
        Payload::Txn { txn } => {
            for op in txn {
                check_value(&op.key);
                op.value.iter().for_each(check_value);
            }
        }
        _ => {}
    }
    format!("{m:?}")
}

/// The error, minus simd-json's wording (which may name a position inside the padding).
fn kind(k: &DecodeErrorKind) -> String {
    match k {
        DecodeErrorKind::Json(_) => "json".to_string(),
        other => other.to_string(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new();
    let mut plain = data.to_vec();
    let first = match decoder.decode(&mut plain) {
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
    let second = match decoder.decode_padded(&mut padded, data.len()) {
        Ok(m) => Ok(check(&m)),
        Err(e) => Err(kind(&e.kind)),
    };
    assert_eq!(first, second, "decode and decode_padded disagree");
});
