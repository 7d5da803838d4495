//! A small linear-programming backend trait and its implementations.
//!
//! What it is for: every LP of the crate (the tests of THEORY §3, the gaps of §4, the verifier's
//! small LPs are *not* among them: the verifier calls microlp directly on purpose) is stated in
//! one plain form, [`LinearProgram`] — minimize `c . x` subject to sparse rows with `<=`, `=` or
//! `>=` and variable bounds — and solved through [`LpBackend`]. Constraint generation adds rows
//! to a program and solves again, so a backend opens an [`LpSession`] that keeps whatever it can
//! reuse between solves (microlp keeps its basis and re-solves by dual simplex).
//!
//! Implementations: [`Microlp`] (exact vertex solutions, warm re-solves, no duals; it also solves
//! the exact duals of the cycle-cut masters), [`Clarabel`] (interior point with tightened
//! tolerances: duals, central solutions, no warm start; the default master solver, see
//! [`Backend`]) and, behind the cargo feature `highs`, `Highs`. What it is not: a modelling layer. Callers index variables
//! by `usize` and build rows themselves.
//!
//! Sign convention of duals: for the minimization above, `duals[r]` is the multiplier `y_r` of
//! row `r` with `c = sum_r y_r a_r + (bound multipliers)`, so `y_r <= 0` on `<=` rows, `y_r >= 0`
//! on `>=` rows and free on `=` rows (the rate of change of the optimum in the row's right-hand
//! side). Backends that compute duals in floating point clamp tiny wrong-signed values to 0.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::LpError;

/// The comparison of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sense {
    /// `a . x <= rhs`.
    Le,
    /// `a . x = rhs`.
    Eq,
    /// `a . x >= rhs`.
    Ge,
}

/// One sparse row `sum terms (var, coef) <sense> rhs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// `(variable index, coefficient)`, each variable at most once.
    pub terms: Vec<(usize, f64)>,
    /// The comparison.
    pub sense: Sense,
    /// Right-hand side (finite).
    pub rhs: f64,
}

impl Row {
    /// A row `terms <= rhs`.
    pub fn le(terms: Vec<(usize, f64)>, rhs: f64) -> Self {
        Self {
            terms,
            sense: Sense::Le,
            rhs,
        }
    }

    /// `a . x` at `x`.
    pub fn activity(&self, x: &[f64]) -> f64 {
        self.terms.iter().map(|&(v, a)| a * x[v]).sum()
    }
}

/// `minimize objective . x` subject to `rows` and `lower <= x <= upper` (bounds may be
/// infinite; `lower = upper` fixes a variable).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinearProgram {
    /// Objective coefficients, one per variable.
    pub objective: Vec<f64>,
    /// Lower bounds (`-inf` for none).
    pub lower: Vec<f64>,
    /// Upper bounds (`+inf` for none).
    pub upper: Vec<f64>,
    /// The rows.
    pub rows: Vec<Row>,
}

impl LinearProgram {
    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.objective.len()
    }

    /// Errors unless the program is well formed: equal lengths, finite coefficients and
    /// right-hand sides, `lower <= upper` with no `+inf` lower or `-inf` upper bound, every row
    /// naming each of its variables once and only variables of the program.
    pub fn validate(&self) -> Result<(), LpError> {
        let n = self.num_vars();
        if self.lower.len() != n || self.upper.len() != n {
            return Err(LpError::InvalidProgram(format!(
                "{n} objective coefficients but {} lower and {} upper bounds",
                self.lower.len(),
                self.upper.len()
            )));
        }
        if let Some(v) = self.objective.iter().position(|c| !c.is_finite()) {
            return Err(LpError::InvalidProgram(format!(
                "objective coefficient of variable {v} is not finite"
            )));
        }
        for (v, (&l, &u)) in self.lower.iter().zip(&self.upper).enumerate() {
            if l.is_nan() || u.is_nan() || l > u || l == f64::INFINITY || u == -f64::INFINITY {
                return Err(LpError::InvalidProgram(format!(
                    "variable {v} has bounds [{l}, {u}]"
                )));
            }
        }
        self.rows
            .iter()
            .enumerate()
            .try_for_each(|(r, row)| validate_row(r, row, n))
    }
}

