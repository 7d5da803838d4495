//! The certificate of a robust gap: a point attaining it and a dual on explicit worst-case
//! scenarios bounding it below (checked by [`crate::verify`]).
//!
//! Units. Probes are normalized by the *empirical* expenditure, `a_k = alpha_k / hat e_k`, and
//! `E_k = min over the balls of a_k . beta_k` is the worst-case expenditure (`E_k <= 1`). The
//! primal multipliers are in units of `E_k`: `lambda_k = mu_k hat e_k E_k` for the multiplier
//! `mu_k` of the raw budget `alpha_k . x <= e_k`, so the floor is `lambda_k >= 1`, and a row of
//! utility `v` reads
//!
//! ```text
//!   u^v_j - u^v_k - lambda_k D^v_kj / E_k <= slack,
//!   D^v_kj = sum_{i in v} ( min_{q in B^i_j} a^i_k . q - max_{q in B^i_k} a^i_k . q ).
//! ```
//!
//! A *scenario* is one choice of distributions in the balls: for row `(v, k -> j)` the budget
//! distributions `q^i_k` and bundle distributions `q^i_j` of the agents of `v`; for the floor of
//! `k`, every agent's distribution in game `k`. The finite program of the scenarios listed (each
//! row with its scenario's coefficient `sum_i a^i_k . (q^i_j - q^i_k) / E_k`, each floor with
//! the scenario's expenditure `E_k`) is a relaxation of the robust program, so the dual's
//! objective bounds the robust gap from below.

use rp_lp::Structure;
use serde::{Deserialize, Serialize};

/// Afriat numbers of the robust program with their slack (units in the module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustPoint {
    /// `u[v][k]`, one row per utility.
    pub u: Vec<Vec<f64>>,
    /// `lambda[g][k] >= 1`, one row per multiplier group.
    pub lambda: Vec<Vec<f64>>,
    /// The slack every robust row satisfies: the robust gap (an upper bound attained here).
    pub slack: f64,
}

/// The scenario attaining the worst-case expenditure `E_k` of game `k`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FloorScenario {
    /// Observation `k`.
    pub obs: usize,
    /// Per agent, its outcome distribution (null last).
    pub distributions: Vec<Vec<f64>>,
    /// `E_k = sum_i a^i_k . q^i` at these distributions.
    pub expenditure: f64,
}

/// A dual weight on the row `(utility, from -> to)` at an explicit scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightedScenario {
    /// Utility `v`.
    pub utility: usize,
    /// Observation `k` whose budget is evaluated.
    pub from: usize,
    /// Observation `j` whose bundle is evaluated.
    pub to: usize,
    /// The weight `w >= 0`.
    pub weight: f64,
    /// `q^i_k` for each agent of the utility, in order.
    pub budget: Vec<Vec<f64>>,
    /// `q^i_j` for each agent of the utility, in order.
    pub bundle: Vec<Vec<f64>>,
}

impl WeightedScenario {
    /// The weight `weight` on row `(utility, from, to)` at the scenario `(budget, bundle)`.
    pub fn new(
        (utility, from, to): (usize, usize, usize),
        weight: f64,
        budget: Vec<Vec<f64>>,
        bundle: Vec<Vec<f64>>,
    ) -> Self {
        Self {
            utility,
            from,
            to,
            weight,
            budget,
            bundle,
        }
    }
}

/// A dual of the scenario program: weights forming a circulation per utility with mass at most
/// 1, floor multipliers `z[g][k] = -sum w coefficient >= 0`, objective `sum z`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustDual {
    /// Nonzero weights with their scenarios.
    pub weights: Vec<WeightedScenario>,
    /// `z[g][k]`.
    pub floor: Vec<Vec<f64>>,
    /// `sum z`: a lower bound on the robust gap.
    pub value: f64,
}

/// The certificate of a robust gap (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustCertificate {
    /// The welfare structure.
    pub structure: Structure,
    /// The point attaining the gap.
    pub primal: RobustPoint,
    /// The worst-case expenditure scenario of every game.
    pub floors: Vec<FloorScenario>,
    /// The dual (absent when the gap is 0, where `w = 0` is a dual, or when the backend gives
    /// no duals).
    pub dual: Option<RobustDual>,
}

/// `sum_{i in members} c^i . (bundle_i - budget_i)`: a scenario row's coefficient before the
/// division by `E_k` (the directions `c^i` are agent `i`'s normalized probe block of `k` with
/// a 0 for the null outcome).
pub(crate) fn scenario_spread<'c>(
    directions: impl Iterator<Item = &'c [f64]>,
    budget: &[Vec<f64>],
    bundle: &[Vec<f64>],
) -> f64 {
    directions
        .zip(budget.iter().zip(bundle))
        .map(|(c, (qk, qj))| {
            c.iter()
                .zip(qj.iter().zip(qk))
                .map(|(a, (x, y))| a * (x - y))
                .sum::<f64>()
        })
        .sum()
}
