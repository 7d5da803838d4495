//! The distributionally robust Pareto gap `L_rob` of THEORY §8.
//!
//! `L_rob = min r` over `(u, lambda, r >= 0)` such that every row of the additive gap of §4
//!
//! ```text
//!   u^v_j - u^v_k - mu_k alpha^v_k . (beta^v_j - beta^v_k) <= r        (all v, j != k)
//! ```
//!
//! holds for *every* strategy profile in the product of the balls ([`ProductBalls`]), with
//! `beta^v` the blocks of utility `v`'s agents (one agent for `Separable` and `PerAgent`, all of
//! them for `Joint`).
//!
//! ## The normalization `e_k = 1` under uncertainty
//!
//! §4 divides each probe by its expenditure `e_k = alpha_k . beta_k` and floors the multiplier
//! at 1; with uncertain strategies `e_k` is uncertain too. We keep the §4 program *as a
//! statement about every profile in the balls*: in raw units the floor is `mu_k e_k >= 1`
//! (`lambda_k = mu_k e_k` on normalized data), and it must hold for every `beta_k` in the balls,
//! i.e. `mu_k E_k >= 1` with `E_k = min_{beta_k in balls} alpha_k . beta_k`. Equivalently each
//! probe is rescaled by a fixed positive number, its *worst-case* expenditure `E_k` (not the
//! empirical one). This is what makes the coverage claim exact: if the true strategies lie in
//! the balls, any robust-feasible `(u, mu, r)` is feasible for the §4 program of the true data
//! (`lambda_k = mu_k e_k >= mu_k E_k >= 1`), so `L(true) <= L_rob`. Rescaling a probe rescales
//! `E_k` with it, so the gap is still invariant under positive rescaling of any probe; and with
//! radius 0, `E_k = e_k` and the program is §4's exactly. If a ball reaches the all-null
//! profile (`E_k = 0`) no multiplier works: [`RobustError::NullInBall`].
//!
//! ## Closed form for product balls
//!
//! Every row involves two different observations (`j != k`), whose balls are independent, and
//! `mu_k >= 0`; so the row holds for all profiles iff it holds at its worst case
//! `max alpha . beta_k - min alpha . beta_j`, i.e. with the coefficient
//! `D^v_kj = sum_{i in v} (min_{B^i_j} c^i_k . q - max_{B^i_k} c^i_k . q)`, two support functions
//! of the balls ([`crate::wasserstein`]). The robust program is then the §4 program with
//! coefficients `D^v_kj / E_k` (probes normalized by `hat e_k` first, for scale), solved by
//! constraint generation like rp-lp's nominal gap ([`Method::ClosedForm`]).
//!
//! ## Exchange method
//!
//! The semi-infinite program solved as such (Hettich & Kortanek 1993; [`Method::Exchange`],
//! internal module `exchange`): a finite set of scenarios (explicit distributions), the LP of
//! their rows, the worst case of every row and floor at the LP's point from the oracle, the
//! violated scenarios added, until the largest violation is within the tolerance. It never uses
//! `E_k` or `D` as coefficients, only the scenarios' own inner products; both methods must agree.
//!
//! ## How conservative
//!
//! `L_rob = min_{(u, lambda)} max_{rows, beta in balls} excess` while the largest true gap the
//! balls allow is `max_{beta in balls} L(beta) = max_beta min_{(u, lambda)} max_rows excess`, so
//! `L_rob >= max_beta L(beta)`, usually strictly: each row and each floor takes its own worst
//! case of the same strategy (`beta_k` is dear in the rows of budget `k`, cheap in the rows of
//! other budgets and in the floor). It is the price of a certificate that is one LP; the
//! coverage claim only needs the inequality. [`crate::sensitivity`] gives the first-order size
//! of `max_beta L(beta) - L(hat beta)` for comparison.
//!
//! The reported value is, as in rp-lp, `max(0, largest robust row excess)` at the final point
//! (with every floor satisfied): an upper bound attained by an explicit point, whatever the LP's
//! round-off. It is set to exactly 0 when within the one [`Tolerance`] of 0, relative to the
//! point's magnitude.

use rp_lp::{Backend, GapOptions, Generation, ObservationSet, Structure, Tolerance};
use serde::{Deserialize, Serialize};

use crate::ambiguity::{AmbiguitySpec, ProductBalls, RadiusReport};
use crate::certificate::RobustCertificate;
use crate::closed_form::closed_form;
use crate::error::RobustError;
use crate::problem::Problem;
use crate::table::{Bias, Oracle};
use crate::verify::{RobustVerification, verify_robust};

/// How the semi-infinite program is solved (module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Support functions give every row's worst case; constraint generation (the default).
    #[default]
    ClosedForm,
    /// The exchange method on explicit scenarios.
    Exchange,
}

