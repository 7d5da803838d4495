//! Properties of the robust gap on generated data (THEORY §8): the exchange method and the
//! closed form agree, radius 0 is the nominal gap, the gap grows with the radius and bounds the
//! gap of every profile in the balls, certificates verify, probe rescaling changes nothing.

mod common;

use common::{mixed_data, perturbed};
use proptest::prelude::*;
use rp_lp::{Backend, GapOptions, ObservationSet, Structure, additive_gap};
use rp_robust::{
    AmbiguitySpec, GroundMetric, Method, MetricMatrix, Oracle, RobustError, RobustGap,
    RobustOptions, robust_gap,
};

const STRUCTURES: [Structure; 3] = [Structure::Separable, Structure::PerAgent, Structure::Joint];

fn opts(structure: Structure, method: Method) -> RobustOptions {
    RobustOptions {
        structure,
        method,
        ..RobustOptions::default()
    }
}

/// The robust gap, asserting that its certificate verifies.
fn verified(d: &ObservationSet, spec: &AmbiguitySpec, o: &RobustOptions) -> RobustGap {
    let g = robust_gap(d, spec, o).expect("robust gap");
    let v = g.verification.as_ref().expect("verification requested");
    assert!(v.verified, "{:?} {:?}: {v:?}", o.structure, o.method);
    assert!(g.lower_bound <= g.value + 1e-9 * (1.0 + g.value));
    g
}

fn nominal(d: &ObservationSet, structure: Structure, backend: Backend) -> f64 {
    let o = GapOptions {
        structure,
        backend,
        ..GapOptions::default()
    };
    additive_gap(d, &o).expect("nominal gap").value
}

