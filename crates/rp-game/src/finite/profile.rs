//! Mixed strategy profiles, expected and deviation payoffs, and regret.
//!
//! Regret of a profile `x` is `max_i (max_a u_i(a, x_{-i}) - u_i(x))`: the largest gain any
//! player can get by a unilateral pure deviation (no mixed deviation does better). It is
//! computed from the deviation payoffs `u_i(a, x_{-i})`, one tensor contraction per player, so
//! the cost is about `n` passes over the payoff tensors; there is no iteration and no tolerance
//! in it, only floating-point rounding.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::game::NormalFormGame;
use super::tensor::contract_except;

/// Tolerance on `|sum_a x_ia - 1|` when a profile is checked: probabilities are dimensionless, so
/// this is absolute. It is the project's default tolerance (`1e-9`).
pub const DISTRIBUTION_TOLERANCE: f64 = 1e-9;

/// Why a profile does not fit a game. Players and strategies are 0-based.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ProfileError {
    /// One strategy vector per player is needed.
    #[error("profile has {found} strategy vectors for {expected} players")]
    PlayerCount {
        /// Players in the game.
        expected: usize,
        /// Vectors given.
        found: usize,
    },
    /// A strategy vector of the wrong length.
    #[error("player {player}'s strategy has {found} entries, expected {expected}")]
    StrategyCount {
        /// The player.
        player: usize,
        /// Strategies of the player.
        expected: usize,
        /// Entries given.
        found: usize,
    },
    /// A negative, NaN or infinite probability.
    #[error(
        "player {player}'s probability of strategy {strategy} is {value}, not a finite number >= 0"
    )]
    BadProbability {
        /// The player.
        player: usize,
        /// The strategy.
        strategy: usize,
        /// The offending value.
        value: f64,
    },
    /// Probabilities that do not sum to 1 (within [`DISTRIBUTION_TOLERANCE`]).
    #[error("player {player}'s probabilities sum to {sum}, not 1")]
    NotADistribution {
        /// The player.
        player: usize,
        /// Their sum.
        sum: f64,
    },
    /// A pure strategy out of range.
    #[error("player {player} has no strategy {strategy}")]
    NoSuchStrategy {
        /// The player.
        player: usize,
        /// The strategy asked for.
        strategy: usize,
    },
}

/// A mixed strategy profile: one probability vector per player.
///
/// Construction does not check it against a game (a profile has no game); every function that
/// uses one with a game checks it first ([`NormalFormGame::check_profile`]). Serializes as a list
/// of lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MixedProfile {
    strategies: Vec<Vec<f64>>,
}

impl MixedProfile {
    /// A profile from one probability vector per player.
    pub fn new(strategies: Vec<Vec<f64>>) -> Self {
        Self { strategies }
    }

    /// Every player mixes uniformly.
    pub fn uniform(game: &NormalFormGame) -> Self {
        Self::new(
            game.strategy_counts()
                .iter()
                .map(|&n| vec![1.0 / n as f64; n])
                .collect(),
        )
    }

    /// The pure profile in which player `i` plays `pure[i]`.
    pub fn pure(game: &NormalFormGame, pure: &[usize]) -> Result<Self, ProfileError> {
        let counts = game.strategy_counts();
        if pure.len() != counts.len() {
            return Err(ProfileError::PlayerCount {
                expected: counts.len(),
                found: pure.len(),
            });
        }
        let mut strategies = Vec::with_capacity(counts.len());
        for (player, (&s, &n)) in pure.iter().zip(counts).enumerate() {
            if s >= n {
                return Err(ProfileError::NoSuchStrategy {
                    player,
                    strategy: s,
                });
            }
            let mut x = vec![0.0; n];
            x[s] = 1.0;
            strategies.push(x);
        }
        Ok(Self::new(strategies))
    }

    /// Player `player`'s probability vector, `None` when out of range.
    pub fn player(&self, player: usize) -> Option<&[f64]> {
        self.strategies.get(player).map(Vec::as_slice)
    }

    /// All probability vectors.
    pub fn strategies(&self) -> &[Vec<f64>] {
        &self.strategies
    }

    /// The probability vectors, by value.
    pub fn into_strategies(self) -> Vec<Vec<f64>> {
        self.strategies
    }

    /// Largest absolute difference of any probability between `self` and `other`; `None` when
    /// their shapes differ.
    pub fn max_abs_difference(&self, other: &Self) -> Option<f64> {
        if self.strategies.len() != other.strategies.len() {
            return None;
        }
        let mut worst: f64 = 0.0;
        for (a, b) in self.strategies.iter().zip(&other.strategies) {
            if a.len() != b.len() {
                return None;
            }
            for (p, q) in a.iter().zip(b) {
                worst = worst.max((p - q).abs());
            }
        }
        Some(worst)
    }

