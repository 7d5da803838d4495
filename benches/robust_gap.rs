//! The robust Pareto gap (rp-robust, THEORY §8) against the nominal gap (rp-lp) on the same
//! empirical data: K = 50 and 100 games, M = 4 agents with 2 actions each (N = 8), random
//! probes in [0.5, 2] and random mixed strategies (active mass in [0.5, 1]), balls from
//! S = 1000 samples at delta = 0.1 (L1 radius 0.13–0.14, W1 radius half of it, 0-1 metric).
//! Each line prints the nominal gap's time, the robust gap's (closed form; exchange method;
//! closed form with its certificate verified), their ratios, and the floor of any exact test,
//! the K x K x N budget product (`BudgetMatrix::joint`). Criterion then samples the nominal
//! and closed-form robust gaps.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_suite::lp::{Agent, BudgetMatrix, GapOptions, ObservationSet, additive_gap};
use rp_suite::robust::{AmbiguitySpec, Method, RobustOptions, robust_gap};

const AGENTS: usize = 4;
const ACTIONS: usize = 2;

/// `k` games of random probes and mixed strategies (seeded).
fn mixed(k: usize, seed: u64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = AGENTS * ACTIONS;
    let mut probes = Vec::with_capacity(k);
    let mut strategies = Vec::with_capacity(k);
    for _ in 0..k {
        probes.push(
            (0..n)
                .map(|_| rng.random_range(0.5..2.0))
                .collect::<Vec<f64>>(),
        );
        let mut row = Vec::with_capacity(n);
        for _ in 0..AGENTS {
            let w: Vec<f64> = (0..ACTIONS).map(|_| rng.random_range(0.05..1.0)).collect();
            let active = rng.random_range(0.5..1.0) / w.iter().sum::<f64>();
            row.extend(w.iter().map(|x| x * active));
        }
        strategies.push(row);
    }
    let agents = (0..AGENTS)
        .map(|i| Agent::new(format!("a{i}"), ACTIONS))
        .collect();
    ObservationSet::new(agents, probes, strategies).expect("generated data are valid")
}

fn options(method: Method, verify: bool) -> RobustOptions {
    RobustOptions {
        method,
        verify,
        nominal: false,
        ..RobustOptions::default()
    }
}

/// Mean wall time of `f` over `reps` runs.
fn time(reps: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed() / reps
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints the comparison line for one data set.
fn report(k: usize, obs: &ObservationSet, spec: &AmbiguitySpec) {
    let floor = time(20, || {
        black_box(BudgetMatrix::joint(obs));
    });
    let mut nominal = None;
    let t_nominal = time(3, || {
        nominal = additive_gap(obs, &GapOptions::default()).ok()
    });
    let mut robust = None;
    let t_closed = time(3, || {
        robust = robust_gap(obs, spec, &options(Method::ClosedForm, false)).ok()
    });
    let mut exchange = None;
    let t_exchange = time(3, || {
        exchange = robust_gap(obs, spec, &options(Method::Exchange, false)).ok()
    });
    let mut verified = None;
    let t_verified = time(3, || {
        verified = robust_gap(obs, spec, &options(Method::ClosedForm, true)).ok()
    });
    let value = |g: &Option<rp_suite::robust::RobustGap>| g.as_ref().map_or(f64::NAN, |g| g.value);
    eprintln!(
        "K={k} M={AGENTS} N={}: nominal {:.4} in {:.1} ms ({} rows) | robust (W1 radius \
         {:.4}) {:.4}: closed form {:.1} ms ({} rows, ratio {:.1}), exchange {:.1} ms ({:?}, \
         ratio {:.1}, value {:.4}), closed form + verification {:.1} ms (verified {}) | floor \
         (K x K x N product) {:.3} ms, closed form / floor {:.0}",
        obs.dim(),
        nominal.as_ref().map_or(f64::NAN, |g| g.value),
        ms(t_nominal),
        nominal.as_ref().map_or(0, |g| g.rows),
        robust
            .as_ref()
            .map_or(f64::NAN, |g| g.radius.wasserstein[0]),
        value(&robust),
        ms(t_closed),
        robust.as_ref().map_or(0, |g| g.rows),
        t_closed.as_secs_f64() / t_nominal.as_secs_f64(),
        ms(t_exchange),
        exchange.as_ref().and_then(|g| g.exchange),
        t_exchange.as_secs_f64() / t_nominal.as_secs_f64(),
        value(&exchange),
        ms(t_verified),
        verified
            .as_ref()
            .and_then(|g| g.verification.as_ref())
            .is_some_and(|v| v.verified),
        ms(floor),
        t_closed.as_secs_f64() / floor.as_secs_f64(),
    );
}

fn robust_vs_nominal(c: &mut Criterion) {
    let mut group = c.benchmark_group("robust_gap_m4_n8");
    group.sample_size(10);
    let spec = AmbiguitySpec::confidence(1000, 0.1);
    for k in [50, 100] {
        let obs = mixed(k, k as u64);
        report(k, &obs, &spec);
        group.bench_function(format!("nominal K={k}"), |b| {
            b.iter(|| additive_gap(black_box(&obs), &GapOptions::default()))
        });
        group.bench_function(format!("robust closed form K={k}"), |b| {
            b.iter(|| robust_gap(black_box(&obs), &spec, &options(Method::ClosedForm, false)))
        });
    }
    group.finish();
}

criterion_group!(benches, robust_vs_nominal);
criterion_main!(benches);