impl LinearProgram {
    /// Validates `rows` against this program and appends them.
    pub fn append(&mut self, rows: Vec<Row>) -> Result<(), LpError> {
        let first = self.rows.len();
        for (r, row) in rows.iter().enumerate() {
            validate_row(first + r, row, self.num_vars())?;
        }
        self.rows.extend(rows);
        Ok(())
    }
}

/// Errors unless row `r` is well formed for a program of `n` variables.
pub(crate) fn validate_row(r: usize, row: &Row, n: usize) -> Result<(), LpError> {
    if !row.rhs.is_finite() {
        return Err(LpError::InvalidProgram(format!(
            "row {r} has right-hand side {}",
            row.rhs
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(row.terms.len());
    for &(v, a) in &row.terms {
        if v >= n || !a.is_finite() || !seen.insert(v) {
            return Err(LpError::InvalidProgram(format!(
                "row {r}: term ({v}, {a}) is out of range, not finite or repeated"
            )));
        }
    }
    Ok(())
}

/// An optimal solution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LpSolution {
    /// Variable values.
    pub x: Vec<f64>,
    /// `objective . x`.
    pub objective: f64,
    /// Row duals (sign convention in the module doc), if the backend computes them.
    pub duals: Option<Vec<f64>>,
}

/// What a solve found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LpOutcome {
    /// An optimal solution.
    Optimal(LpSolution),
    /// No point satisfies the rows and bounds.
    Infeasible,
    /// The objective decreases without bound.
    Unbounded,
}

/// A linear program being solved, possibly several times as rows are added.
pub trait LpSession {
    /// Solves the program as it stands (warm from the previous solve where the backend can).
    fn solve(&mut self) -> Result<LpOutcome, LpError>;
    /// Adds rows; they take effect at the next [`LpSession::solve`].
    fn add_rows(&mut self, rows: Vec<Row>) -> Result<(), LpError>;
    /// The program with every row added so far.
    fn program(&self) -> &LinearProgram;
}

/// A linear-programming solver.
pub trait LpBackend: Send + Sync + fmt::Debug {
    /// Short name, used in messages and logs.
    fn name(&self) -> &'static str;
    /// Whether optimal solutions carry duals.
    fn has_duals(&self) -> bool;
    /// Validates `lp` and opens a session on it.
    fn open(&self, lp: LinearProgram) -> Result<Box<dyn LpSession>, LpError>;
    /// Solves `lp` once.
    fn solve(&self, lp: LinearProgram) -> Result<LpOutcome, LpError> {
        self.open(lp)?.solve()
    }
}

/// The backends a caller can choose (serializable, for options and the CLI): the solver of the
/// gap's *master* program (the cycle-cut master, or the restricted row program with
/// [`crate::GapMethod::RowGeneration`]).
///
/// With cycle cuts (the default method) the answer's exactness does not rest on this choice:
/// the primal point comes from Howard's potentials, the dual from microlp's exact vertex of the
/// master's dual. Whatever the method, every answer goes through the verifier.
///
/// The default is [`Clarabel`], not microlp, because the cycle-cut master is highly degenerate
/// (its optimal face is large: at `K = 240`, `M = 4` the value is pinned by 28 of 1088 cuts
/// while most `lambda_k` stay free). A simplex returns a vertex of that face, an extreme
/// `lambda` at which pricing finds cycles that are far from the optimum, so Kelley's method
/// zig-zags; an interior point returns a central point, which prices much better. And microlp
/// re-factorizes its whole basis for every added row, so each cut costs more as the master
/// grows. Measured (one Separable gap, `M = 4`, `N = 12`, strategies of Cobb–Douglas optima
/// perturbed by ±10%, fastest of two runs on a shared machine): microlp is faster on small or
/// easy masters (`K = 30`: 0.1 vs 0.9 ms; an easy `K = 240`: 20 vs 31 ms) and far slower on
/// hard ones (`K = 240`, two seeds: 2.5 s and 1763 cuts vs 0.36 s and 534 cuts; 22.4 s and 3894
/// cuts vs 2.6 s and 1088 cuts; with ±20% noise one seed ran over 100 s vs 3.7 s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// [`Microlp`] at its tightest feasibility tolerance (`1e-10`, below the crate's `1e-9`,
    /// so a solution never looks like a positive gap by the solver's own slack): exact vertices,
    /// warm re-solves; best for small masters (see the enum doc).
    Microlp,
    /// [`Clarabel`], the default: central solutions (see the enum doc).
    #[default]
    Clarabel,
    /// HiGHS, only with the cargo feature `highs`.
    Highs,
}

impl Backend {
    /// The solver behind this choice; [`LpError::Unavailable`] for `Highs` without the feature.
    pub fn solver(self) -> Result<Box<dyn LpBackend>, LpError> {
        match self {
            Self::Microlp => Ok(Box::new(Microlp::precise())),
            Self::Clarabel => Ok(Box::new(Clarabel)),
            #[cfg(feature = "highs")]
            Self::Highs => Ok(Box::new(crate::backend_highs::Highs)),
            #[cfg(not(feature = "highs"))]
            Self::Highs => Err(LpError::Unavailable("highs")),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = LpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "microlp" => Ok(Self::Microlp),
            "clarabel" => Ok(Self::Clarabel),
            "highs" => Ok(Self::Highs),
            other => Err(LpError::InvalidOption(format!(
                "unknown LP backend {other:?} (expected microlp, clarabel or highs)"
            ))),
        }
    }
}

/// microlp 0.7: simplex with vertex solutions; rows added to a solved session are added to the
/// solver's state one by one ([`microlp::Solution::add_constraint`]) and re-solved warm by dual
/// simplex. No duals.
///
/// `feasibility` is microlp's absolute feasibility tolerance (its default `1e-7`; at least
/// `1e-10`). Certificates that are checked with the crate's `1e-9` tolerance (the dual LP of
/// [`crate::generation`]) are solved with `1e-10`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Microlp {
    /// Absolute feasibility tolerance handed to microlp.
    pub feasibility: f64,
}

