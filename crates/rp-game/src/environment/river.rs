//! The `river` environment (THEORY §6): `M` firms along a river (firm 0 upstream), `L`
//! production levels with emissions `l = 1..L`; `beta^i_l` is the probability that firm `i`
//! runs at level `l` on a given day.
//!
//! - Intrinsic utility `w_i = sum_l p_il beta^i_l - (q_i/2) E_i^2 - (eps/2) |beta^i|^2`,
//!   `E_i = sum_l l beta^i_l`, with revenue `p_il = v_i l^0.8` (concave in the level),
//!   `v_i ~ U[1.5, 2]`, `q_i ~ U[1.5, 2]`, `eps = 0.05` (the ridge makes the utility strictly
//!   concave in the strategy, not only in `E_i`; it also sets the strong monotonicity, hence
//!   the solver's speed). A larger ridge hides the interaction from a revealed-preference
//!   test: measured on seed 0 with 30 probes at `phi = 0`, the Separable gap is about `1e-4`
//!   with `eps = 0.05` but `1e-5` (zero on a third of the draws) with `eps = 0.25`, while
//!   equilibria solve as fast (about 0.5 ms each).
//! - Liability transfers `T_i = sum_{j != i} h_ij E_i E_j`, skew-symmetric, upstream pays
//!   downstream: for `i < j`, `h_ij = -strength * U[0.5, 1]` and `h_ji = -h_ij`.
//!   Strength `min(0.3, 0.75 sigma_max)` (see [`super::activity`]): in practice the
//!   certification bound decides, giving welfare ratios about 0.96–0.99 at `phi = 0`.
//! - Probes: a daily weighted emission cap `sum_i sum_l t_il l beta^i_l <= Ebar`, i.e.
//!   `alpha^i_l = t_il l / Ebar`, with transfer coefficients `t_il >= 1` drawn log-uniformly in
//!   `[1, 2]` and `Ebar = M` (usually binding: unconstrained firms emit about `v_i / q_i ~ 1`,
//!   weighted by `t ~ 1.4` on average).
//! - Mechanism features: emissions (`psi_i = E_i`); prices are emission taxes (`g_i = (1..L)`).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Parts;
use super::intrinsic::Intrinsic;
use crate::mechanism::BilinearCoupling;

/// Default number of firms.
pub const DEFAULT_FIRMS: usize = 4;
/// Default number of production levels.
pub const DEFAULT_LEVELS: usize = 3;
/// Ridge `eps` of the utilities (see the module doc for why it is small).
pub const EPS: f64 = 0.05;
/// Interaction strength (scale of `|h_ij|`).
pub const STRENGTH: f64 = 0.3;
/// Largest transfer coefficient of a probe.
pub const PROBE_SPREAD: f64 = 2.0;
/// Daily cap per firm: `Ebar = CAP_PER_FIRM * M`.
pub const CAP_PER_FIRM: f64 = 1.0;

/// Draws the river environment's parameters.
pub(crate) fn build(rng: &mut ChaCha8Rng, m: usize, levels: usize) -> Parts {
    let v: Vec<f64> = (0..m).map(|_| rng.random_range(1.5..2.0)).collect();
    let q: Vec<f64> = (0..m).map(|_| rng.random_range(1.5..2.0)).collect();
    let p: Vec<f64> = (0..m * levels)
        .map(|k| v[k / levels] * ((k % levels + 1) as f64).powf(0.8))
        .collect();
    let mut interaction = super::skew_interaction(rng, m);
    orient_upstream_pays(&mut interaction, m);
    let cap = CAP_PER_FIRM * m as f64;
    let level = |k: usize| (k % levels + 1) as f64;
    let probe_lo: Vec<f64> = (0..m * levels).map(|k| level(k) / cap).collect();
    let probe_hi: Vec<f64> = (0..m * levels)
        .map(|k| level(k) * PROBE_SPREAD / cap)
        .collect();
    let top = levels as f64;
    let row: Vec<f64> = (1..=levels).map(|l| l as f64).collect();
    Parts {
        names: (1..=m).map(|i| format!("firm{i}")).collect(),
        utility: Intrinsic::River {
            p,
            q,
            eps: EPS,
            levels,
        },
        coupling: BilinearCoupling::new(&vec![levels; m], 1, vec![row.clone(); m])
            .expect("level features have L finite entries"),
        interaction,
        strength: STRENGTH,
        probe_lo,
        probe_hi,
        // (P_i' psi_j)_l = l E_j, E_j <= L (cap); sum_j E_j <= Ebar (probe, t >= 1).
        feature_cap: (0..m * levels).map(|k| level(k) * top).collect(),
        feature_budget: (0..m * levels).map(|k| level(k) * cap).collect(),
        activity: (0..m).flat_map(|_| row.clone()).collect(),
        activity_cap: vec![top; m],
        activity_budget: cap,
    }
}

/// Makes `h_ij <= 0` for `i < j` (upstream pays), keeping skew-symmetry.
fn orient_upstream_pays(h: &mut [f64], m: usize) {
    for i in 0..m {
        for j in i + 1..m {
            let v = h[i * m + j].abs();
            h[i * m + j] = -v;
            h[j * m + i] = v;
        }
    }
}
