//! Exact Euclidean projection onto the feasible polytope of a concave game.
//!
//! Three cases, chosen once per [`FeasibleSet`]:
//! - **caps only**: each block is projected onto `{x >= 0, sum x <= cap}` in closed form (sort
//!   the positive part, read the block multiplier `nu_i` off the breakpoints);
//! - **caps and one shared constraint** `a . x <= b` (the probe of THEORY §1): `x(mu) =
//!   Proj_caps(y - mu a)` and `g(mu) = a . x(mu)` is piecewise linear and nonincreasing, so the
//!   multiplier `mu >= 0` with `g(mu) = b` is found by a safeguarded Newton search that jumps
//!   from piece to piece (each step lands on the root of the current linear piece, which is
//!   exact once the right piece is reached; a bracket with bisection guards against cycling);
//! - **two or more shared constraints**: a QP solved by clarabel, then *polished*: the active set
//!   read from clarabel's answer defines an equality-constrained least-squares problem solved
//!   exactly, and the polished point replaces clarabel's only if it passes the KKT check.
//!   Whatever is returned passes [`kkt_violation`] within a tolerance relative to the input.
//!
//! Every projection also returns its KKT multipliers: one per shared constraint and one per
//! agent cap. The equilibrium solver reads the shared constraints' multipliers from them.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettings, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, SupportedConeT,
};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::error::GameError;
use super::feasible::{FeasibleSet, dot};

/// A projected point with its KKT multipliers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// `Proj_X(y)`.
    pub point: Vec<f64>,
    /// Multiplier of each shared constraint (`>= 0`).
    pub shared_multipliers: Vec<f64>,
    /// Multiplier of each agent's cap (`>= 0`; 0 for uncapped agents).
    pub cap_multipliers: Vec<f64>,
}

/// Relative tolerance of the KKT check of a projection (QP path).
const KKT_TOLERANCE: f64 = 1e-8;
/// Iterations of the one-dimensional multiplier search before it settles on the bracket.
const MAX_SEARCH_STEPS: usize = 200;

/// Projects onto one [`FeasibleSet`], reusing buffers and warm-starting the multiplier search
/// across calls (the solver projects thousands of nearby points).
#[derive(Debug)]
pub struct Projector<'a> {
    set: &'a FeasibleSet,
    /// The caps the projection must enforce: a cap implied by the single shared constraint is
    /// dropped (same set, and the multiplier search then works on a convex `g`).
    caps: Vec<Option<f64>>,
    qp: Option<QpProjection<'a>>,
    scratch: Vec<f64>,
    /// Estimate of the multiplier per unit step (`mu / step` at the last single-constraint
    /// projection): the solver projects `x - tau F` with varying `tau`, whose multiplier scales
    /// with `tau`.
    warm_rate: f64,
    shared_multipliers: Vec<f64>,
    cap_multipliers: Vec<f64>,
}

/// What projecting one block at a given shared multiplier produced.
struct BlockPiece {
    nu: f64,
    spend: f64,
    slope: f64,
}

impl<'a> Projector<'a> {
    /// A projector onto `set`.
    pub fn new(set: &'a FeasibleSet) -> Self {
        Self {
            set,
            caps: enforced_caps(set),
            qp: (set.shared().len() >= 2).then(|| QpProjection::new(set)),
            scratch: Vec::with_capacity(set.blocks().iter().copied().max().unwrap_or(0)),
            warm_rate: 0.0,
            shared_multipliers: vec![0.0; set.shared().len()],
            cap_multipliers: vec![0.0; set.agents()],
        }
    }

    /// Projects `y` and returns the point with its multipliers.
    pub fn project(&mut self, y: &[f64]) -> Result<Projection, GameError> {
        let mut point = vec![0.0; self.set.dim()];
        self.project_into(y, &mut point)?;
        Ok(Projection {
            point,
            shared_multipliers: self.shared_multipliers.clone(),
            cap_multipliers: self.cap_multipliers.clone(),
        })
    }

    /// Projects `y` into `out` (both of length `N`); the multipliers are kept for
    /// [`Projector::shared_multipliers`]. `y` must be finite (the caller checks).
    pub fn project_into(&mut self, y: &[f64], out: &mut [f64]) -> Result<(), GameError> {
        self.project_step(y, out, 1.0)
    }

