//! Nash equilibria of finite games, each returned with its certified regret.
//!
//! Two players:
//! - [`support_enumeration()`]: all equilibria of a nondegenerate bimatrix game, supports tried
//!   in Porter–Nudelman–Shoham order (small, balanced first) with conditional-dominance pruning;
//!   optionally capped in support size or stopped after the first equilibria.
//! - [`vertex_enumeration()`]: all extreme equilibria of any bimatrix game, degenerate or not
//!   (completely labelled vertex pairs of the best-response polytopes, as Gambit's `enummixed`
//!   and `lrsnash`); also behind [`is_nondegenerate`].
//! - [`lemke_howson()`] / [`lemke_howson_all`]: complementary pivoting from the artificial
//!   equilibrium, dropping one label, with a lexicographic ratio test so degenerate games do not
//!   cycle.
//!
//! Any number of players:
//! - [`pure_equilibria()`]: every pure equilibrium.
//! - [`support_newton()`]: enumeration of support profiles (PNS order, conditional dominance
//!   pruning) solving each profile's indifference equations by Newton's method from several
//!   seeded starts.
//! - [`logit_homotopy()`]: the principal branch of the logit quantal response correspondence,
//!   traced by predictor–corrector continuation, then Newton polishing on the limit's support.
//!
//! [`solve_all`] picks methods by the number of players (what `rp nash` calls).
//!
//! Certification (every method): the profile is cleaned (rounding residue below 0 set to 0,
//! each vector rescaled to sum 1), its regret is computed on the original game
//! ([`NormalFormGame::regret`], payoffs measured from each player's floor so rounding stays on
//! the scale of the range) and it is returned only if `regret <= regret_tolerance *
//! payoff_range`; a candidate that fails is dropped (logged by `tracing`: debug level in
//! enumerations, warning where a path was expected to succeed). Equilibria closer
//! than `duplicate_distance` (largest probability difference) are merged, keeping the first
//! found.

mod bimatrix;
mod lemke_howson;
mod linalg;
mod logit;
mod newton;
mod pure;
mod support_enumeration;
mod support_newton;
mod vertex_enumeration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::game::NormalFormGame;
use super::profile::MixedProfile;

pub use lemke_howson::{lemke_howson, lemke_howson_all};
pub use logit::{LogitOptions, logit_homotopy};
pub use pure::pure_equilibria;
pub use support_enumeration::support_enumeration;
pub use support_newton::support_newton;
pub use vertex_enumeration::{is_nondegenerate, vertex_enumeration};

/// The method that found an equilibrium.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "name")]
pub enum Method {
    /// Check of every pure profile.
    PureEnumeration,
    /// Two-player support enumeration.
    SupportEnumeration,
    /// Two-player vertex enumeration of the best-response polytopes.
    VertexEnumeration,
    /// Lemke–Howson started by dropping `label` (0-based: the row player's strategies are
    /// `0..m`, the column player's `m..m+n`).
    LemkeHowson {
        /// The dropped label.
        label: usize,
    },
    /// n-player support enumeration with Newton's method.
    SupportNewton,
    /// Logit homotopy with Newton polishing.
    LogitHomotopy,
}

impl std::fmt::Display for Method {
    /// Human names, as `rp nash` prints them (`Lemke–Howson from label 3`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PureEnumeration => f.write_str("pure enumeration"),
            Self::SupportEnumeration => f.write_str("support enumeration"),
            Self::VertexEnumeration => f.write_str("vertex enumeration"),
            Self::LemkeHowson { label } => write!(f, "Lemke–Howson from label {label}"),
            Self::SupportNewton => f.write_str("support enumeration with Newton"),
            Self::LogitHomotopy => f.write_str("logit homotopy"),
        }
    }
}

/// A Nash equilibrium with its certificate: the regret computed on the game.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Equilibrium {
    /// One probability vector per player.
    pub profile: MixedProfile,
    /// Largest gain of any player from a unilateral deviation (payoff units).
    pub regret: f64,
    /// `regret / payoff_range` (0 for a constant game, where the regret is exactly 0).
    pub relative_regret: f64,
    /// The method that found it first.
    pub method: Method,
}

