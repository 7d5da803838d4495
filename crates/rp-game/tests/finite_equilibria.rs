//! Property tests of the equilibrium solvers on generated games: every returned equilibrium has
//! certified regret; on nondegenerate bimatrix games support and vertex enumeration agree, the
//! number of equilibria is odd (Shapley's index theorem) and Lemke–Howson's results are among
//! them; on degenerate integer games support enumeration and Lemke–Howson return extreme
//! equilibria only; solutions are invariant under positive affine payoff maps and do not depend
//! on anything but the options.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_game::finite::{
    Equilibrium, Method, MixedProfile, NashError, NashMethod, NashOptions, NormalFormGame,
    is_nondegenerate, lemke_howson_all, logit_homotopy, read_nfg_file, solve_all,
    support_enumeration, support_newton, vertex_enumeration,
};

const SAME: f64 = 1e-7;

fn certified(game: &NormalFormGame, eqs: &[Equilibrium]) -> Result<(), TestCaseError> {
    let bound = 1e-9 * game.payoff_range();
    for eq in eqs {
        let regret = game
            .regret(&eq.profile)
            .expect("solvers return valid profiles");
        prop_assert!(
            regret <= bound,
            "regret {regret:e} > {bound:e} at {:?}",
            eq.profile
        );
        prop_assert!(eq.regret.is_finite() && eq.relative_regret.is_finite());
    }
    Ok(())
}

fn contains(set: &[Equilibrium], p: &MixedProfile) -> bool {
    set.iter()
        .any(|e| e.profile.max_abs_difference(p).is_some_and(|d| d <= SAME))
}

fn subset(a: &[Equilibrium], b: &[Equilibrium]) -> bool {
    a.iter().all(|e| contains(b, &e.profile))
}

fn bimatrix(payoff: impl Strategy<Value = f64> + Clone) -> impl Strategy<Value = NormalFormGame> {
    (1usize..=5, 1usize..=5).prop_flat_map(move |(m, n)| {
        let matrix = prop::collection::vec(prop::collection::vec(payoff.clone(), n), m);
        (matrix.clone(), matrix)
            .prop_map(|(a, b)| NormalFormGame::from_bimatrix(&a, &b).expect("valid"))
    })
}

