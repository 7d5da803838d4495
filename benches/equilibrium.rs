//! Variational equilibria and social optima of the `spectrum` and `river` environments for
//! K = 100 random probes (the designer solves 2K of these per iteration).
//!
//! Floor: one natural-residual evaluation (one VI-map evaluation and one exact projection), the
//! least work that can certify any candidate profile. The summary printed before the criterion
//! runs gives the time per solve, the floor and their ratio (solver work in floor units), and
//! the mean iteration count.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rp_game::concave::{ConcaveGame, residual_of};
use rp_game::environment::{Environment, EnvironmentConfig, EnvironmentKind};
use rp_game::mechanism::MechanismClass;

const K: usize = 100;

struct Case {
    name: &'static str,
    env: Environment,
    probes: Vec<Vec<f64>>,
    phi: Vec<f64>,
}

fn cases() -> Vec<Case> {
    [
        ("spectrum", EnvironmentKind::Spectrum),
        ("river", EnvironmentKind::River),
    ]
    .into_iter()
    .map(|(name, kind)| {
        let env = Environment::new(&EnvironmentConfig::new(kind, 0)).expect("default env builds");
        let probes = env.draw_probes(K, &mut ChaCha8Rng::seed_from_u64(42));
        let phi = vec![0.0; env.mechanism(MechanismClass::Prices).dim()];
        Case {
            name,
            env,
            probes,
            phi,
        }
    })
    .collect()
}

fn solve_all(case: &Case, warm: bool) -> usize {
    let mut previous: Option<Vec<f64>> = None;
    let mut iterations = 0;
    for p in &case.probes {
        let start = if warm { previous.as_deref() } else { None };
        let eq = case
            .env
            .equilibrium(p, MechanismClass::Prices, &case.phi, start)
            .expect("benchmark equilibria converge");
        iterations += eq.iterations;
        previous = Some(eq.profile);
    }
    iterations
}

fn optimize_all(case: &Case) {
    for p in &case.probes {
        black_box(case.env.social_optimum(p, None).expect("optima converge"));
    }
}

/// One natural-residual evaluation per probe, at the equilibrium profiles.
fn floor_all(case: &Case, profiles: &[Vec<f64>]) {
    let game = case
        .env
        .game(MechanismClass::Prices, &case.phi)
        .expect("phi = 0 is in the box");
    for (p, beta) in case.probes.iter().zip(profiles) {
        let set = case.env.feasible_set(p).expect("drawn probes are valid");
        let map = |b: &[f64], out: &mut [f64]| {
            game.pseudo_gradient(b, out);
            out.iter_mut().for_each(|v| *v = -*v);
        };
        black_box(residual_of(map, &set, beta).expect("valid profile"));
    }
}

fn report_floor(case: &Case) {
    let profiles: Vec<Vec<f64>> = case
        .probes
        .iter()
        .map(|p| {
            case.env
                .equilibrium(p, MechanismClass::Prices, &case.phi, None)
                .expect("benchmark equilibria converge")
                .profile
        })
        .collect();
    // Best of a few passes: the machine is shared, and the minimum is the least disturbed.
    let mut iterations = 0;
    let per_solve = best_of(5, || iterations = solve_all(case, false)) / K as f64;
    let reps = 20;
    let floor = best_of(5, || {
        for _ in 0..reps {
            floor_all(case, &profiles);
        }
    }) / (reps * K) as f64;
    eprintln!(
        "{}: {:.1} us per equilibrium ({:.2} ms per {K}), mean {:.0} iterations; floor (one residual evaluation) {:.3} us; ratio {:.0}",
        case.name,
        per_solve * 1e6,
        per_solve * 1e3 * K as f64,
        iterations as f64 / K as f64,
        floor * 1e6,
        per_solve / floor
    );
}

/// The shortest of `passes` timings of `work`, in seconds.
fn best_of(passes: usize, mut work: impl FnMut()) -> f64 {
    (0..passes)
        .map(|_| {
            let t = Instant::now();
            work();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    for case in &cases {
        report_floor(case);
    }
    let mut group = c.benchmark_group("equilibrium_k100");
    group.sample_size(10);
    for case in &cases {
        group.bench_function(format!("{}/equilibria", case.name), |b| {
            b.iter(|| solve_all(case, false))
        });
        group.bench_function(format!("{}/equilibria_warm", case.name), |b| {
            b.iter(|| solve_all(case, true))
        });
        group.bench_function(format!("{}/social_optima", case.name), |b| {
            b.iter(|| optimize_all(case))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
