//! 1-Wasserstein balls on an agent's finite outcome set and their support functions.
//!
//! Agent `i`'s outcomes are its `n_i` actions and the null action (last), `m_i = n_i + 1` in
//! all. A ball `B = {q in Delta_m : W1(q, hat q) <= rho}` is the ambiguity set of THEORY §8 around
//! an empirical strategy `hat q`. `W1` is the optimal-transport cost for a ground metric `d` on
//! the outcomes:
//!
//! - [`GroundMetric::ZeroOne`] (the default): `d(a, b) = 1` for `a != b`. Then `W1` is the total
//!   variation distance, half the L1 distance, so an L1 radius `eps` (from
//!   [`crate::concentration`]) is the W1 radius `eps / 2`.
//! - [`GroundMetric::Matrix`]: any metric given as a validated `m x m` matrix (finite,
//!   symmetric, zero exactly on the diagonal and positive off it, so distinct outcomes are
//!   distinct points; triangle inequality checked). For a metric of
//!   diameter `D`, `W1 <= D * TV = D ||.||_1 / 2` (keep the common mass in place, move the rest
//!   at cost at most `D`), so an L1 radius `eps` becomes the W1 radius `D eps / 2`
//!   ([`GroundMetric::radius_from_l1`]).
//!
//! The worst case of a linear function `c . q` over the ball is its support function
//! `sigma_B(c) = max_{q in B} c . q`, computed three independent ways:
//!
//! - [`WassersteinBall::support_greedy`] (0-1 metric only): move up to `rho` of mass from the
//!   lowest-value outcomes, lowest first, onto one outcome of highest value. Optimal because a
//!   unit of mass moved from `a` to `b` gains `c_b - c_a` at cost 1 whatever `a` and `b` are.
//! - [`WassersteinBall::support_lp`]: the transport LP `max sum_{a,b} c_b pi_ab` over plans
//!   `pi >= 0` with row sums `hat q` and cost `sum d_ab pi_ab <= rho` (through an rp-lp backend).
//! - [`WassersteinBall::support_dual`] (value only): Kantorovich duality,
//!   `sigma_B(c) = min_{gamma >= 0} gamma rho + sum_a hat q_a max_b (c_b - gamma d_ab)`, a convex
//!   piecewise-linear function of `gamma` minimized over its breakpoints.
//!
//! What it is not: a general optimal-transport library (outcome sets are small, tens at most).

use rp_lp::{Backend, LinearProgram, LpBackend, LpOutcome, Row, Sense, Tolerance};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::concentration::check_radius;
use crate::error::RobustError;

/// How far a distribution's sum may stray from 1 (rounding in callers' arithmetic).
pub const DISTRIBUTION_SLACK: f64 = 1e-9;

/// Why a ground metric was rejected (indices are 0-based outcomes).
#[derive(Clone, Debug, PartialEq, Error)]
pub enum MetricError {
    /// Fewer than two outcomes.
    #[error("a ground metric needs at least 2 outcomes, got {0}")]
    TooSmall(usize),
    /// A row of the wrong length.
    #[error("row {row} has {len} entries; the matrix has {rows} rows and must be square")]
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Offending row.
        row: usize,
        /// Its length.
        len: usize,
    },
    /// An off-diagonal entry that is not positive and finite.
    #[error("d({a}, {b}) = {value} must be positive and finite")]
    Entry {
        /// Row.
        a: usize,
        /// Column.
        b: usize,
        /// Value.
        value: f64,
    },
    /// A nonzero diagonal entry.
    #[error("d({a}, {a}) = {value} must be 0")]
    Diagonal {
        /// Outcome.
        a: usize,
        /// Value.
        value: f64,
    },
    /// `d(a, b) != d(b, a)`.
    #[error("d({a}, {b}) = {ab} but d({b}, {a}) = {ba}; a metric is symmetric")]
    Asymmetric {
        /// Row.
        a: usize,
        /// Column.
        b: usize,
        /// `d(a, b)`.
        ab: f64,
        /// `d(b, a)`.
        ba: f64,
    },
    /// `d(a, c) > d(a, b) + d(b, c)`.
    #[error(
        "d({a}, {c}) = {direct} exceeds d({a}, {b}) + d({b}, {c}) = {detour} (triangle inequality)"
    )]
    Triangle {
        /// Start.
        a: usize,
        /// Detour.
        b: usize,
        /// End.
        c: usize,
        /// Direct distance.
        direct: f64,
        /// Distance through `b`.
        detour: f64,
    },
}

