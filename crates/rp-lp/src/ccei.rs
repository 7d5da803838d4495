//! Afriat's critical cost efficiency index, computed exactly (THEORY §2, §4).
//!
//! `CCEI = sup { e in [0, 1] : GARP_e holds }`, where GARP_e shrinks every budget to `e * e_k`:
//! `k R0_e j` iff `rho[k][j] <= e` and `k P0_e j` iff `rho[k][j] < e`.
//!
//! ## Why the answer is a ratio or 1, and which one (exact arithmetic, tolerance 0)
//!
//! Both relations only change when `e` crosses a ratio `rho[k][j]`. Between two consecutive
//! ratios `c < c'`, for every `e` in the open interval `(c, c')`, the weak and the strict relation
//! *coincide*: both are `G_c = { (k, j) : rho[k][j] <= c }`, since no ratio lies strictly between
//! `c` and `e`. So just above `c`, GARP_e fails iff `G_c` has a cycle at all (every step of it is
//! strict). `G_c` grows with `c`, hence "GARP fails just above `c`" is monotone in `c`, and
//!
//! `CCEI = min(1, smallest ratio c such that G_c has a cycle)`
//!
//! (equivalently: the minimum over cycles of the largest ratio on the cycle, capped at 1). At
//! `e = c` itself GARP_e may still hold (the largest step of the cycle is only weak there), so the
//! largest ratio at which GARP_e *holds* is one breakpoint too low, and a floating bisection on
//! `e` would only approach the answer. When no ratio below 1 closes a cycle, GARP_e holds for
//! every `e < 1` and `CCEI = 1`, even if GARP itself (`e = 1`) fails through ties: a cycle whose
//! steps cost exactly the budget, closed by a strict step, disappears for every `e < 1`.
//!
//! ## Algorithm
//!
//! Cycles at any `e <= 1` lie inside the strongly connected components of the weak graph at
//! `e = 1`, so the candidates are the ratios of steps inside those components that are strictly
//! below 1 (plus the answer 1). One Tarjan pass decides "does `G_c` have a cycle" in `O(K^2)`; a
//! binary search over the candidates needs `O(log K)` passes. Instead of sorting the up to `K^2`
//! candidates, each step selects the median of the remaining ones (`select_nth_unstable`), which
//! is the same search over the sorted candidates at linear total cost. The largest candidate is
//! tried first: consistent data need one pass.
//!
//! ## Tolerance
//!
//! `G_c` is read through [`BudgetMatrix::weakly_revealed_at`] (`rho <= c (1 + tol)`): ratios tied
//! with `c` count as equal to `c`, exactly as GARP_e classifies them. A candidate must be strictly
//! below 1 ([`BudgetMatrix::strictly_revealed`]): a ratio tied with 1 is 1, so ties at `e = 1` give
//! `CCEI = 1`. With tolerance `t`, GARP_e holds for every `e < CCEI / (1 + t)` and fails for every
//! `e > CCEI (1 + t) / (1 - t)`; with `t = 0` the answer is the exact supremum.

use serde::{Deserialize, Serialize};

use crate::budget::BudgetMatrix;
use crate::garp::{GarpCycle, garp_violation};
use crate::graph::{shortest_path, strong_components};
use crate::tolerance::Tolerance;

/// The exact CCEI and a cycle that proves it is not larger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ccei {
    /// `sup { e in [0, 1] : GARP_e holds }`: one of the ratios `rho[k][j]`, or exactly 1.
    pub value: f64,
    /// A cycle violating GARP_e for every `e > value` (beyond the tolerance): when `value < 1`,
    /// all its steps have ratio `<= value` up to tolerance; when `value == 1`, the GARP violation
    /// at `e = 1` if there is one (ties), else `None`.
    pub cycle: Option<GarpCycle>,
}

