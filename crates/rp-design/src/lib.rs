//! # rp-design: Algorithm 1, adaptive mechanism design from revealed preferences
//!
//! What it is for: tying the other crates together (THEORY §7): draw games from an environment,
//! solve their equilibria under a mechanism `phi`, test the observations with the Pareto gap,
//! and tune `phi` by SPSA until the gap vanishes or is certified to stay positive.
//!
//! What it is not: it owns no mathematics of its own beyond the loop; revealed preferences live in
//! [`lp`] (`rp-lp`), games in [`game`] (`rp-game`), the optimizer in [`policy`] (`rp-policy`).
//! They are re-exported so a binary needs only this crate.

pub use rp_game as game;
pub use rp_lp as lp;
pub use rp_policy as policy;
