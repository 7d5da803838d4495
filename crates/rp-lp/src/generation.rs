//! The Afriat-type linear system of THEORY §3–§4 and its solution by constraint generation.
//!
//! Every LP of the crate is one *min-slack* program on normalized data (`e_k = 1`):
//!
//! ```text
//!   minimize t  over u^i_k (free), lambda_k >= 1, t >= 0
//!   s.t.  u^i_j - u^i_k - lambda_k d^i_kj(e) <= t      for every agent i and j != k,
//!         d^i_kj(e) = alpha^i_k . beta^i_j - e * e^i_k
//! ```
//!
//! At efficiency `e = 1` its value is the additive Pareto gap `L` (THEORY §4), and the test of
//! §3 is feasible iff the value is 0 (the system is homogeneous in `(u, lambda)`, so `lambda > 0`
//! and `lambda >= 1` are the same question). At `e = 1 - r` a value of 0 says the relaxed test of
//! the efficiency gap is feasible at `r`. `u^i_0` is fixed at 0 (utilities are defined up to a
//! constant per agent; fixing it removes a null space that simplex codes dislike).
//!
//! ## Two methods
//!
//! The program has `M K (K - 1)` rows — 160k for one agent at `K = 400` — and is never built
//! whole. [`GapMethod::CycleCuts`] (the default, module `cycle_cuts`) eliminates `u`: for fixed
//! `lambda` the rows are difference constraints, so the optimum is a maximum cycle mean, and a
//! cutting-plane master in `(lambda, t)` collects the cycles that matter.
//! [`GapMethod::RowGeneration`] (the reference, below) generates the rows themselves. Both
//! return a point attaining the honest slack and a dual of the form described under "Duals".
//!
//! ## Constraint generation (row generation)
//!
//! Only a few thousand rows bind. So:
//!
//! 1. Precompute `alpha^i_k . beta^i_j` for all `i, k, j` once (a `K x K x N` product, the floor
//!    of any exact test; rows in parallel for large `K`). Coefficients within the one
//!    [`Tolerance`] of zero (`|d| <= tol * e * e^i_k`, exactly the band in which the graph tests
//!    call a step a tie) are set to 0, so ties are classified as in GARP and CCEI and the LP never
//!    sees a coefficient like `1e-16` next to `1`.
//! 2. Start from the trial point `u = 0, lambda = 1, t = 0`.
//! 3. *Scan*: for the current point, compute the violation `u^i_j - u^i_k - lambda_k d - t` of
//!    every row (`O(M K^2)` using the precomputed products). A row is violated when this exceeds
//!    the tolerance relative to the row's magnitude (`1 + |u_j| + |u_k| + lambda_k (a + b)`).
//! 4. *Add* for each `(i, k)` the `per_observation` most violated rows not yet in the program
//!    (one batch), re-solve warm (microlp keeps its basis and runs dual simplex on the new rows;
//!    clarabel re-solves the restricted program), and go back to 3.
//! 5. Stop when no row outside the program is violated. The reported slack is not the LP's `t`
//!    but `max(0, max over all M K (K-1) rows of u_j - u_k - lambda_k d)` evaluated at the final
//!    point, so it is an upper bound attained by an explicit feasible point whatever the LP's
//!    round-off; the dual (below) bounds it from below.
//!
//! The restricted optimum is a lower bound on the full optimum (fewer rows) and at the end it is
//! feasible for every row, so it is optimal. Rows once added are never removed, so the objective
//! is nondecreasing and the method terminates (finitely many rows); `max_rounds` is a guard.
//!
//! ## Duals
//!
//! The dual of the min-slack program is: weights `w >= 0` on the rows forming, for each agent, a
//! circulation on the graph `k -> j`, with `sum w <= 1`, `z_k = -sum_(i,j) w^i_kj d^i_kj >= 0` for
//! every `k` (the multiplier of `lambda_k >= 1`), maximizing `sum_k z_k`. Its optimum equals the
//! slack. With `sum z > 0` the same weights are a Farkas ray of the test (`u` cancels, the
//! `lambda` floor rows carry `z`, right-hand side `-sum z < 0`). Backends with duals (clarabel)
//! give `w` directly; for microlp we solve this dual LP restricted to the rows generated (and
//! first to those tight at the primal optimum, by complementary slackness), which yields an exact
//! vertex. Rows never generated get weight 0.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::backend::{LinearProgram, LpBackend, LpOutcome, Row, Sense};
use crate::data::{ObservationSet, dot};
use crate::error::LpError;
use crate::tolerance::Tolerance;