impl Default for Microlp {
    fn default() -> Self {
        Self { feasibility: 1e-7 }
    }
}

impl Microlp {
    /// The tightest tolerance microlp accepts (`1e-10`), for certificates.
    pub fn precise() -> Self {
        Self { feasibility: 1e-10 }
    }
}

impl LpBackend for Microlp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn has_duals(&self) -> bool {
        false
    }

    fn open(&self, lp: LinearProgram) -> Result<Box<dyn LpSession>, LpError> {
        lp.validate()?;
        if !(self.feasibility.is_finite() && self.feasibility >= 1e-10) {
            return Err(LpError::InvalidOption(format!(
                "microlp feasibility tolerance {} must be finite and at least 1e-10",
                self.feasibility
            )));
        }
        Ok(Box::new(MicrolpSession {
            feasibility: self.feasibility,
            lp,
            solved_rows: 0,
            state: None,
            vars: Vec::new(),
        }))
    }
}

struct MicrolpSession {
    feasibility: f64,
    lp: LinearProgram,
    /// Rows of `lp` that `state` already contains.
    solved_rows: usize,
    /// The last optimal solution (the solver state to continue from).
    state: Option<microlp::Solution>,
    /// microlp's handles of the variables, by index (set by the first solve).
    vars: Vec<microlp::Variable>,
}

impl MicrolpSession {
    fn cold_solve(&mut self) -> Result<microlp::SolveOutcome, microlp::Error> {
        let mut problem = microlp::Problem::new(microlp::OptimizationDirection::Minimize);
        let lp = &self.lp;
        self.vars = (0..lp.num_vars())
            .map(|v| problem.add_var(lp.objective[v], (lp.lower[v], lp.upper[v])))
            .collect();
        for row in &lp.rows {
            problem.add_constraint(self.terms(row).as_slice(), microlp_op(row.sense), row.rhs);
        }
        let mut options = microlp::SolveOptions::default();
        options.tolerances.feasibility = self.feasibility;
        problem.solve_with(options)
    }