    /// Like [`Projector::project_into`] for a point `y = x - step F(x)`: the multiplier search
    /// starts from the last multiplier rescaled to `step` (a hint only: the result is the same).
    pub fn project_step(&mut self, y: &[f64], out: &mut [f64], step: f64) -> Result<(), GameError> {
        match self.set.shared().len() {
            0 => {
                self.project_caps(y, 0.0, None, out);
                Ok(())
            }
            1 => {
                self.project_one_shared(y, out, step);
                Ok(())
            }
            _ => self.project_qp(y, out),
        }
    }

    /// Multipliers of the shared constraints at the last projection.
    pub fn shared_multipliers(&self) -> &[f64] {
        &self.shared_multipliers
    }

    /// Projects `y - mu a` block by block onto the caps; returns `(a . x, d(a . x)/d mu)`.
    fn project_caps(
        &mut self,
        y: &[f64],
        mu: f64,
        a: Option<&[f64]>,
        out: &mut [f64],
    ) -> (f64, f64) {
        let (mut spend, mut slope) = (0.0, 0.0);
        for i in 0..self.set.agents() {
            let r = self.set.block(i);
            let piece = project_block(
                &y[r.clone()],
                a.map(|a| &a[r.clone()]),
                mu,
                self.caps[i],
                &mut out[r],
                &mut self.scratch,
            );
            self.cap_multipliers[i] = piece.nu;
            spend += piece.spend;
            slope += piece.slope;
        }
        (spend, slope)
    }

    /// The single-shared-constraint case: safeguarded Newton on the piecewise-linear `g(mu)`,
    /// started from the warm multiplier (one evaluation when it is still exact).
    fn project_one_shared(&mut self, y: &[f64], out: &mut [f64], step: f64) {
        let set = self.set;
        let c = &set.shared()[0];
        let (a, b) = (c.coefficients.as_slice(), c.bound);
        let mut bracket = Bracket::new(b);
        let mut mu = self.warm_rate * step;
        if !(mu > 0.0 && mu.is_finite()) {
            mu = 0.0;
        }
        let mut checked_zero = false;
        for _ in 0..MAX_SEARCH_STEPS {
            let (g, slope) = self.project_caps(y, mu, Some(a), out);
            if mu == 0.0 {
                checked_zero = true;
                if g <= b {
                    return self.settle(0.0, step);
                }
            }
            let scale = b.abs() + spend_scale(a, out);
            if (g - b).abs() <= 4.0 * f64::EPSILON * scale {
                return self.settle(mu, step);
            }
            bracket.update(mu, g);
            if g < b && !checked_zero {
                // Below the bound at the warm start: the answer may be mu = 0.
                mu = 0.0;
                continue;
            }
            if bracket.collapsed() {
                break;
            }
            let newton = if slope < 0.0 {
                mu + (b - g) / slope
            } else {
                f64::NAN
            };
            mu = if bracket.contains(newton) {
                newton
            } else {
                bracket.fallback(mu, (g - b) / dot(a, a).max(f64::MIN_POSITIVE))
            };
        }
        // The bracket collapsed without an exact hit (only at a kink, to rounding): the upper end
        // satisfies the constraint.
        let mu = if bracket.hi.is_finite() {
            bracket.hi
        } else {
            mu
        };
        self.project_caps(y, mu, Some(a), out);
        self.settle(mu, step);
    }

    fn settle(&mut self, mu: f64, step: f64) {
        self.shared_multipliers[0] = mu;
        if mu > 0.0 {
            self.warm_rate = mu / step;
        }
    }

