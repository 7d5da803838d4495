//! Serializable summaries for `rp equilibrium --env spectrum|river|krawczyk-uryasev [--seed S]`.
//!
//! What it is for: one call that builds the named reference game, solves its equilibrium and
//! reports profile, natural residual, multipliers and welfare (and, for the environments, the
//! social optimum and the welfare ratio), as a `serde` value for `--json` and a `Display` for
//! people. What it is not: argument parsing and printing (the CLI does that).
//!
//! For `spectrum` and `river`, the environment is drawn from `seed` and the probe is the first
//! draw of `ChaCha8Rng::seed_from_u64(seed)` on stream 1 (stream 0 drew the parameters); the
//! mechanism is off (`prices` at `phi = 0`). The Krawczyk–Uryasev game has no seed; its welfare
//! is the firms' total profit.

use std::fmt;
use std::str::FromStr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::concave::{GameError, SolverOptions};
use crate::environment::{
    AgentInfo, Environment, EnvironmentConfig, EnvironmentError, EnvironmentKind,
};
use crate::krawczyk_uryasev::KrawczykUryasev;
use crate::mechanism::MechanismClass;

/// The games `rp equilibrium` can solve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferenceGame {
    /// The spectrum environment.
    Spectrum,
    /// The river environment.
    River,
    /// The Krawczyk–Uryasev river-basin game.
    KrawczykUryasev,
}

impl FromStr for ReferenceGame {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "spectrum" => Ok(Self::Spectrum),
            "river" => Ok(Self::River),
            "krawczyk-uryasev" => Ok(Self::KrawczykUryasev),
            other => Err(ReportError::UnknownGame(other.to_string())),
        }
    }
}

/// Why a summary could not be produced.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ReportError {
    /// A name that is not `spectrum`, `river` or `krawczyk-uryasev`.
    #[error("unknown game \"{0}\"; expected spectrum, river or krawczyk-uryasev")]
    UnknownGame(String),
    /// Building or solving an environment failed.
    #[error(transparent)]
    Environment(#[from] EnvironmentError),
    /// Solving the Krawczyk–Uryasev game failed.
    #[error(transparent)]
    Game(#[from] GameError),
}

/// The social optimum next to the equilibrium (environments only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimumSummary {
    /// The welfare-maximizing profile.
    pub profile: Vec<f64>,
    /// Its welfare.
    pub welfare: f64,
    /// `W(equilibrium) / W(optimum)`.
    pub welfare_ratio: f64,
    /// Euclidean distance between equilibrium and optimum.
    pub distance: f64,
}

/// What `rp equilibrium` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EquilibriumSummary {
    /// Which game.
    pub game: ReferenceGame,
    /// The seed (environments only).
    pub seed: Option<u64>,
    /// Agents and their action counts.
    pub agents: Vec<AgentInfo>,
    /// The probe of the game (environments only).
    pub probe: Option<Vec<f64>>,
    /// Mechanism class and parameter in force (environments: prices at 0).
    pub mechanism: Option<(MechanismClass, Vec<f64>)>,
    /// The equilibrium profile.
    pub profile: Vec<f64>,
    /// Multipliers of the shared constraints.
    pub multipliers: Vec<f64>,
    /// Natural residual of the profile.
    pub residual: f64,
    /// Solver iterations.
    pub iterations: usize,
    /// Welfare of the profile (`W`, or total profit for Krawczyk–Uryasev).
    pub welfare: f64,
    /// The social optimum (environments only).
    pub optimum: Option<OptimumSummary>,
}

/// Solves the named reference game (see the module doc for the probe and mechanism used).
pub fn reference_equilibrium(
    game: ReferenceGame,
    seed: u64,
) -> Result<EquilibriumSummary, ReportError> {
    let kind = match game {
        ReferenceGame::Spectrum => EnvironmentKind::Spectrum,
        ReferenceGame::River => EnvironmentKind::River,
        ReferenceGame::KrawczykUryasev => return krawczyk_uryasev(),
    };
    environment_equilibrium(&EnvironmentConfig::new(kind, seed))
}

