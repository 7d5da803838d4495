//! The noisy objective the optimizer minimizes, and the noise seeds that make its noise
//! reproducible.
//!
//! An objective is any `L(theta, xi)`: a loss at parameters `theta` under a random environment
//! `xi` that the *caller of the objective* chooses through a [`NoiseSeed`]. Giving the optimizer
//! control of `xi` is what lets SPSA use common random numbers (THEORY §7 step 2: the same
//! environment draws for `phi+` and `phi-`), and what makes a whole run reproducible.
//!
//! This module is not an optimizer; it only says what the optimizer may ask of an objective.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The seed of one draw of the objective's random environment (`xi` in `L(theta, xi)`).
///
/// Two evaluations with the same seed must see the same environment (same games, same probes,
/// same sampled actions); that is the whole contract. An objective derives all its randomness
/// from the seed: [`NoiseSeed::rng`] for a single stream, [`NoiseSeed::child`] for independent
/// sub-streams (one per game, say), so results do not depend on how work is split over threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoiseSeed(u64);

impl NoiseSeed {
    /// The seed with the given value.
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    /// The seed's value.
    pub const fn value(self) -> u64 {
        self.0
    }

    /// A fresh ChaCha8 stream determined by this seed alone.
    pub fn rng(self) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.0)
    }

    /// The seed of sub-stream `index` (e.g. game `k` of an evaluation).
    ///
    /// Children are a deterministic function of `(self, index)`, distinct for distinct indices,
    /// and decorrelated from the parent and from each other by a SplitMix64 finalizer, so
    /// `seed.child(k).rng()` is a good independent stream per game.
    pub const fn child(self, index: u64) -> Self {
        // Index 0 must not give back the parent: offset the index by one golden-ratio step.
        let offset = index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self(splitmix64(self.0 ^ splitmix64(offset)))
    }
}

/// The SplitMix64 output function (Steele, Lea & Flood 2014): a bijective avalanche mix.
const fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One evaluation request: the parameters and the environment seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Query<'a> {
    /// The parameters `theta` (a point of the parameter box).
    pub theta: &'a [f64],
    /// The environment draw to evaluate under.
    pub noise: NoiseSeed,
}

/// A loss `L(theta, xi)` that may be noisy and may fail.
///
/// `evaluate` takes `&mut self` so an objective may keep counters, caches or warm starts, and so
/// the caller can change its settings between optimizer steps (the optimizer borrows it only
/// for the duration of a call). Evaluations are independent given their seeds: the result must
/// depend on `(theta, noise)` and the objective's current settings only, never on the order of
/// calls, or a run is not reproducible.
///
/// The optimizer always asks for its evaluations through [`evaluate_batch`](Self::evaluate_batch)
/// (the two sides of a perturbation together; the repetitions of a re-evaluation together). The
/// default evaluates the queries one after the other; an expensive objective overrides it to run
/// them in parallel.
///
/// A returned loss should be finite; the optimizer rejects a non-finite one with an error rather
/// than let a NaN into the iterate.
pub trait NoisyObjective {
    /// Why an evaluation failed. It is returned to the optimizer's caller unchanged.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The loss at `theta` under the environment drawn from `noise`.
    fn evaluate(&mut self, theta: &[f64], noise: NoiseSeed) -> Result<f64, Self::Error>;

    /// The losses of several queries, in order. The first failure aborts the batch.
    fn evaluate_batch(&mut self, queries: &[Query<'_>]) -> Result<Vec<f64>, Self::Error> {
        queries
            .iter()
            .map(|q| self.evaluate(q.theta, q.noise))
            .collect()
    }
}

impl<O: NoisyObjective + ?Sized> NoisyObjective for &mut O {
    type Error = O::Error;

    fn evaluate(&mut self, theta: &[f64], noise: NoiseSeed) -> Result<f64, Self::Error> {
        (**self).evaluate(theta, noise)
    }

    fn evaluate_batch(&mut self, queries: &[Query<'_>]) -> Result<Vec<f64>, Self::Error> {
        (**self).evaluate_batch(queries)
    }
}

/// An objective made from a closure `FnMut(&[f64], NoiseSeed) -> Result<f64, E>`; see [`from_fn`].
#[derive(Clone, Debug)]
pub struct FnObjective<F>(F);

/// Wraps a closure as a [`NoisyObjective`]. An infallible closure can name
/// [`std::convert::Infallible`] as its error type.
pub fn from_fn<F, E>(f: F) -> FnObjective<F>
where
    F: FnMut(&[f64], NoiseSeed) -> Result<f64, E>,
    E: std::error::Error + Send + Sync + 'static,
{
    FnObjective(f)
}

impl<F, E> NoisyObjective for FnObjective<F>
where
    F: FnMut(&[f64], NoiseSeed) -> Result<f64, E>,
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;

    fn evaluate(&mut self, theta: &[f64], noise: NoiseSeed) -> Result<f64, E> {
        (self.0)(theta, noise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use std::collections::HashSet;
    use std::convert::Infallible;

    #[test]
    fn same_seed_same_stream_and_children_differ() {
        let seed = NoiseSeed::new(42);
        let x: u64 = seed.rng().random();
        let y: u64 = seed.rng().random();
        assert_eq!(x, y);
        let children: HashSet<u64> = (0..1000).map(|k| seed.child(k).value()).collect();
        assert_eq!(children.len(), 1000);
        assert!(!children.contains(&seed.value()));
        assert_eq!(seed.child(7), NoiseSeed::new(42).child(7));
        assert_ne!(seed.child(7), NoiseSeed::new(43).child(7));
    }

    #[test]
    fn default_batch_evaluates_in_order() {
        let mut calls = Vec::new();
        let (a, b) = ([1.0], [2.0]);
        let losses = from_fn(|theta: &[f64], noise: NoiseSeed| {
            calls.push(noise.value());
            Ok::<f64, Infallible>(theta[0] + noise.value() as f64)
        })
        .evaluate_batch(&[
            Query {
                theta: &a,
                noise: NoiseSeed::new(10),
            },
            Query {
                theta: &b,
                noise: NoiseSeed::new(20),
            },
        ])
        .expect("infallible objective");
        assert_eq!(losses, vec![11.0, 22.0]);
        assert_eq!(calls, vec![10, 20]);
    }
}
