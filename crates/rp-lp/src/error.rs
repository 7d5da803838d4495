//! The error type of the LP layer (tests, gaps, certificates).
//!
//! Bad data are reported as [`DataError`] (wrapped); everything else that can go wrong on the
//! way to an answer — a malformed linear program, a backend that failed or is not compiled in,
//! an outcome that the mathematics excludes — is a variant here, never a panic.

use thiserror::Error;

use crate::data::DataError;

/// Why an LP-layer computation produced no answer.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum LpError {
    /// The observation set was rejected (too few observations, ...).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A linear program handed to a backend is malformed (the message says where).
    #[error("invalid linear program: {0}")]
    InvalidProgram(String),
    /// An option is out of its range (the message names it).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The backend failed numerically or internally.
    #[error("LP backend {backend} failed: {message}")]
    Backend {
        /// Backend name.
        backend: &'static str,
        /// What it reported.
        message: String,
    },
    /// The backend is not part of this build (e.g. `highs` without the cargo feature).
    #[error("LP backend {0} is not compiled in (enable the cargo feature of the same name)")]
    Unavailable(&'static str),
    /// An LP whose outcome the theory excludes (e.g. a gap LP reported infeasible).
    #[error("{what}: the LP was reported {outcome}, which cannot happen for this program")]
    Unexpected {
        /// Which program.
        what: &'static str,
        /// What was reported.
        outcome: &'static str,
    },
    /// Constraint generation did not converge in the allowed number of rounds.
    #[error("constraint generation did not converge in {rounds} rounds ({rows} rows generated)")]
    NoConvergence {
        /// Rounds run.
        rounds: usize,
        /// Rows generated.
        rows: usize,
    },
}
