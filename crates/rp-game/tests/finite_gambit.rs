//! Known answers: the Gambit example games against the reference equilibria computed by
//! pygambit and lrsnash (tests/data/gambit/README.md).
//!
//! Two players: vertex enumeration must return exactly the reference set (all extreme
//! equilibria, matched within 1e-6 both ways); on nondegenerate games support enumeration must
//! too, and Lemke–Howson a nonempty subset; on degenerate games support enumeration must find
//! every reference equilibrium whose supports have equal size and a nonsingular system (its
//! documented scope). More players: `solve_all` finds at least one equilibrium, and every
//! returned equilibrium has certified regret. Coverage per method is printed (run with
//! `--nocapture`).

use std::path::PathBuf;

use rp_game::finite::{
    Equilibrium, MixedProfile, NashOptions, NormalFormGame, is_nondegenerate, lemke_howson_all,
    logit_homotopy, read_nfg_file, solve_all, support_enumeration, support_newton,
    vertex_enumeration,
};
use serde_json::Value;

const MATCH: f64 = 1e-6;
const CERTIFIED: f64 = 1e-9;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gambit")
}

struct Case {
    name: String,
    game: NormalFormGame,
    reference: Vec<MixedProfile>,
    entry: Value,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(data_dir().join("reference_equilibria.json"))
        .expect("reference_equilibria.json ships with the tests");
    let json: Value = serde_json::from_str(&text).expect("the reference file is valid JSON");
    let games = json["games"].as_object().expect("a 'games' object");
    games
        .iter()
        .map(|(name, entry)| {
            let game = read_nfg_file(data_dir().join(name))
                .unwrap_or_else(|e| panic!("{name} must parse: {e}"));
            let reference = entry["equilibria"]
                .as_array()
                .expect("an equilibria list")
                .iter()
                .map(|eq| {
                    MixedProfile::new(serde_json::from_value(eq.clone()).expect("lists of numbers"))
                })
                .collect();
            Case {
                name: name.clone(),
                game,
                reference,
                entry: entry.clone(),
            }
        })
        .collect()
}

fn close(a: &MixedProfile, b: &MixedProfile) -> bool {
    a.max_abs_difference(b).is_some_and(|d| d <= MATCH)
}

/// How many reference equilibria `found` covers.
fn covered(reference: &[MixedProfile], found: &[Equilibrium]) -> usize {
    reference
        .iter()
        .filter(|r| found.iter().any(|f| close(r, &f.profile)))
        .count()
}

fn assert_certified(case: &Case, found: &[Equilibrium], method: &str) {
    let range = case.game.payoff_range();
    for eq in found {
        let regret = case.game.regret(&eq.profile).expect("a valid profile");
        assert!(
            regret <= CERTIFIED * range && (regret - eq.regret).abs() <= 1e-15 * range.max(1.0),
            "{}: {method} returned {:?} with regret {regret:e} (range {range})",
            case.name,
            eq.profile
        );
    }
}

fn assert_same_set(case: &Case, found: &[Equilibrium], method: &str) {
    assert_certified(case, found, method);
    for r in &case.reference {
        assert!(
            found.iter().any(|f| close(r, &f.profile)),
            "{}: {method} misses reference equilibrium {r:?}",
            case.name
        );
    }
    for f in found {
        assert!(
            case.reference.iter().any(|r| close(r, &f.profile)),
            "{}: {method} returned {:?}, not in the reference set",
            case.name,
            f.profile
        );
    }
}

#[test]
fn headers_match_the_reference() {
    for case in cases() {
        assert_eq!(
            case.game.title(),
            case.entry["title"].as_str().expect("a title"),
            "{}",
            case.name
        );
        let counts: Vec<usize> =
            serde_json::from_value(case.entry["strategies"].clone()).expect("counts");
        assert_eq!(
            case.game.strategy_counts(),
            counts.as_slice(),
            "{}",
            case.name
        );
        let labels: Vec<String> =
            serde_json::from_value(case.entry["player_labels"].clone()).expect("labels");
        assert_eq!(
            case.game.player_labels(),
            labels.as_slice(),
            "{}",
            case.name
        );
        let range = case.entry["payoff_range"].as_f64().expect("a range");
        // The reference uses 1 for a constant game.
        let ours = case.game.payoff_range();
        assert!(
            (ours - range).abs() <= 1e-12 * range || (ours == 0.0 && range == 1.0),
            "{}",
            case.name
        );
    }
}

#[test]
fn vertex_enumeration_finds_every_extreme_equilibrium() {
    let opts = NashOptions::default();
    for case in cases().iter().filter(|c| c.game.num_players() == 2) {
        let found = vertex_enumeration(&case.game, &opts).expect("small games are within the cap");
        assert_same_set(case, &found, "vertex enumeration");
        eprintln!(
            "{:<26} vertex enumeration {:>3}/{:<3}",
            case.name,
            found.len(),
            case.reference.len()
        );
    }
}

