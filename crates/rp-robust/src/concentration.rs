//! How far empirical strategies can be from the true ones: the L1 concentration radius of
//! THEORY §8 and its inverse.
//!
//! Agent `i` has `m_i = n_i + 1` outcomes (its actions and the null action). With `S` i.i.d.
//! samples, the empirical distribution `hat q` of a distribution `q` on `m` outcomes satisfies
//! (Weissman, Ordentlich, Seroussi, Verdú and Weinberger 2003, Theorem 2.1, with their
//! `phi(pi) >= 2`)
//!
//! ```text
//!   P( ||hat q - q||_1 >= eps ) <= (2^m - 2) exp(-S eps^2 / 2).
//! ```
//!
//! A union bound over the `M` agents and `K` games gives one radius for all of them: with
//! `W = K sum_i (2^{m_i} - 2)`,
//!
//! ```text
//!   P( some ||hat q^i_k - q^i_k||_1 >= eps ) <= W exp(-S eps^2 / 2) = delta
//!   <=>  eps(S, delta) = sqrt( 2 (ln W - ln delta) / S ),
//! ```
//!
//! and, inversely, `S = ceil( 2 (ln W - ln delta) / eps^2 )` samples suffice for a radius `eps`.
//! `ln W` is computed in logs (`ln(2^m - 2) = m ln 2 + ln(1 - 2^{1-m})`, then a log-sum-exp over
//! agents), so outcome counts in the thousands do not overflow.
//!
//! What it is not: a bound for dependent samples (the samples of one agent in one game must be
//! i.i.d.; different agents and games may be dependent, the union bound does not care). A
//! radius above 2 (the L1 diameter of the simplex) is returned as computed: the bound is then
//! vacuous but still true. The conversion to a 1-Wasserstein radius is in
//! [`crate::wasserstein::GroundMetric::radius_from_l1`].

use crate::error::RobustError;

/// `ln(2^m - 2)` for `m >= 2`, without forming `2^m`.
fn ln_outcome_weight(m: usize) -> f64 {
    let m = m as f64;
    // 2^m - 2 = 2^m (1 - 2^(1 - m)); the second factor is in [1/2, 1).
    m * std::f64::consts::LN_2 + (-(1.0 - m).exp2()).ln_1p()
}

fn check_outcomes(outcomes: &[usize]) -> Result<(), RobustError> {
    if outcomes.is_empty() {
        return Err(RobustError::Empty("outcomes per agent"));
    }
    match outcomes.iter().position(|&m| m < 2) {
        Some(agent) => Err(RobustError::Outcomes {
            agent,
            outcomes: outcomes[agent],
        }),
        None => Ok(()),
    }
}

fn check_delta(delta: f64) -> Result<(), RobustError> {
    if delta > 0.0 && delta < 1.0 {
        Ok(())
    } else {
        Err(RobustError::Delta(delta))
    }
}

fn check_samples(samples: usize) -> Result<(), RobustError> {
    if samples == 0 {
        Err(RobustError::NoSamples)
    } else {
        Ok(())
    }
}

fn check_games(games: usize) -> Result<(), RobustError> {
    if games == 0 {
        Err(RobustError::Empty("games"))
    } else {
        Ok(())
    }
}

/// `ln W = ln( K sum_i (2^{m_i} - 2) )`, the log of the union bound's weight (module doc).
pub fn log_union_weight(outcomes: &[usize], games: usize) -> Result<f64, RobustError> {
    check_outcomes(outcomes)?;
    check_games(games)?;
    let logs: Vec<f64> = outcomes.iter().map(|&m| ln_outcome_weight(m)).collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = logs.iter().map(|l| (l - top).exp()).sum();
    Ok((games as f64).ln() + top + sum.ln())
}

/// The bound `min(1, (2^m - 2) exp(-S eps^2 / 2))` on `P(||hat q - q||_1 >= eps)` for one
/// distribution on `m` outcomes.
pub fn deviation_probability(
    samples: usize,
    outcomes: usize,
    eps: f64,
) -> Result<f64, RobustError> {
    union_failure_probability(samples, &[outcomes], 1, eps)
}

