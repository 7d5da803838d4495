//! The designer's loss as a [`NoisyObjective`]: `K` games drawn from a noise seed, their
//! equilibria under `phi`, the observation set and its gap (THEORY §7 step 2).
//!
//! Seeding. Game `k` of an evaluation with noise seed `xi` draws its probe from the stream
//! [`game_seed`]`(xi, k)` alone. SPSA hands the same `xi` to `phi+` and `phi-`, so both sides
//! see the same probes (common random numbers), and the first `K` games of a `2K` evaluation are
//! the games of the `K` evaluation. Side-specific randomness (sampled actions, issue 5) would
//! come from [`sample_seed`]`(xi, k, side)` = `game_seed(xi, k).child(side)`: a
//! per-(iteration, side, game) stream, where `side` counts the earlier queries of the same batch
//! with the same noise seed (0 for `phi+`, 1 for `phi-`; 0 for a query alone).
//!
//! Parallelism. All equilibria of a batch (both sides, all games) are solved in one rayon
//! parallel iterator and collected in order, then the batch's LPs in another; every task depends
//! on its seed and `phi` only, so the result is identical for any number of threads.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use rp_game::environment::Environment;
use rp_game::mechanism::MechanismClass;
use rp_policy::{NoiseSeed, NoisyObjective, Query};
use serde::{Deserialize, Serialize};

use crate::measurement::{Measurement, MeasurementError, Observed};

/// The seed of game `k`'s probe in an evaluation with noise seed `noise`.
pub fn game_seed(noise: NoiseSeed, k: usize) -> NoiseSeed {
    noise.child(k as u64)
}

/// The seed of the sampled actions of game `k` for the `side`-th query with noise seed `noise`
/// in a batch (module doc).
pub fn sample_seed(noise: NoiseSeed, k: usize, side: usize) -> NoiseSeed {
    game_seed(noise, k).child(side as u64)
}

/// For each query, how many earlier queries of the batch share its noise seed (its `side`).
fn sides(queries: &[Query<'_>]) -> Vec<usize> {
    (0..queries.len())
        .map(|q| {
            queries[..q]
                .iter()
                .filter(|p| p.noise == queries[q].noise)
                .count()
        })
        .collect()
}

/// The `K` probes of an evaluation with noise seed `noise`.
pub fn draw_games(env: &Environment, noise: NoiseSeed, games: usize) -> Vec<Vec<f64>> {
    (0..games)
        .flat_map(|k| env.draw_probes(1, &mut game_seed(noise, k).rng()))
        .collect()
}

/// Work done so far: counts are deterministic, times are wall-clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Work {
    /// Gap evaluations (one LP each).
    pub gaps: u64,
    /// Equilibria solved.
    pub equilibria: u64,
    /// Wall time spent solving equilibria.
    pub equilibrium_time: Duration,
    /// Wall time spent in gap LPs.
    pub lp_time: Duration,
    /// Games dropped because their (sampled) observations revealed nothing (see
    /// [`crate::measurement`]).
    pub dropped_games: u64,
}

/// `L(phi, xi)`: the gap of `K` games drawn from `xi`, under mechanism `class` at `phi`.
#[derive(Debug)]
pub struct GapObjective<'a> {
    env: &'a Environment,
    class: MechanismClass,
    games: usize,
    measurement: Measurement,
    work: Work,
}

impl<'a> GapObjective<'a> {
    /// The loss over `games` games per evaluation.
    pub fn new(
        env: &'a Environment,
        class: MechanismClass,
        games: usize,
        measurement: Measurement,
    ) -> Self {
        Self {
            env,
            class,
            games,
            measurement,
            work: Work::default(),
        }
    }

    /// `K`, the games per evaluation.
    pub fn games(&self) -> usize {
        self.games
    }

    /// Changes `K` (adaptive probing); later evaluations use the new value.
    pub fn set_games(&mut self, games: usize) {
        self.games = games;
    }

    /// The measurement in force.
    pub fn measurement(&self) -> Measurement {
        self.measurement
    }

    /// Work done so far.
    pub fn work(&self) -> Work {
        self.work
    }

    /// The observation sets of `queries` (equilibria of all games of all queries, and their
    /// samples, in parallel).
    pub fn observe_batch(
        &mut self,
        queries: &[Query<'_>],
    ) -> Result<Vec<Observed>, MeasurementError> {
        let start = Instant::now();
        let probes: Vec<Vec<Vec<f64>>> = queries
            .iter()
            .map(|q| draw_games(self.env, q.noise, self.games))
            .collect();
        let sides = sides(queries);
        let tasks: Vec<(usize, usize)> = (0..queries.len())
            .flat_map(|q| (0..self.games).map(move |k| (q, k)))
            .collect();
        let measurement = self.measurement;
        let profiles: Vec<Vec<f64>> = tasks
            .par_iter()
            .map(|&(q, k)| {
                let eq = self
                    .env
                    .equilibrium(&probes[q][k], self.class, queries[q].theta, None)
                    .map_err(|source| MeasurementError::Equilibrium { game: k, source })?;
                let seed = sample_seed(queries[q].noise, k, sides[q]);
                measurement.sample(&eq.profile, self.env.blocks(), seed, k)
            })
            .collect::<Result<_, _>>()?;
        self.work.equilibria += tasks.len() as u64;
        self.work.equilibrium_time += start.elapsed();
        let mut profiles = profiles.into_iter();
        let observed = probes
            .into_iter()
            .map(|p| {
                let beta: Vec<Vec<f64>> = profiles.by_ref().take(p.len()).collect();
                measurement.observe(self.env.agents(), p, beta)
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.work.dropped_games += observed.iter().map(|o| o.dropped as u64).sum::<u64>();
        Ok(observed)
    }

    /// The gaps of observation sets, in parallel and in order.
    pub fn gaps(&mut self, sets: &[Observed]) -> Result<Vec<f64>, MeasurementError> {
        let start = Instant::now();
        let measurement = self.measurement;
        let gaps = sets
            .par_iter()
            .map(|obs| measurement.gap(obs))
            .collect::<Result<Vec<f64>, _>>()?;
        self.work.gaps += sets.len() as u64;
        self.work.lp_time += start.elapsed();
        Ok(gaps)
    }
}

impl NoisyObjective for GapObjective<'_> {
    type Error = MeasurementError;

    fn evaluate(&mut self, theta: &[f64], noise: NoiseSeed) -> Result<f64, Self::Error> {
        let losses = self.evaluate_batch(&[Query { theta, noise }])?;
        Ok(losses[0])
    }

    fn evaluate_batch(&mut self, queries: &[Query<'_>]) -> Result<Vec<f64>, Self::Error> {
        let sets = self.observe_batch(queries)?;
        self.gaps(&sets)
    }
}
