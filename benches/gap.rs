//! Separable Pareto gap (additive, verified) at the designer's sizes, M = 4 agents, N = 12:
//! K in {30, 60, 120, 240} sampled by criterion, K = 400 and the single-agent gap at K = 2000
//! timed once. Data: each agent maximizes a Cobb–Douglas utility of its own actions under one
//! shared random budget (so the social optimum), then every strategy entry is perturbed by up
//! to ±10% (so the gap is often positive, as in the designer's loop). Each line also prints the
//! time of the K x K x N budget product alone (`BudgetMatrix::joint`, the floor of any exact
//! test) and the ratio to it.
//!
//! Two more lines say what one seed hides: K = 240 over seeds 1..=6 (the time depends on the
//! instance: a few are much harder for the cutting planes), and the designer's next call —
//! data moved by 1% — cold and warm-started from the previous call's hint.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_suite::lp::{
    Agent, BudgetMatrix, GapHint, GapOptions, ObservationSet, pareto_gap, pareto_gap_with_hint,
};

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

/// The same probes with every strategy entry moved by up to ±1% (seeded).
fn moved(obs: &ObservationSet, seed: u64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let strategies = obs
        .strategies_flat()
        .iter()
        .map(|b| b * (1.0 + rng.random_range(-0.01..0.01)))
        .collect();
    ObservationSet::from_flat(
        obs.agents().to_vec(),
        obs.probes_flat().to_vec(),
        strategies,
    )
    .expect("positive moves keep data valid")
}

/// Fastest wall time of `f` over `reps` runs (the machine is shared: the minimum is the least
/// disturbed).
fn fastest(reps: u32, mut f: impl FnMut()) -> Duration {
    (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints one line: the verified gap's time (fastest of `reps`), the floor and the ratio.
fn report(label: &str, obs: &ObservationSet, reps: u32) -> Duration {
    let floor = fastest(20, || {
        black_box(BudgetMatrix::joint(obs));
    });
    let mut gap = None;
    let t = fastest(reps, || gap = Some(pareto_gap(obs, &GapOptions::default())));
    let g = gap.and_then(Result::ok);
    eprintln!(
        "{label}: gap {:.3e} verified {} | {:.1} ms | floor (K x K x N product) {:.3} ms | ratio {:.0}",
        g.as_ref().map_or(f64::NAN, |g| g.value),
        g.as_ref().is_some_and(|g| g.verification.verified),
        ms(t),
        ms(floor),
        t.as_secs_f64() / floor.as_secs_f64()
    );
    t
}

fn separable(c: &mut Criterion) {
    let mut group = c.benchmark_group("separable_gap_m4_n12");
    group.sample_size(10);
    for k in [30, 60, 120, 240] {
        let obs = noisy_optimum(k, 4, 3, k as u64);
        report(&format!("separable K={k} M=4 N=12"), &obs, 5);
        group.bench_function(format!("K={k}"), |b| {
            b.iter(|| pareto_gap(black_box(&obs), &GapOptions::default()))
        });
    }
    group.finish();
    let obs = noisy_optimum(400, 4, 3, 400);
    report("separable K=400 M=4 N=12", &obs, 1);
}

/// K = 240 over several seeds: the spread the single criterion seed hides.
fn seeds(_: &mut Criterion) {
    let mut times: Vec<f64> = (1..=6)
        .map(|seed| {
            ms(report(
                &format!("  K=240 seed {seed}"),
                &noisy_optimum(240, 4, 3, seed),
                1,
            ))
        })
        .collect();
    times.sort_by(f64::total_cmp);
    eprintln!(
        "separable K=240 M=4 N=12, seeds 1..=6: min {:.0} ms, median {:.0} ms, max {:.0} ms",
        times[0],
        0.5 * (times[2] + times[3]),
        times[5]
    );
}

/// The designer's next call: the same probes, strategies moved by 1%, cold and warm.
fn warm_start(_: &mut Criterion) {
    let o = GapOptions::default();
    for seed in [240, 7] {
        let obs = noisy_optimum(240, 4, 3, seed);
        let next = moved(&obs, seed + 1);
        let (_, hint) = pareto_gap_with_hint(&obs, &o, &GapHint::default()).expect("gap");
        let cold = fastest(3, || {
            black_box(pareto_gap_with_hint(&next, &o, &GapHint::default()).expect("gap"));
        });
        let warm = fastest(3, || {
            black_box(pareto_gap_with_hint(&next, &o, &hint).expect("gap"));
        });
        eprintln!(
            "separable K=240 seed {seed}, next data (moved 1%): cold {:.1} ms, warm {:.1} ms ({} hint cycles)",
            ms(cold),
            ms(warm),
            hint.cycles.len()
        );
    }
}

/// The single-agent gap at K = 2000: one timed run (see `report`).
fn single_agent(_: &mut Criterion) {
    let obs = noisy_optimum(2000, 1, 12, 2000);
    report("single agent K=2000 N=12", &obs, 1);
}

criterion_group!(benches, separable, seeds, warm_start, single_agent);
criterion_main!(benches);
