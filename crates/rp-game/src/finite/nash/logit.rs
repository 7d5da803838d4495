//! The logit homotopy: the principal branch of the logit quantal response equilibria, followed
//! from the centroid (`lambda = 0`) towards `lambda -> infinity`, where it ends at a Nash
//! equilibrium (McKelvey & Palfrey 1995; Turocy 2005), then Newton polishing.
//!
//! Unknowns `(y, lambda)` with `y = ln x`; per player `i` the equations are
//! `sum_a exp(y_ia) = 1` and `y_ia - y_i0 = lambda (u_i(a, x_{-i}) - u_i(0, x_{-i}))`,
//! payoffs divided by the payoff range so `lambda` is in units of the inverse range. The curve is
//! traced in arclength by an Euler predictor and a Newton corrector on the curve plus the plane
//! orthogonal to the tangent (the curve may bend back in `lambda`, which arclength handles). The
//! step length follows the corrector's first correction and contraction rate and the turn of the
//! tangent (Allgower & Georg); the direction of travel is fixed by the sign of the determinant
//! of the Jacobian augmented by the tangent, so a step that jumps across a fold onto the
//! returning arm is detected and retried shorter instead of sending the tracer back down the
//! branch (see [`Tracer`]). No point with `lambda < 0` is accepted. Log-probabilities keep
//! strategies whose probability vanishes like `exp(-lambda gap)` well represented.
//!
//! Polishing: at `lambda = 8, 16, 32, ...` the supports `{a : x_ia >= tau max_b x_ib}` for
//! `tau = 1e-2, 1e-4, 1e-6, 1e-8` are tried in turn; Newton's method on each support's
//! indifference equations from the current point gives a candidate, certified on the game. The
//! first certified one is returned.
//!
//! Restarts: when the branch cannot be followed to a certified equilibrium (degenerate games),
//! the branches of two slightly perturbed games are followed instead, and their ends polished
//! and certified on the game itself (see [`PERTURBATIONS`]).

use nalgebra::{DMatrix, DVector};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
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
    /// Give up after this many accepted and rejected steps (per attempt: see
    /// [`logit_homotopy()`]). Default `20_000`.
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

/// Smallest arclength step, relative to `1 + lambda`, before the tracer gives up.
const MIN_STEP: f64 = 1e-12;
/// Largest growth (and, on a rejected step, the shrink factor) of the step between two steps.
const MAX_DECELERATION: f64 = 2.0;
/// Corrector: largest first Newton correction (distance of the predicted point from the curve)
/// and largest ratio of two successive corrections; beyond either the step is retried shorter
/// (Allgower & Georg 1990, §6.1). Both keep the corrector in Newton's quadratic basin of the
/// branch being followed rather than of a neighbouring one.
const MAX_DISTANCE: f64 = 0.4;
/// Corrector: largest ratio of two successive Newton corrections (see [`MAX_DISTANCE`]).
const MAX_CONTRACTION: f64 = 0.6;
/// Corrector: a point is on the curve when the residual and the last correction are below this
/// times `1 + lambda` (the terms of `H` grow like `lambda`, and so does their rounding).
const CORRECTOR_TOLERANCE: f64 = 1e-10;
/// Corrector: Newton iterations allowed (the contraction test usually stops it far earlier).
const CORRECTOR_ITERATIONS: usize = 12;
/// Smallest cosine between the unit tangents at the two ends of an accepted step (about 25
/// degrees of turn): a sharper turn is resolved with shorter steps, so the predictor never cuts
/// across a fold onto the returning arm.
const MIN_TANGENT_COSINE: f64 = 0.9;
/// A step this short (relative to `1 + lambda`) that still reverses the determinant orientation
/// is taken across a bifurcation point instead of being retried (see [`Tracer`]).
const BIFURCATION_STEP: f64 = 1e-8;
/// First `lambda` at which the current point is polished; then every doubling.
const FIRST_POLISH: f64 = 8.0;

