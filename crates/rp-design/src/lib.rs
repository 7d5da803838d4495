//! # rp-design: Algorithm 1, adaptive mechanism design from revealed preferences
//!
//! What it is for: tying the other crates together (THEORY §7): draw games from an environment,
//! solve their equilibria under a mechanism `phi`, test the observations with the Pareto gap,
//! and tune `phi` by SPSA until the gap vanishes or is certified to stay positive.
//!
//! - [`DesignSettings`]: everything that determines a run (serde, documented defaults, typed
//!   validation).
//! - [`Designer`]: built from the settings ([`Designer::new`] checks them and builds the
//!   environment without solving anything), run with [`Designer::run`] and a
//!   [`DesignObserver`] for progress. Returns a [`DesignReport`]: the [`Summary`] and one
//!   [`IterationRecord`] per iteration.
//! - [`GapObjective`]: the loss `L(phi, xi)` as an `rp-policy` objective (games, equilibria,
//!   observation set, gap), parallel and seeded per game.
//! - [`Measurement`]: how observations are formed and the gap computed: exact strategies, the
//!   plug-in designer on sampled actions, or the distributionally robust designer (THEORY §8).
//! - [`GroundTruth`]: welfare ratio and distance to the social optimum (evaluation only: the
//!   designer never sees it).
//! - [`study`]: the finite-sample study (plug-in vs robust vs exact, issue 5), reusable by
//!   the figures.
//! - [`output`]: `summary.json`, `trajectory.csv` and SVG plots, written atomically.
//!
//! What it is not: it owns no mathematics of its own beyond the loop; revealed preferences live
//! in [`lp`] (`rp-lp`), games in [`game`] (`rp-game`), the optimizer in [`policy`]
//! (`rp-policy`), concentration and robust gaps in [`robust`] (`rp-robust`). They are
//! re-exported so a binary needs only this crate.
//!
//! # Example
//!
//! A small run of Algorithm 1 on `spectrum` with the corrective mechanism (the CLI's
//! `rp design` runs the same loop with larger defaults):
//!
//! ```
//! use rp_design::game::environment::EnvironmentKind;
//! use rp_design::game::mechanism::MechanismClass;
//! use rp_design::{DesignSettings, Designer};
//!
//! let mut settings = DesignSettings::new(EnvironmentKind::Spectrum, MechanismClass::Corrective);
//! settings.iterations = 5;
//! settings.probing.initial_games = 8;
//! settings.probing.max_games = 16;
//! let report = Designer::new(settings)?.run(&mut ())?;
//! assert_eq!(report.trajectory.len() as u64, report.summary.iterations);
//! // Whatever the verdict, the gap at the best mechanism comes with a verified certificate.
//! assert!(report.summary.certificate.verification.verified);
//! assert!(report.summary.best.gap.is_finite() && report.summary.best.gap >= 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod designer;
pub mod error;
pub mod measurement;
pub mod objective;
pub mod output;
pub mod report;
pub mod settings;
pub mod study;
pub mod truth;

pub use designer::{DesignObserver, Designer, Phase, SUMMARY_SCHEMA};
pub use error::DesignError;
pub use measurement::{MeasuredCertificate, Measurement, MeasurementError, Observed};
pub use objective::{GapObjective, Work, draw_games, game_seed, sample_seed};
pub use report::{
    DesignReport, Evaluations, IterationRecord, PointReport, RadiusAtGames, Summary, Verdict,
    WallTime,
};
pub use settings::{
    DesignSettings, EnvironmentSettings, EvaluationSettings, GainSettings, LOW_POWER_GAMES,
    MAX_GAMES, MAX_SAMPLES, ProbingSettings, SampleCoupling, SettingsError, VerdictSettings,
};
pub use truth::{Assessment, GroundTruth};

pub use rp_game as game;
pub use rp_lp as lp;
pub use rp_policy as policy;
pub use rp_robust as robust;
