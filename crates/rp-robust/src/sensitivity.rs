//! How much the nominal gap can move when the strategies move: the Lipschitz constant of THEORY
//! §8 from the LP's dual, and certified bounds over the L1 balls.
//!
//! Everything here is about the nominal additive gap `L(D)` of rp-lp (THEORY §4) as a function
//! of the strategies, with the probes fixed, and perturbations measured per (agent,
//! observation) in L1 on the outcome distribution (null action included): the balls
//! `||q^i_k - hat q^i_k||_1 <= eps` of [`crate::concentration`].
//!
//! ## First order (local): the Lipschitz constant from the dual
//!
//! At an optimal pair — primal `(u*, lambda*)`, dual weights `w*` on the rows
//! `u_j - u_k - lambda_k d_kj <= t` with `d_kj = alpha^v_k . (beta^v_j - beta^v_k) / e_k` — the
//! envelope theorem gives `dL / d d_kj = -w*_kj lambda*_k`, and the chain rule (including `e_k =
//! alpha_k . beta_k`, which moves with `beta_k`):
//!
//! ```text
//!   dL/d beta^v_j += -w lambda_k alpha^v_k / e_k
//!   dL/d beta^v_k += +w lambda_k alpha^v_k / e_k
//!   dL/d beta_k   += +w lambda_k d_kj alpha_k / e_k        (through e_k; all agents)
//! ```
//!
//! On agent `i`'s outcomes the gradient is `g^i_k` on the actions and 0 on the null action; the
//! largest first-order change over `{Delta q : sum Delta q = 0, ||Delta q||_1 <= eps}` is
//! `span(g^i_k, 0) eps / 2`. So, to first order, `|L(D') - L(hat D)| <= Lip eps` with
//!
//! ```text
//!   Lip = sum_{i, k} ( max(g^i_k, 0) - min(g^i_k, 0) ) / 2,
//! ```
//!
//! a Lipschitz constant for the norm `max_{i,k} ||q^i_k - hat q^i_k||_1`.
//!
//! **This is a local bound, not a global one.** It is the derivative of `L` when the optimal
//! primal and dual solutions are unique (strict complementarity, a stable active set); it holds
//! only up to `O(eps^2)` and only while the active set does not change. With several optimal
//! solutions it is the derivative along the pair the solver returned, not the largest
//! directional derivative. And `L` is not globally Lipschitz at all: near a tie the optimal
//! `lambda` is unbounded, and `L` can jump (one agent, two games, `alpha_1 . beta_2 = e_1 (1 +
//! delta)`, `alpha_2 . beta_1 = e_2 (1 - a)`: `L = 0` for every `delta > 0` but `L = a / 2` at
//! `delta = 0`). A bound that needs to *hold* must be the certified one below (or the robust
//! gap, [`crate::robust_gap()`]).
//!
//! ## Certified bounds over the balls
//!
//! For every `D'` with all strategies in the L1 balls (total-variation balls of radius
//! `eps / 2`), two linear programs of the same shape as the gap bound `L(D')`:
//!
//! - Upper: the robust gap `L_rob` ([`crate::robust_gap()`]): every row at its worst case and the
//!   floor at the smallest expenditure, so a point feasible for it is feasible for every `D'`.
//! - Lower: the *optimistic* gap `L_opt`: every row at its best case (`max a_k . q_j - min
//!   a_k . q_k` over the balls, each row choosing on its own) and the floor `mu_k E+_k >= 1` at the
//!   largest expenditure `E+_k`. Any `(u, mu, t)` feasible for some `D'` is feasible for this
//!   relaxation, so `L_opt <= L(D')`. Reported is the objective of its dual weights (a lower
//!   bound on `L_opt` up to the LP's tolerance), or 0 if they are not dual feasible.
//!
//! So on the concentration event `L_opt <= L(true) <= L_rob`, and
//! `|L(true) - L(hat D)| <= max(L_rob - L, L - L_opt)`
//! ([`GapSensitivity::certified_deviation`]): a global statement for that radius, at the price
//! of two LPs.

use rp_lp::{ObservationSet, Rationalization, Structure, additive_gap};
use serde::{Deserialize, Serialize};

use crate::ambiguity::{AmbiguitySpec, ProductBalls};
use crate::closed_form::closed_form;
use crate::concentration::check_radius;
use crate::error::RobustError;
use crate::problem::Problem;
use crate::robust_gap::RobustOptions;
use crate::table::Bias;

