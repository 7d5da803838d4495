//! Nash sampling (THEORY §5, §8): instead of exact mixed strategies the designer may only see
//! `S` i.i.d. actions per agent, drawn from `(beta^i, null)`, and the empirical strategies they
//! form.
//!
//! Deterministic under a seed: agents are sampled in order from one `ChaCha8Rng` stream, so the
//! same seed gives the same counts on any machine and thread count. What it is not: the
//! concentration bounds and robust gaps built on these samples live in rp-robust.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Slack allowed on `sum_a beta^i_a <= 1` (solver output may exceed 1 by rounding).
const SUM_SLACK: f64 = 1e-9;

/// Why a profile could not be sampled.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum SamplingError {
    /// The profile length differs from `sum n_i`, or a block is empty.
    #[error("profile has {got} entries, the blocks need {expected} (every block nonempty)")]
    Dimension {
        /// Entries found.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// A block that is not a sub-probability vector.
    #[error("agent {agent}: strategy must be nonnegative, finite and sum to at most 1 (sum {sum})")]
    NotAStrategy {
        /// Agent index.
        agent: usize,
        /// Sum of the block.
        sum: f64,
    },
    /// `S = 0`.
    #[error("need at least one sample per agent")]
    NoSamples,
}

/// The outcome of Nash sampling: per-agent action counts and empirical strategies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NashSample {
    /// Samples per agent `S`.
    pub samples: usize,
    /// Per agent, `n_i + 1` counts: the active actions in order, then the null action.
    pub counts: Vec<Vec<usize>>,
    /// Empirical joint profile `hat beta` (active actions only; `counts / S`).
    pub empirical: Vec<f64>,
}

/// Draws `samples` actions per agent from `(beta^i, 1 - sum beta^i)` with `rng`.
pub fn nash_sample<R: Rng + ?Sized>(
    profile: &[f64],
    blocks: &[usize],
    samples: usize,
    rng: &mut R,
) -> Result<NashSample, SamplingError> {
    validate(profile, blocks, samples)?;
    let mut counts = Vec::with_capacity(blocks.len());
    let mut start = 0;
    for &n in blocks {
        let block = &profile[start..start + n];
        start += n;
        let mut c = vec![0usize; n + 1];
        for _ in 0..samples {
            c[draw(block, rng.random::<f64>())] += 1;
        }
        counts.push(c);
    }
    let empirical = counts
        .iter()
        .flat_map(|c| c[..c.len() - 1].iter().map(|k| *k as f64 / samples as f64))
        .collect();
    Ok(NashSample {
        samples,
        counts,
        empirical,
    })
}

/// [`nash_sample`] with a fresh `ChaCha8Rng::seed_from_u64(seed)`.
pub fn nash_sample_seeded(
    profile: &[f64],
    blocks: &[usize],
    samples: usize,
    seed: u64,
) -> Result<NashSample, SamplingError> {
    nash_sample(
        profile,
        blocks,
        samples,
        &mut ChaCha8Rng::seed_from_u64(seed),
    )
}

/// Inverse CDF: the first action whose cumulative probability exceeds `u in [0, 1)`, or the
/// null action (index `n`) when `u` falls in the remaining mass.
fn draw(block: &[f64], u: f64) -> usize {
    let mut cumulative = 0.0;
    for (a, p) in block.iter().enumerate() {
        cumulative += p;
        if u < cumulative {
            return a;
        }
    }
    block.len()
}