    fn terms(&self, row: &Row) -> Vec<(microlp::Variable, f64)> {
        row.terms.iter().map(|&(v, a)| (self.vars[v], a)).collect()
    }

    fn warm_solve(
        &self,
        mut solution: microlp::Solution,
    ) -> Result<microlp::SolveOutcome, microlp::Error> {
        for row in &self.lp.rows[self.solved_rows..] {
            let terms = self.terms(row);
            match solution.add_constraint(terms.as_slice(), microlp_op(row.sense), row.rhs)? {
                microlp::SolveOutcome::Solution(s) => solution = s,
                interrupted => return Ok(interrupted),
            }
        }
        Ok(microlp::SolveOutcome::Solution(solution))
    }
}

fn microlp_op(sense: Sense) -> microlp::ComparisonOp {
    match sense {
        Sense::Le => microlp::ComparisonOp::Le,
        Sense::Eq => microlp::ComparisonOp::Eq,
        Sense::Ge => microlp::ComparisonOp::Ge,
    }
}

impl LpSession for MicrolpSession {
    fn solve(&mut self) -> Result<LpOutcome, LpError> {
        let outcome = match self.state.take() {
            Some(previous) => self.warm_solve(previous),
            None => self.cold_solve(),
        };
        self.solved_rows = self.lp.rows.len();
        let solution = match outcome {
            Ok(microlp::SolveOutcome::Solution(s)) => s,
            Ok(microlp::SolveOutcome::Interrupted(_)) => {
                return Err(backend_error("microlp", "interrupted without a solution"));
            }
            Err(microlp::Error::Infeasible) => return Ok(LpOutcome::Infeasible),
            Err(microlp::Error::Unbounded) => return Ok(LpOutcome::Unbounded),
            Err(e) => return Err(backend_error("microlp", e.to_string())),
        };
        let x: Vec<f64> = solution.iter().map(|(_, value)| value).collect();
        let objective = solution.objective();
        self.state = Some(solution);
        Ok(LpOutcome::Optimal(LpSolution {
            x,
            objective,
            duals: None,
        }))
    }

    fn add_rows(&mut self, rows: Vec<Row>) -> Result<(), LpError> {
        self.lp.append(rows)
    }

    fn program(&self) -> &LinearProgram {
        &self.lp
    }
}

fn backend_error(backend: &'static str, message: impl Into<String>) -> LpError {
    LpError::Backend {
        backend,
        message: message.into(),
    }
}

/// clarabel 0.11: interior point, pure Rust, with duals. Every solve starts from scratch (an
/// interior-point method has no useful warm start), so a session re-solves the whole restricted
/// program. Tolerances are tightened from clarabel's defaults (gap and feasibility `1e-10`)
/// because its default `Solved` can be off by `1e-6` near the boundary; callers verify anyway.
#[derive(Clone, Copy, Debug, Default)]
pub struct Clarabel;

impl LpBackend for Clarabel {
    fn name(&self) -> &'static str {
        "clarabel"
    }

    fn has_duals(&self) -> bool {
        true
    }

    fn open(&self, lp: LinearProgram) -> Result<Box<dyn LpSession>, LpError> {
        lp.validate()?;
        Ok(Box::new(ClarabelSession { lp }))
    }
}

struct ClarabelSession {
    lp: LinearProgram,
}

/// One row of clarabel's `A x + s = b`, `s` in a cone, and where it came from.
enum ConeRow {
    /// Row `r` of the program, with its sign in `A` (`-1` for `>=` rows).
    Program(usize, f64),
    /// A bound of variable `v`: `x_v = value`, `-x_v <= -lower` or `x_v <= upper`.
    Bound(usize, f64, f64),
}

