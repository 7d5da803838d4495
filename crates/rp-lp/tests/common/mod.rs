//! Data generators for the LP-layer property tests: profiles that maximize random concave
//! separable utilities agent by agent under one shared budget per game (so they are socially
//! optimal by construction), planted violations, noise, tie-heavy data, and small data sets
//! shared by several test files.

#![allow(dead_code)]

use proptest::prelude::*;
use rp_lp::{Agent, ObservationSet};

/// A concave utility of one agent's own actions, separable across actions.
#[derive(Clone, Debug)]
pub enum Utility {
    /// `sum_a w_a ln x_a`.
    CobbDouglas(Vec<f64>),
    /// `sum_a w_a x_a^rho / rho`, `rho` in (0, 1) or negative (additive CES).
    Ces(Vec<f64>, f64),
    /// `sum_a (b_a x_a - c_a x_a^2 / 2)` (satiation far beyond the budget).
    Quadratic(Vec<f64>, Vec<f64>),
}

impl Utility {
    /// Demand for action `a` at multiplier `mu` and price `p` (the maximizer of
    /// `u_a(x) - mu p x` over `x >= 0`).
    fn demand(&self, a: usize, mu: f64, p: f64) -> f64 {
        match self {
            Self::CobbDouglas(w) => w[a] / (mu * p),
            // w x^(rho - 1) = mu p.
            Self::Ces(w, rho) => (mu * p / w[a]).powf(1.0 / (rho - 1.0)),
            // b - c x = mu p.
            Self::Quadratic(b, c) => ((b[a] - mu * p) / c[a]).max(0.0),
        }
    }
}

/// The social optimum of `sum_i u_i(x^i)` under `alpha . x <= 1`: each agent's demand at the
/// common multiplier `mu`, with `mu` found by a one-dimensional search (spending is decreasing
/// in `mu`). Cobb–Douglas alone has the closed form `mu = sum w`.
pub fn optimum(utilities: &[Utility], alpha: &[f64]) -> Vec<f64> {
    let sizes: Vec<usize> = utilities
        .iter()
        .map(|u| match u {
            Utility::CobbDouglas(w) | Utility::Ces(w, _) => w.len(),
            Utility::Quadratic(b, _) => b.len(),
        })
        .collect();
    let profile = |mu: f64| -> Vec<f64> {
        let mut x = Vec::with_capacity(alpha.len());
        let mut off = 0;
        for (u, &n) in utilities.iter().zip(&sizes) {
            for a in 0..n {
                x.push(u.demand(a, mu, alpha[off + a]));
            }
            off += n;
        }
        x
    };
    let spend = |mu: f64| -> f64 { profile(mu).iter().zip(alpha).map(|(x, p)| x * p).sum() };
    let (mut lo, mut hi) = (1e-12, 1.0);
    while spend(hi) > 1.0 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if spend(mid) > 1.0 { lo = mid } else { hi = mid }
    }
    profile(0.5 * (lo + hi))
}

/// One agent's utility of `n` actions.
fn utility(n: usize) -> impl Strategy<Value = Utility> {
    prop_oneof![
        prop::collection::vec(0.2f64..1.0, n).prop_map(Utility::CobbDouglas),
        (
            prop::collection::vec(0.2f64..1.0, n),
            prop_oneof![0.2f64..0.8, -2.0f64..-0.2]
        )
            .prop_map(|(w, rho)| Utility::Ces(w, rho)),
        (
            prop::collection::vec(5.0f64..10.0, n),
            prop::collection::vec(0.5f64..2.0, n)
        )
            .prop_map(|(b, c)| Utility::Quadratic(b, c)),
    ]
}

/// Agent sizes: `m` agents with 1..=3 actions (the first agent at least `min_first`).
fn sizes(
    m: std::ops::RangeInclusive<usize>,
    min_first: usize,
) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..=3, m).prop_map(move |mut s| {
        s[0] = s[0].max(min_first);
        s
    })
}