    /// Set entries below zero (rounding residue of a solver) to zero and rescale each player's
    /// vector to sum to one. Used by solvers before they certify a profile.
    pub(crate) fn cleaned(mut self) -> Self {
        for x in &mut self.strategies {
            for p in x.iter_mut() {
                *p = p.max(0.0);
            }
            let sum: f64 = x.iter().sum();
            if sum > 0.0 {
                x.iter_mut().for_each(|p| *p /= sum);
            }
        }
        self
    }
}

impl NormalFormGame {
    /// Check that `profile` has one probability distribution per player of the right length
    /// (entries finite and `>= 0`, sum within [`DISTRIBUTION_TOLERANCE`] of 1).
    pub fn check_profile(&self, profile: &MixedProfile) -> Result<(), ProfileError> {
        let counts = self.strategy_counts();
        let xs = profile.strategies();
        if xs.len() != counts.len() {
            return Err(ProfileError::PlayerCount {
                expected: counts.len(),
                found: xs.len(),
            });
        }
        for (player, (x, &n)) in xs.iter().zip(counts).enumerate() {
            if x.len() != n {
                return Err(ProfileError::StrategyCount {
                    player,
                    expected: n,
                    found: x.len(),
                });
            }
            if let Some(strategy) = x.iter().position(|p| !(p.is_finite() && *p >= 0.0)) {
                return Err(ProfileError::BadProbability {
                    player,
                    strategy,
                    value: x[strategy],
                });
            }
            let sum: f64 = x.iter().sum();
            if (sum - 1.0).abs() > DISTRIBUTION_TOLERANCE {
                return Err(ProfileError::NotADistribution { player, sum });
            }
        }
        Ok(())
    }

    /// Deviation payoffs `v[i][a] = u_i(a, x_{-i})`: what player `i` gets from pure strategy `a`
    /// when the others play `profile`.
    pub fn deviation_payoffs(&self, profile: &MixedProfile) -> Result<Vec<Vec<f64>>, ProfileError> {
        self.check_profile(profile)?;
        Ok(self.deviation_payoffs_unchecked(profile.strategies()))
    }

    /// Expected payoff `u_i(x)` of every player.
    pub fn expected_payoffs(&self, profile: &MixedProfile) -> Result<Vec<f64>, ProfileError> {
        let v = self.deviation_payoffs(profile)?;
        Ok(v.iter()
            .zip(profile.strategies())
            .map(|(vi, xi)| dot(vi, xi))
            .collect())
    }

    /// Each player's regret `max_a u_i(a, x_{-i}) - u_i(x)`, clamped at 0 (a distribution never
    /// beats its best pure response; a negative value would only be rounding).
    pub fn player_regrets(&self, profile: &MixedProfile) -> Result<Vec<f64>, ProfileError> {
        self.check_profile(profile)?;
        Ok(self.player_regrets_unchecked(profile.strategies()))
    }

    /// The regret of `profile`: the largest gain of any player from a unilateral deviation.
    /// A Nash equilibrium has regret 0.
    pub fn regret(&self, profile: &MixedProfile) -> Result<f64, ProfileError> {
        Ok(self
            .player_regrets(profile)?
            .into_iter()
            .fold(0.0, f64::max))
    }

    /// Regrets of a profile already known to fit (a solver's own candidate).
    pub(crate) fn player_regrets_unchecked(&self, xs: &[Vec<f64>]) -> Vec<f64> {
        // Regret is invariant under shifts; payoffs measured from each player's floor keep the
        // rounding on the scale of the range.
        self.shifted_deviation_payoffs(xs)
            .iter()
            .zip(xs)
            .map(|(vi, xi)| regret_of(vi, xi))
            .collect()
    }

    /// Deviation payoffs of a profile already known to fit (a solver's own iterate).
    pub(crate) fn deviation_payoffs_unchecked(&self, xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let mut v = self.shifted_deviation_payoffs(xs);
        for (vi, &floor) in v.iter_mut().zip(self.payoff_floors()) {
            vi.iter_mut().for_each(|u| *u += floor);
        }
        v
    }

    /// Deviation payoffs minus each player's smallest payoff.
    fn shifted_deviation_payoffs(&self, xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let weights: Vec<&[f64]> = xs.iter().map(Vec::as_slice).collect();
        (0..self.num_players())
            .map(|i| {
                contract_except(
                    &self.payoff_tensors()[i],
                    self.strategy_counts(),
                    &[i],
                    &weights,
                    self.payoff_floors()[i],
                )
            })
            .collect()
    }
}

/// `max_a v_a - x . v`, clamped at 0.
pub(crate) fn regret_of(v: &[f64], x: &[f64]) -> f64 {
    let best = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (best - dot(v, x)).max(0.0)
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}
