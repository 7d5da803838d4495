//! Afriat numbers built combinatorially, without a linear program (THEORY §2).
//!
//! When GARP holds we construct `u_k` and `lambda_k > 0` with
//! `u_j <= u_k + lambda_k E[k][j]` for all `j, k`, and the concave, strictly increasing utility
//! `U(x) = min_k { u_k + lambda_k alpha_k . (x - beta_k) }` that rationalizes the data.
//!
//! Construction (a top-down variant of Varian's 1982 algorithm). Take the strongly connected
//! components of the `R0` graph in topological order, most preferred first. Under GARP a
//! component contains no strict step, so every step inside it costs exactly the budget (up to the
//! tolerance) and all its members can share one utility level. When component `S` comes up, every
//! observation `j` already placed (set `A`) is one that `S` does not reach by an `R0` step (that
//! would put `j` after `S` in the order), so `E[k][j] > 0` for `k in S`, `j in A`. Then:
//! - `u_S = min_{j in A, k in S} (u_j + lambda_j E[j][k])` (0 when `A` is empty) satisfies every
//!   inequality from `A` into `S`; taking the largest allowed level keeps the multipliers small;
//! - `lambda_k = max(1 / e_k, max_{j in A} (u_j - u_S) / E[k][j])` satisfies every inequality from
//!   `S` into `A` (the floor `lambda_k e_k >= 1` is the normalization of THEORY §4);
//! - inequalities from `S` to observations placed later are the "from `A`" case of those.
//!
//! One Tarjan pass and one scan of the matrix: `O(K^2)`. Ties inside a component hold up to the
//! tolerance (`E[k][j] >= -tol e_k` there), which is the tolerance convention of [`AfriatNumbers::satisfies`].

use serde::{Deserialize, Serialize};

use crate::budget::BudgetMatrix;
use crate::data::{ObservationSet, dot};
use crate::graph::strong_components;
use crate::tolerance::Tolerance;

/// Afriat numbers: utility levels `u_k` and marginal utilities of expenditure `lambda_k > 0`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AfriatNumbers {
    /// Utility level `u_k` of observation `k`.
    pub u: Vec<f64>,
    /// Multiplier `lambda_k > 0` of observation `k` (in utility per unit of expenditure).
    pub lambda: Vec<f64>,
}

/// `u_j <= u_k + lambda_k E[k][j]` for all `j, k`, `lambda_k > 0`; `None` iff GARP fails.
/// Combinatorial (no LP); see the module documentation.
pub fn afriat_numbers(b: &BudgetMatrix, tol: Tolerance) -> Option<AfriatNumbers> {
    let k_all: Vec<usize> = (0..b.len()).collect();
    let comps = strong_components(&k_all, |k, j| b.weakly_revealed(k, j, tol));
    let violated = comps.members.iter().any(|m| {
        m.iter()
            .any(|&k| m.iter().any(|&j| b.strictly_revealed(k, j, tol)))
    });
    if violated {
        return None;
    }
    let mut u = vec![0.0; b.len()];
    let mut lambda = vec![0.0; b.len()];
    let mut placed: Vec<usize> = Vec::with_capacity(b.len());
    for comp in comps.members.iter().rev() {
        let level = placed
            .iter()
            .flat_map(|&j| comp.iter().map(move |&k| (j, k)))
            .map(|(j, k)| u[j] + lambda[j] * b.evaluation(j, k))
            .fold(f64::INFINITY, f64::min);
        let level = if level.is_finite() { level } else { 0.0 };
        for &k in comp {
            u[k] = level;
            let floor = if b.budget(k) > 0.0 {
                1.0 / b.budget(k)
            } else {
                1.0
            };
            lambda[k] = placed
                .iter()
                .map(|&j| (u[j] - level) / b.evaluation(k, j))
                .filter(|x| x.is_finite())
                .fold(floor, f64::max);
        }
        placed.extend_from_slice(comp);
    }
    tracing::debug!(
        k = b.len(),
        components = comps.len(),
        "Afriat numbers built"
    );
    Some(AfriatNumbers { u, lambda })
}

