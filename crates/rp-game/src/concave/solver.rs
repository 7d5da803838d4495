//! Variational (Rosen-normalized) equilibrium and social optimum by an extragradient method with
//! adaptive steps and exact projection (THEORY §5).
//!
//! Both problems are the variational inequality `<F(beta*), beta - beta*> >= 0` for all feasible
//! `beta`: `F = -(grad_{beta^i} u_i)_i` for the equilibrium (Rosen's normalized equilibrium with
//! equal weights `r_i = 1`, so all agents share one multiplier vector for the shared
//! constraints) and `F = -grad W` for the optimum.
//!
//! Method: Korpelevich's extragradient with Khobotov–Marcotte step control. From `x`, the
//! predictor `y = P(x - tau F(x))` is accepted when `tau |F(x) - F(y)| <= theta |x - y|` (a local
//! Lipschitz test, `theta = 0.9`); otherwise `tau` shrinks to the largest step the measured local
//! Lipschitz constant allows (times `0.9`). The corrector is `x+ = P(x - tau F(y))`. After every
//! accepted step `tau` grows by `1.25`, so the step tracks the local Lipschitz constant in both
//! directions (the payoffs of the environments are far more curved near 0 than at the
//! equilibrium). Convergence for monotone Lipschitz `F` is classical; for strongly monotone `F` it
//! is linear.
//!
//! Stopping: the natural residual `r(x) = |x - P(x - F(x))|` (unit step). Since
//! `|x - P(x - t F)|` is nondecreasing in `t` and `|x - P(x - t F)| / t` nonincreasing, the
//! predictor distance certifies `r(x) <= |x - y| max(1, 1/tau)`; once that bound is below the
//! tolerance the residual is computed exactly (one more projection, whose KKT multipliers give the
//! shared constraints' multipliers `lambda`: at the solution `x = P(x - F(x))`, so
//! `F(x) + A' lambda + caps - bounds = 0`). A run that exhausts its iterations returns
//! [`GameError::NotConverged`] with the best residual it reached.

use serde::{Deserialize, Serialize};

use super::error::GameError;
use super::feasible::{FeasibleSet, distance};
use super::game::{ConcaveGame, Welfare};
use super::polish::{Face, polish};
use super::projection::Projector;

/// Options of the extragradient solver.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolverOptions {
    /// Target natural residual `|beta - Proj(beta - F(beta))|` (absolute; default `1e-9`).
    pub tolerance: f64,
    /// Iteration budget (default 20 000).
    pub max_iterations: usize,
    /// First step size `tau` (default 1; adapted from the first iteration on).
    pub initial_step: f64,
    /// Try Newton on the active face once the iterates settle on one (default true).
    pub face_newton: bool,
}

impl Default for SolverOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-9,
            max_iterations: 20_000,
            initial_step: 1.0,
            face_newton: true,
        }
    }
}

impl SolverOptions {
    fn validate(&self) -> Result<(), GameError> {
        let ok = self.tolerance.is_finite()
            && self.tolerance > 0.0
            && self.initial_step.is_finite()
            && self.initial_step > 0.0
            && self.max_iterations > 0;
        if ok {
            Ok(())
        } else {
            Err(GameError::InvalidOptions(format!("{self:?}")))
        }
    }
}

/// A variational equilibrium (or, from [`social_optimum`], a welfare maximizer) with its
/// certificate of accuracy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariationalEquilibrium {
    /// The joint profile `beta*` (feasible).
    pub profile: Vec<f64>,
    /// One multiplier per shared constraint, common to all agents (`lambda >= 0`).
    pub multipliers: Vec<f64>,
    /// Extragradient iterations used.
    pub iterations: usize,
    /// Natural residual `|beta* - Proj(beta* - F(beta*))|` (`<= tolerance`).
    pub residual: f64,
}

/// Tuning constants of the step control.
const THETA: f64 = 0.9;
const GROWTH: f64 = 1.25;
const MAX_BACKTRACKS: usize = 60;
/// Iterations on one face before a Newton polish (the wait grows by this after each failure).
const FACE_STABLE: usize = 8;

