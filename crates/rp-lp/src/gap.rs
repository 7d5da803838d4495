//! The Pareto gaps of THEORY §4: the additive gap `L` and the efficiency gap `L_e`.
//!
//! Both are computed on normalized data (`ObservationSet::normalized`, `e_k = 1`) and need
//! `K >= 2` observations ([`crate::DataError::TooFew`] otherwise).
//!
//! - `L` is the optimum of the min-slack program with the floor `lambda >= 1`
//!   ([`crate::generation`]), solved by cycle cuts (or row generation, the reference). It is
//!   *attained*: the certificate holds a point `(u, lambda, t = L)` satisfying every row and a
//!   dual with objective `L`. `L = 0` exactly when the test of §3 is feasible (zero is decided with the one
//!   tolerance, relative to the magnitude of the solution).
//! - `L_e` is an *infimum*: the smallest budget shrink `r` at which the relaxed test is feasible.
//!   For `Joint` it is `1 - CCEI` of the joint data; for `PerAgent` the agents' systems are
//!   independent apart from the common `r`, agent `i`'s is feasible exactly when `1 - r` is
//!   below its CCEI (Afriat at efficiency `1 - r`), so `L_e = 1 - min_i CCEI_i`; for
//!   `Separable` with one agent it is `1 - CCEI` too. For `Separable` with `M >= 2` there is no
//!   graph characterization: the system is linear for fixed `r`, and feasibility is monotone
//!   in `r` (each right-hand side `lambda_k (alpha^i_k . beta^i_j - (1 - r) e^i_k)` grows with
//!   `r` since `lambda_k > 0` and `e^i_k >= 0`, so a point feasible at `r` is feasible at any
//!   larger `r`). So `r` is found by bisection on LP feasibility between a lower bound (the
//!   `Separable` system implies the `PerAgent` and the `Joint` ones, so their exact values bound
//!   it below) and 1 (always feasible: `u = 0`). A probe is feasible when its min-slack value
//!   is zero up to the one tolerance. The bisection stops when the bracket is at most
//!   `efficiency_accuracy` wide (default `1e-6`; below about `1e-7` the LP's coefficients
//!   `alpha . beta - (1 - r) e` near ties span more than the simplex codes' safe range); the
//!   reported value is the *upper* end (the data provably pass at efficiency `1 - value`), the
//!   lower end is reported beside it (the data
//!   provably fail there, by a Farkas ray, or it is the exact graph bound).
//!
//! Ties: data violating GARP only through ties have `L > 0` but `L_e = 0`; both are reported
//! as computed, never rounded into each other.

use serde::{Deserialize, Serialize};

use crate::backend::{Backend, LpBackend};
use crate::bridge;
use crate::certificate::{EfficiencyCertificate, GapCertificate, Rationalization, ViolatingCycle};
use crate::cycle_cuts::CycleCut;
use crate::data::ObservationSet;
use crate::error::LpError;
use crate::generation::Generation;
use crate::solve::StructureProgram;
use crate::structure::Structure;
use crate::tolerance::Tolerance;
use crate::verify::{VerificationReport, verify_efficiency, verify_gap};

/// Which gap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    /// The additive gap `L` (the designer's loss).
    #[default]
    Additive,
    /// The efficiency gap `L_e`.
    Efficiency,
}

/// Options of [`pareto_gap`] and of the test.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GapOptions {
    /// Welfare structure (default `Separable`).
    pub structure: Structure,
    /// Additive or efficiency gap (default additive).
    pub kind: GapKind,
    /// LP backend (default clarabel, see [`Backend`]).
    pub backend: Backend,
    /// The one tolerance (default `1e-9`).
    pub tolerance: Tolerance,
    /// Width of the final bracket of the `Separable` efficiency-gap bisection (default `1e-6`).
    pub efficiency_accuracy: f64,
    /// Constraint-generation knobs.
    pub generation: Generation,
}

impl Default for GapOptions {
    fn default() -> Self {
        Self {
            structure: Structure::Separable,
            kind: GapKind::Additive,
            backend: Backend::default(),
            tolerance: Tolerance::default(),
            efficiency_accuracy: 1e-6,
            generation: Generation::default(),
        }
    }
}

