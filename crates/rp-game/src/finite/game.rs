//! The finite normal-form game: players, strategies and one payoff tensor per player.
//!
//! Index order (fixed, the same as Gambit's `.nfg` payoff list): a pure profile
//! `s = (s_0, ..., s_{n-1})` (0-based strategies) has the flat index
//! `sum_i s_i * stride_i` with `stride_0 = 1` and `stride_i = n_0 * ... * n_{i-1}`, so player 0's
//! strategy changes fastest. For two players this makes `payoffs[p][r + n_0 * c]` the payoff of
//! player `p` when the row player plays `r` and the column player plays `c`.
//!
//! What it is not: no solver lives here (see [`crate::finite::nash`]), and no file format (see
//! [`crate::finite::nfg`]).

use thiserror::Error;

/// Largest number of payoff entries (players x pure profiles) a game may hold: `2^24`, 128 MiB of
/// `f64`. Bigger tensors are refused with [`GameError::TooLarge`] instead of exhausting memory
/// (an `.nfg` header can declare any size).
pub const MAX_PAYOFF_ENTRIES: usize = 1 << 24;

/// Largest payoff magnitude accepted: `1e300`. Payoff differences (the range, regrets) and
/// expected payoffs (sums of up to `2^24` terms) then stay finite, so no solver meets an
/// overflow.
pub const MAX_PAYOFF_MAGNITUDE: f64 = 1e300;

/// Why a game could not be built. Players and strategies are 0-based.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum GameError {
    /// A game needs at least one player.
    #[error("a game needs at least one player")]
    NoPlayers,
    /// A player with no strategy.
    #[error("player {player} has no strategy; every player needs at least one")]
    NoStrategies {
        /// The player.
        player: usize,
    },
    /// The number of payoff tensors differs from the number of players.
    #[error("{found} payoff tensors for {expected} players")]
    PayoffPlayerCount {
        /// Number of players.
        expected: usize,
        /// Number of tensors given.
        found: usize,
    },
    /// A payoff tensor of the wrong length.
    #[error(
        "player {player}'s payoff tensor has {found} entries, expected {expected} (one per pure profile)"
    )]
    PayoffLength {
        /// The player.
        player: usize,
        /// Number of pure profiles.
        expected: usize,
        /// Entries given.
        found: usize,
    },
    /// A NaN or infinite payoff.
    #[error(
        "player {player}'s payoff at flat profile index {index} is {value}, not a finite number"
    )]
    NonFinitePayoff {
        /// The player.
        player: usize,
        /// Flat profile index (see the module doc for the order).
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A finite payoff larger in magnitude than [`MAX_PAYOFF_MAGNITUDE`].
    #[error(
        "player {player}'s payoff at flat profile index {index} is {value:e}, beyond the magnitude limit 1e300"
    )]
    PayoffTooLarge {
        /// The player.
        player: usize,
        /// Flat profile index.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Rows of a bimatrix of unequal lengths, or the two matrices of different shapes.
    #[error("ragged bimatrix: {what}")]
    Ragged {
        /// Which row or matrix is off.
        what: String,
    },
    /// More payoff entries than [`MAX_PAYOFF_ENTRIES`] (or an overflowing count).
    #[error("game too large: {players} players x {profiles} profiles exceeds {max} payoff entries")]
    TooLarge {
        /// Number of players.
        players: usize,
        /// Number of pure profiles (saturated at `usize::MAX` on overflow).
        profiles: usize,
        /// The cap.
        max: usize,
    },
    /// A list of labels of the wrong length.
    #[error("{what}: {found} labels given, expected {expected}")]
    LabelCount {
        /// Which labels.
        what: String,
        /// Labels needed.
        expected: usize,
        /// Labels given.
        found: usize,
    },
}

/// A finite game in normal form with `n >= 1` players, each with `n_i >= 1` strategies, and a
/// payoff tensor per player (flat, player 0's strategy fastest; see the module doc).
///
/// Built only through validating constructors, so every value of this type has finite payoffs
/// of consistent shape. Labels (title, comment, players, strategies) are carried for `.nfg`
/// round trips and output; solvers ignore them.
#[derive(Clone, Debug, PartialEq)]
pub struct NormalFormGame {
    title: String,
    comment: String,
    player_labels: Vec<String>,
    strategy_labels: Vec<Vec<String>>,
    counts: Vec<usize>,
    strides: Vec<usize>,
    profiles: usize,
    payoffs: Vec<Vec<f64>>,
    /// Each player's smallest payoff.
    floors: Vec<f64>,
}

