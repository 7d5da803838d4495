//! Coverage, measured over many seeds (issue 5, acceptance): true mixed strategies from two
//! models, `S` sampled actions per agent and game, and the robust gap at confidence
//! `1 - delta`. Checks that the empirical L1 deviations fall within the radius and that the
//! true gap is at most the robust gap, each in at least a `1 - delta` fraction of trials (minus
//! a binomial margin), and that the second holds in *every* trial where the first does (the
//! deterministic core of the claim). The measured fractions are printed.

mod common;

use common::{agents, max_l1_deviation, nash_sampled};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_lp::{GapOptions, ObservationSet, additive_gap};
use rp_robust::{AmbiguitySpec, RobustOptions, robust_gap};

const AGENTS: [usize; 2] = [2, 2];
const GAMES: usize = 6;
const SAMPLES: usize = 500;
const DELTA: f64 = 0.1;
const TRIALS: u64 = 150;

/// Model A: random probes in `[0.5, 2]` and random mixed strategies (null mass below 1/2): the
/// true gap is typically well above 0.
fn random_strategies(rng: &mut ChaCha8Rng) -> ObservationSet {
    let n: usize = AGENTS.iter().sum();
    let mut probes = Vec::new();
    let mut strategies = Vec::new();
    for _ in 0..GAMES {
        probes.push(
            (0..n)
                .map(|_| rng.random_range(0.5..2.0))
                .collect::<Vec<f64>>(),
        );
        let mut row = Vec::new();
        for &a in &AGENTS {
            let w: Vec<f64> = (0..a).map(|_| rng.random_range(0.05..1.0)).collect();
            let active = rng.random_range(0.5..1.0) / w.iter().sum::<f64>();
            row.extend(w.iter().map(|x| x * active));
        }
        strategies.push(row);
    }
    ObservationSet::new(agents(&AGENTS), probes, strategies).expect("valid data")
}

/// Model B: distorted social optima. Agents maximize `sum_a w_ia ln x_ia` under one shared
/// budget `alpha . x <= 1` (probes in `[1, 3]`, so every agent's mass stays below 1): the
/// optimum is `x_ia = w_ia / (W alpha_ia)`, `W = sum w`. Each entry is then distorted by up to
/// ±20%, as strategic interaction would: true gaps are small and often 0.
fn distorted_optima(rng: &mut ChaCha8Rng) -> ObservationSet {
    let n: usize = AGENTS.iter().sum();
    let w: Vec<f64> = (0..n).map(|_| rng.random_range(0.2..1.0)).collect();
    let total: f64 = w.iter().sum();
    let mut probes = Vec::new();
    let mut strategies = Vec::new();
    for _ in 0..GAMES {
        let alpha: Vec<f64> = (0..n).map(|_| rng.random_range(1.0..3.0)).collect();
        let beta = alpha
            .iter()
            .zip(&w)
            .map(|(a, wi)| wi / (total * a) * (1.0 + rng.random_range(-0.2..0.2)))
            .collect();
        probes.push(alpha);
        strategies.push(beta);
    }
    ObservationSet::new(agents(&AGENTS), probes, strategies).expect("valid data")
}

/// Runs the trials of one model; returns (in-radius fraction, covered fraction).
fn coverage(model: fn(&mut ChaCha8Rng) -> ObservationSet, name: &str) -> (f64, f64) {
    let spec = AmbiguitySpec::confidence(SAMPLES, DELTA);
    let opts = RobustOptions {
        nominal: false,
        verify: false,
        ..RobustOptions::default()
    };
    let (mut inside, mut covered, mut plug_in, mut runs) = (0u32, 0u32, 0u32, 0u32);
    let (mut true_sum, mut robust_sum) = (0.0, 0.0);
    for seed in 0..TRIALS {
        // Per-trial streams derived from the seed: the truth from one, the samples from another.
        let truth = model(&mut ChaCha8Rng::seed_from_u64(seed));
        let Some(empirical) = nash_sampled(&truth, SAMPLES, 1_000_003 * seed + 17) else {
            continue;
        };
        let g = robust_gap(&empirical, &spec, &opts).expect("robust gap");
        let true_gap = additive_gap(&truth, &GapOptions::default())
            .expect("true gap")
            .value;
        let empirical_gap = additive_gap(&empirical, &GapOptions::default())
            .expect("plug-in gap")
            .value;
        let eps = g.radius.l1.expect("radius from a confidence level");
        let within = max_l1_deviation(&truth, &empirical) < eps;
        let below = true_gap <= g.value + 1e-9;
        assert!(
            !within || below,
            "{name} seed {seed}: in the balls but L(true) = {true_gap} > L_rob = {}",
            g.value
        );
        runs += 1;
        inside += u32::from(within);
        covered += u32::from(below);
        plug_in += u32::from(true_gap <= empirical_gap + 1e-9);
        true_sum += true_gap;
        robust_sum += g.value;
    }
    let fraction = |count: u32| f64::from(count) / f64::from(runs);
    let (fi, fc) = (fraction(inside), fraction(covered));
    eprintln!(
        "{name}: {runs} trials, S = {SAMPLES}, delta = {DELTA}: deviations within the radius \
         {fi:.3}, true gap <= robust gap {fc:.3} (<= plug-in gap {:.3}); mean true gap {:.4}, \
         mean robust gap {:.4}",
        fraction(plug_in),
        true_sum / f64::from(runs),
        robust_sum / f64::from(runs)
    );
    assert!(
        runs as u64 >= TRIALS * 9 / 10,
        "{name}: too many all-null samples"
    );
    (fi, fc)
}

#[test]
fn coverage_is_at_least_one_minus_delta() {
    // A fraction from n trials has standard deviation at most sqrt(delta (1 - delta) / n) =
    // sqrt(0.09 / 150) = 0.0245 at the nominal rate; allow three of them.
    let margin = 3.0 * (DELTA * (1.0 - DELTA) / TRIALS as f64).sqrt();
    for (model, name) in [
        (
            random_strategies as fn(&mut ChaCha8Rng) -> ObservationSet,
            "random strategies",
        ),
        (distorted_optima, "distorted optima"),
    ] {
        let (inside, covered) = coverage(model, name);
        assert!(inside >= 1.0 - DELTA - margin, "{name}: {inside}");
        assert!(covered >= 1.0 - DELTA - margin, "{name}: {covered}");
        assert!(
            covered >= inside,
            "{name}: covered {covered} < inside {inside}"
        );
    }
}
