//! The closed form of the robust program for product balls (internal; the mathematics is in
//! [`crate::robust_gap`](fn@crate::robust_gap)): the §4 program with coefficients `D^v_kj / E_k` from the worst-case
//! table, solved by constraint generation like rp-lp's nominal gap (start from the rows violated
//! at `u = 0, lambda = 1, t = 0`, add the `per_observation` most violated rows of each (utility,
//! observation) per round, stop when none is violated).

use rp_lp::{Generation, LpBackend, LpSolution, Row};

use crate::error::RobustError;
use crate::problem::{Problem, RowKey, Solved};
use crate::program::{
    Ending, Point, cutting_planes, floored, mass_one_weights, restricted_dual, scan,
};

/// The coefficients of the program and the rows generated so far.
struct ClosedForm<'p, 'a> {
    p: &'p Problem<'a>,
    /// `D^v_kj / E_k` at `(v K + k) K + j`.
    coefficient: Vec<f64>,
    /// The scale of each row's tolerance, `sum_i (|low| + up) / E_k`.
    scale: Vec<f64>,
    present: Vec<bool>,
    keys: Vec<RowKey>,
    per: usize,
}

impl<'p, 'a> ClosedForm<'p, 'a> {
    fn new(p: &'p Problem<'a>, generation: Generation) -> Self {
        let (utilities, kk) = (p.layout.utilities(), p.layout.k);
        let mut coefficient = vec![0.0; utilities * kk * kk];
        let mut scale = vec![0.0; coefficient.len()];
        for v in 0..utilities {
            for k in 0..kk {
                let e = p.table.expenditure(k);
                for j in (0..kk).filter(|&j| j != k) {
                    let (d, s) = p.spread(v, k, j);
                    coefficient[(v * kk + k) * kk + j] = d / e;
                    scale[(v * kk + k) * kk + j] = s / e;
                }
            }
        }
        let present = vec![false; coefficient.len()];
        Self {
            p,
            coefficient,
            scale,
            present,
            keys: Vec::new(),
            per: generation.per_observation.max(1),
        }
    }

    fn at(&self, (v, k, j): RowKey) -> usize {
        (v * self.p.layout.k + k) * self.p.layout.k + j
    }

    /// The rows violated at `point` (not yet present), now marked present.
    fn separate(&mut self, point: &Point) -> Vec<Row> {
        let layout = &self.p.layout;
        let (batch, _) = scan(
            layout,
            self.per,
            point.t,
            &self.present,
            self.p.tol,
            |v, k, j| {
                let at = self.at((v, k, j));
                let lambda = point.lambda[layout.group_of(v)][k];
                let (uj, uk) = (point.u[v][j], point.u[v][k]);
                let excess = uj - uk - lambda * self.coefficient[at];
                (excess, 1.0 + uj.abs() + uk.abs() + lambda * self.scale[at])
            },
        );
        batch
            .into_iter()
            .map(|key| {
                let at = self.at(key);
                self.present[at] = true;
                self.keys.push(key);
                layout.row(key.0, key.1, key.2, self.coefficient[at])
            })
            .collect()
    }

    /// The dual weights: the backend's row duals, or the restricted dual LP.
    fn weights(&self, solution: &LpSolution) -> Result<Vec<f64>, RobustError> {
        match solution.duals.as_deref() {
            Some(duals) => Ok(mass_one_weights(duals)),
            None => {
                let rows: Vec<(RowKey, f64)> = self
                    .keys
                    .iter()
                    .map(|&key| (key, self.coefficient[self.at(key)]))
                    .collect();
                restricted_dual(&self.p.layout, &rows)
            }
        }
    }
}

/// A converged closed-form solve, before its certificate.
pub(crate) struct ClosedFormRun<'p, 'a> {
    state: ClosedForm<'p, 'a>,
    solution: LpSolution,
    point: Point,
    /// The honest slack (exactly 0 when zero up to tolerance).
    pub slack: f64,
    rounds: usize,
}

/// Solves the closed form of `p` (module doc).
pub(crate) fn closed_form<'p, 'a>(
    p: &'p Problem<'a>,
    backend: &dyn LpBackend,
    generation: Generation,
) -> Result<ClosedFormRun<'p, 'a>, RobustError> {
    let layout = &p.layout;
    let mut state = ClosedForm::new(p, generation);
    let trial = Point {
        u: vec![vec![0.0; layout.k]; layout.utilities()],
        lambda: vec![vec![1.0; layout.k]; layout.groups],
        t: 0.0,
    };
    let mut program = layout.base_program(1.0);
    program.rows = state.separate(&trial);
    let ending = cutting_planes(backend, program, generation.max_rounds, |x| {
        Ok(state.separate(&floored(layout.point(x))))
    })?;
    let Ending::Converged { solution, rounds } = ending else {
        return Err(rp_lp::LpError::NoConvergence {
            rounds: generation.max_rounds,
            rows: state.keys.len(),
        }
        .into());
    };
    let point = floored(layout.point(&solution.x));
    let slack = p.honest_slack(&point);
    Ok(ClosedFormRun {
        state,
        solution,
        point,
        slack,
        rounds,
    })
}

impl ClosedFormRun<'_, '_> {
    /// The solve with its dual as weights on worst-case scenarios (for the certificate).
    pub fn solved(self) -> Result<Solved, RobustError> {
        let weighted = match self.slack > 0.0 {
            true => {
                let weights = self.state.weights(&self.solution)?;
                self.state.p.weighted(&self.state.keys, &weights)?
            }
            false => Vec::new(),
        };
        Ok(Solved {
            point: self.point,
            slack: self.slack,
            rounds: self.rounds,
            rows: self.state.keys.len(),
            weighted,
            exchange: None,
        })
    }

    /// The dual objective `sum z` of the weights, a lower bound on the program's value (up to
    /// the LP's tolerance: floor multipliers `z` within the tolerance below 0 count as 0); 0
    /// when the weights are not dual feasible or the slack is 0.
    pub fn dual_value(&self) -> Result<f64, RobustError> {
        if self.slack == 0.0 {
            return Ok(0.0);
        }
        let state = &self.state;
        let layout = &state.p.layout;
        let weights = state.weights(&self.solution)?;
        let mut z = vec![0.0; layout.groups * layout.k];
        let mut size = vec![0.0; z.len()];
        for (&key, w) in state.keys.iter().zip(weights) {
            let c = state.coefficient[state.at(key)];
            let slot = layout.group_of(key.0) * layout.k + key.1;
            z[slot] -= w * c;
            size[slot] += w * c.abs();
        }
        let tol = state.p.tol.relative();
        if z.iter().zip(&size).any(|(z, s)| *z < -tol * (1.0 + s)) {
            return Ok(0.0);
        }
        Ok(z.iter().map(|v| v.max(0.0)).sum())
    }
}
