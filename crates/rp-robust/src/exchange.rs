//! The exchange method for the robust program (Hettich & Kortanek 1993), on explicit scenarios.
//!
//! Variables: `u`, `t` as in the closed form, and multipliers `m_k = mu_k hat e_k >= 0` in the
//! units of the *empirical* normalization `a_k = alpha_k / hat e_k` (a fixed rescaling), with no
//! floor of their own: the floor `mu_k e_k(beta_k) >= 1` is itself semi-infinite, so it enters
//! as scenario rows `m_k a_k . q_k >= 1`.
//!
//! 1. Scenario set: the empirical profile's floor row of every game (`m_k >= 1`), no other row.
//! 2. Solve the LP of the scenario rows.
//! 3. Oracle: at the LP point, the worst case of each row `(v, k -> j)` over the balls is
//!    `u_j - u_k - m_k (min_{B_j} a_k . q_j - max_{B_k} a_k . q_k)` (the maximizing
//!    distributions do not depend on `(u, m)` beyond `m_k >= 0`, so each row's worst case is
//!    found once, by the [`Oracle`]: greedy or transport LP); the worst case of each floor is
//!    `1 - m_k min_{B_k} a_k . q_k`.
//! 4. Add, for each (utility, observation), the `per_observation` most violated row scenarios,
//!    and every violated floor scenario, each as a row built from the scenario's distributions
//!    (`sum_i a^i_k . (q^i_j - q^i_k)`, not from the oracle's value). Go to 2 until nothing is
//!    violated beyond the tolerance, or fail with [`RobustError::NoConvergence`] at the cap.
//!
//! Each row and floor has a single worst-case scenario, so at most `M K (K - 1) + G K` scenarios
//! are ever added and the method terminates. At the end the multipliers are lifted onto the
//! worst-case floors (`m_k >= 1 / E_k`, a repair of the solver's round-off), the honest slack is
//! the largest worst-case row excess, and the point is reported in the certificate's units
//! (`lambda_k = m_k E_k >= 1`).
//!
//! [`Oracle`]: crate::table::Oracle

use rp_lp::{LpBackend, Row, Sense};

use crate::certificate::{WeightedScenario, scenario_spread};
use crate::error::RobustError;
use crate::problem::{Distributions, NEGLIGIBLE_WEIGHT, Problem, RowKey, Solved};
use crate::program::{
    Ending, Point, cutting_planes, mass_one_weights, restricted_dual, scan, snap,
};
use crate::robust_gap::{ExchangeStats, RobustOptions};
use crate::table::floor_scenario;
use crate::wasserstein::dot;

/// A row of the exchange LP and what it stands for.
enum Scenario {
    /// `m_{g,k} expenditure >= 1` (the empirical profile or the worst case).
    Floor,
    /// A row scenario `(v, k -> j)` with its distributions.
    Row {
        key: RowKey,
        budget: Distributions,
        bundle: Distributions,
    },
}

/// The state of the method between LP solves.
struct Exchange<'p, 'a> {
    p: &'p Problem<'a>,
    per: usize,
    /// Rows `(v, k, j)` whose worst-case scenario is in the LP.
    present: Vec<bool>,
    /// Floors `(g, k)` whose worst-case scenario is in the LP.
    floor_added: Vec<bool>,
    /// The LP's rows, in order.
    scenarios: Vec<Scenario>,
    iterations: usize,
    violation: f64,
}

impl Exchange<'_, '_> {
    fn floor_row(&self, g: usize, k: usize, expenditure: f64) -> Row {
        Row {
            terms: vec![(self.p.layout.lambda(g, k), expenditure)],
            sense: Sense::Ge,
            rhs: 1.0,
        }
    }

    /// The empirical profile's floors: `a_k . hat beta_k = 1`, so `m_k >= 1`.
    fn initial_rows(&mut self) -> Vec<Row> {
        let layout = &self.p.layout;
        let mut rows = Vec::new();
        for g in 0..layout.groups {
            for k in 0..layout.k {
                let e: f64 = (0..self.p.balls.agents())
                    .map(|i| dot(self.p.dirs.get(k, i), self.p.balls.ball(k, i).center()))
                    .sum();
                rows.push(self.floor_row(g, k, e));
                self.scenarios.push(Scenario::Floor);
            }
        }
        rows
    }

