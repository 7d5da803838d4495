//! Property tests for every claim of THEORY §3–§4 on generated data (proptest, shrinking kept,
//! bounded case counts so the whole file runs in seconds).

mod common;

use common::{noisy_data, optimal_data, planted_data};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_lp::{
    Backend, BudgetMatrix, GapKind, GapOptions, ObservationSet, Structure, TestCertificate,
    Tolerance, additive_gap, ccei, efficiency_gap, garp_violation, max_mean_cycle, pareto_gap,
    social_optimality_test,
};

fn opts(structure: Structure) -> GapOptions {
    GapOptions {
        structure,
        ..GapOptions::default()
    }
}

fn additive(obs: &ObservationSet, structure: Structure) -> f64 {
    let g = pareto_gap(obs, &opts(structure)).expect("gap");
    assert!(g.verification.verified, "{:?}", g.verification);
    g.value
}

/// Relative closeness for gaps (both O(1) on normalized data).
fn close(a: f64, b: f64, eps: f64) -> bool {
    (a - b).abs() <= eps * (1.0 + a.abs().max(b.abs()))
}

const STRUCTURES: [Structure; 3] = [Structure::Separable, Structure::PerAgent, Structure::Joint];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    /// Maximizers of concave separable utilities under a shared budget pass every structure
    /// with gap 0 and a verified rationalization (THEORY §3.1 (a) => (b); §3.2, §3.3 are weaker).
    #[test]
    fn social_optima_pass_with_verified_certificates(d in optimal_data(2..=8, 1..=3)) {
        for structure in STRUCTURES {
            let t = social_optimality_test(&d, &opts(structure)).unwrap();
            prop_assert!(t.consistent, "{structure:?}");
            prop_assert!(t.verification.verified, "{structure:?}: {:?}", t.verification);
            let is_consistent = matches!(t.certificate, TestCertificate::Consistent { .. });
            prop_assert!(is_consistent);
            prop_assert_eq!(additive(&d, structure), 0.0);
        }
    }

    /// A planted revealed-preference cycle fails every structure with a verified Farkas ray
    /// (and, for PerAgent and Joint, a GARP cycle).
    #[test]
    fn planted_cycles_fail_with_verified_rays(d in planted_data(1..=6, 1..=3)) {
        for structure in STRUCTURES {
            let t = social_optimality_test(&d, &opts(structure)).unwrap();
            prop_assert!(!t.consistent, "{structure:?}");
            prop_assert!(t.verification.verified, "{structure:?}: {:?}", t.verification);
            match &t.certificate {
                TestCertificate::Inconsistent { ray, cycles } => {
                    prop_assert!(ray.value > 0.0);
                    prop_assert_eq!(cycles.is_empty(), structure == Structure::Separable);
                }
                other => prop_assert!(false, "expected a ray, got {:?}", other),
            }
            prop_assert!(additive(&d, structure) > 0.0);
        }
    }

    /// L = 0 iff the test passes, for every structure (noisy data hit both sides).
    #[test]
    fn zero_gap_iff_test_passes(d in noisy_data(2..=7, 1..=3, 0.15)) {
        for structure in STRUCTURES {
            let t = social_optimality_test(&d, &opts(structure)).unwrap();
            prop_assert!(t.verification.verified, "{:?}", t.verification);
            prop_assert_eq!(t.consistent, additive(&d, structure) == 0.0, "{:?}", structure);
        }
    }

    /// Rescaling all probes, or one probe, by 1e-12 or 1e12 changes no verdict and no gap.
    #[test]
    fn invariant_under_probe_rescaling(
        d in noisy_data(2..=7, 1..=3, 0.15),
        factor in prop_oneof![Just(1e-12), Just(1e12)],
        which in any::<prop::sample::Index>(),
    ) {
        let k = which.index(d.len());
        for one in [false, true] {
            let probes: Vec<f64> = d.probes_flat().iter().enumerate()
                .map(|(idx, a)| if !one || idx / d.dim() == k { a * factor } else { *a })
                .collect();
            let scaled = ObservationSet::from_flat(d.agents().to_vec(), probes, d.strategies_flat().to_vec()).unwrap();
            for structure in STRUCTURES {
                let (a, b) = (additive(&d, structure), additive(&scaled, structure));
                prop_assert!(close(a, b, 1e-7), "{structure:?}: {a} vs {b}");
            }
        }
    }

    /// Permuting observations, or agents together with their blocks, changes no gap.
    #[test]
    fn invariant_under_permutations(
        d in noisy_data(2..=7, 2..=3, 0.15),
        perm in any::<u64>(),
    ) {
        let mut order: Vec<usize> = (0..d.len()).collect();
        order.rotate_left((perm % d.len() as u64) as usize);
        order.reverse();
        let shuffled = d.select(&order).unwrap();
        let agents_reversed = reverse_agents(&d);
        for structure in STRUCTURES {
            let a = additive(&d, structure);
            prop_assert!(close(a, additive(&shuffled, structure), 1e-7), "{structure:?} observations");
            prop_assert!(close(a, additive(&agents_reversed, structure), 1e-7), "{structure:?} agents");
        }
    }

    /// Adding observations never lowers L.
    #[test]
    fn adding_observations_never_lowers_the_gap(d in noisy_data(3..=8, 1..=3, 0.2)) {
        let first: Vec<usize> = (0..d.len() - 1).collect();
        let fewer = d.select(&first).unwrap();
        for structure in STRUCTURES {
            let (small, big) = (additive(&fewer, structure), additive(&d, structure));
            prop_assert!(small <= big + 1e-9 * (1.0 + big), "{structure:?}: {small} > {big}");
        }
    }

    /// One agent: L <= the lambda = 1 value, max(0, max mean cycle of 1 - rho).
    #[test]
    fn gap_is_at_most_the_lambda_one_value(d in noisy_data(2..=8, 1..=1, 0.3)) {
        let bound = max_mean_cycle(&BudgetMatrix::joint(&d)).map_or(0.0, |c| c.value.max(0.0));
        let l = additive(&d, Structure::Separable);
        prop_assert!(l <= bound + 1e-9 * (1.0 + bound), "{l} > {bound}");
    }

    /// L_e = 1 - CCEI for one agent (Separable = Afriat) and for Joint, with verified brackets.
    #[test]
    fn efficiency_gap_is_one_minus_ccei(d in noisy_data(2..=7, 1..=3, 0.3)) {
        let tol = Tolerance::default();
        let want = 1.0 - ccei(&BudgetMatrix::joint(&d), tol).value;
        let mut cases = vec![Structure::Joint];
        if d.num_agents() == 1 {
            cases.push(Structure::Separable);
        }
        for structure in cases {
            let o = GapOptions { kind: GapKind::Efficiency, ..opts(structure) };
            let g = pareto_gap(&d, &o).unwrap();
            prop_assert_eq!(g.value, want.max(0.0), "{:?}", structure);
            prop_assert!(g.verification.verified, "{:?}", g.verification);
        }
    }

    /// PerAgent: the verdict is the conjunction of the agents' single tests, and its efficiency
    /// gap is 1 - min_i CCEI_i; Separable's efficiency bracket lies above both graph bounds.
    #[test]
    fn per_agent_is_the_single_tests(d in noisy_data(2..=7, 2..=3, 0.3)) {
        let tol = Tolerance::default();
        let singles: Vec<BudgetMatrix> = (0..d.num_agents()).map(|i| BudgetMatrix::agent(&d, i)).collect();
        let all_pass = singles.iter().all(|b| garp_violation(b, tol).is_none());
        let t = social_optimality_test(&d, &opts(Structure::PerAgent)).unwrap();
        prop_assert_eq!(t.consistent, all_pass);
        let want = singles.iter().map(|b| 1.0 - ccei(b, tol).value).fold(0.0, f64::max);
        let e = efficiency_gap(&d, &GapOptions { kind: GapKind::Efficiency, ..opts(Structure::PerAgent) }).unwrap();
        prop_assert_eq!(e.value, want);
        let joint = 1.0 - ccei(&BudgetMatrix::joint(&d), tol).value;
        let s = pareto_gap(&d, &GapOptions { kind: GapKind::Efficiency, ..opts(Structure::Separable) }).unwrap();
        prop_assert!(s.verification.verified, "{:?}", s.verification);
        prop_assert!(s.lower_bound >= want.max(joint) - 1e-12 && s.value >= s.lower_bound);
        prop_assert!(s.value - s.lower_bound <= 1e-6 + 1e-12);
    }

    /// Separable with one agent is Afriat's test: its verdict is GARP's.
    #[test]
    fn separable_with_one_agent_is_garp(d in noisy_data(2..=8, 1..=1, 0.3)) {
        let garp = garp_violation(&BudgetMatrix::joint(&d), Tolerance::default()).is_none();
        let t = social_optimality_test(&d, &opts(Structure::Separable)).unwrap();
        prop_assert_eq!(t.consistent, garp);
        prop_assert!(t.verification.verified, "{:?}", t.verification);
    }

    /// microlp and clarabel agree to 1e-6 on the additive gap.
    #[test]
    fn backends_agree(d in noisy_data(2..=8, 1..=3, 0.2)) {
        for structure in STRUCTURES {
            let a = additive_gap(&d, &GapOptions { backend: Backend::Microlp, ..opts(structure) }).unwrap().value;
            let c = pareto_gap(&d, &GapOptions { backend: Backend::Clarabel, ..opts(structure) }).unwrap();
            prop_assert!(c.verification.verified, "{:?}", c.verification);
            prop_assert!((a - c.value).abs() <= 1e-6, "{structure:?}: microlp {a} clarabel {}", c.value);
        }
    }
}

/// The same data with the agents (and their blocks) in reverse order.
fn reverse_agents(d: &ObservationSet) -> ObservationSet {
    let mut blocks: Vec<_> = d.blocks().collect();
    blocks.reverse();
    let remap = |m: &[f64]| -> Vec<f64> {
        m.chunks(d.dim())
            .flat_map(|row| blocks.iter().flat_map(move |b| row[b.clone()].to_vec()))
            .collect()
    };
    let agents = d.agents().iter().rev().cloned().collect();
    ObservationSet::from_flat(agents, remap(d.probes_flat()), remap(d.strategies_flat())).unwrap()
}
