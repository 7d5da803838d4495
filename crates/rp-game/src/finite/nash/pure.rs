//! Pure equilibria: every pure profile checked by its regret.

use super::{Equilibrium, Method, NashError, NashOptions, collect};
use crate::finite::game::NormalFormGame;
use crate::finite::profile::MixedProfile;

/// Every pure Nash equilibrium (regret within the certification bound), in flat-index order.
///
/// A pure profile is an equilibrium when each player's payoff is maximal along its own axis of
/// its payoff tensor; the check reads each player's tensor once, `n * prod n_i` comparisons in
/// all, with the same tolerance as certification.
pub fn pure_equilibria(
    game: &NormalFormGame,
    opts: &NashOptions,
) -> Result<Vec<Equilibrium>, NashError> {
    opts.validate()?;
    let bound = opts.regret_tolerance * game.payoff_range();
    let counts = game.strategy_counts();
    let strides = game.strides();
    let mut found = Vec::new();
    for index in 0..game.num_profiles() {
        let is_best = game.payoff_tensors().iter().enumerate().all(|(i, t)| {
            let own = (index / strides[i]) % counts[i];
            let base = index - own * strides[i];
            let best = (0..counts[i])
                .map(|s| t[base + s * strides[i]])
                .fold(f64::NEG_INFINITY, f64::max);
            best - t[index] <= bound
        });
        if is_best {
            let pure = game.pure_profile(index).unwrap_or_default();
            if let Ok(profile) = MixedProfile::pure(game, &pure) {
                collect(&mut found, game, profile, Method::PureEnumeration, opts);
            }
        }
    }
    Ok(found)
}