/// `K` from which the products are computed in parallel (per row: independent, so the result
/// does not depend on the thread count).
const PARALLEL_MIN_K: usize = 128;

/// How the min-slack program is solved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapMethod {
    /// Cutting planes in `(lambda, t)` with cycle cuts priced by Howard's policy iteration
    /// (module doc): the default, tens of times faster at `K >= 100`.
    #[default]
    CycleCuts,
    /// Constraint generation on the rows of the program (module doc): the reference.
    RowGeneration,
}

/// Knobs of the solution of the min-slack program (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// The method.
    #[serde(default)]
    pub method: GapMethod,
    /// Rows added per `(agent, observation)` and round (the most violated ones; row
    /// generation only).
    pub per_observation: usize,
    /// Guard on the number of rounds.
    pub max_rounds: usize,
}

impl Default for Generation {
    fn default() -> Self {
        Self {
            method: GapMethod::default(),
            per_observation: 2,
            max_rounds: 500,
        }
    }
}

/// One row of the system: agent `agent` (of the system), `u_j - u_k - lambda_k d_kj <= t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Edge {
    pub agent: usize,
    pub k: usize,
    pub j: usize,
}

/// The coefficients of the system on normalized data, for any efficiency.
#[derive(Clone, Debug)]
pub(crate) struct AfriatSystem {
    k: usize,
    /// `spend[i][k * K + j] = alpha^i_k . beta^i_j` (probes normalized so `e_k = 1`).
    spend: Vec<Vec<f64>>,
    /// `share[i][k] = e^i_k` on normalized data (agent `i`'s share of budget `k`).
    share: Vec<Vec<f64>>,
    tol: Tolerance,
}

impl AfriatSystem {
    /// The `Separable` system: one block of rows per agent, `lambda` shared.
    pub fn separable(norm: &ObservationSet, tol: Tolerance) -> Self {
        let blocks: Vec<_> = norm.blocks().collect();
        Self::from_blocks(norm, &blocks, tol)
    }

    /// The `Joint` system: one "agent" owning the whole profile (GARP's LP on the joint data).
    pub fn joint(norm: &ObservationSet, tol: Tolerance) -> Self {
        let whole = std::iter::once(0..norm.dim()).collect::<Vec<_>>();
        Self::from_blocks(norm, &whole, tol)
    }

    /// Agent `i` alone (the `PerAgent` structure solves one of these per agent).
    pub fn single(norm: &ObservationSet, i: usize, tol: Tolerance) -> Self {
        Self::from_blocks(norm, &[norm.block(i)], tol)
    }

    fn from_blocks(
        norm: &ObservationSet,
        blocks: &[std::ops::Range<usize>],
        tol: Tolerance,
    ) -> Self {
        let k = norm.len();
        let spend = blocks
            .iter()
            .map(|b| block_products(norm, b.clone()))
            .collect();
        let share = blocks
            .iter()
            .map(|b| {
                (0..k)
                    .map(|kk| dot(&norm.probe(kk)[b.clone()], &norm.strategy(kk)[b.clone()]))
                    .collect()
            })
            .collect();
        Self {
            k,
            spend,
            share,
            tol,
        }
    }

    /// Number of observations `K`.
    pub fn len(&self) -> usize {
        self.k
    }

    /// Number of agents of the system.
    pub fn agents(&self) -> usize {
        self.spend.len()
    }

    /// The one tolerance of the system.
    pub fn tolerance(&self) -> Tolerance {
        self.tol
    }

    /// `d^i_kj(e) = alpha^i_k . beta^i_j - e e^i_k`, snapped to 0 inside the tolerance band.
    pub fn coefficient(&self, i: usize, k: usize, j: usize, efficiency: f64) -> f64 {
        let a = self.spend[i][k * self.k + j];
        let b = efficiency * self.share[i][k];
        let d = a - b;
        if d.abs() <= self.tol.relative() * b {
            0.0
        } else {
            d
        }
    }

    /// The magnitude of row `(i, k, j)` at a point: the scale of its tolerance.
    fn row_scale(&self, e: Edge, efficiency: f64, p: &Point) -> f64 {
        let a = self.spend[e.agent][e.k * self.k + e.j];
        let b = efficiency * self.share[e.agent][e.k];
        1.0 + p.u[e.agent][e.j].abs() + p.u[e.agent][e.k].abs() + p.lambda[e.k] * (a + b)
    }

    /// Index of variable `u^i_k`, `lambda_k` and `t` in the LP.
    fn u_var(&self, i: usize, k: usize) -> usize {
        i * self.k + k
    }

