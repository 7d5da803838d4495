//! Certificates: what the LP layer claims, in a form anyone can check (see [`crate::verify`]).
//!
//! Units. Every certificate refers to the *normalized* data of THEORY §4: probe `k` divided by
//! its expenditure, so `e_k = 1` and agent `i`'s share of budget `k` is `s^i_k = e^i_k / e_k`.
//! The multiplier of the raw constraint `alpha_k . x <= e_k` is `lambda_k / e_k`
//! ([`Rationalization::raw_lambda`]). Indices are 0-based; "utility `i`" is agent `i` for
//! `Separable` and `PerAgent` and the single joint utility (index 0) for `Joint`.
//!
//! - [`Rationalization`]: Afriat numbers `(u^i_k, lambda_k)` with a slack `t`:
//!   `u^i_j - u^i_k - lambda_k (a^i_kj - e s^i_k) <= t` for all `i` and `j != k`, where
//!   `a^i_kj = alpha^i_k . beta^i_j / e_k` and `e` is the efficiency (1 for the test and the
//!   additive gap). With `t = 0` they rationalize the data by
//!   `U^i(x) = min_k { u^i_k + lambda_k (alpha^i_k . x / e_k - e s^i_k) }`
//!   (THEORY §3; at `e = 1` this is `u^i_k + lambda_k alpha^i_k . (x - beta^i_k) / e_k`).
//! - [`AfriatDual`]: weights `w >= 0` on rows `(i, k -> j)` and floor multipliers `z[g][k]`.
//!   As a *gap dual* (`sum w <= 1`, per-agent circulations, `z = -sum w d >= 0`) its objective
//!   `sum z` is a lower bound on the gap; as a *Farkas ray* of the test, `sum z > 0` proves the
//!   test infeasible (the combination of its rows cancels `u`, matches `lambda` with the floor
//!   rows `lambda >= 1`, and has right-hand side `-sum z < 0`).
//! - [`ViolatingCycle`]: a GARP cycle of the graph layer (for `PerAgent` and `Joint`).

use serde::{Deserialize, Serialize};

use crate::data::ObservationSet;
use crate::structure::Structure;

/// Afriat numbers with slack, on normalized data (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rationalization {
    /// The structure whose inequalities these numbers satisfy.
    pub structure: Structure,
    /// Efficiency `e` of the budgets (`1` for the test and the additive gap).
    pub efficiency: f64,
    /// `u[i][k]`, one row per utility.
    pub u: Vec<Vec<f64>>,
    /// `lambda[g][k] >= 1`, one row per multiplier group (`PerAgent`: one per agent).
    pub lambda: Vec<Vec<f64>>,
    /// The slack `t >= 0` every inequality satisfies (0 for a rationalization proper).
    pub slack: f64,
}

impl Rationalization {
    /// `lambda` of utility `i` in game `k`.
    pub fn multiplier(&self, i: usize, k: usize) -> f64 {
        self.lambda[self.structure.group_of(i)][k]
    }

    /// The multiplier of the raw budget constraint of game `k` for utility `i`: `lambda / e_k`.
    pub fn raw_lambda(&self, obs: &ObservationSet, i: usize, k: usize) -> f64 {
        self.multiplier(i, k) / obs.expenditure(k)
    }

    /// The reconstructed utility `U^i(x)` of the module doc, for `x` in utility `i`'s block of
    /// `obs` (the whole profile for `Joint`); `None` if the shapes do not match.
    pub fn utility(&self, obs: &ObservationSet, i: usize, x: &[f64]) -> Option<f64> {
        let block = match self.structure {
            Structure::Joint => 0..obs.dim(),
            _ if i < obs.num_agents() => obs.block(i),
            _ => return None,
        };
        if x.len() != block.len() || self.u.get(i)?.len() != obs.len() {
            return None;
        }
        (0..obs.len())
            .map(|k| {
                let e_k = obs.expenditure(k);
                let alpha = &obs.probe(k)[block.clone()];
                let beta = &obs.strategy(k)[block.clone()];
                let spend: f64 = alpha.iter().zip(x).map(|(a, v)| a * v).sum::<f64>() / e_k;
                let share: f64 = alpha.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() / e_k;
                self.u[i][k] + self.multiplier(i, k) * (spend - self.efficiency * share)
            })
            .reduce(f64::min)
    }
}

