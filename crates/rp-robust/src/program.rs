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

use rp_lp::{LinearProgram, LpBackend, LpOutcome, LpSolution, Row, Structure};

use crate::error::RobustError;

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
pub(crate) fn keep_largest(best: &mut Vec<(f64, usize)>, item: (f64, usize), n: usize) {
    let pos = best.iter().position(|b| b.0 < item.0).unwrap_or(best.len());
    if pos < n {
        best.insert(pos, item);
        best.truncate(n);
    }
}
