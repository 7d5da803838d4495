//! The min-slack program of a welfare structure, solved and turned into certificates.
//!
//! A structure is one or more Afriat systems ([`crate::generation`]): `Separable` one system
//! with a block of rows per agent and a shared `lambda`; `Joint` one system over the joint
//! profile; `PerAgent` one single-agent system per agent (their programs are independent except
//! for the common slack, so the slack of the structure is the largest of theirs, and the dual
//! of the agent attaining it, with zeros elsewhere, is a dual of the whole program).
//! Internal: the public entry points are in [`crate::test`] and [`crate::gap`].

use crate::backend::LpBackend;
use crate::certificate::{AfriatDual, EdgeWeight, Rationalization};
use crate::cycle_cuts::{self, CutSolution, CycleCut};
use crate::data::ObservationSet;
use crate::error::LpError;
use crate::gap::GapHint;
use crate::generation::{
    AfriatSystem, Edge, GapMethod, Generation, Point, SlackSolution, dual_weights, min_slack,
};
use crate::structure::Structure;
use crate::tolerance::Tolerance;

/// The systems of a structure on normalized data, built once (the `K x K x N` products).
pub(crate) struct StructureProgram {
    pub structure: Structure,
    systems: Vec<AfriatSystem>,
    tol: Tolerance,
    generation: Generation,
    /// Rows of the last solve of each system, seeding the next one (row generation).
    seeds: Vec<Vec<Edge>>,
    /// Cuts of the last solve of each system, seeding the next one (cycle cuts).
    cuts: Vec<Vec<CycleCut>>,
    /// The near-tight ones among them: what [`Self::hint`] returns.
    near: Vec<Vec<CycleCut>>,
}

/// A solved structure: the primal point (with its honest slack) and, on request, a dual.
pub(crate) struct Solved {
    /// Afriat numbers with the structure's slack (set to exactly 0 when zero up to tolerance).
    pub primal: Rationalization,
    /// A dual whose objective is the slack (when requested and the slack is positive).
    pub dual: Option<AfriatDual>,
    /// Rows (row generation) or cuts (cycle cuts) generated over all systems.
    pub rows: usize,
}

/// One system solved by either method.
enum SystemSolution {
    Rows(SlackSolution),
    Cuts(CutSolution),
}

impl SystemSolution {
    fn point(&self) -> &Point {
        match self {
            Self::Rows(s) => &s.point,
            Self::Cuts(s) => &s.point,
        }
    }

    fn slack(&self) -> f64 {
        match self {
            Self::Rows(s) => s.slack,
            Self::Cuts(s) => s.slack,
        }
    }

    fn generated(&self) -> usize {
        match self {
            Self::Rows(s) => s.rows.len(),
            Self::Cuts(s) => s.cuts.len(),
        }
    }
}

impl StructureProgram {
    /// Builds the systems of `structure` for the normalized data `norm`.
    pub fn new(
        norm: &ObservationSet,
        structure: Structure,
        tol: Tolerance,
        generation: Generation,
    ) -> Self {
        let systems: Vec<AfriatSystem> = match structure {
            Structure::Separable => vec![AfriatSystem::separable(norm, tol)],
            Structure::Joint => vec![AfriatSystem::joint(norm, tol)],
            Structure::PerAgent => (0..norm.num_agents())
                .map(|i| AfriatSystem::single(norm, i, tol))
                .collect(),
        };
        let seeds = vec![Vec::new(); systems.len()];
        let cuts = vec![Vec::new(); systems.len()];
        let near = vec![Vec::new(); systems.len()];
        Self {
            near,
            structure,
            systems,
            tol,
            generation,
            seeds,
            cuts,
        }
    }

    /// Seeds the cut pools with the cycles of a [`crate::GapHint`] (utility `agent`: system 0's
    /// agent `agent`, or for `PerAgent` system `agent`'s only agent).
    pub fn seed(&mut self, cycles: &[CycleCut]) {
        for cut in cycles {
            let (system, agent) = match self.structure {
                Structure::PerAgent => (cut.agent, 0),
                Structure::Separable | Structure::Joint => (0, cut.agent),
            };
            if let Some(pool) = self.cuts.get_mut(system) {
                pool.push(CycleCut {
                    agent,
                    observations: cut.observations.clone(),
                });
            }
        }
    }

