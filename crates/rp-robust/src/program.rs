//! The variables of the robust min-slack program and the cutting-plane loop that solves it
//! (internal; both the closed form and the exchange method use them).
//!
//! Variables: `u[v][k]` per utility `v` and observation (`u[v][0]` fixed at 0: utilities are
//! defined up to a constant), `lambda[g][k]` per multiplier group, and the slack `t >= 0`.
//! Utilities and groups follow the welfare structure (rp-lp's [`Structure`]): `Separable` has a
//! utility per agent and one group, `PerAgent` a utility and a group per agent, `Joint` one
//! utility over all agents and one group.
//!
//! The loop: solve the program with the rows it has, ask a separation oracle for rows violated
//! at the solution, add them (warm where the backend can), repeat until none is violated or the
//! round cap is reached. Rows are never removed, so the objective never decreases.
//!
//! Also here: the scan that finds the most violated rows, the tie band of coefficients, and the
//! two ways to a dual (the backend's row duals, or the dual LP restricted to the rows generated,
//! for backends without duals).

use rp_lp::{LinearProgram, LpBackend, LpOutcome, LpSolution, Row, Sense, Structure, Tolerance};

use crate::error::RobustError;
use crate::problem::RowKey;

/// Variable indices of the program (module doc).
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub k: usize,
    pub structure: Structure,
    /// The agents of each utility.
    pub members: Vec<Vec<usize>>,
    pub groups: usize,
}

impl Layout {
    pub fn new(structure: Structure, agents: usize, k: usize) -> Self {
        let members = match structure {
            Structure::Joint => vec![(0..agents).collect()],
            Structure::Separable | Structure::PerAgent => (0..agents).map(|i| vec![i]).collect(),
        };
        Self {
            k,
            structure,
            members,
            groups: structure.multiplier_groups(agents),
        }
    }

    pub fn utilities(&self) -> usize {
        self.members.len()
    }

    pub fn group_of(&self, v: usize) -> usize {
        self.structure.group_of(v)
    }

    pub fn u(&self, v: usize, k: usize) -> usize {
        v * self.k + k
    }

    pub fn lambda(&self, g: usize, k: usize) -> usize {
        (self.utilities() + g) * self.k + k
    }

    pub fn t(&self) -> usize {
        (self.utilities() + self.groups) * self.k
    }

    /// The program with no row: `min t`, `u[v][0] = 0`, `lambda >= lambda_floor`, `t >= 0`.
    pub fn base_program(&self, lambda_floor: f64) -> LinearProgram {
        let n = self.t() + 1;
        let mut objective = vec![0.0; n];
        objective[self.t()] = 1.0;
        let mut lower = vec![f64::NEG_INFINITY; n];
        let mut upper = vec![f64::INFINITY; n];
        for v in 0..self.utilities() {
            (lower[self.u(v, 0)], upper[self.u(v, 0)]) = (0.0, 0.0);
        }
        for g in 0..self.groups {
            for k in 0..self.k {
                lower[self.lambda(g, k)] = lambda_floor;
            }
        }
        lower[self.t()] = 0.0;
        LinearProgram {
            objective,
            lower,
            upper,
            rows: Vec::new(),
        }
    }

    /// `u_j - u_k - coefficient lambda_k <= t` for utility `v`.
    pub fn row(&self, v: usize, k: usize, j: usize, coefficient: f64) -> Row {
        let mut terms = vec![(self.u(v, j), 1.0), (self.u(v, k), -1.0), (self.t(), -1.0)];
        if coefficient != 0.0 {
            terms.push((self.lambda(self.group_of(v), k), -coefficient));
        }
        Row::le(terms, 0.0)
    }

    /// Reads a solution vector.
    pub fn point(&self, x: &[f64]) -> Point {
        let read = |count: usize, var: &dyn Fn(usize, usize) -> usize| -> Vec<Vec<f64>> {
            (0..count)
                .map(|a| (0..self.k).map(|k| x[var(a, k)]).collect())
                .collect()
        };
        Point {
            u: read(self.utilities(), &|v, k| self.u(v, k)),
            lambda: read(self.groups, &|g, k| self.lambda(g, k)),
            t: x[self.t()].max(0.0),
        }
    }
}

/// A point `(u, lambda, t)` of the program.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Point {
    pub u: Vec<Vec<f64>>,
    pub lambda: Vec<Vec<f64>>,
    pub t: f64,
}

impl Point {
    /// `1 + max |u| + max lambda`: the scale of "zero" for the slack.
    pub fn magnitude(&self) -> f64 {
        let u = self.u.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let l = self.lambda.iter().flatten().fold(0.0f64, |m, v| m.max(*v));
        1.0 + u + l
    }
}

/// How a cutting-plane run ended.
pub(crate) enum Ending {
    /// No violated row at the last solution.
    Converged {
        solution: LpSolution,
        /// LP solves made.
        rounds: usize,
    },
    /// The round cap was reached with violated rows left.
    Capped,
}

/// Solves `program`, adding the rows `separate` returns at each solution, until it returns
/// none (module doc).
pub(crate) fn cutting_planes(
    backend: &dyn LpBackend,
    program: LinearProgram,
    max_rounds: usize,
    mut separate: impl FnMut(&[f64]) -> Result<Vec<Row>, RobustError>,
) -> Result<Ending, RobustError> {
    let mut session = backend.open(program)?;
    for round in 1..=max_rounds {
        let solution = match session.solve()? {
            LpOutcome::Optimal(s) => s,
            LpOutcome::Infeasible => return Err(unexpected("infeasible")),
            LpOutcome::Unbounded => return Err(unexpected("unbounded")),
        };
        let rows = separate(&solution.x)?;
        if rows.is_empty() {
            tracing::debug!(round, "robust cutting planes converged");
            return Ok(Ending::Converged {
                solution,
                rounds: round,
            });
        }
        session.add_rows(rows)?;
    }
    Ok(Ending::Capped)
}

fn unexpected(outcome: &'static str) -> RobustError {
    RobustError::Lp(rp_lp::LpError::Unexpected {
        what: "robust min-slack program",
        outcome,
    })
}

/// Keeps the `n` largest `(violation, index)` entries of `best`, largest first.
fn keep_largest(best: &mut Vec<(f64, usize)>, item: (f64, usize), n: usize) {
    let pos = best.iter().position(|b| b.0 < item.0).unwrap_or(best.len());
    if pos < n {
        best.insert(pos, item);
        best.truncate(n);
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

/// Clamps `lambda >= 1` against the solver's round-off.
pub(crate) fn floored(mut point: Point) -> Point {
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
