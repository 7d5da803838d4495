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
//!
//! # Example
//!
//! Two agents, one action each, two games: in game 1 agent b's action became dearer relative to
//! a's, yet a cut back and b expanded. Each agent alone is consistent, no utilitarian welfare is:
//!
//! ```
//! use rp_lp::{Agent, BudgetMatrix, GapOptions, ObservationSet, Structure, Tolerance};
//! use rp_lp::{garp_violation, pareto_gap};
//!
//! let data = ObservationSet::new(
//!     vec![Agent::new("a", 1), Agent::new("b", 1)],
//!     vec![vec![1.0, 1.0], vec![1.0, 2.0]],  // probes alpha_k
//!     vec![vec![0.5, 0.5], vec![0.1, 0.6]],  // equilibrium profiles beta_k
//! )?;
//! let gap = pareto_gap(&data, &GapOptions::default())?; // Separable, additive
//! assert!((gap.value - 1.0 / 30.0).abs() < 1e-9);
//! assert!(gap.verification.verified); // the independent verifier checked the certificate
//!
//! let per_agent = GapOptions { structure: Structure::PerAgent, ..GapOptions::default() };
//! assert!(pareto_gap(&data, &per_agent)?.value.abs() < 1e-9);
//!
//! // The joint data (one decision maker buying the whole profile) satisfy GARP: no LP needed.
//! assert!(garp_violation(&BudgetMatrix::joint(&data), Tolerance::default()).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod afriat;
pub mod backend;
#[cfg(feature = "highs")]
pub mod backend_highs;
mod bridge;
pub mod budget;
pub mod ccei;
pub mod certificate;
mod cycle_cuts;
mod cycle_ratio;
pub mod data;
mod dense_cycle;
mod efficiency;
pub mod error;
pub mod gap;
pub mod garp;
pub mod generation;
mod graph;
pub mod houtman_maks;
pub mod io;
pub mod money_pump;
mod solve;
pub mod structure;
pub mod test;
pub mod tolerance;
pub mod verify;

pub use afriat::{AfriatNumbers, afriat_numbers};
pub use backend::{
    Backend, Clarabel, LinearProgram, LpBackend, LpOutcome, LpSession, LpSolution, Microlp, Row,
    Sense,
};
pub use budget::BudgetMatrix;
pub use ccei::{Ccei, ccei};
pub use certificate::{
    AfriatDual, EdgeWeight, EfficiencyCertificate, GapCertificate, Rationalization,
    TestCertificate, ViolatingCycle,
};
pub use cycle_cuts::CycleCut;
pub use data::{Agent, DataError, ObservationSet};
pub use error::LpError;
pub use gap::{
    AdditiveGap, EfficiencyGap, GapHint, GapKind, GapOptions, ParetoCertificate, ParetoGap,
    additive_gap, efficiency_gap, pareto_gap, pareto_gap_with_hint,
};
pub use garp::{GarpCycle, garp_violation, garp_violation_at};
pub use generation::{GapMethod, Generation};
pub use houtman_maks::{HOUTMAN_MAKS_MAX_K, HoutmanMaks, IndexError, houtman_maks};
pub use io::{
    Location, ReadError, parse_csv_pair, parse_json, read_csv_pair, read_json, write_csv_pair,
    write_json,
};
pub use money_pump::{MeanCycle, MoneyPump, max_mean_cycle, max_mean_cycle_karp, max_money_pump};
pub use structure::Structure;
pub use test::{ConsistencyReport, TestOutcome, consistency_report, social_optimality_test};
pub use tolerance::Tolerance;
pub use verify::{
    DualRole, VerificationFailure, VerificationReport, verify_cycle, verify_dual,
    verify_efficiency, verify_gap, verify_rationalization, verify_test,
};
