//! Test objectives shared by the integration tests: noisy quadratics and a tilted double well.

#![allow(dead_code)] // each test file uses a subset

use std::convert::Infallible;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rp_policy::{NoiseSeed, NoisyObjective};

/// `L(phi, xi) = sum_i h_i (phi_i - x*_i - xi_i)^2` with `xi ~ N(0, shift^2 I)` drawn from the
/// noise seed: the environment moves the minimizer at random, so the two sides of a
/// perturbation (one seed) see the same shift and their difference still carries noise
/// `2 h_i xi_i`, as a game draw does in the designer. `E L` is minimized at `x*`.
#[derive(Clone, Debug)]
pub struct ShiftedQuadratic {
    pub minimizer: Vec<f64>,
    pub curvature: Vec<f64>,
    pub shift: f64,
}

impl ShiftedQuadratic {
    /// Dimension `d`, `x*_i = 0.5 sin(i + 1)` (inside `[-1, 1]`), `h_i = 1 + i / d`.
    pub fn new(d: usize, shift: f64) -> Self {
        Self {
            minimizer: (0..d).map(|i| 0.5 * ((i + 1) as f64).sin()).collect(),
            curvature: (0..d).map(|i| 1.0 + i as f64 / d as f64).collect(),
            shift,
        }
    }

    /// The largest coordinate distance from `phi` to the minimizer.
    pub fn error(&self, phi: &[f64]) -> f64 {
        phi.iter()
            .zip(&self.minimizer)
            .map(|(p, m)| (p - m).abs())
            .fold(0.0, f64::max)
    }
}

impl NoisyObjective for ShiftedQuadratic {
    type Error = Infallible;

    fn evaluate(&mut self, phi: &[f64], noise: NoiseSeed) -> Result<f64, Infallible> {
        let mut rng = noise.rng();
        let loss = phi
            .iter()
            .zip(&self.minimizer)
            .zip(&self.curvature)
            .map(|((p, m), h)| {
                let xi: f64 = rng.sample(StandardNormal);
                h * (p - m - self.shift * xi).powi(2)
            })
            .sum();
        Ok(loss)
    }
}

/// A quadratic `sum_i (phi_i - x*_i)^2` observed with additive noise `N(0, sigma^2)` from the
/// objective's *own* seeded stream, ignoring the optimizer's seeds: no common random numbers,
/// and state mutated by every call (the `&mut self` case).
#[derive(Clone, Debug)]
pub struct AdditiveNoiseQuadratic {
    pub minimizer: Vec<f64>,
    pub sigma: f64,
    pub rng: ChaCha8Rng,
}

impl AdditiveNoiseQuadratic {
    pub fn new(minimizer: Vec<f64>, sigma: f64, seed: u64) -> Self {
        Self {
            minimizer,
            sigma,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl NoisyObjective for AdditiveNoiseQuadratic {
    type Error = Infallible;

    fn evaluate(&mut self, phi: &[f64], _noise: NoiseSeed) -> Result<f64, Infallible> {
        let eps: f64 = self.rng.sample(StandardNormal);
        let value: f64 = phi
            .iter()
            .zip(&self.minimizer)
            .map(|(p, m)| (p - m).powi(2))
            .sum();
        Ok(value + self.sigma * eps)
    }
}

/// The tilted double well `f(x) = (x^2 - 1)^2 + tilt x` in one dimension, observed at a point
/// shifted by `xi ~ N(0, shift^2)` from the noise seed. With `tilt = 0.3`: the global minimum
/// is near `x = -1.04` (`f = -0.31`), the local one near `x = 0.96` (`f = 0.29`), and the
/// barrier between them near `x = 0.075` (`f = 1.02`).
#[derive(Clone, Debug)]
pub struct TiltedDoubleWell {
    pub tilt: f64,
    pub shift: f64,
}

impl TiltedDoubleWell {
    /// The barrier's position: the root of `f'(x) = 4x^3 - 4x + tilt` near 0, by Newton.
    pub fn barrier(&self) -> f64 {
        let mut x = 0.0;
        for _ in 0..50 {
            x -= (4.0 * x * x * x - 4.0 * x + self.tilt) / (12.0 * x * x - 4.0);
        }
        x
    }

    pub fn value(&self, x: f64) -> f64 {
        (x * x - 1.0).powi(2) + self.tilt * x
    }
}

impl NoisyObjective for TiltedDoubleWell {
    type Error = Infallible;

    fn evaluate(&mut self, phi: &[f64], noise: NoiseSeed) -> Result<f64, Infallible> {
        let xi: f64 = noise.rng().sample(StandardNormal);
        Ok(self.value(phi[0] + self.shift * xi))
    }
}
