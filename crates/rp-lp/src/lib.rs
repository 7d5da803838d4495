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

pub mod backend;
pub mod budget;
pub mod certificate;
pub mod data;
pub mod error;
pub mod gap;
pub mod generation;
mod solve;
pub mod structure;
pub mod test;
pub mod tolerance;
pub mod verify;

pub use backend::{
    Backend, Clarabel, LinearProgram, LpBackend, LpOutcome, LpSession, LpSolution, Microlp, Row,
    Sense,
};
pub use budget::BudgetMatrix;
pub use certificate::{
    AfriatDual, EdgeWeight, EfficiencyCertificate, GapCertificate, Rationalization,
    TestCertificate, ViolatingCycle,
};
pub use data::{Agent, DataError, ObservationSet};
pub use error::LpError;
pub use gap::{
    AdditiveGap, EfficiencyGap, GapKind, GapOptions, ParetoCertificate, ParetoGap, additive_gap,
    efficiency_gap, pareto_gap,
};
pub use generation::Generation;
pub use structure::Structure;
pub use test::{TestOutcome, social_optimality_test};
pub use tolerance::Tolerance;
pub use verify::{
    DualRole, VerificationFailure, VerificationReport, verify_dual, verify_efficiency, verify_gap,
    verify_rationalization, verify_test,
};
