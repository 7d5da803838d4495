//! The logit homotopy: the principal branch of the logit quantal response equilibria, followed
//! from the centroid (`lambda = 0`) towards `lambda -> infinity`, where it ends at a Nash
//! equilibrium (McKelvey & Palfrey 1995; Turocy 2005), then Newton polishing.
//!
//! Unknowns `(y, lambda)` with `y = ln x`; per player `i` the equations are
//! `sum_a exp(y_ia) = 1` and `y_ia - y_i0 = lambda (u_i(a, x_{-i}) - u_i(0, x_{-i}))`,
//! payoffs divided by the payoff range so `lambda` is in units of the inverse range. The curve is
//! traced in arclength by an Euler predictor and a Newton corrector on the curve plus the plane
//! orthogonal to the tangent, with step halving on failure and doubling on easy steps (the curve
//! may bend back in `lambda`, which arclength handles). Log-probabilities keep strategies whose
//! probability vanishes like `exp(-lambda gap)` well represented.
//!
//! Polishing: at `lambda = 8, 16, 32, ...` the supports `{a : x_ia >= tau max_b x_ib}` for
//! `tau = 1e-2, 1e-4, 1e-6, 1e-8` are tried in turn; Newton's method on each support's
//! indifference equations from the current point gives a candidate, certified on the game. The
//! first certified one is returned.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::newton::SupportSystem;
use super::{Equilibrium, Method, NashError, NashOptions, certify};
use crate::finite::game::NormalFormGame;
use crate::finite::profile::MixedProfile;
use crate::finite::tensor::{contract_except, contract_pair};

/// Path-following settings of [`logit_homotopy()`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogitOptions {
    /// Give up beyond this `lambda` (in units of the inverse payoff range). Default `1e9`.
    pub max_lambda: f64,
    /// Give up after this many accepted and rejected steps. Default `20_000`.
    pub max_steps: usize,
    /// First arclength step. Default `0.03`.
    pub initial_step: f64,
}

impl Default for LogitOptions {
    fn default() -> Self {
        Self {
            max_lambda: 1e9,
            max_steps: 20_000,
            initial_step: 0.03,
        }
    }
}

impl LogitOptions {
    /// Check: `max_lambda` and `initial_step` finite and positive, `max_steps >= 1`.
    pub fn validate(&self) -> Result<(), NashError> {
        let ok = self.max_lambda.is_finite()
            && self.max_lambda > 0.0
            && self.initial_step.is_finite()
            && self.initial_step > 0.0
            && self.max_steps > 0;
        if ok {
            Ok(())
        } else {
            Err(NashError::InvalidOptions(
                "logit: max_lambda and initial_step must be finite and > 0, max_steps >= 1".into(),
            ))
        }
    }
}

/// Smallest arclength step before the tracer gives up.
const MIN_STEP: f64 = 1e-12;
/// Corrector: residual at which a point is on the curve, and iterations allowed.
const CORRECTOR_TOLERANCE: f64 = 1e-10;
const CORRECTOR_ITERATIONS: usize = 8;

