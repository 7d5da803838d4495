//! The budget-evaluation matrix of THEORY §1, computed once per data set.
//!
//! `E[k][j] = alpha_k . beta_j - e_k`. We store it as the ratio `rho[k][j] = alpha_k . beta_j / e_k`
//! (so `E[k][j] = e_k (rho[k][j] - 1)`): every graph test compares `rho` with 1, CCEI's candidate
//! efficiencies are exactly the entries of `rho`, and `rho` is invariant under rescaling any probe
//! or all strategies, which makes verdicts scale-free by construction. Building it is one
//! `K x K x N` product, the floor for any exact test; rows are computed in parallel for large `K`
//! (each row is independent, so the result does not depend on the thread count).

use rayon::prelude::*;
use serde::Serialize;

use crate::data::{ObservationSet, dot};
use crate::tolerance::Tolerance;

/// Rows per task below which the product runs on one thread (parallel overhead dominates).
const PARALLEL_MIN_K: usize = 256;

/// `K x K` budget ratios `rho[k][j] = alpha_k . beta_j / e_k` and budgets `e_k`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetMatrix {
    k: usize,
    rho: Vec<f64>,
    budget: Vec<f64>,
    /// `(k, alpha_k . beta_j for all j)` for the rows with a zero budget (an idle agent), by `k`:
    /// their ratios are 1 or `+inf`, which loses the spend that [`Self::evaluation`] needs.
    idle: Vec<(usize, Vec<f64>)>,
}

impl BudgetMatrix {
    /// The matrix of the joint profile: `alpha_k . beta_j / e_k`.
    pub fn joint(obs: &ObservationSet) -> Self {
        Self::from_rows(obs.len(), obs.expenditures().to_vec(), |k, row| {
            spend_row(obs.probe(k), |j| obs.strategy(j), row)
        })
    }

    /// The matrix of agent `i`'s block: `alpha^i_k . beta^i_j / e^i_k` with budgets `e^i_k`.
    ///
    /// An agent may be idle in game `k` (`e^i_k = 0`, so `beta^i_k = 0`): its budget set is `{0}`.
    /// Then `rho[k][j]` is 1 (a tie: affordable, never strictly) when `beta^i_j = 0` too and
    /// `+inf` (never affordable) otherwise. Such an observation never creates a violation.
    pub fn agent(obs: &ObservationSet, i: usize) -> Self {
        let block = obs.block(i);
        let budget: Vec<f64> = (0..obs.len())
            .map(|k| obs.agent_expenditure(i, k))
            .collect();
        Self::from_rows(obs.len(), budget, |k, row| {
            spend_row(
                &obs.probe(k)[block.clone()],
                |j| &obs.strategy(j)[block.clone()],
                row,
            )
        })
    }

    /// Builds from a row filler `spend(k, row)` writing `row[j] = alpha_k . beta_j`, and budgets
    /// `e_k >= 0`; each row is then turned into ratios in place.
    fn from_rows(k: usize, budget: Vec<f64>, spend: impl Fn(usize, &mut [f64]) + Sync) -> Self {
        let mut rho = vec![0.0; k * k];
        let fill = |(row_k, row): (usize, &mut [f64])| {
            spend(row_k, row);
            let e = budget[row_k];
            row.iter_mut().for_each(|r| *r = ratio(*r, e));
        };
        if k >= PARALLEL_MIN_K {
            rho.par_chunks_mut(k).enumerate().for_each(fill);
        } else {
            rho.chunks_mut(k).enumerate().for_each(fill);
        }
        let idle = (0..k)
            .filter(|&row_k| budget[row_k] <= 0.0)
            .map(|row_k| {
                let mut row = vec![0.0; k];
                spend(row_k, &mut row);
                (row_k, row)
            })
            .collect();
        Self {
            k,
            rho,
            budget,
            idle,
        }
    }

    /// Builds directly from a ratio matrix (row-major `K x K`) and budgets; used for general
    /// (Forges–Minelli) budget sets, where `rho[k][j] <= 1` means `beta_j` is in budget set `k`.
    ///
    /// Returns `None` if the sizes disagree, a budget is negative or not finite, or a ratio is NaN.
    pub fn from_ratios(k: usize, rho: Vec<f64>, budget: Vec<f64>) -> Option<Self> {
        let ok = rho.len() == k * k
            && budget.len() == k
            && budget.iter().all(|e| e.is_finite() && *e >= 0.0)
            && rho.iter().all(|r| !r.is_nan());
        ok.then_some(Self {
            k,
            rho,
            budget,
            idle: Vec::new(),
        })
    }