impl NormalFormGame {
    /// A game with `strategy_counts[i]` strategies for player `i` and `payoffs[i]` the flat
    /// payoff tensor of player `i`. Labels default to Gambit's: players `"Player 1"`, ...,
    /// strategies `"1"`, `"2"`, ...; title and comment are empty.
    pub fn new(strategy_counts: &[usize], payoffs: Vec<Vec<f64>>) -> Result<Self, GameError> {
        let profiles = checked_profile_count(strategy_counts)?;
        if payoffs.len() != strategy_counts.len() {
            return Err(GameError::PayoffPlayerCount {
                expected: strategy_counts.len(),
                found: payoffs.len(),
            });
        }
        for (player, tensor) in payoffs.iter().enumerate() {
            check_tensor(player, tensor, profiles)?;
        }
        let strides = strides_of(strategy_counts);
        let floors = payoffs
            .iter()
            .map(|t| t.iter().copied().fold(f64::INFINITY, f64::min))
            .collect();
        Ok(Self {
            title: String::new(),
            comment: String::new(),
            player_labels: (1..=strategy_counts.len())
                .map(|i| format!("Player {i}"))
                .collect(),
            strategy_labels: strategy_counts
                .iter()
                .map(|&n| (1..=n).map(|s| s.to_string()).collect())
                .collect(),
            counts: strategy_counts.to_vec(),
            strides,
            profiles,
            payoffs,
            floors,
        })
    }

    /// A two-player game from the row player's matrix `a` and the column player's matrix `b`
    /// (`a[r][c]`, `b[r][c]`: payoffs when the row player plays `r` and the column player `c`).
    pub fn from_bimatrix(a: &[Vec<f64>], b: &[Vec<f64>]) -> Result<Self, GameError> {
        let rows = a.len();
        let cols = a.first().map_or(0, Vec::len);
        if b.len() != rows {
            return Err(GameError::Ragged {
                what: format!("A has {rows} rows but B has {}", b.len()),
            });
        }
        for (name, m) in [("A", a), ("B", b)] {
            if let Some(r) = m.iter().position(|row| row.len() != cols) {
                return Err(GameError::Ragged {
                    what: format!(
                        "row {r} of {name} has {} entries, expected {cols}",
                        m[r].len()
                    ),
                });
            }
        }
        let flatten = |m: &[Vec<f64>]| -> Vec<f64> {
            (0..rows * cols)
                .map(|k| m[k % rows.max(1)][k / rows.max(1)])
                .collect()
        };
        Self::new(&[rows, cols], vec![flatten(a), flatten(b)])
    }

