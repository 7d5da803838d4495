//! Gambit `.nfg` files (format version 1), read and written.
//!
//! ```text
//! NFG 1 R "title" { "Player 1" "Player 2" }            header: version 1, R or D, players
//! { { "T" "B" } { "L" "R" } }                          strategy labels (or counts: { 2 2 })
//! "optional comment"
//! 3 3  0 5  5 0  1 1                                   payoff list ...
//! ```
//! The body is either the payoff list (for each pure profile, player 0's strategy fastest, one
//! payoff per player) or the outcome list: `{ { "name" u_1, u_2, ... } ... }` followed by one
//! 1-based outcome index per pure profile (0 is the null outcome, payoff 0 for all). Commas
//! between outcome payoffs are optional; `R` and `D` are read alike. Payoffs may be integers,
//! decimals with an exponent, or fractions `p/q`; all become `f64`.
//!
//! Errors name the line and column (1-based; columns count bytes) of the offending token, or of
//! the end of the file when it is truncated. Reading never panics on any input.
//!
//! What it is not: outcome names and the sharing of one outcome by several profiles are not
//! kept (a [`NormalFormGame`] stores payoffs per profile); the writer emits one outcome per
//! profile in the outcome style.

mod lexer;
mod writer;

use std::path::{Path, PathBuf};

use thiserror::Error;

use self::lexer::{Lexer, Located, Token};
use super::game::{GameError, MAX_PAYOFF_ENTRIES, NormalFormGame, checked_profile_count};

pub use self::writer::{NfgStyle, write_nfg};

/// What went wrong in an `.nfg` file, and where.
#[derive(Clone, Debug, PartialEq, Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct NfgError {
    /// 1-based line of the offending token (or of the end of the file).
    pub line: usize,
    /// 1-based column, in bytes.
    pub column: usize,
    /// What is wrong.
    pub kind: NfgErrorKind,
}

/// The kinds of `.nfg` errors.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum NfgErrorKind {
    /// A token other than the one the grammar needs here.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the grammar needs.
        expected: String,
        /// What is there (`end of file` when truncated).
        found: String,
    },
    /// A malformed or non-finite number, or a fraction with denominator 0.
    #[error("bad number '{text}'")]
    BadNumber {
        /// The text as written.
        text: String,
    },
    /// A string whose closing quote never comes (the position is its opening quote).
    #[error("unterminated string")]
    UnterminatedString,
    /// Bytes that are not UTF-8 in a string or a symbol.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A header other than `NFG 1 R|D`.
    #[error("bad header: {0}")]
    BadHeader(String),
    /// A list with the wrong number of entries.
    #[error("{what}: expected {expected}, found {found}")]
    WrongCount {
        /// Which list.
        what: String,
        /// Entries needed.
        expected: usize,
        /// Entries found.
        found: usize,
    },
    /// An outcome index beyond the outcome list.
    #[error("outcome index {index} out of range (the file defines {outcomes} outcomes)")]
    OutcomeOutOfRange {
        /// The index.
        index: usize,
        /// Outcomes defined.
        outcomes: usize,
    },
    /// The file parses but does not describe a valid game (no player, no strategy, too large).
    #[error("invalid game: {0}")]
    Game(#[from] GameError),
}

/// Reading an `.nfg` file from disk failed.
#[derive(Debug, Error)]
pub enum NfgFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid `.nfg` game.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: NfgError,
    },
}

/// Parse the text of an `.nfg` file.
pub fn parse_nfg(text: &str) -> Result<NormalFormGame, NfgError> {
    parse_nfg_bytes(text.as_bytes())
}

/// Parse the bytes of an `.nfg` file (labels must be UTF-8).
pub fn parse_nfg_bytes(bytes: &[u8]) -> Result<NormalFormGame, NfgError> {
    // A UTF-8 byte-order mark before `NFG` (some editors write one) is skipped.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut parser = Parser::new(bytes)?;
    let header = parser.header()?;
    let profiles = checked_profile_count(&header.counts).map_err(|e| header.at(e))?;
    let players = header.counts.len();
    let payoffs = match parser.current.token {
        Token::LBrace => parser.outcome_body(players, profiles)?,
        Token::Number(_) => parser.payoff_body(players, profiles)?,
        _ => return Err(parser.unexpected("'{' (outcome list) or a payoff number")),
    };
    parser.expect_eof()?;
    let game = NormalFormGame::new(&header.counts, payoffs)
        .and_then(|g| g.with_player_labels(header.players.clone()))
        .and_then(|g| g.with_strategy_labels(header.strategies.clone()))
        .map_err(|e| header.at(e))?;
    Ok(game.with_title(header.title).with_comment(header.comment))
}

