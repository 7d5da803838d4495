//! Graph algorithms on implicit revealed-preference graphs (crate-internal).
//!
//! The graphs of THEORY §2 are dense: node `k` has an edge to every `j` with `k R0 j`, which can be
//! `K^2` edges for `K = 10^4`. Nothing here stores an adjacency list: every algorithm takes the
//! node set and an edge predicate and scans rows, so memory stays `O(K)` and time `O(K^2)`.
//! Nothing recurses, so deep graphs cannot overflow the stack.
//!
//! What it is not: it knows nothing of ratios or tolerances; callers pass the relation.

use std::collections::VecDeque;

/// Marks a node Tarjan's algorithm has not reached yet.
const UNVISITED: usize = usize::MAX;

/// Strongly connected components of the graph on `nodes` (global ids) with edge predicate
/// `edge(from, to)` on global ids.
pub(crate) struct Components {
    /// Component of `nodes[i]` (an index into `members`).
    pub(crate) of: Vec<usize>,
    /// The members (global ids) of each component, components in the order Tarjan's algorithm
    /// closes them: reverse topological, so every component comes after all it reaches.
    pub(crate) members: Vec<Vec<usize>>,
}

impl Components {
    /// Number of components.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }
}

/// One frame of the explicit depth-first stack: the node (local index) and the next successor
/// (local index) to examine.
struct Frame {
    v: usize,
    next: usize,
}

/// Tarjan's algorithm with an explicit stack (`O(n^2)` edge tests for `n = nodes.len()`).
///
/// Self-loops never change components, so `edge(v, v)` is not asked.
pub(crate) fn strong_components(
    nodes: &[usize],
    edge: impl Fn(usize, usize) -> bool,
) -> Components {
    let n = nodes.len();
    let mut t = Tarjan::new(n);
    let mut calls: Vec<Frame> = Vec::new();
    let mut of = vec![UNVISITED; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    for root in 0..n {
        if t.index[root] != UNVISITED {
            continue;
        }
        t.enter(root);
        calls.push(Frame { v: root, next: 0 });
        while let Some(frame) = calls.last_mut() {
            let v = frame.v;
            let mut descend = None;
            while frame.next < n {
                let w = frame.next;
                frame.next += 1;
                if w == v || !edge(nodes[v], nodes[w]) {
                    continue;
                }
                if t.index[w] == UNVISITED {
                    descend = Some(w);
                    break;
                }
                if t.on_stack[w] {
                    t.low[v] = t.low[v].min(t.index[w]);
                }
            }
            if let Some(w) = descend {
                t.enter(w);
                calls.push(Frame { v: w, next: 0 });
                continue;
            }
            calls.pop();
            if let Some(parent) = calls.last() {
                t.low[parent.v] = t.low[parent.v].min(t.low[v]);
            }
            if t.low[v] == t.index[v] {
                let id = members.len();
                let locals = t.close(v);
                for &w in &locals {
                    of[w] = id;
                }
                let mut comp: Vec<usize> = locals.iter().map(|&w| nodes[w]).collect();
                comp.sort_unstable();
                members.push(comp);
            }
        }
    }
    Components { of, members }
}

/// Tarjan's per-node state (local indices).
struct Tarjan {
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    counter: usize,
}

impl Tarjan {
    fn new(n: usize) -> Self {
        Self {
            index: vec![UNVISITED; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            stack: Vec::new(),
            counter: 0,
        }
    }

    /// First visit of `v`: number it and push it on the component stack.
    fn enter(&mut self, v: usize) {
        self.index[v] = self.counter;
        self.low[v] = self.counter;
        self.counter += 1;
        self.on_stack[v] = true;
        self.stack.push(v);
    }

    /// `v` is a component root: pop and return its component (local indices).
    fn close(&mut self, v: usize) -> Vec<usize> {
        let mut comp = Vec::new();
        loop {
            let w = self
                .stack
                .pop()
                .expect("Tarjan invariant: a root is on the stack");
            self.on_stack[w] = false;
            comp.push(w);
            if w == v {
                return comp;
            }
        }
    }
}

/// A shortest path (fewest edges) `from -> ... -> to` through `nodes` (global ids, containing
/// both ends), by breadth-first search; `[from]` when `from == to`. `n` bounds the global ids.
pub(crate) fn shortest_path(
    n: usize,
    nodes: &[usize],
    from: usize,
    to: usize,
    edge: impl Fn(usize, usize) -> bool,
) -> Option<Vec<usize>> {
    let mut parent = vec![UNVISITED; n];
    parent[from] = from;
    let mut queue = VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        if v == to {
            let mut path = vec![to];
            let mut w = to;
            while w != from {
                w = parent[w];
                path.push(w);
            }
            path.reverse();
            return Some(path);
        }
        for &w in nodes {
            if parent[w] == UNVISITED && edge(v, w) {
                parent[w] = v;
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_two_cycles_and_a_tail() {
        // 0 -> 1 -> 0, 1 -> 2, 2 -> 3 -> 4 -> 2: components {0,1}, {2,3,4}; {2,3,4} is a sink,
        // so it closes first.
        let edges = [(0, 1), (1, 0), (1, 2), (2, 3), (3, 4), (4, 2)];
        let edge = |a, b| edges.contains(&(a, b));
        let nodes: Vec<usize> = (0..5).collect();
        let c = strong_components(&nodes, edge);
        assert_eq!(c.len(), 2);
        assert_eq!(c.members[0], vec![2, 3, 4]);
        assert_eq!(c.members[1], vec![0, 1]);
        assert_eq!(c.of, vec![1, 1, 0, 0, 0]);
        assert_eq!(shortest_path(5, &nodes, 2, 4, edge), Some(vec![2, 3, 4]));
        assert_eq!(shortest_path(5, &nodes, 2, 0, edge), None);
        assert_eq!(shortest_path(5, &nodes, 3, 3, edge), Some(vec![3]));
    }

    #[test]
    fn deep_chain_needs_no_recursion() {
        // A single cycle through 10000 nodes: a recursive Tarjan would overflow the stack.
        let n = 10_000;
        let nodes: Vec<usize> = (0..n).collect();
        let c = strong_components(&nodes, |a, b| b == (a + 1) % n);
        assert_eq!(c.len(), 1);
        assert_eq!(c.members[0].len(), n);
    }
}
