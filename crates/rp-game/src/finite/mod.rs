//! Finite normal-form games: payoff tensors, mixed strategies, regret, Gambit `.nfg` files and
//! Nash equilibrium solvers (THEORY §5).
//!
//! - [`NormalFormGame`]: `n` players, payoff tensors (flat, player 0's strategy fastest), labels.
//! - [`MixedProfile`]: one probability vector per player; [`NormalFormGame::regret`] is the
//!   largest gain from a unilateral deviation.
//! - [`nfg`]: Gambit's `.nfg` reader ([`parse_nfg`], [`read_nfg_file`]) and writer
//!   ([`write_nfg`]).
//! - [`nash`]: equilibria with certified regret; [`solve_all`] picks the method by the number
//!   of players.
//!
//! What it is not: concave games with coupled constraints and their variational equilibria live
//! elsewhere in this crate; nothing here knows of probes or revealed preferences.

pub mod game;
pub mod nash;
pub mod nfg;
pub mod profile;
mod tensor;

pub use game::{GameError, MAX_PAYOFF_ENTRIES, MAX_PAYOFF_MAGNITUDE, NormalFormGame};
pub use nash::{
    Equilibrium, LogitOptions, Method, NashError, NashMethod, NashOptions, is_nondegenerate,
    lemke_howson, lemke_howson_all, logit_homotopy, pure_equilibria, solve_all,
    support_enumeration, support_newton, vertex_enumeration,
};
pub use nfg::{
    NfgError, NfgErrorKind, NfgFileError, NfgStyle, parse_nfg, parse_nfg_bytes, read_nfg_file,
    write_nfg,
};
pub use profile::{DISTRIBUTION_TOLERANCE, MixedProfile, ProfileError};
