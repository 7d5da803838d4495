//! The Gambit `.nfg` reader and writer: both body forms, escapes, numbers, errors that name the
//! line, write-then-read identity, and no panic on damaged files.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_game::finite::{
    NfgError, NfgErrorKind, NfgStyle, NormalFormGame, parse_nfg, parse_nfg_bytes, write_nfg,
};

const OUTCOME_FORM: &str = r#"NFG 1 R "A \"quoted\" title with a \\ backslash" { "Row" "Col" }

{ { "T" "B" }
{ "L" "C" "R" }
}
"two
line comment"

{
{ "a" 1, 2 }
{ "b" 3/4 -5 }
{ "" 1.5e1, .25 }
}
1 2 3 0 1 2
"#;

#[test]
fn reads_the_outcome_form() {
    let game = parse_nfg(OUTCOME_FORM).expect("valid file");
    assert_eq!(game.title(), r#"A "quoted" title with a \ backslash"#);
    assert_eq!(game.comment(), "two\nline comment");
    assert_eq!(game.player_labels(), ["Row", "Col"]);
    assert_eq!(game.strategy_labels()[1], ["L", "C", "R"]);
    // Profiles in order (T,L) (B,L) (T,C) (B,C) (T,R) (B,R) get outcomes 1 2 3 0 1 2;
    // outcome 2 is (3/4, -5), outcome 3 is (15, 0.25), outcome 0 pays nothing.
    assert_eq!(
        game.payoff_tensor(0).expect("row"),
        [1.0, 0.75, 15.0, 0.0, 1.0, 0.75]
    );
    assert_eq!(
        game.payoff_tensor(1).expect("col"),
        [2.0, -5.0, 0.25, 0.0, 2.0, -5.0]
    );
}

#[test]
fn reads_the_payoff_form_with_counts() {
    let game = parse_nfg("NFG 1 D \"pd\" { \"1\" \"2\" } { 2 2 }\n\n9 9 10 0 0 10 1 1\n")
        .expect("valid file");
    assert_eq!(game.strategy_labels()[0], ["1", "2"]);
    assert_eq!(game.comment(), "");
    // (0,0) = 9,9; (1,0) = 10,0; (0,1) = 0,10; (1,1) = 1,1.
    assert_eq!(game.payoff(0, &[1, 0]), Some(10.0));
    assert_eq!(game.payoff(1, &[1, 0]), Some(0.0));
    assert_eq!(game.payoff(1, &[0, 1]), Some(10.0));
}

fn error_of(text: &str) -> NfgError {
    match parse_nfg(text) {
        Ok(_) => panic!("accepted a bad file:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn errors_name_the_line() {
    let good = "NFG 1 R \"g\" { \"1\" \"2\" }\n{ { \"a\" \"b\" }\n{ \"c\" \"d\" }\n}\n\n1 2\n3 4\n5 6\n7 8\n";
    assert!(parse_nfg(good).is_ok());
    // Truncated: the last line is gone, the error is at the end of the file (line 9).
    let truncated = good.replace("7 8\n", "");
    let e = error_of(&truncated);
    assert_eq!(e.line, 9);
    assert!(
        matches!(e.kind, NfgErrorKind::Unexpected { ref found, .. } if found == "end of file"),
        "{e}"
    );
    // A bad number on line 7, column 3.
    let e = error_of(&good.replace("3 4", "3 4x"));
    assert_eq!(
        (e.line, e.column, e.kind),
        (7, 3, NfgErrorKind::BadNumber { text: "4x".into() })
    );
    // A fraction with denominator 0.
    assert_eq!(error_of(&good.replace("5 6", "5/0 6")).line, 8);
    // Too many payoffs: one extra number on line 9.
    let e = error_of(&good.replace("7 8", "7 8 9"));
    assert_eq!((e.line, e.column), (9, 5));
    // Wrong count of strategy lists: three lists for two players, reported at the third.
    let e = error_of(&good.replace("{ \"c\" \"d\" }\n", "{ \"c\" \"d\" }\n{ \"e\" }\n"));
    assert_eq!(e.line, 5);
    assert!(
        matches!(
            e.kind,
            NfgErrorKind::WrongCount {
                expected: 2,
                found: 3,
                ..
            }
        ),
        "{e}"
    );
    // An unterminated string, reported where it opens (line 3, column 7).
    let e = error_of(&good.replace("\"c\" \"d\" }\n}\n\n1 2", "\"c\" \"d }\n}\n\n1 2"));
    assert_eq!(
        (e.line, e.column, e.kind),
        (3, 7, NfgErrorKind::UnterminatedString)
    );
    // Bad headers.
    assert_eq!(error_of(&good.replace("NFG 1 R", "NFG 2 R")).line, 1);
    assert!(matches!(
        error_of(&good.replace("NFG 1 R", "EFG 1 R")).kind,
        NfgErrorKind::BadHeader(_)
    ));
    // An outcome index beyond the list.
    let e = error_of("NFG 1 R \"g\" { \"1\" }\n{ 2 }\n{\n{ \"x\" 1 }\n}\n1\n2\n");
    assert_eq!(
        (e.line, e.kind),
        (
            7,
            NfgErrorKind::OutcomeOutOfRange {
                index: 2,
                outcomes: 1
            }
        )
    );
    // An outcome with a missing payoff.
    let e = error_of("NFG 1 R \"g\" { \"1\" \"2\" }\n{ 1 1 }\n{\n{ \"x\" 1 }\n}\n1\n");
    assert_eq!(e.line, 4);
    assert!(
        matches!(
            e.kind,
            NfgErrorKind::WrongCount {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{e}"
    );
    // A word where a payoff belongs: named as found, not miscounted (found by a tester).
    let e = error_of("NFG 1 R \"g\" { \"1\" \"2\" }\n{ 1 1 }\n{\n{ \"x\" 1, NaN }\n}\n1\n");
    assert_eq!((e.line, e.column), (4, 10));
    assert!(
        matches!(e.kind, NfgErrorKind::Unexpected { ref found, .. } if found.contains("NaN")),
        "{e}"
    );
    // Absurd declared sizes are refused before anything is allocated.
    let e = error_of("NFG 1 R \"g\" { \"1\" \"2\" }\n{ 1000000000000000 2 }\n1 2\n");
    assert_eq!(e.line, 2);
    assert!(matches!(e.kind, NfgErrorKind::Game(_)), "{e}");
    let e = error_of("NFG 1 R \"g\" { \"1\" \"2\" }\n{ 100000 100000 }\n1 2\n");
    assert!(matches!(e.kind, NfgErrorKind::Game(_)), "{e}");
    // A player without strategies.
    let e = error_of("NFG 1 R \"g\" { \"1\" \"2\" }\n{ 2 0 }\n");
    assert!(matches!(e.kind, NfgErrorKind::Game(_)), "{e}");
}

#[test]
fn the_gambit_files_survive_a_round_trip() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gambit");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("the data directory ships with the tests") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "nfg") {
            let text = std::fs::read_to_string(&path).expect("readable");
            let game = parse_nfg(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for style in [NfgStyle::PayoffList, NfgStyle::OutcomeList] {
                assert_eq!(
                    parse_nfg(&write_nfg(&game, style)).as_ref(),
                    Ok(&game),
                    "{}",
                    path.display()
                );
            }
            files += 1;
        }
    }
    assert_eq!(files, 27);
}

fn label() -> impl Strategy<Value = String> {
    // Quotes, backslashes, spaces, newlines and non-ASCII all have to survive.
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "Z", "7", " ", "\"", "\\", "\n", "é", "{", "}", ",",
        ]),
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

fn payoff() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i32..1000).prop_map(f64::from),
        -1e6f64..1e6,
        prop::num::f64::NORMAL.prop_filter("within the magnitude limit", |u| u.abs() <= 1e300),
        Just(1e-300),
        Just(-0.1),
    ]
}

