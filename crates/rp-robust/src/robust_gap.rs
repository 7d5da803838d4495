//! The distributionally robust Pareto gap `L_rob` of THEORY §8.
//!
//! `L_rob = min r` over `(u, lambda, r >= 0)` such that every row of the additive gap of §4
//!
//! ```text
//!   u^v_j - u^v_k - mu_k alpha^v_k . (beta^v_j - beta^v_k) <= r        (all v, j != k)
//! ```
//!
//! holds for *every* strategy profile in the product of the balls ([`ProductBalls`]), with
//! `beta^v` the blocks of utility `v`'s agents (one agent for `Separable` and `PerAgent`, all of
//! them for `Joint`).
//!
//! ## The normalization `e_k = 1` under uncertainty
//!
//! §4 divides each probe by its expenditure `e_k = alpha_k . beta_k` and floors the multiplier
//! at 1; with uncertain strategies `e_k` is uncertain too. We keep the §4 program *as a
//! statement about every profile in the balls*: in raw units the floor is `mu_k e_k >= 1`
//! (`lambda_k = mu_k e_k` on normalized data), and it must hold for every `beta_k` in the balls,
//! i.e. `mu_k E_k >= 1` with `E_k = min_{beta_k in balls} alpha_k . beta_k`. Equivalently each
//! probe is rescaled by a fixed positive number, its *worst-case* expenditure `E_k` (not the
//! empirical one). This is what makes the coverage claim exact: if the true strategies lie in
//! the balls, any robust-feasible `(u, mu, r)` is feasible for the §4 program of the true data
//! (`lambda_k = mu_k e_k >= mu_k E_k >= 1`), so `L(true) <= L_rob`. Rescaling a probe rescales
//! `E_k` with it, so the gap is still invariant under positive rescaling of any probe; and with
//! radius 0, `E_k = e_k` and the program is §4's exactly. If a ball reaches the all-null
//! profile (`E_k = 0`) no multiplier works: [`RobustError::NullInBall`].
//!
//! ## Closed form for product balls
//!
//! Every row involves two different observations (`j != k`), whose balls are independent, and
//! `mu_k >= 0`; so the row holds for all profiles iff it holds at its worst case
//! `max alpha . beta_k - min alpha . beta_j`, i.e. with the coefficient
//! `D^v_kj = sum_{i in v} (min_{B^i_j} c^i_k . q - max_{B^i_k} c^i_k . q)`, two support functions
//! of the balls ([`crate::wasserstein`]). The robust program is then the §4 program with
//! coefficients `D^v_kj / E_k` (probes normalized by `hat e_k` first, for scale), solved by
//! constraint generation like rp-lp's nominal gap ([`Method::ClosedForm`]).
//!
//! ## Exchange method
//!
//! The semi-infinite program solved as such (Hettich & Kortanek 1993; [`Method::Exchange`],
//! internal module `exchange`): a finite set of scenarios (explicit distributions), the LP of
//! their rows, the worst case of every row and floor at the LP's point from the oracle, the
//! violated scenarios added, until the largest violation is within the tolerance. It never uses
//! `E_k` or `D` as coefficients, only the scenarios' own inner products; both methods must agree.
//!
//! The reported value is, as in rp-lp, `max(0, largest robust row excess)` at the final point
//! (with every floor satisfied): an upper bound attained by an explicit point, whatever the LP's
//! round-off. It is set to exactly 0 when within the one [`Tolerance`] of 0, relative to the
//! point's magnitude.

use rp_lp::{
    Backend, GapOptions, Generation, LinearProgram, LpBackend, LpOutcome, ObservationSet, Row,
    Sense, Structure, Tolerance,
};
use serde::{Deserialize, Serialize};

