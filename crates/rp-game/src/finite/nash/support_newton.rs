//! n-player support enumeration with Newton's method (after Porter, Nudelman & Shoham 2008,
//! with their feasibility program replaced by Newton's method on the indifference equations).
//!
//! Support profiles are visited by total size, then by balance (largest minus smallest support
//! size), then lexicographically; a profile is skipped when one of its strategies is
//! conditionally strictly dominated given the others' supports. Each remaining profile's
//! indifference system ([`super::newton::SupportSystem`]) is solved from `newton_starts` points:
//! the centroid of the supports, then points drawn uniformly on the supports' simplices from a
//! ChaCha8 stream seeded by `(seed, profile number)`, so results do not depend on anything but
//! the options. A root with all probabilities `>= -1e-9` is a candidate, certified on the full
//! game (which also checks the strategies outside the supports).
//!
//! Completeness: every pure equilibrium is found (a pure support has no unknowns). Mixed
//! equilibria are found when Newton converges to them from one of the starts: in practice all
//! isolated equilibria of small games, but a polynomial system can have several roots on one
//! support and there is no guarantee. Positive-dimensional equilibrium sets yield sample points.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::newton::SupportSystem;
use super::{Equilibrium, Method, NashError, NashOptions, collect, for_each_subset};
use crate::finite::game::NormalFormGame;
use crate::finite::profile::MixedProfile;

/// Screening margin: probabilities below `-MARGIN` reject a root; dominance needs this gap (in
/// units of the payoff range).
const MARGIN: f64 = 1e-9;

/// Equilibria of an n-player game by support enumeration and Newton's method (see the module
/// doc), in the order found. Refuses with [`NashError::TooLarge`] when the number of support
/// profiles `prod (2^{n_i} - 1)` exceeds `max_support_profiles`.
pub fn support_newton(
    game: &NormalFormGame,
    opts: &NashOptions,
) -> Result<Vec<Equilibrium>, NashError> {
    opts.validate()?;
    let counts = game.strategy_counts();
    let work = counts.iter().fold(1u64, |acc, &n| {
        let subsets = 1u64.checked_shl(n as u32).map_or(u64::MAX, |p| p - 1);
        acc.saturating_mul(subsets)
    });
    if work > opts.max_support_profiles {
        return Err(NashError::TooLarge {
            method: "support enumeration with Newton",
            work,
            cap: opts.max_support_profiles,
        });
    }
    let mut found = Vec::new();
    let mut number = 0u64;
    for sizes in size_vectors(counts) {
        for supports in support_profiles(counts, &sizes) {
            number += 1;
            if has_dominated(game, &supports) {
                continue;
            }
            for z in roots(game, supports.clone(), opts, number) {
                collect(
                    &mut found,
                    game,
                    MixedProfile::new(z),
                    Method::SupportNewton,
                    opts,
                );
            }
        }
    }
    tracing::debug!(
        profiles = number,
        equilibria = found.len(),
        "support enumeration with Newton done"
    );
    Ok(found)
}

/// All support-size vectors, by total size then balance then lexicographically.
fn size_vectors(counts: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for &n in counts {
        out = out
            .into_iter()
            .flat_map(|v: Vec<usize>| {
                (1..=n).map(move |k| {
                    let mut w = v.clone();
                    w.push(k);
                    w
                })
            })
            .collect();
    }
    let key = |v: &Vec<usize>| {
        let total: usize = v.iter().sum();
        let spread = v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0);
        (total, spread)
    };
    out.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.cmp(b)));
    out
}

/// All support profiles with the given sizes, first player's support changing slowest.
fn support_profiles(counts: &[usize], sizes: &[usize]) -> Vec<Vec<Vec<usize>>> {
    let mut out: Vec<Vec<Vec<usize>>> = vec![vec![]];
    for (&n, &k) in counts.iter().zip(sizes) {
        let items: Vec<usize> = (0..n).collect();
        let mut subsets = Vec::new();
        for_each_subset(&items, k, &mut |s| {
            subsets.push(s.to_vec());
            true
        });
        out = out
            .into_iter()
            .flat_map(|p| {
                subsets.iter().map(move |s| {
                    let mut q = p.clone();
                    q.push(s.clone());
                    q
                })
            })
            .collect();
    }
    out
}

/// Some strategy in a support is strictly dominated (by [`MARGIN`] times the range) by another
/// strategy of its player, given the other players' supports.
fn has_dominated(game: &NormalFormGame, supports: &[Vec<usize>]) -> bool {
    let margin = MARGIN * game.payoff_range();
    let counts = game.strategy_counts();
    let strides = game.strides();
    (0..counts.len()).any(|i| {
        let t = &game.payoff_tensors()[i];
        // Flat offsets of the others' support profiles (player i's strategy 0).
        let mut others: Vec<usize> = vec![0];
        for (j, s) in supports.iter().enumerate().filter(|&(j, _)| j != i) {
            others = others
                .iter()
                .flat_map(|&base| s.iter().map(move |&b| base + b * strides[j]))
                .collect();
        }
        supports[i].iter().any(|&a| {
            (0..counts[i]).any(|a2| {
                a2 != a
                    && others
                        .iter()
                        .all(|&o| t[o + a2 * strides[i]] > t[o + a * strides[i]] + margin)
            })
        })
    })
}

/// Distinct nonnegative roots of one support profile's system, as full profiles.
fn roots(
    game: &NormalFormGame,
    supports: Vec<Vec<usize>>,
    opts: &NashOptions,
    number: u64,
) -> Vec<Vec<Vec<f64>>> {
    let system = SupportSystem::new(game, supports);
    let counts = game.strategy_counts();
    if system.dims().iter().all(|&k| k == 1) {
        return vec![system.expand(&system.centroid(), counts)];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut out: Vec<Vec<f64>> = Vec::new();
    for start in 0..opts.newton_starts {
        let z0 = if start == 0 {
            system.centroid()
        } else {
            random_point(system.dims(), &mut rng)
        };
        let Some(z) = system.solve(z0) else { continue };
        if z.iter().any(|&p| p < -MARGIN) {
            continue;
        }
        let fresh = out.iter().all(|w| {
            w.iter()
                .zip(&z)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
                > opts.duplicate_distance
        });
        if fresh {
            out.push(z);
        }
    }
    out.iter().map(|z| system.expand(z, counts)).collect()
}

/// A point drawn uniformly on each block's simplex (normalized exponentials).
pub(crate) fn random_point(dims: &[usize], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut z = Vec::with_capacity(dims.iter().sum());
    for &k in dims {
        let e: Vec<f64> = (0..k).map(|_| -(1.0 - rng.random::<f64>()).ln()).collect();
        let s: f64 = e.iter().sum();
        if s > 0.0 {
            z.extend(e.iter().map(|v| v / s));
        } else {
            z.extend(std::iter::repeat_n(1.0 / k as f64, k));
        }
    }
    z
}