impl AfriatNumbers {
    /// Whether every Afriat inequality holds on `b` with the tolerance convention: `u_j <= u_k +
    /// lambda_k E[k][j]` up to `tol` relative to the magnitudes involved
    /// (`|u_j| + |u_k| + lambda_k (alpha_k . beta_j + e_k)`), and every `lambda_k > 0`.
    pub fn satisfies(&self, b: &BudgetMatrix, tol: Tolerance) -> bool {
        self.first_violation(b, tol).is_none()
    }

    /// The first pair `(k, j)` whose inequality fails (or `(k, k)` for a `lambda_k` that is not
    /// positive and finite), in row-major order; `None` when all hold. Sizes that do not match
    /// `b` report `(0, 0)`.
    pub fn first_violation(&self, b: &BudgetMatrix, tol: Tolerance) -> Option<(usize, usize)> {
        let n = b.len();
        if self.u.len() != n || self.lambda.len() != n {
            return Some((0, 0));
        }
        for k in 0..n {
            let lk = self.lambda[k];
            if !(lk.is_finite() && lk > 0.0 && self.u[k].is_finite()) {
                return Some((k, k));
            }
            for j in 0..n {
                let e = b.evaluation(k, j);
                if e.is_infinite() {
                    continue;
                }
                let spend = b.ratio(k, j) * b.budget(k);
                let scale = self.u[j].abs() + self.u[k].abs() + lk * (spend + b.budget(k));
                if !tol.le(self.u[j], self.u[k] + lk * e, scale) {
                    return Some((k, j));
                }
            }
        }
        None
    }

    /// `U(x) = min_k { u_k + lambda_k (alpha_k . x - e_k) }` on the joint profile of `obs` (the
    /// data these numbers were built from). `None` if `x` or the numbers do not match `obs` in size.
    pub fn utility(&self, obs: &ObservationSet, x: &[f64]) -> Option<f64> {
        self.utility_on(obs, 0..obs.dim(), x, |k| obs.expenditure(k))
    }

    /// Agent `i`'s `U^i(x) = min_k { u_k + lambda_k (alpha^i_k . x - e^i_k) }` for numbers built
    /// from [`BudgetMatrix::agent`]`(obs, i)`. `None` on a size mismatch or an unknown agent.
    pub fn agent_utility(&self, obs: &ObservationSet, i: usize, x: &[f64]) -> Option<f64> {
        if i >= obs.num_agents() {
            return None;
        }
        self.utility_on(obs, obs.block(i), x, |k| obs.agent_expenditure(i, k))
    }

    fn utility_on(
        &self,
        obs: &ObservationSet,
        block: std::ops::Range<usize>,
        x: &[f64],
        budget: impl Fn(usize) -> f64,
    ) -> Option<f64> {
        let sizes_ok =
            x.len() == block.len() && self.u.len() == obs.len() && self.lambda.len() == obs.len();
        if !sizes_ok {
            return None;
        }
        (0..obs.len())
            .map(|k| {
                let spend = dot(&obs.probe(k)[block.clone()], x);
                self.u[k] + self.lambda[k] * (spend - budget(k))
            })
            .min_by(f64::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_a_revealed_preference_chain() {
        // alpha_0 = (1, 1), beta_0 = (2, 2): e_0 = 4; alpha_1 = (1, 1), beta_1 = (1, 1): e_1 = 2.
        // alpha_0 . beta_1 = 2 < 4 (0 P0 1); alpha_1 . beta_0 = 4 > 2. Top-down: {0} first with
        // u_0 = 0, lambda_0 = 1 / 4. Then u_1 = u_0 + lambda_0 E[0][1] = 0 + (2 - 4) / 4 = -0.5,
        // lambda_1 = max(1 / 2, (u_0 - u_1) / E[1][0]) = max(0.5, 0.5 / 2) = 0.5.
        let d = ObservationSet::single_agent(
            vec![vec![1.0, 1.0], vec![1.0, 1.0]],
            vec![vec![2.0, 2.0], vec![1.0, 1.0]],
        )
        .unwrap();
        let b = BudgetMatrix::joint(&d);
        let a = afriat_numbers(&b, Tolerance::default()).unwrap();
        assert_eq!(a.u, vec![0.0, -0.5]);
        assert_eq!(a.lambda, vec![0.25, 0.5]);
        assert!(a.satisfies(&b, Tolerance::default()));
        assert_eq!(a.utility(&d, &[2.0, 2.0]), Some(0.0));
        assert_eq!(a.utility(&d, &[1.0]), None);
    }
}