use crate::ambiguity::{AmbiguitySpec, ProductBalls, RadiusReport};
use crate::certificate::{
    FloorScenario, RobustCertificate, RobustDual, RobustPoint, WeightedScenario, scenario_spread,
};
use crate::error::RobustError;
use crate::program::{Ending, Layout, Point, cutting_planes, keep_largest};
use crate::table::{Directions, Oracle, WorstCaseTable, floor_scenario, row_scenario};
use crate::verify::{RobustVerification, verify_robust};

/// Dual weights below this (of a total mass at most 1) are dropped from certificates: interior
/// points put round-off weight on every row.
pub(crate) const NEGLIGIBLE_WEIGHT: f64 = 1e-12;

/// How the semi-infinite program is solved (module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Support functions give every row's worst case; constraint generation (the default).
    #[default]
    ClosedForm,
    /// The exchange method on explicit scenarios.
    Exchange,
}

/// Options of [`robust_gap`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustOptions {
    /// Welfare structure (default `Separable`).
    pub structure: Structure,
    /// Closed form or exchange method (default closed form).
    pub method: Method,
    /// How worst cases over a ball are found (default: greedy under the 0-1 metric).
    pub oracle: Oracle,
    /// LP backend (default clarabel, which gives the duals of the certificate).
    pub backend: Backend,
    /// The one tolerance (default `1e-9`).
    pub tolerance: Tolerance,
    /// Rows added per (utility, observation) and round, and the closed form's round cap.
    pub generation: Generation,
    /// The exchange method's iteration cap (LP solves; default 500).
    pub max_iterations: usize,
    /// Also compute the nominal gap of the empirical data with rp-lp (default true).
    pub nominal: bool,
    /// Verify the certificate (default true).
    pub verify: bool,
}

impl Default for RobustOptions {
    fn default() -> Self {
        Self {
            structure: Structure::Separable,
            method: Method::ClosedForm,
            oracle: Oracle::Auto,
            backend: Backend::default(),
            tolerance: Tolerance::default(),
            generation: Generation::default(),
            max_iterations: 500,
            nominal: true,
            verify: true,
        }
    }
}