    fn lambda_var(&self, k: usize) -> usize {
        self.agents() * self.k + k
    }

    fn t_var(&self) -> usize {
        (self.agents() + 1) * self.k
    }

    /// The row of edge `e` at efficiency `efficiency`.
    fn row(&self, e: Edge, efficiency: f64) -> Row {
        let mut terms = vec![
            (self.u_var(e.agent, e.j), 1.0),
            (self.u_var(e.agent, e.k), -1.0),
            (self.t_var(), -1.0),
        ];
        let d = self.coefficient(e.agent, e.k, e.j, efficiency);
        if d != 0.0 {
            terms.push((self.lambda_var(e.k), -d));
        }
        Row::le(terms, 0.0)
    }

    /// The min-slack program with no row yet.
    fn base_program(&self) -> LinearProgram {
        let n = self.t_var() + 1;
        let mut objective = vec![0.0; n];
        objective[self.t_var()] = 1.0;
        let mut lower = vec![f64::NEG_INFINITY; n];
        let mut upper = vec![f64::INFINITY; n];
        for i in 0..self.agents() {
            lower[self.u_var(i, 0)] = 0.0;
            upper[self.u_var(i, 0)] = 0.0;
        }
        for k in 0..self.k {
            lower[self.lambda_var(k)] = 1.0;
        }
        lower[self.t_var()] = 0.0;
        LinearProgram {
            objective,
            lower,
            upper,
            rows: Vec::new(),
        }
    }
}

/// `alpha^b_k . beta^b_j` for all `k, j`, row-major.
fn block_products(norm: &ObservationSet, b: std::ops::Range<usize>) -> Vec<f64> {
    let k = norm.len();
    let mut out = vec![0.0; k * k];
    let fill = |(kk, row): (usize, &mut [f64])| {
        let alpha = &norm.probe(kk)[b.clone()];
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = dot(alpha, &norm.strategy(j)[b.clone()]);
        }
    };
    if k >= PARALLEL_MIN_K {
        out.par_chunks_mut(k).enumerate().for_each(fill);
    } else {
        out.chunks_mut(k).enumerate().for_each(fill);
    }
    out
}

/// A point `(u, lambda, t)` of the min-slack program.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Point {
    /// `u[i][k]`.
    pub u: Vec<Vec<f64>>,
    /// `lambda[k] >= 1`.
    pub lambda: Vec<f64>,
    /// The LP's slack `t` (the honest slack is [`SlackSolution::slack`]).
    pub t: f64,
}

impl Point {
    fn trial(system: &AfriatSystem) -> Self {
        Self {
            u: vec![vec![0.0; system.len()]; system.agents()],
            lambda: vec![1.0; system.len()],
            t: 0.0,
        }
    }

    /// Reads an LP solution; clamps `lambda >= 1` and `t >= 0` against round-off (the honest
    /// slack is recomputed from this point anyway).
    fn from_lp(system: &AfriatSystem, x: &[f64]) -> Self {
        let u = (0..system.agents())
            .map(|i| (0..system.len()).map(|k| x[system.u_var(i, k)]).collect())
            .collect();
        let lambda = (0..system.len())
            .map(|k| x[system.lambda_var(k)].max(1.0))
            .collect();
        Self {
            u,
            lambda,
            t: x[system.t_var()].max(0.0),
        }
    }

    /// The largest magnitude in the point, the scale of "zero" for its slack.
    pub fn magnitude(&self) -> f64 {
        let u = self.u.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let l = self.lambda.iter().fold(0.0f64, |m, v| m.max(*v));
        1.0 + u + l
    }
}

/// The result of [`min_slack`].
#[derive(Clone, Debug)]
pub(crate) struct SlackSolution {
    /// The final point.
    pub point: Point,
    /// `max(0, max over all rows of u_j - u_k - lambda_k d)` at the point: an upper bound on the
    /// optimum attained by `point`.
    pub slack: f64,
    /// The rows in the final program.
    pub rows: Vec<Edge>,
    /// Row duals of the last solve, if the backend gave them (same order as `rows`).
    pub duals: Option<Vec<f64>>,
}

/// What one scan of all rows found.
struct Scan {
    /// Rows to add (violated beyond tolerance, not yet in the program).
    batch: Vec<Edge>,
    /// Largest `u_j - u_k - lambda_k d` over all rows.
    max_excess: f64,
}