    /// Two or more shared constraints: clarabel, polished, KKT-checked.
    fn project_qp(&mut self, y: &[f64], out: &mut [f64]) -> Result<(), GameError> {
        let qp = self
            .qp
            .as_ref()
            .expect("a QP is prepared whenever there are two or more shared constraints");
        let raw = qp.solve(y)?;
        let by_multiplier = qp.polish(y, &raw, ActiveRule::MultiplierDominates);
        let by_boundary = qp.polish(y, &raw, ActiveRule::OnBoundary);
        let tolerance = KKT_TOLERANCE * (1.0 + y.iter().fold(0.0_f64, |m, v| m.max(v.abs())));
        let judge = |p: Projection| (kkt_violation(self.set, y, &p), p);
        let mut best = [by_multiplier, by_boundary, Some(raw)]
            .into_iter()
            .flatten()
            .map(judge)
            .min_by(|l, r| l.0.total_cmp(&r.0));
        if best.as_ref().is_none_or(|(v, _)| *v > tolerance) {
            // clarabel stalled (seen on degenerate unbounded polyhedra): Dykstra's method with
            // exact single-constraint projections, polished on its active set.
            tracing::debug!("projection QP failed its KKT check; falling back to Dykstra");
            let dykstra = dykstra(self.set, y)?;
            best = qp
                .polish(y, &dykstra, ActiveRule::OnBoundary)
                .map(judge)
                .filter(|(v, _)| *v <= tolerance)
                .or(best);
        }
        match best {
            Some((violation, p)) if violation <= tolerance => {
                out.copy_from_slice(&p.point);
                self.shared_multipliers = p.shared_multipliers;
                self.cap_multipliers = p.cap_multipliers;
                Ok(())
            }
            Some((violation, _)) => Err(GameError::Projection(format!(
                "QP answer violates KKT by {violation:.3e} (tolerance {tolerance:.3e})"
            ))),
            None => Err(GameError::Projection("no QP answer".into())),
        }
    }
}

/// The bracket `[lo, hi]` of the multiplier search, with `g(lo) > b > g(hi)`, and the
/// Illinois variant of regula falsi as the fallback when a Newton step leaves it (a plain
/// bisection would need ~50 steps to find the right piece when the Newton step from a flat piece
/// overshoots; regula falsi on a piecewise-linear function needs a few).
struct Bracket {
    b: f64,
    lo: f64,
    hi: f64,
    g_lo: f64,
    g_hi: f64,
    last_moved_low: Option<bool>,
}

impl Bracket {
    fn new(b: f64) -> Self {
        Self {
            b,
            lo: 0.0,
            hi: f64::INFINITY,
            g_lo: f64::NAN,
            g_hi: f64::NAN,
            last_moved_low: None,
        }
    }

    /// Records `g(mu)`; when the same end moves twice running, the other end's deviation from
    /// `b` is halved (Illinois), which keeps regula falsi from stalling.
    fn update(&mut self, mu: f64, g: f64) {
        let low = g > self.b;
        if low {
            (self.lo, self.g_lo) = (mu, g);
        } else {
            (self.hi, self.g_hi) = (mu, g);
        }
        if self.last_moved_low == Some(low) {
            if low {
                self.g_hi = self.b + 0.5 * (self.g_hi - self.b);
            } else {
                self.g_lo = self.b + 0.5 * (self.g_lo - self.b);
            }
        }
        self.last_moved_low = Some(low);
    }

    fn collapsed(&self) -> bool {
        self.hi.is_finite() && self.hi - self.lo <= 4.0 * f64::EPSILON * self.hi
    }

    fn contains(&self, mu: f64) -> bool {
        mu > self.lo && mu < self.hi
    }

    /// Regula falsi inside a finite bracket (bisection if it would not move strictly inside);
    /// doubling while the upper end is unknown.
    fn fallback(&self, mu: f64, guess: f64) -> f64 {
        if !self.hi.is_finite() {
            return 2.0 * mu.max(guess);
        }
        let secant = if self.g_lo.is_finite() && self.g_hi.is_finite() && self.g_lo > self.g_hi {
            self.lo + (self.g_lo - self.b) * (self.hi - self.lo) / (self.g_lo - self.g_hi)
        } else {
            f64::NAN
        };
        if self.contains(secant) {
            secant
        } else {
            0.5 * (self.lo + self.hi)
        }
    }
}