    /// The same game with title `title`.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The same game with the free-text comment `comment` (Gambit's description).
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = comment.into();
        self
    }

    /// The same game with player labels `labels` (one per player).
    pub fn with_player_labels(mut self, labels: Vec<String>) -> Result<Self, GameError> {
        if labels.len() != self.counts.len() {
            return Err(GameError::LabelCount {
                what: "players".into(),
                expected: self.counts.len(),
                found: labels.len(),
            });
        }
        self.player_labels = labels;
        Ok(self)
    }

    /// The same game with strategy labels `labels[i]` for player `i`.
    pub fn with_strategy_labels(mut self, labels: Vec<Vec<String>>) -> Result<Self, GameError> {
        if labels.len() != self.counts.len() {
            return Err(GameError::LabelCount {
                what: "strategy label lists".into(),
                expected: self.counts.len(),
                found: labels.len(),
            });
        }
        for (player, (list, &n)) in labels.iter().zip(&self.counts).enumerate() {
            if list.len() != n {
                return Err(GameError::LabelCount {
                    what: format!("strategies of player {player}"),
                    expected: n,
                    found: list.len(),
                });
            }
        }
        self.strategy_labels = labels;
        Ok(self)
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The comment (Gambit's description).
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// Player labels, one per player.
    pub fn player_labels(&self) -> &[String] {
        &self.player_labels
    }

    /// Strategy labels, one list per player.
    pub fn strategy_labels(&self) -> &[Vec<String>] {
        &self.strategy_labels
    }

    /// Number of players `n`.
    pub fn num_players(&self) -> usize {
        self.counts.len()
    }

    /// Number of strategies of each player.
    pub fn strategy_counts(&self) -> &[usize] {
        &self.counts
    }

    /// Number of pure profiles `n_0 * ... * n_{n-1}`.
    pub fn num_profiles(&self) -> usize {
        self.profiles
    }

    /// Stride of each player's strategy in the flat index (see the module doc).
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Player `player`'s flat payoff tensor, or `None` for a player out of range.
    pub fn payoff_tensor(&self, player: usize) -> Option<&[f64]> {
        self.payoffs.get(player).map(Vec::as_slice)
    }

    /// All payoff tensors, one per player.
    pub fn payoff_tensors(&self) -> &[Vec<f64>] {
        &self.payoffs
    }

    /// The flat index of the pure profile `pure`, or `None` if it has the wrong length or a
    /// strategy out of range.
    pub fn flat_index(&self, pure: &[usize]) -> Option<usize> {
        if pure.len() != self.counts.len() {
            return None;
        }
        pure.iter()
            .zip(self.counts.iter().zip(&self.strides))
            .try_fold(0, |acc, (&s, (&n, &stride))| {
                (s < n).then_some(acc + s * stride)
            })
    }

    /// The pure profile with flat index `index` (`None` when out of range).
    pub fn pure_profile(&self, index: usize) -> Option<Vec<usize>> {
        (index < self.profiles).then(|| {
            self.counts
                .iter()
                .zip(&self.strides)
                .map(|(&n, &stride)| (index / stride) % n)
                .collect()
        })
    }

    /// Payoff of `player` at the pure profile `pure` (`None` when either is out of range).
    pub fn payoff(&self, player: usize, pure: &[usize]) -> Option<f64> {
        let index = self.flat_index(pure)?;
        self.payoffs.get(player).map(|t| t[index])
    }

    /// Each player's smallest payoff.
    pub fn payoff_floors(&self) -> &[f64] {
        &self.floors
    }

    /// Payoff tensors measured from each player's smallest payoff and divided by the payoff
    /// range (by 1 for a constant game): the scale-free form the n-player solvers work on.
    /// Differences of payoffs, all that equilibria depend on, keep their relative precision.
    pub(crate) fn normalized_tensors(&self) -> Vec<Vec<f64>> {
        let range = self.payoff_range();
        let scale = if range > 0.0 { 1.0 / range } else { 1.0 };
        self.payoffs
            .iter()
            .zip(&self.floors)
            .map(|(t, &floor)| t.iter().map(|u| (u - floor) * scale).collect())
            .collect()
    }

    /// Smallest and largest payoff over all players and profiles.
    pub fn payoff_bounds(&self) -> (f64, f64) {
        self.payoffs
            .iter()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &u| {
                (lo.min(u), hi.max(u))
            })
    }

    /// The payoff range `max - min` over all players and profiles: the scale against which
    /// regrets are certified (an equilibrium's regret must be at most `tol * range`). It is 0
    /// only for a constant game, where every profile has regret exactly 0.
    pub fn payoff_range(&self) -> f64 {
        let (lo, hi) = self.payoff_bounds();
        hi - lo
    }
}

/// `prod counts`, checked against empty games and [`MAX_PAYOFF_ENTRIES`].
pub(crate) fn checked_profile_count(counts: &[usize]) -> Result<usize, GameError> {
    if counts.is_empty() {
        return Err(GameError::NoPlayers);
    }
    if let Some(player) = counts.iter().position(|&n| n == 0) {
        return Err(GameError::NoStrategies { player });
    }
    let too_large = |profiles| GameError::TooLarge {
        players: counts.len(),
        profiles,
        max: MAX_PAYOFF_ENTRIES,
    };
    let profiles = counts
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| too_large(usize::MAX))?;
    match profiles.checked_mul(counts.len()) {
        Some(entries) if entries <= MAX_PAYOFF_ENTRIES => Ok(profiles),
        _ => Err(too_large(profiles)),
    }
}

fn check_tensor(player: usize, tensor: &[f64], profiles: usize) -> Result<(), GameError> {
    if tensor.len() != profiles {
        return Err(GameError::PayoffLength {
            player,
            expected: profiles,
            found: tensor.len(),
        });
    }
    if let Some(index) = tensor.iter().position(|u| !u.is_finite()) {
        return Err(GameError::NonFinitePayoff {
            player,
            index,
            value: tensor[index],
        });
    }
    match tensor.iter().position(|u| u.abs() > MAX_PAYOFF_MAGNITUDE) {
        Some(index) => Err(GameError::PayoffTooLarge {
            player,
            index,
            value: tensor[index],
        }),
        None => Ok(()),
    }
}

/// Strides of the flat index: player 0 fastest.
pub(crate) fn strides_of(counts: &[usize]) -> Vec<usize> {
    let mut stride = 1;
    counts
        .iter()
        .map(|&n| {
            let s = stride;
            stride *= n;
            s
        })
        .collect()
}
