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
//!
//! # Example
//!
//! In `river`, the corrective transfer that cancels the firms' interaction makes the
//! equilibrium socially optimal; without a mechanism (`phi = 0`) it is not:
//!
//! ```
//! use rand::SeedableRng;
//! use rand_chacha::ChaCha8Rng;
//! use rp_game::environment::{Environment, EnvironmentConfig, EnvironmentKind};
//! use rp_game::mechanism::MechanismClass;
//!
//! let env = Environment::new(&EnvironmentConfig::new(EnvironmentKind::River, 0))?;
//! let probe = env.draw_probes(1, &mut ChaCha8Rng::seed_from_u64(7)).remove(0);
//! let optimum = env.social_optimum(&probe, None)?;
//! let distance = |phi: &[f64]| -> Result<f64, Box<dyn std::error::Error>> {
//!     let eq = env.equilibrium(&probe, MechanismClass::Corrective, phi, None)?;
//!     Ok(eq.profile.iter().zip(&optimum.profile).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max))
//! };
//! assert!(distance(&env.canceling_phi())? < 1e-6);
//! assert!(distance(&vec![0.0; env.canceling_phi().len()])? > 1e-3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod concave;
pub mod environment;
pub mod finite;
pub mod krawczyk_uryasev;
pub mod mechanism;
pub mod report;
pub mod sampling;