impl GapOptions {
    fn check(&self) -> Result<(), LpError> {
        let a = self.efficiency_accuracy;
        if !(a.is_finite() && (1e-12..=1e-1).contains(&a)) {
            return Err(LpError::InvalidOption(format!(
                "efficiency_accuracy {a} must lie in [1e-12, 0.1]"
            )));
        }
        if self.generation.max_rounds == 0 {
            return Err(LpError::InvalidOption(
                "generation.max_rounds must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// The additive gap `L` with its certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdditiveGap {
    /// `L >= 0` (exactly 0 when the test is feasible).
    pub value: f64,
    /// The dual objective (equal to `value` up to the tolerance; 0 when `value = 0`).
    pub lower_bound: f64,
    /// Primal point and dual.
    pub certificate: GapCertificate,
    /// Constraints generated: cycle cuts of the master ([`crate::GapMethod::CycleCuts`]) or rows
    /// of the `M K (K - 1)` ([`crate::GapMethod::RowGeneration`]).
    pub rows: usize,
}

/// The efficiency gap `L_e` with its bracket and certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EfficiencyGap {
    /// The reported value: exact for `Joint`, `PerAgent` and one agent; otherwise the upper end
    /// of the bracket.
    pub value: f64,
    /// The data provably fail the relaxed test below this shrink (or it is an exact bound).
    pub lower: f64,
    /// The data provably pass at this shrink.
    pub upper: f64,
    /// Whether `value` is exact (from CCEI) rather than a bisection bracket end.
    pub exact: bool,
    /// Rationalization at `upper`, Farkas ray at `lower`, GARP cycles where available.
    pub certificate: EfficiencyCertificate,
}

/// The certificate of either gap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ParetoCertificate {
    /// Of the additive gap.
    Additive(GapCertificate),
    /// Of the efficiency gap.
    Efficiency(EfficiencyCertificate),
}

/// A Pareto gap, its certificate and the verifier's answer: what the designer and the CLI use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParetoGap {
    /// The structure tested.
    pub structure: Structure,
    /// Which gap.
    pub kind: GapKind,
    /// The gap.
    pub value: f64,
    /// A certified lower bound (the dual objective, or the bracket's lower end).
    pub lower_bound: f64,
    /// The certificate.
    pub certificate: ParetoCertificate,
    /// The independent verifier's report on the certificate.
    pub verification: VerificationReport,
}

/// Cycles that defined an earlier gap's program: a warm start for the next gap on similar data.
///
/// The designer computes gaps on the same probes with slightly different strategies (both sides
/// of a perturbation, then the next iterate): the cycles that were cuts of one program
/// ([`CycleCut`], module doc of [`crate::generation`]) are good first cuts of the next. A hint
/// only seeds the master program: every cycle is re-evaluated on the new data and the answer
/// is certified as without it, so a hint changes no gap beyond the solver tolerance (a
/// different but equally optimal point can be returned when the optimum is not unique), and
/// the same data with the same hint give the same answer. Cycles that do not fit the data (an
/// observation out of range, an unknown utility, not a simple cycle) are ignored. Hints are used
/// by the cycle-cut method only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapHint {
    /// Cycles, each of one utility (the agent for `Separable` and `PerAgent`, 0 for `Joint`).
    pub cycles: Vec<CycleCut>,
}

impl GapHint {
    /// True when the hint holds no cycle (a cold start).
    pub fn is_empty(&self) -> bool {
        self.cycles.is_empty()
    }
}

/// Computes the gap `opts.kind` of `obs` for `opts.structure`, and verifies its certificate.
pub fn pareto_gap(obs: &ObservationSet, opts: &GapOptions) -> Result<ParetoGap, LpError> {
    pareto_gap_with_hint(obs, opts, &GapHint::default()).map(|(gap, _)| gap)
}

