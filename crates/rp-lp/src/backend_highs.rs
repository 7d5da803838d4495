//! The HiGHS backend, only with the cargo feature `highs` (a C++ build: cmake and libclang,
//! about 20 minutes on 2 cores). Never part of the default build.
//!
//! NOT COMPILED so far: written against the documented API of the `highs` crate 2.4
//! (`RowProblem`, `add_column`, `add_row`, `optimise(..).solve()`, `get_solution()` with
//! `columns()` and `dual_rows()`); build it once with `--features highs` before relying on it.
//! Sessions re-solve from scratch (the crate exposes no warm re-solve after adding rows).

use highs::{HighsModelStatus, RowProblem, Sense as HighsSense};

use crate::backend::{LinearProgram, LpBackend, LpOutcome, LpSession, LpSolution, Row, Sense};
use crate::error::LpError;

/// HiGHS through the `highs` crate: simplex or interior point chosen by HiGHS, with row duals.
#[derive(Clone, Copy, Debug, Default)]
pub struct Highs;

impl LpBackend for Highs {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn has_duals(&self) -> bool {
        true
    }

    fn open(&self, lp: LinearProgram) -> Result<Box<dyn LpSession>, LpError> {
        lp.validate()?;
        Ok(Box::new(HighsSession { lp }))
    }
}

struct HighsSession {
    lp: LinearProgram,
}

impl LpSession for HighsSession {
    fn solve(&mut self) -> Result<LpOutcome, LpError> {
        let lp = &self.lp;
        let mut problem = RowProblem::default();
        let cols: Vec<_> = (0..lp.num_vars())
            .map(|v| problem.add_column(lp.objective[v], lp.lower[v]..=lp.upper[v]))
            .collect();
        for row in &lp.rows {
            let terms: Vec<_> = row.terms.iter().map(|&(v, a)| (cols[v], a)).collect();
            match row.sense {
                Sense::Le => problem.add_row(..=row.rhs, &terms),
                Sense::Ge => problem.add_row(row.rhs.., &terms),
                Sense::Eq => problem.add_row(row.rhs..=row.rhs, &terms),
            }
        }
        let solved = problem.optimise(HighsSense::Minimise).solve();
        match solved.status() {
            HighsModelStatus::Optimal => {}
            HighsModelStatus::Infeasible => return Ok(LpOutcome::Infeasible),
            HighsModelStatus::Unbounded => return Ok(LpOutcome::Unbounded),
            other => {
                return Err(LpError::Backend {
                    backend: "highs",
                    message: format!("status {other:?}"),
                });
            }
        }
        let solution = solved.get_solution();
        let x = solution.columns().to_vec();
        let objective = lp.objective.iter().zip(&x).map(|(c, v)| c * v).sum();
        let duals = solution.dual_rows().to_vec();
        Ok(LpOutcome::Optimal(LpSolution {
            x,
            objective,
            duals: Some(duals),
        }))
    }

    fn add_rows(&mut self, rows: Vec<Row>) -> Result<(), LpError> {
        self.lp.append(rows)
    }

    fn program(&self) -> &LinearProgram {
        &self.lp
    }
}
