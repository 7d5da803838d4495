//! Errors of the concave-game layer: malformed sets or points, failed projections and solver
//! runs that did not reach their tolerance.

use thiserror::Error;

/// Why a projection, equilibrium or optimum could not be computed.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum GameError {
    /// The feasible set is malformed (the message says how).
    #[error("invalid feasible set: {0}")]
    InvalidSet(String),
    /// The feasible set has no point.
    #[error("the feasible set is empty")]
    EmptySet,
    /// A vector of the wrong length.
    #[error("{what} has {got} entries, expected {expected}")]
    Dimension {
        /// What was passed.
        what: &'static str,
        /// Entries found.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// A vector with a NaN or infinite entry.
    #[error("{what}: entry {index} is {value}, must be finite")]
    NonFinite {
        /// What was passed or computed.
        what: &'static str,
        /// Index of the entry.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The projection QP failed or its answer did not pass the KKT check.
    #[error("projection failed: {0}")]
    Projection(String),
    /// The solver stopped before its natural residual reached the tolerance.
    #[error(
        "no convergence after {iterations} iterations: natural residual {residual:.3e} > tolerance {tolerance:.3e}"
    )]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// Best natural residual reached.
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
    },
    /// An agent index that is not below `M`.
    #[error("agent {agent} does not exist (the game has {agents} agents)")]
    UnknownAgent {
        /// Index asked for.
        agent: usize,
        /// Number of agents `M`.
        agents: usize,
    },
    /// The step size collapsed: `F` is not locally Lipschitz near the iterate (a map with a
    /// singularity, or one that is not continuous).
    #[error("step size underflow: F is not locally Lipschitz near the iterate")]
    StepUnderflow,
    /// Solver options out of range.
    #[error("invalid solver options: {0}")]
    InvalidOptions(String),
}
