//! The Lipschitz constant of the gap from the LP's dual (THEORY §8), tested numerically: by
//! hand and by finite differences where the LP is nondegenerate, against the jump of the gap
//! at a tie (where a first-order bound must fail), and the certified bounds on perturbed data.

mod common;

use common::{mixed_data, perturbed};
use proptest::prelude::*;
use rp_lp::{GapOptions, ObservationSet, additive_gap};
use rp_robust::{RobustError, RobustOptions, gap_sensitivity};

fn gap(d: &ObservationSet) -> f64 {
    additive_gap(d, &GapOptions::default()).expect("gap").value
}

fn one_agent(probes: [[f64; 2]; 2], strategies: [[f64; 2]; 2]) -> ObservationSet {
    ObservationSet::single_agent(
        probes.iter().map(|p| p.to_vec()).collect(),
        strategies.iter().map(|s| s.to_vec()).collect(),
    )
    .unwrap()
}

/// `alpha_1 = (1, 2)`, `beta_1 = (0.1, 0.4)`; `alpha_2 = (2, 1)`, `beta_2 = (0.4, 0.1)`:
/// `e_1 = e_2 = 0.9`, each bundle costs 0.6 at the other's prices.
fn cycle(beta_1: [f64; 2], beta_2: [f64; 2]) -> ObservationSet {
    one_agent([[1.0, 2.0], [2.0, 1.0]], [beta_1, beta_2])
}

#[test]
fn nondegenerate_cycle_by_hand_and_by_finite_differences() {
    // d_12 = d_21 = 0.6 / 0.9 - 1 = -1/3. The LP min t s.t. u_2 - u_1 + lambda_1 / 3 <= t,
    // u_1 - u_2 + lambda_2 / 3 <= t, lambda >= 1 has the unique optimum lambda = 1, u_1 = u_2,
    // t = 1/3, and the unique dual w_12 = w_21 = 1/2 (strict complementarity), so locally
    // L = 1 - (alpha_1 . beta_2 / e_1 + alpha_2 . beta_1 / e_2) / 2 and
    //   dL/d beta_2 = -alpha_1 / (2 e_1) + (alpha_2 . beta_1) alpha_2 / (2 e_2^2)
    //               = -(1, 2) / 1.8 + (0.6 / 0.81) (2, 1) / 2 = (0.185185, -0.740741),
    //   dL/d beta_1 = (-0.740741, 0.185185) by symmetry.
    // On the outcomes (null gradient 0) each span is 0.185185 + 0.740741 = 0.925926, so
    // Lip = 2 * 0.925926 / 2 = 0.925926 = 25/27.
    let d = cycle([0.1, 0.4], [0.4, 0.1]);
    let s = gap_sensitivity(&d, 1e-3, &RobustOptions::default()).unwrap();
    assert!((s.gap - 1.0 / 3.0).abs() < 1e-9);
    let (a, b) = (0.6 / 0.81 - 1.0 / 1.8, 0.3 / 0.81 - 2.0 / 1.8);
    let expected = [[b, a], [a, b]];
    for (row, want) in s.gradient.iter().zip(&expected) {
        for (g, w) in row.iter().zip(want) {
            assert!((g - w).abs() < 1e-7, "{:?}", s.gradient);
        }
    }
    assert!((s.lipschitz - 25.0 / 27.0).abs() < 1e-7, "{}", s.lipschitz);
    // Central finite differences of the LP value agree with the gradient.
    let h = 1e-5;
    for (k, want) in expected.iter().enumerate() {
        for (x, w) in want.iter().enumerate() {
            let mut plus = [[0.1, 0.4], [0.4, 0.1]];
            let mut minus = plus;
            plus[k][x] += h;
            minus[k][x] -= h;
            let fd = (gap(&cycle(plus[0], plus[1])) - gap(&cycle(minus[0], minus[1]))) / (2.0 * h);
            assert!((fd - w).abs() < 1e-5, "({k}, {x}): {fd} vs {w}");
        }
    }
    // The bound is attained to first order: move eps / 2 of each game's mass from its
    // steepest-descent action to its steepest-ascent action (L1 distance eps each).
    let eps = 1e-4;
    let moved = cycle(
        [0.1 - eps / 2.0, 0.4 + eps / 2.0],
        [0.4 + eps / 2.0, 0.1 - eps / 2.0],
    );
    let change = gap(&moved) - s.gap;
    assert!(
        (change - s.lipschitz * eps).abs() < 1e-3 * s.lipschitz * eps,
        "{change}"
    );
    // And it bounds every direction to first order: random moves of L1 size eps change L by at
    // most Lip eps (1 + O(eps)).
    for seed in 0..20 {
        let moved = perturbed(&d, eps, seed);
        assert!((gap(&moved) - s.gap).abs() <= s.lipschitz * eps * (1.0 + 1e-2));
    }
    // Certified bounds at eps = 0.01 (TV radius rho = 0.005), by hand. Worst case of row
    // 1 -> 2: a_1 . q_2 down to (0.6 - 2 rho) / 0.9 (rho of action 1's mass, price 2, to the
    // null), a_1 . q_1 up to (0.9 + 2 rho) / 0.9, floor E_1 = (0.9 - 2 rho) / 0.9; so the
    // coefficient is -(0.3 + 4 rho) / (0.9 - 2 rho) and (adding the two symmetric rows)
    // L_rob = 0.32 / 0.89. Best case: the coefficient is -(0.3 - 4 rho) / (0.9 + 2 rho), so
    // L_opt = 0.28 / 0.91.
    let s = gap_sensitivity(&d, 0.01, &RobustOptions::default()).unwrap();
    assert!((s.upper - 0.32 / 0.89).abs() < 1e-8, "{}", s.upper);
    assert!((s.lower - 0.28 / 0.91).abs() < 1e-8, "{}", s.lower);
    let deviation = (0.32 / 0.89 - 1.0 / 3.0_f64).max(1.0 / 3.0 - 0.28 / 0.91);
    assert!((s.certified_deviation - deviation).abs() < 1e-8);
    // To first order the largest gap over the balls is L + Lip eps = L + 0.00926; the robust
    // gap is L + 0.0262 because each of its rows and floors takes its own worst case of the same
    // strategy (robust feasibility: min over (u, lambda) of max over the balls, not the largest
    // gap over the balls, max of min).
    assert!(s.certified_deviation > s.first_order_bound);
}