/// Read and parse the `.nfg` file at `path`.
pub fn read_nfg_file(path: impl AsRef<Path>) -> Result<NormalFormGame, NfgFileError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| NfgFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_nfg_bytes(&bytes).map_err(|source| NfgFileError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// The header of a file: everything before the body.
struct Header {
    title: String,
    comment: String,
    players: Vec<String>,
    strategies: Vec<Vec<String>>,
    counts: Vec<usize>,
    /// Where the strategy block starts, for errors about the game's shape.
    line: usize,
    column: usize,
}

impl Header {
    fn at(&self, e: GameError) -> NfgError {
        NfgError {
            line: self.line,
            column: self.column,
            kind: NfgErrorKind::Game(e),
        }
    }
}

/// A recursive-descent parser holding one token of lookahead.
struct Parser<'a> {
    lexer: Lexer<'a>,
    current: Located,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, NfgError> {
        let mut lexer = Lexer::new(bytes);
        let current = lexer.next_token()?;
        Ok(Self { lexer, current })
    }

    fn advance(&mut self) -> Result<Located, NfgError> {
        let next = self.lexer.next_token()?;
        Ok(std::mem::replace(&mut self.current, next))
    }

    fn error_here(&self, kind: NfgErrorKind) -> NfgError {
        NfgError {
            line: self.current.line,
            column: self.current.column,
            kind,
        }
    }

    fn unexpected(&self, expected: &str) -> NfgError {
        self.error_here(NfgErrorKind::Unexpected {
            expected: expected.into(),
            found: self.current.token.describe(),
        })
    }

    fn expect(&mut self, wanted: &Token, what: &str) -> Result<(), NfgError> {
        if &self.current.token != wanted {
            return Err(self.unexpected(what));
        }
        self.advance().map(drop)
    }

    fn expect_eof(&self) -> Result<(), NfgError> {
        match self.current.token {
            Token::Eof => Ok(()),
            _ => Err(self.unexpected("end of file")),
        }
    }

    fn text(&mut self, what: &str) -> Result<String, NfgError> {
        match &self.current.token {
            Token::Text(t) => {
                let t = t.clone();
                self.advance()?;
                Ok(t)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// Quoted strings up to the closing brace (which is consumed).
    fn text_list(&mut self) -> Result<Vec<String>, NfgError> {
        self.expect(&Token::LBrace, "'{'")?;
        let mut out = Vec::new();
        while let Token::Text(t) = &self.current.token {
            out.push(t.clone());
            self.advance()?;
        }
        self.expect(&Token::RBrace, "a quoted name or '}'")?;
        Ok(out)
    }

    fn header(&mut self) -> Result<Header, NfgError> {
        self.magic()?;
        let title = self.text("the game title (a quoted string)")?;
        let players = self.text_list()?;
        let (line, column) = (self.current.line, self.current.column);
        let strategies = self.strategies(players.len())?;
        let comment = match &self.current.token {
            Token::Text(_) => self.text("a comment")?,
            _ => String::new(),
        };
        Ok(Header {
            title,
            comment,
            counts: strategies.iter().map(Vec::len).collect(),
            players,
            strategies,
            line,
            column,
        })
    }

    /// `NFG 1 R` or `NFG 1 D`.
    fn magic(&mut self) -> Result<(), NfgError> {
        let ok = |t: &Token, want: &[&str]| match t {
            Token::Symbol(s) | Token::Number(s) => want.contains(&s.as_str()),
            _ => false,
        };
        for (want, what) in [
            (&["NFG"][..], "the file type NFG"),
            (&["1"][..], "format version 1"),
            (&["R", "D"][..], "the data type R or D"),
        ] {
            if !ok(&self.current.token, want) {
                let found = self.current.token.describe();
                return Err(self.error_here(NfgErrorKind::BadHeader(format!(
                    "expected {what}, found {found}"
                ))));
            }
            self.advance()?;
        }
        Ok(())
    }

    /// `{ { "a" "b" } { "c" } }` or `{ 2 1 }`: the strategy labels of each player.
    fn strategies(&mut self, players: usize) -> Result<Vec<Vec<String>>, NfgError> {
        self.expect(&Token::LBrace, "'{' opening the strategies")?;
        let mut lists = Vec::with_capacity(players.min(1024));
        if self.current.token == Token::LBrace {
            while self.current.token == Token::LBrace {
                lists.push(self.text_list()?);
            }
        } else {
            while let Token::Number(text) = &self.current.token {
                let n = parse_count(text).ok_or_else(|| {
                    self.error_here(NfgErrorKind::BadNumber { text: text.clone() })
                })?;
                // Refuse before building `n` default labels: a header may declare any count.
                if n > MAX_PAYOFF_ENTRIES {
                    return Err(self.error_here(NfgErrorKind::Game(GameError::TooLarge {
                        players,
                        profiles: n,
                        max: MAX_PAYOFF_ENTRIES,
                    })));
                }
                lists.push((1..=n).map(|s| s.to_string()).collect());
                self.advance()?;
            }
        }
        if lists.len() != players {
            return Err(self.error_here(NfgErrorKind::WrongCount {
                what: "strategy lists (one per player)".into(),
                expected: players,
                found: lists.len(),
            }));
        }
        self.expect(&Token::RBrace, "'}' closing the strategies")?;
        Ok(lists)
    }

    /// A payoff number at the current token; `what` describes it in an error (built only then,
    /// so large files do not pay for it).
    fn payoff(&mut self, what: impl FnOnce() -> String) -> Result<f64, NfgError> {
        match &self.current.token {
            Token::Number(text) => {
                let value = parse_payoff(text).ok_or_else(|| {
                    self.error_here(NfgErrorKind::BadNumber { text: text.clone() })
                })?;
                self.advance()?;
                Ok(value)
            }
            _ => Err(self.unexpected(&what())),
        }
    }

    /// `players * profiles` numbers, player payoffs of each profile in turn.
    fn payoff_body(&mut self, players: usize, profiles: usize) -> Result<Vec<Vec<f64>>, NfgError> {
        let mut payoffs = vec![Vec::new(); players];
        for profile in 0..profiles {
            for (player, tensor) in payoffs.iter_mut().enumerate() {
                let what = || {
                    format!(
                        "payoff {} of {} (profile {}, player {})",
                        profile * players + player + 1,
                        profiles * players,
                        profile + 1,
                        player + 1
                    )
                };
                tensor.push(self.payoff(what)?);
            }
        }
        Ok(payoffs)
    }

    /// The outcome list and one outcome index per profile.
    fn outcome_body(&mut self, players: usize, profiles: usize) -> Result<Vec<Vec<f64>>, NfgError> {
        let outcomes = self.outcome_list(players)?;
        let mut payoffs = vec![Vec::new(); players];
        for profile in 0..profiles {
            let index = match &self.current.token {
                Token::Number(text) => parse_count(text).ok_or_else(|| {
                    self.error_here(NfgErrorKind::BadNumber { text: text.clone() })
                })?,
                _ => {
                    return Err(
                        self.unexpected(&format!("outcome index {} of {profiles}", profile + 1))
                    );
                }
            };
            let row = match index {
                0 => None,
                k => Some(outcomes.get(k - 1).ok_or_else(|| {
                    self.error_here(NfgErrorKind::OutcomeOutOfRange {
                        index,
                        outcomes: outcomes.len(),
                    })
                })?),
            };
            for (player, tensor) in payoffs.iter_mut().enumerate() {
                tensor.push(row.map_or(0.0, |r| r[player]));
            }
            self.advance()?;
        }
        Ok(payoffs)
    }

    /// `{ { "name" u_1, ..., u_n } ... }`.
    fn outcome_list(&mut self, players: usize) -> Result<Vec<Vec<f64>>, NfgError> {
        self.expect(&Token::LBrace, "'{' opening the outcomes")?;
        let mut outcomes = Vec::new();
        while self.current.token == Token::LBrace {
            self.advance()?;
            self.text("the outcome's name (a quoted string)")?;
            let mut row = Vec::with_capacity(players.min(1024));
            while let Token::Number(_) = self.current.token {
                row.push(self.payoff(|| "a payoff".into())?);
                if self.current.token == Token::Comma {
                    self.advance()?;
                }
            }
            if row.len() < players && self.current.token != Token::RBrace {
                // Something that is not a number where a payoff belongs (`NaN`, a word): say
                // what was found rather than miscounting.
                return Err(self.unexpected(&format!(
                    "payoff {} of outcome {}",
                    row.len() + 1,
                    outcomes.len() + 1
                )));
            }
            if row.len() != players {
                return Err(self.error_here(NfgErrorKind::WrongCount {
                    what: format!("payoffs of outcome {}", outcomes.len() + 1),
                    expected: players,
                    found: row.len(),
                }));
            }
            self.expect(&Token::RBrace, "'}' closing the outcome")?;
            outcomes.push(row);
        }
        self.expect(
            &Token::RBrace,
            "'{' opening an outcome or '}' closing the outcomes",
        )?;
        Ok(outcomes)
    }
}

/// A nonnegative integer (a strategy count or an outcome index).
fn parse_count(text: &str) -> Option<usize> {
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// A finite payoff: an integer, a decimal (with exponent) or a fraction `p/q`, `q != 0`.
fn parse_payoff(text: &str) -> Option<f64> {
    let value = match text.split_once('/') {
        Some((p, q)) => {
            let (p, q) = (parse_decimal(p)?, parse_decimal(q)?);
            (q != 0.0).then(|| p / q)?
        }
        None => parse_decimal(text)?,
    };
    value.is_finite().then_some(value)
}

/// A decimal number; only the characters the lexer lets through reach here, and Rust's float
/// syntax accepts all of them, so `inf` or `nan` cannot slip in.
fn parse_decimal(text: &str) -> Option<f64> {
    if !text.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}
