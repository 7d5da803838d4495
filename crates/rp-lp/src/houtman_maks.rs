//! The Houtman–Maks index: the largest subset of observations that satisfies GARP (THEORY §2).
//!
//! Finding it is NP-hard (a minimum feedback vertex set of the violating cycles), so we offer it
//! only as an exact solver for `K <= 40` and refuse above with [`IndexError::TooLarge`] rather
//! than silently returning a heuristic.
//!
//! Branch and bound on violating cycles: every GARP violation of the kept set is a cycle of which
//! at least one observation must go. We pick the violating cycle with the fewest observations
//! still free to remove, and branch "remove its `i`-th free observation, keep the earlier ones"
//! (so no subset is explored twice). The lower bound is the number of violating cycles that share
//! no free observation (found greedily): each needs its own removal. Violating cycles are found as
//! in GARP: a strict step `j P0 k` inside a strongly connected component of `R0`, closed by an
//! `R0` path `k -> j`, here the path through the fewest free observations (0-1 breadth-first
//! search).
//!
//! What it is not: the Varian index (also NP-hard; not offered).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::budget::BudgetMatrix;
use crate::graph::strong_components;
use crate::tolerance::Tolerance;

/// Largest `K` for which the exact indices of this module run.
pub const HOUTMAN_MAKS_MAX_K: usize = 40;

/// Why an index was not computed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum IndexError {
    /// The exact solver is exponential; it refuses data this large.
    #[error("the exact index is NP-hard and offered only for K <= {max} observations, got K = {k}")]
    TooLarge {
        /// Observations given.
        k: usize,
        /// Largest accepted.
        max: usize,
    },
}

/// The Houtman–Maks index: a largest GARP-consistent subset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoutmanMaks {
    /// Observations kept (ascending): they satisfy GARP.
    pub kept: Vec<usize>,
    /// Observations removed (ascending): as few as possible.
    pub removed: Vec<usize>,
    /// `kept.len() / K`, the index proper (1 when GARP holds).
    pub fraction_kept: f64,
}

/// The largest subset of observations satisfying GARP (exact; ties between equally large
/// subsets are broken deterministically). Refuses `K > 40`.
pub fn houtman_maks(b: &BudgetMatrix, tol: Tolerance) -> Result<HoutmanMaks, IndexError> {
    let k = b.len();
    if k > HOUTMAN_MAKS_MAX_K {
        return Err(IndexError::TooLarge {
            k,
            max: HOUTMAN_MAKS_MAX_K,
        });
    }
    let mut search = Search {
        b,
        tol,
        removed: vec![false; k],
        fixed: vec![false; k],
        best: (0..k).collect(),
        nodes: 0,
    };
    search.run(0);
    let removed = search.best;
    let kept: Vec<usize> = (0..k).filter(|i| !removed.contains(i)).collect();
    tracing::debug!(
        k,
        removed = removed.len(),
        nodes = search.nodes,
        "Houtman-Maks solved"
    );
    Ok(HoutmanMaks {
        fraction_kept: if k == 0 {
            1.0
        } else {
            kept.len() as f64 / k as f64
        },
        kept,
        removed,
    })
}

/// Branch-and-bound state.
struct Search<'a> {
    b: &'a BudgetMatrix,
    tol: Tolerance,
    /// Observations removed on the current branch.
    removed: Vec<bool>,
    /// Observations the current branch has decided to keep.
    fixed: Vec<bool>,
    /// Best removal set found so far (all observations until something better).
    best: Vec<usize>,
    /// Search nodes visited (for the log).
    nodes: usize,
}

