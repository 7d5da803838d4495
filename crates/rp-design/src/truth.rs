//! Ground truth for evaluation only (THEORY §5): how far the equilibria under a mechanism are
//! from the social optimum, on a fixed set of evaluation probes.
//!
//! Invariant: nothing here reaches the designer. [`GroundTruth`] is built and consulted by the
//! run for its reports (trajectory, summary); the loop's decisions (SPSA steps, adaptive
//! probing, the verdict) read only gaps. The tests check that the designer's trajectory is the
//! same whether or not the ground truth is tracked.
//!
//! Definitions (THEORY §5 leaves the aggregation open): over the `E` evaluation probes, the
//! *welfare ratio* is the mean of `W(equilibrium_k) / W(optimum_k)`, and the *distance* the mean
//! Euclidean distance between equilibrium and optimum profiles. The mean of ratios weighs every
//! probe equally, whatever its welfare level. The social optima are solved once. The *true gap*
//! is the `Separable` additive Pareto gap of the exact equilibria on the evaluation probes: the
//! gap an exact designer would see on these `E` games (the trajectory's `true_gap` column; with
//! sampled measurements, the designer's own gap is of empirical strategies).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rp_game::environment::{Environment, EnvironmentError};
use rp_game::mechanism::MechanismClass;
use serde::{Deserialize, Serialize};

use crate::measurement::Measurement;

/// Equilibria under one mechanism against the social optima.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Mean `W(equilibrium) / W(optimum)` over the evaluation probes; `None` when some optimum
    /// has `W <= 0` (the ratio is then undefined; it does not happen in the reference
    /// environments).
    pub welfare_ratio: Option<f64>,
    /// Mean `|equilibrium - optimum|` (Euclidean) over the evaluation probes.
    pub distance: f64,
    /// The exact equilibria's `Separable` additive gap on the evaluation probes; `None` when
    /// the LP failed (logged) or fewer than 2 probes are assessed.
    pub true_gap: Option<f64>,
}

/// The fixed evaluation probes and their social optima.
#[derive(Clone, Debug)]
pub struct GroundTruth {
    probes: Vec<Vec<f64>>,
    optima: Vec<Vec<f64>>,
    optimum_welfare: Vec<f64>,
}

impl GroundTruth {
    /// Draws `games` evaluation probes from `seed` and solves their social optima (in
    /// parallel).
    pub fn new(env: &Environment, games: usize, seed: u64) -> Result<Self, EnvironmentError> {
        let probes = env.draw_probes(games, &mut ChaCha8Rng::seed_from_u64(seed));
        let optima: Vec<Vec<f64>> = probes
            .par_iter()
            .map(|p| env.social_optimum(p, None).map(|o| o.profile))
            .collect::<Result<_, _>>()?;
        let optimum_welfare = optima
            .iter()
            .map(|o| env.welfare_of(o))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            probes,
            optima,
            optimum_welfare,
        })
    }

    /// The evaluation probes.
    pub fn probes(&self) -> &[Vec<f64>] {
        &self.probes
    }

    /// The equilibria under `class` at `phi` against the optima.
    pub fn assess(
        &self,
        env: &Environment,
        class: MechanismClass,
        phi: &[f64],
    ) -> Result<Assessment, EnvironmentError> {
        let equilibria: Vec<Vec<f64>> = self
            .probes
            .par_iter()
            .map(|p| env.equilibrium(p, class, phi, None).map(|e| e.profile))
            .collect::<Result<_, _>>()?;
        let n = equilibria.len() as f64;
        let mut ratio_sum = 0.0;
        let mut distance_sum = 0.0;
        let mut defined = true;
        for ((eq, opt), w_opt) in equilibria
            .iter()
            .zip(&self.optima)
            .zip(&self.optimum_welfare)
        {
            let w_eq = env.welfare_of(eq)?;
            defined &= *w_opt > 0.0;
            ratio_sum += w_eq / w_opt;
            distance_sum += euclidean(eq, opt);
        }
        let ratio = ratio_sum / n;
        Ok(Assessment {
            welfare_ratio: (defined && ratio.is_finite()).then_some(ratio),
            distance: distance_sum / n,
            true_gap: self.exact_gap(env, equilibria),
        })
    }

    /// The Separable additive gap of the evaluation probes with `equilibria` (module doc).
    fn exact_gap(&self, env: &Environment, equilibria: Vec<Vec<f64>>) -> Option<f64> {
        if self.probes.len() < 2 {
            return None;
        }
        let observed = Measurement::Exact
            .observe(env.agents(), self.probes.clone(), equilibria)
            .and_then(|o| Measurement::Exact.gap(&o));
        match observed {
            Ok(gap) => Some(gap),
            Err(err) => {
                tracing::warn!(%err, "true gap of the evaluation probes failed");
                None
            }
        }
    }
}

fn euclidean(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}