    /// Number of observations `K`.
    pub fn len(&self) -> usize {
        self.k
    }

    /// True when there is no observation.
    pub fn is_empty(&self) -> bool {
        self.k == 0
    }

    /// `rho[k][j] = alpha_k . beta_j / e_k`.
    pub fn ratio(&self, k: usize, j: usize) -> f64 {
        self.rho[k * self.k + j]
    }

    /// Row `k` of the ratio matrix.
    pub fn ratio_row(&self, k: usize) -> &[f64] {
        &self.rho[k * self.k..(k + 1) * self.k]
    }

    /// Budget `e_k`.
    pub fn budget(&self, k: usize) -> f64 {
        self.budget[k]
    }

    /// `alpha_k . beta_j`. For a zero budget (an idle agent) it is the spend recorded when the
    /// matrix was built from data; a matrix built by [`Self::from_ratios`] records none, so
    /// there it is 0 for a ratio of 1 and `+inf` otherwise.
    pub fn spend(&self, k: usize, j: usize) -> f64 {
        let e = self.budget[k];
        if e > 0.0 {
            return self.ratio(k, j) * e;
        }
        match self.idle.binary_search_by_key(&k, |row| row.0) {
            Ok(at) => self.idle[at].1[j],
            Err(_) if self.ratio(k, j) == 1.0 => 0.0,
            Err(_) => f64::INFINITY,
        }
    }

    /// `E[k][j] = alpha_k . beta_j - e_k` (THEORY §1). Finite for matrices built from data, idle
    /// budgets included (`E[k][j] = alpha_k . beta_j` there); `+inf` only where
    /// [`Self::spend`] is.
    pub fn evaluation(&self, k: usize, j: usize) -> f64 {
        let e = self.budget[k];
        if e > 0.0 {
            e * (self.ratio(k, j) - 1.0)
        } else {
            self.spend(k, j) - e
        }
    }

    /// Direct revealed preference `k R0 j`: `beta_j` was affordable at `k` (`E[k][j] <= 0`).
    pub fn weakly_revealed(&self, k: usize, j: usize, tol: Tolerance) -> bool {
        tol.ratio_weak(self.ratio(k, j))
    }

    /// Strict direct revealed preference `k P0 j` (`E[k][j] < 0`).
    pub fn strictly_revealed(&self, k: usize, j: usize, tol: Tolerance) -> bool {
        tol.ratio_strict(self.ratio(k, j))
    }

    /// `k R0 j` at efficiency `e`: `alpha_k . beta_j <= e * e_k` (GARP_e, THEORY §2).
    pub fn weakly_revealed_at(&self, k: usize, j: usize, efficiency: f64, tol: Tolerance) -> bool {
        tol.le(self.ratio(k, j), efficiency, efficiency)
    }

    /// `k P0 j` at efficiency `e`: `alpha_k . beta_j < e * e_k`.
    pub fn strictly_revealed_at(
        &self,
        k: usize,
        j: usize,
        efficiency: f64,
        tol: Tolerance,
    ) -> bool {
        tol.lt(self.ratio(k, j), efficiency, efficiency)
    }
}

/// Observations whose dot products [`spend_row`] computes together.
const LANES: usize = 8;

/// `row[j] = alpha . beta(j)` for every `j`, bit-for-bit equal to [`dot`] (each product is
/// summed in the same order from the same start), so `rho[k][k]` is exactly 1.
///
/// Why not `dot` per entry: a single dot product is one chain of dependent additions, bound by
/// the adder's latency. Computing [`LANES`] of them side by side gives the CPU independent chains
/// (and lets it vectorize across them), several times faster on the `K x K x N` floor.
fn spend_row<'a>(alpha: &[f64], beta: impl Fn(usize) -> &'a [f64], row: &mut [f64]) {
    let n = alpha.len();
    let done = row.len() - row.len() % LANES;
    for (c, out) in row.chunks_exact_mut(LANES).enumerate() {
        let betas: [&[f64]; LANES] = std::array::from_fn(|l| &beta(c * LANES + l)[..n]);
        let mut acc = [0.0f64; LANES];
        for (i, a) in alpha.iter().enumerate() {
            for l in 0..LANES {
                acc[l] += a * betas[l][i];
            }
        }
        out.copy_from_slice(&acc);
    }
    for (j, r) in row.iter_mut().enumerate().skip(done) {
        *r = dot(alpha, beta(j));
    }
}

