//! The min-slack program solved by cycle cuts in `(lambda, t)` only (crate-internal).
//!
//! For fixed `lambda`, agent `i`'s rows `u_j - u_k - lambda_k d_kj <= t` (all `j != k`) are
//! difference constraints on `u^i`: feasible iff no cycle `C` has a mean of `-lambda_k d_kj`
//! above `t`. So the program of [`crate::generation`] is
//!
//! ```text
//!   minimize over lambda >= 1:  t(lambda) = max(0, max_i max_C -(1/|C|) sum_{(k,j) in C} lambda_k d^i_kj),
//! ```
//!
//! a convex piecewise-linear function with one piece per (agent, simple cycle). We minimize it
//! by Kelley's cutting planes: a *master* LP in `K + 1` variables
//!
//! ```text
//!   minimize t  s.t.  |C| t + sum_{(k,j) in C} d^i_kj lambda_k >= 0   for every cut (i, C),
//!                     lambda >= 1, t >= 0,
//! ```
//!
//! and a *pricing* step: at the master's `lambda`, each agent's maximum cycle mean by Howard's
//! policy iteration ([`crate::dense_cycle`], warm from the agent's previous policy; agents in
//! parallel). Every cycle Howard evaluates whose mean exceeds the master's `t` is a violated cut;
//! all of them are added, and the master is solved again. The master's value is a lower bound
//! and every priced point an upper bound (its `t(lambda)`); we stop when the best priced point
//! is within the tolerance of the master's value. Finitely many cuts exist and none is added
//! twice, so this terminates; `max_rounds` is a guard.
//!
//! Which master solver: the optimal faces of these masters are large (at `K = 240`, 28 tight
//! cuts pin down the value while most `lambda_k` stay free), so a simplex vertex lands at an
//! extreme `lambda` and pricing there zig-zags; an interior-point solution is central in the
//! optimal face and prices much better (see [`crate::Backend`] for the measurements).
//!
//! Certificates. The primal point is the best priced `lambda` with `u^i` Howard's potentials
//! (shifted so `u^i_0 = 0`) and the honest slack `max(0, max over all rows of u_j - u_k -
//! lambda_k d)`, recomputed over all `M K (K - 1)` rows. The dual is the master's dual: cut
//! weights `mu_c >= 0`, `sum mu <= 1`, maximizing `sum_k z_k` with `z_k = sum_c mu_c a_ck >= 0`,
//! where `a_ck = -d_kj / |C|` for the step of `C` leaving `k`. Spread over the edges
//! (`w_e = sum_{C ni e} mu_C / |C|`) it is a circulation per agent with the same `z`: exactly the
//! dual of the min-slack program described in [`crate::generation`]. We solve this small LP
//! with microlp for an exact vertex (on the cuts tight at the final point first, by
//! complementary slackness; on all cuts if that falls short). So the answer's exactness rests
//! on Howard's potentials and microlp's vertex, never on the master solver's accuracy.
//!
//! Why cuts and not rows: the row formulation has `M K + K + 1` variables and needs thousands of
//! generated rows (15.7k at `K = 240`, `M = 4`); this master has `K + 1` variables and needs a
//! few hundred cuts, and pricing is `O(K^2)` per agent and Howard iteration.

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::backend::{LinearProgram, LpBackend, LpOutcome, LpSession, Microlp, Row, Sense};
use crate::cycle_ratio::karp_max_mean_cycle;
use crate::dense_cycle::{MeanCycle, max_cycle_mean};
use crate::error::LpError;
use crate::generation::{AfriatSystem, Edge, Generation, Point};

/// `K` from which agents are priced in parallel (below, rayon's overhead dominates). Each
/// agent's pricing is independent and results are merged in agent order, so the answer does
/// not depend on the thread count.
const PARALLEL_MIN_K: usize = 48;

