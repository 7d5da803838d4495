//! How the designer turns the games of one evaluation into a loss: which observations it forms
//! from the equilibria, and which gap it computes of them (THEORY §4, §8).
//!
//! Three measurements:
//! - [`Measurement::Exact`]: the designer sees the equilibrium mixed strategies themselves and
//!   computes the `Separable` additive gap `L` of THEORY §4.
//! - [`Measurement::Sampled`] (the *plug-in* designer, `"plug_in"` in JSON): it sees `S` i.i.d.
//!   actions per agent and game drawn from `(beta^i, null)` (rp-game's Nash sampling), forms the
//!   empirical strategies `hat beta` and computes the same nominal gap `L(hat D)` of them.
//! - [`Measurement::Robust`]: the same samples; the loss is the distributionally robust gap
//!   `L_rob` of rp-robust over the product of 0-1-metric Wasserstein balls of L1 radius
//!   `eps(S, delta)` ([`rp_robust::radius_for`], the union bound over the `M` agents and the `K`
//!   games *drawn* in that evaluation), by rp-robust's closed form. On the concentration event
//!   (probability `>= 1 - delta` per evaluation) the true gap of those games is `<= L_rob`.
//!
//! Seeds. The samples of game `k` for the `side`-th query of a batch with noise seed `xi` come
//! from the stream `game_seed(xi, k).child(side)` (see [`crate::objective`]): one stream per
//! (iteration, side, game), so the samples do not depend on the thread count, and `phi+` and
//! `phi-` of one SPSA step see the same probes but independent samples (the designer enacts
//! them separately; nothing couples the agents' randomization across the two enactments).
//!
//! Games that reveal nothing are dropped, and counted ([`Observed::dropped`]):
//! - plug-in and robust: a game whose sampled profile has zero expenditure (every agent drew
//!   the null action `S` times) is not an observation (THEORY §1 rejects `e_k = 0`). Redrawing
//!   it would condition the samples on what the designer saw and break the i.i.d. premise of
//!   the concentration bound; dropping keeps the other games' samples untouched.
//! - robust: a game whose balls reach the all-null profile (every agent's empirical active mass
//!   is within the W1 radius `eps / 2` of zero) gives no finite multiplier for the worst case
//!   ([`rp_robust::RobustError::NullInBall`]): it too reveals nothing in the worst case.
//!
//! The radius stays the one of the `K` games drawn (a union bound over more events than are
//! kept is still valid, only conservative), so it depends on `K` alone. An evaluation that keeps
//! fewer than two games has no gap: [`MeasurementError::TooFewInformative`] (it would take
//! mechanisms that silence almost every agent; the reference environments never get there).
//!
//! What it is not: it solves no equilibrium (that is [`crate::objective`]) and no LP of its own
//! (that is `rp-lp` and `rp-robust`).

use rp_game::environment::{AgentInfo, EnvironmentError};
use rp_game::sampling::{SamplingError, nash_sample_seeded};
use rp_lp::{
    Agent, DataError, GapKind, GapOptions, LpError, ObservationSet, ParetoGap, Structure,
    additive_gap, pareto_gap,
};
use rp_policy::NoiseSeed;
use rp_robust::{
    AmbiguitySpec, RobustError, RobustGap, RobustOptions, gap_sensitivity, radius_for, robust_gap,
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
    /// Sampling actions from an equilibrium failed (a profile that is not a mixed strategy).
    #[error("sampling the actions of game {game} failed: {source}")]
    Sampling {
        /// The game (0-based, in the evaluation's order).
        game: usize,
        /// Why.
        #[source]
        source: SamplingError,
    },
    /// Fewer than two games of an evaluation revealed anything (module doc).
    #[error(
        "only {kept} of {games} games revealed anything (the others had zero expenditure in the \
         samples or in their ambiguity balls); a gap needs at least 2: use more samples per \
         agent (--samples) or more games (--games)"
    )]
    TooFewInformative {
        /// Games kept.
        kept: usize,
        /// Games drawn.
        games: usize,
    },
    /// The observations were rejected (e.g. an all-idle profile with zero expenditure).
    #[error("observations rejected: {0}")]
    Data(#[from] DataError),
    /// The gap LP failed.
    #[error("gap LP failed: {0}")]
    Lp(#[from] LpError),
    /// The robust gap failed.
    #[error("robust gap failed: {0}")]
    Robust(#[from] RobustError),
}

/// How observations are formed and the gap computed (module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Measurement {
    /// The designer observes the exact equilibrium strategies and computes the `Separable`
    /// additive gap `L` of THEORY §4 (unverified during the iterations, verified for the
    /// final certificate).
    #[default]
    Exact,
    /// The plug-in designer: empirical strategies from `samples` actions per agent and game,
    /// and their nominal `Separable` additive gap.
    #[serde(rename = "plug_in")]
    Sampled {
        /// `S >= 1`, actions sampled per agent and game.
        samples: usize,
    },
    /// The distributionally robust designer: the same samples and the robust gap `L_rob` over
    /// L1 balls of radius `eps(S, delta)` (0-1 metric).
    Robust {
        /// `S >= 1`, actions sampled per agent and game.
        samples: usize,
        /// `0 < delta < 1`: the balls of one evaluation hold every true strategy with
        /// probability `>= 1 - delta`.
        delta: f64,
    },
}

/// The observations of one evaluation: the games that revealed something, and how many were
/// drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// The observation set of the kept games (in the order drawn).
    pub set: ObservationSet,
    /// `K`, the games drawn (the union bound of the robust radius counts all of them).
    pub games: usize,
    /// Games dropped because they revealed nothing (module doc).
    pub dropped: usize,
}

