//! Tests of the reference environments: determinism, cancellation at `phi*`, inefficiency at
//! `phi = 0`, monotonicity of `F`, activity at the corners of the prices box, input errors.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::concave::residual_of;

const KINDS: [EnvironmentKind; 2] = [EnvironmentKind::Spectrum, EnvironmentKind::River];

fn env(kind: EnvironmentKind, seed: u64) -> Environment {
    Environment::new(&EnvironmentConfig::new(kind, seed)).expect("default environments build")
}

fn probes(e: &Environment, k: usize, seed: u64) -> Vec<Vec<f64>> {
    e.draw_probes(k, &mut ChaCha8Rng::seed_from_u64(seed))
}

/// Agent `i`'s total activity `sum_a beta^i_a`.
fn activity(e: &Environment, beta: &[f64], i: usize) -> f64 {
    beta[e.block(i)].iter().sum()
}

#[test]
fn builds_for_many_seeds_with_sane_boxes() {
    for kind in KINDS {
        for seed in 0..40 {
            let e = env(kind, seed);
            let b = e.activity_bound();
            assert!(b.price_half_width > 0.0, "{kind:?} {seed}: {b:?}");
            assert!(b.margins_at_zero.iter().all(|m| *m > 0.0));
            let corrective = e.mechanism(MechanismClass::Corrective);
            assert_eq!(corrective.dim(), 6);
            assert!(corrective.parameter_box().check(&e.canceling_phi()).is_ok());
            assert_eq!(e.mechanism(MechanismClass::Prices).dim(), 4);
        }
    }
}

#[test]
fn same_seed_same_environment_and_probes() {
    for kind in KINDS {
        let (a, b) = (env(kind, 11), env(kind, 11));
        assert_eq!(a.interaction(), b.interaction());
        assert_eq!(a.utility(), b.utility());
        assert_eq!(probes(&a, 5, 3), probes(&b, 5, 3));
        assert_ne!(a.interaction(), env(kind, 12).interaction());
    }
}

#[test]
fn probes_stay_in_their_documented_support() {
    for kind in KINDS {
        let e = env(kind, 2);
        let (lo, hi) = e.probe_support();
        for p in probes(&e, 50, 9) {
            for (k, a) in p.iter().enumerate() {
                assert!(lo[k] <= *a && *a <= hi[k]);
            }
        }
        if kind == EnvironmentKind::Spectrum {
            assert!(lo.iter().all(|l| *l >= 1.0), "airtime costs are >= 1");
        }
    }
}

#[test]
fn canceling_phi_makes_the_equilibrium_socially_optimal() {
    for kind in KINDS {
        for seed in [0, 7] {
            let e = env(kind, seed);
            let phi = e.canceling_phi();
            for p in probes(&e, 10, seed + 100) {
                let r = e.efficiency(&p, MechanismClass::Corrective, &phi).unwrap();
                assert!(
                    r.distance < 1e-7,
                    "{kind:?} {seed}: distance {}",
                    r.distance
                );
                assert!((r.welfare_ratio - 1.0).abs() < 1e-9);
            }
        }
    }
}

#[test]
fn equilibrium_is_inefficient_at_zero() {
    for kind in KINDS {
        for seed in [0, 3] {
            let e = env(kind, seed);
            let zero = vec![0.0; 4];
            let ratios: Vec<f64> = probes(&e, 10, seed + 200)
                .iter()
                .map(|p| {
                    let r = e.efficiency(p, MechanismClass::Prices, &zero).unwrap();
                    assert!(r.distance > 1e-3, "{kind:?}: distance {}", r.distance);
                    r.welfare_ratio
                })
                .collect();
            let worst = ratios.iter().copied().fold(f64::INFINITY, f64::min);
            let best = ratios.iter().copied().fold(0.0, f64::max);
            eprintln!("{kind:?} seed {seed}: welfare ratio at phi = 0 in [{worst:.4}, {best:.4}]");
            assert!(best < 0.9995 && worst < 0.99, "{ratios:?}");
        }
    }
}

/// Probes at the corners of the support that are worst for agent `target`: its entries at their
/// upper bounds, everyone else's at their lower bounds (others get cheap capacity).
fn adversarial_probe(e: &Environment, target: usize) -> Vec<f64> {
    let (lo, hi) = e.probe_support();
    let r = e.block(target);
    (0..e.dim())
        .map(|k| if r.contains(&k) { hi[k] } else { lo[k] })
        .collect()
}

