//! Synthetic list-append histories for benchmarks and tests: `n` transactions from the
//! workload's own generator, run by `concurrency` clients against one atomic in-memory store
//! (each transaction takes effect at one instant between its invocation and its completion),
//! so the history is strict serializable. About 1% of transactions fail (and never take
//! effect) and 1% time out (`:info`, taking effect or not), as a real run's would.

use std::collections::HashMap;

use super::history::{Elem, Key, Mop, Outcome, Txn};
use super::workload::appends;
use crate::workloads::txn_rw_register::generator::{TxnGenerator, TxnOptions};
use crate::world::rng::{Stream, stream};

/// A client's transaction in flight.
struct InFlight {
    invoke_index: usize,
    invoked: Vec<Mop>,
    /// The completed micro-operations, once it took effect (or `None` for "never will").
    done: Option<Option<Vec<Mop>>>,
}

/// A strict-serializable history of `n` completed transactions (plus those still in flight,
/// completed `:info` at the end) by `concurrency` clients,
/// from `seed`.
pub fn strict_serializable(n: usize, concurrency: usize, seed: u64) -> Vec<Txn> {
    let mut rng = stream(seed, Stream::Workload);
    let mut generator = TxnGenerator::new(TxnOptions::default());
    let mut lists: HashMap<Key, Vec<Elem>> = HashMap::new();
    let mut clients: Vec<Option<InFlight>> = (0..concurrency.max(1)).map(|_| None).collect();
    let mut out: Vec<Txn> = Vec::with_capacity(n);
    let mut index = 0usize;
    while out.len() < n {
        let p = rng.below(clients.len() as u64) as usize;
        match clients[p].take() {
            None => {
                clients[p] = Some(InFlight {
                    invoke_index: index,
                    invoked: appends(&generator.next_txn(&mut rng)),
                    done: None,
                });
                index += 1;
            }
            Some(mut t) if t.done.is_none() => {
                let fails = rng.chance(0.01);
                t.done = Some((!fails).then(|| {
                    t.invoked
                        .iter()
                        .map(|m| match *m {
                            Mop::Read(k, _) => Mop::Read(k, lists.get(&k).cloned()),
                            Mop::Append(k, e) => {
                                lists.entry(k).or_default().push(e);
                                Mop::Append(k, e)
                            }
                        })
                        .collect()
                }));
                clients[p] = Some(t);
            }
            Some(t) => {
                let (outcome, mops) = match t.done {
                    Some(Some(done)) if rng.chance(0.01) => (Outcome::Info, done),
                    Some(Some(done)) => (Outcome::Ok, done),
                    _ => (Outcome::Fail, t.invoked.clone()),
                };
                // An :info completion carries the request, as Jepsen's history does.
                let mops = if outcome == Outcome::Info {
                    t.invoked.clone()
                } else {
                    mops
                };
                out.push(Txn {
                    index,
                    process: p as u64,
                    outcome,
                    mops,
                    invoked: t.invoked,
                    invoke_index: t.invoke_index,
                    invoke_ns: t.invoke_index as u64 * 1_000,
                    complete_ns: index as u64 * 1_000,
                });
                index += 1;
            }
        }
    }
    // Jepsen completes what is still in flight with :info before checking.
    for (p, t) in clients.into_iter().enumerate() {
        if let Some(t) = t {
            out.push(Txn {
                index,
                process: p as u64,
                outcome: Outcome::Info,
                mops: t.invoked.clone(),
                invoked: t.invoked,
                invoke_index: t.invoke_index,
                invoke_ns: t.invoke_index as u64 * 1_000,
                complete_ns: index as u64 * 1_000,
            });
            index += 1;
        }
    }
    out
}