    /// The near-tight cuts of the last solve as a hint, in utility indices (the inverse of
    /// [`Self::seed`]).
    pub fn hint(&self) -> GapHint {
        let cycles = self
            .near
            .iter()
            .enumerate()
            .flat_map(|(system, pool)| {
                pool.iter().map(move |cut| CycleCut {
                    agent: if self.structure == Structure::PerAgent {
                        system
                    } else {
                        cut.agent
                    },
                    observations: cut.observations.clone(),
                })
            })
            .collect();
        GapHint { cycles }
    }

    /// Solves the min-slack program at `efficiency`; computes a dual if `with_dual` and the
    /// slack is positive.
    pub fn solve(
        &mut self,
        efficiency: f64,
        backend: &dyn LpBackend,
        with_dual: bool,
    ) -> Result<Solved, LpError> {
        let mut solutions = Vec::with_capacity(self.systems.len());
        for s in 0..self.systems.len() {
            solutions.push(self.solve_system(s, efficiency, backend)?);
        }
        let zero = |s: &SystemSolution| s.slack() <= self.tol.relative() * s.point().magnitude();
        let worst = (0..solutions.len())
            .filter(|&i| !zero(&solutions[i]))
            .max_by(|&a, &b| solutions[a].slack().total_cmp(&solutions[b].slack()));
        let slack = worst.map_or(0.0, |i| solutions[i].slack());
        let dual = match worst {
            Some(i) if with_dual => Some(self.dual(i, &solutions[i], efficiency)?),
            _ => None,
        };
        let points: Vec<&Point> = solutions.iter().map(SystemSolution::point).collect();
        Ok(Solved {
            primal: self.primal(&points, efficiency, slack),
            dual,
            rows: solutions.iter().map(SystemSolution::generated).sum(),
        })
    }

    fn solve_system(
        &mut self,
        s: usize,
        efficiency: f64,
        backend: &dyn LpBackend,
    ) -> Result<SystemSolution, LpError> {
        let system = &self.systems[s];
        Ok(match self.generation.method {
            GapMethod::CycleCuts => {
                let solution =
                    cycle_cuts::solve(system, efficiency, backend, self.generation, &self.cuts[s])?;
                self.cuts[s].clone_from(&solution.cuts);
                self.near[s].clone_from(&solution.near);
                SystemSolution::Cuts(solution)
            }
            GapMethod::RowGeneration => {
                let solution =
                    min_slack(system, efficiency, backend, self.generation, &self.seeds[s])?;
                self.seeds[s].clone_from(&solution.rows);
                SystemSolution::Rows(solution)
            }
        })
    }

    fn primal(&self, points: &[&Point], efficiency: f64, slack: f64) -> Rationalization {
        let (u, lambda) = match self.structure {
            Structure::PerAgent => (
                points.iter().map(|p| p.u[0].clone()).collect(),
                points.iter().map(|p| p.lambda.clone()).collect(),
            ),
            Structure::Separable | Structure::Joint => {
                (points[0].u.clone(), vec![points[0].lambda.clone()])
            }
        };
        Rationalization {
            structure: self.structure,
            efficiency,
            u,
            lambda,
            slack,
        }
    }

    /// The dual of system `index` as a dual of the whole structure.
    fn dual(
        &self,
        index: usize,
        s: &SystemSolution,
        efficiency: f64,
    ) -> Result<AfriatDual, LpError> {
        let system = &self.systems[index];
        let weighted: Vec<(Edge, f64)> = match s {
            SystemSolution::Rows(s) => {
                let w = dual_weights(system, efficiency, s)?;
                s.rows.iter().copied().zip(w).collect()
            }
            SystemSolution::Cuts(s) => cycle_cuts::dual_weights(system, efficiency, s)?,
        };
        let kk = system.len();
        let groups = self
            .structure
            .multiplier_groups(self.systems.len().max(system.agents()));
        let mut floor = vec![vec![0.0; kk]; groups];
        let mut weights = Vec::new();
        for &(e, weight) in weighted.iter().filter(|(_, w)| *w > 0.0) {
            // PerAgent systems hold one agent each: the utility is the system's index.
            let agent = if self.structure == Structure::PerAgent {
                index
            } else {
                e.agent
            };
            floor[self.structure.group_of(agent)][e.k] -=
                weight * system.coefficient(e.agent, e.k, e.j, efficiency);
            weights.push(EdgeWeight {
                agent,
                from: e.k,
                to: e.j,
                weight,
            });
        }
        let value = floor.iter().flatten().sum();
        Ok(AfriatDual {
            structure: self.structure,
            efficiency,
            weights,
            floor,
            value,
        })
    }
}
