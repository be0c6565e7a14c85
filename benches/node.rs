//! Node throughput: the drive step (`glomers::step::Driven`: `Node::handle` and the drain of
//! `poll_transmit`) on a realistic broadcast
//! mix of a 25-node cluster with the default (3e) configuration, its timing pinned so that the
//! scripted arrivals line up with the rounds: a star rooted at `n0`, rounds of 1.6 s
//! (`timing.tick_ms`), hops of 100 ms (`timing.hop_ms`).
//!
//! Scenarios (one node each, 20 rounds of virtual time, starting from a fresh node that has
//! just answered `init`):
//!
//! - `root-3e`: the root `n0`. Each round, the 24 leaves' gossip (3 new values each, and the
//!   acks of the root's previous batch), 3 client `broadcast`s and 3 client `read`s; the root
//!   sends its 24 gossip batches on its round timer. 600 messages, 1,500 values at the end.
//! - `leaf-3e`: a leaf `n1`. Each round, the root's gossip (72 new values, acks), 3 client
//!   `broadcast`s and 3 `read`s. 140 messages.
//! - `leaf-clients`: a leaf `n1` under heavy client load. Each round, 50 `broadcast`s and 50
//!   `read`s from clients, and the root's gossip (72 values, acks). 2,020 messages, 2,440
//!   values at the end.
//!
//! The acks in the inputs are the real ones: the scripts are generated closed-loop, by
//! running the node once and acknowledging exactly what it sent.
//!
//! Variants (the throughput counts the messages fed in; the timeouts the drive loop fires
//! when a deadline passes are extra work inside the same time):
//!
//! - `handle+drain`: messages decoded beforehand (cloned for each run in the untimed setup);
//!   the timed part is `handle` + draining `poll_transmit` (each `Transmit` passed to
//!   `black_box`, not encoded) + `poll_notice`.
//! - `handle+drain+encode`: the same, each `Transmit` encoded into a reused buffer (a `read_ok`
//!   writes the whole store, up to 2,440 values here).
//! - `decode+handle+drain+encode`: everything the runtime does but I/O: the lines, copied
//!   into one buffer (untimed setup), decoded in place with padding, handled, drained,
//!   encoded.
//! - `…+log`: the same with the durability log on (`write` mode, the default), in a file of
//!   a fresh temporary directory (`glomers::runtime::LogFile`, the runtime's own), committed
//!   as the runtime commits: once per 64 KiB of input lines and after every timeout, before
//!   that batch's output would be written. The log file's `write(2)`s are in the time.

#[path = "support/lines.rs"]
mod lines;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use glomers::Time;
use glomers::config::NodeConfig;
use glomers::node::kinds::values::Values;
use glomers::node::{Message, decode};
use glomers::runtime::LogFile;
use glomers::step::{Driven, Feed};
use glomers::wire::{Decoder, INPUT_PADDING, OutPayload, Transmit, encode};

const NODES: usize = 25;
const ROUNDS: u64 = 20;

/// The lines one node receives, in order, with their arrival times.
struct Script {
    me: &'static str,
    init: String,
    lines: Vec<(Time, String)>,
}

/// Who sends what to the scripted node in a round.
struct Mix {
    me: &'static str,
    /// Whether `me` is the root (gossip from 24 leaves) or a leaf (gossip from the root).
    root: bool,
    /// New values per incoming gossip message.
    gossip_values: usize,
    /// Client broadcasts per round (and as many reads).
    client_ops: usize,
}

/// Feeds `node` one line at `now` through the drive step, firing due timeouts first, and
/// passes each transmit to `sink`.
fn step(node: &mut Driven, now: Time, feed: Feed<'_>, mut sink: impl FnMut(&Transmit<'_>)) {
    fire(node, now, &mut sink);
    node.step_with(now, feed, &mut sink, |n| drop(black_box(n)));
}