/// Options of [`robust_gap`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustOptions {
    /// Welfare structure (default `Separable`).
    pub structure: Structure,
    /// Closed form or exchange method (default closed form).
    pub method: Method,
    /// How worst cases over a ball are found (default: greedy under the 0-1 metric).
    pub oracle: Oracle,
    /// LP backend (default clarabel, which gives the duals of the certificate).
    pub backend: Backend,
    /// The one tolerance (default `1e-9`).
    pub tolerance: Tolerance,
    /// Rows added per (utility, observation) and round, and the closed form's round cap.
    pub generation: Generation,
    /// The exchange method's iteration cap (LP solves; default 500).
    pub max_iterations: usize,
    /// Also compute the nominal gap of the empirical data with rp-lp (default true).
    pub nominal: bool,
    /// Verify the certificate (default true).
    pub verify: bool,
}

impl Default for RobustOptions {
    fn default() -> Self {
        Self {
            structure: Structure::Separable,
            method: Method::ClosedForm,
            oracle: Oracle::Auto,
            backend: Backend::default(),
            tolerance: Tolerance::default(),
            generation: Generation::default(),
            max_iterations: 500,
            nominal: true,
            verify: true,
        }
    }
}

impl RobustOptions {
    /// The options of rp-lp's nominal gap with the same structure, backend, tolerance and
    /// constraint generation.
    pub fn gap_options(&self) -> GapOptions {
        GapOptions {
            structure: self.structure,
            backend: self.backend,
            tolerance: self.tolerance,
            generation: self.generation,
            ..GapOptions::default()
        }
    }

    pub(crate) fn check(&self) -> Result<(), RobustError> {
        if self.generation.max_rounds == 0 || self.max_iterations == 0 {
            return Err(RobustError::InvalidOption(
                "generation.max_rounds and max_iterations must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// What the exchange method did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExchangeStats {
    /// LP solves.
    pub iterations: usize,
    /// Row scenarios added.
    pub scenarios: usize,
    /// Floor (worst-case expenditure) scenarios added.
    pub floor_scenarios: usize,
    /// The largest worst-case violation at the last LP point (0 when none).
    pub final_violation: f64,
}

/// A robust gap, its certificate and the verifier's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustGap {
    /// `L_rob >= 0`.
    pub value: f64,
    /// The certificate dual's objective (`<= value`; 0 without a dual).
    pub lower_bound: f64,
    /// The nominal additive gap of the empirical data (rp-lp), if requested.
    pub nominal: Option<f64>,
    /// The structure.
    pub structure: Structure,
    /// The method used.
    pub method: Method,
    /// The radius of the balls.
    pub radius: RadiusReport,
    /// LP solves.
    pub rounds: usize,
    /// Rows of the final LP.
    pub rows: usize,
    /// The exchange method's statistics (for [`Method::Exchange`]).
    pub exchange: Option<ExchangeStats>,
    /// Point, worst-case scenarios and dual.
    pub certificate: RobustCertificate,
    /// The verifier's report, if requested.
    pub verification: Option<RobustVerification>,
}

/// The robust gap of `empirical` for the ambiguity set `ambiguity` (module doc).
pub fn robust_gap(
    empirical: &ObservationSet,
    ambiguity: &AmbiguitySpec,
    opts: &RobustOptions,
) -> Result<RobustGap, RobustError> {
    let balls = ProductBalls::new(empirical, ambiguity)?;
    robust_gap_in(empirical, &balls, opts)
}

/// [`robust_gap`] for balls already built around `empirical`'s strategies.
pub fn robust_gap_in(
    empirical: &ObservationSet,
    balls: &ProductBalls,
    opts: &RobustOptions,
) -> Result<RobustGap, RobustError> {
    opts.check()?;
    empirical.require_at_least(2, "a robust Pareto gap")?;
    if balls.len() != empirical.len() || balls.agents() != empirical.num_agents() {
        return Err(RobustError::Length {
            what: "balls (observations x agents)",
            got: balls.len() * balls.agents(),
            expected: empirical.len() * empirical.num_agents(),
        });
    }
    let backend = opts.backend.solver()?;
    let problem = Problem::new(empirical, balls, opts, Bias::Pessimistic)?;
    let solved = match opts.method {
        Method::ClosedForm => closed_form(&problem, backend.as_ref(), opts.generation)?.solved()?,
        Method::Exchange => crate::exchange::exchange(&problem, backend.as_ref(), opts)?,
    };
    tracing::debug!(value = solved.slack, rows = solved.rows, method = ?opts.method, "robust gap");
    let certificate = problem.certificate(&solved)?;
    let verification = opts
        .verify
        .then(|| verify_robust(empirical, balls, &certificate, opts.tolerance));
    let nominal = match opts.nominal {
        true => Some(nominal_gap(empirical, opts)?),
        false => None,
    };
    Ok(RobustGap {
        value: solved.slack,
        lower_bound: certificate.dual.as_ref().map_or(0.0, |d| d.value),
        nominal,
        structure: opts.structure,
        method: opts.method,
        radius: balls.radius().clone(),
        rounds: solved.rounds,
        rows: solved.rows,
        exchange: solved.exchange,
        certificate,
        verification,
    })
}

fn nominal_gap(empirical: &ObservationSet, opts: &RobustOptions) -> Result<f64, RobustError> {
    Ok(rp_lp::additive_gap(empirical, &opts.gap_options())?.value)
}