/// Which face the iterates are on, and for how long.
struct FaceWatch {
    face: Option<Face>,
    stable: usize,
    wait: usize,
}

/// Rosen's normalized (variational) equilibrium of `game` on `set`, started from `warm_start`
/// (projected onto the set) or from 0.
pub fn variational_equilibrium<G: ConcaveGame + ?Sized>(
    game: &G,
    set: &FeasibleSet,
    options: &SolverOptions,
    warm_start: Option<&[f64]>,
) -> Result<VariationalEquilibrium, GameError> {
    check_blocks(game.blocks(), set)?;
    let map = |beta: &[f64], out: &mut [f64]| {
        game.pseudo_gradient(beta, out);
        out.iter_mut().for_each(|v| *v = -*v);
    };
    solve_vi(map, set, options, warm_start)
}

/// The maximizer of a concave welfare `W` over `set` (the VI with `F = -grad W`), same reporting.
pub fn social_optimum<W: Welfare + ?Sized>(
    welfare: &W,
    set: &FeasibleSet,
    options: &SolverOptions,
    warm_start: Option<&[f64]>,
) -> Result<VariationalEquilibrium, GameError> {
    let map = |beta: &[f64], out: &mut [f64]| {
        welfare.welfare_gradient(beta, out);
        out.iter_mut().for_each(|v| *v = -*v);
    };
    solve_vi(map, set, options, warm_start)
}

fn check_blocks(blocks: &[usize], set: &FeasibleSet) -> Result<(), GameError> {
    if blocks != set.blocks() {
        return Err(GameError::InvalidSet(format!(
            "game blocks {blocks:?} differ from the set's {:?}",
            set.blocks()
        )));
    }
    Ok(())
}

/// Buffers of one extragradient run.
struct Iterate {
    x: Vec<f64>,
    fx: Vec<f64>,
    y: Vec<f64>,
    fy: Vec<f64>,
    step: Vec<f64>,
}

/// Solves the VI `<F(x*), x - x*> >= 0` on `set` by adaptive extragradient.
pub fn solve_vi<F: Fn(&[f64], &mut [f64])>(
    map: F,
    set: &FeasibleSet,
    options: &SolverOptions,
    warm_start: Option<&[f64]>,
) -> Result<VariationalEquilibrium, GameError> {
    options.validate()?;
    let n = set.dim();
    let mut proj = Projector::new(set);
    let mut it = Iterate {
        x: vec![0.0; n],
        fx: vec![0.0; n],
        y: vec![0.0; n],
        fy: vec![0.0; n],
        step: vec![0.0; n],
    };
    let start = match warm_start {
        Some(w) => {
            set.check_point(w, "warm start")?;
            w.to_vec()
        }
        None => vec![0.0; n],
    };
    proj.project_into(&start, &mut it.x)?;
    evaluate(&map, &it.x, &mut it.fx, "F at the start")?;
    let mut tau = options.initial_step;
    let mut best = f64::INFINITY;
    let mut watch = FaceWatch {
        face: None,
        stable: 0,
        wait: FACE_STABLE,
    };
    for iteration in 0..options.max_iterations {
        let gap = predictor(&map, &mut proj, &mut it, &mut tau)?;
        if gap * tau.recip().max(1.0) <= options.tolerance {
            let (residual, multipliers) = natural_residual(&mut proj, &it.x, &it.fx, &mut it.step)?;
            best = best.min(residual);
            if residual <= options.tolerance {
                tracing::debug!(iteration, residual, "variational inequality solved");
                return Ok(VariationalEquilibrium {
                    profile: it.x,
                    multipliers,
                    iterations: iteration,
                    residual,
                });
            }
        }
        best = best.min(gap * tau.recip().max(1.0));
        corrector(&map, &mut proj, &mut it, tau)?;
        tau *= GROWTH;
        if !options.face_newton {
            continue;
        }
        if let Some(eq) = try_polish(&map, set, &mut proj, &it, &mut watch, options.tolerance)? {
            tracing::debug!(iteration, residual = eq.residual, "solved by face polish");
            return Ok(VariationalEquilibrium {
                iterations: iteration + 1,
                ..eq
            });
        }
    }
    tracing::warn!(residual = best, "extragradient did not converge");
    Err(GameError::NotConverged {
        iterations: options.max_iterations,
        residual: best,
        tolerance: options.tolerance,
    })
}