/// A validated `m x m` metric on outcomes (see the module doc for what is checked).
///
/// The triangle inequality is checked with the one default [`Tolerance`] relative to the
/// diameter: a matrix violating it is a transport *cost*, not a metric, and its W1 ball would
/// not be the ball of the distance the caller has in mind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Vec<f64>>", into = "Vec<Vec<f64>>")]
pub struct MetricMatrix {
    m: usize,
    d: Vec<f64>,
}

impl MetricMatrix {
    /// Validates `rows` as a metric.
    pub fn new(rows: Vec<Vec<f64>>) -> Result<Self, MetricError> {
        let m = rows.len();
        if m < 2 {
            return Err(MetricError::TooSmall(m));
        }
        if let Some(row) = rows.iter().position(|r| r.len() != m) {
            return Err(MetricError::NotSquare {
                rows: m,
                row,
                len: rows[row].len(),
            });
        }
        let metric = Self {
            m,
            d: rows.concat(),
        };
        metric.check_entries()?;
        metric.check_triangle()?;
        Ok(metric)
    }

    fn check_entries(&self) -> Result<(), MetricError> {
        for a in 0..self.m {
            for b in 0..self.m {
                let value = self.get(a, b);
                if a == b && value != 0.0 {
                    return Err(MetricError::Diagonal { a, value });
                }
                if a != b && !(value.is_finite() && value > 0.0) {
                    return Err(MetricError::Entry { a, b, value });
                }
                if value != self.get(b, a) {
                    let ba = self.get(b, a);
                    return Err(MetricError::Asymmetric {
                        a,
                        b,
                        ab: value,
                        ba,
                    });
                }
            }
        }
        Ok(())
    }