/// Which solver [`solve_all`] runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NashMethod {
    /// One player: [`pure_equilibria()`]. Two players: [`vertex_enumeration()`] (all extreme
    /// equilibria) when its work is within `max_enumeration`, otherwise
    /// [`lemke_howson_all`]. Three or more: [`support_newton()`] when the number of support
    /// profiles is within `max_support_profiles` (otherwise [`pure_equilibria()`]), merged with
    /// [`logit_homotopy()`].
    #[default]
    Auto,
    /// [`pure_equilibria()`].
    PureEnumeration,
    /// [`support_enumeration()`] (two players).
    SupportEnumeration,
    /// [`vertex_enumeration()`] (two players).
    VertexEnumeration,
    /// [`lemke_howson_all`] (two players).
    LemkeHowson,
    /// [`support_newton()`].
    SupportNewton,
    /// [`logit_homotopy()`]. When its path cannot be followed to a certified equilibrium,
    /// [`solve_all`] logs a warning and answers with the enumeration of `Auto` instead (for
    /// three or more players [`support_newton()`], or [`pure_equilibria()`] when too large);
    /// the `method` of each equilibrium says which found it. Call [`logit_homotopy()`] directly
    /// to get the error.
    LogitHomotopy,
}

/// Options shared by the solvers. The defaults suit games up to a few hundred thousand
/// payoff entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NashOptions {
    /// Solver choice for [`solve_all`].
    pub method: NashMethod,
    /// Certification bound: a profile is an equilibrium when its regret is at most this times
    /// the payoff range. Default `1e-9`, the project's tolerance.
    pub regret_tolerance: f64,
    /// Largest number of support pairs a two-player enumeration ([`support_enumeration()`],
    /// [`vertex_enumeration()`]) may visit before it refuses with [`NashError::TooLarge`]. Default
    /// `5e6`.
    pub max_enumeration: u64,
    /// Largest number of support profiles [`support_newton()`] may visit (each costs up to
    /// `newton_starts` Newton solves) before it refuses with [`NashError::TooLarge`]. Default
    /// `1e5`.
    pub max_support_profiles: u64,
    /// Largest support size per player in [`support_enumeration()`] (`None`: no cap).
    pub max_support: Option<usize>,
    /// Stop [`support_enumeration()`] after this many equilibria (`None`: find all).
    pub max_equilibria: Option<usize>,
    /// Pivot limit of one Lemke–Howson path. Default `100_000`.
    pub max_pivots: usize,
    /// Newton starts per support profile in [`support_newton()`] (the first is the centroid of
    /// the supports, the others seeded random points). Default 4.
    pub newton_starts: usize,
    /// Seed of the random starts (ChaCha8, one stream per support profile). Default 0.
    pub seed: u64,
    /// Two equilibria closer than this (largest probability difference) are one. Default `1e-8`.
    pub duplicate_distance: f64,
    /// Path-following settings of [`logit_homotopy()`].
    pub logit: LogitOptions,
}

impl Default for NashOptions {
    fn default() -> Self {
        Self {
            method: NashMethod::Auto,
            regret_tolerance: 1e-9,
            max_enumeration: 5_000_000,
            max_support_profiles: 100_000,
            max_support: None,
            max_equilibria: None,
            max_pivots: 100_000,
            newton_starts: 4,
            seed: 0,
            duplicate_distance: 1e-8,
            logit: LogitOptions::default(),
        }
    }
}

impl NashOptions {
    /// Check the options: tolerances finite and in range, counts positive.
    pub fn validate(&self) -> Result<(), NashError> {
        let bad = |what: &str| Err(NashError::InvalidOptions(what.into()));
        if !(self.regret_tolerance.is_finite() && self.regret_tolerance > 0.0) {
            return bad("regret_tolerance must be finite and > 0");
        }
        if !(self.duplicate_distance.is_finite() && self.duplicate_distance >= 0.0) {
            return bad("duplicate_distance must be finite and >= 0");
        }
        if self.newton_starts == 0 || self.max_pivots == 0 {
            return bad("newton_starts and max_pivots must be >= 1");
        }
        if self.max_support == Some(0) || self.max_equilibria == Some(0) {
            return bad("max_support and max_equilibria must be >= 1 when set");
        }
        self.logit.validate()
    }
}

