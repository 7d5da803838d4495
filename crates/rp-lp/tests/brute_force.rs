//! The classical indices against brute force over all simple cycles (K <= 6) and all subsets
//! (K <= 10), on random data dense in violations.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_lp::{
    BudgetMatrix, ObservationSet, Tolerance, ccei, garp_violation, garp_violation_at, houtman_maks,
    max_mean_cycle, max_mean_cycle_karp, max_money_pump,
};

/// Every simple cycle of the complete graph on `k` nodes with at least 2 nodes, each listed once
/// (starting at its smallest node).
fn simple_cycles(k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for start in 0..k {
        let mut stack = vec![vec![start]];
        while let Some(path) = stack.pop() {
            for next in start + 1..k {
                if path.contains(&next) {
                    continue;
                }
                let mut longer = path.clone();
                longer.push(next);
                out.push(longer.clone());
                stack.push(longer);
            }
        }
    }
    out
}

fn steps(cycle: &[usize]) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..cycle.len()).map(move |i| (cycle[i], cycle[(i + 1) % cycle.len()]))
}

/// Random data: K observations of dimension N, either continuous (probes in [0.2, 2],
/// strategies in [0, 1] with the first entry at least 0.05, so expenditures are positive) or
/// small integers (probes in 1..=3, strategies in 0..=2 with the first entry at least 1), which
/// makes exact ties (bundles on budget lines, duplicates) common.
fn data(max_k: usize) -> impl Strategy<Value = ObservationSet> {
    (2..=max_k, 2..=3usize, any::<bool>()).prop_flat_map(|(k, n, integer)| {
        let (probe, strategy) = if integer {
            (
                (1u8..=3).prop_map(f64::from).boxed(),
                (0u8..=2).prop_map(f64::from).boxed(),
            )
        } else {
            ((0.2f64..2.0).boxed(), (0.0f64..1.0).boxed())
        };
        (
            prop::collection::vec(prop::collection::vec(probe, n), k),
            prop::collection::vec(prop::collection::vec(strategy, n), k),
        )
            .prop_map(move |(probes, mut strategies)| {
                for s in &mut strategies {
                    s[0] += if integer { 1.0 } else { 0.05 };
                }
                ObservationSet::single_agent(probes, strategies).unwrap()
            })
    })
}

/// The sub-matrix of `b` on the observations `keep` (rows and columns in that order).
fn sub_matrix(b: &BudgetMatrix, keep: &[usize]) -> BudgetMatrix {
    let rho = keep
        .iter()
        .flat_map(|&k| keep.iter().map(move |&j| b.ratio(k, j)))
        .collect();
    let budget = keep.iter().map(|&k| b.budget(k)).collect();
    BudgetMatrix::from_ratios(keep.len(), rho, budget).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    #[test]
    fn ccei_is_min_over_cycles_of_max_ratio(d in data(6)) {
        let b = BudgetMatrix::joint(&d);
        let t = Tolerance::default();
        let brute = simple_cycles(d.len())
            .iter()
            .map(|c| steps(c).map(|(k, j)| b.ratio(k, j)).fold(0.0, f64::max))
            .fold(1.0, f64::min);
        let got = ccei(&b, t);
        prop_assert!((got.value - brute).abs() <= 1e-12, "ccei {} brute {}", got.value, brute);
        if got.value < 1.0 {
            let cycle = got.cycle.clone().unwrap();
            prop_assert!(cycle.violates_at(&b, got.value * (1.0 + 1e-8), t));
        }
        // Dense scan of GARP_e: holds below the CCEI, fails above it.
        for step in 1..200 {
            let e = step as f64 / 200.0;
            let holds = garp_violation_at(&b, e, t).is_none();
            if e < got.value * (1.0 - 1e-8) {
                prop_assert!(holds, "GARP_{} fails below CCEI {}", e, got.value);
            } else if e > got.value * (1.0 + 1e-8) && got.value < 1.0 {
                prop_assert!(!holds, "GARP_{} holds above CCEI {}", e, got.value);
            }
        }
    }

    #[test]
    fn money_pump_and_mean_cycle_match_brute_force(d in data(6)) {
        let b = BudgetMatrix::joint(&d);
        let t = Tolerance::default();
        let cycles = simple_cycles(d.len());
        let mpi = |c: &[usize]| {
            let pump: f64 = steps(c).map(|(k, j)| d.expenditure(k) * (1.0 - b.ratio(k, j))).sum();
            pump / c.iter().map(|&k| d.expenditure(k)).sum::<f64>()
        };
        let brute_pump = cycles
            .iter()
            .filter(|c| steps(c).all(|(k, j)| b.weakly_revealed(k, j, t)))
            .map(|c| mpi(c))
            .fold(f64::NEG_INFINITY, f64::max);
        match max_money_pump(&b, t) {
            Some(p) => {
                prop_assert!((p.value - brute_pump).abs() <= 1e-12, "{} vs {}", p.value, brute_pump);
                prop_assert!((mpi(&p.cycle) - p.value).abs() <= 1e-12);
                prop_assert!(garp_violation(&b, t).is_some());
            }
            None => {
                prop_assert!(brute_pump <= 1e-12, "missed pump {}", brute_pump);
                prop_assert!(garp_violation(&b, t).is_none());
            }
        }
        let mean = |c: &[usize]| steps(c).map(|(k, j)| 1.0 - b.ratio(k, j)).sum::<f64>() / c.len() as f64;
        let brute_mean = cycles.iter().map(|c| mean(c)).fold(f64::NEG_INFINITY, f64::max);
        let howard = max_mean_cycle(&b).unwrap();
        let karp = max_mean_cycle_karp(&b).unwrap();
        for m in [&howard, &karp] {
            prop_assert!((m.value - brute_mean).abs() <= 1e-12, "{} vs {}", m.value, brute_mean);
            prop_assert!((mean(&m.cycle) - m.value).abs() <= 1e-12);
        }
    }

    #[test]
    fn houtman_maks_is_the_largest_consistent_subset(d in data(10)) {
        let b = BudgetMatrix::joint(&d);
        let t = Tolerance::default();
        let k = d.len();
        let brute = (0u32..1 << k)
            .filter(|mask| {
                let keep: Vec<usize> = (0..k).filter(|i| mask >> i & 1 == 1).collect();
                garp_violation(&sub_matrix(&b, &keep), t).is_none()
            })
            .map(u32::count_ones)
            .max()
            .unwrap();
        let hm = houtman_maks(&b, t).unwrap();
        prop_assert_eq!(hm.kept.len() as u32, brute);
        prop_assert!(garp_violation(&sub_matrix(&b, &hm.kept), t).is_none());
        prop_assert_eq!(hm.kept.len() + hm.removed.len(), k);
        prop_assert_eq!(hm.fraction_kept, hm.kept.len() as f64 / k as f64);
    }
}
