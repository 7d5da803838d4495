//! The two methods for the min-slack program agree, warm-start hints change no answer, and the
//! answer does not depend on the thread count.

mod common;

use common::{noisy_data, optimal_data};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_lp::{
    Agent, CycleCut, GapHint, GapKind, GapMethod, GapOptions, ObservationSet, ParetoGap, Structure,
    pareto_gap, pareto_gap_with_hint,
};

fn opts(structure: Structure, method: GapMethod) -> GapOptions {
    let mut o = GapOptions {
        structure,
        ..GapOptions::default()
    };
    o.generation.method = method;
    o
}

fn verified(obs: &ObservationSet, o: &GapOptions) -> ParetoGap {
    let g = pareto_gap(obs, o).expect("gap");
    assert!(g.verification.verified, "{:?}", g.verification);
    g
}

/// Gaps are O(1) on normalized data: compare them relative to 1 + size.
fn close(a: f64, b: f64, eps: f64) -> bool {
    (a - b).abs() <= eps * (1.0 + a.abs().max(b.abs()))
}

/// The same probes with the strategies perturbed again (a neighbouring data set, as the
/// designer sees from one iteration to the next).
fn neighbour(d: &ObservationSet, noise: &[f64]) -> ObservationSet {
    let strategies = d
        .strategies_flat()
        .iter()
        .zip(noise.iter().cycle())
        .map(|(b, z)| b * (1.0 + z))
        .collect();
    ObservationSet::from_flat(d.agents().to_vec(), d.probes_flat().to_vec(), strategies).unwrap()
}

const STRUCTURES: [Structure; 3] = [Structure::Separable, Structure::PerAgent, Structure::Joint];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Cycle cuts and row generation find the same additive gap (to 1e-8), both verified.
    #[test]
    fn cycle_cuts_equal_row_generation(d in noisy_data(2..=12, 1..=3, 0.2)) {
        for structure in STRUCTURES {
            let cuts = verified(&d, &opts(structure, GapMethod::CycleCuts));
            let rows = verified(&d, &opts(structure, GapMethod::RowGeneration));
            prop_assert!(close(cuts.value, rows.value, 1e-8), "{structure:?}: cuts {} rows {}", cuts.value, rows.value);
        }
    }

    /// The efficiency gap by cycle cuts lies in the bracket found by row generation (both are
    /// certified brackets of the same infimum).
    #[test]
    fn efficiency_gaps_agree(d in noisy_data(2..=7, 2..=3, 0.2)) {
        let mut a = opts(Structure::Separable, GapMethod::CycleCuts);
        a.kind = GapKind::Efficiency;
        let mut b = a;
        b.generation.method = GapMethod::RowGeneration;
        let (ga, gb) = (verified(&d, &a), verified(&d, &b));
        prop_assert!(ga.lower_bound <= gb.value + 1e-9 && gb.lower_bound <= ga.value + 1e-9,
            "[{}, {}] vs [{}, {}]", ga.lower_bound, ga.value, gb.lower_bound, gb.value);
    }

    /// A hint from this data, from neighbouring data or of nonsense changes no gap beyond the
    /// tolerance, every answer verifies, and the same call twice gives the same answer.
    #[test]
    fn hints_change_nothing(
        d in noisy_data(3..=12, 1..=3, 0.2),
        noise in prop::collection::vec(-0.1f64..0.1, 1..40),
    ) {
        for structure in STRUCTURES {
            let o = opts(structure, GapMethod::CycleCuts);
            let (cold, own) = pareto_gap_with_hint(&d, &o, &GapHint::default()).unwrap();
            prop_assert!(cold.verification.verified);
            let (_, near) = pareto_gap_with_hint(&neighbour(&d, &noise), &o, &GapHint::default()).unwrap();
            let k = d.len();
            let junk = GapHint {
                cycles: vec![
                    CycleCut { agent: 0, observations: vec![0, k] },
                    CycleCut { agent: 0, observations: vec![1, 1] },
                    CycleCut { agent: 7, observations: vec![0, 1] },
                    CycleCut { agent: 0, observations: vec![2] },
                ],
            };
            for hint in [&own, &near, &junk] {
                let (warm, _) = pareto_gap_with_hint(&d, &o, hint).unwrap();
                prop_assert!(warm.verification.verified, "{:?}", warm.verification);
                prop_assert!(close(warm.value, cold.value, 1e-9), "{structure:?}: {} vs {}", warm.value, cold.value);
                let (again, _) = pareto_gap_with_hint(&d, &o, hint).unwrap();
                prop_assert_eq!(&again, &warm);
            }
        }
    }

    /// Social optima need no cut at the unit multipliers or find them quickly: gap 0, verified,
    /// with either method.
    #[test]
    fn optima_have_gap_zero_with_both_methods(d in optimal_data(2..=10, 1..=3)) {
        for method in [GapMethod::CycleCuts, GapMethod::RowGeneration] {
            prop_assert_eq!(verified(&d, &opts(Structure::Separable, method)).value, 0.0);
        }
    }
}

/// Seeded noisy Cobb–Douglas optima: `k` games, `m` agents with `n` actions each.
fn seeded(k: usize, m: usize, n: usize, seed: u64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let w: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.2..1.0)).collect();
    let total: f64 = w.iter().sum();
    let (mut probes, mut strategies) = (Vec::new(), Vec::new());
    for _ in 0..k {
        let alpha: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.5..2.0)).collect();
        let beta = alpha
            .iter()
            .zip(&w)
            .map(|(a, w)| w / (total * a) * (1.0 + rng.random_range(-0.2..0.2)))
            .collect();
        probes.push(alpha);
        strategies.push(beta);
    }
    let agents = (0..m).map(|i| Agent::new(format!("a{i}"), n)).collect();
    ObservationSet::new(agents, probes, strategies).unwrap()
}

/// Large enough that agents are priced in parallel: one thread and two give the same answer,
/// bit for bit, and it verifies.
#[test]
fn same_answer_whatever_the_thread_count() {
    let d = seeded(72, 3, 2, 11);
    let o = GapOptions::default();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| pareto_gap_with_hint(&d, &o, &GapHint::default()).unwrap())
    };
    let (one, hint_one) = run(1);
    let (two, hint_two) = run(2);
    assert!(one.verification.verified, "{:?}", one.verification);
    assert!(one.value > 0.0, "20% noise at K = 72 violates the test");
    assert_eq!(one, two);
    assert_eq!(hint_one, hint_two);
}
