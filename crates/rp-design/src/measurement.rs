//! How the designer turns the games of one evaluation into a loss: which observations it forms
//! from the equilibria, and which gap it computes of them.
//!
//! This is the one extension point for finite samples (THEORY §8, issue 5): a sampled
//! measurement would draw `S` actions per agent and game from the per-(iteration, side, game)
//! stream `game_seed(noise, k).child(side)` (see [`crate::objective`]) and form empirical
//! strategies in [`Measurement::observe`], and a robust one would compute the distributionally
//! robust gap in [`Measurement::gap`]. Only the exact measurement exists today.
//!
//! What it is not: it solves no equilibrium (that is [`crate::objective`]) and no LP of its own
//! (that is `rp-lp`).

use rp_game::environment::{AgentInfo, EnvironmentError};
use rp_lp::{
    Agent, DataError, GapKind, GapOptions, LpError, ObservationSet, ParetoGap, Structure,
    additive_gap, pareto_gap,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why one evaluation of the loss failed.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum MeasurementError {
    /// An equilibrium could not be computed (the solver did not converge, ...).
    #[error("equilibrium of game {game} failed: {source}")]
    Equilibrium {
        /// The game (0-based, in the evaluation's order).
        game: usize,
        /// Why.
        #[source]
        source: EnvironmentError,
    },
    /// The observations were rejected (e.g. an all-idle profile with zero expenditure).
    #[error("observations rejected: {0}")]
    Data(#[from] DataError),
    /// The gap LP failed.
    #[error("gap LP failed: {0}")]
    Lp(#[from] LpError),
}

/// How observations are formed and the gap computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Measurement {
    /// The designer observes the exact equilibrium strategies and computes the `Separable`
    /// additive gap `L` of THEORY §4 (unverified during the iterations, verified for the
    /// final certificate).
    #[default]
    Exact,
}

impl Measurement {
    /// The LP options of the gap: `Separable`, additive, default backend and tolerance.
    pub fn gap_options(&self) -> GapOptions {
        match self {
            Measurement::Exact => GapOptions {
                structure: Structure::Separable,
                kind: GapKind::Additive,
                ..GapOptions::default()
            },
        }
    }

    /// The observation set the designer sees: probe `k` with the agents' blocks of equilibrium
    /// profile `k`.
    pub fn observe(
        &self,
        agents: &[AgentInfo],
        probes: Vec<Vec<f64>>,
        profiles: Vec<Vec<f64>>,
    ) -> Result<ObservationSet, MeasurementError> {
        match self {
            Measurement::Exact => {
                let agents = agents
                    .iter()
                    .map(|a| Agent::new(a.name.clone(), a.actions))
                    .collect();
                Ok(ObservationSet::new(agents, probes, profiles)?)
            }
        }
    }

    /// The loss of one evaluation: the gap's value (unverified, for speed inside iterations).
    pub fn gap(&self, obs: &ObservationSet) -> Result<f64, MeasurementError> {
        match self {
            Measurement::Exact => Ok(additive_gap(obs, &self.gap_options())?.value),
        }
    }

    /// The gap with its certificate and the independent verifier's answer (for the verdict).
    pub fn certified_gap(&self, obs: &ObservationSet) -> Result<ParetoGap, MeasurementError> {
        match self {
            Measurement::Exact => Ok(pareto_gap(obs, &self.gap_options())?),
        }
    }
}
