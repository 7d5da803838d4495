//! Afriat numbers built combinatorially, without a linear program (THEORY §2).
//!
//! When GARP holds we construct `u_k` and `lambda_k > 0` with
//! `u_j <= u_k + lambda_k E[k][j]` for all `j, k`, and the concave, strictly increasing utility
//! `U(x) = min_k { u_k + lambda_k alpha_k . (x - beta_k) }` that rationalizes the data.
//! Existence is the easy part; *scaling* is what makes numbers useful as a certificate (a
//! multiplier of 1e20 next to one of 1 defeats any relative tolerance), so the construction
//! aims at numbers of the size the data suggest, with `lambda_k e_k >= 1` (the normalization
//! of THEORY §4) and `u <= 0`.
//!
//! 1. Unit multipliers. If no cycle has a positive mean of `1 - rho` (the `lambda = 1` gap is
//!    0), `lambda_k = 1 / e_k` works and the levels are Howard's potentials of the max-mean-cycle
//!    problem. This covers data from many smooth utilities and gives their natural scale.
//! 2. Otherwise, a top-down variant of Varian's (1982) algorithm. Take the strongly connected
//!    components of the `R0` graph in a topological order, most preferred first. Under GARP a
//!    component contains no strict step, so every step inside it costs the budget (up to the
//!    tolerance) and its members share one level. When component `S` comes up, no observation
//!    `j` already placed (set `A`) is `R0`-reached from `S`, so `E[k][j] > 0` for `k in S`:
//!    - `u_S = min_{j in A, k in S} (u_j + lambda_j E[j][k])` (0 when `A` is empty) satisfies
//!      every inequality from `A` into `S` and is the highest level that does;
//!    - `lambda_k = max(1 / e_k, max_{j in A} (u_j - u_S) / E[k][j])` satisfies every inequality
//!      from `S` into `A`; inequalities from `S` to later components are the "from `A`" case.
//!
//!    Among the ready components the one with the lowest allowed level goes first (see
//!    `Builder::next_component` for the measured effect of the order).
//! 3. Refinement: alternately the smallest multipliers for the levels and the highest levels for
//!    the multipliers (Dijkstra with the current levels as potentials), a few rounds; each keeps
//!    the numbers feasible and can only shrink them.
//!
//! Idle budgets. In a per-agent matrix ([`BudgetMatrix::agent`]) an agent idle in game `k` has
//! `e^i_k = 0`: its budget set is `{0}`, so the graph tests see ratios 1 or `+inf` in row `k`.
//! The inequalities still read the finite `E[k][j] = alpha^i_k . beta^i_j` (recorded by the
//! matrix), so `lambda_k` is chosen large enough for them and the numbers satisfy the raw
//! inequalities, not only the graph's.
//!
//! Everything is `O(K^2)` per pass (Tarjan, Howard iterations, Dijkstra on the dense graph).
//! Ties inside a component hold up to the tolerance (`E[k][j] >= -tol e_k` there), which is the
//! tolerance convention of [`AfriatNumbers::satisfies`].

use serde::{Deserialize, Serialize};

use crate::budget::BudgetMatrix;
use crate::cycle_ratio::mean_potentials;
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
    if let Some(numbers) = unit_multiplier_numbers(b, tol) {
        return Some(numbers);
    }
    let mut build = Builder::new(b, tol, &comps.members, &comps.of);
    while let Some(c) = build.next_component() {
        build.place(c);
    }
    let (mut u, mut lambda) = (build.u, build.lambda);
    refine(b, &mut u, &mut lambda);
    tracing::debug!(
        k = b.len(),
        components = comps.len(),
        "Afriat numbers built"
    );
    Some(AfriatNumbers { u, lambda })
}