#[test]
fn prices_box_corners_keep_every_agent_active() {
    for kind in KINDS {
        for seed in [0, 1, 5] {
            let e = env(kind, seed);
            let mech = e.mechanism(MechanismClass::Prices);
            let mut test_probes = probes(&e, 3, seed + 300);
            test_probes.extend((0..4).map(|i| adversarial_probe(&e, i)));
            for p in &test_probes {
                for mask in 0..16u64 {
                    let phi = mech.parameter_box().corner(mask);
                    let eq = e
                        .equilibrium(p, MechanismClass::Prices, &phi, None)
                        .unwrap();
                    for i in 0..4 {
                        let a = activity(&e, &eq.profile, i);
                        assert!(a > 1e-6, "{kind:?} {seed}: agent {i} idle ({a}) at {phi:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn prices_box_keeps_the_probe_binding() {
    // Default sizes and the designer's 2-channel spectrum; corners and random interior points
    // of the prices box; the median probe and random probes dearer than it (entries
    // log-uniform in [median, hi]) bind everywhere (binding module doc).
    for kind in KINDS {
        for (seed, actions) in [(0, None), (2, Some(2)), (3, Some(2))] {
            let config = EnvironmentConfig {
                actions,
                ..EnvironmentConfig::new(kind, seed)
            };
            let e = Environment::new(&config).expect("environments build");
            let pbox = e.mechanism(MechanismClass::Prices).parameter_box().clone();
            let mut rng = ChaCha8Rng::seed_from_u64(seed + 500);
            let mut points: Vec<Vec<f64>> = (0..16u64).map(|mask| pbox.corner(mask)).collect();
            points.extend((0..8).map(|_| {
                (0..4)
                    .map(|i| rng.random_range(pbox.lower()[i]..=pbox.upper()[i]))
                    .collect()
            }));
            let (lo, hi) = e.probe_support();
            let median: Vec<f64> = lo.iter().zip(hi).map(|(l, h)| (l * h).sqrt()).collect();
            let spend = |p: &[f64], phi: &[f64]| -> f64 {
                let beta = e
                    .equilibrium(p, MechanismClass::Prices, phi, None)
                    .unwrap()
                    .profile;
                p.iter().zip(&beta).map(|(a, b)| a * b).sum()
            };
            let mut test_probes: Vec<Vec<f64>> = (0..4)
                .map(|_| {
                    median
                        .iter()
                        .zip(hi)
                        .map(|(m, h)| m * (h / m).powf(rng.random::<f64>()))
                        .collect()
                })
                .collect();
            test_probes.push(median);
            for phi in &points {
                for p in &test_probes {
                    let s = spend(p, phi);
                    assert!(s > 1.0 - 1e-6, "{kind:?} {seed}: slack ({s}) at {phi:?}");
                }
            }
        }
    }
}

#[test]
fn every_agent_is_active_at_zero_and_at_phi_star() {
    for kind in KINDS {
        let e = env(kind, 4);
        let star = e.canceling_phi();
        for p in probes(&e, 10, 400)
            .into_iter()
            .chain((0..4).map(|i| adversarial_probe(&e, i)))
        {
            for (class, phi) in [
                (MechanismClass::Prices, vec![0.0; 4]),
                (MechanismClass::Corrective, star.clone()),
            ] {
                let eq = e.equilibrium(&p, class, &phi, None).unwrap();
                assert!((0..4).all(|i| activity(&e, &eq.profile, i) > 1e-6));
            }
        }
    }
}

/// Not certified by the bound (see `activity`), but observed: the corners of the corrective box
/// leave every agent active, for random and adversarial probes.
#[test]
fn corrective_box_corners_keep_every_agent_active() {
    for kind in KINDS {
        let e = env(kind, 0);
        let bx = e
            .mechanism(MechanismClass::Corrective)
            .parameter_box()
            .clone();
        let test_probes: Vec<Vec<f64>> = probes(&e, 2, 500)
            .into_iter()
            .chain((0..4).map(|i| adversarial_probe(&e, i)))
            .collect();
        for p in &test_probes {
            for mask in 0..64u64 {
                let phi = bx.corner(mask);
                let eq = e
                    .equilibrium(p, MechanismClass::Corrective, &phi, None)
                    .unwrap();
                assert!(
                    (0..4).all(|i| activity(&e, &eq.profile, i) > 1e-6),
                    "{kind:?} {phi:?}"
                );
            }
        }
    }
}

#[test]
fn environments_are_send_and_sync_and_parallel_solves_match_serial_ones() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Environment>();
    use rayon::prelude::*;
    let e = env(EnvironmentKind::River, 6);
    let ps = probes(&e, 24, 6);
    let zero = vec![0.0; 4];
    let solve = |p: &Vec<f64>| {
        e.equilibrium(p, MechanismClass::Prices, &zero, None)
            .unwrap()
            .profile
    };
    let serial: Vec<Vec<f64>> = ps.iter().map(solve).collect();
    let parallel: Vec<Vec<f64>> = ps.par_iter().map(solve).collect();
    assert_eq!(serial, parallel);
}

#[test]
fn warm_start_gives_the_same_equilibrium() {
    let e = env(EnvironmentKind::Spectrum, 1);
    let ps = probes(&e, 2, 5);
    let zero = vec![0.0; 4];
    let cold = e
        .equilibrium(&ps[0], MechanismClass::Prices, &zero, None)
        .unwrap();
    let other = e
        .equilibrium(&ps[1], MechanismClass::Prices, &zero, None)
        .unwrap();
    let warm = e
        .equilibrium(&ps[0], MechanismClass::Prices, &zero, Some(&other.profile))
        .unwrap();
    let gap = distance(&cold.profile, &warm.profile);
    assert!(gap < 1e-7, "{gap}");
}

/// Interactions and corrective transfers are zero-sum, so payoffs add up to the welfare; prices
/// take `sum_i phi_i g_i . beta^i` out of it.
#[test]
fn payoffs_add_up_to_welfare_minus_taxes() {
    for kind in KINDS {
        let e = env(kind, 8);
        let beta = cap_point(
            &[0.3, 0.1, 0.2, 0.05, 0.4, 0.1, 0.2, 0.2, 0.2, 0.6, 0.3, 0.2],
            3,
        );
        let total = |class, phi: &[f64]| -> f64 {
            let game = e.game(class, phi).unwrap();
            (0..4).map(|i| game.payoff(i, &beta).unwrap()).sum()
        };
        let w = e.welfare_of(&beta).unwrap();
        let phi = e
            .canceling_phi()
            .iter()
            .map(|p| 0.7 * p)
            .collect::<Vec<_>>();
        assert!((total(MechanismClass::Corrective, &phi) - w).abs() < 1e-12 * (1.0 + w.abs()));
        let prices = e.mechanism(MechanismClass::Prices);
        let phi = prices.parameter_box().corner(0b0101);
        let taxes: f64 = (0..4)
            .map(|i| -prices.transfer(i, &phi, &beta).unwrap())
            .sum();
        assert!(
            (total(MechanismClass::Prices, &phi) - (w - taxes)).abs() < 1e-12 * (1.0 + w.abs())
        );
        let game = e.game(MechanismClass::Prices, &phi).unwrap();
        assert!(matches!(
            game.payoff(4, &beta),
            Err(GameError::UnknownAgent { agent: 4, .. })
        ));
        assert!(matches!(
            game.payoff(0, &beta[..3]),
            Err(GameError::Dimension { .. })
        ));
    }
}

#[test]
fn rejects_bad_input() {
    let e = env(EnvironmentKind::River, 0);
    let p = probes(&e, 1, 0).remove(0);
    let zero4 = vec![0.0; 4];
    assert!(matches!(
        e.equilibrium(&p[..5], MechanismClass::Prices, &zero4, None),
        Err(EnvironmentError::Probe(_))
    ));
    let mut bad = p.clone();
    bad[2] = 0.0;
    assert!(matches!(
        e.equilibrium(&bad, MechanismClass::Prices, &zero4, None),
        Err(EnvironmentError::Probe(_))
    ));
    let big = vec![1e6; 4];
    assert!(matches!(
        e.equilibrium(&p, MechanismClass::Prices, &big, None),
        Err(EnvironmentError::Mechanism(MechanismError::OutOfBox { .. }))
    ));
    assert!(matches!(
        e.equilibrium(&p, MechanismClass::Corrective, &zero4, None),
        Err(EnvironmentError::Mechanism(
            MechanismError::Dimension { .. }
        ))
    ));
    let config = EnvironmentConfig {
        agents: Some(1),
        ..EnvironmentConfig::new(EnvironmentKind::Spectrum, 0)
    };
    assert!(matches!(
        Environment::new(&config),
        Err(EnvironmentError::Config(_))
    ));
    assert!(e.welfare_of(&[-1.0; 12]).is_err());
}

#[test]
fn config_round_trips_through_json() {
    let config = EnvironmentConfig {
        actions: Some(2),
        ..EnvironmentConfig::new(EnvironmentKind::River, 9)
    };
    let text = serde_json::to_string(&config).unwrap();
    assert!(text.contains("\"river\""), "{text}");
    assert_eq!(
        serde_json::from_str::<EnvironmentConfig>(&text).unwrap(),
        config
    );
    let minimal: EnvironmentConfig =
        serde_json::from_str(r#"{"kind": "spectrum", "seed": 3}"#).unwrap();
    assert_eq!(
        minimal,
        EnvironmentConfig::new(EnvironmentKind::Spectrum, 3)
    );
}

/// A random point of the caps-only set: a nonnegative block scaled to sum to at most 1.
fn cap_point(raw: &[f64], n: usize) -> Vec<f64> {
    raw.chunks(n)
        .flat_map(|b| {
            let total: f64 = b.iter().sum::<f64>().max(1.0);
            b.iter().map(move |x| x / total).collect::<Vec<_>>()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `<F(x) - F(y), x - y> >= 0` (monotone: the equilibrium is unique), for random pairs of
    /// profiles and random parameters of either class.
    #[test]
    fn vi_map_is_monotone(
        kind in prop::sample::select(KINDS.to_vec()),
        seed in 0u64..20,
        corrective in any::<bool>(),
        x in prop::collection::vec(0.0..1.0f64, 12),
        y in prop::collection::vec(0.0..1.0f64, 12),
        t in prop::collection::vec(0.0..1.0f64, 6),
    ) {
        let e = env(kind, seed);
        let class = if corrective { MechanismClass::Corrective } else { MechanismClass::Prices };
        let bx = e.mechanism(class).parameter_box().clone();
        let phi: Vec<f64> = (0..bx.dim())
            .map(|k| bx.lower()[k] + t[k] * (bx.upper()[k] - bx.lower()[k]))
            .collect();
        let game = e.game(class, &phi).unwrap();
        let (x, y) = (cap_point(&x, 3), cap_point(&y, 3));
        let (mut fx, mut fy) = (vec![0.0; 12], vec![0.0; 12]);
        game.pseudo_gradient(&x, &mut fx);
        game.pseudo_gradient(&y, &mut fy);
        // F = -pseudo-gradient, so <F(x) - F(y), x - y> = -<g(x) - g(y), x - y>.
        let inner: f64 = (0..12).map(|k| -(fx[k] - fy[k]) * (x[k] - y[k])).sum();
        let scale: f64 = fx.iter().chain(&fy).map(|v| v.abs()).sum::<f64>() + 1.0;
        prop_assert!(inner >= -1e-12 * scale, "inner product {inner}");
    }

    /// Face-Newton polishing changes the run, not the answer: with and without it the
    /// equilibrium agrees to solver accuracy.
    #[test]
    fn face_newton_agrees_with_plain_extragradient(
        kind in prop::sample::select(KINDS.to_vec()),
        seed in 0u64..20,
        probe_seed in 0u64..1000,
    ) {
        let plain_options = SolverOptions { face_newton: false, ..SolverOptions::default() };
        let fast = env(kind, seed);
        let plain = env(kind, seed).with_solver_options(plain_options);
        let p = probes(&fast, 1, probe_seed).remove(0);
        let zero = vec![0.0; 4];
        let a = fast.equilibrium(&p, MechanismClass::Prices, &zero, None).unwrap();
        let b = plain.equilibrium(&p, MechanismClass::Prices, &zero, None).unwrap();
        prop_assert!(distance(&a.profile, &b.profile) < 1e-7);
        prop_assert!((a.multipliers[0] - b.multipliers[0]).abs() < 1e-6 * (1.0 + b.multipliers[0]));
    }

    /// Returned equilibria have natural residual below the tolerance, checked independently.
    #[test]
    fn equilibria_certify_their_residual(
        kind in prop::sample::select(KINDS.to_vec()),
        seed in 0u64..20,
        probe_seed in 0u64..1000,
        t in prop::collection::vec(0.0..1.0f64, 4),
    ) {
        let e = env(kind, seed);
        let bx = e.mechanism(MechanismClass::Prices).parameter_box().clone();
        let phi: Vec<f64> = (0..4).map(|k| bx.lower()[k] + t[k] * (bx.upper()[k] - bx.lower()[k])).collect();
        let p = probes(&e, 1, probe_seed).remove(0);
        let eq = e.equilibrium(&p, MechanismClass::Prices, &phi, None).unwrap();
        let game = e.game(MechanismClass::Prices, &phi).unwrap();
        let set = e.feasible_set(&p).unwrap();
        let map = |b: &[f64], out: &mut [f64]| {
            game.pseudo_gradient(b, out);
            out.iter_mut().for_each(|v| *v = -*v);
        };
        let residual = residual_of(map, &set, &eq.profile).unwrap();
        prop_assert!(residual <= 1e-9, "residual {residual}");
        prop_assert!(set.violation(&eq.profile) <= 1e-12);
        prop_assert!(eq.multipliers[0] >= 0.0);
    }
}