impl RobustOptions {
    fn check(&self) -> Result<(), RobustError> {
        if self.generation.max_rounds == 0 || self.max_iterations == 0 {
            return Err(RobustError::InvalidOption(
                "generation.max_rounds and max_iterations must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// What the exchange method did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExchangeStats {
    /// LP solves.
    pub iterations: usize,
    /// Row scenarios added.
    pub scenarios: usize,
    /// Floor (worst-case expenditure) scenarios added.
    pub floor_scenarios: usize,
    /// The largest worst-case violation at the last LP point (0 when none).
    pub final_violation: f64,
}

/// A robust gap, its certificate and the verifier's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustGap {
    /// `L_rob >= 0`.
    pub value: f64,
    /// The certificate dual's objective (`<= value`; 0 without a dual).
    pub lower_bound: f64,
    /// The nominal additive gap of the empirical data (rp-lp), if requested.
    pub nominal: Option<f64>,
    /// The structure.
    pub structure: Structure,
    /// The method used.
    pub method: Method,
    /// The radius of the balls.
    pub radius: RadiusReport,
    /// LP solves.
    pub rounds: usize,
    /// Rows of the final LP.
    pub rows: usize,
    /// The exchange method's statistics (for [`Method::Exchange`]).
    pub exchange: Option<ExchangeStats>,
    /// Point, worst-case scenarios and dual.
    pub certificate: RobustCertificate,
    /// The verifier's report, if requested.
    pub verification: Option<RobustVerification>,
}

/// The robust gap of `empirical` for the ambiguity set `ambiguity` (module doc).
pub fn robust_gap(
    empirical: &ObservationSet,
    ambiguity: &AmbiguitySpec,
    opts: &RobustOptions,
) -> Result<RobustGap, RobustError> {
    let balls = ProductBalls::new(empirical, ambiguity)?;
    robust_gap_in(empirical, &balls, opts)
}

/// [`robust_gap`] for balls already built around `empirical`'s strategies.
pub fn robust_gap_in(
    empirical: &ObservationSet,
    balls: &ProductBalls,
    opts: &RobustOptions,
) -> Result<RobustGap, RobustError> {
    opts.check()?;
    empirical.require_at_least(2, "a robust Pareto gap")?;
    if balls.len() != empirical.len() || balls.agents() != empirical.num_agents() {
        return Err(RobustError::Length {
            what: "balls (observations x agents)",
            got: balls.len() * balls.agents(),
            expected: empirical.len() * empirical.num_agents(),
        });
    }
    let backend = opts.backend.solver()?;
    let problem = Problem::new(empirical, balls, opts)?;
    let solved = match opts.method {
        Method::ClosedForm => closed_form(&problem, backend.as_ref(), opts.generation)?,
        Method::Exchange => crate::exchange::exchange(&problem, backend.as_ref(), opts)?,
    };
    tracing::debug!(value = solved.slack, rows = solved.rows, method = ?opts.method, "robust gap");
    let certificate = problem.certificate(&solved)?;
    let verification = opts
        .verify
        .then(|| verify_robust(empirical, balls, &certificate, opts.tolerance));
    let nominal = match opts.nominal {
        true => Some(nominal_gap(empirical, opts)?),
        false => None,
    };
    Ok(RobustGap {
        value: solved.slack,
        lower_bound: certificate.dual.as_ref().map_or(0.0, |d| d.value),
        nominal,
        structure: opts.structure,
        method: opts.method,
        radius: balls.radius().clone(),
        rounds: solved.rounds,
        rows: solved.rows,
        exchange: solved.exchange,
        certificate,
        verification,
    })
}

fn nominal_gap(empirical: &ObservationSet, opts: &RobustOptions) -> Result<f64, RobustError> {
    let gap_opts = GapOptions {
        structure: opts.structure,
        backend: opts.backend,
        tolerance: opts.tolerance,
        generation: opts.generation,
        ..GapOptions::default()
    };
    Ok(rp_lp::additive_gap(empirical, &gap_opts)?.value)
}

/// The data of one robust program: balls, normalized directions, worst-case table, layout.
pub(crate) struct Problem<'a> {
    pub balls: &'a ProductBalls,
    pub dirs: Directions,
    pub table: WorstCaseTable,
    pub layout: Layout,
    pub tol: Tolerance,
}

/// A row `(utility, from, to)`.
pub(crate) type RowKey = (usize, usize, usize);

/// One distribution per agent of a utility.
pub(crate) type Distributions = Vec<Vec<f64>>;

/// A solved robust program, in the certificate's units (`lambda >= 1`).
pub(crate) struct Solved {
    pub point: Point,
    /// The honest slack, exactly 0 when zero up to tolerance.
    pub slack: f64,
    pub rounds: usize,
    pub rows: usize,
    /// Dual weights with their scenarios (empty at gap 0).
    pub weighted: Vec<WeightedScenario>,
    pub exchange: Option<ExchangeStats>,
}

impl<'a> Problem<'a> {
    fn new(
        empirical: &ObservationSet,
        balls: &'a ProductBalls,
        opts: &RobustOptions,
    ) -> Result<Self, RobustError> {
        let dirs = Directions::new(empirical);
        let table = WorstCaseTable::new(balls, &dirs, opts.oracle)?;
        table.check_expenditures()?;
        Ok(Self {
            balls,
            dirs,
            table,
            layout: Layout::new(opts.structure, empirical.num_agents(), empirical.len()),
            tol: opts.tolerance,
        })
    }

    /// `D^v_kj` snapped to 0 inside the tie band, and its scale `sum_i (|low| + up)`.
    ///
    /// Ties: `|D| <= tol * sum_i up[i][k]` is 0, rp-lp's band (`|d| <= tol * e^i_k`; at radius
    /// 0 `up[i][k]` is agent `i`'s share `e^i_k / e_k`), so ties are classified as in the
    /// nominal gap.
    pub fn spread(&self, v: usize, k: usize, j: usize) -> (f64, f64) {
        let (mut d, mut share, mut scale) = (0.0, 0.0, 0.0);
        for &i in &self.layout.members[v] {
            let (low, up) = (self.table.low(i, k, j), self.table.up(i, k));
            d += low - up;
            share += up;
            scale += low.abs() + up.abs();
        }
        (snap(d, share, self.tol), scale)
    }

    /// The directions `c^i_k` of utility `v`'s agents.
    pub fn member_directions(&self, v: usize, k: usize) -> impl Iterator<Item = &[f64]> {
        self.layout.members[v]
            .iter()
            .map(move |&i| self.dirs.get(k, i))
    }

    /// The worst-case scenario of row `(v, k -> j)`: budget and bundle distributions.
    pub fn row_scenario(&self, key: RowKey) -> Result<(Distributions, Distributions), RobustError> {
        let (v, k, j) = key;
        let mut budget = Vec::new();
        let mut bundle = Vec::new();
        for &i in &self.layout.members[v] {
            let (qk, qj) = row_scenario(self.balls, &self.dirs, self.table.oracle, i, k, j)?;
            budget.push(qk);
            bundle.push(qj);
        }
        Ok((budget, bundle))
    }

    /// The honest slack at a point with `lambda >= 1`: `max(0, max_rows excess)`, 0 when zero
    /// up to tolerance.
    pub fn honest_slack(&self, point: &Point) -> f64 {
        let mut worst = 0.0f64;
        for v in 0..self.layout.utilities() {
            let lambda = &point.lambda[self.layout.group_of(v)];
            for (k, &lambda_k) in lambda.iter().enumerate() {
                let e = self.table.expenditure(k);
                for j in (0..self.layout.k).filter(|&j| j != k) {
                    let (d, _) = self.spread(v, k, j);
                    worst = worst.max(point.u[v][j] - point.u[v][k] - lambda_k * d / e);
                }
            }
        }
        if worst <= self.tol.relative() * point.magnitude() {
            0.0
        } else {
            worst
        }
    }

    /// The dual of a solve as weights on explicit scenarios.
    pub fn weighted(
        &self,
        keys: &[RowKey],
        weights: &[f64],
    ) -> Result<Vec<WeightedScenario>, RobustError> {
        let mut out = Vec::new();
        for (&key, &weight) in keys.iter().zip(weights) {
            if weight > NEGLIGIBLE_WEIGHT {
                let (budget, bundle) = self.row_scenario(key)?;
                out.push(WeightedScenario::new(key, weight, budget, bundle));
            }
        }
        Ok(out)
    }

    fn certificate(&self, solved: &Solved) -> Result<RobustCertificate, RobustError> {
        let floors = (0..self.layout.k)
            .map(|k| {
                let distributions = floor_scenario(self.balls, &self.dirs, self.table.oracle, k)?;
                let expenditure = (0..self.balls.agents())
                    .map(|i| crate::wasserstein::dot(self.dirs.get(k, i), &distributions[i]))
                    .sum();
                Ok(FloorScenario {
                    obs: k,
                    distributions,
                    expenditure,
                })
            })
            .collect::<Result<Vec<_>, RobustError>>()?;
        let dual = (solved.slack > 0.0).then(|| self.dual(&solved.weighted, &floors));
        Ok(RobustCertificate {
            structure: self.layout.structure,
            primal: RobustPoint {
                u: solved.point.u.clone(),
                lambda: solved.point.lambda.clone(),
                slack: solved.slack,
            },
            floors,
            dual,
        })
    }

    fn dual(&self, weights: &[WeightedScenario], floors: &[FloorScenario]) -> RobustDual {
        let mut floor = vec![vec![0.0; self.layout.k]; self.layout.groups];
        for w in weights {
            let spread = scenario_spread(
                self.member_directions(w.utility, w.from),
                &w.budget,
                &w.bundle,
            );
            floor[self.layout.group_of(w.utility)][w.from] -=
                w.weight * spread / floors[w.from].expenditure;
        }
        let value = floor.iter().flatten().sum();
        RobustDual {
            weights: weights.to_vec(),
            floor,
            value,
        }
    }
}

/// `d`, or 0 inside the tie band `|d| <= tol * share`.
pub(crate) fn snap(d: f64, share: f64, tol: Tolerance) -> f64 {
    if d.abs() <= tol.relative() * share {
        0.0
    } else {
        d
    }
}

/// For every (utility, observation) the `per` rows with the largest `excess - t` beyond the
/// tolerance that are not `present`, and the largest excess of all rows.
pub(crate) fn scan(
    layout: &Layout,
    per: usize,
    t: f64,
    present: &[bool],
    tol: Tolerance,
    excess: impl Fn(usize, usize, usize) -> (f64, f64),
) -> (Vec<RowKey>, f64) {
    let kk = layout.k;
    let mut batch = Vec::new();
    let mut max_excess = f64::NEG_INFINITY;
    let mut best = Vec::with_capacity(per + 1);
    for v in 0..layout.utilities() {
        for k in 0..kk {
            best.clear();
            for j in (0..kk).filter(|&j| j != k) {
                let (x, scale) = excess(v, k, j);
                max_excess = max_excess.max(x);
                let violation = x - t;
                if violation > tol.relative() * scale && !present[(v * kk + k) * kk + j] {
                    keep_largest(&mut best, (violation, j), per);
                }
            }
            batch.extend(best.iter().map(|&(_, j)| (v, k, j)));
        }
    }
    (batch, max_excess)
}

/// The closed form: the §4 program with coefficients `D / E`, by constraint generation.
fn closed_form(
    p: &Problem,
    backend: &dyn LpBackend,
    generation: Generation,
) -> Result<Solved, RobustError> {
    let layout = &p.layout;
    let kk = layout.k;
    // D / E and the row scale, once.
    let mut coefficient = vec![0.0; layout.utilities() * kk * kk];
    let mut scale = vec![0.0; coefficient.len()];
    for v in 0..layout.utilities() {
        for k in 0..kk {
            let e = p.table.expenditure(k);
            for j in (0..kk).filter(|&j| j != k) {
                let (d, s) = p.spread(v, k, j);
                coefficient[(v * kk + k) * kk + j] = d / e;
                scale[(v * kk + k) * kk + j] = s / e;
            }
        }
    }
    let mut present = vec![false; coefficient.len()];
    let mut keys: Vec<RowKey> = Vec::new();
    let per = generation.per_observation.max(1);
    let mut separate = |point: &Point| -> Vec<rp_lp::Row> {
        let (batch, _) = scan(layout, per, point.t, &present, p.tol, |v, k, j| {
            let at = (v * kk + k) * kk + j;
            let lambda = point.lambda[layout.group_of(v)][k];
            let x = point.u[v][j] - point.u[v][k] - lambda * coefficient[at];
            (
                x,
                1.0 + point.u[v][j].abs() + point.u[v][k].abs() + lambda * scale[at],
            )
        });
        batch
            .into_iter()
            .map(|(v, k, j)| {
                present[(v * kk + k) * kk + j] = true;
                keys.push((v, k, j));
                layout.row(v, k, j, coefficient[(v * kk + k) * kk + j])
            })
            .collect()
    };
    let trial = Point {
        u: vec![vec![0.0; kk]; layout.utilities()],
        lambda: vec![vec![1.0; kk]; layout.groups],
        t: 0.0,
    };
    let mut program = layout.base_program(1.0);
    program.rows = separate(&trial);
    let ending = cutting_planes(backend, program, generation.max_rounds, |x| {
        Ok(separate(&floored(layout.point(x))))
    })?;
    let Ending::Converged { solution, rounds } = ending else {
        return Err(rp_lp::LpError::NoConvergence {
            rounds: generation.max_rounds,
            rows: keys.len(),
        }
        .into());
    };
    let point = floored(layout.point(&solution.x));
    let slack = p.honest_slack(&point);
    let weighted = match (slack > 0.0, solution.duals.as_deref()) {
        (false, _) => Vec::new(),
        (true, Some(duals)) => p.weighted(&keys, &mass_one_weights(duals))?,
        (true, None) => {
            let rows: Vec<(RowKey, f64)> = keys
                .iter()
                .map(|&(v, k, j)| ((v, k, j), coefficient[(v * kk + k) * kk + j]))
                .collect();
            p.weighted(&keys, &restricted_dual(layout, &rows)?)?
        }
    };
    Ok(Solved {
        point,
        slack,
        rounds,
        rows: keys.len(),
        weighted,
        exchange: None,
    })
}

/// Clamps `lambda >= 1` against the solver's round-off.
fn floored(mut point: Point) -> Point {
    point
        .lambda
        .iter_mut()
        .flatten()
        .for_each(|l| *l = l.max(1.0));
    point
}

/// Dual weights `w = -y >= 0` of `<=` rows, scaled to mass at most 1 (an interior point's
/// weights can sum to `1 + 1e-9`; scaling keeps the dual feasible and moves its objective by the
/// same relative amount).
pub(crate) fn mass_one_weights(duals: &[f64]) -> Vec<f64> {
    let w: Vec<f64> = duals.iter().map(|y| (-y).max(0.0)).collect();
    let mass: f64 = w.iter().sum();
    w.iter().map(|v| v / mass.max(1.0)).collect()
}

/// The dual of the program restricted to `rows` (each `(key, coefficient)` on `lambda` of its
/// group), for backends without duals: weights `w >= 0` forming a circulation per utility with
/// mass at most 1 and `sum_j w_kj coefficient_kj <= 0` per (group, observation), minimizing
/// `sum w coefficient` (minus the dual objective `sum z`). Solved by microlp at its tightest
/// tolerance, so the weights are an exact vertex.
pub(crate) fn restricted_dual(
    layout: &Layout,
    rows: &[(RowKey, f64)],
) -> Result<Vec<f64>, RobustError> {
    let kk = layout.k;
    let mut balance: Vec<Vec<(usize, f64)>> = vec![Vec::new(); layout.utilities() * kk];
    let mut money: Vec<Vec<(usize, f64)>> = vec![Vec::new(); layout.groups * kk];
    for (r, &((v, k, j), c)) in rows.iter().enumerate() {
        balance[v * kk + j].push((r, 1.0));
        balance[v * kk + k].push((r, -1.0));
        if c != 0.0 {
            money[layout.group_of(v) * kk + k].push((r, c));
        }
    }
    // Node 0 of each utility is implied by the others (u^v_0 is fixed in the primal).
    let mut lp_rows: Vec<Row> = balance
        .into_iter()
        .enumerate()
        .filter(|(slot, terms)| slot % kk != 0 && !terms.is_empty())
        .map(|(_, terms)| Row {
            terms,
            sense: Sense::Eq,
            rhs: 0.0,
        })
        .collect();
    lp_rows.extend(
        money
            .into_iter()
            .filter(|t| !t.is_empty())
            .map(|terms| Row::le(terms, 0.0)),
    );
    lp_rows.push(Row::le((0..rows.len()).map(|r| (r, 1.0)).collect(), 1.0));
    let program = LinearProgram {
        objective: rows.iter().map(|r| r.1).collect(),
        lower: vec![0.0; rows.len()],
        upper: vec![f64::INFINITY; rows.len()],
        rows: lp_rows,
    };
    match rp_lp::Microlp::precise().solve(program)? {
        LpOutcome::Optimal(s) => Ok(s.x.iter().map(|w| w.max(0.0)).collect()),
        _ => Err(RobustError::Lp(rp_lp::LpError::Unexpected {
            what: "dual of the robust min-slack program",
            outcome: "infeasible or unbounded",
        })),
    }
}