/// The equilibrium at the end of the principal logit branch, polished and certified.
pub fn logit_homotopy(game: &NormalFormGame, opts: &NashOptions) -> Result<Equilibrium, NashError> {
    opts.validate()?;
    let path = LogitPath::new(game);
    let n = path.size;
    let mut z: Vec<f64> = path.start();
    let mut tangent = unit(n + 1, n);
    let mut h = opts.logit.initial_step;
    let mut next_check = 8.0;
    for _ in 0..opts.logit.max_steps {
        let Some(t) = path.tangent(&z, &tangent) else {
            return not_converged(format!("singular Jacobian at lambda {:e}", z[n]));
        };
        let predicted: Vec<f64> = z.iter().zip(&t).map(|(a, b)| a + h * b).collect();
        match path.correct(predicted, &t, h) {
            Some((w, iterations)) => {
                z = w;
                tangent = t;
                if iterations <= 2 {
                    h *= 2.0;
                } else if iterations >= 5 {
                    h *= 0.7;
                }
            }
            None => {
                h *= 0.5;
                if h < MIN_STEP {
                    return not_converged(format!("step size underflow at lambda {:e}", z[n]));
                }
                continue;
            }
        }
        let lambda = z[n];
        if lambda >= next_check || lambda >= opts.logit.max_lambda {
            if let Some(eq) = polish(game, &path.profile(&z), opts) {
                tracing::debug!(lambda, "logit homotopy polished to an equilibrium");
                return Ok(eq);
            }
            if lambda >= opts.logit.max_lambda {
                return not_converged(format!("no certified equilibrium up to lambda {lambda:e}"));
            }
            next_check = (2.0 * next_check).max(lambda);
        }
    }
    not_converged(format!(
        "step limit {} reached at lambda {:e}",
        opts.logit.max_steps, z[n]
    ))
}

fn not_converged<T>(reason: String) -> Result<T, NashError> {
    Err(NashError::NotConverged {
        method: "logit homotopy",
        reason,
    })
}

fn unit(len: usize, k: usize) -> Vec<f64> {
    let mut e = vec![0.0; len];
    e[k] = 1.0;
    e
}

/// Newton on the supports suggested by `x`; the first certified equilibrium.
fn polish(game: &NormalFormGame, x: &[Vec<f64>], opts: &NashOptions) -> Option<Equilibrium> {
    let mut tried: Vec<Vec<Vec<usize>>> = Vec::new();
    for tau in [1e-2, 1e-4, 1e-6, 1e-8] {
        let supports: Vec<Vec<usize>> = x
            .iter()
            .map(|xi| {
                let top = xi.iter().copied().fold(0.0, f64::max);
                (0..xi.len()).filter(|&a| xi[a] >= tau * top).collect()
            })
            .collect();
        if tried.contains(&supports) {
            continue;
        }
        tried.push(supports.clone());
        let system = SupportSystem::new(game, supports);
        let Some(z) = system.solve(system.restrict(x)) else {
            continue;
        };
        if z.iter().any(|&p| p < -1e-9) {
            continue;
        }
        let profile = MixedProfile::new(system.expand(&z, game.strategy_counts()));
        if let Ok(eq) = certify(game, profile, Method::LogitHomotopy, opts) {
            return Some(eq);
        }
    }
    None
}

/// The logit equations of a game, payoffs divided by the range.
struct LogitPath {
    dims: Vec<usize>,
    offsets: Vec<usize>,
    size: usize,
    tensors: Vec<Vec<f64>>,
}

impl LogitPath {
    fn new(game: &NormalFormGame) -> Self {
        let dims = game.strategy_counts().to_vec();
        let mut offsets = Vec::with_capacity(dims.len());
        let mut size = 0;
        for &k in &dims {
            offsets.push(size);
            size += k;
        }
        let tensors = game.normalized_tensors();
        Self {
            dims,
            offsets,
            size,
            tensors,
        }
    }

    /// `(ln(1/n_i), ..., lambda = 0)`.
    fn start(&self) -> Vec<f64> {
        let mut z: Vec<f64> = self
            .dims
            .iter()
            .flat_map(|&k| std::iter::repeat_n(-(k as f64).ln(), k))
            .collect();
        z.push(0.0);
        z
    }

    /// The profile `exp(y)`.
    fn profile(&self, z: &[f64]) -> Vec<Vec<f64>> {
        self.offsets
            .iter()
            .zip(&self.dims)
            .map(|(&o, &k)| z[o..o + k].iter().map(|y| y.exp()).collect())
            .collect()
    }