/// [`reference_equilibrium`] of an environment with explicit sizes (`config.seed` seeds the
/// parameters and the probe), e.g. the sizes a designer uses.
pub fn environment_equilibrium(
    config: &EnvironmentConfig,
) -> Result<EquilibriumSummary, ReportError> {
    let (game, seed) = match config.kind {
        EnvironmentKind::Spectrum => (ReferenceGame::Spectrum, config.seed),
        EnvironmentKind::River => (ReferenceGame::River, config.seed),
    };
    let env = Environment::new(config)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let probe = env.draw_probes(1, &mut rng).remove(0);
    let phi = vec![0.0; env.mechanism(MechanismClass::Prices).dim()];
    let report = env.efficiency(&probe, MechanismClass::Prices, &phi)?;
    Ok(EquilibriumSummary {
        game,
        seed: Some(seed),
        agents: env.agents().to_vec(),
        probe: Some(probe),
        mechanism: Some((MechanismClass::Prices, phi)),
        welfare: report.welfare_equilibrium,
        optimum: Some(OptimumSummary {
            profile: report.optimum.profile,
            welfare: report.welfare_optimum,
            welfare_ratio: report.welfare_ratio,
            distance: report.distance,
        }),
        profile: report.equilibrium.profile,
        multipliers: report.equilibrium.multipliers,
        residual: report.equilibrium.residual,
        iterations: report.equilibrium.iterations,
    })
}

fn krawczyk_uryasev() -> Result<EquilibriumSummary, ReportError> {
    let game = KrawczykUryasev;
    let eq = game.solve(&SolverOptions::default())?;
    Ok(EquilibriumSummary {
        game: ReferenceGame::KrawczykUryasev,
        seed: None,
        agents: game
            .firm_names()
            .into_iter()
            .map(|name| AgentInfo { name, actions: 1 })
            .collect(),
        probe: None,
        mechanism: None,
        welfare: game.total_profit(&eq.profile)?,
        profile: eq.profile,
        multipliers: eq.multipliers,
        residual: eq.residual,
        iterations: eq.iterations,
        optimum: None,
    })
}

impl fmt::Display for EquilibriumSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut start = 0;
        for agent in &self.agents {
            let block = &self.profile[start..start + agent.actions];
            start += agent.actions;
            let values: Vec<String> = block.iter().map(|v| format!("{v:.6}")).collect();
            writeln!(f, "{:<10} {}", agent.name, values.join(" "))?;
        }
        let multipliers: Vec<String> = self.multipliers.iter().map(|v| format!("{v:.6}")).collect();
        writeln!(f, "multipliers {}", multipliers.join(" "))?;
        writeln!(
            f,
            "residual {:.3e} after {} iterations",
            self.residual, self.iterations
        )?;
        write!(f, "welfare {:.6}", self.welfare)?;
        if let Some(opt) = &self.optimum {
            write!(
                f,
                "\nsocial optimum welfare {:.6}, ratio {:.4}, distance {:.4}",
                opt.welfare, opt.welfare_ratio, opt.distance
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_for_every_reference_game() {
        for name in ["spectrum", "river", "krawczyk-uryasev"] {
            let game: ReferenceGame = name.parse().unwrap();
            let s = reference_equilibrium(game, 5).unwrap();
            assert!(s.residual <= 1e-9);
            let json = serde_json::to_string(&s).unwrap();
            assert!(json.contains(name), "{json}");
            let back: EquilibriumSummary = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s);
            let text = s.to_string();
            assert!(
                text.contains("residual") && text.contains("welfare"),
                "{text}"
            );
            if game != ReferenceGame::KrawczykUryasev {
                let ratio = s.optimum.as_ref().map(|o| o.welfare_ratio).unwrap_or(1.0);
                assert!(ratio < 1.0 && ratio > 0.5, "{ratio}");
            }
        }
        assert!("lake".parse::<ReferenceGame>().is_err());
    }

    #[test]
    fn same_seed_same_summary() {
        let a = reference_equilibrium(ReferenceGame::River, 8).unwrap();
        let b = reference_equilibrium(ReferenceGame::River, 8).unwrap();
        assert_eq!(a, b);
    }
}
