//! Cycle search over a dependency graph and the typing of each cycle found (`elle/txn.clj`
//! `cycle-anomaly-specs`, `cycle-cases-in-scc`, `cycle-explainer`).
//!
//! Per strongly connected component, cycles of four shapes are searched in Elle's order:
//! ww only (G0's shape), ww/wr starting with a wr edge (G1c's), one rw edge closed by ww/wr
//! edges (G-single's), and two or more rw edges (G2's). Each cycle found is then *typed from
//! its explanation* (the analysis's own explainer says, per step, whether it is ww, wr or rw):
//! one rw step ⇒ G-single; several ⇒ G-nonadjacent when no two are adjacent, else G2-item;
//! otherwise G1c if any step is wr, else G0.
//!
//! When the graph also has real-time or process edges (models such as strict-serializable),
//! the same four shapes are searched again closed through them, and a cycle with such a step
//! gets its type's `-realtime` (or `-process`) variant.
//!
//! Elle gives each component one second; here each component gets a fixed number of search
//! steps, so the outcome does not depend on the machine. Running out yields
//! `:cycle-search-timeout` (and, as Elle does, one fallback cycle of the component).

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, VecDeque};

use super::graph::DepGraph;
use super::kinds::{AnomalyType, Rel, Step};
use super::scc::sccs;

/// Search steps (edges examined) allowed per component.
pub const STEP_BUDGET: usize = 4_000_000;

const WW: u8 = 1;
const WR: u8 = 2;
const RW: u8 = 4;
/// Real-time or process order: a graph carries at most one of them.
const ORD: u8 = 8 | 16;

/// Why `a` precedes `b` by data (ww, wr or rw), as the analysis explains it; `None` if no data
/// dependency does.
pub type Explain<'a> = &'a dyn Fn(usize, usize) -> Option<Step>;

/// The type of an explained cycle.
pub fn cycle_type(steps: &[Step]) -> AnomalyType {
    let rw: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].rel == Rel::Rw)
        .collect();
    let n = steps.len();
    let base = match rw.len() {
        0 if steps.iter().any(|s| s.rel == Rel::Wr) => AnomalyType::G1c,
        0 => AnomalyType::G0,
        1 => AnomalyType::GSingle,
        _ if rw.iter().any(|&i| steps[(i + 1) % n].rel == Rel::Rw) => AnomalyType::G2Item,
        _ => AnomalyType::GNonadjacent,
    };
    if steps.iter().any(|s| s.rel == Rel::Realtime) {
        base.realtime()
    } else if steps.iter().any(|s| s.rel == Rel::Process) {
        base.process()
    } else {
        base
    }
}

/// The cycle anomalies of the graph, in component order, then shape order: each an explained
/// cycle, or (for [`AnomalyType::CycleSearchTimeout`]) no steps; `budget` search steps per
/// component.
pub fn search_within(
    g: &DepGraph,
    explain: Explain<'_>,
    budget: usize,
) -> Vec<(AnomalyType, Vec<Step>)> {
    let all = g.adjacency(WW | WR | RW | ORD);
    let ordered = g.edges.values().any(|m| m & ORD != 0);
    let mut found: Vec<(AnomalyType, Vec<Step>)> = Vec::new();
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut comp_of = vec![usize::MAX; g.size];
    for (ci, comp) in sccs(&all).into_iter().enumerate() {
        for &v in &comp {
            comp_of[v] = ci;
        }
        let mut s = Search {
            g,
            comp_of: &comp_of,
            comp: ci,
            budget,
        };
        let data: [(u8, u8, bool); 4] = [
            (WW, WW, false),
            (WR, WW | WR, false),
            (RW, WW | WR, false),
            (RW, WW | WR | RW, true),
        ];
        // The same shapes closed through real-time or process edges, when the graph has them.
        let ord: [(u8, u8, bool); 4] = [
            (ORD, WW | ORD, false),
            (ORD, WW | WR | ORD, false),
            (RW, WW | WR | ORD, false),
            (RW, WW | WR | RW | ORD, true),
        ];
        let shapes = data.iter().chain(if ordered { &ord[..] } else { &[] });
        let mut timed_out = false;
        for &(first, rest, extra_rw) in shapes {
            match s.cycle(&comp, first, rest, extra_rw) {
                Ok(Some(cycle)) => record(&cycle, g, explain, &mut seen, &mut found),
                Ok(None) => {}
                Err(()) => timed_out = true,
            }
        }
        if timed_out {
            found.push((AnomalyType::CycleSearchTimeout, Vec::new()));
            // Like Elle, still report one cycle of the component (found without a budget:
            // any two vertices of a component lie on a cycle), so no verdict depends on it.
            s.budget = usize::MAX;
            let any = WW | WR | RW | ORD;
            if let Ok(Some(cycle)) = s.cycle(&comp, any, any, false) {
                record(&cycle, g, explain, &mut seen, &mut found);
            }
        }
    }
    found
}

