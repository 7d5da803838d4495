//! Keeping every agent active: the bound on the `prices` box (and the check of the `corrective`
//! box) that no designer can use to shut an agent down.
//!
//! A designer who could price an agent out would make every observation trivially consistent
//! (an idle agent reveals nothing), so the boxes are chosen such that, for **every probe the
//! environment can draw** and **every parameter in the box**, every agent's equilibrium strategy
//! is nonzero. The argument is a KKT bound that uses only the documented probe support
//! `alpha^i_a in [lo^i_a, hi^i_a]`.
//!
//! Let `beta` be the variational equilibrium, `lambda >= 0` the probe's multiplier, `nu_j >= 0`
//! the cap multipliers and `m_ja` agent `j`'s marginal payoff. KKT: `m_ja = lambda alpha^j_a +
//! nu_j` where `beta^j_a > 0`, `m_ja <= lambda alpha^j_a + nu_j` everywhere. Suppose agent `i` is
//! idle (`beta^i = 0`, so `nu_i = 0`).
//! 1. *Multiplier bound.* If `lambda > 0` the probe binds: `sum_{j != i} alpha^j . beta^j = 1`.
//!    Multiply `lambda alpha^j_a <= m_ja` by `beta^j_a` and sum over `j != i`:
//!    `lambda <= sum_{j != i} beta^j . m_j`. The pairwise terms are skew-symmetric
//!    (`c_jk <psi_j, psi_k>` with `c_kj = -c_jk`), so they cancel in this sum except those
//!    involving `i`, which vanish because `psi_i = 0`. Hence
//!    `lambda <= Lambda_i(P) = sum_{j != i} B_j + P G_i`, with `B_j >= beta^j . grad w_j` over
//!    the cap set ([`super::Intrinsic::spend_bound`]) and `G_i` a bound on the others' total
//!    activity (a subsidy `|phi_j| <= P` adds at most `P g_j . beta^j`).
//! 2. *Agent `i` would enter.* Its marginal at `beta^i = 0` on action `a` is at least
//!    `w'_ia(0) - D_ia - P g_ia`, where `D_ia` bounds the negative part of the interaction pull
//!    `sum_j c_ij (P_i' psi_j)_a`: the features are nonnegative (`P_i >= 0`, `beta >= 0`), so
//!    only `max(0, -c_ij)` can pull down, times `(P_i' psi_j)_a`, which the caps bound per agent
//!    and the probe bounds summed over agents (whichever is smaller). If for some `a`
//!    `w'_ia(0) - D_ia - P g_ia > hi^i_a Lambda_i(P) >= lambda alpha^i_a`, the KKT inequality
//!    fails at `beta^i = 0`, a contradiction: agent `i` is active.
//!
//! The margin is affine and decreasing in `P` for each `a`, so the largest admissible price is
//! exact: `P_max = min_i max_a (w'_ia(0) - D_ia - hi^i_a Lambda_i(0)) / (g_ia + hi^i_a G_i)`.
//! The `prices` box is `[-0.9 P_max, 0.9 P_max]^M` (a 10% safety margin). The `corrective` box
//! `[-R, R]^{M(M-1)/2}` must contain the canceling `phi* = -s`; the same bound, with the
//! coupling `c = s + phi` at its worst in the box, is checked for it.

use serde::{Deserialize, Serialize};

use super::intrinsic::Intrinsic;

/// Fraction of the admissible price limit used as the box half-width.
pub const PRICE_SAFETY: f64 = 0.9;

/// What the activity argument needs to know about an environment and its probe support.
#[derive(Clone, Debug)]
pub(crate) struct ActivityModel<'a> {
    pub utility: &'a Intrinsic,
    /// Interaction coefficients `s` (`M x M`, skew-symmetric).
    pub interaction: &'a [f64],
    /// Upper bounds `hi` of the probe entries (length `N`).
    pub probe_hi: &'a [f64],
    /// `sup (P_i' psi_j)_a` for one other agent `j` over the cap set (length `N`).
    pub feature_cap: Vec<f64>,
    /// `sup sum_{j != i} (P_i' psi_j)_a` over the probe set (length `N`).
    pub feature_budget: Vec<f64>,
    /// Activity vectors `g_i` of the prices, concatenated (length `N`).
    pub activity: Vec<f64>,
    /// `sup g_j . beta^j` over the cap set, per agent.
    pub activity_cap: Vec<f64>,
    /// `sup sum_j g_j . beta^j` over the probe set.
    pub activity_budget: f64,
}

