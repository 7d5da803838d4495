//! GARP + CCEI for K in {100, 500, 2000}, N = 20 (issue 2), against their floor: the K x K x N
//! budget product (`BudgetMatrix::joint`) that every exact test must read. Each size also prints
//! the floor's time and the ratio of the whole test to it.
//!
//! Data: a Cobb–Douglas consumer under random probes (entries in [0.5, 2], incomes in
//! [0.8, 1.25]); in 10% of the games it misreads every price by a factor in [0.2, 5] and spends
//! its budget on the demand at the misread prices. Seeded. With N = 20 small noise on every
//! demand averages out and violates nothing, so mistakes are what make the violations (CCEI
//! below 1) that the binary search needs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_lp::{
    BudgetMatrix, ObservationSet, Tolerance, afriat_numbers, ccei, garp_violation, max_mean_cycle,
    max_mean_cycle_karp, max_money_pump,
};

const N: usize = 20;
const SIZES: [usize; 3] = [100, 500, 2000];

/// Cobb–Douglas demands with occasional misread prices (seed fixed per size).
fn noisy_data(k: usize) -> ObservationSet {
    data(k, 0.1)
}

/// Cobb–Douglas demands, a share `mistakes` of them at misread prices.
fn data(k: usize, mistakes: f64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0000 + k as u64);
    let weights: Vec<f64> = (0..N).map(|_| rng.random_range(0.1..1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut probes = Vec::with_capacity(k);
    let mut strategies = Vec::with_capacity(k);
    for _ in 0..k {
        let p: Vec<f64> = (0..N).map(|_| rng.random_range(0.5..2.0)).collect();
        let income: f64 = rng.random_range(0.8..1.25);
        let mistaken = rng.random_bool(mistakes);
        let seen: Vec<f64> = p
            .iter()
            .map(|&pi| {
                if mistaken {
                    pi * rng.random_range(0.2..5.0)
                } else {
                    pi
                }
            })
            .collect();
        let x: Vec<f64> = (0..N).map(|i| weights[i] / total / seen[i]).collect();
        // Spend exactly the income at the true prices.
        let cost: f64 = x.iter().zip(&p).map(|(a, b)| a * b).sum();
        strategies.push(x.iter().map(|xi| xi * income / cost).collect());
        probes.push(p);
    }
    ObservationSet::single_agent(probes, strategies).expect("generated data are valid")
}

/// GARP and CCEI from the data, the budget product included.
fn garp_and_ccei(d: &ObservationSet) -> (bool, f64) {
    let b = BudgetMatrix::joint(d);
    let t = Tolerance::default();
    (garp_violation(&b, t).is_none(), ccei(&b, t).value)
}

/// Median wall time of `runs` calls.
fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("classical");
    group.sample_size(10);
    for k in SIZES {
        let d = noisy_data(k);
        let (garp, index) = garp_and_ccei(&d);
        let runs = if k >= 2000 { 5 } else { 11 };
        let floor = median_time(runs, || {
            black_box(BudgetMatrix::joint(black_box(&d)));
        });
        let whole = median_time(runs, || {
            black_box(garp_and_ccei(black_box(&d)));
        });
        eprintln!(
            "K = {k:5}, N = {N}: GARP {garp}, CCEI {index:.6}; floor (K x K x N product) {:.3} ms, \
             GARP + CCEI {:.3} ms, ratio {:.2}",
            floor.as_secs_f64() * 1e3,
            whole.as_secs_f64() * 1e3,
            whole.as_secs_f64() / floor.as_secs_f64()
        );
        group.bench_with_input(BenchmarkId::new("budget_product", k), &d, |b, d| {
            b.iter(|| BudgetMatrix::joint(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("garp_ccei", k), &d, |b, d| {
            b.iter(|| garp_and_ccei(black_box(d)))
        });
    }
    group.finish();
}

/// One index computed from a budget matrix (its result discarded).
type Index = Box<dyn Fn(&BudgetMatrix)>;

/// The other indices at K = 500 (given the budget matrix, so the product is not counted), each
/// printed as a multiple of the product's time.
fn bench_indices(c: &mut Criterion) {
    const K: usize = 500;
    let t = Tolerance::default();
    let noisy = BudgetMatrix::joint(&noisy_data(K));
    let consistent_data = data(K, 0.0);
    let consistent = BudgetMatrix::joint(&consistent_data);
    let floor = median_time(11, || {
        black_box(BudgetMatrix::joint(black_box(&consistent_data)));
    });
    let mut group = c.benchmark_group("classical_indices_k500");
    group.sample_size(10);
    let cases: [(&str, &BudgetMatrix, Index); 4] = [
        (
            "afriat_numbers",
            &consistent,
            Box::new(move |b| {
                black_box(afriat_numbers(b, t));
            }),
        ),
        (
            "max_money_pump",
            &noisy,
            Box::new(move |b| {
                black_box(max_money_pump(b, t));
            }),
        ),
        (
            "max_mean_cycle_howard",
            &noisy,
            Box::new(|b| {
                black_box(max_mean_cycle(b));
            }),
        ),
        (
            "max_mean_cycle_karp",
            &noisy,
            Box::new(|b| {
                black_box(max_mean_cycle_karp(b));
            }),
        ),
    ];
    for (name, b, run) in &cases {
        let time = median_time(5, || run(b));
        eprintln!(
            "K = {K}, N = {N}: {name} {:.3} ms = {:.2} x the product ({:.3} ms)",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() / floor.as_secs_f64(),
            floor.as_secs_f64() * 1e3
        );
        group.bench_function(*name, |bench| bench.iter(|| run(b)));
    }
    group.finish();
}

criterion_group!(benches, bench, bench_indices);
criterion_main!(benches);