/// Tracks the face of the iterate and, once it has been stable long enough, tries Newton on it;
/// returns the polished solution if its natural residual meets the tolerance.
fn try_polish<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    set: &FeasibleSet,
    proj: &mut Projector<'_>,
    it: &Iterate,
    watch: &mut FaceWatch,
    tolerance: f64,
) -> Result<Option<VariationalEquilibrium>, GameError> {
    let face = Face::of(set, &it.x);
    if watch.face.as_ref() == Some(&face) {
        watch.stable += 1;
    } else {
        watch.face = Some(face);
        watch.stable = 0;
    }
    if watch.stable < watch.wait {
        return Ok(None);
    }
    watch.stable = 0;
    watch.wait += FACE_STABLE;
    let Some(face) = watch.face.as_ref() else {
        return Ok(None);
    };
    let Some(point) = polish(map, set, face, &it.x) else {
        return Ok(None);
    };
    let mut fx = vec![0.0; point.len()];
    if evaluate(map, &point, &mut fx, "F at the polished point").is_err() {
        return Ok(None);
    }
    let mut buffer = vec![0.0; point.len()];
    let (residual, multipliers) = natural_residual(proj, &point, &fx, &mut buffer)?;
    Ok((residual <= tolerance).then_some(VariationalEquilibrium {
        profile: point,
        multipliers,
        iterations: 0,
        residual,
    }))
}

/// `F(x)` into `out`, refusing non-finite values.
fn evaluate<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    x: &[f64],
    out: &mut [f64],
    what: &'static str,
) -> Result<(), GameError> {
    map(x, out);
    match out.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(GameError::NonFinite {
            what,
            index,
            value: out[index],
        }),
        None => Ok(()),
    }
}

/// The predictor `y = P(x - tau F(x))` with backtracking on the local Lipschitz test; returns
/// `|x - y|`.
fn predictor<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    proj: &mut Projector<'_>,
    it: &mut Iterate,
    tau: &mut f64,
) -> Result<f64, GameError> {
    for _ in 0..MAX_BACKTRACKS {
        for ((s, x), f) in it.step.iter_mut().zip(&it.x).zip(&it.fx) {
            *s = x - *tau * f;
        }
        proj.project_step(&it.step, &mut it.y, *tau)?;
        evaluate(map, &it.y, &mut it.fy, "F at the predictor")?;
        let dx = distance(&it.x, &it.y);
        let df = distance(&it.fx, &it.fy);
        if *tau * df <= THETA * dx || dx == 0.0 {
            return Ok(dx);
        }
        *tau = (THETA * THETA * dx / df).min(0.5 * *tau);
    }
    Err(GameError::StepUnderflow)
}

/// The corrector `x = P(x - tau F(y))`, and `F` at the new point.
fn corrector<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    proj: &mut Projector<'_>,
    it: &mut Iterate,
    tau: f64,
) -> Result<(), GameError> {
    for ((s, x), f) in it.step.iter_mut().zip(&it.x).zip(&it.fy) {
        *s = x - tau * f;
    }
    proj.project_step(&it.step, &mut it.x, tau)?;
    evaluate(map, &it.x, &mut it.fx, "F at the corrector")
}

/// `|x - P(x - F(x))|` and the shared multipliers of that projection.
fn natural_residual(
    proj: &mut Projector<'_>,
    x: &[f64],
    fx: &[f64],
    buffer: &mut [f64],
) -> Result<(f64, Vec<f64>), GameError> {
    let shifted: Vec<f64> = x.iter().zip(fx).map(|(x, f)| x - f).collect();
    proj.project_into(&shifted, buffer)?;
    Ok((distance(x, buffer), proj.shared_multipliers().to_vec()))
}

