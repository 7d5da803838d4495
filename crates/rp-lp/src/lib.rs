//! # rp-lp: revealed-preference tests as graphs and linear programs
//!
//! What it is for: deciding whether observed (probe, strategy) data could be optimal for some
//! utilities (THEORY §2–§4), and by how much they fail: GARP with a violating cycle, exact CCEI,
//! the money pump index, Afriat numbers, the multi-agent social-optimality test for the
//! `Separable`, `PerAgent` and `Joint` welfare structures, the additive and efficiency Pareto gaps,
//! and certificates that an independent verifier checks.
//!
//! What it is not: it knows nothing of games, equilibria or mechanisms (that is `rp-game`), nor
//! of sampling noise (that is `rp-robust`). Data enter through [`ObservationSet`], which is
//! validated on construction; every comparison uses one [`Tolerance`].

pub mod afriat;
pub mod budget;
pub mod ccei;
mod cycle_ratio;
pub mod data;
pub mod garp;
mod graph;
pub mod houtman_maks;
pub mod io;
pub mod money_pump;
pub mod tolerance;

pub use afriat::{AfriatNumbers, afriat_numbers};
pub use budget::BudgetMatrix;
pub use ccei::{Ccei, ccei};
pub use data::{Agent, DataError, ObservationSet};
pub use garp::{GarpCycle, garp_violation, garp_violation_at};
pub use houtman_maks::{HOUTMAN_MAKS_MAX_K, HoutmanMaks, IndexError, houtman_maks};
pub use io::{
    Location, ReadError, parse_csv_pair, parse_json, read_csv_pair, read_json, write_csv_pair,
    write_json,
};
pub use money_pump::{MeanCycle, MoneyPump, max_mean_cycle, max_mean_cycle_karp, max_money_pump};
pub use tolerance::Tolerance;