/// A metric on `m` outcomes: points on a line at random positions (so the triangle inequality
/// holds), the null action last.
fn line_metric(positions: &[f64]) -> GroundMetric {
    let rows = positions
        .iter()
        .map(|a| positions.iter().map(|b| (a - b).abs()).collect())
        .collect();
    GroundMetric::Matrix(MetricMatrix::new(rows).expect("distinct points on a line"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Acceptance (issue 5): the exchange method on explicit scenarios, with worst cases from
    /// the transport LP, equals the closed form with greedy support functions to 1e-8, for
    /// every structure.
    #[test]
    fn exchange_equals_closed_form(d in mixed_data(2..=7, 1..=3), rho in 0.0f64..0.15) {
        let spec = AmbiguitySpec::wasserstein(rho);
        for structure in STRUCTURES {
            let closed = verified(&d, &spec, &opts(structure, Method::ClosedForm));
            let exchange = RobustOptions {
                oracle: Oracle::TransportLp,
                ..opts(structure, Method::Exchange)
            };
            let ex = verified(&d, &spec, &exchange);
            let (a, b) = (closed.value, ex.value);
            prop_assert!((a - b).abs() <= 1e-8, "{structure:?}: {a} vs {b}");
            let stats = ex.exchange.expect("exchange statistics");
            prop_assert!(stats.final_violation <= 1e-6, "{stats:?}");
        }
    }

    /// The same agreement under user ground metrics (both methods then use transport LPs).
    #[test]
    fn exchange_equals_closed_form_under_a_line_metric(
        d in mixed_data(2..=5, 1..=2),
        rho in 0.0f64..0.2,
        spread in 0.5f64..2.0,
    ) {
        let metrics = d.agents().iter().map(|a| {
            let positions: Vec<f64> = (0..=a.actions)
                .map(|x| spread * x as f64 + 0.1 * (x * x) as f64)
                .collect();
            line_metric(&positions)
        }).collect();
        let spec = AmbiguitySpec::wasserstein(rho).with_metrics(metrics);
        let closed = verified(&d, &spec, &opts(Structure::Separable, Method::ClosedForm));
        let ex = verified(&d, &spec, &opts(Structure::Separable, Method::Exchange));
        prop_assert!((closed.value - ex.value).abs() <= 1e-8, "{} vs {}", closed.value, ex.value);
    }

    /// Acceptance (issue 5): radius 0 is the nominal gap of rp-lp, for both backends and every
    /// structure (the programs are the same; only the solvers' round-off differs).
    #[test]
    fn radius_zero_is_the_nominal_gap(d in mixed_data(2..=8, 1..=3)) {
        for backend in [Backend::Clarabel, Backend::Microlp] {
            for structure in STRUCTURES {
                let o = RobustOptions { backend, ..opts(structure, Method::ClosedForm) };
                let g = verified(&d, &AmbiguitySpec::wasserstein(0.0), &o);
                let n = nominal(&d, structure, backend);
                let v = g.value;
                prop_assert!((v - n).abs() <= 1e-8, "{backend:?} {structure:?}: {v} vs {n}");
                prop_assert_eq!(g.nominal, Some(n));
            }
        }
    }

    /// The robust gap is at least the nominal gap and grows with the radius (nested balls).
    #[test]
    fn monotone_in_the_radius(
        d in mixed_data(2..=7, 1..=3),
        radii in prop::collection::vec(0.0f64..0.2, 3),
    ) {
        let mut radii = radii;
        radii.sort_by(f64::total_cmp);
        for structure in STRUCTURES {
            let n = nominal(&d, structure, Backend::Clarabel);
            let mut previous = n;
            for &rho in &radii {
                let spec = AmbiguitySpec::wasserstein(rho);
                let v = verified(&d, &spec, &opts(structure, Method::ClosedForm)).value;
                prop_assert!(v >= previous - 1e-8, "{structure:?} rho {rho}: {v} < {previous}");
                previous = v;
            }
        }
    }

    /// Every profile in the balls has a nominal gap at most the robust gap (the deterministic
    /// core of the coverage claim), for random profiles on and inside the L1 balls.
    #[test]
    fn bounds_the_gap_of_every_profile_in_the_balls(
        d in mixed_data(2..=6, 1..=3),
        eps in 0.0f64..0.3,
        seed in any::<u64>(),
    ) {
        for structure in [Structure::Separable, Structure::Joint] {
            let o = opts(structure, Method::ClosedForm);
            let g = match robust_gap(&d, &AmbiguitySpec::l1(eps), &o) {
                Err(RobustError::NullInBall { .. }) => continue,
                other => other.expect("robust gap"),
            };
            for s in 0..4 {
                let moved = perturbed(&d, eps, seed.wrapping_add(s));
                let n = nominal(&moved, structure, Backend::Clarabel);
                let v = g.value;
                prop_assert!(n <= v + 1e-8, "{structure:?}: L(D') = {n} > L_rob = {v}");
            }
        }
    }

    /// THEORY §1/§4: multiplying any probe by a positive constant changes no gap.
    #[test]
    fn invariant_under_probe_rescaling(
        d in mixed_data(2..=6, 1..=3),
        rho in 0.0f64..0.1,
        factors in prop::collection::vec(prop_oneof![Just(1e-6), Just(1e6), 0.1f64..10.0], 6),
    ) {
        let probes: Vec<Vec<f64>> = (0..d.len())
            .map(|k| d.probe(k).iter().map(|a| a * factors[k % factors.len()]).collect())
            .collect();
        let strategies = (0..d.len()).map(|k| d.strategy(k).to_vec()).collect();
        let scaled = ObservationSet::new(d.agents().to_vec(), probes, strategies).unwrap();
        let spec = AmbiguitySpec::wasserstein(rho);
        let a = verified(&d, &spec, &RobustOptions::default());
        let b = verified(&scaled, &spec, &RobustOptions::default());
        let (a, b) = (a.value, b.value);
        prop_assert!((a - b).abs() <= 1e-8 * (1.0 + a), "{a} vs {b}");
    }
}

/// One agent, two actions, two games that violate GARP (computed by hand):
/// `alpha_1 = (1, 2)`, `beta_1 = (0.1, 0.4)`, `e_1 = 0.9`; `alpha_2 = (2, 1)`, `beta_2 =
/// (0.4, 0.1)`, `e_2 = 0.9`; each bundle costs 0.6 at the other's prices.
fn two_game_cycle() -> ObservationSet {
    ObservationSet::single_agent(
        vec![vec![1.0, 2.0], vec![2.0, 1.0]],
        vec![vec![0.1, 0.4], vec![0.4, 0.1]],
    )
    .unwrap()
}

#[test]
fn two_game_cycle_by_hand() {
    // Normalized probes a_1 = (1, 2) / 0.9, a_2 = (2, 1) / 0.9; outcome distributions (null
    // last) q_1 = (0.1, 0.4, 0.5), q_2 = (0.4, 0.1, 0.5). TV radius rho = 0.05 (0-1 metric).
    //
    // Row 1 -> 2: max a_1 . q over B_1 moves 0.05 from the null (value 0) onto action 1 (value
    // 2 / 0.9): (0.9 + 0.1) / 0.9 = 1.1111; min a_1 . q over B_2 moves 0.05 from action 1
    // (value 2 / 0.9) to the null: (0.6 - 0.1) / 0.9 = 0.5556. D_12 = (0.5 - 1.0) / 0.9 =
    // -5/9. By symmetry D_21 = -5/9.
    // Worst-case expenditure: min a_k . q over B_k moves 0.05 from the dearest action to the
    // null: (0.9 - 0.1) / 0.9 = 8/9 for both games.
    // The program: u_2 - u_1 + lambda_1 (5/9) / (8/9) <= t, u_1 - u_2 + lambda_2 (5/8) <= t,
    // lambda >= 1: adding the rows, 2t >= (5/8)(lambda_1 + lambda_2) >= 5/4, so L_rob = 5/8.
    // Nominal: D = -1/3, E = 1: L = 1/3.
    let d = two_game_cycle();
    for method in [Method::ClosedForm, Method::Exchange] {
        let g = verified(
            &d,
            &AmbiguitySpec::wasserstein(0.05),
            &opts(Structure::Separable, method),
        );
        assert!((g.value - 0.625).abs() < 1e-9, "{method:?}: {}", g.value);
        assert!((g.nominal.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        let floors: Vec<f64> = g.certificate.floors.iter().map(|f| f.expenditure).collect();
        assert!(
            floors.iter().all(|e| (e - 8.0 / 9.0).abs() < 1e-12),
            "{floors:?}"
        );
    }
    // Exchange statistics, by hand: the first LP has only the empirical floors (t = 0, any
    // lambda >= 1); both rows are violated there (add 2 row scenarios), and both worst-case
    // floors are short of 1 (add 2 floor scenarios) unless the solver chose lambda >= 9/8, in
    // which case they are added after the second LP. Then the LP is the whole robust program
    // and nothing is violated: 2 or 3 iterations, 2 + 2 scenarios.
    let ex = verified(
        &d,
        &AmbiguitySpec::wasserstein(0.05),
        &opts(Structure::Separable, Method::Exchange),
    );
    let stats = ex.exchange.unwrap();
    assert_eq!(
        (stats.scenarios, stats.floor_scenarios),
        (2, 2),
        "{stats:?}"
    );
    assert!((2..=3).contains(&stats.iterations), "{stats:?}");
}

#[test]
fn radius_from_samples_and_json_round_trip() {
    let d = two_game_cycle();
    // m = 3, K = 2: W = 2 (8 - 2) = 12; S = 10000, delta = 0.05:
    // eps = sqrt(2 ln(12 / 0.05) / 10000) = sqrt(2 ln 240 / 10^4) = 0.033111...; rho = eps / 2.
    let g = verified(
        &d,
        &AmbiguitySpec::confidence(10_000, 0.05),
        &RobustOptions::default(),
    );
    let eps = (2.0 * 240f64.ln() / 1e4).sqrt();
    assert!((g.radius.l1.unwrap() - eps).abs() < 1e-15);
    assert_eq!(g.radius.wasserstein, vec![eps / 2.0]);
    assert_eq!(
        (g.radius.samples, g.radius.delta),
        (Some(10_000), Some(0.05))
    );
    assert!(g.value > g.nominal.unwrap());
    let json = serde_json::to_string(&g).unwrap();
    let back: RobustGap = serde_json::from_str(&json).unwrap();
    assert_eq!(back, g);
}

#[test]
fn typed_errors_for_bad_input() {
    let d = two_game_cycle();
    // A W1 radius of 0.6 lets every game's strategy reach the null action (active mass 0.5).
    assert_eq!(
        robust_gap(
            &d,
            &AmbiguitySpec::wasserstein(0.6),
            &RobustOptions::default()
        )
        .map(|g| g.value),
        Err(RobustError::NullInBall { obs: 0 })
    );
    let one = d.select(&[0]).unwrap();
    assert!(matches!(
        robust_gap(
            &one,
            &AmbiguitySpec::wasserstein(0.1),
            &RobustOptions::default()
        ),
        Err(RobustError::Data(_))
    ));
    let bundles = ObservationSet::single_agent(
        vec![vec![1.0, 1.0]; 2],
        vec![vec![2.0, 0.5], vec![0.5, 2.0]],
    )
    .unwrap();
    assert!(matches!(
        robust_gap(
            &bundles,
            &AmbiguitySpec::wasserstein(0.1),
            &RobustOptions::default()
        ),
        Err(RobustError::NotAStrategy {
            obs: 0,
            agent: 0,
            ..
        })
    ));
    let capped = RobustOptions {
        max_iterations: 1,
        ..opts(Structure::Separable, Method::Exchange)
    };
    assert!(matches!(
        robust_gap(&d, &AmbiguitySpec::wasserstein(0.05), &capped),
        Err(RobustError::NoConvergence { iterations: 1, .. })
    ));
    let zero = RobustOptions {
        max_iterations: 0,
        ..RobustOptions::default()
    };
    assert!(matches!(
        robust_gap(&d, &AmbiguitySpec::wasserstein(0.05), &zero),
        Err(RobustError::InvalidOption(_))
    ));
}

#[test]
fn tampered_certificates_fail_verification() {
    let d = two_game_cycle();
    let balls = rp_robust::ProductBalls::new(&d, &AmbiguitySpec::wasserstein(0.05)).unwrap();
    let g = verified(
        &d,
        &AmbiguitySpec::wasserstein(0.05),
        &RobustOptions::default(),
    );
    let tol = rp_lp::Tolerance::default();
    // A slack below the gap breaks a robust row.
    let mut low = g.certificate.clone();
    low.primal.slack = 0.5;
    assert!(!rp_robust::verify_robust(&d, &balls, &low, tol).verified);
    // A scenario outside its ball: the whole mass on action 0.
    let mut outside = g.certificate.clone();
    let dual = outside.dual.as_mut().unwrap();
    dual.weights[0].bundle[0] = vec![1.0, 0.0, 0.0];
    assert!(!rp_robust::verify_robust(&d, &balls, &outside, tol).verified);
    // A floor scenario that is not the cheapest one in its ball.
    let mut floor = g.certificate.clone();
    floor.floors[0].distributions[0] = vec![0.1, 0.4, 0.5];
    floor.floors[0].expenditure = 1.0;
    assert!(!rp_robust::verify_robust(&d, &balls, &floor, tol).verified);
}

/// Same data, same answer, whatever the thread count (the worst-case table and the verifier
/// run in parallel, entry by entry).
#[test]
fn thread_count_does_not_change_the_answer() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let d = common::mixed_data_with(30, vec![2, 1, 2])
        .new_tree(&mut runner)
        .expect("a data set")
        .current();
    let spec = AmbiguitySpec::l1(0.1);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| {
            let o = opts(Structure::Separable, Method::Exchange);
            serde_json::to_string(&robust_gap(&d, &spec, &o).expect("robust gap")).unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one, run(3));
    assert!(one.contains("\"verified\":true"));
}