/// A cycle of one utility: `observations[0] -> observations[1] -> ... -> observations[0]`, the
/// cut `t >= mean of -lambda_k d_kj` of the master (module doc of `cycle_cuts`). Also the unit
/// of a [`crate::GapHint`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CycleCut {
    /// The utility: the agent for `Separable` and `PerAgent`, 0 for `Joint`.
    pub agent: usize,
    /// Distinct observations in cycle order, starting at the smallest.
    pub observations: Vec<usize>,
}

impl CycleCut {
    /// The cut of a cycle given from any starting node; `None` unless it is a simple cycle of at
    /// least two distinct observations below `k`.
    pub fn new(agent: usize, observations: &[usize], k: usize) -> Option<Self> {
        let distinct: HashSet<usize> = observations.iter().copied().collect();
        let simple = observations.len() >= 2
            && distinct.len() == observations.len()
            && observations.iter().all(|&v| v < k);
        simple.then(|| Self::rotated(agent, observations))
    }

    /// A simple cycle (unchecked), rotated to start at its smallest observation.
    fn rotated(agent: usize, nodes: &[usize]) -> Self {
        let start = (0..nodes.len()).min_by_key(|&p| nodes[p]).unwrap_or(0);
        let mut observations = nodes[start..].to_vec();
        observations.extend_from_slice(&nodes[..start]);
        Self {
            agent,
            observations,
        }
    }

    /// The steps `(k, j)` of the cycle.
    pub(crate) fn steps(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let m = self.observations.len();
        (0..m).map(move |p| (self.observations[p], self.observations[(p + 1) % m]))
    }
}

/// The coefficients `d^i_kj` of one system at one efficiency, dense.
struct DenseSystem {
    k: usize,
    /// `d[i][k * K + j]`, diagonal 0.
    d: Vec<Vec<f64>>,
}

impl DenseSystem {
    fn new(system: &AfriatSystem, efficiency: f64) -> Self {
        let k = system.len();
        let d = (0..system.agents())
            .map(|i| {
                let mut row = vec![0.0; k * k];
                for kk in 0..k {
                    for j in (0..k).filter(|&j| j != kk) {
                        row[kk * k + j] = system.coefficient(i, kk, j, efficiency);
                    }
                }
                row
            })
            .collect();
        Self { k, d }
    }

    fn d(&self, i: usize, k: usize, j: usize) -> f64 {
        self.d[i][k * self.k + j]
    }

    /// Mean of `-lambda_k d_kj` around `cut`.
    fn mean(&self, cut: &CycleCut, lambda: &[f64]) -> f64 {
        let total: f64 = cut
            .steps()
            .map(|(k, j)| -lambda[k] * self.d(cut.agent, k, j))
            .sum();
        total / cut.observations.len() as f64
    }

    /// The master row of `cut`: `|C| t + sum d_kj lambda_k >= 0` (coefficients exact).
    fn row(&self, cut: &CycleCut) -> Row {
        let mut terms = vec![(self.k, cut.observations.len() as f64)];
        terms.extend(
            cut.steps()
                .map(|(k, j)| (k, self.d(cut.agent, k, j)))
                .filter(|&(_, d)| d != 0.0),
        );
        Row {
            terms,
            sense: Sense::Ge,
            rhs: 0.0,
        }
    }

    /// `max(0, max over all rows of u_j - u_k - lambda_k d_kj)` at `p`.
    fn honest_slack(&self, p: &Point) -> f64 {
        let k = self.k;
        let mut worst = 0.0f64;
        for (i, u) in p.u.iter().enumerate() {
            for kk in 0..k {
                let (uk, lk) = (u[kk], p.lambda[kk]);
                for (j, d) in self.d[i][kk * k..(kk + 1) * k].iter().enumerate() {
                    if j != kk {
                        worst = worst.max(u[j] - uk - lk * d);
                    }
                }
            }
        }
        worst
    }
}

