//! Normal-form games by hand: index order, expected payoffs, regret and equilibria of classic
//! games with the arithmetic written out, validation errors, and regret against a brute-force
//! definition on random games.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_game::finite::{
    GameError, MixedProfile, NashOptions, NormalFormGame, ProfileError, lemke_howson_all,
    solve_all, support_enumeration, vertex_enumeration,
};

fn bimatrix(a: [[f64; 2]; 2], b: [[f64; 2]; 2]) -> NormalFormGame {
    let rows = |m: [[f64; 2]; 2]| m.iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    NormalFormGame::from_bimatrix(&rows(a), &rows(b)).expect("a valid 2x2 game")
}

fn profile(x: &[f64], y: &[f64]) -> MixedProfile {
    MixedProfile::new(vec![x.to_vec(), y.to_vec()])
}

fn assert_same(p: &MixedProfile, q: &MixedProfile) {
    let d = p.max_abs_difference(q).expect("same shape");
    assert!(d <= 1e-12, "{p:?} != {q:?}");
}

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12, "{a} != {b}");
}

/// Sorted list of the row player's first probability of each equilibrium (2x2 games).
fn first_probabilities(eqs: &[rp_game::finite::Equilibrium]) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = eqs
        .iter()
        .map(|e| (e.profile.strategies()[0][0], e.profile.strategies()[1][0]))
        .collect();
    v.sort_by(|p, q| p.partial_cmp(q).expect("finite probabilities"));
    v
}

#[test]
fn flat_index_puts_player_zero_fastest() {
    // 2 x 3 game; payoff of player 0 at (r, c) is 10 r + c, stored at r + 2 c.
    let a: Vec<Vec<f64>> = (0..2)
        .map(|r| (0..3).map(|c| f64::from(10 * r + c)).collect())
        .collect();
    let game = NormalFormGame::from_bimatrix(&a, &a).expect("valid");
    assert_eq!(game.flat_index(&[1, 2]), Some(5));
    assert_eq!(game.payoff_tensor(0).expect("player 0")[5], 12.0);
    assert_eq!(game.payoff(0, &[1, 2]), Some(12.0));
    assert_eq!(game.pure_profile(5), Some(vec![1, 2]));
    assert_eq!(game.flat_index(&[2, 0]), None);
    assert_eq!(game.payoff_range(), 12.0);
}

#[test]
fn matching_pennies() {
    // Row wins 1 on a match, loses 1 otherwise; zero-sum.
    let game = bimatrix([[1.0, -1.0], [-1.0, 1.0]], [[-1.0, 1.0], [1.0, -1.0]]);
    // At (Heads, Heads) the column player gets -1 and would get +1 by switching: regret 2.
    let hh = MixedProfile::pure(&game, &[0, 0]).expect("pure");
    assert_close(game.regret(&hh).expect("valid"), 2.0);
    // Row mixes (3/4, 1/4) against Heads: row gets 3/4 - 1/4 = 1/2, best pure (Heads) 1, so
    // row regret 1/2; column gets -1/2, Tails gives 3/4 * 1 + 1/4 * (-1) = 1/2: regret 1.
    let p = profile(&[0.75, 0.25], &[1.0, 0.0]);
    assert_eq!(game.player_regrets(&p).expect("valid"), vec![0.5, 1.0]);
    // Unique equilibrium (1/2, 1/2) for both, value 0.
    let eqs = solve_all(&game, &NashOptions::default()).expect("an equilibrium");
    assert_eq!(eqs.len(), 1);
    assert_same(&eqs[0].profile, &profile(&[0.5, 0.5], &[0.5, 0.5]));
    assert!(eqs[0].regret <= 1e-12);
    for u in game.expected_payoffs(&eqs[0].profile).expect("valid") {
        assert_close(u, 0.0);
    }
}

#[test]
fn prisoners_dilemma() {
    // Cooperate/Defect: (C,C) = 3,3; (C,D) = 0,5; (D,C) = 5,0; (D,D) = 1,1.
    let game = bimatrix([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]]);
    // (C, C): each gains 5 - 3 = 2 by defecting.
    let cc = MixedProfile::pure(&game, &[0, 0]).expect("pure");
    assert_eq!(game.player_regrets(&cc).expect("valid"), vec![2.0, 2.0]);
    // Defect dominates: the only equilibrium is (D, D), by every method.
    let opts = NashOptions::default();
    let dd = profile(&[0.0, 1.0], &[0.0, 1.0]);
    for eqs in [
        support_enumeration(&game, &opts).expect("ok"),
        vertex_enumeration(&game, &opts).expect("ok"),
        lemke_howson_all(&game, &opts).expect("ok"),
    ] {
        assert_eq!(eqs.len(), 1);
        assert_same(&eqs[0].profile, &dd);
    }
}

