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
use crate::data::ObservationSet;
use crate::error::LpError;
use crate::generation::{AfriatSystem, Edge, Generation, SlackSolution, dual_weights, min_slack};
use crate::structure::Structure;
use crate::tolerance::Tolerance;

/// The systems of a structure on normalized data, built once (the `K x K x N` products).
pub(crate) struct StructureProgram {
    pub structure: Structure,
    systems: Vec<AfriatSystem>,
    tol: Tolerance,
    generation: Generation,
    /// Rows of the last solve of each system, seeding the next one (warm across efficiencies).
    seeds: Vec<Vec<Edge>>,
}

/// A solved structure: the primal point (with its honest slack) and, on request, a dual.
pub(crate) struct Solved {
    /// Afriat numbers with the structure's slack (set to exactly 0 when zero up to tolerance).
    pub primal: Rationalization,
    /// A dual whose objective is the slack (when requested and the slack is positive).
    pub dual: Option<AfriatDual>,
    /// Rows generated over all systems.
    pub rows: usize,
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
        Self {
            structure,
            systems,
            tol,
            generation,
            seeds,
        }
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
        for (system, seed) in self.systems.iter().zip(&mut self.seeds) {
            let s = min_slack(system, efficiency, backend, self.generation, seed)?;
            seed.clone_from(&s.rows);
            solutions.push(s);
        }
        let zero = |s: &SlackSolution| s.slack <= self.tol.relative() * s.point.magnitude();
        let worst = (0..solutions.len())
            .filter(|&i| !zero(&solutions[i]))
            .max_by(|&a, &b| solutions[a].slack.total_cmp(&solutions[b].slack));
        let slack = worst.map_or(0.0, |i| solutions[i].slack);
        let dual = match worst {
            Some(i) if with_dual => Some(self.dual(i, &solutions[i], efficiency)?),
            _ => None,
        };
        Ok(Solved {
            primal: self.primal(&solutions, efficiency, slack),
            dual,
            rows: solutions.iter().map(|s| s.rows.len()).sum(),
        })
    }

    fn primal(&self, solutions: &[SlackSolution], efficiency: f64, slack: f64) -> Rationalization {
        let (u, lambda) = match self.structure {
            Structure::PerAgent => (
                solutions.iter().map(|s| s.point.u[0].clone()).collect(),
                solutions.iter().map(|s| s.point.lambda.clone()).collect(),
            ),
            Structure::Separable | Structure::Joint => (
                solutions[0].point.u.clone(),
                vec![solutions[0].point.lambda.clone()],
            ),
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
        s: &SlackSolution,
        efficiency: f64,
    ) -> Result<AfriatDual, LpError> {
        let system = &self.systems[index];
        let w = dual_weights(system, efficiency, s)?;
        let kk = system.len();
        let groups = self
            .structure
            .multiplier_groups(self.systems.len().max(system.agents()));
        let mut floor = vec![vec![0.0; kk]; groups];
        let mut weights = Vec::new();
        for (e, &weight) in s.rows.iter().zip(&w).filter(|(_, w)| **w > 0.0) {
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