/// The bounds that keep every agent active, as computed for one environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityBound {
    /// `P_max`: every price vector with `|phi_i| < P_max` keeps every agent active.
    pub price_limit: f64,
    /// The activity limit on the half-width of the `prices` box (`0.9 P_max`); the box itself
    /// may be smaller so that the probe binds (see [`super::binding`]).
    pub price_half_width: f64,
    /// Half-width `R` of the `corrective` box.
    pub corrective_half_width: f64,
    /// Whether the bound certifies activity on the whole `corrective` box.
    pub corrective_guaranteed: bool,
    /// Per agent, the certified margin `max_a (...)` at `phi = 0` (positive: active).
    pub margins_at_zero: Vec<f64>,
}

impl ActivityModel<'_> {
    fn agents(&self) -> usize {
        self.activity_cap.len()
    }

    fn actions(&self) -> usize {
        self.utility.actions()
    }

    /// `D_ia` for coupling negative parts `neg[j] = max(0, -c_ij)`.
    fn drag(&self, i: usize, a: usize, neg: &[f64]) -> f64 {
        let k = i * self.actions() + a;
        let sum: f64 = neg.iter().sum();
        let max = neg.iter().copied().fold(0.0, f64::max);
        (sum * self.feature_cap[k]).min(max * self.feature_budget[k])
    }

    /// The others' total activity bound `G_i`.
    fn others_activity(&self, i: usize) -> f64 {
        let sum: f64 = (0..self.agents())
            .filter(|&j| j != i)
            .map(|j| self.activity_cap[j])
            .sum();
        sum.min(self.activity_budget)
    }

    /// `Lambda_i(0) = sum_{j != i} B_j`.
    fn multiplier_bound(&self, i: usize) -> f64 {
        (0..self.agents())
            .filter(|&j| j != i)
            .map(|j| self.utility.spend_bound(j))
            .sum()
    }

    /// Per action `a`: (margin at `P = 0`, its decrease per unit of `P`).
    fn affine_margins(&self, i: usize, neg: &[f64]) -> Vec<(f64, f64)> {
        let lambda = self.multiplier_bound(i);
        let g_others = self.others_activity(i);
        (0..self.actions())
            .map(|a| {
                let k = i * self.actions() + a;
                let hi = self.probe_hi[k];
                let at_zero =
                    self.utility.marginal_at_zero(i, a) - self.drag(i, a, neg) - hi * lambda;
                (at_zero, self.activity[k] + hi * g_others)
            })
            .collect()
    }

    /// `neg[j] = max(0, -(s_ij + phi_ij))` at its worst over `|phi_ij| <= r`.
    fn negative_parts(&self, i: usize, r: f64) -> Vec<f64> {
        let m = self.agents();
        (0..m)
            .map(|j| {
                if j == i {
                    0.0
                } else {
                    (r - self.interaction[i * m + j]).max(0.0)
                }
            })
            .collect()
    }

    /// Smallest certified margin over agents at `phi = 0` in `prices` with `|phi| <= price`, or in
    /// `corrective` with `|phi| <= corrective`.
    fn min_margin(&self, price: f64, corrective: f64) -> f64 {
        (0..self.agents())
            .map(|i| {
                self.affine_margins(i, &self.negative_parts(i, corrective))
                    .iter()
                    .map(|(m0, slope)| m0 - price * slope)
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// `P_max = min_i max_a m0_ia / slope_ia` (0 when some agent has no positive margin).
    fn price_limit(&self) -> f64 {
        (0..self.agents())
            .map(|i| {
                self.affine_margins(i, &self.negative_parts(i, 0.0))
                    .iter()
                    .map(|(m0, slope)| if *m0 > 0.0 { m0 / slope } else { 0.0 })
                    .fold(0.0, f64::max)
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// For an interaction of unit scale, the largest scale `sigma` such that the margins at
    /// `phi = 0` stay positive: the drag is linear in the scale, so per agent
    /// `sigma_i = max_a (w'_ia(0) - hi^i_a Lambda_i(0)) / D_ia(unit)`, and `sigma = min_i sigma_i`.
    pub fn max_interaction_scale(&self) -> f64 {
        (0..self.agents())
            .map(|i| {
                let neg = self.negative_parts(i, 0.0);
                let lambda = self.multiplier_bound(i);
                (0..self.actions())
                    .map(|a| {
                        let k = i * self.actions() + a;
                        let base = self.utility.marginal_at_zero(i, a) - self.probe_hi[k] * lambda;
                        let drag = self.drag(i, a, &neg);
                        match (base > 0.0, drag > 0.0) {
                            (false, _) => 0.0,
                            (true, true) => base / drag,
                            (true, false) => f64::INFINITY,
                        }
                    })
                    .fold(0.0, f64::max)
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// The bounds, with the corrective half-width `wanted` (it must exceed `max |s|`).
    pub fn bound(&self, wanted_corrective: f64) -> ActivityBound {
        let price_limit = self.price_limit();
        let margins_at_zero = (0..self.agents())
            .map(|i| {
                self.affine_margins(i, &self.negative_parts(i, 0.0))
                    .iter()
                    .map(|(m0, _)| *m0)
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect();
        ActivityBound {
            price_limit,
            price_half_width: PRICE_SAFETY * price_limit,
            corrective_half_width: wanted_corrective,
            corrective_guaranteed: self.min_margin(0.0, wanted_corrective) > 0.0,
            margins_at_zero,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_limit_and_interaction_scale_by_hand() {
        // Two users, one channel, r = 1, kappa = 10: B_j = 1 * 1 * 10 / 11 = 10/11.
        // s_01 = -2 (user 0 is pulled down by user 1), probe entries <= 2, caps and budgets 1.
        let utility = Intrinsic::Spectrum {
            r: vec![1.0, 1.0],
            kappa: 10.0,
            channels: 1,
        };
        let interaction = [0.0, -2.0, 2.0, 0.0];
        let model = ActivityModel {
            utility: &utility,
            interaction: &interaction,
            probe_hi: &[2.0, 2.0],
            feature_cap: vec![1.0, 1.0],
            feature_budget: vec![1.0, 1.0],
            activity: vec![1.0, 1.0],
            activity_cap: vec![1.0, 1.0],
            activity_budget: 1.0,
        };
        // User 0: margin at 0 = 10 - drag 2 - hi 2 * 10/11 = 68/11; slope = g 1 + hi 2 * G 1 = 3;
        // user 1 (no drag): 90/11 and 3. P_max = min(68/33, 90/33) = 68/33.
        let bound = model.bound(3.0);
        assert!((bound.price_limit - 68.0 / 33.0).abs() < 1e-12, "{bound:?}");
        assert!((bound.price_half_width - 0.9 * 68.0 / 33.0).abs() < 1e-12);
        assert!((bound.margins_at_zero[0] - 68.0 / 11.0).abs() < 1e-12);
        // Unit interaction: user 0's drag is 2, so sigma_0 = (90/11) / 2 = 45/11; user 1 has no
        // drag (sigma_1 = inf).
        assert!((model.max_interaction_scale() - 45.0 / 11.0).abs() < 1e-12);
        // Corrective box R = 3: user 0's worst drag is (3 + 2) = 5 and user 1's (3 - 2) = 1;
        // margins 90/11 - 5 > 0 and 90/11 - 1 > 0: certified. R = 7: 90/11 - 9 < 0.
        assert!(bound.corrective_guaranteed);
        assert!(!model.bound(7.0).corrective_guaranteed);
    }
}
