//! Strongly connected components (Tarjan's algorithm, iterative so deep graphs cannot
//! overflow the stack).

/// The strongly connected components of the graph `adj` (vertex `v`'s successors are
/// `adj[v]`) with at least two vertices, each sorted ascending, ordered by their smallest
/// vertex. Self-loops alone never form a component, as in Elle.
pub fn sccs(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0usize;
    let mut out: Vec<Vec<usize>> = Vec::new();
    // Call stack of (vertex, position in its successor list).
    let mut calls: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        calls.push((root, 0));
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            if let Some(&w) = adj[v].get(*pos) {
                *pos += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                if comp.len() >= 2 {
                    comp.sort_unstable();
                    out.push(comp);
                }
            }
        }
    }
    out.sort_by_key(|c| c[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_ignores_chains_and_self_loops() {
        // 0→1→2→0 is a cycle; 3→4 a chain; 5 has a self-loop; 6↔7 a pair.
        let adj = vec![
            vec![1],
            vec![2],
            vec![0, 3],
            vec![4],
            vec![],
            vec![5],
            vec![7],
            vec![6],
        ];
        assert_eq!(sccs(&adj), vec![vec![0, 1, 2], vec![6, 7]]);
    }

    #[test]
    fn a_long_chain_closing_on_itself_is_one_component() {
        let n = 100_000;
        let adj: Vec<Vec<usize>> = (0..n).map(|v| vec![(v + 1) % n]).collect();
        let c = sccs(&adj);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), n);
    }
}