    /// Worst-case excess of row `(v, k -> j)` at `point` (raw multipliers) and its scale.
    fn row_excess(&self, point: &Point, v: usize, k: usize, j: usize) -> (f64, f64) {
        let m = point.lambda[self.p.layout.group_of(v)][k];
        let (d, scale) = self.p.spread(v, k, j);
        let (uj, uk) = (point.u[v][j], point.u[v][k]);
        (uj - uk - m * d, 1.0 + uj.abs() + uk.abs() + m * scale)
    }

    /// Steps 3–4 of the module doc at the LP point `x`.
    fn separate(&mut self, x: &[f64]) -> Result<Vec<Row>, RobustError> {
        self.iterations += 1;
        let point = self.p.layout.point(x);
        let kk = self.p.layout.k;
        let (batch, max_excess) = scan(
            &self.p.layout,
            self.per,
            point.t,
            &self.present,
            self.p.tol,
            |v, k, j| self.row_excess(&point, v, k, j),
        );
        let mut rows = Vec::with_capacity(batch.len());
        for key in batch {
            self.present[(key.0 * kk + key.1) * kk + key.2] = true;
            rows.push(self.scenario_row(key)?);
        }
        let mut violation = (max_excess - point.t).max(0.0);
        for g in 0..self.p.layout.groups {
            for k in 0..kk {
                let short = 1.0 - point.lambda[g][k] * self.p.table.expenditure(k);
                violation = violation.max(short);
                if short > self.p.tol.relative() && !self.floor_added[g * kk + k] {
                    self.floor_added[g * kk + k] = true;
                    rows.push(self.floor_scenario_row(g, k)?);
                }
            }
        }
        self.violation = violation;
        Ok(rows)
    }

    fn scenario_row(&mut self, key: RowKey) -> Result<Row, RobustError> {
        let (v, k, j) = key;
        let (budget, bundle) = self.p.row_scenario(key)?;
        let spread = scenario_spread(self.p.member_directions(v, k), &budget, &bundle);
        let share: f64 = self
            .p
            .member_directions(v, k)
            .zip(&budget)
            .map(|(c, q)| dot(c, q))
            .sum();
        let row = self.p.layout.row(v, k, j, snap(spread, share, self.p.tol));
        self.scenarios.push(Scenario::Row {
            key,
            budget,
            bundle,
        });
        Ok(row)
    }

    fn floor_scenario_row(&mut self, g: usize, k: usize) -> Result<Row, RobustError> {
        let q = floor_scenario(self.p.balls, &self.p.dirs, self.p.table.oracle, k)?;
        let e: f64 = q
            .iter()
            .enumerate()
            .map(|(i, qi)| dot(self.p.dirs.get(k, i), qi))
            .sum();
        self.scenarios.push(Scenario::Floor);
        Ok(self.floor_row(g, k, e))
    }

    fn stats(&self) -> ExchangeStats {
        let floors = self.floor_added.iter().filter(|&&f| f).count();
        let rows = self.present.iter().filter(|&&f| f).count();
        ExchangeStats {
            iterations: self.iterations,
            scenarios: rows,
            floor_scenarios: floors,
            final_violation: self.violation,
        }
    }
}

