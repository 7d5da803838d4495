//! Cost of one SPSA iteration (rp-policy) beyond the objective's own evaluations.
//!
//! Floor: an iteration with default tracking makes three evaluations (`phi+`, `phi-`, the
//! re-evaluation of `phi_{t+1}`); no implementation can be cheaper than those. On a cheap
//! quadratic the bench prints the floor's time and the ratio of a full step to it, i.e. the
//! optimizer's own overhead (perturbation, projection, streams, the transactional state copy,
//! the report). For rp-design, whose evaluation is 2K equilibrium solves and an LP, the ratio is
//! 1 to within measurement noise.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::RngExt;
use rp_suite::policy::{NoiseSeed, NoisyObjective, ParameterBox, Spsa, SpsaSettings};

/// `sum_i (phi_i - 0.1 xi_i)^2`, one normal-ish draw per coordinate from the seed.
struct Quadratic;

impl NoisyObjective for Quadratic {
    type Error = Infallible;

    fn evaluate(&mut self, phi: &[f64], noise: NoiseSeed) -> Result<f64, Infallible> {
        let mut rng = noise.rng();
        Ok(phi
            .iter()
            .map(|p| (p - 0.1 * rng.random_range(-1.0..1.0)).powi(2))
            .sum())
    }
}

const DIMS: [usize; 3] = [2, 16, 128];

fn optimizer(d: usize) -> Spsa {
    let space = ParameterBox::cube(d, -1.0, 1.0).expect("valid cube");
    Spsa::new(SpsaSettings::annealed(1000, 0.1), space, vec![0.5; d], 1).expect("valid setup")
}

/// Seconds per call of `f`: the fastest of five rounds of `n` calls after one warm-up round
/// (the machine is shared, so the minimum is the least disturbed estimate).
fn seconds_per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let mut round = || {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        start.elapsed().as_secs_f64() / f64::from(n)
    };
    round();
    (0..5).map(|_| round()).fold(f64::INFINITY, f64::min)
}

fn print_floor_ratios() {
    for d in DIMS {
        let n = 10_000;
        let mut spsa = optimizer(d);
        let step = seconds_per_call(n, || {
            black_box(spsa.step(&mut Quadratic).expect("infallible"));
        });
        let phi = vec![0.5; d];
        let mut k = 0u64;
        let floor = seconds_per_call(n, || {
            for _ in 0..3 {
                k += 1;
                black_box(
                    Quadratic
                        .evaluate(black_box(&phi), NoiseSeed::new(k))
                        .expect("infallible"),
                );
            }
        });
        eprintln!(
            "spsa step d = {d}: {:.2} us; floor (3 evaluations) {:.2} us; ratio {:.2}; overhead {:.2} us",
            step * 1e6,
            floor * 1e6,
            step / floor,
            (step - floor) * 1e6
        );
    }
}

fn bench_step(c: &mut Criterion) {
    print_floor_ratios();
    let mut group = c.benchmark_group("spsa_step");
    for d in DIMS {
        let mut spsa = optimizer(d);
        group.bench_with_input(BenchmarkId::new("annealed", d), &d, |b, _| {
            b.iter(|| black_box(spsa.step(&mut Quadratic).expect("infallible")));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_step
}
criterion_main!(benches);
