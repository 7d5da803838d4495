//! Writing a game as an `.nfg` file that reads back to an identical game.
//!
//! Payoffs are written exactly: integral values below `2^53` as integers, all others in Rust's
//! shortest round-trip notation (which may use an exponent, e.g. `1e-7`, which Gambit reads
//! too). Strings escape `"` as `\"` and `\` as `\\`.

use std::fmt::Write;

use crate::finite::game::NormalFormGame;

/// Which body the writer emits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NfgStyle {
    /// The payoff list: for each pure profile, one payoff per player.
    #[default]
    PayoffList,
    /// The outcome list: one (unnamed) outcome per pure profile, then the indices `1 2 ...`.
    OutcomeList,
}

/// The game as `.nfg` text in `style`; [`super::parse_nfg`] reads it back to an equal game
/// (title, comment, labels and every payoff bit for bit, up to the sign of zero).
pub fn write_nfg(game: &NormalFormGame, style: NfgStyle) -> String {
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = write!(out, "NFG 1 R {} {{", quote(game.title()));
    for label in game.player_labels() {
        let _ = write!(out, " {}", quote(label));
    }
    out.push_str(" }\n\n{ ");
    for (i, labels) in game.strategy_labels().iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push('{');
        for label in labels {
            let _ = write!(out, " {}", quote(label));
        }
        out.push_str(" }");
    }
    let _ = write!(out, "\n}}\n{}\n\n", quote(game.comment()));
    match style {
        NfgStyle::PayoffList => payoff_list(game, &mut out),
        NfgStyle::OutcomeList => outcome_list(game, &mut out),
    }
    out
}

/// The payoffs of every player at one profile, written.
fn row(game: &NormalFormGame, profile: usize) -> Vec<String> {
    game.payoff_tensors()
        .iter()
        .map(|t| number(t[profile]))
        .collect()
}

fn payoff_list(game: &NormalFormGame, out: &mut String) {
    for profile in 0..game.num_profiles() {
        out.push_str(&row(game, profile).join(" "));
        out.push('\n');
    }
}

fn outcome_list(game: &NormalFormGame, out: &mut String) {
    out.push_str("{\n");
    for profile in 0..game.num_profiles() {
        let _ = writeln!(out, "{{ \"\" {} }}", row(game, profile).join(", "));
    }
    out.push_str("}\n");
    let indices: Vec<String> = (1..=game.num_profiles()).map(|k| k.to_string()).collect();
    out.push_str(&indices.join(" "));
    out.push('\n');
}

/// A payoff in a form that parses back to the same `f64`.
fn number(u: f64) -> String {
    // Integers below 2^53 are exact in both i64 and f64; writing them without ".0" keeps
    // hand-made games readable.
    if u.fract() == 0.0 && u.abs() < 9.007_199_254_740_992e15 {
        format!("{}", u as i64)
    } else {
        format!("{u:?}")
    }
}

/// `s` in double quotes with `"` and `\` escaped.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}