/// The verified gap of one evaluation, as the final certificate reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasuredCertificate {
    /// The nominal `Separable` additive gap of the observations, verified (rp-lp).
    pub nominal: ParetoGap,
    /// For [`Measurement::Robust`]: `L_rob` with its certificate and rp-robust's verifier's
    /// answer.
    pub robust: Option<RobustGap>,
    /// For [`Measurement::Robust`]: the certified lower bound `L_opt` on the gap of every
    /// profile in the balls (rp-robust's sensitivity), so on the concentration event the true
    /// gap is at least this.
    pub lower: Option<f64>,
}

impl MeasuredCertificate {
    /// The loss value the certificate stands for: `L_rob` for the robust measurement, the
    /// nominal gap otherwise.
    pub fn value(&self) -> f64 {
        self.robust.as_ref().map_or(self.nominal.value, |r| r.value)
    }

    /// Whether every verifier that ran accepted its certificate.
    pub fn verified(&self) -> bool {
        self.nominal.verification.verified
            && self
                .robust
                .as_ref()
                .is_none_or(|r| r.verification.as_ref().is_some_and(|v| v.verified))
    }
}

impl Measurement {
    /// `"exact"`, `"plug_in"` or `"robust"` (the names in `summary.json`).
    pub fn name(&self) -> &'static str {
        match self {
            Measurement::Exact => "exact",
            Measurement::Sampled { .. } => "plug_in",
            Measurement::Robust { .. } => "robust",
        }
    }

    /// `S`, when the designer sees samples.
    pub fn samples(&self) -> Option<usize> {
        match *self {
            Measurement::Exact => None,
            Measurement::Sampled { samples } | Measurement::Robust { samples, .. } => Some(samples),
        }
    }

    /// `delta`, for the robust measurement.
    pub fn delta(&self) -> Option<f64> {
        match *self {
            Measurement::Robust { delta, .. } => Some(delta),
            _ => None,
        }
    }

    /// The L1 radius `eps(S, delta)` of an evaluation of `games` games (robust only).
    pub fn radius(
        &self,
        agents: &[AgentInfo],
        games: usize,
    ) -> Result<Option<f64>, MeasurementError> {
        match *self {
            Measurement::Robust { samples, delta } => {
                let outcomes: Vec<usize> = agents.iter().map(|a| a.actions + 1).collect();
                Ok(Some(radius_for(samples, &outcomes, games, delta)?))
            }
            _ => Ok(None),
        }
    }

    /// The LP options of the nominal gap: `Separable`, additive, default backend and tolerance.
    pub fn gap_options(&self) -> GapOptions {
        GapOptions {
            structure: Structure::Separable,
            kind: GapKind::Additive,
            ..GapOptions::default()
        }
    }

    /// The robust gap's options: `Separable`, closed form; `certify` adds the nominal gap and
    /// rp-robust's verifier (the final certificate), otherwise both are skipped for speed.
    fn robust_options(certify: bool) -> RobustOptions {
        RobustOptions {
            nominal: certify,
            verify: certify,
            ..RobustOptions::default()
        }
    }

    /// What the designer sees of game `game`'s equilibrium `profile` (blocks `blocks`): the
    /// profile itself, or the empirical strategies of `S` actions per agent sampled from the
    /// stream `seed`.
    pub fn sample(
        &self,
        profile: &[f64],
        blocks: &[usize],
        seed: NoiseSeed,
        game: usize,
    ) -> Result<Vec<f64>, MeasurementError> {
        match self.samples() {
            None => Ok(profile.to_vec()),
            Some(samples) => nash_sample_seeded(profile, blocks, samples, seed.value())
                .map(|s| s.empirical)
                .map_err(|source| MeasurementError::Sampling { game, source }),
        }
    }

    /// The observation set the designer sees: probe `k` with profile `k` (as returned by
    /// [`Measurement::sample`]), without the games that reveal nothing (module doc).
    pub fn observe(
        &self,
        agents: &[AgentInfo],
        probes: Vec<Vec<f64>>,
        profiles: Vec<Vec<f64>>,
    ) -> Result<Observed, MeasurementError> {
        let games = probes.len();
        let null_mass = self.radius(agents, games)?.map_or(0.0, |eps| eps / 2.0);
        let blocks: Vec<usize> = agents.iter().map(|a| a.actions).collect();
        let (probes, profiles): (Vec<_>, Vec<_>) = probes
            .into_iter()
            .zip(profiles)
            .filter(|(_, beta)| {
                self == &Measurement::Exact || reveals_something(beta, &blocks, null_mass)
            })
            .unzip();
        let dropped = games - probes.len();
        if dropped > 0 {
            tracing::debug!(dropped, games, "games that revealed nothing dropped");
        }
        if probes.len() < 2 && dropped > 0 {
            return Err(MeasurementError::TooFewInformative {
                kept: probes.len(),
                games,
            });
        }
        let agents = agents
            .iter()
            .map(|a| Agent::new(a.name.clone(), a.actions))
            .collect();
        Ok(Observed {
            set: ObservationSet::new(agents, probes, profiles)?,
            games,
            dropped,
        })
    }

    /// The loss of one evaluation: the gap's value (unverified, for speed inside iterations).
    pub fn gap(&self, obs: &Observed) -> Result<f64, MeasurementError> {
        match self {
            Measurement::Robust { .. } => Ok(self.robust(obs, false)?.value),
            _ => Ok(additive_gap(&obs.set, &self.gap_options())?.value),
        }
    }

    /// The gap with its certificates and the independent verifiers' answers (for the verdict).
    pub fn certified_gap(&self, obs: &Observed) -> Result<MeasuredCertificate, MeasurementError> {
        let nominal = pareto_gap(&obs.set, &self.gap_options())?;
        let (robust, lower) = match self {
            Measurement::Robust { .. } => {
                let eps = self.eps(obs)?;
                let lower = gap_sensitivity(&obs.set, eps, &Self::robust_options(false))?.lower;
                (Some(self.robust(obs, true)?), Some(lower))
            }
            _ => (None, None),
        };
        Ok(MeasuredCertificate {
            nominal,
            robust,
            lower,
        })
    }

    /// The L1 radius of `obs` (robust only; 0 otherwise).
    fn eps(&self, obs: &Observed) -> Result<f64, MeasurementError> {
        let outcomes: Vec<usize> = obs.set.agents().iter().map(|a| a.actions + 1).collect();
        match *self {
            Measurement::Robust { samples, delta } => {
                Ok(radius_for(samples, &outcomes, obs.games, delta)?)
            }
            _ => Ok(0.0),
        }
    }

    fn robust(&self, obs: &Observed, certify: bool) -> Result<RobustGap, MeasurementError> {
        let spec = AmbiguitySpec::l1(self.eps(obs)?);
        Ok(robust_gap(&obs.set, &spec, &Self::robust_options(certify))?)
    }
}

/// Whether a sampled profile reveals anything: some agent's active mass exceeds `null_mass`
/// (0 for the plug-in: a positive expenditure; `eps / 2` for the robust balls, with a relative
/// margin of `1e-9` so that round-off never leaves a ball that touches the all-null profile).
fn reveals_something(beta: &[f64], blocks: &[usize], null_mass: f64) -> bool {
    let mut start = 0;
    blocks.iter().any(|&n| {
        let mass: f64 = beta[start..start + n].iter().sum();
        start += n;
        mass > null_mass * (1.0 + 1e-9)
    })
}