#[test]
fn support_enumeration_and_lemke_howson_on_two_player_games() {
    let opts = NashOptions::default();
    let mut nondegenerate = 0;
    for case in cases().iter().filter(|c| c.game.num_players() == 2) {
        let se = support_enumeration(&case.game, &opts).expect("small games are within the cap");
        let lh = lemke_howson_all(&case.game, &opts).expect("Lemke-Howson ends on small games");
        assert!(!lh.is_empty(), "{}: Lemke-Howson found nothing", case.name);
        assert_certified(case, &lh, "Lemke-Howson");
        let nondeg = is_nondegenerate(&case.game, &opts).expect("within the cap");
        if nondeg {
            nondegenerate += 1;
            assert_same_set(case, &se, "support enumeration");
            for f in &lh {
                assert!(
                    se.iter().any(|s| close(&s.profile, &f.profile)),
                    "{}: LH outside SE",
                    case.name
                );
            }
        } else {
            assert_certified(case, &se, "support enumeration");
            let expected: Vec<&MixedProfile> = case
                .reference
                .iter()
                .filter(|r| determined_by_equal_supports(&case.game, r))
                .collect();
            for r in &expected {
                assert!(
                    se.iter().any(|s| close(r, &s.profile)),
                    "{}: support enumeration misses {r:?}",
                    case.name
                );
            }
            // Lemke-Howson ends at completely labelled vertex pairs: extreme equilibria.
            for f in &lh {
                assert!(
                    case.reference.iter().any(|r| close(r, &f.profile)),
                    "{}: LH {:?}",
                    case.name,
                    f.profile
                );
            }
        }
        eprintln!(
            "{:<26} {} support enumeration {:>2}/{:<2} Lemke-Howson {:>2}/{:<2}",
            case.name,
            if nondeg {
                "nondegenerate"
            } else {
                "degenerate   "
            },
            covered(&case.reference, &se),
            case.reference.len(),
            covered(&case.reference, &lh),
            case.reference.len()
        );
    }
    // 2x2, 6x6 (75 equilibria), cent2, e07, oneill, pd, todd2? The count guards against a check
    // that silently calls everything degenerate.
    assert!(
        nondegenerate >= 5,
        "only {nondegenerate} nondegenerate games"
    );
}

/// The reference equilibrium `(x, y)` has supports of equal size `k` and the square systems
/// `A_{IJ} z = v 1, sum z = 1` and `B_{IJ}^T w = u 1, sum w = 1` are nonsingular: support
/// enumeration's documented scope on degenerate games.
fn determined_by_equal_supports(game: &NormalFormGame, r: &MixedProfile) -> bool {
    let support = |v: &[f64]| -> Vec<usize> { (0..v.len()).filter(|&i| v[i] > MATCH).collect() };
    let (x, y) = (r.strategies()[0].as_slice(), r.strategies()[1].as_slice());
    let (i_set, j_set) = (support(x), support(y));
    if i_set.len() != j_set.len() {
        return false;
    }
    let k = i_set.len();
    let (a, b) = (&game.payoff_tensors()[0], &game.payoff_tensors()[1]);
    let m = game.strategy_counts()[0];
    let system = |f: &dyn Fn(usize, usize) -> f64| {
        let mut mat = nalgebra::DMatrix::<f64>::zeros(k + 1, k + 1);
        for r in 0..k {
            for c in 0..k {
                mat[(r, c)] = f(r, c);
            }
            mat[(r, k)] = -1.0;
            mat[(k, r)] = 1.0;
        }
        let scale = mat.amax();
        mat.svd(false, false).singular_values.min() > 1e-9 * scale
    };
    system(&|r, c| a[i_set[r] + m * j_set[c]]) && system(&|r, c| b[i_set[c] + m * j_set[r]])
}

#[test]
fn n_player_games_have_certified_equilibria() {
    let opts = NashOptions::default();
    for case in cases().iter().filter(|c| c.game.num_players() > 2) {
        let all = solve_all(&case.game, &opts).expect("an equilibrium");
        assert!(!all.is_empty(), "{}", case.name);
        assert_certified(case, &all, "solve_all");
        let newton = support_newton(&case.game, &opts).expect("small games are within the cap");
        assert_certified(case, &newton, "support enumeration with Newton");
        let logit =
            logit_homotopy(&case.game, &opts).expect("the logit branch ends at an equilibrium");
        assert_certified(case, std::slice::from_ref(&logit), "logit homotopy");
        eprintln!(
            "{:<26} solve_all {:>2} found, reference {:>2}/{:<2} (support+Newton {:>2}, logit {})",
            case.name,
            all.len(),
            covered(&case.reference, &all),
            case.reference.len(),
            covered(&case.reference, &newton),
            covered(&case.reference, std::slice::from_ref(&logit)),
        );
    }
}