/// The exact CCEI of `b` (see the module documentation for the argument).
pub fn ccei(b: &BudgetMatrix, tol: Tolerance) -> Ccei {
    let (nodes, mut candidates) = candidates(b, tol);
    let has_cycle = |c: f64| cycle_below(b, &nodes, c, tol).is_some();
    let top = candidates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if candidates.is_empty() || !has_cycle(top) {
        return Ccei {
            value: 1.0,
            cycle: garp_violation(b, tol),
        };
    }
    let mut answer = top;
    let mut pool: &mut [f64] = &mut candidates;
    while !pool.is_empty() {
        let taken = std::mem::take(&mut pool);
        let mid = taken.len() / 2;
        let (below, c, above) = taken.select_nth_unstable_by(mid, f64::total_cmp);
        if *c < answer && has_cycle(*c) {
            answer = *c;
            pool = below;
        } else if *c >= answer {
            pool = below;
        } else {
            pool = above;
        }
    }
    tracing::debug!(k = b.len(), ccei = answer, "CCEI found");
    Ccei {
        value: answer,
        cycle: cycle_below(b, &nodes, answer, tol),
    }
}

/// The observations in nontrivial components of the weak graph at `e = 1`, and the ratios of the
/// steps inside those components that are strictly below 1 (self-steps included).
fn candidates(b: &BudgetMatrix, tol: Tolerance) -> (Vec<usize>, Vec<f64>) {
    let all: Vec<usize> = (0..b.len()).collect();
    let comps = strong_components(&all, |k, j| b.weakly_revealed(k, j, tol));
    let mut nodes = Vec::new();
    let mut ratios = Vec::new();
    for comp in &comps.members {
        for &k in comp {
            for &j in comp {
                if b.strictly_revealed(k, j, tol) {
                    ratios.push(b.ratio(k, j));
                }
            }
        }
        if comp.len() > 1 || b.strictly_revealed(comp[0], comp[0], tol) {
            nodes.extend_from_slice(comp);
        }
    }
    nodes.sort_unstable();
    (nodes, ratios)
}

/// A cycle of `G_c = { rho <= c }` (weak relation at efficiency `c`) among `nodes`, if any.
///
/// The closing step is the smallest ratio inside the first component with a cycle, so it is
/// strict for every efficiency above `c`.
fn cycle_below(b: &BudgetMatrix, nodes: &[usize], c: f64, tol: Tolerance) -> Option<GarpCycle> {
    let weak = |k: usize, j: usize| b.weakly_revealed_at(k, j, c, tol);
    let comps = strong_components(nodes, weak);
    let comp = comps
        .members
        .iter()
        .find(|m| m.len() > 1 || weak(m[0], m[0]))?;
    let mut closing = (f64::INFINITY, comp[0], comp[0]);
    for &j in comp {
        for &k in comp {
            if (j != k || comp.len() == 1) && weak(j, k) && b.ratio(j, k) < closing.0 {
                closing = (b.ratio(j, k), j, k);
            }
        }
    }
    let (_, j, k) = closing;
    let path = shortest_path(b.len(), comp, k, j, weak)
        .expect("invariant: j and k are in one strongly connected component of G_c");
    Some(GarpCycle { observations: path })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ObservationSet;

    #[test]
    fn two_observations_by_hand() {
        // beta_0 = (0.5, 0) at alpha_0 = (1, 1): e_0 = 0.5; beta_1 = (0, 0.4) at alpha_1 = (1, 2):
        // e_1 = 0.8. rho[0][1] = 0.4 / 0.5 = 0.8, rho[1][0] = 0.5 / 0.8 = 0.625. The only cycle
        // has largest ratio 0.8, so CCEI = 0.8.
        let d = ObservationSet::single_agent(
            vec![vec![1.0, 1.0], vec![1.0, 2.0]],
            vec![vec![0.5, 0.0], vec![0.0, 0.4]],
        )
        .unwrap();
        let b = BudgetMatrix::joint(&d);
        let c = ccei(&b, Tolerance::default());
        assert_eq!(c.value, 0.8);
        let cycle = c.cycle.unwrap();
        assert!(cycle.violates_at(&b, 0.8 * (1.0 + 1e-6), Tolerance::default()));
    }
}