    fn check_triangle(&self) -> Result<(), MetricError> {
        let slack = Tolerance::DEFAULT * self.diameter();
        for a in 0..self.m {
            for b in 0..self.m {
                for c in 0..self.m {
                    let direct = self.get(a, c);
                    let detour = self.get(a, b) + self.get(b, c);
                    if direct > detour + slack {
                        return Err(MetricError::Triangle {
                            a,
                            b,
                            c,
                            direct,
                            detour,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Number of outcomes `m`.
    pub fn outcomes(&self) -> usize {
        self.m
    }

    /// `d(a, b)`.
    pub fn get(&self, a: usize, b: usize) -> f64 {
        self.d[a * self.m + b]
    }

    /// The largest distance.
    pub fn diameter(&self) -> f64 {
        self.d.iter().copied().fold(0.0, f64::max)
    }
}

impl TryFrom<Vec<Vec<f64>>> for MetricMatrix {
    type Error = MetricError;

    fn try_from(rows: Vec<Vec<f64>>) -> Result<Self, Self::Error> {
        Self::new(rows)
    }
}

impl From<MetricMatrix> for Vec<Vec<f64>> {
    fn from(metric: MetricMatrix) -> Self {
        metric.d.chunks(metric.m).map(<[f64]>::to_vec).collect()
    }
}

/// The ground metric of a Wasserstein ball (module doc).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroundMetric {
    /// `d(a, b) = 1` for `a != b`: W1 is the total variation, half the L1 distance.
    #[default]
    ZeroOne,
    /// A validated metric matrix.
    Matrix(MetricMatrix),
}

impl GroundMetric {
    /// `d(a, b)`.
    pub fn distance(&self, a: usize, b: usize) -> f64 {
        match self {
            Self::ZeroOne => f64::from(u8::from(a != b)),
            Self::Matrix(matrix) => matrix.get(a, b),
        }
    }

    /// Errors unless the metric is defined on `m` outcomes (any `m >= 2` for the 0-1 metric).
    pub fn check_outcomes(&self, m: usize) -> Result<(), RobustError> {
        match self {
            Self::ZeroOne if m >= 2 => Ok(()),
            Self::ZeroOne => Err(MetricError::TooSmall(m).into()),
            Self::Matrix(matrix) if matrix.outcomes() == m => Ok(()),
            Self::Matrix(matrix) => Err(RobustError::Length {
                what: "ground metric",
                got: matrix.outcomes(),
                expected: m,
            }),
        }
    }

    /// The largest distance between two of `m >= 2` outcomes.
    pub fn diameter(&self) -> f64 {
        match self {
            Self::ZeroOne => 1.0,
            Self::Matrix(matrix) => matrix.diameter(),
        }
    }

    /// The W1 radius `D eps / 2` whose ball contains the L1 ball of radius `eps` (module doc).
    pub fn radius_from_l1(&self, eps: f64) -> f64 {
        self.diameter() * eps / 2.0
    }
}

/// A maximizer of `c . q` over a ball and the maximum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorstCase {
    /// `c . q` at the maximizer.
    pub value: f64,
    /// The maximizer `q` (a distribution in the ball).
    pub distribution: Vec<f64>,
}

/// `{q in Delta_m : W1(q, center) <= radius}` for a ground metric (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WassersteinBall {
    center: Vec<f64>,
    radius: f64,
    metric: GroundMetric,
}

impl WassersteinBall {
    /// Validates the center (a distribution on `m >= 2` outcomes), the radius (finite,
    /// nonnegative) and the metric's size.
    pub fn new(center: Vec<f64>, radius: f64, metric: GroundMetric) -> Result<Self, RobustError> {
        check_distribution("ball center", &center)?;
        check_radius(radius, "nonnegative")?;
        metric.check_outcomes(center.len())?;
        Ok(Self {
            center,
            radius,
            metric,
        })
    }

    /// The center `hat q`.
    pub fn center(&self) -> &[f64] {
        &self.center
    }

    /// The W1 radius `rho`.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// The ground metric.
    pub fn metric(&self) -> &GroundMetric {
        &self.metric
    }

    /// Number of outcomes `m`.
    pub fn outcomes(&self) -> usize {
        self.center.len()
    }

    fn check_direction(&self, c: &[f64]) -> Result<(), RobustError> {
        if c.len() != self.outcomes() {
            return Err(RobustError::Length {
                what: "direction",
                got: c.len(),
                expected: self.outcomes(),
            });
        }
        if c.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(RobustError::Distribution {
                what: "direction",
                detail: "entries must be finite".into(),
            })
        }
    }

    /// The support function `max_{q in B} c . q` and a maximizer: greedy for the 0-1 metric,
    /// the transport LP (microlp at its tightest tolerance) otherwise.
    pub fn support(&self, c: &[f64]) -> Result<WorstCase, RobustError> {
        match self.metric {
            GroundMetric::ZeroOne => self.support_greedy(c),
            GroundMetric::Matrix(_) => self.support_lp(c, &rp_lp::Microlp::precise()),
        }
    }

    /// `min_{q in B} c . q` and a minimizer (`-support(-c)`).
    pub fn infimum(&self, c: &[f64]) -> Result<WorstCase, RobustError> {
        let negated: Vec<f64> = c.iter().map(|v| -v).collect();
        let mut worst = self.support(&negated)?;
        worst.value = -worst.value;
        Ok(worst)
    }

    /// The greedy closed form of the support function (0-1 metric only; module doc).
    pub fn support_greedy(&self, c: &[f64]) -> Result<WorstCase, RobustError> {
        self.check_direction(c)?;
        if self.metric != GroundMetric::ZeroOne {
            return Err(RobustError::InvalidOption(
                "the greedy support function holds for the 0-1 ground metric only".into(),
            ));
        }
        Ok(greedy(&self.center, self.radius, c))
    }

    /// The support function by the transport LP (module doc), solved by `backend`.
    pub fn support_lp(&self, c: &[f64], backend: &dyn LpBackend) -> Result<WorstCase, RobustError> {
        self.check_direction(c)?;
        let m = self.outcomes();
        let mut lp = transport_program(&self.center);
        lp.objective = (0..m * m).map(|v| -c[v % m]).collect();
        lp.rows
            .push(Row::le(cost_terms(m, &self.metric), self.radius));
        let plan = optimal(backend.solve(lp)?, "support-function transport LP")?;
        let distribution = column_sums(m, &plan);
        Ok(WorstCase {
            value: dot(c, &distribution),
            distribution,
        })
    }

    /// The support function's value by Kantorovich duality (module doc): an independent check
    /// of the greedy and LP forms. `O(m^5)`: meant for small outcome sets.
    pub fn support_dual(&self, c: &[f64]) -> Result<f64, RobustError> {
        self.check_direction(c)?;
        if self.metric == GroundMetric::ZeroOne {
            return Ok(self.support_dual_zero_one(c));
        }
        let m = self.outcomes();
        let d = |a: usize, b: usize| self.metric.distance(a, b);
        let f = |gamma: f64| {
            let inner: f64 = (0..m)
                .map(|a| {
                    let best = (0..m)
                        .map(|b| c[b] - gamma * d(a, b))
                        .fold(f64::NEG_INFINITY, f64::max);
                    self.center[a] * best
                })
                .sum();
            gamma * self.radius + inner
        };
        // The breakpoints: where two lines c_b - gamma d_ab of one source a cross.
        let mut best = f(0.0);
        for a in 0..m {
            for b in 0..m {
                for b2 in 0..m {
                    let slope = d(a, b) - d(a, b2);
                    if slope > 0.0 {
                        let gamma = (c[b] - c[b2]) / slope;
                        if gamma > 0.0 {
                            best = best.min(f(gamma));
                        }
                    }
                }
            }
        }
        Ok(best)
    }

    /// The dual under the 0-1 metric: `max_b (c_b - gamma d_ab) = max(c_a, c_max - gamma)`, with
    /// breakpoints `gamma = c_max - c_a`; `O(m^2)`.
    fn support_dual_zero_one(&self, c: &[f64]) -> f64 {
        let top = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let f = |gamma: f64| {
            gamma * self.radius
                + self
                    .center
                    .iter()
                    .zip(c)
                    .map(|(q, &ca)| q * ca.max(top - gamma))
                    .sum::<f64>()
        };
        c.iter().map(|&ca| f(top - ca)).fold(f(0.0), f64::min)
    }

    /// `W1(q, center)`: how far `q` is from the center.
    pub fn distance_to_center(&self, q: &[f64]) -> Result<f64, RobustError> {
        wasserstein_distance(q, &self.center, &self.metric)
    }
}

/// The greedy support function of a 0-1 (total variation) ball (module doc).
pub(crate) fn greedy(center: &[f64], radius: f64, c: &[f64]) -> WorstCase {
    let top = (0..c.len()).fold(0, |t, a| if c[a] > c[t] { a } else { t });
    let mut order: Vec<usize> = (0..c.len()).filter(|&a| c[a] < c[top]).collect();
    order.sort_by(|&a, &b| c[a].total_cmp(&c[b]).then(a.cmp(&b)));
    let mut q = center.to_vec();
    let mut budget = radius;
    let mut gain = 0.0;
    for a in order {
        if budget <= 0.0 {
            break;
        }
        let moved = q[a].min(budget);
        q[a] -= moved;
        q[top] += moved;
        budget -= moved;
        gain += moved * (c[top] - c[a]);
    }
    WorstCase {
        value: dot(c, center) + gain,
        distribution: q,
    }
}

/// `W1(p, q)` for a ground metric: half the L1 distance for the 0-1 metric, the transport LP
/// (microlp at its tightest tolerance) otherwise.
pub fn wasserstein_distance(
    p: &[f64],
    q: &[f64],
    metric: &GroundMetric,
) -> Result<f64, RobustError> {
    check_distribution("first distribution", p)?;
    check_distribution("second distribution", q)?;
    if p.len() != q.len() {
        return Err(RobustError::Length {
            what: "second distribution",
            got: q.len(),
            expected: p.len(),
        });
    }
    metric.check_outcomes(p.len())?;
    if *metric == GroundMetric::ZeroOne {
        return Ok(p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>() / 2.0);
    }
    let m = p.len();
    let mut lp = transport_program(p);
    lp.objective = (0..m * m).map(|v| metric.distance(v / m, v % m)).collect();
    // Column sums q_b; the last is implied by the others and the row sums (dropping it keeps
    // the system free of a redundant equality that rounding could make inconsistent).
    for (b, &qb) in q.iter().enumerate().take(m - 1) {
        let terms = (0..m).map(|a| (a * m + b, 1.0)).collect();
        lp.rows.push(Row {
            terms,
            sense: Sense::Eq,
            rhs: qb,
        });
    }
    let backend = Backend::Microlp.solver()?;
    let plan = optimal(backend.solve(lp)?, "optimal-transport LP")?;
    Ok(lp_cost(m, metric, &plan))
}

fn lp_cost(m: usize, metric: &GroundMetric, plan: &[f64]) -> f64 {
    (0..m * m)
        .map(|v| metric.distance(v / m, v % m) * plan[v])
        .sum()
}

/// Plans `pi >= 0` (variable `a m + b`) with row sums `p`; objective left to the caller.
fn transport_program(p: &[f64]) -> LinearProgram {
    let m = p.len();
    let rows = (0..m)
        .map(|a| Row {
            terms: (0..m).map(|b| (a * m + b, 1.0)).collect(),
            sense: Sense::Eq,
            rhs: p[a],
        })
        .collect();
    LinearProgram {
        objective: vec![0.0; m * m],
        lower: vec![0.0; m * m],
        upper: vec![f64::INFINITY; m * m],
        rows,
    }
}

fn cost_terms(m: usize, metric: &GroundMetric) -> Vec<(usize, f64)> {
    (0..m * m)
        .filter(|v| v / m != v % m)
        .map(|v| (v, metric.distance(v / m, v % m)))
        .collect()
}

/// `q_b = sum_a pi_ab`, clamped at 0 against the solver's round-off.
fn column_sums(m: usize, plan: &[f64]) -> Vec<f64> {
    (0..m)
        .map(|b| (0..m).map(|a| plan[a * m + b]).sum::<f64>().max(0.0))
        .collect()
}

fn optimal(outcome: LpOutcome, what: &'static str) -> Result<Vec<f64>, RobustError> {
    match outcome {
        LpOutcome::Optimal(s) => Ok(s.x.iter().map(|v| v.max(0.0)).collect()),
        LpOutcome::Infeasible => Err(unexpected(what, "infeasible")),
        LpOutcome::Unbounded => Err(unexpected(what, "unbounded")),
    }
}

fn unexpected(what: &'static str, outcome: &'static str) -> RobustError {
    RobustError::Lp(rp_lp::LpError::Unexpected { what, outcome })
}

/// Errors unless `q` has at least two nonnegative finite entries summing to 1 (up to
/// [`DISTRIBUTION_SLACK`]).
pub fn check_distribution(what: &'static str, q: &[f64]) -> Result<(), RobustError> {
    let fail = |detail: String| Err(RobustError::Distribution { what, detail });
    if q.len() < 2 {
        return fail(format!("{} outcomes; at least 2 are needed", q.len()));
    }
    if let Some(a) = q.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return fail(format!("entry {a} is {}", q[a]));
    }
    let sum: f64 = q.iter().sum();
    if (sum - 1.0).abs() > DISTRIBUTION_SLACK {
        return fail(format!("entries sum to {sum}"));
    }
    Ok(())
}

/// Dot product of two equal-length slices.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_metric() -> GroundMetric {
        // Outcomes 0, 1, 2 on a line: d(a, b) = |a - b|.
        let rows = vec![
            vec![0.0, 1.0, 2.0],
            vec![1.0, 0.0, 1.0],
            vec![2.0, 1.0, 0.0],
        ];
        GroundMetric::Matrix(MetricMatrix::new(rows).unwrap())
    }