#[test]
fn battle_of_the_sexes() {
    // Opera/Football: (O,O) = 2,1; (F,F) = 1,2; mismatches 0,0.
    let game = bimatrix([[2.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 2.0]]);
    // Mixed equilibrium: the column player's q on O makes row indifferent: 2q = 1 - q, q = 1/3;
    // the row player's p on O makes column indifferent: p = 2(1 - p), p = 2/3.
    let eqs = support_enumeration(&game, &NashOptions::default()).expect("ok");
    let got = first_probabilities(&eqs);
    let want = [(0.0, 0.0), (2.0 / 3.0, 1.0 / 3.0), (1.0, 1.0)];
    assert_eq!(got.len(), 3);
    for ((p, q), (wp, wq)) in got.iter().zip(want) {
        assert_close(*p, wp);
        assert_close(*q, wq);
    }
    // Expected payoffs at the mixed one: row gets 2 * 2/3 * 1/3 + 1 * 1/3 * 2/3 = 2/3, and so
    // does the column player by symmetry.
    let mixed = profile(&[2.0 / 3.0, 1.0 / 3.0], &[1.0 / 3.0, 2.0 / 3.0]);
    for u in game.expected_payoffs(&mixed).expect("valid") {
        assert_close(u, 2.0 / 3.0);
    }
}

#[test]
fn three_player_regret_by_hand() {
    // 2x2x2 game where every player gets 1 if all three choose the same strategy, else 0.
    let payoff: Vec<f64> = (0..8)
        .map(|k| if k == 0 || k == 7 { 1.0 } else { 0.0 })
        .collect();
    let game = NormalFormGame::new(&[2, 2, 2], vec![payoff.clone(), payoff.clone(), payoff])
        .expect("valid");
    // Everyone uniform: P(all same) = 2 / 8 = 1/4. A deviation to strategy 0 gives
    // P(others both 0) = 1/4 too: regret 0, the uniform profile is an equilibrium.
    let uniform = MixedProfile::uniform(&game);
    assert_eq!(
        game.expected_payoffs(&uniform).expect("valid"),
        vec![0.25; 3]
    );
    assert_eq!(game.regret(&uniform).expect("valid"), 0.0);
    // Players 1 and 2 on strategy 0, player 0 on strategy 1: player 0 gets 0 and 1 by
    // switching; players 1 and 2 get 0 and cannot match alone: regret 1.
    let p = MixedProfile::pure(&game, &[1, 0, 0]).expect("pure");
    assert_eq!(game.player_regrets(&p).expect("valid"), vec![1.0, 0.0, 0.0]);
}

#[test]
fn construction_errors_are_typed() {
    assert_eq!(NormalFormGame::new(&[], vec![]), Err(GameError::NoPlayers));
    assert_eq!(
        NormalFormGame::new(&[2, 0], vec![vec![], vec![]]),
        Err(GameError::NoStrategies { player: 1 })
    );
    assert!(matches!(
        NormalFormGame::new(&[2, 2], vec![vec![0.0; 4]]),
        Err(GameError::PayoffPlayerCount {
            expected: 2,
            found: 1
        })
    ));
    assert!(matches!(
        NormalFormGame::new(&[2, 2], vec![vec![0.0; 4], vec![0.0; 3]]),
        Err(GameError::PayoffLength {
            player: 1,
            expected: 4,
            found: 3
        })
    ));
    assert!(matches!(
        NormalFormGame::new(&[2, 2], vec![vec![0.0; 4], vec![0.0, f64::NAN, 0.0, 0.0]]),
        Err(GameError::NonFinitePayoff {
            player: 1,
            index: 1,
            ..
        })
    ));
    let ragged = vec![vec![1.0, 2.0], vec![3.0]];
    assert!(matches!(
        NormalFormGame::from_bimatrix(&ragged, &ragged),
        Err(GameError::Ragged { .. })
    ));
    assert!(matches!(
        NormalFormGame::new(&[1 << 20, 1 << 20], vec![vec![], vec![]]),
        Err(GameError::TooLarge { .. })
    ));
}