/// Payoff perturbations (in units of the payoff range) of the successive attempts: the game
/// itself, then two restarts on perturbed payoffs (attempt `k` moves every normalized payoff by
/// `epsilon` times a uniform draw from `[-1, 1)`, ChaCha8 seeded with `seed + k`). A degenerate
/// game (ties, symmetries) can put a bifurcation point on the principal branch at which the
/// tangent is undefined, or make the branch approach a continuum of equilibria too slowly to
/// polish; a generic perturbation removes both (for almost every game the branch is a regular
/// curve: McKelvey & Palfrey 1995), and its end lies within about the perturbation of an
/// equilibrium of the game itself. Polishing and certification always use the game's own
/// payoffs, so a perturbation only moves the point polishing starts from and never weakens the
/// certificate. `1e-7` is far above the tracer's rounding; `1e-5` is the stronger last resort.
const PERTURBATIONS: [f64; 3] = [0.0, 1e-7, 1e-5];

/// The equilibrium at the end of the principal logit branch, polished and certified.
///
/// When the branch of the game itself cannot be followed to a certified equilibrium, the
/// branches of two slightly perturbed games are tried (perturbations of `1e-7` and `1e-5` of the
/// payoff range drawn from `opts.seed`; each attempt has the full `max_steps`), and their ends
/// are polished and certified on the game itself: the result is always an equilibrium of
/// `game`, with its regret.
///
/// Errors: [`NashError::NotConverged`] when every attempt fails (the step shrinks below its
/// floor, the step limit is reached, or no point up to `max_lambda` polishes to a certified
/// equilibrium; the reason lists each attempt's failure); [`NashError::InvalidOptions`] for bad
/// options.
pub fn logit_homotopy(game: &NormalFormGame, opts: &NashOptions) -> Result<Equilibrium, NashError> {
    opts.validate()?;
    let mut failures = Vec::with_capacity(PERTURBATIONS.len());
    for (attempt, &epsilon) in (0u64..).zip(&PERTURBATIONS) {
        let path = LogitPath::new(game, epsilon, opts.seed.wrapping_add(attempt));
        match follow(game, &path, opts) {
            Ok(eq) => return Ok(eq),
            Err(reason) => {
                tracing::debug!(epsilon, reason, "logit path failed");
                failures.push(if epsilon == 0.0 {
                    reason
                } else {
                    format!("payoffs perturbed by {epsilon:e}: {reason}")
                });
            }
        }
    }
    Err(NashError::NotConverged {
        method: "logit homotopy",
        reason: failures.join("; "),
    })
}

/// Trace `path` from the centroid, polishing on `game` at `lambda = 8, 16, ...`: the first
/// certified equilibrium, or why there is none.
fn follow(
    game: &NormalFormGame,
    path: &LogitPath,
    opts: &NashOptions,
) -> Result<Equilibrium, String> {
    let mut tracer = Tracer::start(path, opts.logit.initial_step)?;
    let mut next_polish = FIRST_POLISH;
    for _ in 0..opts.logit.max_steps {
        if !tracer.advance()? {
            continue;
        }
        let lambda = tracer.lambda();
        if lambda >= next_polish || lambda >= opts.logit.max_lambda {
            if let Some(eq) = polish(game, &path.profile(&tracer.z), opts) {
                tracing::debug!(lambda, "logit homotopy polished to an equilibrium");
                return Ok(eq);
            }
            if lambda >= opts.logit.max_lambda {
                return Err(format!("no certified equilibrium up to lambda {lambda:e}"));
            }
            next_polish = (2.0 * next_polish).max(lambda);
        }
    }
    Err(format!(
        "step limit {} reached at lambda {:e}",
        opts.logit.max_steps,
        tracer.lambda()
    ))
}

fn unit(len: usize, k: usize) -> Vec<f64> {
    let mut e = vec![0.0; len];
    e[k] = 1.0;
    e
}

