//! # rp-game: games, equilibria, mechanisms and the reference environments
//!
//! What it is for: computing the equilibria a designer observes (THEORY §5–§6): concave games
//! with coupled linear constraints and their variational (Rosen-normalized) equilibria, the
//! social optimum used as ground truth, finite normal-form games with Nash equilibria of
//! certified regret, Gambit `.nfg` input and output, Nash sampling, mechanism parameterizations
//! and the `spectrum` and `river` environments.
//!
//! What it is not: it knows nothing of revealed preferences, Pareto gaps or policy search; the
//! designer (`rp-design`) ties those to the games.
//!
//! Where to start (concave side):
//! - [`environment::Environment`]: build `spectrum` or `river` from an
//!   [`environment::EnvironmentConfig`], draw probes, solve equilibria under a
//!   [`mechanism::MechanismClass`] and parameter `phi`, and (evaluation only) the social optimum,
//!   the welfare and the canceling `phi*`.
//! - [`concave::variational_equilibrium`] / [`concave::social_optimum`] for any
//!   [`concave::ConcaveGame`] or [`concave::Welfare`] on a [`concave::FeasibleSet`], returning a
//!   [`concave::VariationalEquilibrium`] certified by its natural residual.
//! - [`sampling::nash_sample`] for empirical strategies; [`report::reference_equilibrium`] for
//!   `rp equilibrium`.

pub mod concave;
pub mod environment;
pub mod finite;
pub mod krawczyk_uryasev;
pub mod mechanism;
pub mod report;
pub mod sampling;