/// Agent caps with those implied by a single shared constraint `a . x <= b` removed: with
/// `a >= 0` on the whole profile, block `i` can sum to at most `b / min_{j in i} a_j`, so a cap
/// at or above that never binds (airtime costs `>= 1` under a budget of 1 imply the caps).
fn enforced_caps(set: &FeasibleSet) -> Vec<Option<f64>> {
    let implied = |i: usize| -> Option<f64> {
        let [c] = set.shared() else { return None };
        if c.coefficients.iter().any(|a| *a < 0.0) {
            return None;
        }
        let low = c.coefficients[set.block(i)]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        (low > 0.0).then(|| c.bound.max(0.0) / low)
    };
    (0..set.agents())
        .map(|i| match (set.caps()[i], implied(i)) {
            (Some(cap), Some(sum_max)) if sum_max <= cap => None,
            (cap, _) => cap,
        })
        .collect()
}

/// Projects `Proj_X(y)` once (see [`Projector`] for repeated projections).
pub fn project(set: &FeasibleSet, y: &[f64]) -> Result<Projection, GameError> {
    set.check_point(y, "point to project")?;
    Projector::new(set).project(y)
}

/// `sum |a_j x_j|`: the magnitude against which `a . x = b` is judged.
fn spend_scale(a: &[f64], x: &[f64]) -> f64 {
    a.iter().zip(x).map(|(a, x)| (a * x).abs()).sum()
}

/// Projects `z = y - mu a` (one block) onto `{x >= 0, sum x <= cap}` into `out`.
///
/// The cap multiplier `nu` solves `sum max(z - nu, 0) = cap` when the positive part exceeds the
/// cap: sorting the positive entries descending, `nu = (sum of the top k - cap) / k` for the
/// largest `k` whose k-th entry exceeds that value. The slope `d(a . x)/d mu` of the current
/// linear piece is `-sum_F a_j^2 + (sum_F a_j)^2 / |F|` over the free set `F` when the cap binds
/// (moving `mu` also moves `nu`), and `-sum_F a_j^2` otherwise.
fn project_block(
    y: &[f64],
    a: Option<&[f64]>,
    mu: f64,
    cap: Option<f64>,
    out: &mut [f64],
    scratch: &mut Vec<f64>,
) -> BlockPiece {
    let coef = |j: usize| a.map_or(0.0, |a| a[j]);
    for (j, o) in out.iter_mut().enumerate() {
        *o = y[j] - mu * coef(j);
    }
    let positive: f64 = out.iter().map(|z| z.max(0.0)).sum();
    let nu = match cap {
        Some(cap) if positive > cap => cap_multiplier(out, cap, scratch),
        _ => 0.0,
    };
    let (mut spend, mut sq, mut sum, mut free) = (0.0, 0.0, 0.0, 0usize);
    for (j, o) in out.iter_mut().enumerate() {
        *o = (*o - nu).max(0.0);
        if *o > 0.0 {
            let aj = coef(j);
            spend += aj * *o;
            sq += aj * aj;
            sum += aj;
            free += 1;
        }
    }
    let slope = if nu > 0.0 && free > 0 {
        -sq + sum * sum / free as f64
    } else {
        -sq
    };
    BlockPiece { nu, spend, slope }
}

/// The `nu > 0` with `sum max(z - nu, 0) = cap` (requires `sum max(z, 0) > cap > 0`).
fn cap_multiplier(z: &[f64], cap: f64, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend(z.iter().copied().filter(|v| *v > 0.0));
    scratch.sort_unstable_by(|l, r| r.total_cmp(l));
    let (mut cumulative, mut nu) = (0.0, 0.0);
    for (k, v) in scratch.iter().enumerate() {
        let t = (cumulative + v - cap) / (k + 1) as f64;
        if *v <= t {
            break;
        }
        cumulative += v;
        nu = t;
    }
    nu
}