impl Search<'_> {
    fn run(&mut self, count: usize) {
        self.nodes += 1;
        let Some((bound, cycle)) = self.packing_bound() else {
            return; // a violating cycle of kept observations only: this branch is infeasible
        };
        let Some(cycle) = cycle else {
            self.best = (0..self.removed.len())
                .filter(|&i| self.removed[i])
                .collect();
            return;
        };
        if count + bound >= self.best.len() {
            return;
        }
        let free: Vec<usize> = cycle.into_iter().filter(|&i| !self.fixed[i]).collect();
        for &i in &free {
            self.removed[i] = true;
            self.run(count + 1);
            self.removed[i] = false;
            self.fixed[i] = true;
        }
        for &i in &free {
            self.fixed[i] = false;
        }
    }

    /// Greedy packing of violating cycles that share no free observation: the number packed
    /// (a lower bound on further removals) and the first cycle (the one to branch on; `None` when
    /// GARP holds). `None` overall when a violating cycle has no free observation.
    fn packing_bound(&self) -> Option<(usize, Option<Vec<usize>>)> {
        let mut used = self.removed.clone();
        let mut first = None;
        let mut bound = 0;
        while let Some(cycle) = self.fewest_free_cycle(&used) {
            let free: Vec<usize> = cycle.iter().copied().filter(|&i| !self.fixed[i]).collect();
            if free.is_empty() {
                return None;
            }
            free.iter().for_each(|&i| used[i] = true);
            bound += 1;
            first.get_or_insert(cycle);
        }
        Some((bound, first))
    }

    /// A violating cycle among observations not `excluded`, through as few free observations as
    /// possible.
    fn fewest_free_cycle(&self, excluded: &[bool]) -> Option<Vec<usize>> {
        let (b, tol) = (self.b, self.tol);
        let active: Vec<usize> = (0..b.len()).filter(|&i| !excluded[i]).collect();
        let comps = strong_components(&active, |k, j| b.weakly_revealed(k, j, tol));
        let mut best: Option<(usize, Vec<usize>)> = None;
        for comp in &comps.members {
            for &k in comp {
                if !comp.iter().any(|&j| b.strictly_revealed(j, k, tol)) {
                    continue;
                }
                let (cost, parent) = self.zero_one_bfs(comp, k);
                for &j in comp {
                    if !b.strictly_revealed(j, k, tol) {
                        continue;
                    }
                    let total = cost[j] + usize::from(!self.fixed[k]);
                    if best.as_ref().is_none_or(|(c, _)| total < *c) {
                        best = Some((total, path_to(&parent, k, j)));
                    }
                }
            }
        }
        best.map(|(_, cycle)| cycle)
    }

    /// Paths from `from` inside `comp` along `R0`, costing 1 per free observation entered.
    fn zero_one_bfs(&self, comp: &[usize], from: usize) -> (Vec<usize>, Vec<usize>) {
        let n = self.b.len();
        let mut cost = vec![usize::MAX; n];
        let mut parent = vec![usize::MAX; n];
        cost[from] = 0;
        parent[from] = from;
        let mut queue = VecDeque::from([from]);
        while let Some(v) = queue.pop_front() {
            for &w in comp {
                if w == v || !self.b.weakly_revealed(v, w, self.tol) {
                    continue;
                }
                let step = usize::from(!self.fixed[w]);
                if cost[v] + step < cost[w] {
                    cost[w] = cost[v] + step;
                    parent[w] = v;
                    if step == 0 {
                        queue.push_front(w);
                    } else {
                        queue.push_back(w);
                    }
                }
            }
        }
        (cost, parent)
    }
}

/// The path `from -> ... -> to` recorded in `parent` (with `parent[from] == from`).
fn path_to(parent: &[usize], from: usize, to: usize) -> Vec<usize> {
    let mut path = vec![to];
    let mut v = to;
    while v != from {
        v = parent[v];
        path.push(v);
    }
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ObservationSet;

    #[test]
    fn removes_the_one_observation_in_two_cycles() {
        // beta_k = unit vector k, so alpha_k . beta_j = alpha_k[j] and e_k = alpha_k[k] = 1.
        // alpha_0 = (1, 2, 0.5): 0 P0 2 (0.5 < 1), not 0 R0 1 (2 > 1).
        // alpha_1 = (2, 1, 0.5): 1 P0 2, not 1 R0 0.
        // alpha_2 = (0.5, 0.5, 1): 2 P0 0 and 2 P0 1.
        // Violating cycles {0, 2} and {1, 2}; 0 and 1 are unrelated, so removing 2 alone is the
        // unique best and 2 of 3 observations are kept.
        let d = ObservationSet::single_agent(
            vec![
                vec![1.0, 2.0, 0.5],
                vec![2.0, 1.0, 0.5],
                vec![0.5, 0.5, 1.0],
            ],
            vec![
                vec![1.0, 0.0, 0.0],
                vec![0.0, 1.0, 0.0],
                vec![0.0, 0.0, 1.0],
            ],
        )
        .unwrap();
        let b = BudgetMatrix::joint(&d);
        let hm = houtman_maks(&b, Tolerance::default()).unwrap();
        assert_eq!(hm.removed, vec![2]);
        assert_eq!(hm.kept, vec![0, 1]);
        assert_eq!(hm.fraction_kept, 2.0 / 3.0);
    }

    #[test]
    fn refuses_large_k() {
        let k = HOUTMAN_MAKS_MAX_K + 1;
        let b = BudgetMatrix::from_ratios(k, vec![1.0; k * k], vec![1.0; k]).unwrap();
        assert_eq!(
            houtman_maks(&b, Tolerance::default()),
            Err(IndexError::TooLarge { k, max: 40 })
        );
    }
}