/// [`pareto_gap`] started from the cycles of `hint`; also returns the hint for the next call
/// (the cycles of this call's final program that are within twice the gap of binding). See
/// [`GapHint`] for what a hint may change.
pub fn pareto_gap_with_hint(
    obs: &ObservationSet,
    opts: &GapOptions,
    hint: &GapHint,
) -> Result<(ParetoGap, GapHint), LpError> {
    let backend = opts.backend.solver()?;
    match opts.kind {
        GapKind::Additive => {
            let (g, next) = additive_gap_with(obs, opts, backend.as_ref(), hint)?;
            let verification = verify_gap(obs, &g.certificate, g.value, opts.tolerance);
            let gap = ParetoGap {
                structure: opts.structure,
                kind: opts.kind,
                value: g.value,
                lower_bound: g.lower_bound,
                certificate: ParetoCertificate::Additive(g.certificate),
                verification,
            };
            Ok((gap, next))
        }
        GapKind::Efficiency => {
            let (g, next) = efficiency_gap_with(obs, opts, backend.as_ref(), hint)?;
            let verification =
                verify_efficiency(obs, &g.certificate, g.lower, g.upper, opts.tolerance);
            let gap = ParetoGap {
                structure: opts.structure,
                kind: opts.kind,
                value: g.value,
                lower_bound: g.lower,
                certificate: ParetoCertificate::Efficiency(g.certificate),
                verification,
            };
            Ok((gap, next))
        }
    }
}

/// The additive gap `L` (THEORY §4) for `opts.structure` (not verified: see [`pareto_gap`]).
pub fn additive_gap(obs: &ObservationSet, opts: &GapOptions) -> Result<AdditiveGap, LpError> {
    let backend = opts.backend.solver()?;
    additive_gap_with(obs, opts, backend.as_ref(), &GapHint::default()).map(|(gap, _)| gap)
}

fn prepare(
    obs: &ObservationSet,
    opts: &GapOptions,
    hint: &GapHint,
) -> Result<StructureProgram, LpError> {
    opts.check()?;
    obs.require_at_least(2, "a Pareto gap")?;
    let mut program = StructureProgram::new(
        &obs.normalized(),
        opts.structure,
        opts.tolerance,
        opts.generation,
    );
    program.seed(&hint.cycles);
    Ok(program)
}

fn additive_gap_with(
    obs: &ObservationSet,
    opts: &GapOptions,
    backend: &dyn LpBackend,
    hint: &GapHint,
) -> Result<(AdditiveGap, GapHint), LpError> {
    let mut program = prepare(obs, opts, hint)?;
    let solved = program.solve(1.0, backend, true)?;
    let value = solved.primal.slack;
    let lower_bound = solved.dual.as_ref().map_or(0.0, |d| d.value);
    tracing::debug!(value, lower_bound, rows = solved.rows, "additive gap");
    let gap = AdditiveGap {
        value,
        lower_bound,
        certificate: GapCertificate {
            primal: solved.primal,
            dual: solved.dual,
        },
        rows: solved.rows,
    };
    Ok((gap, program.hint()))
}

/// The efficiency gap `L_e` (THEORY §4) for `opts.structure` (not verified: see [`pareto_gap`]).
pub fn efficiency_gap(obs: &ObservationSet, opts: &GapOptions) -> Result<EfficiencyGap, LpError> {
    let backend = opts.backend.solver()?;
    efficiency_gap_with(obs, opts, backend.as_ref(), &GapHint::default()).map(|(gap, _)| gap)
}

fn efficiency_gap_with(
    obs: &ObservationSet,
    opts: &GapOptions,
    backend: &dyn LpBackend,
    hint: &GapHint,
) -> Result<(EfficiencyGap, GapHint), LpError> {
    let mut program = prepare(obs, opts, hint)?;
    let gap = efficiency_gap_of(obs, opts, backend, &mut program)?;
    Ok((gap, program.hint()))
}