/// Afriat numbers with every `lambda_k e_k = 1`, when that is possible: exactly when no cycle has
/// a positive mean of `1 - rho` (the `lambda = 1` gap of THEORY §4 is 0), which holds for data
/// from many smooth utilities (for `sum_i a_i ln x_i` the true multipliers are `1 / e_k`). The
/// levels are then Howard's potentials for the max-mean-cycle problem, which satisfy
/// `u_j - u_k <= rho[k][j] - 1` on every step. Well scaled by construction; `None` when the
/// condition fails, a ratio is infinite or a budget is zero (per-agent matrices), or rounding
/// left an inequality outside the tolerance.
fn unit_multiplier_numbers(b: &BudgetMatrix, tol: Tolerance) -> Option<AfriatNumbers> {
    let n = b.len();
    let finite = (0..n).all(|k| b.budget(k) > 0.0 && b.ratio_row(k).iter().all(|r| r.is_finite()));
    if n < 2 || !finite {
        return None;
    }
    let (chi, mut u) = mean_potentials(n, |k, j| (k != j).then(|| 1.0 - b.ratio(k, j)))?;
    if chi > 0.0 {
        return None;
    }
    let mut lambda: Vec<f64> = (0..n).map(|k| 1.0 / b.budget(k)).collect();
    refine(b, &mut u, &mut lambda);
    let numbers = AfriatNumbers { u, lambda };
    numbers.satisfies(b, tol).then_some(numbers)
}

/// The top-down construction: components placed one at a time, each a source of the `R0`
/// graph among those not yet placed.
struct Builder<'a> {
    b: &'a BudgetMatrix,
    members: &'a [Vec<usize>],
    of: &'a [usize],
    u: Vec<f64>,
    lambda: Vec<f64>,
    /// `upper[k] = min over placed j of u_j + lambda_j E[j][k]`: the highest level `k` may get.
    upper: Vec<f64>,
    placed: Vec<usize>,
    /// `R0` steps into each component from components not yet placed.
    incoming: Vec<usize>,
    /// Components with no incoming step left: the ones that may be placed next.
    ready: Vec<usize>,
    /// `R0` successors of each observation in other components (for the in-degree updates).
    successors: Vec<Vec<usize>>,
}

impl<'a> Builder<'a> {
    fn new(
        b: &'a BudgetMatrix,
        tol: Tolerance,
        members: &'a [Vec<usize>],
        of: &'a [usize],
    ) -> Self {
        let n = b.len();
        let mut incoming = vec![0; members.len()];
        let successors: Vec<Vec<usize>> = (0..n)
            .map(|k| {
                (0..n)
                    .filter(|&j| of[j] != of[k] && b.weakly_revealed(k, j, tol))
                    .inspect(|&j| incoming[of[j]] += 1)
                    .collect()
            })
            .collect();
        let ready = (0..members.len()).filter(|&c| incoming[c] == 0).collect();
        Self {
            b,
            members,
            of,
            u: vec![0.0; n],
            lambda: vec![0.0; n],
            upper: vec![f64::INFINITY; n],
            placed: Vec::with_capacity(n),
            incoming,
            ready,
            successors,
        }
    }

    /// The highest level the placed observations allow component `c`.
    fn level(&self, c: usize) -> f64 {
        self.members[c]
            .iter()
            .map(|&k| self.upper[k])
            .fold(f64::INFINITY, f64::min)
    }

    /// The ready component allowed the lowest level, ties to the lowest index. Why: any
    /// topological order is valid, but the multipliers it needs differ by orders of magnitude.
    /// Measured on Cobb–Douglas data (K = 500, N = 3): the largest multiplier was 4e24 when the
    /// highest level went first, 1e20 in Tarjan's order, 1e8 with the lowest level first (the
    /// component most tightly bounded by the placed ones is placed before more observations add
    /// lower bounds on its multipliers).
    fn next_component(&mut self) -> Option<usize> {
        let best = (0..self.ready.len()).max_by(|&x, &y| {
            let (cx, cy) = (self.ready[x], self.ready[y]);
            self.level(cy).total_cmp(&self.level(cx)).then(cy.cmp(&cx))
        })?;
        Some(self.ready.swap_remove(best))
    }

    /// Gives component `c` the highest level the placed observations allow and the smallest
    /// multipliers that respect them; updates the bounds and the ready set.
    fn place(&mut self, c: usize) {
        let b = self.b;
        let bound = self.level(c);
        // No finite bound: the first component, or only unaffordable steps from the placed ones.
        let level = if bound.is_finite() { bound } else { 0.0 };
        for &k in &self.members[c] {
            self.u[k] = level;
            let floor = if b.budget(k) > 0.0 {
                1.0 / b.budget(k)
            } else {
                1.0
            };
            self.lambda[k] = self
                .placed
                .iter()
                .map(|&j| (self.u[j] - level) / b.evaluation(k, j))
                .filter(|x| x.is_finite())
                .fold(floor, f64::max);
        }
        for &k in &self.members[c] {
            for m in 0..b.len() {
                let bound = self.u[k] + self.lambda[k] * b.evaluation(k, m);
                self.upper[m] = self.upper[m].min(bound);
            }
            for &m in &self.successors[k] {
                let target = self.of[m];
                self.incoming[target] -= 1;
                if self.incoming[target] == 0 {
                    self.ready.push(target);
                }
            }
        }
        self.placed.extend_from_slice(&self.members[c]);
    }
}