fn n_player() -> impl Strategy<Value = NormalFormGame> {
    prop::collection::vec(2usize..=3, 3..=3).prop_flat_map(|counts| {
        let profiles: usize = counts.iter().product();
        prop::collection::vec(prop::collection::vec(-5.0f64..5.0, profiles), 3)
            .prop_map(move |payoffs| NormalFormGame::new(&counts, payoffs).expect("valid"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    #[test]
    fn generic_bimatrix_games(game in bimatrix(-10.0f64..10.0)) {
        let opts = NashOptions::default();
        let se = support_enumeration(&game, &opts).expect("small games are within the cap");
        let ve = vertex_enumeration(&game, &opts).expect("small games are within the cap");
        let lh = lemke_howson_all(&game, &opts).expect("Lemke-Howson ends");
        certified(&game, &se)?;
        certified(&game, &ve)?;
        certified(&game, &lh)?;
        prop_assert!(!lh.is_empty() && !ve.is_empty());
        // Continuous payoffs give nondegenerate games with probability one; the check guards
        // the rare exception rather than assuming it.
        if is_nondegenerate(&game, &opts).expect("within the cap") {
            prop_assert!(subset(&se, &ve) && subset(&ve, &se), "SE {se:?}\nVE {ve:?}");
            prop_assert_eq!(se.len() % 2, 1, "a nondegenerate game has an odd number of equilibria");
            prop_assert!(subset(&lh, &se), "LH {lh:?}\nSE {se:?}");
        }
    }

    #[test]
    fn degenerate_integer_bimatrix_games(game in bimatrix((0i32..3).prop_map(f64::from))) {
        let opts = NashOptions::default();
        let ve = vertex_enumeration(&game, &opts).expect("within the cap");
        let se = support_enumeration(&game, &opts).expect("within the cap");
        let lh = lemke_howson_all(&game, &opts).expect("Lemke-Howson ends with the lexicographic rule");
        certified(&game, &ve)?;
        certified(&game, &se)?;
        certified(&game, &lh)?;
        prop_assert!(!ve.is_empty() && !lh.is_empty());
        // Both return completely labelled vertex pairs, i.e. extreme equilibria.
        prop_assert!(subset(&se, &ve), "SE {se:?}\nVE {ve:?}");
        prop_assert!(subset(&lh, &ve), "LH {lh:?}\nVE {ve:?}");
    }

    #[test]
    fn affine_payoff_maps_change_no_equilibrium(game in bimatrix(-10.0f64..10.0), scale in prop::sample::select(vec![1e-6, 3.0, 1e6]), shift in -100.0f64..100.0) {
        let opts = NashOptions::default();
        let mapped: Vec<Vec<f64>> = game.payoff_tensors().iter().map(|t| t.iter().map(|u| scale * u + shift).collect()).collect();
        let mapped = NormalFormGame::new(game.strategy_counts(), mapped).expect("valid");
        let a = vertex_enumeration(&game, &opts).expect("within the cap");
        let b = vertex_enumeration(&mapped, &opts).expect("within the cap");
        prop_assert!(subset(&a, &b) && subset(&b, &a), "{a:?}\n{b:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    #[test]
    fn three_player_games(game in n_player()) {
        let opts = NashOptions::default();
        let all = solve_all(&game, &opts).expect("every finite game has an equilibrium");
        prop_assert!(!all.is_empty());
        certified(&game, &all)?;
        let logit = logit_homotopy(&game, &opts).expect("the principal branch ends at an equilibrium");
        certified(&game, std::slice::from_ref(&logit))?;
        // Same options, same answer, bit for bit.
        prop_assert_eq!(&support_newton(&game, &opts).expect("within the cap"), &support_newton(&game, &opts).expect("within the cap"));
    }
}

/// The game of `tests/data/logit_fold.nfg`.
fn folding_game() -> NormalFormGame {
    read_nfg_file(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/logit_fold.nfg"),
    )
    .expect("the regression game reads")
}

/// Regression (a game proptest found, shrunk; its provenance is the comment of the file): the
/// principal logit branch rises to lambda ~ 1935, turns back down to ~ 34 and turns up again.
/// The tracer used to cut from the returning arm onto the rising one and follow the branch
/// backwards, through the centroid, to lambda ~ -1.6e6, where it failed. Traced with steps
/// capped at 0.2 (31 000 steps) the branch passes the same folds and ends at the same point.
#[test]
fn logit_follows_a_branch_that_folds_back() {
    let game = folding_game();
    let opts = NashOptions::default();
    let eq = logit_homotopy(&game, &opts).expect("the principal branch is followed to its end");
    // Its end is the pure profile (1, 3, 3) (1-based), flat index 0 + 2 * 2 + 6 * 2 = 16, a
    // strict equilibrium: player 1 gets 2.544 there against -0.389 (index 17); player 2 2.436
    // against 1.895 (index 12) and -3.485 (index 14); player 3 1.837 against 1.461 (index 4)
    // and 1.066 (index 10).
    let end = MixedProfile::new(vec![
        vec![1.0, 0.0],
        vec![0.0, 0.0, 1.0],
        vec![0.0, 0.0, 1.0],
    ]);
    assert_eq!(eq.profile, end);
    assert_eq!(eq.regret, 0.0);
    assert_eq!(eq.method, Method::LogitHomotopy);
}

/// `solve_all` with the logit method answers by enumeration when the path cannot be followed
/// (here: a step limit of 1, so the tracer stops near lambda = 0), while `logit_homotopy` itself
/// reports the failure.
#[test]
fn solve_all_falls_back_when_the_logit_path_fails() {
    let game = folding_game();
    let mut opts = NashOptions {
        method: NashMethod::LogitHomotopy,
        ..NashOptions::default()
    };
    opts.logit.max_steps = 1;
    assert!(matches!(
        logit_homotopy(&game, &opts),
        Err(NashError::NotConverged { .. })
    ));
    let found = solve_all(&game, &opts).expect("support enumeration answers instead");
    let enumerated = support_newton(&game, &opts).expect("within the cap");
    assert_eq!(found, enumerated);
    assert!(found.iter().all(|e| e.method == Method::SupportNewton));
}

#[test]
fn one_player_games_return_the_maximizers() {
    // Payoffs 1, 3, 3, 2: the two maximizers are the pure equilibria.
    let game = NormalFormGame::new(&[4], vec![vec![1.0, 3.0, 3.0, 2.0]]).expect("valid");
    let eqs = solve_all(&game, &NashOptions::default()).expect("maximizers exist");
    let pure: Vec<Vec<f64>> = eqs
        .iter()
        .map(|e| e.profile.strategies()[0].clone())
        .collect();
    assert_eq!(
        pure,
        vec![vec![0.0, 1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0, 0.0]]
    );
}

#[test]
fn two_player_methods_refuse_other_games() {
    let game = NormalFormGame::new(&[2, 2, 2], vec![vec![0.0; 8]; 3]).expect("valid");
    let opts = NashOptions::default();
    assert!(support_enumeration(&game, &opts).is_err());
    assert!(vertex_enumeration(&game, &opts).is_err());
    assert!(lemke_howson_all(&game, &opts).is_err());
    let bad = NashOptions {
        regret_tolerance: f64::NAN,
        ..NashOptions::default()
    };
    assert!(solve_all(&game, &bad).is_err());
}

#[test]
fn support_enumeration_honors_its_caps() {
    // Coordination game on 4 strategies (payoff 1 on the diagonal): 15 equilibria, one per
    // nonempty support S (both players uniform on S). Size cap 1 leaves the 4 pure ones;
    // max_equilibria 2 stops after the first two.
    let a: Vec<Vec<f64>> = (0..4)
        .map(|r| (0..4).map(|c| f64::from(u8::from(r == c))).collect())
        .collect();
    let game = NormalFormGame::from_bimatrix(&a, &a).expect("valid");
    let all = support_enumeration(&game, &NashOptions::default()).expect("ok");
    assert_eq!(all.len(), 15);
    let pure = support_enumeration(
        &game,
        &NashOptions {
            max_support: Some(1),
            ..NashOptions::default()
        },
    )
    .expect("ok");
    assert_eq!(pure.len(), 4);
    let two = support_enumeration(
        &game,
        &NashOptions {
            max_equilibria: Some(2),
            ..NashOptions::default()
        },
    )
    .expect("ok");
    assert_eq!(two.len(), 2);
    let tiny = NashOptions {
        max_enumeration: 10,
        ..NashOptions::default()
    };
    assert!(support_enumeration(&game, &tiny).is_err());
}

#[test]
fn equilibria_serialize_for_the_cli() {
    // Prisoner's dilemma (D, D) from Lemke-Howson dropping label 0.
    let a = vec![vec![3.0, 0.0], vec![5.0, 1.0]];
    let b = vec![vec![3.0, 5.0], vec![0.0, 1.0]];
    let game = NormalFormGame::from_bimatrix(&a, &b).expect("valid");
    let eq =
        rp_game::finite::lemke_howson(&game, 0, &NashOptions::default()).expect("an equilibrium");
    let json = serde_json::to_value(&eq).expect("serializable");
    assert_eq!(json["profile"], serde_json::json!([[0.0, 1.0], [0.0, 1.0]]));
    assert_eq!(
        json["method"],
        serde_json::json!({"name": "lemke_howson", "label": 0})
    );
    assert_eq!(json["regret"], serde_json::json!(0.0));
    let back: rp_game::finite::Equilibrium = serde_json::from_value(json).expect("round trip");
    assert_eq!(back, eq);
}