/// The union bound `min(1, W exp(-S eps^2 / 2))` on the probability that some agent's
/// empirical strategy in some game is `eps` or more away (in L1) from the true one.
pub fn union_failure_probability(
    samples: usize,
    outcomes: &[usize],
    games: usize,
    eps: f64,
) -> Result<f64, RobustError> {
    check_samples(samples)?;
    check_radius(eps, "nonnegative")?;
    let log_w = log_union_weight(outcomes, games)?;
    Ok((log_w - samples as f64 * eps * eps / 2.0).exp().min(1.0))
}

/// The L1 radius `eps(S, delta)` within which every agent's empirical strategy in every game
/// lies with probability at least `1 - delta` (module doc). `outcomes[i] = m_i = n_i + 1`.
pub fn radius_for(
    samples: usize,
    outcomes: &[usize],
    games: usize,
    delta: f64,
) -> Result<f64, RobustError> {
    check_samples(samples)?;
    check_delta(delta)?;
    let log_w = log_union_weight(outcomes, games)?;
    // ln W >= ln 2 > 0 > ln delta, so the argument is positive.
    Ok((2.0 * (log_w - delta.ln()) / samples as f64).sqrt())
}

/// The smallest `S` with [`radius_for`]`(S, ..) <= eps`: the samples per agent and game needed
/// for an L1 radius `eps > 0` at confidence `1 - delta`.
pub fn samples_for(
    eps: f64,
    outcomes: &[usize],
    games: usize,
    delta: f64,
) -> Result<usize, RobustError> {
    check_radius(eps, "positive")?;
    check_delta(delta)?;
    let log_w = log_union_weight(outcomes, games)?;
    let needed = (2.0 * (log_w - delta.ln()) / (eps * eps)).ceil();
    // 2^53: beyond it a count is no longer exact in f64; no sampler gets there anyway.
    if !(needed.is_finite() && needed <= 9_007_199_254_740_992.0) {
        return Err(RobustError::SampleOverflow(needed));
    }
    let mut s = (needed as usize).max(1);
    // The ceiling of a rounded quotient can be one off; settle it against the radius itself.
    while s > 1 && radius_for(s - 1, outcomes, games, delta)? <= eps {
        s -= 1;
    }
    while radius_for(s, outcomes, games, delta)? > eps {
        s += 1;
    }
    Ok(s)
}

