//! The search for the efficiency gap `L_e` of THEORY §4 and its certified bracket
//! (crate-internal; the public entry points and the definitions are in [`crate::gap`]).
//!
//! `L_e` is an infimum, so the two ends of the bracket `[lower, upper]` are proved differently:
//! - the upper end by a rationalization with zero slack at efficiency `1 - upper` (the relaxed
//!   test holds at `r = upper`, hence at every larger `r`);
//! - the lower end by a Farkas ray at efficiency `1 - lower` that stays a ray at every larger
//!   efficiency ([`crate::DualRole::FarkasAbove`]): the LP's dual at a probe where the relaxed
//!   test fails, or the ray of a GARP cycle whose steps are all affordable at `1 - lower` (the
//!   graph bound `1 - CCEI`). A cycle whose steps all tie with the budget at the CCEI gives no
//!   ray *at* the CCEI (the relaxed test holds there: the infimum is attained) but one at every
//!   larger efficiency, which is exactly what "fails at every `r < lower`" needs.
//!
//! Ill-conditioning. Just above `L_e` the multipliers of a rationalization grow like
//! `(r - L_e)^-p`, one factor per tie along a critical chain: on one tie-heavy data set
//! (three nested ties) the multipliers were about `2.5e3` at `r - L_e = 1e-2`, `3e9` at `1e-4`
//! and `3e15` at `1e-6`. No LP solves that accurately, so the search never trusts a solver's
//! verdict: a probe counts as feasible only with a point every row of which holds as the
//! verifier checks it (`AfriatSystem::rationalizes`), as infeasible only
//! with a dual the verifier accepts as a Farkas ray, and is *undecided* otherwise (a numerical
//! failure of the backend included). The bracket is therefore always certified, and it can end
//! wider than `efficiency_accuracy` above `L_e` (the upper end is the first shrink, in steps
//! growing tenfold, where the LP's point holds); a wider bisection bracket is logged as a
//! warning.

use crate::backend::LpBackend;
use crate::bridge;
use crate::budget::BudgetMatrix;
use crate::certificate::{AfriatDual, EfficiencyCertificate, Rationalization, ViolatingCycle};
use crate::data::ObservationSet;
use crate::error::LpError;
use crate::gap::{EfficiencyGap, GapOptions};
use crate::garp::garp_violation_at;
use crate::solve::{Solved, StructureProgram};
use crate::structure::Structure;
use crate::tolerance::Tolerance;
use crate::verify::{DualRole, verify_dual};

/// `L_e` of `obs` for `opts.structure` with its certificate: 0 when the test holds at `e = 1`,
/// exact from the graphs for `Joint`, `PerAgent` and one agent, by bisection for `Separable`.
pub(crate) fn efficiency_gap(
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
    let search = Search {
        obs,
        backend,
        tol: opts.tolerance,
        accuracy: opts.efficiency_accuracy,
    };
    match opts.structure {
        Structure::Separable if obs.num_agents() > 1 => {
            // The Separable system implies the PerAgent and the Joint ones (module doc).
            let mut graphs = bridge::graphs(obs, Structure::PerAgent);
            graphs.extend(bridge::graphs(obs, Structure::Joint));
            search.bisect(program, &graphs)
        }
        Structure::Separable => search.exact(program, &bridge::graphs(obs, Structure::Joint)),
        s => search.exact(program, &bridge::graphs(obs, s)),
    }
}

/// A proof that the relaxed test fails at every shrink `r < at` (module doc).
struct LowerEnd {
    at: f64,
    /// A ray at efficiency `1 - at` valid at every larger efficiency (none when `at = 0`).
    ray: Option<AfriatDual>,
    /// GARP cycles weak at efficiency `1 - at`.
    cycles: Vec<ViolatingCycle>,
}

/// What one LP probe of the bisection proved.
enum Probe {
    /// The relaxed test holds: a rationalization the verifier accepts.
    Feasible(Rationalization),
    /// It fails: a Farkas ray the verifier accepts.
    Infeasible(AfriatDual),
    /// Neither: near the threshold the multipliers needed grow like a power of
    /// `1 / (r - L_e)` (one factor per tie on a cycle), beyond what the LP solves accurately.
    Undecided,
}

