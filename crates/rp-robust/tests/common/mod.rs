//! Data generators for rp-robust's integration tests: random probes and mixed strategies (as
//! proptest strategies, so failures shrink), and Nash sampling of empirical strategies.

#![allow(dead_code)]

use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_lp::{Agent, ObservationSet};

/// Agents `a0, a1, ...` with the given action counts.
pub fn agents(actions: &[usize]) -> Vec<Agent> {
    actions
        .iter()
        .enumerate()
        .map(|(i, &n)| Agent::new(format!("a{i}"), n))
        .collect()
}

/// One agent's mixed strategy on `n` actions: positive outcome weights (null last) normalized,
/// with the null's weight kept below half so the agent is active.
fn strategy(n: usize) -> impl Strategy<Value = Vec<f64>> {
    (prop::collection::vec(0.05f64..1.0, n), 0.0f64..0.5).prop_map(|(w, null)| {
        let total: f64 = w.iter().sum::<f64>() / (1.0 - null);
        w.iter().map(|x| x / total).collect()
    })
}

/// `K` observations of agents with `actions`: probes in `[0.5, 2]`, random mixed strategies.
pub fn mixed_data_with(k: usize, actions: Vec<usize>) -> impl Strategy<Value = ObservationSet> {
    let n: usize = actions.iter().sum();
    let profile = actions.iter().map(|&a| strategy(a)).collect::<Vec<_>>();
    let row = (prop::collection::vec(0.5f64..2.0, n), profile);
    prop::collection::vec(row, k).prop_map(move |rows| {
        let (probes, strategies): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .map(|(alpha, blocks)| (alpha, blocks.concat()))
            .unzip();
        ObservationSet::new(agents(&actions), probes, strategies).expect("generated data are valid")
    })
}

/// Random mixed data with `K` in `ks` and 1–3 agents of 1–3 actions.
pub fn mixed_data(
    ks: std::ops::RangeInclusive<usize>,
    agents: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = ObservationSet> {
    (ks, prop::collection::vec(1usize..=3, agents))
        .prop_flat_map(|(k, actions)| mixed_data_with(k, actions))
}

/// Outcome `a` of a distribution on `0..n` (null = `n`) for a uniform `x in [0, 1)`.
fn draw(block: &[f64], x: f64) -> usize {
    let mut cumulative = 0.0;
    for (a, p) in block.iter().enumerate() {
        cumulative += p;
        if x < cumulative {
            return a;
        }
    }
    block.len()
}

/// The empirical strategies of `samples` i.i.d. actions per agent and game, drawn from the true
/// strategies of `truth` with a ChaCha8 stream seeded by `seed` (observations and agents in
/// order). `None` if some game's sampled profile is all null (such data reveal nothing).
pub fn nash_sampled(truth: &ObservationSet, samples: usize, seed: u64) -> Option<ObservationSet> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut strategies = Vec::with_capacity(truth.len());
    for k in 0..truth.len() {
        let mut row = Vec::with_capacity(truth.dim());
        for b in truth.blocks() {
            let block = &truth.strategy(k)[b];
            let mut counts = vec![0usize; block.len() + 1];
            for _ in 0..samples {
                counts[draw(block, rng.random::<f64>())] += 1;
            }
            row.extend(
                counts[..block.len()]
                    .iter()
                    .map(|&c| c as f64 / samples as f64),
            );
        }
        strategies.push(row);
    }
    let probes = (0..truth.len()).map(|k| truth.probe(k).to_vec()).collect();
    ObservationSet::new(truth.agents().to_vec(), probes, strategies).ok()
}

/// Largest L1 distance between true and empirical outcome distributions over agents and games.
pub fn max_l1_deviation(truth: &ObservationSet, empirical: &ObservationSet) -> f64 {
    let mut worst = 0.0f64;
    for k in 0..truth.len() {
        for b in truth.blocks() {
            let (p, q) = (&truth.strategy(k)[b.clone()], &empirical.strategy(k)[b]);
            let active: f64 = p.iter().zip(q).map(|(x, y)| (x - y).abs()).sum();
            let null = (p.iter().sum::<f64>() - q.iter().sum::<f64>()).abs();
            worst = worst.max(active + null);
        }
    }
    worst
}

/// `D'` with every outcome distribution moved towards a random distribution by an L1 distance
/// of at most `eps` (so `D'` lies in the L1 balls of radius `eps` around `d`), ChaCha8-seeded.
pub fn perturbed(d: &ObservationSet, eps: f64, seed: u64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let strategies = (0..d.len())
        .map(|k| {
            d.blocks()
                .flat_map(|b| {
                    let beta = &d.strategy(k)[b];
                    let mut q = beta.to_vec();
                    q.push((1.0 - beta.iter().sum::<f64>()).max(0.0));
                    let target: Vec<f64> =
                        (0..q.len()).map(|_| rng.random::<f64>().powi(3)).collect();
                    let total: f64 = target.iter().sum();
                    let gap: f64 = q
                        .iter()
                        .zip(&target)
                        .map(|(a, t)| (t / total - a).abs())
                        .sum();
                    let fraction = if rng.random_bool(0.5) {
                        1.0
                    } else {
                        rng.random::<f64>()
                    };
                    let step = if gap > 0.0 {
                        (eps / gap).min(1.0) * fraction
                    } else {
                        0.0
                    };
                    let moved: Vec<f64> = q
                        .iter()
                        .zip(&target)
                        .map(|(a, t)| a + step * (t / total - a))
                        .collect();
                    moved[..beta.len()].to_vec()
                })
                .collect()
        })
        .collect();
    let probes = (0..d.len()).map(|k| d.probe(k).to_vec()).collect();
    ObservationSet::new(d.agents().to_vec(), probes, strategies).expect("perturbed data are valid")
}
