//! Annealed SPSA reaches the global basin of a tilted double well more often than plain SPSA.
//!
//! `f(x) = (x^2 - 1)^2 + 0.3 x` on `[-2, 2]`, observed at `x + 0.1 xi`, `xi ~ N(0, 1)` from the
//! noise seed: global minimum near -1.04 (f = -0.31), local near 0.96 (f = 0.29), barrier near
//! 0.075 (f = 1.02). `T = 200`, `a = 0.1`, `c = 0.1`; annealed: `b = 0.8`. "In the global basin"
//! means left of the barrier.
//!
//! Measured when the tests were written (the tests' own seeds; rates printed on stderr):
//! - start in the local basin (x_0 = 1, 100 seeds): plain 0.00 for both the final and the best
//!   iterate (its steps never cross the barrier); annealed 0.53 final, 0.64 best.
//! - uniform random starts (200 seeds): plain 0.52 (final = best: it stays in its starting
//!   basin); annealed 0.57 final, 0.735 best. So with the THEORY §7 schedule the annealing noise
//!   cools fast (`b_t^2 / a_t` decays like a power of `t`, not like `1 / ln t`): it explores
//!   early, and the gain shows in the best iterate kept by re-evaluation, not in the final one.

mod common;

use common::TiltedDoubleWell;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_policy::{ParameterBox, Spsa, SpsaSettings, StepGain};

const WELL: TiltedDoubleWell = TiltedDoubleWell {
    tilt: 0.3,
    shift: 0.1,
};

/// Fractions of seeds whose (final, best) iterate ends in the global basin.
fn global_rates(b: f64, seeds: u64, start: impl Fn(u64) -> f64) -> (f64, f64) {
    let barrier = WELL.barrier();
    let (mut final_global, mut best_global) = (0, 0);
    for seed in 0..seeds {
        let space = ParameterBox::cube(1, -2.0, 2.0).expect("valid box");
        let settings = SpsaSettings {
            a: StepGain::Fixed(0.1),
            c: 0.1,
            ..SpsaSettings::annealed(200, b)
        };
        let mut spsa = Spsa::new(settings, space, vec![start(seed)], seed).expect("valid setup");
        let report = spsa
            .run(&mut WELL.clone(), &mut ())
            .expect("infallible objective");
        final_global += usize::from(report.final_phi[0] < barrier);
        best_global += usize::from(report.best.phi[0] < barrier);
    }
    (
        final_global as f64 / seeds as f64,
        best_global as f64 / seeds as f64,
    )
}

#[test]
fn well_geometry_is_as_documented() {
    // f'(x) = 4x^3 - 4x + 0.3 = 0 at the barrier; f(-1.04) < f(0.96) < f(barrier).
    let barrier = WELL.barrier();
    assert!((barrier - 0.0754).abs() < 1e-3, "barrier {barrier}");
    assert!(WELL.value(-1.04) < -0.3 && WELL.value(0.96) > 0.28 && WELL.value(barrier) > 1.0);
}

#[test]
fn annealing_escapes_the_local_basin_that_traps_plain_spsa() {
    let seeds = 100;
    let (plain_final, plain_best) = global_rates(0.0, seeds, |_| 1.0);
    let (annealed_final, annealed_best) = global_rates(0.8, seeds, |_| 1.0);
    eprintln!(
        "local start: plain {plain_final} / {plain_best}, annealed {annealed_final} / {annealed_best}"
    );
    assert!(
        plain_final <= 0.05 && plain_best <= 0.05,
        "plain: {plain_final}, {plain_best}"
    );
    assert!(
        annealed_final >= plain_final + 0.3,
        "final: annealed {annealed_final}, plain {plain_final}"
    );
    assert!(
        annealed_best >= plain_best + 0.4,
        "best: annealed {annealed_best}, plain {plain_best}"
    );
}

#[test]
fn annealing_finds_the_global_basin_more_often_from_random_starts() {
    // 200 seeds: the standard deviation of a difference of two rates is about 0.05, the
    // measured difference of the best-iterate rates 0.215; the asserted margin is 0.1.
    let seeds = 200;
    let start = |seed: u64| ChaCha8Rng::seed_from_u64(seed ^ 0x5eed).random_range(-2.0..2.0);
    let (plain_final, plain_best) = global_rates(0.0, seeds, start);
    let (annealed_final, annealed_best) = global_rates(0.8, seeds, start);
    eprintln!(
        "random starts: plain {plain_final} / {plain_best}, annealed {annealed_final} / {annealed_best}"
    );
    assert!(
        annealed_best >= plain_best + 0.1,
        "best: annealed {annealed_best}, plain {plain_best}"
    );
}