/// Natural residual of `beta` for the VI map `F` (for checks outside the solver).
pub fn residual_of<F: Fn(&[f64], &mut [f64])>(
    map: F,
    set: &FeasibleSet,
    beta: &[f64],
) -> Result<f64, GameError> {
    set.check_point(beta, "profile")?;
    let mut proj = Projector::new(set);
    let mut fx = vec![0.0; beta.len()];
    evaluate(&map, beta, &mut fx, "F")?;
    let mut buffer = vec![0.0; beta.len()];
    natural_residual(&mut proj, beta, &fx, &mut buffer).map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concave::{SharedConstraint, project};
    use proptest::prelude::*;

    /// `W(x) = -|x - c|^2 / 2`: its maximizer over the set is the projection of `c`.
    struct Distance(Vec<f64>);

    impl Welfare for Distance {
        fn welfare(&self, x: &[f64]) -> f64 {
            -0.5 * distance(x, &self.0).powi(2)
        }
        fn welfare_gradient(&self, x: &[f64], out: &mut [f64]) {
            for ((o, x), c) in out.iter_mut().zip(x).zip(&self.0) {
                *o = c - x;
            }
        }
    }

    fn set_with_probe(a: Vec<f64>) -> FeasibleSet {
        FeasibleSet::mixed(vec![2, 2], vec![SharedConstraint::new(a, 1.0)]).unwrap()
    }

    #[test]
    fn reports_non_convergence_with_the_residual_reached() {
        let set = set_with_probe(vec![1.0, 2.0, 1.5, 1.0]);
        let options = SolverOptions {
            max_iterations: 1,
            face_newton: false,
            ..SolverOptions::default()
        };
        let target = Distance(vec![2.0, -1.0, 0.5, 3.0]);
        match social_optimum(&target, &set, &options, None) {
            Err(GameError::NotConverged {
                iterations: 1,
                residual,
                ..
            }) => assert!(residual > 1e-9 && residual.is_finite()),
            other => panic!("expected NotConverged, got {other:?}"),
        }
    }

    #[test]
    fn refuses_non_finite_maps_and_bad_options() {
        let set = set_with_probe(vec![1.0; 4]);
        let nan = |_: &[f64], out: &mut [f64]| out.fill(f64::NAN);
        let options = SolverOptions::default();
        assert!(matches!(
            solve_vi(nan, &set, &options, None),
            Err(GameError::NonFinite { .. })
        ));
        let bad = SolverOptions {
            tolerance: -1.0,
            ..options
        };
        let zero = |_: &[f64], out: &mut [f64]| out.fill(0.0);
        assert!(matches!(
            solve_vi(zero, &set, &bad, None),
            Err(GameError::InvalidOptions(_))
        ));
        assert!(matches!(
            solve_vi(zero, &set, &options, Some(&[1.0])),
            Err(GameError::Dimension { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Known answer on random data: maximizing `-|x - c|^2 / 2` returns `Proj(c)`, and the
        /// shared multiplier equals the projection's.
        #[test]
        fn optimum_of_a_distance_is_the_projection(
            a in prop::collection::vec(0.5..3.0f64, 4),
            c in prop::collection::vec(-1.0..2.0f64, 4),
            newton in any::<bool>(),
        ) {
            let set = set_with_probe(a);
            let options = SolverOptions { face_newton: newton, ..SolverOptions::default() };
            let opt = social_optimum(&Distance(c.clone()), &set, &options, None).unwrap();
            let p = project(&set, &c).unwrap();
            prop_assert!(distance(&opt.profile, &p.point) < 1e-8);
            prop_assert!((opt.multipliers[0] - p.shared_multipliers[0]).abs() < 1e-7);
            prop_assert!(opt.residual <= 1e-9);
        }
    }
}