/// What [`solve`] returns.
pub(crate) struct CutSolution {
    /// `(u, lambda, t)` at the best priced `lambda`, `t` its largest agent cycle mean (>= 0).
    pub point: Point,
    /// `max(0, max over all rows of u_j - u_k - lambda_k d)` at the point.
    pub slack: f64,
    /// The cuts of the final master.
    pub cuts: Vec<CycleCut>,
    /// The cuts near-tight at the point: the hint for the next call ([`near_tight`]).
    pub near: Vec<CycleCut>,
}

/// One agent priced at one `lambda`: its maximum cycle mean and every cycle Howard evaluated.
struct Priced {
    best: MeanCycle,
    /// `(mean, cut)`, most violated first, each cut once.
    cycles: Vec<(f64, CycleCut)>,
}

fn price_agent(
    dense: &DenseSystem,
    agent: usize,
    scale: &[f64],
    start: Option<&[usize]>,
) -> Priced {
    let k = dense.k;
    let mut cycles = Vec::new();
    let mut found =
        |mean: f64, nodes: &[usize]| cycles.push((mean, CycleCut::rotated(agent, nodes)));
    let mut best = max_cycle_mean(k, &dense.d[agent], scale, start, &mut found);
    if best.capped {
        exact_pricing(dense, agent, scale, &mut best, &mut cycles);
    }
    cycles.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    cycles.dedup_by(|a, b| a.1 == b.1);
    Priced { best, cycles }
}

/// Pricing when Howard's iteration hit its cap (float-induced cycling on near-tied data): its
/// last policy may miss the most violated cycle, so Karp's `O(K^3)` algorithm, exact, prices
/// the agent instead. Its cycle becomes a cut and its mean the agent's `chi`. Howard's
/// potentials stay the point's `u`; that is safe because the reported slack is recomputed
/// from all rows at the point ([`DenseSystem::honest_slack`]), never read off `chi`.
fn exact_pricing(
    dense: &DenseSystem,
    agent: usize,
    scale: &[f64],
    best: &mut MeanCycle,
    cycles: &mut Vec<(f64, CycleCut)>,
) {
    let k = dense.k;
    let nodes: Vec<usize> = (0..k).collect();
    let w = |a: usize, b: usize| (a != b).then(|| scale[a] * dense.d(agent, a, b));
    let Some((mean, nodes)) = karp_max_mean_cycle(&nodes, w) else {
        return;
    };
    tracing::debug!(
        k,
        howard = best.chi,
        karp = mean,
        "Howard's iteration hit its cap; priced by Karp"
    );
    if mean > best.chi {
        best.chi = mean;
        if let Some(cut) = CycleCut::new(agent, &nodes, k) {
            cycles.push((mean, cut));
        }
    }
}

/// Every agent priced at one `lambda`.
struct Pricing {
    lambda: Vec<f64>,
    /// `max(0, max_i chi_i)`: the program's objective at `lambda`.
    value: f64,
    agents: Vec<Priced>,
}

/// Prices every agent at `lambda`, warm from `policies`.
fn price(dense: &DenseSystem, lambda: Vec<f64>, policies: &[Vec<usize>]) -> Pricing {
    let scale: Vec<f64> = lambda.iter().map(|l| -l).collect();
    let start = |i: usize| policies.get(i).map(Vec::as_slice);
    let one = |i: usize| price_agent(dense, i, &scale, start(i));
    let m = dense.d.len();
    let agents: Vec<Priced> = if dense.k >= PARALLEL_MIN_K && m > 1 {
        (0..m).into_par_iter().map(one).collect()
    } else {
        (0..m).map(one).collect()
    };
    let value = agents.iter().map(|p| p.best.chi).fold(0.0f64, f64::max);
    Pricing {
        lambda,
        value,
        agents,
    }
}