/// Scans every row at `p` (module doc, step 3).
fn scan(
    system: &AfriatSystem,
    efficiency: f64,
    p: &Point,
    present: &[bool],
    per_observation: usize,
) -> Scan {
    let kk = system.len();
    let mut batch = Vec::new();
    let mut max_excess = f64::NEG_INFINITY;
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(per_observation + 1);
    for i in 0..system.agents() {
        let u = &p.u[i];
        for k in 0..kk {
            best.clear();
            for j in (0..kk).filter(|&j| j != k) {
                let d = system.coefficient(i, k, j, efficiency);
                let excess = u[j] - u[k] - p.lambda[k] * d;
                max_excess = max_excess.max(excess);
                let e = Edge { agent: i, k, j };
                let violation = excess - p.t;
                if violation <= 0.0 || present[(i * kk + k) * kk + j] {
                    continue;
                }
                if violation > system.tol.relative() * system.row_scale(e, efficiency, p) {
                    keep_largest(&mut best, (violation, j), per_observation);
                }
            }
            batch.extend(best.iter().map(|&(_, j)| Edge { agent: i, k, j }));
        }
    }
    Scan { batch, max_excess }
}

/// Keeps the `n` largest entries of `best` (small `n`: insertion is cheapest).
fn keep_largest(best: &mut Vec<(f64, usize)>, item: (f64, usize), n: usize) {
    let pos = best.iter().position(|b| b.0 < item.0).unwrap_or(best.len());
    if pos < n {
        best.insert(pos, item);
        best.truncate(n);
    }
}

/// The rows of the program so far, with a membership table indexed like the scan.
struct RowSet {
    present: Vec<bool>,
    rows: Vec<Edge>,
    k: usize,
}

impl RowSet {
    fn new(system: &AfriatSystem) -> Self {
        let k = system.len();
        Self {
            present: vec![false; system.agents() * k * k],
            rows: Vec::new(),
            k,
        }
    }

    /// Adds the edges not yet present; returns their LP rows.
    fn add(&mut self, system: &AfriatSystem, edges: &[Edge], efficiency: f64) -> Vec<Row> {
        let mut out = Vec::new();
        for &e in edges {
            let slot = &mut self.present[(e.agent * self.k + e.k) * self.k + e.j];
            if !*slot && e.k != e.j {
                *slot = true;
                self.rows.push(e);
                out.push(system.row(e, efficiency));
            }
        }
        out
    }
}

/// Solves the min-slack program at `efficiency` by constraint generation, starting from the
/// rows `seed` (e.g. those of a previous solve at another efficiency).
pub(crate) fn min_slack(
    system: &AfriatSystem,
    efficiency: f64,
    backend: &dyn LpBackend,
    generation: Generation,
    seed: &[Edge],
) -> Result<SlackSolution, LpError> {
    let per = generation.per_observation.max(1);
    let mut set = RowSet::new(system);
    let mut first = set.add(system, seed, efficiency);
    let trial = scan(system, efficiency, &Point::trial(system), &set.present, per);
    first.extend(set.add(system, &trial.batch, efficiency));
    let mut program = system.base_program();
    program.rows = first;
    let mut session = backend.open(program)?;
    for round in 1..=generation.max_rounds {
        let solution = match session.solve()? {
            LpOutcome::Optimal(s) => s,
            LpOutcome::Infeasible => return Err(unexpected("infeasible")),
            LpOutcome::Unbounded => return Err(unexpected("unbounded")),
        };
        let point = Point::from_lp(system, &solution.x);
        let found = scan(system, efficiency, &point, &set.present, per);
        if found.batch.is_empty() {
            tracing::debug!(
                round,
                rows = set.rows.len(),
                "constraint generation converged"
            );
            return Ok(SlackSolution {
                slack: found.max_excess.max(0.0),
                point,
                rows: set.rows,
                duals: solution.duals,
            });
        }
        session.add_rows(set.add(system, &found.batch, efficiency))?;
    }
    Err(LpError::NoConvergence {
        rounds: generation.max_rounds,
        rows: set.rows.len(),
    })
}

fn unexpected(outcome: &'static str) -> LpError {
    LpError::Unexpected {
        what: "min-slack Afriat program",
        outcome,
    }
}