/// Why a solver gave no answer.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum NashError {
    /// A two-player method on a game with another number of players.
    #[error("{method} needs a two-player game, this one has {players} players")]
    NotTwoPlayer {
        /// The method.
        method: &'static str,
        /// Players in the game.
        players: usize,
    },
    /// An enumeration bigger than its cap (`max_enumeration` or `max_support_profiles`).
    #[error("{method} would visit {work} supports, more than the cap {cap}")]
    TooLarge {
        /// The method.
        method: &'static str,
        /// Supports it would visit (saturated).
        work: u64,
        /// The cap.
        cap: u64,
    },
    /// A Lemke–Howson label out of range.
    #[error("Lemke-Howson label {label} out of range (the game has {labels} labels)")]
    NoSuchLabel {
        /// The label.
        label: usize,
        /// `m + n`.
        labels: usize,
    },
    /// A Lemke–Howson path longer than `max_pivots`.
    #[error("Lemke-Howson from label {label} did not end within {pivots} pivots")]
    PivotLimit {
        /// The dropped label.
        label: usize,
        /// The limit.
        pivots: usize,
    },
    /// A path-following or Newton method that did not reach a certified equilibrium.
    #[error("{method} found no certified equilibrium: {reason}")]
    NotConverged {
        /// The method.
        method: &'static str,
        /// What happened.
        reason: String,
    },
    /// A candidate that failed certification (regret above the bound).
    #[error("{method} ended at a profile with regret {regret:e} > bound {bound:e}")]
    Uncertified {
        /// The method.
        method: &'static str,
        /// Its regret.
        regret: f64,
        /// `regret_tolerance * payoff_range`.
        bound: f64,
    },
    /// Invalid options.
    #[error("invalid Nash options: {0}")]
    InvalidOptions(String),
}

/// All equilibria the method chosen by `opts.method` finds (see [`NashMethod::Auto`] for the
/// default choice), every one with regret `<= regret_tolerance * payoff_range`, de-duplicated,
/// in the order found. Never empty on success.
pub fn solve_all(game: &NormalFormGame, opts: &NashOptions) -> Result<Vec<Equilibrium>, NashError> {
    opts.validate()?;
    let found = match opts.method {
        NashMethod::Auto => auto(game, opts)?,
        NashMethod::PureEnumeration => pure_equilibria(game, opts)?,
        NashMethod::SupportEnumeration => support_enumeration(game, opts)?,
        NashMethod::VertexEnumeration => vertex_enumeration(game, opts)?,
        NashMethod::LemkeHowson => lemke_howson_all(game, opts)?,
        NashMethod::SupportNewton => support_newton(game, opts)?,
        NashMethod::LogitHomotopy => match logit_homotopy(game, opts) {
            Ok(eq) => vec![eq],
            Err(e @ NashError::NotConverged { .. }) => {
                tracing::warn!(error = %e, "logit homotopy failed; enumerating instead");
                enumerate(game, opts)?
            }
            Err(e) => return Err(e),
        },
    };
    if found.is_empty() {
        return Err(NashError::NotConverged {
            method: "solve_all",
            reason: "no method returned a certified equilibrium".into(),
        });
    }
    Ok(found)
}

fn auto(game: &NormalFormGame, opts: &NashOptions) -> Result<Vec<Equilibrium>, NashError> {
    let mut found = enumerate(game, opts)?;
    if game.num_players() > 2 {
        match logit_homotopy(game, opts) {
            Ok(eq) => push_distinct(&mut found, eq, opts.duplicate_distance),
            Err(e) => tracing::warn!(error = %e, "logit homotopy found no equilibrium"),
        }
    }
    Ok(found)
}

/// The enumeration part of [`NashMethod::Auto`]: pure equilibria for one player; vertex
/// enumeration (Lemke–Howson from every label when too large) for two; support enumeration with
/// Newton (pure equilibria when too large) for more.
fn enumerate(game: &NormalFormGame, opts: &NashOptions) -> Result<Vec<Equilibrium>, NashError> {
    match game.num_players() {
        1 => pure_equilibria(game, opts),
        2 => match vertex_enumeration(game, opts) {
            Err(NashError::TooLarge { work, .. }) => {
                tracing::info!(
                    work,
                    "vertex enumeration too large; Lemke-Howson from every label"
                );
                lemke_howson_all(game, opts)
            }
            other => other,
        },
        _ => match support_newton(game, opts) {
            Err(NashError::TooLarge { work, .. }) => {
                tracing::info!(work, "support enumeration too large; pure equilibria only");
                pure_equilibria(game, opts)
            }
            other => other,
        },
    }
}