impl Pricing {
    /// The point `(u, lambda, t)`: Howard's potentials shifted to `u^i_0 = 0`.
    fn point(&self) -> Point {
        let u = self
            .agents
            .iter()
            .map(|p| {
                let base = p.best.bias[0];
                p.best.bias.iter().map(|b| b - base).collect()
            })
            .collect();
        Point {
            u,
            lambda: self.lambda.clone(),
            t: self.value,
        }
    }

    fn policies(&self) -> Vec<Vec<usize>> {
        self.agents.iter().map(|p| p.best.policy.clone()).collect()
    }
}

/// The cuts of the master, each once.
struct CutPool {
    cuts: Vec<CycleCut>,
    present: HashSet<CycleCut>,
}

impl CutPool {
    /// Adds the cycles of `pricing` whose mean exceeds `above` and that are new; returns them.
    fn add_violated(&mut self, pricing: &Pricing, above: f64) -> Vec<CycleCut> {
        let mut added = Vec::new();
        for (mean, cut) in pricing.agents.iter().flat_map(|p| &p.cycles) {
            if *mean > above && self.present.insert(cut.clone()) {
                added.push(cut.clone());
            }
        }
        self.cuts.extend(added.iter().cloned());
        added
    }
}

/// Minimizes `t(lambda)` by cycle cuts (module doc), the master starting from the cuts `hint`
/// (cuts that are not simple cycles of this system are ignored).
pub(crate) fn solve(
    system: &AfriatSystem,
    efficiency: f64,
    backend: &dyn LpBackend,
    generation: Generation,
    hint: &[CycleCut],
) -> Result<CutSolution, LpError> {
    let k = system.len();
    let dense = DenseSystem::new(system, efficiency);
    let tol = system.tolerance().relative();
    let mut pool = CutPool {
        cuts: Vec::new(),
        present: HashSet::new(),
    };
    for cut in hint.iter().filter(|c| c.agent < system.agents()) {
        if let Some(c) = CycleCut::new(cut.agent, &cut.observations, k)
            && pool.present.insert(c.clone())
        {
            pool.cuts.push(c);
        }
    }
    let mut session = backend.open(master_program(k, pool.cuts.iter().map(|c| dense.row(c))))?;
    let (mut query, mut master) = match pool.cuts.is_empty() {
        true => (vec![1.0; k], 0.0),
        false => solve_master(session.as_mut(), k)?,
    };
    let mut policies: Vec<Vec<usize>> = Vec::new();
    let mut best: Option<Pricing> = None;
    for round in 1..=generation.max_rounds {
        let priced = price(&dense, query, &policies);
        policies = priced.policies();
        let eps = tol * (1.0 + master.abs());
        let added = pool.add_violated(&priced, master + eps);
        if best.as_ref().is_none_or(|b| priced.value < b.value) {
            best = Some(priced);
        }
        let incumbent = best
            .as_ref()
            .expect("invariant: a pricing was just recorded");
        let converged = incumbent.value <= master + eps;
        if converged || added.is_empty() {
            if !converged {
                tracing::debug!(
                    best = incumbent.value,
                    master,
                    "no new violated cycle: stopping at the master solver's accuracy"
                );
            }
            tracing::debug!(round, cuts = pool.cuts.len(), master, "cycle cuts done");
            return Ok(finish(&dense, incumbent, pool.cuts));
        }
        tracing::trace!(
            round,
            best = incumbent.value,
            master,
            added = added.len(),
            "cycle-cut round"
        );
        session.add_rows(added.iter().map(|c| dense.row(c)).collect())?;
        (query, master) = solve_master(session.as_mut(), k)?;
    }
    Err(LpError::NoConvergence {
        rounds: generation.max_rounds,
        rows: pool.cuts.len(),
    })
}

/// The solution at the best priced point `incumbent`, with the master's cuts.
fn finish(dense: &DenseSystem, incumbent: &Pricing, cuts: Vec<CycleCut>) -> CutSolution {
    let point = incumbent.point();
    let slack = dense.honest_slack(&point);
    CutSolution {
        near: near_tight(dense, &cuts, &point.lambda, slack),
        point,
        slack,
        cuts,
    }
}

