//! Operations as spans: each invocation paired with its process's next completion, as Jepsen
//! pairs them (a process runs one operation at a time).

use std::collections::BTreeMap;

use crate::history::{History, Op, OpType, Process};

/// One operation, from invocation to completion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span<'a> {
    /// The invocation.
    pub invoke: &'a Op,
    /// The completion, if the history has one.
    pub complete: Option<&'a Op>,
}

impl Span<'_> {
    /// Who ran it.
    pub fn process(&self) -> Process {
        self.invoke.process
    }

    /// How it ended (`None`: never completed).
    pub fn outcome(&self) -> Option<OpType> {
        self.complete.map(|c| c.kind)
    }

    /// Invocation time, ns since the run started.
    pub fn start_ns(&self) -> u64 {
        self.invoke.time_ns
    }

    /// Its latency in ns, if it completed.
    pub fn latency_ns(&self) -> Option<u64> {
        self.complete
            .map(|c| c.time_ns.saturating_sub(self.invoke.time_ns))
    }
}

/// Every operation of `history`, in invocation order. A completion with no open invocation of
/// its process is kept as a span of its own (invocation = completion).
pub fn pair(history: &History) -> Vec<Span<'_>> {
    let mut out: Vec<Span<'_>> = Vec::new();
    let mut open: BTreeMap<Process, usize> = BTreeMap::new();
    for op in history.ops() {
        if op.kind == OpType::Invoke {
            open.insert(op.process, out.len());
            out.push(Span {
                invoke: op,
                complete: None,
            });
        } else if let Some(i) = open.remove(&op.process) {
            out[i].complete = Some(op);
        } else {
            out.push(Span {
                invoke: op,
                complete: Some(op),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OpF, OpValue};

    #[test]
    fn completions_pair_with_their_process_invocation() {
        let mut h = History::new();
        let (p0, p1) = (Process::Client(0), Process::Client(1));
        h.invoke(10, p0, OpF::BROADCAST, OpValue::Int(1));
        h.invoke(20, p1, OpF::READ, OpValue::None);
        h.complete(35, p1, OpType::Ok, OpF::READ, OpValue::None, None);
        h.complete(50, p0, OpType::Info, OpF::BROADCAST, OpValue::Int(1), None);
        h.invoke(60, p1, OpF::READ, OpValue::None);
        h.complete(
            70,
            Process::Nemesis,
            OpType::Info,
            OpF::STOP_PARTITION,
            OpValue::None,
            None,
        );
        let spans = pair(&h);
        assert_eq!(spans.len(), 4);
        assert_eq!(
            (spans[0].process(), spans[0].outcome()),
            (p0, Some(OpType::Info))
        );
        assert_eq!(spans[0].latency_ns(), Some(40));
        assert_eq!(spans[1].latency_ns(), Some(15));
        assert_eq!(spans[2].outcome(), None, "still open at the end");
        assert_eq!(spans[3].latency_ns(), Some(0), "a lone completion");
    }
}