/// Largest violation of the projection's KKT conditions for `x = Proj_X(y)` with multipliers
/// `z` (shared) and `nu` (caps): primal feasibility, dual signs, stationarity through the bound
/// multipliers `w = x - y + A^T z + E^T nu >= 0`, and complementarity of every pair measured as
/// `|min(slack, multiplier)|`.
pub fn kkt_violation(set: &FeasibleSet, y: &[f64], p: &Projection) -> f64 {
    let x = &p.point;
    let mut w: Vec<f64> = x.iter().zip(y).map(|(x, y)| x - y).collect();
    let mut worst = set.violation(x);
    for (c, &z) in set.shared().iter().zip(&p.shared_multipliers) {
        worst = worst.max(-z).max(complementarity(-c.excess(x), z));
        for (w, a) in w.iter_mut().zip(&c.coefficients) {
            *w += z * a;
        }
    }
    for i in 0..set.agents() {
        let nu = p.cap_multipliers.get(i).copied().unwrap_or(0.0);
        let r = set.block(i);
        let slack = match set.caps()[i] {
            Some(cap) => cap - x[r.clone()].iter().sum::<f64>(),
            None => f64::INFINITY,
        };
        worst = worst.max(-nu).max(complementarity(slack, nu));
        w[r].iter_mut().for_each(|w| *w += nu);
    }
    w.iter()
        .zip(x)
        .fold(worst, |v, (w, x)| v.max(-w).max(complementarity(*x, *w)))
}

/// `|min(slack, multiplier)|`: zero exactly when one of the pair vanishes and neither is
/// negative. Unlike the product it does not call two small but clearly nonzero numbers (a
/// coordinate of `1e-6` with a bound multiplier of `1e-6`) complementary.
fn complementarity(slack: f64, multiplier: f64) -> f64 {
    slack.min(multiplier).abs()
}

/// The projection QP `min 1/2 |x - y|^2` over the polytope, in clarabel's form
/// `min 1/2 x'Px + q'x, Gx + s = h, s >= 0` with rows: `-x <= 0`, caps, shared constraints.
#[derive(Debug)]
struct QpProjection<'a> {
    set: &'a FeasibleSet,
    capped: Vec<usize>,
    /// Rows of `G` (dense) and right-hand sides `h`, built once.
    g: Vec<Vec<f64>>,
    h: Vec<f64>,
}

impl<'a> QpProjection<'a> {
    fn new(set: &'a FeasibleSet) -> Self {
        let capped = (0..set.agents())
            .filter(|&i| set.caps()[i].is_some())
            .collect();
        let mut qp = Self {
            set,
            capped,
            g: Vec::new(),
            h: Vec::new(),
        };
        let m = set.dim() + qp.capped.len() + set.shared().len();
        qp.g = (0..m).map(|r| qp.build_row(r)).collect();
        qp.h = (0..m).map(|r| qp.build_rhs(r)).collect();
        qp
    }

    fn rows(&self) -> usize {
        self.g.len()
    }

    fn row(&self, r: usize) -> &[f64] {
        &self.g[r]
    }

    fn rhs(&self, r: usize) -> f64 {
        self.h[r]
    }

    /// Row `r` of `G` as a dense vector.
    fn build_row(&self, r: usize) -> Vec<f64> {
        let n = self.set.dim();
        let mut g = vec![0.0; n];
        if r < n {
            g[r] = -1.0;
        } else if r < n + self.capped.len() {
            self.set.block(self.capped[r - n]).for_each(|j| g[j] = 1.0);
        } else {
            g.copy_from_slice(&self.set.shared()[r - n - self.capped.len()].coefficients);
        }
        g
    }

    fn build_rhs(&self, r: usize) -> f64 {
        let n = self.set.dim();
        if r < n {
            0.0
        } else if r < n + self.capped.len() {
            self.set.caps()[self.capped[r - n]].unwrap_or(f64::INFINITY)
        } else {
            self.set.shared()[r - n - self.capped.len()].bound
        }
    }

    /// Solves the QP with tight tolerances, retrying with clarabel's defaults (and more
    /// iterations) when the tight run stalls; a stalled answer is still returned, for the
    /// polish and the KKT check to judge.
    fn solve(&self, y: &[f64]) -> Result<Projection, GameError> {
        let tight = DefaultSettings {
            verbose: false,
            tol_gap_abs: 1e-10,
            tol_gap_rel: 1e-10,
            tol_feas: 1e-10,
            ..DefaultSettings::default()
        };
        let (status, answer) = self.run(y, tight)?;
        if matches!(status, SolverStatus::Solved | SolverStatus::AlmostSolved) {
            return Ok(answer);
        }
        let relaxed = DefaultSettings {
            verbose: false,
            max_iter: 1000,
            ..DefaultSettings::default()
        };
        tracing::debug!(
            ?status,
            "projection QP stalled at tight tolerances; retrying"
        );
        Ok(self.run(y, relaxed)?.1)
    }