fn validate(profile: &[f64], blocks: &[usize], samples: usize) -> Result<(), SamplingError> {
    if samples == 0 {
        return Err(SamplingError::NoSamples);
    }
    let expected: usize = blocks.iter().sum();
    if profile.len() != expected || blocks.contains(&0) {
        return Err(SamplingError::Dimension {
            got: profile.len(),
            expected,
        });
    }
    let mut start = 0;
    for (agent, &n) in blocks.iter().enumerate() {
        let block = &profile[start..start + n];
        start += n;
        let sum: f64 = block.iter().sum();
        let valid = block.iter().all(|p| p.is_finite() && *p >= 0.0) && sum <= 1.0 + SUM_SLACK;
        if !valid {
            return Err(SamplingError::NotAStrategy { agent, sum });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pure_and_null_strategies_are_reproduced_exactly() {
        // Agent 0 plays action 1 surely; agent 1 always idles.
        let s = nash_sample_seeded(&[0.0, 1.0, 0.0, 0.0], &[2, 2], 50, 1).unwrap();
        assert_eq!(s.counts, vec![vec![0, 50, 0], vec![0, 0, 50]]);
        assert_eq!(s.empirical, vec![0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            nash_sample_seeded(&[0.5], &[1], 0, 0),
            Err(SamplingError::NoSamples)
        );
        assert!(matches!(
            nash_sample_seeded(&[0.5], &[2], 5, 0),
            Err(SamplingError::Dimension { .. })
        ));
        assert!(matches!(
            nash_sample_seeded(&[0.7, 0.4], &[2], 5, 0),
            Err(SamplingError::NotAStrategy { agent: 0, .. })
        ));
        assert!(matches!(
            nash_sample_seeded(&[0.2, f64::NAN], &[1, 1], 5, 0),
            Err(SamplingError::NotAStrategy { agent: 1, .. })
        ));
    }

    /// Random sub-probability blocks: `n` weights normalized with the null's weight.
    fn profile() -> impl Strategy<Value = (Vec<f64>, Vec<usize>)> {
        prop::collection::vec(1usize..4, 1..4).prop_flat_map(|blocks| {
            let total: usize = blocks.iter().map(|n| n + 1).sum();
            prop::collection::vec(0.0..1.0f64, total).prop_map(move |w| {
                let mut profile = Vec::new();
                let mut start = 0;
                for &n in &blocks {
                    let chunk = &w[start..start + n + 1];
                    start += n + 1;
                    let sum: f64 = chunk.iter().sum::<f64>().max(1e-12);
                    profile.extend(chunk[..n].iter().map(|x| x / sum));
                }
                (profile, blocks.clone())
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn empirical_strategies_are_sub_probabilities((beta, blocks) in profile(), seed in any::<u64>()) {
            let s = nash_sample_seeded(&beta, &blocks, 200, seed).unwrap();
            let again = nash_sample_seeded(&beta, &blocks, 200, seed).unwrap();
            prop_assert_eq!(&s, &again);
            let mut start = 0;
            for (i, &n) in blocks.iter().enumerate() {
                prop_assert_eq!(s.counts[i].iter().sum::<usize>(), 200);
                let sum: f64 = s.empirical[start..start + n].iter().sum();
                prop_assert!(sum <= 1.0 + 1e-12 && s.empirical[start..start + n].iter().all(|p| *p >= 0.0));
                start += n;
            }
        }

        /// Weissman et al. (THEORY §8): P(|hat beta^i - beta^i|_1 >= eps) <= (2^m - 2) e^{-S eps^2 / 2}
        /// with m = n_i + 1 outcomes; at S = 20000 and failure probability 1e-9 per agent the radius
        /// eps = sqrt(2 ln((2^m - 2) / 1e-9) / S) is at most 0.049 (m = 4).
        #[test]
        fn empirical_strategies_converge((beta, blocks) in profile(), seed in any::<u64>()) {
            let samples = 20_000;
            let s = nash_sample_seeded(&beta, &blocks, samples, seed).unwrap();
            let mut start = 0;
            for (i, &n) in blocks.iter().enumerate() {
                let m = (n + 1) as i32;
                let radius = (2.0 * ((2f64.powi(m) - 2.0) / 1e-9).ln() / samples as f64).sqrt();
                let null = 1.0 - beta[start..start + n].iter().sum::<f64>();
                let null_hat = s.counts[i][n] as f64 / samples as f64;
                let l1: f64 = (start..start + n).map(|k| (s.empirical[k] - beta[k]).abs()).sum::<f64>()
                    + (null_hat - null).abs();
                prop_assert!(l1 < radius, "agent {i}: L1 error {l1} >= {radius}");
                start += n;
            }
        }
    }
}