/// Smallest width of the band of [`near_tight`] (for a zero slack).
const HINT_BAND: f64 = 1e-4;

/// The cuts whose mean at `lambda` is at least `-max(slack, HINT_BAND)`: within `2 slack` of
/// tight. Why not all cuts: a hint seeds the next master, and every seeded row is paid for in
/// each of its solves. Measured at `K = 240`, `M = 4`, strategies moved by 1% (the designer's
/// next data set): all 412–1088 cuts made the warm solve 2–7 times faster than cold, and so
/// did these 110–384; moved by 5%, all cuts could be slower than cold, these were not.
/// Only cuts within `0.05 slack` (4–56) were too few to help.
fn near_tight(dense: &DenseSystem, cuts: &[CycleCut], lambda: &[f64], slack: f64) -> Vec<CycleCut> {
    let floor = -slack.max(HINT_BAND);
    cuts.iter()
        .filter(|c| dense.mean(c, lambda) >= floor)
        .cloned()
        .collect()
}

/// The master with the given cut rows: variables `lambda_0..K-1`, then `t` (index `K`).
fn master_program(k: usize, rows: impl Iterator<Item = Row>) -> LinearProgram {
    let mut objective = vec![0.0; k + 1];
    objective[k] = 1.0;
    let mut lower = vec![1.0; k + 1];
    lower[k] = 0.0;
    LinearProgram {
        objective,
        lower,
        upper: vec![f64::INFINITY; k + 1],
        rows: rows.collect(),
    }
}

/// Solves the master; returns `lambda` (clamped at the floor against round-off) and `t`.
fn solve_master(session: &mut dyn LpSession, k: usize) -> Result<(Vec<f64>, f64), LpError> {
    match session.solve()? {
        LpOutcome::Optimal(s) => {
            let lambda = s.x[..k].iter().map(|l| l.max(1.0)).collect();
            Ok((lambda, s.x[k].max(0.0)))
        }
        LpOutcome::Infeasible => Err(unexpected("cycle-cut master program", "infeasible")),
        LpOutcome::Unbounded => Err(unexpected("cycle-cut master program", "unbounded")),
    }
}

fn unexpected(what: &'static str, outcome: &'static str) -> LpError {
    LpError::Unexpected { what, outcome }
}

/// Edge weights of a dual of the final master (module doc), aggregated per edge, in edge order.
pub(crate) fn dual_weights(
    system: &AfriatSystem,
    efficiency: f64,
    solution: &CutSolution,
) -> Result<Vec<(Edge, f64)>, LpError> {
    let dense = DenseSystem::new(system, efficiency);
    let tol = system.tolerance().relative();
    let target = solution.slack;
    // Tight at the final point in a loose band: a larger support only costs time.
    let band = 1e-6 * (1.0 + target);
    let tight: Vec<usize> = (0..solution.cuts.len())
        .filter(|&c| dense.mean(&solution.cuts[c], &solution.point.lambda) >= target - band)
        .collect();
    let all: Vec<usize> = (0..solution.cuts.len()).collect();
    let mut mu = Vec::new();
    for support in [tight, all] {
        let value;
        (mu, value) = solve_cut_dual(&dense, &solution.cuts, &support)?;
        if (value - target).abs() <= tol * (1.0 + target) {
            break;
        }
        tracing::debug!(
            value,
            target,
            support = support.len(),
            "cut dual short of the slack"
        );
    }
    let mut weights: BTreeMap<Edge, f64> = BTreeMap::new();
    for (cut, &m) in solution.cuts.iter().zip(&mu).filter(|(_, m)| **m > 0.0) {
        let share = m / cut.observations.len() as f64;
        for (k, j) in cut.steps() {
            let edge = Edge {
                agent: cut.agent,
                k,
                j,
            };
            *weights.entry(edge).or_insert(0.0) += share;
        }
    }
    Ok(weights.into_iter().collect())
}