/// Arclength continuation of the principal branch (Allgower & Georg 1990, ch. 6): an Euler
/// predictor along the unit tangent, a Newton corrector in the hyperplane through the predicted
/// point orthogonal to that tangent, and a step length adapted to the corrector's first
/// correction and contraction rate and to the turn of the tangent.
///
/// Orientation. The tangent at a point is a unit kernel vector `t` of the `size x (size + 1)`
/// Jacobian `J`. Of its two signs the tracer keeps the one for which `det [J; t^T]` has the sign
/// it had at the centroid with `t` pointing to increasing `lambda`: along a regular curve that
/// determinant never vanishes, so its sign fixes the direction of travel whatever the curve does
/// in `lambda` (folds included). A step whose new tangent, so oriented, points against the
/// previous one has jumped between the two arms of a fold (the corrector converged onto the
/// returning arm): it is rejected and retried shorter. Orienting by continuity alone (the sign
/// closest to the previous tangent) silently accepts such a jump and then traces the branch
/// backwards, down to `lambda = 0` and beyond. Only a reversal that persists for a step shorter
/// than [`BIFURCATION_STEP`] is taken as what it then is, the crossing of a simple bifurcation
/// point (degenerate games), where the determinant changes sign along the branch, and the
/// orientation is flipped there.
///
/// The principal branch meets `lambda = 0` only at its start (at `lambda = 0` the logit response
/// is the centroid, whatever the others play), so a step ending at `lambda < 0` has left it: it
/// is rejected too.
struct Tracer<'a> {
    path: &'a LogitPath,
    /// Sign of `det [J; t^T]` for the direction of travel.
    orientation: f64,
    /// The current point `(y, lambda)`.
    z: Vec<f64>,
    /// The unit tangent at `z`, in the direction of travel.
    t: Vec<f64>,
    /// The next arclength step.
    h: f64,
}

/// An accepted predictor-corrector step.
struct Step {
    z: Vec<f64>,
    t: Vec<f64>,
    orientation: f64,
    /// The next step is the current one divided by this.
    deceleration: f64,
}

impl<'a> Tracer<'a> {
    /// At the centroid, `lambda = 0`, heading to increasing `lambda`.
    fn start(path: &'a LogitPath, h: f64) -> Result<Self, String> {
        let z = path.start();
        let n = path.size;
        // At lambda = 0 the Jacobian is block diagonal with nonsingular blocks, so this fails
        // only on non-finite input, which a validated game cannot give.
        let Some(kernel) = kernel(path.evaluate(&z).1, &unit(n + 1, n)) else {
            return Err("singular Jacobian at the centroid".into());
        };
        Ok(Self {
            path,
            orientation: kernel.sign,
            z,
            t: kernel.t,
            h,
        })
    }

    fn lambda(&self) -> f64 {
        self.z[self.path.size]
    }

    /// One predictor-corrector attempt: `Ok(true)` when accepted, `Ok(false)` when rejected
    /// (the next attempt is shorter), an error when the step falls below its floor.
    fn advance(&mut self) -> Result<bool, String> {
        if let Some(step) = self.attempt() {
            self.z = step.z;
            self.t = step.t;
            self.orientation = step.orientation;
            self.h /= step.deceleration;
            return Ok(true);
        }
        self.h /= MAX_DECELERATION;
        if self.h < MIN_STEP * (1.0 + self.lambda()) {
            return Err(format!("step size underflow at lambda {:e}", self.lambda()));
        }
        Ok(false)
    }

