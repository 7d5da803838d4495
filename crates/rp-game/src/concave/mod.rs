//! Concave games with coupled linear constraints (THEORY §5): the feasible polytope, its exact
//! Euclidean projection, Rosen's variational equilibrium and the social optimum.
//!
//! What it is for: computing the equilibria a designer observes and the welfare optimum they are
//! compared with, each with a certificate of accuracy (natural residual) and the shared
//! constraints' multipliers. What it is not: it knows no particular game (see
//! [`crate::environment`] and [`crate::krawczyk_uryasev`]) and no mechanism
//! ([`crate::mechanism`]).

pub mod error;
pub mod feasible;
pub mod game;
mod polish;
pub mod projection;
pub mod solver;

pub use error::GameError;
pub use feasible::{FeasibleSet, SharedConstraint};
pub use game::{ConcaveGame, Welfare, check_payoff_arguments};
pub use projection::{Projection, Projector, kkt_violation, project};
pub use solver::{
    SolverOptions, VariationalEquilibrium, residual_of, social_optimum, solve_vi,
    variational_equilibrium,
};
