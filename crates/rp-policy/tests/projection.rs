//! Property tests: projection onto the box, and every point SPSA evaluates or visits stays in
//! the box whatever the loss does.

use std::convert::Infallible;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_policy::{NoiseSeed, ParameterBox, Spsa, SpsaSettings, StepGain, from_fn};

/// A box of dimension 1..=4 with bounds in [-10, 10] and widths in [0, 5] (0: a fixed coordinate).
fn boxes() -> impl Strategy<Value = ParameterBox> {
    prop::collection::vec((-10.0..10.0f64, prop_oneof![Just(0.0), 0.0..5.0f64]), 1..=4).prop_map(
        |bounds| {
            let lower: Vec<f64> = bounds.iter().map(|b| b.0).collect();
            let upper: Vec<f64> = bounds.iter().map(|b| b.0 + b.1).collect();
            ParameterBox::new(lower, upper).expect("finite, ordered bounds")
        },
    )
}

/// Coordinates anywhere, including far outside and infinite.
fn coordinate() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e3..1e3f64,
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -1e300..1e300f64
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    #[test]
    fn projection_is_the_nearest_point_of_the_box(
        (phi_box, x, y) in boxes().prop_flat_map(|b| {
            let d = b.dim();
            (Just(b), prop::collection::vec(coordinate(), d), prop::collection::vec(0.0..=1.0f64, d))
        })
    ) {
        let p = phi_box.projected(&x).expect("no NaN");
        prop_assert!(phi_box.contains(&p));
        prop_assert_eq!(phi_box.projected(&p).expect("no NaN"), p.clone(), "idempotent");
        // Any point q of the box is no closer to x, coordinate by coordinate.
        let q: Vec<f64> = phi_box.lower().iter().zip(phi_box.upper()).zip(&y).map(|((l, u), s)| l + s * (u - l)).collect();
        for i in 0..x.len() {
            prop_assert!((x[i] - p[i]).abs() <= (x[i] - q[i]).abs());
        }
        if phi_box.contains(&x) {
            prop_assert_eq!(p, x, "points of the box are fixed");
        }
    }

    #[test]
    fn spsa_never_leaves_the_box(
        (phi_box, start, slope) in boxes().prop_flat_map(|b| {
            let d = b.dim();
            (Just(b), prop::collection::vec(0.0..=1.0f64, d), prop::collection::vec(-1e6..1e6f64, d))
        }),
        a in 1e-3..10.0f64,
        c in 1e-3..3.0f64,
        b in prop_oneof![Just(0.0), 0.0..5.0f64],
        seed in any::<u64>(),
    ) {
        let phi_0: Vec<f64> = phi_box.lower().iter().zip(phi_box.upper()).zip(&start).map(|((l, u), s)| l + s * (u - l)).collect();
        let phi_0 = phi_box.projected(&phi_0).expect("finite");
        let settings = SpsaSettings { a: StepGain::Fixed(a), c, b, ..SpsaSettings::plain(15) };
        let mut spsa = Spsa::new(settings, phi_box.clone(), phi_0, seed).expect("valid setup");
        // A steep, noisy linear loss pushes iterates hard against the walls.
        let mut objective = from_fn(|phi: &[f64], noise: NoiseSeed| {
            let jitter = (noise.value() % 1000) as f64;
            Ok::<f64, Infallible>(phi.iter().zip(&slope).map(|(p, s)| p * s).sum::<f64>() + jitter)
        });
        for _ in 0..15 {
            let r = spsa.step(&mut objective).expect("infallible");
            prop_assert!(phi_box.contains(&r.phi_plus) && phi_box.contains(&r.phi_minus));
            prop_assert!(phi_box.contains(&r.next_phi));
        }
    }
}