/// Socially optimal data: `K` in `k`, agents in `m`, random probes with entries in [0.5, 4].
pub fn optimal_data(
    k: std::ops::RangeInclusive<usize>,
    m: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = ObservationSet> {
    optimal_with(k, m, 1)
}

fn optimal_with(
    k: std::ops::RangeInclusive<usize>,
    m: std::ops::RangeInclusive<usize>,
    min_first: usize,
) -> impl Strategy<Value = ObservationSet> {
    (sizes(m, min_first), k)
        .prop_flat_map(|(sizes, k)| {
            let n: usize = sizes.iter().sum();
            let utilities: Vec<_> = sizes.iter().map(|&s| utility(s)).collect();
            (
                Just(sizes),
                utilities,
                prop::collection::vec(prop::collection::vec(0.5f64..4.0, n), k),
            )
        })
        .prop_map(|(sizes, utilities, probes)| {
            let strategies = probes.iter().map(|a| optimum(&utilities, a)).collect();
            build(&sizes, probes, strategies)
        })
}

pub fn build(sizes: &[usize], probes: Vec<Vec<f64>>, strategies: Vec<Vec<f64>>) -> ObservationSet {
    let agents = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| Agent::new(format!("agent{i}"), n))
        .collect();
    ObservationSet::new(agents, probes, strategies).expect("generated data are valid")
}

/// Optimal data with every strategy entry multiplied by a factor in [1 - s, 1 + s].
pub fn noisy_data(
    k: std::ops::RangeInclusive<usize>,
    m: std::ops::RangeInclusive<usize>,
    s: f64,
) -> impl Strategy<Value = ObservationSet> {
    optimal_data(k, m)
        .prop_flat_map(move |d| {
            let len = d.len() * d.dim();
            (Just(d), prop::collection::vec(-s..s, len))
        })
        .prop_map(|(d, noise)| {
            let strategies: Vec<f64> = d
                .strategies_flat()
                .iter()
                .zip(&noise)
                .map(|(b, z)| b * (1.0 + z))
                .collect();
            ObservationSet::from_flat(d.agents().to_vec(), d.probes_flat().to_vec(), strategies)
                .expect("positive noise keeps data valid")
        })
}