/// The nominal gap's sensitivity to the strategies (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GapSensitivity {
    /// The nominal additive gap `L(hat D)`.
    pub gap: f64,
    /// `dL / d beta_k`, one row of `N` per observation (first order, local).
    pub gradient: Vec<Vec<f64>>,
    /// The first-order Lipschitz constant per unit of L1 radius (local; module doc).
    pub lipschitz: f64,
    /// The L1 radius `eps`.
    pub radius: f64,
    /// `lipschitz * eps`: the first-order (not guaranteed) bound on `|L(D') - L(hat D)|`.
    pub first_order_bound: f64,
    /// Certified: `L(D') <= upper` for every `D'` in the balls (the robust gap).
    pub upper: f64,
    /// Certified: `L(D') >= lower` for every `D'` in the balls (the optimistic gap's dual).
    pub lower: f64,
    /// `max(upper - gap, gap - lower)`: certified bound on `|L(D') - L(hat D)|`.
    pub certified_deviation: f64,
}

/// The sensitivity of `empirical`'s nominal additive gap (structure `opts.structure`) for an L1
/// radius `eps` (module doc); the method and verification options are not used (the bounds
/// are closed-form programs). [`RobustError::NullInBall`] if the balls reach the all-null
/// profile.
pub fn gap_sensitivity(
    empirical: &ObservationSet,
    eps: f64,
    opts: &RobustOptions,
) -> Result<GapSensitivity, RobustError> {
    opts.check()?;
    check_radius(eps, "nonnegative")?;
    let nominal = additive_gap(empirical, &opts.gap_options())?;
    let primal = &nominal.certificate.primal;
    let weights: Vec<(usize, usize, usize, f64)> = nominal
        .certificate
        .dual
        .iter()
        .flat_map(|d| d.weights.iter().map(|w| (w.agent, w.from, w.to, w.weight)))
        .collect();
    let norm = empirical.normalized();
    let blocks = utility_blocks(&norm, opts.structure);
    let gradient = gradient(&norm, &blocks, primal, &weights);
    let lipschitz = lipschitz(&norm, &gradient);
    let balls = ProductBalls::new(empirical, &AmbiguitySpec::l1(eps))?;
    let backend = opts.backend.solver()?;
    let bound = |bias| -> Result<f64, RobustError> {
        let problem = Problem::new(empirical, &balls, opts, bias)?;
        let run = closed_form(&problem, backend.as_ref(), opts.generation)?;
        match bias {
            Bias::Pessimistic => Ok(run.slack),
            Bias::Optimistic => run.dual_value(),
        }
    };
    let upper = bound(Bias::Pessimistic)?.max(nominal.value);
    let lower = bound(Bias::Optimistic)?.clamp(0.0, nominal.value);
    Ok(GapSensitivity {
        gap: nominal.value,
        gradient,
        lipschitz,
        radius: eps,
        first_order_bound: lipschitz * eps,
        upper,
        lower,
        certified_deviation: (upper - nominal.value).max(nominal.value - lower),
    })
}

/// The profile indices of each utility: its agent's block, or everything for `Joint`.
fn utility_blocks(norm: &ObservationSet, structure: Structure) -> Vec<std::ops::Range<usize>> {
    match structure {
        Structure::Joint => std::iter::once(0..norm.dim()).collect(),
        _ => norm.blocks().collect(),
    }
}

/// The envelope-theorem gradient of the module doc, on normalized data (`e_k = 1`).
fn gradient(
    norm: &ObservationSet,
    blocks: &[std::ops::Range<usize>],
    primal: &Rationalization,
    weights: &[(usize, usize, usize, f64)],
) -> Vec<Vec<f64>> {
    let mut g = vec![vec![0.0; norm.dim()]; norm.len()];
    for &(v, k, j, w) in weights {
        let c = w * primal.multiplier(v, k);
        let b = blocks[v].clone();
        let alpha = norm.probe(k);
        let d: f64 = b
            .clone()
            .map(|x| alpha[x] * (norm.strategy(j)[x] - norm.strategy(k)[x]))
            .sum();
        for x in b {
            g[j][x] -= c * alpha[x];
            g[k][x] += c * alpha[x];
        }
        for (x, a) in alpha.iter().enumerate() {
            g[k][x] += c * d * a;
        }
    }
    g
}

/// `sum_{i,k} span(g^i_k, 0) / 2` (module doc).
fn lipschitz(norm: &ObservationSet, gradient: &[Vec<f64>]) -> f64 {
    let mut total = 0.0;
    for row in gradient {
        for b in norm.blocks() {
            let hi = row[b.clone()].iter().copied().fold(0.0, f64::max);
            let lo = row[b].iter().copied().fold(0.0, f64::min);
            total += (hi - lo) / 2.0;
        }
    }
    total
}
