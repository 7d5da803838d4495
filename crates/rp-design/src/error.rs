//! The designer's error type: bad input (settings, environment configuration, start point) is
//! told apart from a computation that failed on valid input.

use rp_game::environment::EnvironmentError;
use rp_policy::{SetupError, StepError};
use thiserror::Error;

use crate::measurement::MeasurementError;
use crate::settings::SettingsError;

/// Why a design run could not be set up or finished.
#[derive(Debug, Error)]
pub enum DesignError {
    /// The settings were rejected.
    #[error("invalid design settings: {0}")]
    Settings(#[from] SettingsError),
    /// The environment could not be built (sizes out of range, activity not certified).
    #[error("environment: {0}")]
    Environment(#[from] EnvironmentError),
    /// The optimizer rejected its derived settings or the box.
    #[error("optimizer setup: {0}")]
    Setup(#[from] SetupError),
    /// The ground truth (social optima, equilibria on the evaluation probes) failed.
    #[error("ground truth: {0}")]
    GroundTruth(#[source] EnvironmentError),
    /// An SPSA step failed (its source says which evaluation and why).
    #[error("{}", describe_step(.0))]
    Step(#[from] StepError<MeasurementError>),
    /// A confirming evaluation or the certificate failed.
    #[error("{0}")]
    Measurement(#[from] MeasurementError),
}

/// The step error with its objective's cause (the step error's own message omits it).
fn describe_step(err: &StepError<MeasurementError>) -> String {
    match err {
        StepError::Objective { source, .. } => format!("{err}: {source}"),
        other => other.to_string(),
    }
}

impl DesignError {
    /// Whether the error is bad input (nothing was computed): settings, environment
    /// configuration or the optimizer's setup.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            DesignError::Settings(_)
                | DesignError::Setup(_)
                | DesignError::Environment(EnvironmentError::Config(_))
        )
    }
}