    #[test]
    fn greedy_by_hand() {
        // c = (1, 3, 0): the top outcome is 1. Move min(0.2, 0.25) = 0.2 from outcome 2
        // (gain 0.2 * 3 = 0.6), then the remaining 0.05 from outcome 0 (gain 0.05 * 2 = 0.1).
        // Value c . center + 0.7 = (0.5 + 0.9) + 0.7 = 2.1 at q = (0.45, 0.55, 0).
        let ball = WassersteinBall::new(vec![0.5, 0.3, 0.2], 0.25, GroundMetric::ZeroOne).unwrap();
        let w = ball.support(&[1.0, 3.0, 0.0]).unwrap();
        assert!((w.value - 2.1).abs() < 1e-15);
        assert!((w.distribution[0] - 0.45).abs() < 1e-15);
        assert!((w.distribution[1] - 0.55).abs() < 1e-15);
        assert_eq!(w.distribution[2], 0.0);
        // The minimum of c is the maximum of -c: move 0.25 onto outcome 2 from outcome 1
        // (value 3 -> 0) first: q = (0.5, 0.05, 0.45), c . q = 0.5 + 0.15 = 0.65.
        let low = ball.infimum(&[1.0, 3.0, 0.0]).unwrap();
        assert!((low.value - 0.65).abs() < 1e-15);
    }

