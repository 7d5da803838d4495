//! One iteration of Algorithm 1 (THEORY §7) with K = 30 games, as the designer runs it: the
//! equilibria of both sides (2K) and of the re-evaluated iterate (K), and the three Separable
//! additive gaps, split into equilibrium time and LP time.
//!
//! Setup: the designer's default environments (`spectrum` 4 users x 2 channels, `river` 4
//! firms x 3 levels, seed 0), mechanism `corrective`, `phi = phi* / 2` (half-way to the
//! canceling transfers, where the gap is positive and the LPs do real work), perturbation
//! `c = 0.1 R` as in the designer. The summary printed before criterion runs gives, per
//! environment, the mean time of the three parts (best of five passes: the machine is shared),
//! their shares, and the floor of the LP part: the three `K x K x N` budget products
//! (`BudgetMatrix::joint`) that any exact test must compute. Criterion then samples the whole
//! iteration (one `evaluate_batch` of three queries).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rp_suite::design::game::environment::EnvironmentKind;
use rp_suite::design::game::mechanism::MechanismClass;
use rp_suite::design::lp::BudgetMatrix;
use rp_suite::design::policy::{NoiseSeed, NoisyObjective, Query};
use rp_suite::design::{DesignSettings, Designer, GapObjective, Measurement};

const K: usize = 30;

struct Case {
    name: &'static str,
    designer: Designer,
    points: [Vec<f64>; 3],
}

fn cases() -> Vec<Case> {
    [
        ("spectrum", EnvironmentKind::Spectrum),
        ("river", EnvironmentKind::River),
    ]
    .into_iter()
    .map(|(name, kind)| {
        let designer = Designer::new(DesignSettings::new(kind, MechanismClass::Corrective))
            .expect("default settings are valid");
        let star = designer.environment().canceling_phi();
        let c = designer.spsa_settings().c;
        let half: Vec<f64> = star.iter().map(|x| x / 2.0).collect();
        let shifted = |sign: f64| -> Vec<f64> {
            half.iter()
                .enumerate()
                .map(|(i, x)| x + sign * c * if i % 2 == 0 { 1.0 } else { -1.0 })
                .collect()
        };
        let points = [shifted(1.0), shifted(-1.0), half.clone()];
        Case {
            name,
            designer,
            points,
        }
    })
    .collect()
}

fn objective(case: &Case) -> GapObjective<'_> {
    GapObjective::new(
        case.designer.environment(),
        MechanismClass::Corrective,
        K,
        Measurement::Exact,
    )
}

/// `phi+` and `phi-` on one draw (common random numbers), the new iterate on another.
fn queries(case: &Case, pass: u64) -> [Query<'_>; 3] {
    let (shared, fresh) = (NoiseSeed::new(2 * pass), NoiseSeed::new(2 * pass + 1));
    [
        Query {
            theta: &case.points[0],
            noise: shared,
        },
        Query {
            theta: &case.points[1],
            noise: shared,
        },
        Query {
            theta: &case.points[2],
            noise: fresh,
        },
    ]
}

/// One pass: (equilibrium time, LP time, floor time).
fn pass(case: &Case, seed: u64) -> (Duration, Duration, Duration) {
    let mut objective = objective(case);
    let sets = objective
        .observe_batch(&queries(case, seed))
        .expect("equilibria converge");
    let start = Instant::now();
    for obs in &sets {
        black_box(BudgetMatrix::joint(&obs.set.normalized()));
    }
    let floor = start.elapsed();
    black_box(objective.gaps(&sets).expect("gaps solve"));
    let work = objective.work();
    (work.equilibrium_time, work.lp_time, floor)
}

fn summary(cases: &[Case]) {
    for case in cases {
        let best = (0..5)
            .map(|s| pass(case, s))
            .min_by_key(|(e, l, _)| *e + *l)
            .expect("five passes");
        let (eq, lp, floor) = best;
        let total = (eq + lp).as_secs_f64();
        eprintln!(
            "{}: one iteration, K = {K}: equilibria (3K = {}) {:.1} ms ({:.0}%), gap LPs (3) {:.1} ms ({:.0}%); LP floor (3 budget products K x K x N) {:.3} ms, LP / floor = {:.0}",
            case.name,
            3 * K,
            eq.as_secs_f64() * 1e3,
            100.0 * eq.as_secs_f64() / total,
            lp.as_secs_f64() * 1e3,
            100.0 * lp.as_secs_f64() / total,
            floor.as_secs_f64() * 1e3,
            lp.as_secs_f64() / floor.as_secs_f64().max(1e-12),
        );
    }
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    summary(&cases);
    let mut group = c.benchmark_group("design_iteration");
    group.sample_size(10);
    for case in &cases {
        group.bench_function(format!("{}_k{K}", case.name), |b| {
            let mut seed = 100;
            b.iter(|| {
                seed += 1;
                let mut objective = objective(case);
                black_box(
                    objective
                        .evaluate_batch(&queries(case, seed))
                        .expect("the iteration's gaps solve"),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