#[test]
fn profile_errors_are_typed() {
    let game = bimatrix([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]);
    let bad = |x: &[f64], y: &[f64]| game.regret(&profile(x, y));
    assert!(matches!(
        bad(&[0.5, 0.6], &[1.0, 0.0]),
        Err(ProfileError::NotADistribution { player: 0, .. })
    ));
    assert!(matches!(
        bad(&[1.0, 0.0], &[1.5, -0.5]),
        Err(ProfileError::BadProbability {
            player: 1,
            strategy: 1,
            ..
        })
    ));
    assert!(matches!(
        bad(&[1.0, 0.0], &[f64::NAN, 1.0]),
        Err(ProfileError::BadProbability { .. })
    ));
    assert!(matches!(
        bad(&[1.0], &[1.0, 0.0]),
        Err(ProfileError::StrategyCount { player: 0, .. })
    ));
    assert!(matches!(
        game.regret(&MixedProfile::new(vec![vec![1.0, 0.0]])),
        Err(ProfileError::PlayerCount {
            expected: 2,
            found: 1
        })
    ));
    assert!(matches!(
        MixedProfile::pure(&game, &[0, 2]),
        Err(ProfileError::NoSuchStrategy {
            player: 1,
            strategy: 2
        })
    ));
}

/// Regret by the definition: for each player and each pure deviation, sum over all pure
/// profiles of the others of payoff times probability.
fn brute_force_regret(game: &NormalFormGame, p: &MixedProfile) -> f64 {
    let counts = game.strategy_counts();
    let xs = p.strategies();
    let mut worst: f64 = 0.0;
    for i in 0..counts.len() {
        let mut current = 0.0;
        let mut deviation = vec![0.0; counts[i]];
        for index in 0..game.num_profiles() {
            let pure = game.pure_profile(index).expect("in range");
            let others: f64 = (0..counts.len())
                .filter(|&j| j != i)
                .map(|j| xs[j][pure[j]])
                .product();
            let u = game.payoff_tensor(i).expect("player")[index];
            current += u * others * xs[i][pure[i]];
            deviation[pure[i]] += u * others;
        }
        let best = deviation.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        worst = worst.max(best - current);
    }
    worst
}

fn game_and_profile() -> impl Strategy<Value = (NormalFormGame, MixedProfile)> {
    prop::collection::vec(1usize..4, 1..4)
        .prop_flat_map(|counts| {
            let profiles: usize = counts.iter().product();
            let players = counts.len();
            let payoffs =
                prop::collection::vec(prop::collection::vec(-10.0f64..10.0, profiles), players);
            let weights: Vec<_> = counts
                .iter()
                .map(|&n| prop::collection::vec(0.01f64..1.0, n))
                .collect();
            (Just(counts), payoffs, weights)
        })
        .prop_map(|(counts, payoffs, weights)| {
            let game = NormalFormGame::new(&counts, payoffs).expect("generated games are valid");
            let xs = weights
                .into_iter()
                .map(|w| {
                    let s: f64 = w.iter().sum();
                    w.iter().map(|v| v / s).collect()
                })
                .collect();
            (game, MixedProfile::new(xs))
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    /// The tensor-contraction regret equals the definition, and is invariant under a positive
    /// affine map of the payoffs up to the scale factor.
    #[test]
    fn regret_matches_the_definition((game, p) in game_and_profile()) {
        let fast = game.regret(&p).expect("valid profile");
        let slow = brute_force_regret(&game, &p);
        prop_assert!((fast - slow).abs() <= 1e-12 * (1.0 + slow.abs()), "{fast} vs {slow}");
        prop_assert!(fast >= 0.0);
        let scaled: Vec<Vec<f64>> = game.payoff_tensors().iter().map(|t| t.iter().map(|u| 3.0 * u - 7.0).collect()).collect();
        let scaled = NormalFormGame::new(game.strategy_counts(), scaled).expect("valid");
        let r = scaled.regret(&p).expect("valid profile");
        prop_assert!((r - 3.0 * fast).abs() <= 1e-11 * (1.0 + r), "{r} vs 3 * {fast}");
    }
}

#[test]
fn regret_is_exact_on_payoffs_with_a_large_offset() {
    // Matching pennies as 100 +- 1e-6: the payoff range is 2e-6 while the payoffs are 1e2, so
    // a regret computed from raw payoffs would carry rounding of order 1e-14, beyond the
    // certification bound 1e-9 * 2e-6 = 2e-15. Measured from each player's floor, the
    // equilibrium's regret is exactly 0 and the solvers certify it.
    let (hi, lo) = (100.0 + 1e-6, 100.0 - 1e-6);
    let game = bimatrix([[hi, lo], [lo, hi]], [[lo, hi], [hi, lo]]);
    let half = profile(&[0.5, 0.5], &[0.5, 0.5]);
    assert_eq!(game.regret(&half).expect("valid"), 0.0);
    let eqs = solve_all(&game, &NashOptions::default()).expect("certified");
    assert_eq!(eqs.len(), 1);
    assert!(eqs[0].relative_regret <= 1e-9);
}