    fn run(
        &self,
        y: &[f64],
        settings: DefaultSettings<f64>,
    ) -> Result<(SolverStatus, Projection), GameError> {
        let n = self.set.dim();
        let g = csc_from_rows(&self.g, n);
        let q: Vec<f64> = y.iter().map(|v| -v).collect();
        let p = CscMatrix::identity(n);
        let cones: [SupportedConeT<f64>; 1] = [NonnegativeConeT(self.rows())];
        let mut solver = DefaultSolver::new(&p, &q, &g, &self.h, &cones, settings)
            .map_err(|e| GameError::Projection(format!("clarabel setup: {e:?}")))?;
        solver.solve();
        let sol = &solver.solution;
        match sol.status {
            SolverStatus::Solved
            | SolverStatus::AlmostSolved
            | SolverStatus::InsufficientProgress
            | SolverStatus::MaxIterations => {}
            SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
                return Err(GameError::EmptySet);
            }
            other => return Err(GameError::Projection(format!("clarabel status {other:?}"))),
        }
        let answer = self.unpack(sol.x.iter().map(|v| v.max(0.0)).collect(), &sol.z);
        Ok((sol.status, answer))
    }

    /// Splits the row multipliers `z` into cap and shared multipliers.
    fn unpack(&self, point: Vec<f64>, z: &[f64]) -> Projection {
        let n = self.set.dim();
        let k = self.capped.len();
        let mut cap_multipliers = vec![0.0; self.set.agents()];
        for (c, &i) in self.capped.iter().enumerate() {
            cap_multipliers[i] = z[n + c].max(0.0);
        }
        Projection {
            point,
            shared_multipliers: z[n + k..].iter().map(|v| v.max(0.0)).collect(),
            cap_multipliers,
        }
    }

    /// Re-solves exactly on the active set of `raw` read by `rule`: zero coordinates are fixed at
    /// 0, active rows (cap or shared) hold with equality; `x_F = y_F - C_F' z` with
    /// `C_F C_F' z = C_F y_F - d` (minimum-norm `z` when the active rows are dependent).
    fn polish(&self, y: &[f64], raw: &Projection, rule: ActiveRule) -> Option<Projection> {
        let n = self.set.dim();
        let scale = 1.0 + y.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let near = match rule {
            ActiveRule::MultiplierDominates => 1e-9 * scale,
            ActiveRule::OnBoundary => 1e-7 * scale,
        };
        let zero = |j: usize| raw.point[j] <= near;
        let mut z_all = vec![0.0; self.rows()];
        for (c, &i) in self.capped.iter().enumerate() {
            z_all[n + c] = raw.cap_multipliers[i];
        }
        let base = n + self.capped.len();
        z_all[base..].copy_from_slice(&raw.shared_multipliers);
        let active: Vec<usize> = (n..self.rows())
            .filter(|&r| {
                let slack = self.rhs(r) - dot(self.row(r), &raw.point);
                match rule {
                    ActiveRule::MultiplierDominates => z_all[r] > slack.max(0.0),
                    ActiveRule::OnBoundary => slack <= near,
                }
            })
            .collect();
        let free: Vec<usize> = (0..n).filter(|&j| !zero(j)).collect();
        let c = DMatrix::from_fn(active.len(), free.len(), |a, f| {
            self.row(active[a])[free[f]]
        });
        let yf = DVector::from_fn(free.len(), |f, _| y[free[f]]);
        let d = DVector::from_fn(active.len(), |a, _| self.rhs(active[a]));
        let z = if active.is_empty() {
            DVector::zeros(0)
        } else {
            // SVD (minimum-norm multipliers) rather than LU: duplicated or dependent active rows
            // are legitimate and make `C C'` singular.
            (&c * c.transpose())
                .svd(true, true)
                .solve(&(&c * &yf - d), 1e-12)
                .ok()?
        };
        let xf = &yf - c.transpose() * &z;
        let mut point = vec![0.0; n];
        free.iter().zip(xf.iter()).for_each(|(&j, v)| point[j] = *v);
        let mut z_rows = vec![0.0; self.rows()];
        active
            .iter()
            .zip(z.iter())
            .for_each(|(&r, v)| z_rows[r] = *v);
        // `unpack` clips negative multipliers to 0; the KKT check of the caller then sees the
        // stationarity error this causes, so a wrong active set is never accepted.
        Some(self.unpack(point, &z_rows))
    }
}

