//! The `spectrum` environment (THEORY §6): `M` users share `C` channels; `beta^i_c` is user
//! `i`'s access probability on channel `c`.
//!
//! - Intrinsic utility `w_i = sum_c r_ic log(1 + kappa beta^i_c)`, `r_ic ~ U[0.6, 1.4]`,
//!   `kappa = 200` (strong diminishing returns: the first sliver of airtime is worth far more
//!   than the next, which is what keeps every user on the air under any admissible price).
//! - Contention transfers `T_i = sum_{j != i} sum_c s_ij beta^i_c beta^j_c` with `s`
//!   skew-symmetric: for each pair `i < j`, `|s_ij| ~ strength * U[0.5, 1]` with a random sign
//!   (the user with the right to the channel is paid by the other for overlapping with it).
//!   Strength `min(150, 0.75 sigma_max)`, where `sigma_max` is the largest strength at which
//!   the activity bound still certifies every user active at `phi = 0` (see
//!   [`super::activity`]); 150 is several times the typical marginal utility at the
//!   equilibrium (`r / beta ~ 25`), so equilibria are visibly inefficient (welfare ratio about
//!   0.93–0.99 at `phi = 0`).
//! - Probes: airtime costs around per-channel means `m_c ~ U[1.5, 2.5]`, drawn log-uniformly in
//!   `[max(1, m_c / 1.6), 1.6 m_c]` independently per user and channel (ratios up to 2.6 between
//!   the cheapest and the dearest draw of a channel). Entries `>= 1` imply the per-user caps.
//! - Mechanism features: channel overlap (`P_i = I_C`); prices on total access
//!   (`g_i = (1, ..., 1)`).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Parts;
use super::intrinsic::Intrinsic;
use crate::mechanism::BilinearCoupling;

/// Default number of users.
pub const DEFAULT_USERS: usize = 4;
/// Default number of channels.
pub const DEFAULT_CHANNELS: usize = 3;
/// Curvature `kappa` of the utilities.
pub const KAPPA: f64 = 200.0;
/// Interaction strength (scale of `|s_ij|`).
pub const STRENGTH: f64 = 150.0;
/// Log-uniform spread of a probe entry around its channel mean.
pub const PROBE_SPREAD: f64 = 1.6;

/// Draws the spectrum environment's parameters.
pub(crate) fn build(rng: &mut ChaCha8Rng, m: usize, c: usize) -> Parts {
    let r: Vec<f64> = (0..m * c).map(|_| rng.random_range(0.6..1.4)).collect();
    let interaction = super::skew_interaction(rng, m);
    let means: Vec<f64> = (0..c).map(|_| rng.random_range(1.5..2.5)).collect();
    let probe_lo: Vec<f64> = (0..m * c)
        .map(|k| (means[k % c] / PROBE_SPREAD).max(1.0))
        .collect();
    let probe_hi: Vec<f64> = (0..m * c).map(|k| means[k % c] * PROBE_SPREAD).collect();
    // sum_j beta^j_a <= 1 / min_j lo^j_a (probe), and beta^j_a <= 1 (cap).
    let feature_budget: Vec<f64> = (0..m * c)
        .map(|k| {
            let a = k % c;
            1.0 / (0..m)
                .map(|j| probe_lo[j * c + a])
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let lo_min = probe_lo.iter().copied().fold(f64::INFINITY, f64::min);
    let mut eye = vec![0.0; c * c];
    (0..c).for_each(|a| eye[a * c + a] = 1.0);
    Parts {
        names: (1..=m).map(|i| format!("user{i}")).collect(),
        utility: Intrinsic::Spectrum {
            r,
            kappa: KAPPA,
            channels: c,
        },
        coupling: BilinearCoupling::new(&vec![c; m], c, vec![eye; m])
            .expect("identity features have C x C finite entries"),
        interaction,
        strength: STRENGTH,
        probe_lo,
        probe_hi,
        feature_cap: vec![1.0; m * c],
        feature_budget,
        activity: vec![1.0; m * c],
        activity_cap: vec![1.0; m],
        activity_budget: 1.0 / lo_min,
    }
}