/// Explains, types and keeps `cycle` unless it was already found.
fn record(
    cycle: &[usize],
    g: &DepGraph,
    explain: Explain<'_>,
    seen: &mut BTreeSet<Vec<usize>>,
    found: &mut Vec<(AnomalyType, Vec<Step>)>,
) {
    let steps: Option<Vec<Step>> = (0..cycle.len())
        .map(|i| {
            let (a, b) = (cycle[i], cycle[(i + 1) % cycle.len()]);
            let order = |rel: Rel| Step {
                from: a,
                to: b,
                rel,
                key: 0,
                value: None,
                value2: None,
            };
            let m = g.mask(a, b);
            explain(a, b)
                .or_else(|| (m & Rel::Realtime.bit() != 0).then(|| order(Rel::Realtime)))
                .or_else(|| (m & Rel::Process.bit() != 0).then(|| order(Rel::Process)))
        })
        .collect();
    if let Some(steps) = steps
        && seen.insert(canonical(cycle))
    {
        found.push((cycle_type(&steps), steps));
    }
}

/// A cycle rotated to start at its smallest vertex, so one cycle found twice is seen once.
fn canonical(cycle: &[usize]) -> Vec<usize> {
    let start = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
    cycle[start..]
        .iter()
        .chain(&cycle[..start])
        .copied()
        .collect()
}

struct Search<'a> {
    g: &'a DepGraph,
    comp_of: &'a [usize],
    comp: usize,
    budget: usize,
}

impl Search<'_> {
    /// A cycle inside the component that starts with an edge carrying `first` and returns
    /// along edges carrying `rest` (using at least one more rw edge when `extra_rw`), as its
    /// vertex list; `Err` when the budget ran out.
    fn cycle(
        &mut self,
        comp: &[usize],
        first: u8,
        rest: u8,
        extra_rw: bool,
    ) -> Result<Option<Vec<usize>>, ()> {
        // When the first edge's relations are among the rest's, a cycle through a→b exists
        // exactly when a and b share a component of the `rest` subgraph: no search wasted.
        let sub = (first & !rest == 0).then(|| self.sub_components(comp, rest));
        for &a in comp {
            let outs: Vec<usize> = self
                .g
                .edges
                .range((a, 0)..(a + 1, 0))
                .filter(|&(&(_, b), &m)| m & first != 0 && self.comp_of[b] == self.comp)
                .filter(|&(&(_, b), _)| {
                    sub.as_ref()
                        .is_none_or(|s| s[&a] != usize::MAX && s[&a] == s[&b])
                })
                .map(|(&(_, b), _)| b)
                .collect();
            for b in outs {
                if let Some(path) = self.path(b, a, rest, extra_rw)? {
                    let mut cycle = vec![a];
                    cycle.extend(&path[..path.len() - 1]);
                    return Ok(Some(cycle));
                }
            }
        }
        Ok(None)
    }

    /// For each vertex of the component, the component of the subgraph of `mask` edges it
    /// belongs to (`usize::MAX` for none).
    fn sub_components(&self, comp: &[usize], mask: u8) -> HashMap<usize, usize> {
        let local: HashMap<usize, usize> = comp.iter().enumerate().map(|(i, &v)| (v, i)).collect();
        let adj: Vec<Vec<usize>> = comp
            .iter()
            .map(|&v| {
                self.g
                    .edges
                    .range((v, 0)..(v + 1, 0))
                    .filter(|&(_, &m)| m & mask != 0)
                    .filter_map(|(&(_, w), _)| local.get(&w).copied())
                    .collect()
            })
            .collect();
        let mut of: HashMap<usize, usize> = comp.iter().map(|&v| (v, usize::MAX)).collect();
        for (si, sub) in sccs(&adj).into_iter().enumerate() {
            for i in sub {
                of.insert(comp[i], si);
            }
        }
        of
    }

    /// The shortest path `from → … → to` inside the component along `mask` edges (through at
    /// least one rw edge when `need_rw`), both ends included.
    fn path(
        &mut self,
        from: usize,
        to: usize,
        mask: u8,
        need_rw: bool,
    ) -> Result<Option<Vec<usize>>, ()> {
        // States: (vertex, rw edge used yet); without `need_rw` the flag starts set.
        let start = (from, !need_rw);
        let mut parent: HashMap<(usize, bool), (usize, bool)> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        parent.insert(start, start);
        while let Some((v, used)) = queue.pop_front() {
            if v == to && used {
                let mut path = vec![v];
                let mut cur = (v, used);
                while cur != start {
                    cur = parent[&cur];
                    path.push(cur.0);
                }
                path.reverse();
                return Ok(Some(path));
            }
            for (&(_, w), &m) in self.g.edges.range((v, 0)..(v + 1, 0)) {
                if self.budget == 0 {
                    return Err(());
                }
                self.budget -= 1;
                if m & mask == 0 || self.comp_of[w] != self.comp {
                    continue;
                }
                let next = (w, used || (need_rw && m & RW != 0));
                if let Entry::Vacant(e) = parent.entry(next) {
                    e.insert((v, used));
                    queue.push_back(next);
                }
            }
        }
        Ok(None)
    }
}
