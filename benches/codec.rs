//! Decode and encode of real Maelstrom lines: glomers' codec (simd-json tape in place, and a
//! hand-written encoder) against serde_json used the way typical Rust Maelstrom nodes use it.
//!
//! Bench ids are `decode/<type>[/<values>]/<codec>` and `encode/<type>[/<values>]/<codec>`.
//!
//! - `decode/…/simd-json`: `Decoder::decode_padded` on the line followed by
//!   `INPUT_PADDING` bytes, as the runtime does it on its read buffer, producing the node's
//!   borrowed `Message`.
//! - `decode/…/serde_json`: `serde_json::from_slice` into the baseline types below: a
//!   `#[derive(Deserialize)]` envelope whose body flattens a `#[serde(tag = "type")]` enum,
//!   strings as `Cow<str>` borrowed from the line, integers as `i64`/`u64`.
//! - Decoding in place may rewrite the line (simd-json unescapes strings where they stand),
//!   so every iteration gets a fresh copy of the line. Both sides get the same copy, made by
//!   criterion's `iter_batched_ref` setup, outside the timing; dropping the decoded message
//!   is inside the timing for both.
//! - `encode/…/hand-written`: `glomers::wire::encode` of the node's `Transmit` (values lent
//!   from the broadcast kind's store, written by the kind) into a reused `Vec<u8>`, cleared
//!   each time.
//! - `encode/…/serde_json`: `serde_json::to_writer` of the baseline types (values borrowed as
//!   `&[i64]`, no copy) plus `\n` into a reused `Vec<u8>`. Both encoders produce the same bytes;
//!   this is asserted before measuring.
//!
//! `read_ok` is only encoded: nodes never receive it (Maelstrom does), and our decoder has no
//! `read_ok` variant to compare with.

#[path = "support/lines.rs"]
mod lines;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use glomers::node::Payload;
use glomers::node::kind::Kind;
use glomers::node::kinds::values::{self, Values};
use glomers::wire::{
    Decoder, INPUT_PADDING, Items, OutPayload, Reply, Transmit, Value, WriteItems, WriteReply,
    encode,
};

/// The serde_json baseline: message types the way typical Rust Maelstrom nodes declare them.
#[allow(
    clippy::disallowed_types,
    reason = "the baseline declares messages as typical serde nodes do, with std's HashMap"
)]
mod baseline {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Serialize)]
    pub struct Message<'a> {
        #[serde(borrow)]
        pub src: Cow<'a, str>,
        #[serde(borrow)]
        pub dest: Cow<'a, str>,
        #[serde(borrow)]
        pub body: Body<'a>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    pub struct Body<'a> {
        #[serde(flatten, borrow)]
        pub payload: Payload<'a>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub msg_id: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub in_reply_to: Option<u64>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum Payload<'a> {
        Init {
            #[serde(borrow)]
            node_id: Cow<'a, str>,
            #[serde(borrow)]
            node_ids: Vec<Cow<'a, str>>,
        },
        InitOk,
        Echo {
            #[serde(borrow)]
            echo: Cow<'a, str>,
        },
        EchoOk {
            #[serde(borrow)]
            echo: Cow<'a, str>,
        },
        Generate,
        GenerateOk {
            id: u64,
        },
        Broadcast {
            message: i64,
        },
        BroadcastOk,
        Read,
        ReadOk {
            messages: Cow<'a, [i64]>,
        },
        Topology {
            #[serde(borrow)]
            topology: HashMap<Cow<'a, str>, Vec<Cow<'a, str>>>,
        },
        Gossip {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            seq: Option<u64>,
            #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
            values: Cow<'a, [i64]>,
            #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
            acks: Cow<'a, [u64]>,
        },
    }

    impl Payload<'_> {
        /// The `type` tag and how many values the payload holds, for the sanity check.
        pub fn shape(&self) -> (&'static str, usize) {
            match self {
                Payload::Init { node_ids, .. } => ("init", node_ids.len()),
                Payload::Echo { .. } => ("echo", 0),
                Payload::Generate => ("generate", 0),
                Payload::Broadcast { .. } => ("broadcast", 1),
                Payload::Read => ("read", 0),
                Payload::Topology { topology } => ("topology", topology.len()),
                Payload::Gossip { values, .. } => ("gossip", values.len()),
                _ => ("reply", 0),
            }
        }
    }
}