/// A weight on row `(utility, from -> to)`: `u_to - u_from - lambda_from d_from,to <= t`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeWeight {
    /// Utility index (module doc).
    pub agent: usize,
    /// Observation `k` (whose budget is evaluated).
    pub from: usize,
    /// Observation `j` (whose bundle is evaluated).
    pub to: usize,
    /// The weight `w >= 0`.
    pub weight: f64,
}

/// Row weights of the Afriat system: a gap dual or a Farkas ray (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AfriatDual {
    /// The structure of the system.
    pub structure: Structure,
    /// Efficiency `e` of the rows.
    pub efficiency: f64,
    /// Nonzero row weights (rows not listed, including those never generated, have weight 0).
    pub weights: Vec<EdgeWeight>,
    /// `z[g][k] = -sum_(i in g, j) w^i_kj d^i_kj`: the multipliers of the floor rows
    /// `lambda[g][k] >= 1`.
    pub floor: Vec<Vec<f64>>,
    /// `sum z`: the dual objective (a lower bound on the slack) and minus the right-hand side
    /// of the combined row.
    pub value: f64,
}

/// A GARP violation found by the graph layer: `k_0 R0 k_1 ... R0 k_{m-1} P0 k_0`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolatingCycle {
    /// The agent whose data violate GARP (`None`: the joint data).
    pub agent: Option<usize>,
    /// The observations of the cycle, in order.
    pub observations: Vec<usize>,
}

/// The certificate of the social-optimality test (THEORY §3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum TestCertificate {
    /// The data pass: Afriat numbers with zero slack.
    Consistent {
        /// The numbers and (through [`Rationalization::utility`]) the utilities.
        rationalization: Rationalization,
    },
    /// The data fail: a Farkas ray of the LP, and GARP cycles where the structure has them.
    Inconsistent {
        /// The Farkas ray.
        ray: AfriatDual,
        /// Violating GARP cycles (`PerAgent`: one per failing agent; `Joint`: one).
        cycles: Vec<ViolatingCycle>,
    },
}

/// The certificate of an additive gap `L`: a point attaining it and a dual bounding it below.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GapCertificate {
    /// `(u, lambda >= 1, t = L)` satisfying every row: `L` is an upper bound.
    pub primal: Rationalization,
    /// A dual solution with objective `L` (absent when `L = 0`, where `w = 0` is the dual).
    pub dual: Option<AfriatDual>,
}

/// The certificate of an efficiency gap `L_e in [lower, upper]`: the relaxed test holds at
/// `r = upper` and fails at every `r < lower` (`L_e` is an infimum, THEORY §4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EfficiencyCertificate {
    /// Afriat numbers with zero slack at efficiency `1 - upper`.
    pub feasible: Rationalization,
    /// A Farkas ray at efficiency `1 - lower` that is a ray at every larger efficiency
    /// ([`crate::DualRole::FarkasAbove`]; absent when `lower = 0`). Either the LP's dual at a
    /// probe where the relaxed test fails, or the ray of a GARP cycle whose steps are all
    /// affordable at `1 - lower` (the graph bound: then the test may hold at `lower` itself).
    pub infeasible: Option<AfriatDual>,
    /// GARP cycles whose steps are all affordable at efficiency `1 - lower`, so each violates
    /// GARP_e for every larger `e` (listed when the graph layer proves the lower end; for ties
    /// at `e = 1` with `lower = 0`, the violating cycle at `e = 1`).
    pub cycles: Vec<ViolatingCycle>,
}