/// The master's dual restricted to `cuts[support]` (module doc): weights for all cuts (zero
/// off the support) and the objective `sum_c mu_c mean_c(lambda = 1)`.
fn solve_cut_dual(
    dense: &DenseSystem,
    cuts: &[CycleCut],
    support: &[usize],
) -> Result<(Vec<f64>, f64), LpError> {
    let n = support.len();
    // One row per observation: z_k = sum_c mu_c a_ck >= 0.
    let mut money: Vec<Row> = (0..dense.k)
        .map(|_| Row {
            terms: Vec::new(),
            sense: Sense::Ge,
            rhs: 0.0,
        })
        .collect();
    let mut objective = vec![0.0; n];
    for (v, &c) in support.iter().enumerate() {
        let cut = &cuts[c];
        let len = cut.observations.len() as f64;
        for (k, j) in cut.steps() {
            let a = -dense.d(cut.agent, k, j) / len;
            if a != 0.0 {
                money[k].terms.push((v, a));
                objective[v] -= a;
            }
        }
    }
    let mut rows: Vec<Row> = money.into_iter().filter(|r| !r.terms.is_empty()).collect();
    rows.push(Row::le((0..n).map(|v| (v, 1.0)).collect(), 1.0));
    let program = LinearProgram {
        objective: objective.clone(),
        lower: vec![0.0; n],
        upper: vec![f64::INFINITY; n],
        rows,
    };
    // Checked later with the crate's tolerance: as precise as microlp allows, a vertex.
    let x = match Microlp::precise().solve(program)? {
        LpOutcome::Optimal(s) => s.x,
        LpOutcome::Infeasible => {
            return Err(unexpected("dual of the cycle-cut master", "infeasible"));
        }
        LpOutcome::Unbounded => {
            return Err(unexpected("dual of the cycle-cut master", "unbounded"));
        }
    };
    let mut mu = vec![0.0; cuts.len()];
    let mut value = 0.0;
    for (v, &c) in support.iter().enumerate() {
        mu[c] = x[v].max(0.0);
        value -= mu[c] * objective[v];
    }
    Ok((mu, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Karp's fallback repairs a pricing whose `chi` fell short (as after a capped Howard run):
    /// on 3 nodes with `lambda = 1`, `d_01 = -1, d_12 = -2, d_20 = -3` and every other `d = 1`,
    /// the weights `w = -lambda d` are 1, 2, 3 around `0 -> 1 -> 2 -> 0` and -1 elsewhere, so
    /// the maximum cycle mean is (1 + 2 + 3) / 3 = 2 (any cycle with a reverse step is lower).
    #[test]
    fn exact_pricing_finds_the_cycle_a_capped_run_missed() {
        let mut d = vec![1.0; 9];
        for (k, j, v) in [(0, 1, -1.0), (1, 2, -2.0), (2, 0, -3.0)] {
            d[k * 3 + j] = v;
        }
        for k in 0..3 {
            d[k * 3 + k] = 0.0;
        }
        let dense = DenseSystem { k: 3, d: vec![d] };
        let scale = vec![-1.0; 3];
        let mut best = MeanCycle {
            chi: -1.0,
            bias: vec![0.0; 3],
            policy: vec![1, 0, 0],
            iterations: 1,
            capped: true,
        };
        let mut cycles = Vec::new();
        exact_pricing(&dense, 0, &scale, &mut best, &mut cycles);
        assert!((best.chi - 2.0).abs() < 1e-12, "chi = {}", best.chi);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].1.observations, vec![0, 1, 2]);
        let uncapped = max_cycle_mean(3, &dense.d[0], &scale, None, &mut |_, _| {});
        assert!((uncapped.chi - best.chi).abs() < 1e-12);
    }
}