/// The same shape as `baseline::Payload::shape`, for the node's decoded payload.
fn shape(p: &Payload<'_, Values>) -> (&'static str, usize) {
    match p {
        Payload::Init { node_ids, .. } => ("init", node_ids.len()),
        Payload::Echo { .. } => ("echo", 0),
        Payload::Generate => ("generate", 0),
        Payload::Request(values::Request::Broadcast { .. }) => ("broadcast", 1),
        Payload::Request(values::Request::Read) => ("read", 0),
        Payload::Topology { topology } => ("topology", topology.len()),
        Payload::Gossip(g) => ("gossip", g.items.len()),
        _ => ("other", 0),
    }
}

/// A reply of the broadcast kind, lent for encoding as the node's engine lends it.
struct Lent<'a>(&'a Values, values::Reply);

impl WriteReply for Lent<'_> {
    fn write_reply(&self, out: &mut Vec<u8>) {
        self.0.write_reply(&self.1, out);
    }
}

/// The broadcast kind's store, writing gossiped values as the node's engine has it do.
struct Store<'a>(&'a Values);

impl WriteItems for Store<'_> {
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        self.0.write_items(positions, out);
    }
}

/// `x`, for the lifetime of the bench.
fn keep<T>(x: T) -> &'static T {
    Box::leak(Box::new(x))
}

/// Maelstrom's grid topology message for 25 nodes.
fn topology_line() -> String {
    let side = 5;
    let entries: Vec<String> = (0..25)
        .map(|k: usize| {
            let mut ns = Vec::new();
            if k + side < 25 {
                ns.push(k + side);
            }
            if k >= side {
                ns.push(k - side);
            }
            if (k + 1) % side != 0 {
                ns.push(k + 1);
            }
            if k % side != 0 {
                ns.push(k - 1);
            }
            let ns: Vec<String> = ns.iter().map(|n| format!("\"n{n}\"")).collect();
            format!("\"n{k}\":[{}]", ns.join(","))
        })
        .collect();
    format!(
        r#"{{"id":30,"src":"c1","dest":"n0","body":{{"type":"topology","topology":{{{}}},"msg_id":1}}}}"#,
        entries.join(",")
    )
}

/// The decode cases: (bench id, line).
fn decode_cases() -> Vec<(String, String)> {
    let mut cases = vec![
        ("init".to_string(), lines::init(0, "n0", 25)),
        ("echo".to_string(), lines::echo(7, "c3", "n0", 35)),
        ("generate".to_string(), lines::generate(9, "c4", "n0", 12)),
        (
            "broadcast".to_string(),
            lines::broadcast(5012, "c11", "n0", 146, 1_024),
        ),
        ("read".to_string(), lines::read(5013, "c11", "n0", 147)),
        ("topology".to_string(), topology_line()),
    ];
    for n in [1, 100, 10_000] {
        let values = lines::values(1_000, n);
        cases.push((
            format!("gossip/{n}"),
            lines::gossip(8_123, "n7", "n0", Some(41), &values, &[40]),
        ));
    }
    cases
}

fn padded(line: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(line.len() + INPUT_PADDING);
    buf.extend_from_slice(line);
    buf.resize(line.len() + INPUT_PADDING, b' ');
    buf
}

fn decode(c: &mut Criterion) {
    for (name, line) in decode_cases() {
        let line = line.into_bytes();
        let len = line.len();
        let mut decoder = Decoder::new();
        // Sanity: both decoders read the same message.
        {
            let mut buf = padded(&line);
            let ours = glomers::node::decode_padded::<Values>(&mut decoder, &mut buf, len)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let theirs: baseline::Message<'_> =
                serde_json::from_slice(&line).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                shape(&ours.body.payload),
                theirs.body.payload.shape(),
                "{name}"
            );
            assert_eq!(ours.body.msg_id, theirs.body.msg_id, "{name}");
            assert_eq!(
                (ours.src, ours.dest),
                (&*theirs.src, &*theirs.dest),
                "{name}"
            );
        }
        let size = if len > 4096 {
            BatchSize::LargeInput
        } else {
            BatchSize::SmallInput
        };
        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function("simd-json", |b| {
            b.iter_batched_ref(
                || padded(&line),
                |buf| {
                    let m = glomers::node::decode_padded::<Values>(&mut decoder, buf, len);
                    black_box(&m);
                    m.is_ok()
                },
                size,
            );
        });
        group.bench_function("serde_json", |b| {
            b.iter_batched_ref(
                || padded(&line),
                |buf| {
                    let m = serde_json::from_slice::<baseline::Message<'_>>(&buf[..len]);
                    black_box(&m);
                    m.is_ok()
                },
                size,
            );
        });
        group.finish();
    }
}

/// One encode case: the node's `Transmit` and the baseline message that must encode to the
/// same bytes.
struct EncodeCase<'a> {
    name: String,
    ours: Transmit<'a>,
    theirs: baseline::Message<'a>,
}

