//! The concave game and welfare abstractions the solvers work on.

use super::error::GameError;

/// A concave game on a joint profile `beta = (beta^1; ...; beta^M)` (THEORY §5): agent `i`'s
/// payoff `u_i(beta)` is concave in its own block `beta^i`.
///
/// The solvers only need the *pseudo-gradient* `(grad_{beta^i} u_i(beta))_i`; the VI map is its
/// negative, `F(beta) = -(grad_{beta^i} u_i(beta))_i`. Implementations are evaluated only at
/// points of the feasible set (nonnegative profiles), so they may assume `beta >= 0`.
pub trait ConcaveGame: Send + Sync {
    /// Block sizes `n_i` (their sum is `N`).
    fn blocks(&self) -> &[usize];

    /// Agent `i`'s payoff `u_i(beta)`; errors for an unknown agent or a profile whose length is
    /// not `N`.
    fn payoff(&self, agent: usize, beta: &[f64]) -> Result<f64, GameError>;

    /// Writes `(grad_{beta^i} u_i(beta))_i` into `out`.
    ///
    /// Hot path: `beta` and `out` must both have length `N` (the solvers check the game's blocks
    /// against the feasible set once per solve, and every point they pass has that length);
    /// implementations may panic on other lengths.
    fn pseudo_gradient(&self, beta: &[f64], out: &mut [f64]);
}

/// Errors unless `agent < blocks.len()` and `beta.len() == sum(blocks)`: the checks every
/// [`ConcaveGame::payoff`] makes.
pub fn check_payoff_arguments(
    blocks: &[usize],
    agent: usize,
    beta: &[f64],
) -> Result<(), GameError> {
    if agent >= blocks.len() {
        return Err(GameError::UnknownAgent {
            agent,
            agents: blocks.len(),
        });
    }
    let n: usize = blocks.iter().sum();
    if beta.len() != n {
        return Err(GameError::Dimension {
            what: "profile",
            got: beta.len(),
            expected: n,
        });
    }
    Ok(())
}

/// A concave welfare function `W(beta)` on the joint profile (the social planner's objective).
pub trait Welfare: Send + Sync {
    /// `W(beta)`.
    fn welfare(&self, beta: &[f64]) -> f64;

    /// Writes `grad W(beta)` into `out` (length `N`).
    fn welfare_gradient(&self, beta: &[f64], out: &mut [f64]);
}