/// Dual weights `w >= 0` of the final program (module doc, "Duals"), one per row of
/// `solution.rows`; all zero when the slack is zero.
pub(crate) fn dual_weights(
    system: &AfriatSystem,
    efficiency: f64,
    solution: &SlackSolution,
) -> Result<Vec<f64>, LpError> {
    if let Some(duals) = &solution.duals {
        // Rows are `<=`, so their duals are <= 0: the weights are their negatives. An interior
        // point's weights can sum to 1 + 1e-9 (the dual row of t); scaling them back to 1 keeps
        // the dual feasible and moves its objective by the same relative 1e-9.
        let w: Vec<f64> = duals.iter().map(|y| (-y).max(0.0)).collect();
        let mass: f64 = w.iter().sum();
        return Ok(w.iter().map(|v| v / mass.max(1.0)).collect());
    }
    let tight: Vec<usize> = (0..solution.rows.len())
        .filter(|&r| is_tight(system, efficiency, solution, solution.rows[r]))
        .collect();
    let all: Vec<usize> = (0..solution.rows.len()).collect();
    let target = solution.slack;
    let mut best = None;
    for support in [tight, all] {
        let (w, value) = solve_dual(system, efficiency, &solution.rows, &support)?;
        let close =
            (value - target).abs() <= 1e3 * system.tol.relative() * solution.point.magnitude();
        best = Some(w);
        if close {
            break;
        }
        tracing::debug!(
            value,
            target,
            "dual on tight rows fell short; using all rows"
        );
    }
    Ok(best.unwrap_or_default())
}

/// Whether row `e` is tight at the final point (slack within a loose band: including extra rows
/// only enlarges the dual's support, never invalidates it).
fn is_tight(system: &AfriatSystem, efficiency: f64, s: &SlackSolution, e: Edge) -> bool {
    let p = &s.point;
    let d = system.coefficient(e.agent, e.k, e.j, efficiency);
    let excess = p.u[e.agent][e.j] - p.u[e.agent][e.k] - p.lambda[e.k] * d;
    excess >= p.t - 1e-6 * system.row_scale(e, efficiency, p)
}

/// Solves the dual LP restricted to `rows[support]`; returns weights for all `rows` and the
/// dual objective `sum_k z_k`.
fn solve_dual(
    system: &AfriatSystem,
    efficiency: f64,
    rows: &[Edge],
    support: &[usize],
) -> Result<(Vec<f64>, f64), LpError> {
    let kk = system.len();
    let n = support.len();
    let d: Vec<f64> = support
        .iter()
        .map(|&r| system.coefficient(rows[r].agent, rows[r].k, rows[r].j, efficiency))
        .collect();
    // Node balance rows (agent i, node m != 0) and money rows (observation k), created lazily.
    let mut balance: Vec<Option<usize>> = vec![None; system.agents() * kk];
    let mut money: Vec<Option<usize>> = vec![None; kk];
    let mut lp_rows: Vec<Row> = Vec::new();
    let slot = |index: &mut Option<usize>, sense: Sense, lp_rows: &mut Vec<Row>| {
        *index.get_or_insert_with(|| {
            lp_rows.push(Row {
                terms: Vec::new(),
                sense,
                rhs: 0.0,
            });
            lp_rows.len() - 1
        })
    };
    for (v, &r) in support.iter().enumerate() {
        let e = rows[r];
        if e.j != 0 {
            let row = slot(&mut balance[e.agent * kk + e.j], Sense::Eq, &mut lp_rows);
            lp_rows[row].terms.push((v, 1.0));
        }
        if e.k != 0 {
            let row = slot(&mut balance[e.agent * kk + e.k], Sense::Eq, &mut lp_rows);
            lp_rows[row].terms.push((v, -1.0));
        }
        if d[v] != 0.0 {
            let row = slot(&mut money[e.k], Sense::Le, &mut lp_rows);
            lp_rows[row].terms.push((v, d[v]));
        }
    }
    lp_rows.push(Row::le((0..n).map(|v| (v, 1.0)).collect(), 1.0));
    let program = LinearProgram {
        objective: d.clone(),
        lower: vec![0.0; n],
        upper: vec![f64::INFINITY; n],
        rows: lp_rows,
    };
    // Checked later with the crate's tolerance: solve as precisely as microlp allows (this path
    // runs only for backends without duals).
    let x = match crate::backend::Microlp::precise().solve(program)? {
        LpOutcome::Optimal(s) => s.x,
        LpOutcome::Infeasible => return Err(unexpected_dual("infeasible")),
        LpOutcome::Unbounded => return Err(unexpected_dual("unbounded")),
    };
    let mut w = vec![0.0; rows.len()];
    for (v, &r) in support.iter().enumerate() {
        w[r] = x[v].max(0.0);
    }
    let value = -support
        .iter()
        .zip(&d)
        .map(|(&r, dv)| w[r] * dv)
        .sum::<f64>();
    Ok((w, value))
}

fn unexpected_dual(outcome: &'static str) -> LpError {
    LpError::Unexpected {
        what: "dual of the min-slack Afriat program",
        outcome,
    }
}