/// Rounds of [`refine`] after the construction.
const REFINE_ROUNDS: usize = 8;

/// Improves the scaling of feasible Afriat numbers, keeping them feasible: alternately the
/// smallest multipliers for the current levels, and the highest levels `u <= 0` for the current
/// multipliers (shortest paths from a virtual root, by Dijkstra on the costs reduced by the
/// current levels, which are nonnegative because the numbers are feasible).
///
/// Why: the top-down construction fixes each level once, so along long chains of revealed
/// preference the levels fall ever faster and the multipliers needed to cover them grow
/// geometrically. Recomputing levels from all constraints at once pulls them back up, which
/// shrinks the multipliers the next round needs. Each round is `O(K^2)`.
fn refine(b: &BudgetMatrix, u: &mut [f64], lambda: &mut [f64]) {
    let n = b.len();
    for _ in 0..REFINE_ROUNDS {
        for k in 0..n {
            let floor = if b.budget(k) > 0.0 {
                1.0 / b.budget(k)
            } else {
                1.0
            };
            lambda[k] = (0..n)
                .filter(|&j| b.evaluation(k, j) > 0.0)
                .map(|j| (u[j] - u[k]) / b.evaluation(k, j))
                .filter(|x| x.is_finite())
                .fold(floor, f64::max);
        }
        highest_levels(b, u, lambda);
    }
}

/// `u_k <- min(0, min_j u_j + lambda_j E[j][k])` at the fixed point (the highest levels `<= 0`
/// allowed by the multipliers), by dense Dijkstra with the current `u` as potential.
fn highest_levels(b: &BudgetMatrix, u: &mut [f64], lambda: &[f64]) {
    let n = b.len();
    let top = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Reduced distance from the virtual root (edge weight 0 to every k): top - u_k.
    let mut dist: Vec<f64> = u.iter().map(|&x| top - x).collect();
    let mut done = vec![false; n];
    for _ in 0..n {
        let Some(j) = (0..n)
            .filter(|&j| !done[j])
            .min_by(|&x, &y| dist[x].total_cmp(&dist[y]))
        else {
            break;
        };
        done[j] = true;
        for k in 0..n {
            if done[k] {
                continue;
            }
            // Reduced cost, clamped at 0: ties inside a component may be negative within the
            // tolerance.
            let reduced = (lambda[j] * b.evaluation(j, k) + u[j] - u[k]).max(0.0);
            if dist[j] + reduced < dist[k] {
                dist[k] = dist[j] + reduced;
            }
        }
    }
    for (uk, dk) in u.iter_mut().zip(&dist) {
        *uk += dk - top;
    }
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
                let spend = b.spend(k, j);
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

    #[test]
    fn numbers_when_unit_multipliers_cannot_work() {
        // Unit bundles, so e_k = 1 and alpha_k . beta_j = rho[k][j]: rho[0][1] = 0.5 (0 P0 1),
        // rho[1][0] = 1.3 (1 does not reveal 0). With lambda = 1 we would need
        // u_0 - u_1 >= 0.5 and u_0 - u_1 <= 0.3: impossible, so the top-down construction runs.
        // Place {0}: u_0 = 0, lambda_0 = 1. Bound for 1: u_0 + lambda_0 E[0][1] = -0.5.
        // Place {1}: u_1 = -0.5, lambda_1 = max(1, (u_0 - u_1) / E[1][0]) = 0.5 / 0.3 = 5/3.
        // Refinement keeps them (every bound is tight).
        let d = ObservationSet::single_agent(
            vec![vec![1.0, 0.5], vec![1.3, 1.0]],
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        )
        .unwrap();
        let b = BudgetMatrix::joint(&d);
        let t = Tolerance::default();
        let a = afriat_numbers(&b, t).unwrap();
        assert_eq!(a.u, vec![0.0, -0.5]);
        assert_eq!(a.lambda[0], 1.0);
        assert!((a.lambda[1] - 5.0 / 3.0).abs() < 1e-12);
        assert!(a.satisfies(&b, t));
    }
}