/// The data and settings of one efficiency-gap search.
struct Search<'a> {
    obs: &'a ObservationSet,
    backend: &'a dyn LpBackend,
    tol: Tolerance,
    accuracy: f64,
}

impl Search<'_> {
    /// The exact graph bound `max_g (1 - CCEI_g)` over `graphs`, certified by the CCEI cycle of
    /// the graph attaining it; for ties only (`1 - CCEI = 0` but GARP fails at `e = 1`) the
    /// violating cycle is listed with no ray.
    fn graph_bound(
        &self,
        structure: Structure,
        graphs: &[(Option<usize>, BudgetMatrix)],
    ) -> LowerEnd {
        let (at, cycle) = bridge::efficiency_gaps(graphs, self.tol)
            .into_iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((0.0, None));
        let ray = cycle
            .as_ref()
            .filter(|_| at > 0.0)
            .map(|c| bridge::cycle_ray(self.obs, structure, c, 1.0 - at));
        let at = if ray.is_some() { at } else { 0.0 };
        LowerEnd {
            at,
            ray,
            cycles: cycle.into_iter().collect(),
        }
    }

    /// Whether every graph satisfies GARP at the shrink `r` (then the LP at `r` may hold).
    fn graphs_hold_at(&self, graphs: &[(Option<usize>, BudgetMatrix)], r: f64) -> bool {
        graphs
            .iter()
            .all(|(_, b)| garp_violation_at(b, 1.0 - r, self.tol).is_none())
    }

    /// `program` solved at the shrink `r`, or `None` when the backend fails numerically or the
    /// cuts do not converge: near the threshold that is the same ill-conditioning as an
    /// undecided probe, not a reason to give up on the gap.
    fn solve_at(
        &self,
        program: &mut StructureProgram,
        r: f64,
        with_dual: bool,
    ) -> Result<Option<Solved>, LpError> {
        match program.solve(1.0 - r, self.backend, with_dual) {
            Ok(solved) => Ok(Some(solved)),
            Err(error @ (LpError::Backend { .. } | LpError::NoConvergence { .. })) => {
                tracing::debug!(r, %error, "LP probe failed");
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// A rationalization at the shrink `r`, if the LP finds one.
    fn rationalization_at(
        &self,
        program: &mut StructureProgram,
        r: f64,
    ) -> Result<Option<Rationalization>, LpError> {
        let solved = self.solve_at(program, r, false)?;
        Ok(solved
            .map(|s| s.primal)
            .filter(|primal| primal.slack == 0.0))
    }

    fn probe(&self, program: &mut StructureProgram, r: f64) -> Result<Probe, LpError> {
        let Some(solved) = self.solve_at(program, r, true)? else {
            return Ok(Probe::Undecided);
        };
        if solved.primal.slack == 0.0 {
            return Ok(Probe::Feasible(solved.primal));
        }
        // The bisection moves its ends only on proofs the verifier accepts, so whatever the LP's
        // accuracy the final bracket is certified.
        Ok(match solved.dual {
            Some(ray) if verify_dual(self.obs, &ray, DualRole::Farkas, self.tol).verified => {
                Probe::Infeasible(ray)
            }
            _ => {
                tracing::debug!(r, slack = solved.primal.slack, "LP probe undecided");
                Probe::Undecided
            }
        })
    }

    /// `L_e` from the graphs (`Joint`, `PerAgent`, one agent): the lower end is the exact
    /// value, proved by the CCEI cycle; the upper end is the first of `value` (when GARP holds
    /// there: a cycle whose steps all tie with the budget), `value + accuracy`,
    /// `value + 10 accuracy`, ... (capped at 1) where the LP finds a rationalization.
    fn exact(
        &self,
        program: &mut StructureProgram,
        graphs: &[(Option<usize>, BudgetMatrix)],
    ) -> Result<EfficiencyGap, LpError> {
        let lower = self.graph_bound(program.structure, graphs);
        let value = lower.at;
        let start = self.graphs_hold_at(graphs, value).then_some(value);
        let (upper, feasible) = self.feasible_above(program, value, start)?;
        Ok(EfficiencyGap {
            value,
            lower: value,
            upper,
            exact: true,
            certificate: lower.certificate(feasible),
        })
    }

    /// The smallest of `first`, `from + accuracy`, `from + 10 accuracy`, ... (capped at 1) at
    /// which the LP finds a rationalization, with it. Every shrink above `L_e` is feasible, so
    /// only the LP's accuracy decides how far above `L_e` this ends (module doc).
    fn feasible_above(
        &self,
        program: &mut StructureProgram,
        from: f64,
        first: Option<f64>,
    ) -> Result<(f64, Rationalization), LpError> {
        if let Some(r) = first
            && let Some(feasible) = self.rationalization_at(program, r)?
        {
            return Ok((r, feasible));
        }
        let mut width = self.accuracy;
        loop {
            let r = (from + width).min(1.0);
            if r >= 1.0 {
                return Ok((1.0, program.solve(0.0, self.backend, false)?.primal));
            }
            if let Some(feasible) = self.rationalization_at(program, r)? {
                return Ok((r, feasible));
            }
            tracing::debug!(r, "no rationalization at this shrink; widening the bracket");
            width *= 10.0;
        }
    }

    /// `Separable` with `M >= 2`: bisection on `r in [graph bound, 1]` (module doc). The lower
    /// end moves only on a verified Farkas ray, the upper end only on a rationalization; an
    /// undecided probe moves the search, not the certified lower end, so the bracket can end
    /// wider than `accuracy` (logged as a warning).
    fn bisect(
        &self,
        program: &mut StructureProgram,
        graphs: &[(Option<usize>, BudgetMatrix)],
    ) -> Result<EfficiencyGap, LpError> {
        let mut lower = self.graph_bound(program.structure, graphs);
        let mut below = lower.at;
        let (mut hi, mut feasible) = (1.0, None);
        let mut r = (below + self.accuracy).min(1.0);
        while hi - below > self.accuracy {
            match self.probe(program, r)? {
                Probe::Feasible(f) => (hi, feasible) = (r, Some(f)),
                Probe::Infeasible(ray) => {
                    below = r;
                    lower = LowerEnd {
                        at: r,
                        ray: Some(ray),
                        cycles: Vec::new(),
                    };
                }
                Probe::Undecided => below = r,
            }
            r = 0.5 * (below + hi);
        }
        let (upper, feasible) = match (self.attained(program, graphs, &lower, hi)?, feasible) {
            (Some(f), _) => (lower.at, f),
            (None, Some(f)) => (hi, f),
            (None, None) => (hi, program.solve(1.0 - hi, self.backend, false)?.primal),
        };
        if upper - lower.at > self.accuracy {
            tracing::warn!(
                lower = lower.at,
                upper,
                accuracy = self.accuracy,
                "efficiency-gap bracket wider than requested: the LP could not decide near the threshold"
            );
        }
        Ok(EfficiencyGap {
            value: upper,
            lower: lower.at,
            upper,
            exact: lower.at == upper,
            certificate: lower.certificate(feasible),
        })
    }

    /// A rationalization at the graph bound itself when the bisection ended within `accuracy`
    /// of it and every graph passes GARP there: a critical cycle whose steps all tie with the
    /// budget makes the infimum attained (THEORY §4, ties).
    fn attained(
        &self,
        program: &mut StructureProgram,
        graphs: &[(Option<usize>, BudgetMatrix)],
        lower: &LowerEnd,
        hi: f64,
    ) -> Result<Option<Rationalization>, LpError> {
        let from_graphs = lower.ray.is_some() && !lower.cycles.is_empty();
        if !from_graphs || hi - lower.at > self.accuracy || !self.graphs_hold_at(graphs, lower.at) {
            return Ok(None);
        }
        self.rationalization_at(program, lower.at)
    }
}

impl LowerEnd {
    fn certificate(self, feasible: Rationalization) -> EfficiencyCertificate {
        EfficiencyCertificate {
            feasible,
            infeasible: self.ray,
            cycles: self.cycles,
        }
    }
}
