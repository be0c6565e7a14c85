//! Writes a file of Maelstrom input lines for one node, for the end-to-end throughput bench
//! (`benches/e2e_throughput.sh`): `init` first, then a mix of client requests and gossip
//! from the other nodes of a 25-node cluster, as Maelstrom would deliver them.
//!
//! ```text
//! cargo run --release --example maelstrom_lines -- --lines 2000000 --mix root > lines.jsonl
//! ```
//!
//! Mixes (each line's share):
//! - `root`: what the root `n0` of the default star sees in a 3e run: 80 % gossip from the 24
//!   leaves (3 values and one ack each), 10 % client `broadcast`, 10 % client `read`.
//! - `clients`: a leaf `n1` under client load: 49.5 % `broadcast`, 49.5 % `read`, 1 % gossip
//!   from the root (72 values and one ack).
//! - `echo`: `echo` and `generate` alternating, for the cost of a line with a small reply.
//!
//! Values are distinct integers until `--distinct` of them have been sent, then repeat in the
//! same order, so the node's store (and every `read_ok`) stays at most that large: a 3e run
//! sees about 1,000 values. Acks name plausible sequence numbers; ones the node never sent are
//! ignored by it.
//!
//! Each sender's gossip sequence numbers cycle through 0–7 (`--seq-window`), as if it resent
//! its last eight batches. In a real run a neighbour sends one batch per 1.5 s round, so the node owes it an
//! ack or two when it next flushes; at hundreds of thousands of lines per second, distinct
//! numbers would pile up tens of thousands of owed acks per neighbour between two flushes
//! (a load no Maelstrom run produces, and one the node's owed-ack list is not built for:
//! `--seq-window 0` never repeats a number, to show it).

#[path = "../benches/support/lines.rs"]
mod lines;

use std::io::{BufWriter, Write};

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mix {
    Root,
    Clients,
    Echo,
}

/// Writes Maelstrom input lines for one node to stdout.
#[derive(Parser, Debug)]
struct Args {
    /// Lines to write after `init`.
    #[arg(long, default_value_t = 2_000_000)]
    lines: u64,
    /// Which traffic.
    #[arg(long, value_enum, default_value_t = Mix::Root)]
    mix: Mix,
    /// How many distinct values before they repeat.
    #[arg(long, default_value_t = 1_000)]
    distinct: i64,
    /// How many sequence numbers each gossip sender cycles through (0: never repeat one).
    #[arg(long, default_value_t = 8)]
    seq_window: u64,
}

struct Values {
    next: i64,
    distinct: i64,
}

impl Values {
    fn take(&mut self, n: usize) -> Vec<i64> {
        (0..n)
            .map(|_| {
                let v = self.next % self.distinct;
                self.next += 1;
                v
            })
            .collect()
    }
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let me = match args.mix {
        Mix::Root => "n0",
        Mix::Clients | Mix::Echo => "n1",
    };
    #[allow(
        clippy::disallowed_methods,
        reason = "a tool writing a file of input lines, not the node core"
    )]
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    writeln!(out, "{}", lines::init(0, me, 25))?;
    let mut values = Values {
        next: 0,
        distinct: args.distinct.max(1),
    };
    let window = if args.seq_window == 0 {
        u64::MAX
    } else {
        args.seq_window
    };
    let mut seq = [0u64; 25];
    for i in 0..args.lines {
        let id = i + 1;
        let msg_id = i + 2;
        let client = format!("c{}", 2 + i % 20);
        let line = match args.mix {
            Mix::Root => match i % 10 {
                0 => lines::broadcast(id, &client, me, msg_id, values.take(1)[0]),
                1 => lines::read(id, &client, me, msg_id),
                k => {
                    let from = 1 + (i / 10 * 8 + k - 2) as usize % 24;
                    let s = seq[from] % window;
                    seq[from] += 1;
                    let ack = [s.checked_sub(1).unwrap_or(window - 1)];
                    let name = format!("n{from}");
                    lines::gossip(id, &name, me, Some(s), &values.take(3), &ack)
                }
            },
            Mix::Clients => match i % 200 {
                0 | 100 => {
                    let s = seq[0] % window;
                    seq[0] += 1;
                    let ack = [s.checked_sub(1).unwrap_or(window - 1)];
                    lines::gossip(id, "n0", me, Some(s), &values.take(72), &ack)
                }
                k if k % 2 == 0 => lines::broadcast(id, &client, me, msg_id, values.take(1)[0]),
                _ => lines::read(id, &client, me, msg_id),
            },
            Mix::Echo => match i % 2 {
                0 => lines::echo(id, &client, me, msg_id),
                _ => lines::generate(id, &client, me, msg_id),
            },
        };
        writeln!(out, "{line}")?;
    }
    out.flush()
}