fn reply<'a>(
    dest: &'a str,
    in_reply_to: u64,
    ours: OutPayload<'a>,
    theirs: baseline::Payload<'a>,
) -> (Transmit<'a>, baseline::Message<'a>) {
    (
        Transmit {
            src: "n0",
            dest,
            in_reply_to: Some(in_reply_to),
            payload: ours,
        },
        baseline::Message {
            src: "n0".into(),
            dest: dest.into(),
            body: baseline::Body {
                payload: theirs,
                msg_id: None,
                in_reply_to: Some(in_reply_to),
            },
        },
    )
}

fn encode_cases<'a>(
    store: &'static Values,
    ints: &'a [i64],
    positions: &'a [u32],
    acks: &'a [u64],
) -> Vec<EncodeCase<'a>> {
    use baseline::Payload as B;
    let mut cases = Vec::new();
    let mut push = |name: String, (ours, theirs)| {
        cases.push(EncodeCase { name, ours, theirs });
    };
    push(
        "init_ok".into(),
        reply("c0", 1, OutPayload::InitOk, B::InitOk),
    );
    push(
        "echo_ok".into(),
        reply(
            "c3",
            35,
            OutPayload::EchoOk {
                echo: "\"Please echo 35\"",
            },
            B::EchoOk {
                echo: "Please echo 35".into(),
            },
        ),
    );
    push(
        "generate_ok".into(),
        reply(
            "c4",
            12,
            OutPayload::GenerateOk { id: 1_234_567 },
            B::GenerateOk { id: 1_234_567 },
        ),
    );
    push(
        "broadcast_ok".into(),
        reply(
            "c11",
            146,
            OutPayload::Reply(Reply(keep(Lent(store, values::Reply::BroadcastOk)))),
            B::BroadcastOk,
        ),
    );
    for n in [10, 1_000, 10_000, 100_000] {
        push(
            format!("read_ok/{n}"),
            reply(
                "c11",
                147,
                OutPayload::Reply(Reply(keep(Lent(store, values::Reply::ReadOk { upto: n })))),
                B::ReadOk {
                    messages: ints[..n].into(),
                },
            ),
        );
    }
    for n in [1, 100, 10_000] {
        // A gossip batch lends the values at these positions of the store.
        let ours = Transmit {
            src: "n0",
            dest: "n7",
            in_reply_to: None,
            payload: OutPayload::Gossip {
                seq: Some(41),
                items: Items {
                    field: Values::FIELD,
                    store: keep(Store(store)),
                    positions: &positions[..n],
                },
                acks,
                adopt: false,
                detach: false,
                sent: None,
                round: None,
                latency: &[],
                incarnation: 0,
            },
        };
        let theirs = baseline::Message {
            src: "n0".into(),
            dest: "n7".into(),
            body: baseline::Body {
                payload: B::Gossip {
                    seq: Some(41),
                    values: ints[..n].into(),
                    acks: acks.into(),
                },
                msg_id: None,
                in_reply_to: None,
            },
        };
        cases.push(EncodeCase {
            name: format!("gossip/{n}"),
            ours,
            theirs,
        });
    }
    cases
}

fn serde_encode(m: &baseline::Message<'_>, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, m).expect("serialisable");
    out.push(b'\n');
}

fn encode_benches(c: &mut Criterion) {
    // A store of 100,000 values as the node holds them, and the same as plain integers.
    let ints = lines::values(0, 100_000);
    let mut store = Values::default();
    for &i in &ints {
        store.insert(Value::Int(i));
    }
    let store = keep(store);
    let positions: Vec<u32> = (0..100_000).collect();
    let acks = [40u64];
    for case in encode_cases(store, &ints, &positions, &acks) {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        encode(&case.ours, &mut ours);
        serde_encode(&case.theirs, &mut theirs);
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{}: both encoders must write the same line",
            case.name
        );
        let mut group = c.benchmark_group(format!("encode/{}", case.name));
        group.throughput(Throughput::Bytes(ours.len() as u64));
        group.bench_function("hand-written", |b| {
            b.iter(|| {
                ours.clear();
                encode(black_box(&case.ours), &mut ours);
                black_box(ours.len())
            });
        });
        group.bench_function("serde_json", |b| {
            b.iter(|| {
                theirs.clear();
                serde_encode(black_box(&case.theirs), &mut theirs);
                black_box(theirs.len())
            });
        });
        group.finish();
    }
}

criterion_group!(benches, decode, encode_benches);
criterion_main!(benches);