/// Clean `profile`, compute its regret on `game` and return it as an equilibrium found by
/// `method` if the regret is within the bound.
pub(crate) fn certify(
    game: &NormalFormGame,
    profile: MixedProfile,
    method: Method,
    opts: &NashOptions,
) -> Result<Equilibrium, NashError> {
    let profile = profile.cleaned();
    if let Err(e) = game.check_profile(&profile) {
        return Err(NashError::NotConverged {
            method: method_name(method),
            reason: format!("candidate is not a profile: {e}"),
        });
    }
    let range = game.payoff_range();
    let bound = opts.regret_tolerance * range;
    let regret = game
        .player_regrets_unchecked(profile.strategies())
        .into_iter()
        .fold(0.0, f64::max);
    // NaN regret (impossible for a checked profile of a finite game) fails too.
    if regret.is_nan() || regret > bound {
        return Err(NashError::Uncertified {
            method: method_name(method),
            regret,
            bound,
        });
    }
    let relative_regret = if regret == 0.0 { 0.0 } else { regret / range };
    Ok(Equilibrium {
        profile,
        regret,
        relative_regret,
        method,
    })
}

/// Certify a candidate and add it to `found` unless it fails or duplicates one there. Failure is
/// logged at debug level: enumerations produce many candidates that are simply not equilibria
/// (a better strategy outside the support), which is no cause for a warning.
pub(crate) fn collect(
    found: &mut Vec<Equilibrium>,
    game: &NormalFormGame,
    profile: MixedProfile,
    method: Method,
    opts: &NashOptions,
) {
    match certify(game, profile, method, opts) {
        Ok(eq) => push_distinct(found, eq, opts.duplicate_distance),
        Err(e) => tracing::debug!(error = %e, "candidate is not a certified equilibrium"),
    }
}

/// Add `eq` unless an equilibrium within `distance` is already in `found`.
pub(crate) fn push_distinct(found: &mut Vec<Equilibrium>, eq: Equilibrium, distance: f64) {
    let duplicate = found.iter().any(|f| {
        f.profile
            .max_abs_difference(&eq.profile)
            .is_some_and(|d| d <= distance)
    });
    if !duplicate {
        found.push(eq);
    }
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::PureEnumeration => "pure enumeration",
        Method::SupportEnumeration => "support enumeration",
        Method::VertexEnumeration => "vertex enumeration",
        Method::LemkeHowson { .. } => "Lemke-Howson",
        Method::SupportNewton => "support enumeration with Newton",
        Method::LogitHomotopy => "logit homotopy",
    }
}

/// `Err(NotTwoPlayer)` unless `game` has two players.
fn require_two_players(game: &NormalFormGame, method: &'static str) -> Result<(), NashError> {
    match game.num_players() {
        2 => Ok(()),
        players => Err(NashError::NotTwoPlayer { method, players }),
    }
}

/// `n choose k`, saturating at `u64::MAX`.
fn binomial(n: usize, k: usize) -> u64 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    (0..k).fold(1u64, |acc, i| {
        let next = u128::from(acc) * (n - i) as u128 / (i + 1) as u128;
        u64::try_from(next).unwrap_or(u64::MAX)
    })
}

/// Calls `f` with every `k`-subset of `items` in lexicographic order of positions; stops early
/// when `f` returns `false`. Returns `false` if stopped.
fn for_each_subset(items: &[usize], k: usize, f: &mut dyn FnMut(&[usize]) -> bool) -> bool {
    if k > items.len() {
        return true;
    }
    let mut idx: Vec<usize> = (0..k).collect();
    let mut subset: Vec<usize> = idx.iter().map(|&i| items[i]).collect();
    loop {
        if !f(&subset) {
            return false;
        }
        // Advance the rightmost position that can move.
        let Some(pos) = (0..k).rev().find(|&p| idx[p] < items.len() - k + p) else {
            return true;
        };
        idx[pos] += 1;
        for q in pos + 1..k {
            idx[q] = idx[q - 1] + 1;
        }
        for q in pos..k {
            subset[q] = items[idx[q]];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials_match_pascal() {
        // C(20, 10) = 184756; C(40, 20) = 137846528820.
        assert_eq!(binomial(20, 10), 184_756);
        assert_eq!(binomial(40, 20), 137_846_528_820);
        assert_eq!(binomial(5, 0), 1);
        assert_eq!(binomial(3, 5), 0);
    }

    #[test]
    fn subsets_are_all_visited_in_order() {
        let mut seen = Vec::new();
        for_each_subset(&[1, 3, 5, 7], 2, &mut |s| {
            seen.push(s.to_vec());
            true
        });
        // C(4, 2) = 6 subsets.
        assert_eq!(
            seen,
            vec![
                vec![1, 3],
                vec![1, 5],
                vec![1, 7],
                vec![3, 5],
                vec![3, 7],
                vec![5, 7]
            ]
        );
    }
}