impl ClarabelSession {
    /// Zero-cone rows first (equalities, fixed variables), then nonnegative-cone rows.
    fn cone_rows(&self) -> (Vec<ConeRow>, usize) {
        let lp = &self.lp;
        let mut zero = Vec::new();
        let mut nonneg = Vec::new();
        for (r, row) in lp.rows.iter().enumerate() {
            match row.sense {
                Sense::Eq => zero.push(ConeRow::Program(r, 1.0)),
                Sense::Le => nonneg.push(ConeRow::Program(r, 1.0)),
                Sense::Ge => nonneg.push(ConeRow::Program(r, -1.0)),
            }
        }
        for v in 0..lp.num_vars() {
            let (l, u) = (lp.lower[v], lp.upper[v]);
            if l == u {
                zero.push(ConeRow::Bound(v, 1.0, l));
                continue;
            }
            if l.is_finite() {
                nonneg.push(ConeRow::Bound(v, -1.0, -l));
            }
            if u.is_finite() {
                nonneg.push(ConeRow::Bound(v, 1.0, u));
            }
        }
        let n_zero = zero.len();
        zero.extend(nonneg);
        (zero, n_zero)
    }

    fn run(&self) -> Result<(clarabel::solver::DefaultSolution<f64>, Vec<ConeRow>), LpError> {
        use clarabel::algebra::CscMatrix;
        use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
        let lp = &self.lp;
        let n = lp.num_vars();
        let (rows, n_zero) = self.cone_rows();
        let (mut ii, mut jj, mut vv, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, cr) in rows.iter().enumerate() {
            match *cr {
                ConeRow::Program(r, sign) => {
                    for &(v, a) in &lp.rows[r].terms {
                        ii.push(i);
                        jj.push(v);
                        vv.push(sign * a);
                    }
                    b.push(sign * lp.rows[r].rhs);
                }
                ConeRow::Bound(v, sign, rhs) => {
                    ii.push(i);
                    jj.push(v);
                    vv.push(sign);
                    b.push(rhs);
                }
            }
        }
        let a = CscMatrix::new_from_triplets(rows.len(), n, ii, jj, vv);
        let p = CscMatrix::zeros((n, n));
        let mut cones = Vec::new();
        if n_zero > 0 {
            cones.push(SupportedConeT::ZeroConeT(n_zero));
        }
        if rows.len() > n_zero {
            cones.push(SupportedConeT::NonnegativeConeT(rows.len() - n_zero));
        }
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .max_iter(500)
            .max_threads(1)
            .tol_gap_abs(1e-10)
            .tol_gap_rel(1e-10)
            .tol_feas(1e-10)
            .tol_ktratio(1e-8)
            .build()
            .map_err(|e| backend_error("clarabel", e.to_string()))?;
        let mut solver = DefaultSolver::new(&p, &lp.objective, &a, &b, &cones, settings)
            .map_err(|e| backend_error("clarabel", e.to_string()))?;
        solver.solve();
        Ok((solver.solution, rows))
    }
}

