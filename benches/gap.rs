//! Separable Pareto gap (additive, verified) for K in {50, 100, 200, 400}, M = 4, N = 12, and the
//! single-agent gap at K = 2000. Data: each agent maximizes a Cobb–Douglas utility of its own
//! actions under one shared random budget (so the social optimum), then every strategy entry is
//! perturbed by up to ±10% (so the gap is positive, as in the designer's loop). Each line also
//! prints the time of the K x K x N budget product alone (`BudgetMatrix::joint`, the floor of
//! any exact test) and the ratio to it. Criterion samples K = 50 and 100; K >= 200 and the
//! K = 2000 single-agent case take seconds to minutes per gap, so they get one timed run each.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_suite::lp::{Agent, BudgetMatrix, GapOptions, ObservationSet, pareto_gap};

/// `K` observations of `m` agents with `n` actions each (seeded).
fn noisy_optimum(k: usize, m: usize, n: usize, seed: u64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weights: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.2..1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut probes = Vec::with_capacity(k);
    let mut strategies = Vec::with_capacity(k);
    for _ in 0..k {
        let alpha: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.5..2.0)).collect();
        // Cobb–Douglas demand under alpha . x <= 1: x_a = w_a / (W alpha_a), then noise.
        let beta = alpha
            .iter()
            .zip(&weights)
            .map(|(a, w)| w / (total * a) * (1.0 + rng.random_range(-0.1..0.1)))
            .collect();
        probes.push(alpha);
        strategies.push(beta);
    }
    let agents = (0..m).map(|i| Agent::new(format!("a{i}"), n)).collect();
    ObservationSet::new(agents, probes, strategies).expect("generated data are valid")
}

/// Mean wall time of `f` over `reps` runs.
fn time(reps: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed() / reps
}

/// Prints one line: the verified gap's time (mean of `reps` runs), the floor and the ratio.
fn report(label: &str, obs: &ObservationSet, reps: u32) {
    let floor = time(20, || {
        black_box(BudgetMatrix::joint(obs));
    });
    let mut gap = None;
    let t = time(reps, || gap = Some(pareto_gap(obs, &GapOptions::default())));
    let g = gap.and_then(Result::ok);
    eprintln!(
        "{label}: gap {:.3e} verified {} | {:.1} ms | floor (K x K x N product) {:.3} ms | ratio {:.0}",
        g.as_ref().map_or(f64::NAN, |g| g.value),
        g.as_ref().is_some_and(|g| g.verification.verified),
        t.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3,
        t.as_secs_f64() / floor.as_secs_f64()
    );
}

fn separable(c: &mut Criterion) {
    let mut group = c.benchmark_group("separable_gap_m4_n12");
    group.sample_size(10);
    for k in [50, 100, 200, 400] {
        let obs = noisy_optimum(k, 4, 3, k as u64);
        // K >= 200 takes seconds per gap: one timed run instead of criterion's ten samples.
        report(
            &format!("separable K={k} M=4 N=12"),
            &obs,
            if k >= 200 { 1 } else { 3 },
        );
        if k < 200 {
            group.bench_function(format!("K={k}"), |b| {
                b.iter(|| pareto_gap(black_box(&obs), &GapOptions::default()))
            });
        }
    }
    group.finish();
}

/// The single-agent gap at K = 2000: one timed run (see `report`).
fn single_agent(_: &mut Criterion) {
    let obs = noisy_optimum(2000, 1, 12, 2000);
    report("single agent K=2000 N=12", &obs, 1);
}

criterion_group!(benches, separable, single_agent);
criterion_main!(benches);