/// Runs the exchange method of the module doc.
pub(crate) fn exchange(
    p: &Problem,
    backend: &dyn LpBackend,
    opts: &RobustOptions,
) -> Result<Solved, RobustError> {
    let layout = &p.layout;
    let mut state = Exchange {
        p,
        per: opts.generation.per_observation.max(1),
        present: vec![false; layout.utilities() * layout.k * layout.k],
        floor_added: vec![false; layout.groups * layout.k],
        scenarios: Vec::new(),
        iterations: 0,
        violation: 0.0,
    };
    let mut program = layout.base_program(0.0);
    program.rows = state.initial_rows();
    let ending = cutting_planes(backend, program, opts.max_iterations, |x| state.separate(x))?;
    let stats = state.stats();
    let Ending::Converged { solution, rounds } = ending else {
        return Err(RobustError::NoConvergence {
            iterations: stats.iterations,
            scenarios: stats.scenarios + stats.floor_scenarios,
            violation: stats.final_violation,
        });
    };
    let raw = lifted(p, layout.point(&solution.x));
    let worst = largest_excess(&state, &raw);
    let point = Point {
        lambda: (0..layout.groups)
            .map(|g| {
                (0..layout.k)
                    .map(|k| raw.lambda[g][k] * p.table.expenditure(k))
                    .collect()
            })
            .collect(),
        ..raw
    };
    let slack = match worst <= p.tol.relative() * point.magnitude() {
        true => 0.0,
        false => worst,
    };
    let weighted = match (slack > 0.0, solution.duals.as_deref()) {
        (false, _) => Vec::new(),
        (true, Some(duals)) => weighted(&state, duals),
        (true, None) => weighted_by_dual_lp(&state)?,
    };
    tracing::debug!(?stats, slack, "exchange method converged");
    Ok(Solved {
        point,
        slack,
        rounds,
        rows: state.scenarios.len(),
        weighted,
        exchange: Some(stats),
    })
}

/// Raises each multiplier onto its worst-case floor, `m_k >= 1 / E_k`.
fn lifted(p: &Problem, mut point: Point) -> Point {
    for row in &mut point.lambda {
        for (k, m) in row.iter_mut().enumerate() {
            *m = m.max(1.0 / p.table.expenditure(k));
        }
    }
    point
}

/// The largest worst-case row excess (at least 0) in the exchange's own units.
fn largest_excess(state: &Exchange, point: &Point) -> f64 {
    let layout = &state.p.layout;
    let mut worst = 0.0f64;
    for v in 0..layout.utilities() {
        for k in 0..layout.k {
            for j in (0..layout.k).filter(|&j| j != k) {
                worst = worst.max(state.row_excess(point, v, k, j).0);
            }
        }
    }
    worst
}

/// For backends without duals: the restricted dual over the row scenarios, in the
/// certificate's units (coefficient `spread / E_k`).
fn weighted_by_dual_lp(state: &Exchange) -> Result<Vec<WeightedScenario>, RobustError> {
    let scenarios: Vec<(RowKey, &Distributions, &Distributions)> = state
        .scenarios
        .iter()
        .filter_map(|s| match s {
            Scenario::Row {
                key,
                budget,
                bundle,
            } => Some((*key, budget, bundle)),
            Scenario::Floor => None,
        })
        .collect();
    let rows: Vec<(RowKey, f64)> = scenarios
        .iter()
        .map(|&(key, budget, bundle)| {
            let spread = scenario_spread(state.p.member_directions(key.0, key.1), budget, bundle);
            (key, spread / state.p.table.expenditure(key.1))
        })
        .collect();
    let weights = restricted_dual(&state.p.layout, &rows)?;
    Ok(scenarios
        .into_iter()
        .zip(weights)
        .filter(|(_, w)| *w > NEGLIGIBLE_WEIGHT)
        .map(|((key, budget, bundle), w)| {
            WeightedScenario::new(key, w, budget.clone(), bundle.clone())
        })
        .collect())
}

/// The LP's row duals as weights on the row scenarios (floors get their multipliers from the
/// weights in the certificate).
fn weighted(state: &Exchange, duals: &[f64]) -> Vec<WeightedScenario> {
    let rows: Vec<usize> = (0..state.scenarios.len())
        .filter(|&r| matches!(state.scenarios[r], Scenario::Row { .. }))
        .collect();
    let row_duals: Vec<f64> = rows.iter().map(|&r| duals[r]).collect();
    let weights = mass_one_weights(&row_duals);
    rows.iter()
        .zip(weights)
        .filter(|(_, w)| *w > NEGLIGIBLE_WEIGHT)
        .filter_map(|(&r, weight)| match &state.scenarios[r] {
            Scenario::Row {
                key,
                budget,
                bundle,
            } => Some(WeightedScenario::new(
                *key,
                weight,
                budget.clone(),
                bundle.clone(),
            )),
            Scenario::Floor => None,
        })
        .collect()
}