impl LpSession for ClarabelSession {
    fn solve(&mut self) -> Result<LpOutcome, LpError> {
        use clarabel::solver::SolverStatus as S;
        let (solution, rows) = self.run()?;
        match solution.status {
            S::Solved | S::AlmostSolved => {}
            S::PrimalInfeasible | S::AlmostPrimalInfeasible => return Ok(LpOutcome::Infeasible),
            S::DualInfeasible | S::AlmostDualInfeasible => return Ok(LpOutcome::Unbounded),
            other => return Err(backend_error("clarabel", format!("status {other:?}"))),
        }
        if solution.status == S::AlmostSolved {
            tracing::warn!("clarabel reached only reduced accuracy; the answer will be verified");
        }
        let lp = &self.lp;
        let mut duals = vec![0.0; lp.rows.len()];
        for (cr, &z) in rows.iter().zip(&solution.z) {
            if let ConeRow::Program(r, sign) = *cr {
                // c = -A^T z in clarabel's form; the row's own dual is y_r = -sign * z.
                duals[r] = clamp_dual(lp.rows[r].sense, -sign * z);
            }
        }
        let x: Vec<f64> = (0..lp.num_vars())
            .map(|v| solution.x[v].clamp(lp.lower[v], lp.upper[v]))
            .collect();
        let objective = lp.objective.iter().zip(&x).map(|(c, v)| c * v).sum();
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

/// Interior-point duals carry round-off of the wrong sign (`-1.7e-11` for a zero): clamp it.
fn clamp_dual(sense: Sense, y: f64) -> f64 {
    match sense {
        Sense::Le => y.min(0.0),
        Sense::Ge => y.max(0.0),
        Sense::Eq => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// min -x - 2y s.t. x + y <= 4, x - y >= -2, 0 <= x, y <= 3.
    /// Vertices: optimum at y = 3, x = 1 (x + y = 4 binding): objective -1 - 6 = -7.
    /// Duals: at (1, 3) the rows x + y <= 4 and the bound y <= 3 bind (x - y = -2 also binds:
    /// degenerate); c = (-1, -2) = y1 (1, 1) + y2 (1, -1) + mu (0, 1). One dual solution is
    /// y1 = -1, y2 = 0, mu = -1.
    fn small() -> LinearProgram {
        LinearProgram {
            objective: vec![-1.0, -2.0],
            lower: vec![0.0, 0.0],
            upper: vec![3.0, 3.0],
            rows: vec![
                Row::le(vec![(0, 1.0), (1, 1.0)], 4.0),
                Row {
                    terms: vec![(0, 1.0), (1, -1.0)],
                    sense: Sense::Ge,
                    rhs: -2.0,
                },
            ],
        }
    }

    fn optimal(outcome: LpOutcome) -> LpSolution {
        match outcome {
            LpOutcome::Optimal(s) => s,
            other => panic!("expected an optimum, got {other:?}"),
        }
    }

    #[test]
    fn both_backends_solve_a_known_lp() {
        for backend in [Backend::Microlp, Backend::Clarabel] {
            let s = optimal(backend.solver().unwrap().solve(small()).unwrap());
            assert!((s.objective + 7.0).abs() < 1e-7, "{backend:?}: {s:?}");
            assert!((s.x[0] - 1.0).abs() < 1e-6 && (s.x[1] - 3.0).abs() < 1e-6);
        }
        let duals = optimal(Clarabel.solve(small()).unwrap()).duals.unwrap();
        assert!(duals[0] <= 0.0 && duals[1] >= 0.0, "{duals:?}");
    }

    #[test]
    fn adding_rows_resolves_warm_and_detects_infeasibility() {
        for backend in [Backend::Microlp, Backend::Clarabel] {
            let mut session = backend.solver().unwrap().open(small()).unwrap();
            optimal(session.solve().unwrap());
            // y <= 2 moves the optimum to x = 2, y = 2: objective -2 - 4 = -6.
            session
                .add_rows(vec![Row::le(vec![(1, 1.0)], 2.0)])
                .unwrap();
            let s = optimal(session.solve().unwrap());
            assert!((s.objective + 6.0).abs() < 1e-7, "{backend:?}: {s:?}");
            // x + y >= 5 contradicts x + y <= 4.
            session
                .add_rows(vec![Row {
                    terms: vec![(0, 1.0), (1, 1.0)],
                    sense: Sense::Ge,
                    rhs: 5.0,
                }])
                .unwrap();
            assert_eq!(
                session.solve().unwrap(),
                LpOutcome::Infeasible,
                "{backend:?}"
            );
        }
    }

    #[test]
    fn rejects_malformed_programs() {
        let mut lp = small();
        lp.rows.push(Row::le(vec![(0, 1.0), (0, 2.0)], 1.0));
        assert!(matches!(
            Microlp::default().open(lp),
            Err(LpError::InvalidProgram(_))
        ));
        let mut lp = small();
        lp.rows.push(Row::le(vec![(5, 1.0)], 1.0));
        assert!(matches!(Clarabel.open(lp), Err(LpError::InvalidProgram(_))));
        let mut lp = small();
        lp.lower[0] = 4.0;
        assert!(lp.validate().is_err());
        assert!("gurobi".parse::<Backend>().is_err());
    }

    #[test]
    fn unbounded_is_reported() {
        let lp = LinearProgram {
            objective: vec![-1.0],
            lower: vec![0.0],
            upper: vec![f64::INFINITY],
            rows: vec![],
        };
        for backend in [Backend::Microlp, Backend::Clarabel] {
            assert_eq!(
                backend.solver().unwrap().solve(lp.clone()).unwrap(),
                LpOutcome::Unbounded,
                "{backend:?}"
            );
        }
    }
}