fn efficiency_gap_of(
    obs: &ObservationSet,
    opts: &GapOptions,
    backend: &dyn LpBackend,
    program: &mut StructureProgram,
) -> Result<EfficiencyGap, LpError> {
    let at_one = program.solve(1.0, backend, false)?;
    if at_one.primal.slack == 0.0 {
        return Ok(EfficiencyGap {
            value: 0.0,
            lower: 0.0,
            upper: 0.0,
            exact: true,
            certificate: EfficiencyCertificate {
                feasible: at_one.primal,
                infeasible: None,
                cycles: Vec::new(),
            },
        });
    }
    let graph_structure = match opts.structure {
        Structure::Separable if obs.num_agents() == 1 => Structure::Joint,
        s => s,
    };
    let graphs = bridge::graphs(obs, graph_structure);
    let per_graph = bridge::efficiency_gaps(&graphs, opts.tolerance);
    match opts.structure {
        Structure::Separable if obs.num_agents() > 1 => {
            // The Separable system implies the PerAgent and the Joint ones (module doc).
            let mut lower = per_graph.iter().map(|g| g.0).fold(0.0, f64::max);
            let joint =
                bridge::efficiency_gaps(&bridge::graphs(obs, Structure::Joint), opts.tolerance);
            lower = lower.max(joint[0].0);
            bisect(program, backend, lower, opts.efficiency_accuracy)
        }
        _ => exact(obs, program, backend, per_graph, opts),
    }
}

/// `L_e = 1 - CCEI` (joint data, or the smallest agent CCEI for `PerAgent`), with a bracket of
/// half-width `efficiency_accuracy` around it for the certificates: a rationalization at
/// `value + accuracy` (LP) and the Farkas ray of the CCEI cycle at `value - accuracy`.
fn exact(
    obs: &ObservationSet,
    program: &mut StructureProgram,
    backend: &dyn LpBackend,
    per_graph: Vec<(f64, Option<ViolatingCycle>)>,
    opts: &GapOptions,
) -> Result<EfficiencyGap, LpError> {
    let (value, cycle) = per_graph
        .into_iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((0.0, None));
    let upper = (value + opts.efficiency_accuracy).min(1.0);
    let lower = (value - opts.efficiency_accuracy).max(0.0);
    let feasible = program.solve(1.0 - upper, backend, false)?.primal;
    let cycles: Vec<ViolatingCycle> = cycle.into_iter().collect();
    let infeasible = match cycles.first() {
        Some(c) if lower > 0.0 => Some(bridge::cycle_ray(obs, program.structure, c, 1.0 - lower)),
        _ => None,
    };
    let lower = if infeasible.is_some() { lower } else { 0.0 };
    Ok(EfficiencyGap {
        value,
        lower,
        upper,
        exact: true,
        certificate: EfficiencyCertificate {
            feasible,
            infeasible,
            cycles,
        },
    })
}

/// Bisection on feasibility of the relaxed test over `r in [lower, 1]` (module doc).
fn bisect(
    program: &mut StructureProgram,
    backend: &dyn LpBackend,
    lower: f64,
    accuracy: f64,
) -> Result<EfficiencyGap, LpError> {
    let mut lo = lower;
    let mut hi = 1.0;
    let mut feasible: Option<Rationalization> = None;
    let mut probe = (lo + accuracy).min(1.0);
    while hi - lo > accuracy {
        let s = program.solve(1.0 - probe, backend, false)?;
        if s.primal.slack == 0.0 {
            hi = probe;
            feasible = Some(s.primal);
        } else {
            lo = probe;
        }
        probe = 0.5 * (lo + hi);
    }
    let feasible = match feasible {
        Some(f) => f,
        None => program.solve(1.0 - hi, backend, false)?.primal,
    };
    let infeasible = if lo > 0.0 {
        let s = program.solve(1.0 - lo, backend, true)?;
        match s.dual {
            Some(ray) => Some(ray),
            // Feasible at the lower end after all: the bracket collapses onto it.
            None => {
                return Ok(EfficiencyGap {
                    value: lo,
                    lower: lo,
                    upper: lo,
                    exact: false,
                    certificate: EfficiencyCertificate {
                        feasible: s.primal,
                        infeasible: None,
                        cycles: Vec::new(),
                    },
                });
            }
        }
    } else {
        None
    };
    Ok(EfficiencyGap {
        value: hi,
        lower: lo,
        upper: hi,
        exact: false,
        certificate: EfficiencyCertificate {
            feasible,
            infeasible,
            cycles: Vec::new(),
        },
    })
}