/// Sweeps of Dykstra's method before it gives up.
const DYKSTRA_SWEEPS: usize = 100_000;

/// Dykstra's alternating projections onto the sets `{caps, a_m . x <= b_m}` (each projected
/// exactly by the one-dimensional search); converges to the projection onto their intersection.
/// Only the point is meaningful (multipliers are left at 0 for the polish to recover).
fn dykstra(set: &FeasibleSet, y: &[f64]) -> Result<Projection, GameError> {
    let n = set.dim();
    let pieces = set
        .shared()
        .iter()
        .map(|c| FeasibleSet::new(set.blocks().to_vec(), set.caps().to_vec(), vec![c.clone()]))
        .collect::<Result<Vec<_>, _>>()?;
    let mut projectors: Vec<Projector<'_>> = pieces.iter().map(Projector::new).collect();
    let mut increments = vec![vec![0.0; n]; pieces.len()];
    let (mut x, mut shifted, mut next) = (y.to_vec(), vec![0.0; n], vec![0.0; n]);
    let scale = 1.0 + y.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    for _ in 0..DYKSTRA_SWEEPS {
        let mut moved = 0.0_f64;
        for (projector, increment) in projectors.iter_mut().zip(&mut increments) {
            for ((s, x), p) in shifted.iter_mut().zip(&x).zip(increment.iter()) {
                *s = x + p;
            }
            projector.project_into(&shifted, &mut next)?;
            for ((p, s), nx) in increment.iter_mut().zip(&shifted).zip(&next) {
                *p = s - nx;
            }
            moved = moved.max(super::feasible::distance(&x, &next));
            std::mem::swap(&mut x, &mut next);
        }
        if moved <= 1e-14 * scale {
            break;
        }
    }
    Ok(Projection {
        point: x,
        shared_multipliers: vec![0.0; set.shared().len()],
        cap_multipliers: vec![0.0; set.agents()],
    })
}

/// How [`QpProjection::polish`] reads the active set off an interior-point answer.
#[derive(Clone, Copy, Debug)]
enum ActiveRule {
    /// A row is active when its multiplier exceeds its slack (strictly complementary answers).
    MultiplierDominates,
    /// A row is active when its slack is below `1e-7` (degenerate answers, re-projections).
    OnBoundary,
}