    /// `H(z)` and its Jacobian (`size x (size + 1)`).
    fn evaluate(&self, z: &[f64]) -> (Vec<f64>, DMatrix<f64>) {
        let n = self.size;
        let lambda = z[n];
        let x = self.profile(z);
        let w: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
        let mut h = vec![0.0; n];
        let mut jac = DMatrix::zeros(n, n + 1);
        for i in 0..self.dims.len() {
            let o = self.offsets[i];
            let v = contract_except(&self.tensors[i], &self.dims, &[i], &w, 0.0);
            h[o] = x[i].iter().sum::<f64>() - 1.0;
            for (a, &p) in x[i].iter().enumerate() {
                jac[(o, o + a)] = p;
            }
            for a in 1..self.dims[i] {
                h[o + a] = z[o + a] - z[o] - lambda * (v[a] - v[0]);
                jac[(o + a, o + a)] = 1.0;
                jac[(o + a, o)] = -1.0;
                jac[(o + a, n)] = -(v[a] - v[0]);
            }
            self.cross_terms(i, lambda, &x, &w, &mut jac);
        }
        (h, jac)
    }

    /// `dH_{i,a} / dy_jb = -lambda (u_i(a, b, .) - u_i(0, b, .)) x_jb` for `j != i`.
    fn cross_terms(
        &self,
        i: usize,
        lambda: f64,
        x: &[Vec<f64>],
        w: &[&[f64]],
        jac: &mut DMatrix<f64>,
    ) {
        let o = self.offsets[i];
        for j in (0..self.dims.len()).filter(|&j| j != i && self.dims[i] > 1) {
            let m = contract_pair(&self.tensors[i], &self.dims, i, j, w);
            let (oj, nj) = (self.offsets[j], self.dims[j]);
            for a in 1..self.dims[i] {
                for b in 0..nj {
                    jac[(o + a, oj + b)] = -lambda * (m[a * nj + b] - m[b]) * x[j][b];
                }
            }
        }
    }

    /// The unit tangent at `z` oriented like `previous`.
    fn tangent(&self, z: &[f64], previous: &[f64]) -> Option<Vec<f64>> {
        let n = self.size;
        let (_, jac) = self.evaluate(z);
        let mut m = jac.insert_row(n, 0.0);
        for (c, &p) in previous.iter().enumerate() {
            m[(n, c)] = p;
        }
        let t = m.lu().solve(&DVector::from_column_slice(&unit(n + 1, n)))?;
        let norm = t.norm();
        (norm.is_finite() && norm > 0.0).then(|| t.iter().map(|v| v / norm).collect())
    }

    /// Newton back onto the curve within the hyperplane through `predicted` orthogonal to `t`.
    /// `None` when it does not converge or moves more than half the step (too far from the
    /// curve to trust that the same branch was kept).
    fn correct(&self, mut w: Vec<f64>, t: &[f64], h: f64) -> Option<(Vec<f64>, usize)> {
        let n = self.size;
        let anchor = w.clone();
        for iteration in 1..=CORRECTOR_ITERATIONS {
            let (hv, jac) = self.evaluate(&w);
            let plane: f64 = w
                .iter()
                .zip(&anchor)
                .zip(t)
                .map(|((a, b), c)| (a - b) * c)
                .sum();
            let mut m = jac.insert_row(n, 0.0);
            for (c, &p) in t.iter().enumerate() {
                m[(n, c)] = p;
            }
            let mut rhs = DVector::from_column_slice(&hv).insert_row(n, plane);
            rhs.neg_mut();
            let d = m.lu().solve(&rhs)?;
            w.iter_mut().zip(d.iter()).for_each(|(a, b)| *a += b);
            let moved = w
                .iter()
                .zip(&anchor)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt();
            if !w.iter().all(|v| v.is_finite()) || moved > 0.5 * h.max(1e-3) {
                return None;
            }
            let residual = self
                .evaluate(&w)
                .0
                .iter()
                .fold(0.0_f64, |a, b| a.max(b.abs()));
            if residual <= CORRECTOR_TOLERANCE && d.amax() <= CORRECTOR_TOLERANCE.sqrt() {
                return Some((w, iteration));
            }
        }
        None
    }
}