fn any_game() -> impl Strategy<Value = NormalFormGame> {
    prop::collection::vec(1usize..4, 1..4)
        .prop_flat_map(|counts| {
            let profiles: usize = counts.iter().product();
            let players = counts.len();
            let strategy_labels: Vec<_> = counts
                .iter()
                .map(|&n| prop::collection::vec(label(), n))
                .collect();
            (
                Just(counts),
                prop::collection::vec(prop::collection::vec(payoff(), profiles), players),
                prop::collection::vec(label(), players),
                strategy_labels,
                label(),
                label(),
            )
        })
        .prop_map(|(counts, payoffs, players, strategies, title, comment)| {
            NormalFormGame::new(&counts, payoffs)
                .and_then(|g| g.with_player_labels(players))
                .and_then(|g| g.with_strategy_labels(strategies))
                .expect("generated games are valid")
                .with_title(title)
                .with_comment(comment)
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    /// Writing then reading gives the same game (labels and every payoff), in both styles.
    #[test]
    fn write_then_read_is_the_identity(game in any_game()) {
        for style in [NfgStyle::PayoffList, NfgStyle::OutcomeList] {
            let text = write_nfg(&game, style);
            prop_assert_eq!(parse_nfg(&text), Ok(game.clone()), "{}", text);
        }
    }

    /// Random byte edits of a valid file (deletion, insertion, replacement, truncation) never
    /// panic; an error names a line that exists (or the line after a final newline).
    #[test]
    fn damaged_files_give_errors_not_panics(
        game in any_game(),
        edits in prop::collection::vec((0usize..4, any::<prop::sample::Index>(), any::<u8>()), 1..5),
    ) {
        let mut bytes = write_nfg(&game, NfgStyle::OutcomeList).into_bytes();
        for (kind, at, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 if i < bytes.len() => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                2 if i < bytes.len() => bytes[i] = byte,
                _ => bytes.truncate(i),
            }
        }
        if let Err(e) = parse_nfg_bytes(&bytes) {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            prop_assert!(e.line >= 1 && e.line <= lines, "line {} of {}", e.line, lines);
            prop_assert!(e.column >= 1);
        }
    }
}
