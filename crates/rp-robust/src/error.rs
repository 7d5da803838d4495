//! The error type of the crate.
//!
//! Bad numbers (a confidence level outside `(0, 1)`, a negative radius, a strategy that is not
//! a sub-probability vector, a malformed ground metric) and outcomes the mathematics excludes
//! (an ambiguity set reaching the all-null profile, an exchange method that hits its iteration
//! cap) are variants here, never panics. Errors of the LP layer are wrapped.

use rp_lp::{DataError, LpError};
use thiserror::Error;

use crate::wasserstein::MetricError;

/// Why a computation of this crate produced no answer.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum RobustError {
    /// A sample size of 0.
    #[error("need at least one sample per agent and game (S >= 1)")]
    NoSamples,
    /// A confidence parameter outside the open interval `(0, 1)`.
    #[error("confidence parameter delta = {0} must lie strictly between 0 and 1")]
    Delta(f64),
    /// A radius that is negative or not finite (or 0 where a positive one is needed).
    #[error("radius {value} must be finite and {requirement}")]
    Radius {
        /// The offending value.
        value: f64,
        /// `"nonnegative"` or `"positive"`.
        requirement: &'static str,
    },
    /// An agent with fewer than two outcomes (every agent has at least one action and the null).
    #[error(
        "agent {agent} has {outcomes} outcomes; at least 2 (one action and the null action) are \
         needed"
    )]
    Outcomes {
        /// Agent index.
        agent: usize,
        /// Its number of outcomes `m_i`.
        outcomes: usize,
    },
    /// An empty list where at least one entry is needed.
    #[error("{0}: the list is empty")]
    Empty(&'static str),
    /// The number of samples needed does not fit in a `usize`.
    #[error("about {0:e} samples would be needed, more than can be counted")]
    SampleOverflow(f64),
    /// A vector that should be a probability distribution is not one.
    #[error("{what}: not a probability distribution ({detail})")]
    Distribution {
        /// Which vector.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A direction or distribution of the wrong length.
    #[error("{what} has {got} entries, expected {expected}")]
    Length {
        /// Which vector.
        what: &'static str,
        /// Entries found.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// A malformed ground metric.
    #[error(transparent)]
    Metric(#[from] MetricError),
    /// A ground metric list that does not match the agents.
    #[error("{got} ground metrics for {expected} agents")]
    MetricCount {
        /// Metrics given.
        got: usize,
        /// Agents.
        expected: usize,
    },
    /// An empirical strategy that is not a mixed strategy (a block summing to more than 1).
    #[error(
        "observation {obs}, agent {agent}: the strategy sums to {sum} > 1, so it is not a mixed \
         strategy with a null action; the robust gap needs outcome distributions"
    )]
    NotAStrategy {
        /// Observation index.
        obs: usize,
        /// Agent index.
        agent: usize,
        /// Sum of the block.
        sum: f64,
    },
    /// The ambiguity set of an observation contains the all-null profile.
    #[error(
        "observation {obs}: every agent's ambiguity ball reaches the null action, so the set \
         contains the all-null profile (expenditure 0), which reveals nothing; use more samples \
         or a smaller radius"
    )]
    NullInBall {
        /// Observation index.
        obs: usize,
    },
    /// The exchange method reached its iteration cap.
    #[error(
        "the exchange method did not converge in {iterations} iterations ({scenarios} scenarios \
         added, largest violation {violation:e})"
    )]
    NoConvergence {
        /// LP solves made.
        iterations: usize,
        /// Scenarios added.
        scenarios: usize,
        /// The largest worst-case violation at the last point.
        violation: f64,
    },
    /// An option out of its range (the message names it).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The data were rejected.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The LP layer failed.
    #[error(transparent)]
    Lp(#[from] LpError),
}
