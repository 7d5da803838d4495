//! The bridge from the graph layer (GARP, CCEI, Afriat numbers) to LP-layer certificates.
//!
//! `PerAgent` and `Joint` are graph questions (THEORY §3.2–§3.3): agent `i`'s data with budgets
//! `e^i_k` ([`BudgetMatrix::agent`]) or the joint data ([`BudgetMatrix::joint`]). This module
//! runs those graph tests and turns their answers into the certificates of
//! [`crate::certificate`], in normalized units, without any LP:
//! - Afriat numbers of the graph layer (`u_j <= u_k + lambda_k E[k][j]`, raw units) become a
//!   [`Rationalization`]: on normalized data the row of `(k, j)` is `E[k][j] / e_k`, so the
//!   multiplier is `lambda_k e_k`; the numbers are then scaled (a positive factor keeps every
//!   inequality) so that the smallest multiplier of each group is 1, the floor of THEORY §4.
//! - A GARP cycle `k_0 R0 k_1 ... P0 k_0` becomes a Farkas ray: weight `1/m` on each of its `m`
//!   steps is a circulation, and each step has `d <= 0` with the closing one strict, so every
//!   floor multiplier `z_k = -w d` is nonnegative and their sum positive.

use crate::afriat::afriat_numbers;
use crate::budget::BudgetMatrix;
use crate::ccei::ccei;
use crate::certificate::{AfriatDual, EdgeWeight, Rationalization, ViolatingCycle};
use crate::data::{ObservationSet, dot};
use crate::garp::garp_violation;
use crate::structure::Structure;
use crate::tolerance::Tolerance;

/// The graphs of a graph structure: `(agent, matrix)`, agent `None` for the joint data.
pub(crate) fn graphs(
    obs: &ObservationSet,
    structure: Structure,
) -> Vec<(Option<usize>, BudgetMatrix)> {
    match structure {
        Structure::PerAgent => (0..obs.num_agents())
            .map(|i| (Some(i), BudgetMatrix::agent(obs, i)))
            .collect(),
        Structure::Joint | Structure::Separable => vec![(None, BudgetMatrix::joint(obs))],
    }
}

/// The GARP cycles of a graph structure (empty iff it passes).
pub(crate) fn garp_cycles(
    graphs: &[(Option<usize>, BudgetMatrix)],
    tol: Tolerance,
) -> Vec<ViolatingCycle> {
    graphs
        .iter()
        .filter_map(|(agent, b)| {
            garp_violation(b, tol).map(|c| ViolatingCycle {
                agent: *agent,
                observations: c.observations,
            })
        })
        .collect()
}

/// The utility index of a graph (`Joint`: 0).
fn utility(agent: Option<usize>) -> usize {
    agent.unwrap_or(0)
}

/// A rationalization at `e = 1` from the graph layer's Afriat numbers, or `None` if GARP fails
/// for some graph.
pub(crate) fn rationalization(
    obs: &ObservationSet,
    structure: Structure,
    graphs: &[(Option<usize>, BudgetMatrix)],
    tol: Tolerance,
) -> Option<Rationalization> {
    let mut u = Vec::with_capacity(graphs.len());
    let mut lambda = Vec::with_capacity(graphs.len());
    for (_, b) in graphs {
        let numbers = afriat_numbers(b, tol)?;
        let multipliers: Vec<f64> = numbers
            .lambda
            .iter()
            .zip(obs.expenditures())
            .map(|(l, e)| l * e)
            .collect();
        let smallest = multipliers.iter().copied().fold(f64::INFINITY, f64::min);
        let scale = if smallest.is_finite() && smallest > 0.0 {
            1.0 / smallest
        } else {
            1.0
        };
        u.push(numbers.u.iter().map(|v| v * scale).collect());
        lambda.push(multipliers.iter().map(|l| (l * scale).max(1.0)).collect());
    }
    if structure != Structure::PerAgent {
        lambda.truncate(1);
    }
    Some(Rationalization {
        structure,
        efficiency: 1.0,
        u,
        lambda,
        slack: 0.0,
    })
}

/// The Farkas ray of `cycle` at efficiency `efficiency` (module doc), on normalized data.
pub(crate) fn cycle_ray(
    obs: &ObservationSet,
    structure: Structure,
    cycle: &ViolatingCycle,
    efficiency: f64,
) -> AfriatDual {
    let agent = utility(cycle.agent);
    let block = cycle.agent.map_or(0..obs.dim(), |i| obs.block(i));
    let groups = structure.multiplier_groups(obs.num_agents());
    let mut floor = vec![vec![0.0; obs.len()]; groups];
    let m = cycle.observations.len();
    let w = 1.0 / m as f64;
    let mut weights = Vec::with_capacity(m);
    for t in 0..m {
        let (k, j) = (cycle.observations[t], cycle.observations[(t + 1) % m]);
        if k == j {
            continue;
        }
        let alpha = &obs.probe(k)[block.clone()];
        let spend = dot(alpha, &obs.strategy(j)[block.clone()]);
        let share = dot(alpha, &obs.strategy(k)[block.clone()]);
        let d = (spend - efficiency * share) / obs.expenditure(k);
        floor[structure.group_of(agent)][k] -= w * d;
        weights.push(EdgeWeight {
            agent,
            from: k,
            to: j,
            weight: w,
        });
    }
    let value = floor.iter().flatten().sum();
    AfriatDual {
        structure,
        efficiency,
        weights,
        floor,
        value,
    }
}

/// The exact `1 - CCEI` of every graph, with the CCEI cycle of each (when it has one).
pub(crate) fn efficiency_gaps(
    graphs: &[(Option<usize>, BudgetMatrix)],
    tol: Tolerance,
) -> Vec<(f64, Option<ViolatingCycle>)> {
    graphs
        .iter()
        .map(|(agent, b)| {
            let c = ccei(b, tol);
            let cycle = c.cycle.map(|g| ViolatingCycle {
                agent: *agent,
                observations: g.observations,
            });
            ((1.0 - c.value).clamp(0.0, 1.0), cycle)
        })
        .collect()
}
