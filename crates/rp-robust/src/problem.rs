//! The data of one robust program and the assembly of its certificate (internal): the balls,
//! the normalized probe directions, the worst-case table and the variable layout, shared by the
//! closed form and the exchange method.

use rp_lp::{ObservationSet, Tolerance};

use crate::ambiguity::ProductBalls;
pub(crate) use crate::certificate::WeightedScenario;
use crate::certificate::{
    FloorScenario, RobustCertificate, RobustDual, RobustPoint, scenario_spread,
};
use crate::error::RobustError;
use crate::program::{Layout, Point, snap};
use crate::robust_gap::{ExchangeStats, RobustOptions};
use crate::table::{Bias, Directions, WorstCaseTable, floor_scenario, row_scenario};

/// Dual weights below this (of a total mass at most 1) are dropped from certificates: interior
/// points put round-off weight on every row.
pub(crate) const NEGLIGIBLE_WEIGHT: f64 = 1e-12;

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
    pub fn new(
        empirical: &ObservationSet,
        balls: &'a ProductBalls,
        opts: &RobustOptions,
        bias: Bias,
    ) -> Result<Self, RobustError> {
        let dirs = Directions::new(empirical);
        let table = WorstCaseTable::new(balls, &dirs, opts.oracle, bias)?;
        table.check_expenditures()?;
        Ok(Self {
            balls,
            dirs,
            table,
            layout: Layout::new(opts.structure, empirical.num_agents(), empirical.len()),
            tol: opts.tolerance,
        })
    }

    /// `D^v_kj = sum_i (cross[i][k][j] - budget[i][k])` snapped to 0 inside the tie band, and its
    /// scale `sum_i (|cross| + |budget|)`.
    ///
    /// Ties: `|D| <= tol * sum_i budget[i][k]` is 0, rp-lp's band (`|d| <= tol * e^i_k`; at
    /// radius 0 `budget[i][k]` is agent `i`'s share `e^i_k / e_k`), so ties are classified as in
    /// the nominal gap.
    pub fn spread(&self, v: usize, k: usize, j: usize) -> (f64, f64) {
        let (mut d, mut share, mut scale) = (0.0, 0.0, 0.0);
        for &i in &self.layout.members[v] {
            let (cross, budget) = (self.table.cross(i, k, j), self.table.budget(i, k));
            d += cross - budget;
            share += budget;
            scale += cross.abs() + budget.abs();
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

    pub fn certificate(&self, solved: &Solved) -> Result<RobustCertificate, RobustError> {
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
