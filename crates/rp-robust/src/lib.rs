//! # rp-robust: finite samples, concentration and the distributionally robust Pareto gap
//!
//! What it is for (THEORY §8): when the designer sees only `S` sampled actions per agent and
//! game instead of the equilibrium's mixed strategies, this crate says how far the empirical
//! strategies can be from the true ones and computes a Pareto gap that is robust to it:
//!
//! - [`concentration`]: the L1 radius `eps(S, m, delta)` holding for every agent and game with
//!   probability `>= 1 - delta` (Weissman et al. 2003 with a union bound), and its inverse
//!   ([`radius_for`], [`samples_for`]).
//! - [`wasserstein`]: 1-Wasserstein balls on an agent's outcomes (actions and the null action),
//!   0-1 or user ground metric, and their support functions (greedy, transport LP, dual).
//! - [`ambiguity`]: the product of one ball per (agent, observation) around the empirical
//!   strategies ([`ProductBalls`], [`AmbiguitySpec`]).
//! - [`robust_gap`](mod@robust_gap): `L_rob`, the additive gap of §4 required to hold for every
//!   strategy profile in the balls, by its closed form or by the exchange method, with a
//!   certificate ([`certificate`]) and an independent verifier ([`verify`]). If the true
//!   strategies lie in the balls, the true gap is at most `L_rob`.
//! - [`sensitivity`]: the first-order (local) Lipschitz constant of the nominal gap in the
//!   strategies from the LP's dual, and certified bounds on the gap over the balls.
//!
//! The designer calls [`robust_gap()`] on its empirical [`ObservationSet`] with
//! [`AmbiguitySpec::confidence`]`(S, delta)`; [`radius_for`] gives the radius alone:
//!
//! ```
//! use rp_lp::ObservationSet;
//! use rp_robust::{AmbiguitySpec, RobustOptions, radius_for, robust_gap};
//!
//! // One agent with two actions in two games; strategies are action frequencies from S
//! // samples (the null action has the rest of the mass).
//! let empirical = ObservationSet::single_agent(
//!     vec![vec![1.0, 2.0], vec![2.0, 1.0]],
//!     vec![vec![0.1, 0.4], vec![0.4, 0.1]],
//! )?;
//! let (samples, delta) = (20_000, 0.05);
//! let eps = radius_for(samples, &[3], 2, delta)?; // m = n + 1 = 3 outcomes, K = 2 games
//! let spec = AmbiguitySpec::confidence(samples, delta);
//! let gap = robust_gap(&empirical, &spec, &RobustOptions::default())?;
//! assert_eq!(gap.radius.l1, Some(eps));
//! assert!(gap.value >= gap.nominal.unwrap_or(0.0));
//! assert!(gap.verification.is_some_and(|v| v.verified));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What it is not: a sampler (Nash sampling is in `rp-game`), a gap solver for exact data (that
//! is `rp-lp`, which this crate uses through its public LP backend and gap API), or the robust
//! designer loop (that is `rp-design`). It covers the additive gap only, not the efficiency gap.
//!
//! [`ObservationSet`]: rp_lp::ObservationSet

#![warn(missing_docs)]

pub mod ambiguity;
pub mod certificate;
mod closed_form;
pub mod concentration;
pub mod error;
mod exchange;
mod problem;
mod program;
pub mod robust_gap;
pub mod sensitivity;
mod table;
pub mod verify;
pub mod wasserstein;

pub use ambiguity::{
    AmbiguitySpec, MetricSpec, ProductBalls, Radius, RadiusReport, outcome_counts,
    outcome_distribution,
};
pub use certificate::{
    FloorScenario, RobustCertificate, RobustDual, RobustPoint, WeightedScenario,
};
pub use concentration::{
    deviation_probability, log_union_weight, radius_for, samples_for, union_failure_probability,
};
pub use error::RobustError;
pub use robust_gap::{ExchangeStats, Method, RobustGap, RobustOptions, robust_gap, robust_gap_in};
pub use sensitivity::{GapSensitivity, gap_sensitivity};
pub use table::Oracle;
pub use verify::{RobustFailure, RobustVerification, verify_robust};
pub use wasserstein::{
    GroundMetric, MetricError, MetricMatrix, WassersteinBall, WorstCase, wasserstein_distance,
};