/// [`step`] for a message decoded beforehand.
fn step_message(
    node: &mut Driven,
    now: Time,
    m: Message<'_, Values>,
    mut sink: impl FnMut(&Transmit<'_>),
) {
    fire(node, now, &mut sink);
    node.step_message_with(now, m, &mut sink, |n| drop(black_box(n)));
}

/// Fires the timeouts due by `now`.
fn fire(node: &mut Driven, now: Time, mut sink: impl FnMut(&Transmit<'_>)) {
    while let Some(d) = node.node().poll_timeout()
        && d <= now
    {
        node.step_with(d, Feed::Timeout, &mut sink, |n| drop(black_box(n)));
    }
}

/// The default (3e) configuration with its timing pinned to 1.6 s rounds and 100 ms hops.
fn bench_config() -> NodeConfig {
    let mut c = NodeConfig::default();
    c.timing.tick_ms = Some(1600);
    c.timing.hop_ms = Some(100);
    c
}

/// Generates the script closed-loop: runs a node on it and acknowledges what it sends.
fn script(mix: &Mix) -> Script {
    enum Event {
        Gossip(usize),
        Client(usize),
    }
    let timing = bench_config().timing;
    let (tick, hop, gather) = (
        timing.tick_ms.unwrap_or(1600) * 1_000,
        timing.hop_ms.unwrap_or(100) * 1_000,
        timing.gather_ms * 1_000,
    ); // µs
    let base = tick * 1_000; // a round boundary
    let mut node = Driven::new(bench_config());
    let mut decoder = Decoder::new();
    let init = lines::init(0, mix.me, NODES);
    let mut buf = init.clone().into_bytes();
    let len = buf.len();
    let feed = Feed::Line { buf: &mut buf, len };
    step(&mut node, Time::from_micros(base), feed, |_| {});

    let senders: Vec<usize> = if mix.root {
        (1..NODES).collect()
    } else {
        vec![0]
    };
    let mut owed: Vec<Vec<u64>> = vec![Vec::new(); NODES];
    let mut seq = [0u64; NODES];
    let (mut next_value, mut msg_id, mut id) = (0i64, 1u64, 1u64);
    let mut out = Vec::new();
    let mut script = Vec::new();
    for r in 0..ROUNDS {
        let t0 = base + r * tick;
        let mut schedule: Vec<(u64, Event)> = Vec::new();
        for &from in &senders {
            // Leaves flush at the boundary and their deltas arrive a hop later; the root
            // flushes a hop and a gather after the boundary, arriving a hop after that.
            let at = if mix.root {
                t0 + hop + from as u64 * 50
            } else {
                t0 + 2 * hop + gather
            };
            schedule.push((at, Event::Gossip(from)));
        }
        let ops = mix.client_ops * 2;
        for k in 0..ops {
            // Client requests spread over the rest of the round.
            let start = t0 + 2 * hop + gather + 40_000;
            let at = start + k as u64 * ((t0 + tick - 100_000 - start) / ops as u64);
            schedule.push((at, Event::Client(k)));
        }
        schedule.sort_by_key(|e| e.0);
        for (at, event) in schedule {
            let line = match event {
                Event::Gossip(from) => {
                    let values = lines::values(next_value, mix.gossip_values);
                    next_value += mix.gossip_values as i64;
                    let s = seq[from];
                    seq[from] += 1;
                    let acks = std::mem::take(&mut owed[from]);
                    lines::gossip(id, &format!("n{from}"), mix.me, Some(s), &values, &acks)
                }
                Event::Client(k) => {
                    let client = format!("c{}", 2 + k % 20);
                    msg_id += 1;
                    if k % 2 == 0 {
                        next_value += 1;
                        lines::broadcast(id, &client, mix.me, msg_id, next_value - 1)
                    } else {
                        lines::read(id, &client, mix.me, msg_id)
                    }
                }
            };
            id += 1;
            let now = Time::from_micros(at);
            let mut buf = line.clone().into_bytes();
            let m = decode::<Values>(&mut decoder, &mut buf).expect("generated line");
            step_message(&mut node, now, m, |t| {
                if let OutPayload::Gossip { seq: Some(s), .. } = t.payload {
                    let to: usize = t.dest[1..].parse().expect("node id");
                    owed[to].push(s);
                }
                encode(t, &mut out);
            });
            out.clear();
            script.push((now, line));
        }
    }
    Script {
        me: mix.me,
        init,
        lines: script,
    }
}

/// A node of the script's cluster that has just answered `init`.
fn fresh_node(script: &Script) -> Driven {
    let mut node = Driven::new(bench_config());
    let mut buf = script.init.clone().into_bytes();
    let len = buf.len();
    let start = script.lines[0]
        .0
        .saturating_sub(std::time::Duration::from_millis(1));
    step(&mut node, start, Feed::Line { buf: &mut buf, len }, |_| {});
    node
}

/// [`fresh_node`] logging (in `write` mode) to a new log in `dir`, the previous one removed.
fn fresh_logging_node(script: &Script, dir: &std::path::Path) -> Driven {
    let _ = std::fs::remove_file(dir.join(format!("glomers-{}.log", script.me)));
    let mut node = Driven::with_storage(bench_config(), Box::new(LogFile::new(dir)));
    let mut buf = script.init.clone().into_bytes();
    let len = buf.len();
    let start = script.lines[0]
        .0
        .saturating_sub(std::time::Duration::from_millis(1));
    step(&mut node, start, Feed::Line { buf: &mut buf, len }, |_| {});
    node.commit().expect("the log takes the init");
    node
}

/// The runtime's read chunk: it commits the log once per chunk of input.
const CHUNK: usize = 64 * 1024;

fn bench_scenario(c: &mut Criterion, name: &str, mix: &Mix) {
    let script = script(mix);
    assert_eq!(script.me, mix.me);
    let count = script.lines.len() as u64;
    // The lines decoded once; each run clones the messages (untimed).
    let mut buffers: Vec<Vec<u8>> = script
        .lines
        .iter()
        .map(|(_, l)| l.clone().into_bytes())
        .collect();
    let messages: Vec<(Time, Message<'_, Values>)> = {
        let mut d = Decoder::new();
        script
            .lines
            .iter()
            .zip(buffers.iter_mut())
            .map(|((t, _), buf)| (*t, decode::<Values>(&mut d, buf).expect("valid line")))
            .collect()
    };
    // All lines back to back, as the runtime's read buffer holds them.
    let mut joined = Vec::new();
    let mut spans = Vec::new();
    for (t, l) in &script.lines {
        spans.push((*t, joined.len(), l.len()));
        joined.extend_from_slice(l.as_bytes());
        joined.push(b'\n');
    }
    joined.resize(joined.len() + INPUT_PADDING, b' ');

    let mut group = c.benchmark_group(format!("node/{name}"));
    group.throughput(Throughput::Elements(count));
    group.bench_function("handle+drain", |b| {
        b.iter_batched(
            || (fresh_node(&script), messages.clone()),
            |(mut node, messages)| {
                let mut sent = 0usize;
                for (t, m) in messages {
                    step_message(&mut node, t, m, |t| {
                        black_box(t);
                        sent += 1;
                    });
                }
                (node, sent)
            },
            BatchSize::LargeInput,
        );
    });
    let mut out = Vec::with_capacity(1 << 16);
    group.bench_function("handle+drain+encode", |b| {
        b.iter_batched(
            || (fresh_node(&script), messages.clone()),
            |(mut node, messages)| {
                for (t, m) in messages {
                    step_message(&mut node, t, m, |t| encode(t, &mut out));
                    black_box(out.len());
                    out.clear();
                }
                node
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("decode+handle+drain+encode", |b| {
        b.iter_batched(
            || (fresh_node(&script), joined.clone()),
            |(mut node, mut buf)| {
                for &(t, start, len) in &spans {
                    let feed = Feed::Line {
                        buf: &mut buf[start..],
                        len,
                    };
                    step(&mut node, t, feed, |t| encode(t, &mut out));
                    black_box(out.len());
                    out.clear();
                }
                node
            },
            BatchSize::LargeInput,
        );
    });
    let dir = std::env::temp_dir().join(format!("glomers-bench-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    group.bench_function("decode+handle+drain+encode+log", |b| {
        b.iter_batched(
            || (fresh_logging_node(&script, &dir), joined.clone()),
            |(mut node, mut buf)| {
                let mut chunk_start = 0;
                for &(t, start, len) in &spans {
                    // Timeouts due first, each committed before its output (as the runtime's
                    // timer branch does); then the line, committed with its chunk.
                    while let Some(d) = node.node().poll_timeout()
                        && d <= t
                    {
                        node.step_with(
                            d,
                            Feed::Timeout,
                            |t| encode(t, &mut out),
                            |n| drop(black_box(n)),
                        );
                        node.commit().expect("log");
                    }
                    if start + len - chunk_start > CHUNK {
                        node.commit().expect("log");
                        black_box(out.len());
                        out.clear();
                        chunk_start = start;
                    }
                    let feed = Feed::Line {
                        buf: &mut buf[start..],
                        len,
                    };
                    node.step_with(t, feed, |t| encode(t, &mut out), |n| drop(black_box(n)));
                }
                node.commit().expect("log");
                black_box(out.len());
                out.clear();
                node
            },
            BatchSize::LargeInput,
        );
    });
    let _ = std::fs::remove_dir_all(&dir);
    group.finish();
}

fn node(c: &mut Criterion) {
    bench_scenario(
        c,
        "root-3e",
        &Mix {
            me: "n0",
            root: true,
            gossip_values: 3,
            client_ops: 3,
        },
    );
    bench_scenario(
        c,
        "leaf-3e",
        &Mix {
            me: "n1",
            root: false,
            gossip_values: 72,
            client_ops: 3,
        },
    );
    bench_scenario(
        c,
        "leaf-clients",
        &Mix {
            me: "n1",
            root: false,
            gossip_values: 72,
            client_ops: 50,
        },
    );
}

criterion_group!(benches, node);
criterion_main!(benches);