    /// The step of length `h` from `z`, or `None` when it must be retried shorter.
    fn attempt(&self) -> Option<Step> {
        let n = self.path.size;
        let predicted: Vec<f64> = self
            .z
            .iter()
            .zip(&self.t)
            .map(|(a, b)| a + self.h * b)
            .collect();
        let (z, jac, deceleration) = self.path.correct(predicted, &self.t)?;
        if z[n] < 0.0 {
            tracing::trace!(h = self.h, "logit step rejected: it left lambda >= 0");
            return None;
        }
        let kernel = kernel(jac, &self.t)?;
        let cosine = dot(&kernel.t, &self.t);
        if cosine < MIN_TANGENT_COSINE {
            tracing::trace!(
                h = self.h,
                cosine,
                "logit step rejected: the tangent turned too far"
            );
            return None;
        }
        let orientation = if kernel.sign == self.orientation {
            self.orientation
        } else if self.h <= BIFURCATION_STEP * (1.0 + z[n]) {
            tracing::debug!(lambda = z[n], "logit path crossed a bifurcation point");
            kernel.sign
        } else {
            tracing::trace!(
                h = self.h,
                "logit step rejected: it reversed the orientation"
            );
            return None;
        };
        // The turn grows like the step (1 - cosine like its square), as does the square root
        // of the corrector's distance: the same rule sets the next step from either.
        let turn = ((1.0 - cosine) / (1.0 - MIN_TANGENT_COSINE)).sqrt() * MAX_DECELERATION;
        Some(Step {
            z,
            t: kernel.t,
            orientation,
            deceleration: deceleration.max(turn).min(MAX_DECELERATION),
        })
    }
}

/// A unit kernel vector of a `size x (size + 1)` Jacobian and the orientation it gives.
struct Kernel {
    /// The unit kernel vector on the side of the reference (`t . previous > 0`).
    t: Vec<f64>,
    /// Sign of `det [J; t^T]`.
    sign: f64,
}

/// The kernel of `jac` by solving `[J; previous^T] x = e_last`, normalized. Every
/// `det [J; q^T]` is `q . c` for the cofactor vector `c`, which spans the kernel; since
/// `previous . x = 1 > 0`, `det [J; x^T]` has the sign of `det [J; previous^T]`, read off the LU
/// factors at no extra cost. `None` when the system is singular.
fn kernel(jac: DMatrix<f64>, previous: &[f64]) -> Option<Kernel> {
    let n = jac.nrows();
    let lu = with_last_row(jac, previous).lu();
    let x = lu.solve(&DVector::from_column_slice(&unit(n + 1, n)))?;
    let norm = x.norm();
    if !(norm.is_finite() && norm > 0.0) {
        return None;
    }
    // Sign of the product of U's diagonal (no overflow, unlike the product itself) times the
    // permutation's.
    let negative = lu.u().diagonal().iter().filter(|&&d| d < 0.0).count();
    let permutation: f64 = lu.p().determinant();
    Some(Kernel {
        t: x.iter().map(|v| v / norm).collect(),
        sign: if negative % 2 == 0 {
            permutation
        } else {
            -permutation
        },
    })
}

