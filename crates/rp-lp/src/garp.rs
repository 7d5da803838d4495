//! GARP and GARP_e for one decision maker (THEORY §2), with a violating cycle as certificate.
//!
//! GARP says: `k R j` implies not `j P0 k`. Since `j P0 k` implies `j R0 k`, a violation is a
//! strict edge `j P0 k` whose ends lie in one strongly connected component of the `R0` graph (then
//! `k R j` and `j R k`). So the test is one pass of Tarjan's algorithm over the implicit `R0`
//! graph and one scan of the strict edges, `O(K^2)` time and `O(K)` memory; the transitive closure
//! (`O(K^3)`) is never formed. The cycle is a breadth-first (shortest) `R0` path `k -> ... -> j`
//! inside the component, closed by the strict step `j P0 k`.
//!
//! Relations come only from [`BudgetMatrix::weakly_revealed`] / [`BudgetMatrix::strictly_revealed`]
//! and their `_at` variants, so ties are classified exactly as everywhere else.
//!
//! What it is not: it does not measure *how much* GARP fails (see `ccei`, `money_pump`,
//! `houtman_maks`).

use serde::{Deserialize, Serialize};

use crate::budget::BudgetMatrix;
use crate::graph::{shortest_path, strong_components};
use crate::tolerance::Tolerance;

/// A GARP violation: `k_0 R0 k_1 R0 ... R0 k_{m-1}` and the closing step `k_{m-1} P0 k_0` is
/// strict (`m >= 1` observations; `m = 1` only for a budget set that strictly contains its own
/// choice, which validated observation sets never produce).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarpCycle {
    /// The observations `k_0, ..., k_{m-1}` in cycle order.
    pub observations: Vec<usize>,
}

impl GarpCycle {
    /// Number of observations on the cycle.
    pub fn len(&self) -> usize {
        self.observations.len()
    }

    /// True for an empty cycle (never produced by this crate).
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }

    /// The steps `(k_i, k_{i+1})` in order; the last one is the strict closing step.
    pub fn steps(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let m = self.observations.len();
        (0..m).map(move |i| (self.observations[i], self.observations[(i + 1) % m]))
    }

    /// Whether this cycle violates GARP_e on `b`: every step weak and the closing step strict at
    /// `efficiency`, with ids in range. A check for certificates from elsewhere.
    pub fn violates_at(&self, b: &BudgetMatrix, efficiency: f64, tol: Tolerance) -> bool {
        let in_range = self.observations.iter().all(|&k| k < b.len());
        let m = self.observations.len();
        in_range
            && m >= 1
            && self
                .steps()
                .all(|(k, j)| b.weakly_revealed_at(k, j, efficiency, tol))
            && self
                .steps()
                .last()
                .is_some_and(|(k, j)| b.strictly_revealed_at(k, j, efficiency, tol))
    }
}

/// A GARP violation of `b`, or `None` when GARP holds.
pub fn garp_violation(b: &BudgetMatrix, tol: Tolerance) -> Option<GarpCycle> {
    find_violation(
        b,
        |k, j| b.weakly_revealed(k, j, tol),
        |k, j| b.strictly_revealed(k, j, tol),
    )
}

/// A violation of GARP_e (budgets `e * e_k`), or `None` when GARP_e holds.
///
/// `efficiency` is meant to lie in `[0, 1]`. Above 1 every observation is strictly cheaper than
/// its own inflated budget, so the answer is a one-observation cycle; a NaN efficiency relates
/// nothing, so GARP_e holds vacuously.
pub fn garp_violation_at(b: &BudgetMatrix, efficiency: f64, tol: Tolerance) -> Option<GarpCycle> {
    find_violation(
        b,
        |k, j| b.weakly_revealed_at(k, j, efficiency, tol),
        |k, j| b.strictly_revealed_at(k, j, efficiency, tol),
    )
}

/// The violation test for given weak and strict relations (`strict` must imply `weak`).
///
/// Among the strict edges inside a component it closes the cycle with the smallest ratio (the
/// most clearly strict step), ties broken by the lowest `(j, k)`, so the certificate is
/// deterministic.
fn find_violation(
    b: &BudgetMatrix,
    weak: impl Fn(usize, usize) -> bool,
    strict: impl Fn(usize, usize) -> bool,
) -> Option<GarpCycle> {
    let n = b.len();
    let nodes: Vec<usize> = (0..n).collect();
    let comps = strong_components(&nodes, &weak);
    let mut closing: Option<(f64, usize, usize)> = None;
    for j in 0..n {
        for k in 0..n {
            if comps.of[j] == comps.of[k] && strict(j, k) {
                let r = b.ratio(j, k);
                if closing.is_none_or(|(best, _, _)| r < best) {
                    closing = Some((r, j, k));
                }
            }
        }
    }
    let (_, j, k) = closing?;
    let path = shortest_path(n, &comps.members[comps.of[k]], k, j, &weak)
        .expect("invariant: j and k are in one strongly connected component of the weak graph");
    Some(GarpCycle { observations: path })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ObservationSet;

    fn matrix(probes: Vec<Vec<f64>>, strategies: Vec<Vec<f64>>) -> BudgetMatrix {
        BudgetMatrix::joint(&ObservationSet::single_agent(probes, strategies).unwrap())
    }

    #[test]
    fn two_observation_violation() {
        // alpha_0 = (1, 1), beta_0 = (1, 0): e_0 = 1; alpha_1 = (1, 2), beta_1 = (0, 0.4):
        // e_1 = 0.8. alpha_0 . beta_1 = 0.4 < 1 (0 P0 1); alpha_1 . beta_0 = 1 > 0.8, so no
        // cycle: GARP holds. Make beta_0 = (0.5, 0): e_0 = 0.5, alpha_0 . beta_1 = 0.4 < 0.5
        // (0 P0 1) and alpha_1 . beta_0 = 0.5 < 0.8 (1 P0 0): a violation.
        let ok = matrix(
            vec![vec![1.0, 1.0], vec![1.0, 2.0]],
            vec![vec![1.0, 0.0], vec![0.0, 0.4]],
        );
        assert_eq!(garp_violation(&ok, Tolerance::default()), None);
        let bad = matrix(
            vec![vec![1.0, 1.0], vec![1.0, 2.0]],
            vec![vec![0.5, 0.0], vec![0.0, 0.4]],
        );
        let c = garp_violation(&bad, Tolerance::default()).unwrap();
        assert_eq!(c.len(), 2);
        assert!(c.violates_at(&bad, 1.0, Tolerance::default()));
        // rho[0][1] = 0.4 / 0.5 = 0.8, rho[1][0] = 0.5 / 0.8 = 0.625: at e = 0.7 only 1 R0 0.
        assert_eq!(garp_violation_at(&bad, 0.7, Tolerance::default()), None);
        assert!(garp_violation_at(&bad, 0.81, Tolerance::default()).is_some());
    }
}