/// Optimal data (agent 0 with at least two actions) plus two planted observations A, B that
/// violate GARP in agent 0's block (A P0 B and B P0 A), other blocks unchanged.
pub fn planted_data(
    k: std::ops::RangeInclusive<usize>,
    m: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = ObservationSet> {
    optimal_with(k, m, 2).prop_map(|d| {
        // x: observation 0's profile, made positive on agent 0's first two actions.
        let mut x = d.strategy(0).to_vec();
        x[0] += 0.1;
        x[1] += 0.1;
        let alpha_a = d.probe(0).to_vec();
        // B halves the price of action 0: b0 / b1 = a0 / (2 a1).
        let mut alpha_b = alpha_a.clone();
        alpha_b[0] *= 0.5;
        // v = (1, -c, 0, ...) with b0 / b1 < c < a0 / a1, so alpha_A . v > 0 > alpha_B . v:
        // at A (choosing y = x + t v) x is strictly cheaper, at B (choosing x) y is.
        let c = 0.75 * alpha_a[0] / alpha_a[1];
        let t = 0.5 * x[1] / c;
        let mut y = x.clone();
        y[0] += t;
        y[1] -= t * c;
        let mut probes: Vec<Vec<f64>> = (0..d.len()).map(|k| d.probe(k).to_vec()).collect();
        let mut strategies: Vec<Vec<f64>> = (0..d.len()).map(|k| d.strategy(k).to_vec()).collect();
        probes.push(alpha_a);
        strategies.push(y);
        probes.push(alpha_b);
        strategies.push(x);
        let sizes: Vec<usize> = d.agents().iter().map(|a| a.actions).collect();
        build(&sizes, probes, strategies)
    })
}

/// One row of [`tied_data`] before assembly: probe entries, grid indices of the strategy, and
/// an optional copy `(of an earlier row, index taken modulo the row number; keep its probe too)`.
type TiedRow = (Vec<u8>, Vec<usize>, Option<(usize, bool)>);

/// Tie-heavy data, where the continuous generators above almost never land: probes with small
/// integer entries (1..=3), strategies on a coarse grid with zeros ({0, 0.1, 0.2, 0.3} or
/// {0, 0.25, 0.5}, so many bundles cost exactly a budget and agents are often idle), and
/// duplicates (an exact copy of an earlier observation, or its bundle chosen at a new probe).
/// A row whose profile is all zero gets the smallest positive grid value in its first entry
/// (an observation with `e_k = 0` is invalid); fixing it instead of filtering keeps shrinking.
pub fn tied_data(
    k: std::ops::RangeInclusive<usize>,
    m: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = ObservationSet> {
    (sizes(m, 1), k, any::<bool>())
        .prop_flat_map(|(sizes, k, quarters)| {
            let n: usize = sizes.iter().sum();
            let levels: usize = if quarters { 3 } else { 4 };
            let row = (
                prop::collection::vec(1u8..=3, n),
                prop::collection::vec(0..levels, n),
                prop::option::weighted(0.25, (any::<usize>(), any::<bool>())),
            );
            (Just(sizes), Just(quarters), prop::collection::vec(row, k))
        })
        .prop_map(|(sizes, quarters, rows)| assemble_tied(&sizes, quarters, rows))
}

fn assemble_tied(sizes: &[usize], quarters: bool, rows: Vec<TiedRow>) -> ObservationSet {
    let grid: &[f64] = if quarters {
        &[0.0, 0.25, 0.5]
    } else {
        &[0.0, 0.1, 0.2, 0.3]
    };
    let mut probes: Vec<Vec<f64>> = Vec::with_capacity(rows.len());
    let mut strategies: Vec<Vec<f64>> = Vec::with_capacity(rows.len());
    for (r, (probe, levels, copy)) in rows.into_iter().enumerate() {
        let mut alpha: Vec<f64> = probe.into_iter().map(f64::from).collect();
        let mut beta: Vec<f64> = levels.into_iter().map(|l| grid[l]).collect();
        if let Some((of, same_probe)) = copy.filter(|_| r > 0) {
            let j = of % r;
            beta.clone_from(&strategies[j]);
            if same_probe {
                alpha.clone_from(&probes[j]);
            }
        }
        if beta.iter().all(|&b| b == 0.0) {
            beta[0] = grid[1];
        }
        probes.push(alpha);
        strategies.push(beta);
    }
    build(sizes, probes, strategies)
}

/// The README's two-agent example (examples/data; the CLI test has the same data): blocks
/// (a1, a2 | b1, b2), alpha_0 = (1, 2 | 1, 2), beta_0 = (.1, .3 | .1, .3), e_0 = 1.4;
/// alpha_1 = (2, 1 | 2, 1), beta_1 = (.3, .1 | .3, .1), e_1 = 1.4; alpha_2 = (1.2, 1.2 | 2, 2),
/// beta_2 = (.25, .25 | .1, .1), e_2 = 1.
pub fn readme_example() -> ObservationSet {
    ObservationSet::new(
        vec![Agent::new("a", 2), Agent::new("b", 2)],
        vec![
            vec![1.0, 2.0, 1.0, 2.0],
            vec![2.0, 1.0, 2.0, 1.0],
            vec![1.2, 1.2, 2.0, 2.0],
        ],
        vec![
            vec![0.1, 0.3, 0.1, 0.3],
            vec![0.3, 0.1, 0.3, 0.1],
            vec![0.25, 0.25, 0.1, 0.1],
        ],
    )
    .unwrap()
}
