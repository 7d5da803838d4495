//! The optimizer's errors: bad setup (settings, box, start point) and failed steps.

use thiserror::Error;

use crate::settings::SettingsError;
use crate::space::SpaceError;

/// Why an optimizer could not be built.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SetupError {
    /// The settings are invalid.
    #[error("invalid SPSA settings: {0}")]
    Settings(#[from] SettingsError),
    /// The start point is not a point of the box.
    #[error("invalid start point: {0}")]
    Start(#[from] SpaceError),
}

/// Which evaluations an error happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Calibrating the step gain `a` at the start point.
    Calibration,
    /// Evaluating `phi+` and `phi-`.
    Perturbation,
    /// Re-evaluating an iterate for best-iterate tracking.
    Reevaluation,
}

/// Why a step (or a run) failed. A failed step leaves the optimizer exactly as it was, so the
/// caller may fix the objective and step again.
#[derive(Debug, Error)]
pub enum StepError<E: std::error::Error + 'static> {
    /// The objective returned an error.
    #[error("objective failed at iteration {t} ({phase:?})")]
    Objective {
        /// The iteration.
        t: u64,
        /// Which evaluations.
        phase: Phase,
        /// The objective's error.
        #[source]
        source: E,
    },
    /// The objective returned a NaN or infinite loss.
    #[error("objective returned a non-finite loss {value} at iteration {t} ({phase:?})")]
    NonFiniteLoss {
        /// The iteration.
        t: u64,
        /// Which evaluations.
        phase: Phase,
        /// The loss.
        value: f64,
    },
    /// The objective's `evaluate_batch` returned the wrong number of losses (a bug in an
    /// overriding implementation).
    #[error("objective returned {found} losses for {expected} queries at iteration {t}")]
    BatchLength {
        /// The iteration.
        t: u64,
        /// Queries sent.
        expected: usize,
        /// Losses returned.
        found: usize,
    },
    /// The gradient estimate overflowed (a loss difference too large for `f64`).
    #[error("the gradient estimate overflowed at iteration {t}")]
    NonFiniteGradient {
        /// The iteration.
        t: u64,
    },
}