/// `spend / budget`, with an idle budget (`budget = 0`) mapped to 1 (tie) or `+inf`.
fn ratio(spend: f64, budget: f64) -> f64 {
    if budget > 0.0 {
        spend / budget
    } else if spend > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Agent;

    #[test]
    fn ratios_and_relations() {
        // alpha_0 = (1, 2), beta_0 = (1, 0): e_0 = 1; alpha_1 = (2, 1), beta_1 = (0, 1): e_1 = 1.
        // rho[0][1] = alpha_0 . beta_1 / e_0 = 2, rho[1][0] = 2.
        let d = ObservationSet::single_agent(
            vec![vec![1.0, 2.0], vec![2.0, 1.0]],
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        )
        .unwrap();
        let b = BudgetMatrix::joint(&d);
        let t = Tolerance::default();
        assert_eq!(b.ratio(0, 1), 2.0);
        assert_eq!(b.evaluation(0, 1), 1.0);
        assert!(b.weakly_revealed(0, 0, t) && !b.strictly_revealed(0, 0, t));
        assert!(!b.weakly_revealed(0, 1, t));
        assert!(b.weakly_revealed_at(0, 1, 2.0, t));
    }

    #[test]
    fn idle_agent_blocks_are_ties_or_unaffordable() {
        let d = ObservationSet::new(
            vec![Agent::new("a", 1), Agent::new("b", 1)],
            vec![vec![1.0, 1.0], vec![1.0, 1.0]],
            vec![vec![1.0, 0.0], vec![1.0, 1.0]],
        )
        .unwrap();
        let b = BudgetMatrix::agent(&d, 1);
        assert_eq!(b.ratio(0, 0), 1.0);
        assert_eq!(b.ratio(0, 1), f64::INFINITY);
        assert_eq!(b.ratio(1, 0), 0.0);
        // The idle row keeps its spend: alpha^b_0 . beta^b_1 = 1 * 1 = 1, so E[0][1] = 1 - 0.
        assert_eq!(b.spend(0, 1), 1.0);
        assert_eq!(b.evaluation(0, 1), 1.0);
        assert_eq!(b.evaluation(0, 0), 0.0);
    }

    #[test]
    fn spend_row_is_bitwise_dot() {
        // 19 columns: two full lanes of 8 and a remainder of 3; values with long mantissas so
        // any change of summation order would show.
        let n = 7;
        let beta: Vec<Vec<f64>> = (0..19)
            .map(|j| {
                (0..n)
                    .map(|i| ((i * 31 + j * 17) % 13) as f64 / 7.0 + 0.1)
                    .collect()
            })
            .collect();
        let alpha: Vec<f64> = (0..n).map(|i| 1.0 / (i as f64 + 3.0)).collect();
        let mut row = vec![0.0; 19];
        spend_row(&alpha, |j| &beta[j], &mut row);
        for (j, r) in row.iter().enumerate() {
            assert_eq!(r.to_bits(), dot(&alpha, &beta[j]).to_bits(), "column {j}");
        }
    }

    #[test]
    fn parallel_and_serial_rows_agree() {
        let k = PARALLEL_MIN_K + 3;
        let probes: Vec<Vec<f64>> = (0..k)
            .map(|i| vec![1.0 + (i % 7) as f64, 2.0 + (i % 3) as f64])
            .collect();
        let strategies: Vec<Vec<f64>> = (0..k).map(|i| vec![0.1 + (i % 5) as f64, 0.3]).collect();
        let d = ObservationSet::single_agent(probes, strategies).unwrap();
        let b = BudgetMatrix::joint(&d);
        for kk in [0, 17, k - 1] {
            for j in [0, 5, k - 1] {
                let want = dot(d.probe(kk), d.strategy(j)) / d.expenditure(kk);
                assert_eq!(b.ratio(kk, j), want);
            }
        }
    }
}