/// `jac` with `row` appended: the square system of a point of the curve.
fn with_last_row(jac: DMatrix<f64>, row: &[f64]) -> DMatrix<f64> {
    let n = jac.nrows();
    let mut m = jac.insert_row(n, 0.0);
    for (c, &p) in row.iter().enumerate() {
        m[(n, c)] = p;
    }
    m
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
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
    /// The equations of `game`, each normalized payoff moved by `epsilon` times a number drawn
    /// uniformly from `[-1, 1)` by a ChaCha8 stream seeded with `seed` (no draw when `epsilon`
    /// is 0).
    fn new(game: &NormalFormGame, epsilon: f64, seed: u64) -> Self {
        let dims = game.strategy_counts().to_vec();
        let mut offsets = Vec::with_capacity(dims.len());
        let mut size = 0;
        for &k in &dims {
            offsets.push(size);
            size += k;
        }
        let mut tensors = game.normalized_tensors();
        if epsilon > 0.0 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for u in tensors.iter_mut().flatten() {
                *u += epsilon * rng.random_range(-1.0..1.0);
            }
        }
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

    /// Newton back onto the curve within the hyperplane through `predicted` orthogonal to `t`.
    /// Returns the point, its Jacobian and the deceleration its corrections ask for; `None` when
    /// a correction exceeds [`MAX_DISTANCE`], two successive ones contract by less than
    /// [`MAX_CONTRACTION`], or the iteration does not converge.
    fn correct(&self, predicted: Vec<f64>, t: &[f64]) -> Option<(Vec<f64>, DMatrix<f64>, f64)> {
        let n = self.size;
        let scale = 1.0 + predicted[n].abs();
        let tolerance = CORRECTOR_TOLERANCE * scale;
        let mut w = predicted.clone();
        let mut deceleration = 1.0 / MAX_DECELERATION;
        let mut previous = f64::INFINITY;
        for iteration in 0..=CORRECTOR_ITERATIONS {
            let (hv, jac) = self.evaluate(&w);
            let residual = hv.iter().fold(0.0_f64, |a, b| a.max(b.abs()));
            if previous <= CORRECTOR_TOLERANCE.sqrt() * scale && residual <= tolerance {
                return Some((w, jac, deceleration));
            }
            if iteration == CORRECTOR_ITERATIONS {
                return None;
            }
            let offset: Vec<f64> = w.iter().zip(&predicted).map(|(a, b)| a - b).collect();
            let mut rhs = DVector::from_column_slice(&hv).insert_row(n, dot(&offset, t));
            rhs.neg_mut();
            let d = with_last_row(jac, t).lu().solve(&rhs)?;
            let distance = d.norm();
            if distance.is_nan() || distance > MAX_DISTANCE {
                return None;
            }
            let mut ratio = distance / MAX_DISTANCE;
            if iteration > 0 {
                // The small offset keeps noise-level corrections from reading as divergence.
                let contraction = distance / (previous + 0.1 * tolerance);
                if contraction > MAX_CONTRACTION {
                    return None;
                }
                ratio = ratio.max(contraction / MAX_CONTRACTION);
            }
            deceleration = deceleration.max(ratio.sqrt() * MAX_DECELERATION);
            w.iter_mut().zip(d.iter()).for_each(|(a, b)| *a += b);
            previous = distance;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finite::nfg::parse_nfg;

    /// The principal branch of `tests/data/logit_fold.nfg` (see `logit_follows_a_branch_that_
    /// folds_back` in `tests/finite_equilibria.rs`) rises to lambda ~ 1935, comes back down to
    /// ~ 34, then rises for good. Traced to lambda 3000: no point below lambda 0, the
    /// orientation never flips (a generic game has no bifurcation on the branch), and at every
    /// fold of lambda the square Jacobian `dH/dy` is singular (nearly so at the accepted point
    /// next to it), which is what a fold of the curve `H = 0` in `lambda` is.
    #[test]
    fn the_tracer_passes_the_folds_of_a_folding_branch() {
        let game = parse_nfg(include_str!("../../../tests/data/logit_fold.nfg"))
            .expect("the regression game parses");
        let path = LogitPath::new(&game, 0.0, 0);
        let n = path.size;
        let mut tracer = Tracer::start(&path, 0.03).expect("the centroid is regular");
        let start = tracer.orientation;
        let mut folds = Vec::new();
        for _ in 0..20_000 {
            let rising = tracer.t[n] > 0.0;
            if !tracer.advance().expect("the branch is followed") {
                continue;
            }
            assert!(tracer.lambda() >= 0.0, "lambda {}", tracer.lambda());
            assert_eq!(tracer.orientation, start);
            if rising != (tracer.t[n] > 0.0) {
                folds.push(tracer.lambda());
                let (_, jac) = path.evaluate(&tracer.z);
                let square = jac.columns(0, n).into_owned();
                let s = square.singular_values();
                assert!(
                    s.min() <= 1e-2 * s.max(),
                    "fold at {}: {s}",
                    tracer.lambda()
                );
            }
            if tracer.lambda() >= 3000.0 {
                break;
            }
        }
        assert!(tracer.lambda() >= 3000.0, "stopped at {}", tracer.lambda());
        // Up, down, then up again: an even number of folds, the first high, the second far
        // below it.
        assert!(folds.len() >= 2 && folds.len() % 2 == 0, "folds {folds:?}");
        assert!(folds[0] > 1900.0, "folds {folds:?}");
        assert!(folds[1] < 100.0, "folds {folds:?}");
    }

    /// The 2x2 coordination game (payoff 1 to both players when they match, else 0). By
    /// symmetry the principal branch is the centroid for every lambda. With
    /// `d_i = y_i1 - y_i0` the equations read `d_1 = lambda tanh(d_2 / 2)` and
    /// `d_2 = lambda tanh(d_1 / 2)` (`x_j1 - x_j0 = tanh(d_j / 2)`); their linearization at the
    /// centroid, `d = (lambda / 2) P d` with `P` swapping the players, has the eigenvalue 1 at
    /// `lambda = 2`: a pitchfork, where `det [J; t^T]` changes sign along the branch. The tracer
    /// crosses it once, there, stays on the centroid and polishes to the mixed equilibrium.
    #[test]
    fn the_tracer_crosses_the_pitchfork_of_a_coordination_game() {
        let a = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let game = NormalFormGame::from_bimatrix(&a, &a).expect("valid");
        let path = LogitPath::new(&game, 0.0, 0);
        let n = path.size;
        let mut tracer = Tracer::start(&path, 0.03).expect("the centroid is regular");
        let mut flips = Vec::new();
        for _ in 0..10_000 {
            let before = tracer.orientation;
            if tracer.advance().expect("the branch is followed") && tracer.orientation != before {
                flips.push(tracer.lambda());
            }
            if tracer.lambda() >= 10.0 {
                break;
            }
        }
        assert!(tracer.lambda() >= 10.0, "stopped at {}", tracer.lambda());
        assert_eq!(flips.len(), 1, "flips {flips:?}");
        assert!((flips[0] - 2.0).abs() < 1e-6, "flips {flips:?}");
        let centroid = -(2.0_f64.ln());
        assert!(tracer.z[..n].iter().all(|y| (y - centroid).abs() < 1e-9));
        let eq = logit_homotopy(&game, &NashOptions::default()).expect("an equilibrium");
        assert_eq!(eq.profile.strategies(), &[vec![0.5, 0.5], vec![0.5, 0.5]]);
    }

    /// A degenerate 2x2x2 game (payoffs in {0, 1, 2}, drawn in a stress run; players 1 and 2
    /// face the same payoff differences: `u(2) - u(1) = -1` when the other of the two plays 2
    /// and player 3 plays 1, else 0). Its principal branch meets a bifurcation point near
    /// lambda 12.317: there the 6 x 7 Jacobian has rank 5 (smallest singular value about 2e-9
    /// against 5 for the largest), so the tangent is undefined and the step underflows. The restart on perturbed payoffs ends at an
    /// equilibrium of the game itself, certified.
    #[test]
    fn a_degenerate_game_is_solved_by_a_perturbed_restart() {
        let payoffs = vec![
            vec![2.0, 2.0, 1.0, 0.0, 2.0, 2.0, 2.0, 2.0],
            vec![0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 2.0, 0.0],
            vec![1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 2.0, 1.0],
        ];
        let game = NormalFormGame::new(&[2, 2, 2], payoffs).expect("valid");
        let path = LogitPath::new(&game, 0.0, 0);
        let mut tracer = Tracer::start(&path, 0.03).expect("the centroid is regular");
        let failure = (0..20_000).find_map(|_| tracer.advance().err());
        assert!(failure.is_some_and(|f| f.contains("underflow")));
        assert!(
            (tracer.lambda() - 12.317).abs() < 1e-2,
            "{}",
            tracer.lambda()
        );
        let s = path.evaluate(&tracer.z).1.singular_values();
        assert!(s.min() < 1e-6 * s.max(), "singular values {s}");
        let opts = NashOptions::default();
        let eq = logit_homotopy(&game, &opts).expect("a perturbed restart succeeds");
        let regret = game.regret(&eq.profile).expect("a valid profile");
        assert!(regret <= 1e-9 * game.payoff_range(), "regret {regret:e}");
        assert_eq!(eq.method, Method::LogitHomotopy);
    }
}