    #[test]
    fn line_metric_by_hand_three_ways() {
        // Maximize the mass on outcome 2 with budget 0.4: all 0.3 of outcome 1 at cost 1 per
        // unit (0.3), then 0.1 / 2 = 0.05 of outcome 0 at cost 2: q_2 = 0.2 + 0.3 + 0.05 = 0.55.
        // Dual at gamma = 0.5: 0.4 * 0.5 + 0.5 max(0, -0.5, 0) + 0.3 max(0, 0.5) + 0.2 * 1
        // = 0.2 + 0 + 0.15 + 0.2 = 0.55.
        let ball = WassersteinBall::new(vec![0.5, 0.3, 0.2], 0.4, line_metric()).unwrap();
        let c = [0.0, 0.0, 1.0];
        let lp = ball.support(&c).unwrap();
        assert!((lp.value - 0.55).abs() < 1e-9, "{lp:?}");
        assert!((ball.support_dual(&c).unwrap() - 0.55).abs() < 1e-12);
        assert!(ball.distance_to_center(&lp.distribution).unwrap() <= 0.4 + 1e-9);
        assert!(ball.support_greedy(&c).is_err());
    }

    #[test]
    fn distances_by_hand() {
        // TV((0.5, 0.5, 0), (0, 0.5, 0.5)) = (0.5 + 0 + 0.5) / 2 = 0.5; on the line the half
        // unit moves from 0 to 2 at cost 2: W1 = 1.
        let (p, q) = ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]);
        assert_eq!(
            wasserstein_distance(&p, &q, &GroundMetric::ZeroOne).unwrap(),
            0.5
        );
        let w = wasserstein_distance(&p, &q, &line_metric()).unwrap();
        assert!((w - 1.0).abs() < 1e-9);
        // L1 radius 0.3 -> W1 radius D eps / 2: 0.15 (0-1), 0.3 (line, D = 2).
        assert_eq!(GroundMetric::ZeroOne.radius_from_l1(0.3), 0.15);
        assert!((line_metric().radius_from_l1(0.3) - 0.3).abs() < 1e-15);
    }

    #[test]
    fn rejects_bad_metrics_and_balls() {
        let bad = |rows: Vec<Vec<f64>>| MetricMatrix::new(rows).unwrap_err();
        assert!(matches!(bad(vec![vec![0.0]]), MetricError::TooSmall(1)));
        assert!(matches!(
            bad(vec![vec![0.0, 1.0], vec![1.0]]),
            MetricError::NotSquare { .. }
        ));
        assert!(matches!(
            bad(vec![vec![0.1, 1.0], vec![1.0, 0.0]]),
            MetricError::Diagonal { a: 0, .. }
        ));
        assert!(matches!(
            bad(vec![vec![0.0, -1.0], vec![-1.0, 0.0]]),
            MetricError::Entry { a: 0, b: 1, .. }
        ));
        assert!(matches!(
            bad(vec![vec![0.0, 1.0], vec![2.0, 0.0]]),
            MetricError::Asymmetric { .. }
        ));
        let triangle = vec![
            vec![0.0, 1.0, 5.0],
            vec![1.0, 0.0, 1.0],
            vec![5.0, 1.0, 0.0],
        ];
        assert!(matches!(bad(triangle), MetricError::Triangle { .. }));
        assert!(WassersteinBall::new(vec![0.5, 0.6], 0.1, GroundMetric::ZeroOne).is_err());
        assert!(WassersteinBall::new(vec![0.5, 0.5], -0.1, GroundMetric::ZeroOne).is_err());
        assert!(WassersteinBall::new(vec![0.5, 0.5], 0.1, line_metric()).is_err());
        let ball = WassersteinBall::new(vec![0.5, 0.5], 0.1, GroundMetric::ZeroOne).unwrap();
        assert!(ball.support(&[1.0]).is_err());
        assert!(ball.support(&[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn metric_matrices_round_trip_through_json_and_are_validated() {
        let GroundMetric::Matrix(m) = line_metric() else {
            unreachable!("line_metric is a matrix")
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<MetricMatrix>(&json).unwrap(), m);
        assert!(serde_json::from_str::<MetricMatrix>("[[0, 1], [2, 0]]").is_err());
    }
}