#[test]
fn the_bound_is_local_the_gap_jumps_at_a_tie() {
    // alpha_1 = (1, 1), beta_1 = (0.25, 0.25): e_1 = 0.5; alpha_2 = (3, 1),
    // beta_2 = (0.45, 0.05 + delta): e_2 = 1.4 + delta. Game 1's bundle costs 1.0 < e_2 at
    // game 2's prices (d_21 = 1 / 1.4 - 1 = -2/7); game 2's costs 0.5 + delta at game 1's
    // (d_12 = 2 delta). For delta = 1e-6 > 0 there is no cycle: L = 0 (lambda_1 ~ 1.4e5
    // absorbs the row), the dual is 0 and so are the gradient and the first-order bound.
    // Moving 1.1e-6 of beta_2's mass to the null (L1 distance 2.2e-6 < eps = 3e-6) makes
    // delta = -1e-7 < 0: a cycle, and adding the two rows 2t >= lambda_1 |d_12| + (2/7)
    // lambda_2, so L >= 1/7. A first-order bound cannot see the jump; the certified upper
    // bound does.
    let data = |delta: f64| {
        one_agent(
            [[1.0, 1.0], [3.0, 1.0]],
            [[0.25, 0.25], [0.45, 0.05 + delta]],
        )
    };
    let d = data(1e-6);
    let eps = 3e-6;
    let s = gap_sensitivity(&d, eps, &RobustOptions::default()).unwrap();
    assert_eq!(s.gap, 0.0);
    assert_eq!(s.first_order_bound, 0.0);
    let jumped = gap(&data(-1e-7));
    assert!(jumped >= 1.0 / 7.0 - 1e-9, "{jumped}");
    assert!(s.upper >= jumped, "certified upper {} < {jumped}", s.upper);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The certified bounds hold for random profiles on and inside the L1 balls.
    #[test]
    fn certified_bounds_hold_on_perturbed_data(
        d in mixed_data(2..=6, 1..=3),
        eps in 0.0f64..0.2,
        seed in any::<u64>(),
    ) {
        let s = match gap_sensitivity(&d, eps, &RobustOptions::default()) {
            Err(RobustError::NullInBall { .. }) => return Ok(()),
            other => other.unwrap(),
        };
        prop_assert!(s.lower <= s.gap && s.gap <= s.upper);
        let deviation = (s.upper - s.gap).max(s.gap - s.lower);
        prop_assert!((s.certified_deviation - deviation).abs() < 1e-15);
        for t in 0..4 {
            let l = gap(&perturbed(&d, eps, seed.wrapping_add(t)));
            prop_assert!(l <= s.upper + 1e-8, "L(D') = {l} > upper {}", s.upper);
            prop_assert!(l >= s.lower - 1e-8, "L(D') = {l} < lower {}", s.lower);
        }
    }
}