/// A sparse `m x n` matrix from dense rows.
fn csc_from_rows(rows: &[Vec<f64>], n: usize) -> CscMatrix<f64> {
    let mut colptr = vec![0];
    let (mut rowval, mut nzval) = (Vec::new(), Vec::new());
    for j in 0..n {
        for (r, row) in rows.iter().enumerate() {
            if row[j] != 0.0 {
                rowval.push(r);
                nzval.push(row[j]);
            }
        }
        colptr.push(rowval.len());
    }
    CscMatrix::new(rows.len(), n, colptr, rowval, nzval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concave::SharedConstraint;
    use crate::concave::feasible::distance;
    use proptest::prelude::*;

    #[test]
    fn capped_simplex_known_answer() {
        // y = (0.8, 0.6, -1), cap 1: the positive part sums to 1.4 > 1, so nu solves
        // (0.8 - nu) + (0.6 - nu) = 1: nu = 0.2, x = (0.6, 0.4, 0).
        let set = FeasibleSet::mixed(vec![3], vec![]).unwrap();
        let p = project(&set, &[0.8, 0.6, -1.0]).unwrap();
        assert!(
            distance(&p.point, &[0.6, 0.4, 0.0]) < 1e-15,
            "{:?}",
            p.point
        );
        assert!((p.cap_multipliers[0] - 0.2).abs() < 1e-15);
    }

    #[test]
    fn one_shared_constraint_known_answer() {
        // Two agents of one action, caps 1, constraint 1 x1 + 2 x2 <= 1, y = (1, 1).
        // x = y - mu a = (1 - mu, 1 - 2 mu); a . x = 3 - 5 mu = 1 gives mu = 0.4, x = (0.6, 0.2).
        let c = SharedConstraint::new(vec![1.0, 2.0], 1.0);
        let set = FeasibleSet::mixed(vec![1, 1], vec![c]).unwrap();
        let p = project(&set, &[1.0, 1.0]).unwrap();
        assert!(distance(&p.point, &[0.6, 0.2]) < 1e-15, "{:?}", p.point);
        assert!((p.shared_multipliers[0] - 0.4).abs() < 1e-15);
    }

    #[test]
    fn rejects_bad_points() {
        let set = FeasibleSet::mixed(vec![2], vec![]).unwrap();
        assert!(matches!(
            project(&set, &[1.0]),
            Err(GameError::Dimension { .. })
        ));
        assert!(matches!(
            project(&set, &[1.0, f64::NAN]),
            Err(GameError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn qp_reports_an_empty_set() {
        // x1 + x2 <= 1 and -x1 <= -3 (x1 >= 3) with x1 <= 1 by the cap: empty.
        let set = FeasibleSet::mixed(
            vec![1, 1],
            vec![
                SharedConstraint::new(vec![1.0, 1.0], 1.0),
                SharedConstraint::new(vec![-1.0, 0.0], -3.0),
            ],
        )
        .unwrap();
        assert!(project(&set, &[0.5, 0.5]).is_err());
    }

    /// A random nonempty polytope (`0` is always feasible: bounds are positive) and a point.
    fn polytope_and_point() -> impl Strategy<Value = (FeasibleSet, Vec<f64>, Vec<Vec<f64>>)> {
        (1usize..4, 1usize..4, 0usize..4, any::<bool>()).prop_flat_map(|(m, n, shared, capped)| {
            let dim = m * n;
            let row = (prop::collection::vec(-1.0..3.0f64, dim), 0.1..2.0f64);
            (
                prop::collection::vec(row, shared),
                prop::collection::vec(-2.0..3.0f64, dim),
                prop::collection::vec(prop::collection::vec(-2.0..3.0f64, dim), 4),
                prop::collection::vec(0.5..2.0f64, m),
            )
                .prop_map(move |(rows, y, others, caps)| {
                    let shared = rows
                        .into_iter()
                        .map(|(a, b)| SharedConstraint::new(a, b))
                        .collect();
                    // Uncapped blocks with negative coefficients are fine: the set stays nonempty.
                    let caps = caps.into_iter().map(|c| capped.then_some(c)).collect();
                    let set = FeasibleSet::new(vec![n; m], caps, shared)
                        .expect("0 is feasible, so the random set is valid");
                    (set, y, others)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn projection_is_feasible_optimal_and_idempotent((set, y, others) in polytope_and_point()) {
            let scale = 1.0 + y.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let p = project(&set, &y).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(set.violation(&p.point) <= 1e-9 * scale);
            prop_assert!(kkt_violation(&set, &y, &p) <= 1e-7 * scale);
            // Variational inequality: (y - x) . (z - x) <= 0 for every feasible z.
            for other in &others {
                let z = project(&set, other).unwrap().point;
                let vi: f64 = y.iter().zip(&p.point).zip(&z)
                    .map(|((y, x), z)| (y - x) * (z - x)).sum();
                prop_assert!(vi <= 1e-8 * scale * scale, "vi = {vi}");
            }
            let again = project(&set, &p.point).unwrap();
            prop_assert!(distance(&again.point, &p.point) <= 1e-9 * scale);
        }

        #[test]
        fn one_dimensional_search_agrees_with_the_qp((set, y, _) in polytope_and_point()) {
            prop_assume!(set.shared().len() == 1);
            // The same constraint twice forces the QP path; the projection is unique.
            let twice = FeasibleSet::new(
                set.blocks().to_vec(),
                set.caps().to_vec(),
                vec![set.shared()[0].clone(), set.shared()[0].clone()],
            ).unwrap();
            let exact = project(&set, &y).unwrap();
            let qp = project(&twice, &y).unwrap();
            prop_assert!(distance(&exact.point, &qp.point) <= 1e-7, "{:?} vs {:?}", exact.point, qp.point);
        }
    }
}
