//! # rp-policy: SPSA and annealed SPSA over a box, for any noisy objective
//!
//! What it is for: minimizing a loss that can only be *sampled* — `L(phi, xi)` at mechanism
//! parameters `phi` under a random environment `xi` — over a box `Phi`, by simultaneous
//! perturbation stochastic approximation (Spall 1992), optionally with annealing noise
//! (Gelfand & Mitter 1991; Maryak & Chin 2008). This is the policy-search half of the adaptive
//! mechanism designer of THEORY §7: the designer's Pareto gap is one such objective.
//!
//! - [`NoisyObjective`]: the loss, which may fail with its own typed error. The optimizer picks
//!   the environment through a [`NoiseSeed`], using one seed for both sides of a perturbation
//!   (common random numbers), and asks for evaluations in batches an objective may parallelize.
//! - [`ParameterBox`]: `Phi`, validated, with projection.
//! - [`SpsaSettings`]: `T`, the gains `a_t`, `c_t`, `b_t`, best-iterate tracking; serde data
//!   with THEORY's defaults and typed validation.
//! - [`Spsa`]: the optimizer, as a stepper ([`Spsa::step`]: the caller owns the loop and may
//!   change the objective between steps) or a loop ([`Spsa::run`] with an [`Observer`]). It
//!   keeps the best iterate by *re-evaluated* loss, and draws everything from its own seed:
//!   same seed, same trajectory.
//!
//! What it is not: it knows nothing of games, revealed preferences or Pareto gaps (`rp-design`
//! wraps those into an objective), does no parallelism of its own (the objective does), and is
//! not a general optimization library: no constraints beyond a box, no deterministic methods.
//!
//! # Example
//!
//! Minimize `(phi_1 - 0.3)^2 + (phi_2 + 0.2)^2` observed with noise, over `[-1, 1]^2`:
//!
//! ```
//! use rand::RngExt;
//! use rp_policy::{from_fn, NoiseSeed, ParameterBox, Spsa, SpsaSettings};
//!
//! // The environment shifts the minimizer at random: a draw the two sides of a perturbation
//! // share, so their difference keeps the signal and cancels part of the noise.
//! let mut objective = from_fn(|phi: &[f64], noise: NoiseSeed| {
//!     let mut rng = noise.rng();
//!     let xi: [f64; 2] = [rng.random_range(-0.1..0.1), rng.random_range(-0.1..0.1)];
//!     let loss = (phi[0] - 0.3 - xi[0]).powi(2) + (phi[1] + 0.2 - xi[1]).powi(2);
//!     Ok::<f64, std::convert::Infallible>(loss)
//! });
//! let space = ParameterBox::cube(2, -1.0, 1.0)?;
//! let settings = SpsaSettings { a: rp_policy::StepGain::Fixed(0.5), ..SpsaSettings::plain(300) };
//! let mut spsa = Spsa::new(settings, space, vec![-0.8, 0.8], 7)?;
//! let report = spsa.run(&mut objective, &mut ())?;
//! let best = &report.best.phi;
//! assert!((best[0] - 0.3).abs() < 0.1 && (best[1] + 0.2).abs() < 0.1, "best = {best:?}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod error;
pub mod gains;
pub mod objective;
pub mod observer;
pub mod report;
pub mod settings;
pub mod space;
pub mod spsa;

pub use error::{Phase, SetupError, StepError};
pub use gains::{GainSchedule, Gains};
pub use objective::{FnObjective, NoiseSeed, NoisyObjective, Query, from_fn};
pub use observer::{Observer, TracingObserver};
pub use report::{BestIterate, Reevaluation, RunReport, StepReport};
pub use settings::{BestTracking, ReevaluationNoise, SettingsError, SpsaSettings, StepGain};
pub use space::{ParameterBox, SpaceError};
pub use spsa::Spsa;
