//! The money pump index (Echenique, Lee and Shum 2011) and the maximum mean cycle (THEORY §2, §4).
//!
//! Money pump. An `R0`-cycle `C` (each step `k -> next(k)` with `beta_next(k)` affordable at `k`)
//! lets an arbitrageur buy each bundle at the prices where it was passed over and extract
//! `MPI(C) = sum_C (e_k - alpha_k . beta_next(k)) / sum_C e_k`. The largest MPI over cycles is a
//! maximum cycle ratio (weights `e_k (1 - rho[k][next])`, costs `e_k > 0`), solved exactly and with
//! its cycle by Howard's policy iteration inside each strongly connected component of `R0`.
//! Tolerance convention: a step tied with the budget (`rho` within the tolerance of 1) pumps
//! exactly 0, so a cycle pumps a positive amount iff it contains a strict step, i.e. iff it is a
//! GARP violation: money pump, GARP and CCEI agree on ties. The MPI is invariant under rescaling
//! all probes or all strategies, not under rescaling one probe (that reweights the cycle's terms).
//!
//! Maximum mean cycle. The largest mean of `1 - rho[k][j]` over cycles of distinct-observation
//! steps (`j != k`): with normalized data (`E[k][j] = rho[k][j] - 1`) this is the optimum of the
//! additive gap LP of THEORY §4 with `lambda` fixed at 1 for one agent (`u_j - u_k + E[k][j] <= r`
//! is feasible iff every cycle has mean of `-E` at most `r`), an upper bound on the gap `L` once
//! clamped at 0. It reads only `rho`, so it is invariant under rescaling any probe.
//!
//! What it is not: the LP gaps themselves (they live with the LP layer).

use serde::{Deserialize, Serialize};

use crate::budget::BudgetMatrix;
use crate::cycle_ratio::{BestCycle, Weights, karp_max_mean_cycle, max_ratio_cycle};
use crate::graph::strong_components;
use crate::tolerance::Tolerance;

/// The largest money pump index and a cycle attaining it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoneyPump {
    /// `MPI(C) > 0` of the best cycle (tied steps pump 0).
    pub value: f64,
    /// The cycle `k_0 -> k_1 -> ... -> k_0`, each step an `R0` step.
    pub cycle: Vec<usize>,
}

/// The largest MPI over `R0`-cycles, or `None` when no cycle pumps a positive amount (exactly
/// when GARP holds).
///
/// Observations with a zero budget (an idle agent, in a per-agent matrix) are left out: their
/// `R0` steps lead only to other idle observations and pump nothing.
pub fn max_money_pump(b: &BudgetMatrix, tol: Tolerance) -> Option<MoneyPump> {
    let nodes: Vec<usize> = (0..b.len()).filter(|&k| b.budget(k) > 0.0).collect();
    let weight = |k: usize, j: usize| {
        if !b.weakly_revealed(k, j, tol) {
            None
        } else if b.strictly_revealed(k, j, tol) {
            Some(b.budget(k) * (1.0 - b.ratio(k, j)))
        } else {
            Some(0.0)
        }
    };
    let (value, cycle) = best_over_components(&nodes, weight, |k| b.budget(k))?;
    (value > 0.0).then(|| {
        tracing::debug!(mpi = value, len = cycle.len(), "money pump found");
        MoneyPump { value, cycle }
    })
}

/// The largest mean of `1 - rho` over a cycle of steps between distinct observations, and a cycle
/// attaining it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeanCycle {
    /// The largest cycle mean (may be negative: then every cycle loses on average).
    pub value: f64,
    /// A cycle `k_0 -> ... -> k_0` attaining it (at least 2 observations).
    pub cycle: Vec<usize>,
}

/// Max over cycles (steps `k -> j` with `j != k`, `K >= 2`) of the mean of `1 - rho[k][j]`: the
/// `lambda = 1` additive gap of THEORY §4 for one agent is `max(0, value)` (normalized data:
/// `E[k][j] = rho[k][j] - 1`).
///
/// `None` when `K < 2`, or when every cycle has a step of infinite ratio (possible only in
/// per-agent matrices with idle agents; such steps are left out). Howard's policy iteration; see
/// [`max_mean_cycle_karp`] for the strongly polynomial reference.
pub fn max_mean_cycle(b: &BudgetMatrix) -> Option<MeanCycle> {
    let nodes: Vec<usize> = (0..b.len()).collect();
    let (value, cycle) = best_over_components(&nodes, mean_weight(b), |_| 1.0)?;
    Some(MeanCycle { value, cycle })
}

/// The same as [`max_mean_cycle`] by Karp's algorithm: `O(K^3)` time and `O(K^2)` memory, strongly
/// polynomial, meant as a reference for moderate `K` (a few hundred).
pub fn max_mean_cycle_karp(b: &BudgetMatrix) -> Option<MeanCycle> {
    let nodes: Vec<usize> = (0..b.len()).collect();
    let (value, cycle) = karp_max_mean_cycle(&nodes, mean_weight(b))?;
    Some(MeanCycle { value, cycle })
}

/// Weights `1 - rho[k][j]` of the mean-cycle problem: no self-steps, no infinite ratios.
fn mean_weight(b: &BudgetMatrix) -> impl Weights + '_ {
    |k: usize, j: usize| {
        let r = b.ratio(k, j);
        (k != j && r.is_finite()).then_some(1.0 - r)
    }
}

/// The best cycle ratio over the strongly connected components of the graph of `weight`
/// (a component counts if it has two nodes or a self-step).
fn best_over_components(
    nodes: &[usize],
    weight: impl Weights,
    cost: impl Fn(usize) -> f64,
) -> Option<BestCycle> {
    let comps = strong_components(nodes, |k, j| weight(k, j).is_some());
    let mut best: Option<BestCycle> = None;
    for comp in &comps.members {
        if comp.len() == 1 && weight(comp[0], comp[0]).is_none() {
            continue;
        }
        let Some(found) = max_ratio_cycle(comp, &weight, &cost) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| found.0 > b.0) {
            best = Some(found);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ObservationSet;

    #[test]
    fn two_observation_pump_by_hand() {
        // beta_0 = (0.5, 0) at alpha_0 = (1, 1): e_0 = 0.5; beta_1 = (0, 0.4) at alpha_1 = (1, 2):
        // e_1 = 0.8. alpha_0 . beta_1 = 0.4, alpha_1 . beta_0 = 0.5.
        // MPI = ((0.5 - 0.4) + (0.8 - 0.5)) / (0.5 + 0.8) = 0.4 / 1.3.
        // Means of 1 - rho: rho[0][1] = 0.8, rho[1][0] = 0.625, mean = (0.2 + 0.375) / 2 = 0.2875.
        let d = ObservationSet::single_agent(
            vec![vec![1.0, 1.0], vec![1.0, 2.0]],
            vec![vec![0.5, 0.0], vec![0.0, 0.4]],
        )
        .unwrap();
        let b = BudgetMatrix::joint(&d);
        let p = max_money_pump(&b, Tolerance::default()).unwrap();
        assert!((p.value - 0.4 / 1.3).abs() < 1e-15, "{}", p.value);
        assert_eq!(p.cycle.len(), 2);
        let m = max_mean_cycle(&b).unwrap();
        assert!((m.value - 0.2875).abs() < 1e-15);
        let karp = max_mean_cycle_karp(&b).unwrap();
        assert!((karp.value - 0.2875).abs() < 1e-15);
    }
}
