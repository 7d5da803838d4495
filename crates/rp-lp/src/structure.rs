//! The three welfare structures of THEORY §3 (`Separable`, `PerAgent`, `Joint`).
//!
//! A structure fixes which utilities the test may use and so which linear system it solves:
//! one utility per agent with one multiplier per game (`Separable`, the default and the one the
//! designer uses), one utility per agent with per-agent multipliers (`PerAgent`: Pareto
//! optimality with per-game weights, M separate single-agent tests), or one utility over the
//! joint profile (`Joint`: GARP on the joint data).

use serde::{Deserialize, Serialize};

use crate::error::LpError;

/// The welfare structure of the social-optimality test (THEORY §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Structure {
    /// Utilitarian welfare of own-strategy utilities, one multiplier per game (§3.1).
    #[default]
    Separable,
    /// Pareto optimality with per-game weights: one multiplier per agent and game (§3.2).
    PerAgent,
    /// Utilities over the whole profile: GARP on the joint data (§3.3).
    Joint,
}

impl Structure {
    /// The name used in output and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Separable => "separable",
            Self::PerAgent => "per-agent",
            Self::Joint => "joint",
        }
    }

    /// Number of utilities the structure reconstructs for `m` agents (`Joint`: one).
    pub fn utilities(self, m: usize) -> usize {
        match self {
            Self::Joint => 1,
            Self::Separable | Self::PerAgent => m,
        }
    }

    /// Number of multiplier rows `lambda[g][k]` for `m` agents (`PerAgent`: one per agent).
    pub fn multiplier_groups(self, m: usize) -> usize {
        match self {
            Self::PerAgent => m,
            Self::Separable | Self::Joint => 1,
        }
    }

    /// The multiplier group of utility `i`.
    pub fn group_of(self, i: usize) -> usize {
        match self {
            Self::PerAgent => i,
            Self::Separable | Self::Joint => 0,
        }
    }
}

impl std::fmt::Display for Structure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Structure {
    type Err = LpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "separable" => Ok(Self::Separable),
            "per-agent" => Ok(Self::PerAgent),
            "joint" => Ok(Self::Joint),
            other => Err(LpError::InvalidOption(format!(
                "unknown structure {other:?} (expected separable, per-agent or joint)"
            ))),
        }
    }
}