/// Errors unless `value` is finite and nonnegative (`"nonnegative"`) or positive
/// (`"positive"`).
pub(crate) fn check_radius(value: f64, requirement: &'static str) -> Result<(), RobustError> {
    let ok = value.is_finite()
        && if requirement == "positive" {
            value > 0.0
        } else {
            value >= 0.0
        };
    if ok {
        Ok(())
    } else {
        Err(RobustError::Radius { value, requirement })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_binary_agent_by_hand() {
        // m = 2, K = 1: W = 2^2 - 2 = 2. delta = 0.05, S = 100:
        // eps = sqrt(2 ln(2 / 0.05) / 100) = sqrt(2 ln 40 / 100) = sqrt(0.0737775890...)
        //     = 0.2716203...
        let eps = radius_for(100, &[2], 1, 0.05).unwrap();
        assert!((eps - (2.0 * 40f64.ln() / 100.0).sqrt()).abs() < 1e-15);
        assert!((eps - 0.271_620_3).abs() < 1e-6);
        // The bound at that radius is exactly delta: 2 exp(-100 eps^2 / 2) = 2 / 40 = 0.05.
        let p = deviation_probability(100, 2, eps).unwrap();
        assert!((p - 0.05).abs() < 1e-12);
    }

    #[test]
    fn union_weight_by_hand() {
        // Agents with m = 3 and m = 4, K = 5: W = 5 ((8 - 2) + (16 - 2)) = 5 * 20 = 100.
        let log_w = log_union_weight(&[3, 4], 5).unwrap();
        assert!((log_w - 100f64.ln()).abs() < 1e-13);
        // delta = 0.01, S = 1000: eps = sqrt(2 ln(100 / 0.01) / 1000) = sqrt(2 ln 1e4 / 1000)
        //     = sqrt(0.0184206807...) = 0.1357228...
        let eps = radius_for(1000, &[3, 4], 5, 0.01).unwrap();
        assert!((eps - (2.0 * 1e4f64.ln() / 1000.0).sqrt()).abs() < 1e-15);
        // Inverse: S = ceil(2 ln 1e4 / 0.1^2) = ceil(1842.068...) = 1843.
        assert_eq!(samples_for(0.1, &[3, 4], 5, 0.01).unwrap(), 1843);
    }

    #[test]
    fn huge_outcome_counts_stay_finite() {
        // ln(2^5000 - 2) = 5000 ln 2 = 3465.7...: far beyond f64's range for 2^5000 itself.
        let log_w = log_union_weight(&[5000, 3], 10).unwrap();
        assert!((log_w - (5000.0 * std::f64::consts::LN_2 + 10f64.ln())).abs() < 1e-9);
        let eps = radius_for(1_000_000, &[5000], 1, 0.1).unwrap();
        assert!(eps.is_finite() && eps > 0.0);
        assert!(matches!(
            samples_for(1e-300, &[3], 1, 0.1),
            Err(RobustError::SampleOverflow(_))
        ));
    }

    #[test]
    fn rejects_bad_arguments() {
        assert_eq!(radius_for(0, &[3], 1, 0.1), Err(RobustError::NoSamples));
        assert_eq!(radius_for(10, &[3], 1, 1.0), Err(RobustError::Delta(1.0)));
        assert!(matches!(
            radius_for(10, &[3], 1, f64::NAN),
            Err(RobustError::Delta(_))
        ));
        assert_eq!(
            radius_for(10, &[3, 1], 1, 0.1),
            Err(RobustError::Outcomes {
                agent: 1,
                outcomes: 1
            })
        );
        assert!(matches!(
            radius_for(10, &[], 1, 0.1),
            Err(RobustError::Empty(_))
        ));
        assert!(matches!(
            radius_for(10, &[3], 0, 0.1),
            Err(RobustError::Empty(_))
        ));
        assert!(matches!(
            samples_for(0.0, &[3], 1, 0.1),
            Err(RobustError::Radius { .. })
        ));
        assert!(matches!(
            union_failure_probability(5, &[3], 1, -1.0),
            Err(RobustError::Radius { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// `samples_for` is the exact inverse: its `S` reaches the radius and `S - 1` does not.
        #[test]
        fn samples_for_inverts_radius_for(
            eps in 0.01f64..1.5,
            outcomes in prop::collection::vec(2usize..12, 1..5),
            games in 1usize..500,
            delta in 1e-6f64..0.9,
        ) {
            let s = samples_for(eps, &outcomes, games, delta).unwrap();
            prop_assert!(radius_for(s, &outcomes, games, delta).unwrap() <= eps);
            if s > 1 {
                prop_assert!(radius_for(s - 1, &outcomes, games, delta).unwrap() > eps);
            }
        }

        /// At the radius the union bound equals delta; the radius shrinks with more samples and
        /// grows with more confidence, agents or games.
        #[test]
        fn radius_is_where_the_union_bound_meets_delta(
            samples in 1usize..100_000,
            outcomes in prop::collection::vec(2usize..12, 1..5),
            games in 1usize..500,
            delta in 1e-6f64..0.9,
        ) {
            let eps = radius_for(samples, &outcomes, games, delta).unwrap();
            let p = union_failure_probability(samples, &outcomes, games, eps).unwrap();
            prop_assert!((p - delta).abs() <= 1e-9 * delta.max(1e-3), "{p} vs {delta}");
            prop_assert!(radius_for(samples + 1, &outcomes, games, delta).unwrap() < eps);
            prop_assert!(radius_for(samples, &outcomes, games, delta / 2.0).unwrap() > eps);
            prop_assert!(radius_for(samples, &outcomes, games + 1, delta).unwrap() > eps);
            let mut more = outcomes.clone();
            more.push(2);
            prop_assert!(radius_for(samples, &more, games, delta).unwrap() > eps);
        }
    }
}
