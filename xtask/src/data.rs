//! Seeded data generators for timing (figure 7 and `cargo xtask bench`), the same shapes as the
//! criterion benches in `benches/` (whose generators are private to those files): a
//! Cobb–Douglas consumer with occasional misread prices (GARP/CCEI), and noisy multi-agent
//! Cobb–Douglas optima (the Separable gap).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_design::lp::{Agent, DataError, ObservationSet};

/// One consumer, `k` games, `n` goods: Cobb–Douglas demand under random probes (entries in
/// [0.5, 2]) and incomes in [0.8, 1.25]; in 10% of the games every price is misread by a factor
/// in [0.2, 5] (so GARP fails and CCEI < 1, as in `benches/classical.rs`).
pub fn misread_consumer(k: usize, n: usize, seed: u64) -> Result<ObservationSet, DataError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weights: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut probes = Vec::with_capacity(k);
    let mut strategies = Vec::with_capacity(k);
    for _ in 0..k {
        let p: Vec<f64> = (0..n).map(|_| rng.random_range(0.5..2.0)).collect();
        let income: f64 = rng.random_range(0.8..1.25);
        let mistaken = rng.random_bool(0.1);
        let seen: Vec<f64> = p
            .iter()
            .map(|&pi| {
                if mistaken {
                    pi * rng.random_range(0.2..5.0)
                } else {
                    pi
                }
            })
            .collect();
        let x: Vec<f64> = (0..n).map(|i| weights[i] / total / seen[i]).collect();
        let cost: f64 = x.iter().zip(&p).map(|(a, b)| a * b).sum();
        strategies.push(x.iter().map(|xi| xi * income / cost).collect());
        probes.push(p);
    }
    ObservationSet::single_agent(probes, strategies)
}

/// `m` agents with `n` actions each, `k` games: each action's share of a Cobb–Douglas social
/// optimum under one shared random budget, every entry moved by up to ±10% (so the Separable
/// gap is usually positive, as in the designer's loop; `benches/gap.rs`).
pub fn noisy_optimum(k: usize, m: usize, n: usize, seed: u64) -> Result<ObservationSet, DataError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weights: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.2..1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut probes = Vec::with_capacity(k);
    let mut strategies = Vec::with_capacity(k);
    for _ in 0..k {
        let alpha: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.5..2.0)).collect();
        let beta = alpha
            .iter()
            .zip(&weights)
            .map(|(a, w)| w / (total * a) * (1.0 + rng.random_range(-0.1..0.1)))
            .collect();
        probes.push(alpha);
        strategies.push(beta);
    }
    let agents = (0..m).map(|i| Agent::new(format!("a{i}"), n)).collect();
    ObservationSet::new(agents, probes, strategies)
}

/// Median wall time in seconds of `reps` (at least 1) runs of `f`.
pub fn median_seconds(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_have_the_asked_shapes_and_are_seeded() {
        let a = misread_consumer(20, 5, 1).expect("valid");
        assert_eq!((a.len(), a.dim(), a.num_agents()), (20, 5, 1));
        assert_eq!(
            a,
            misread_consumer(20, 5, 1).expect("valid"),
            "same seed, same data"
        );
        let b = noisy_optimum(10, 4, 3, 2).expect("valid");
        assert_eq!((b.len(), b.dim(), b.num_agents()), (10, 12, 4));
        // Cobb-Douglas spends the whole budget before noise, so e_k is within 10% of 1.
        assert!((0..10).all(|k| (b.expenditure(k) - 1.0).abs() <= 0.1 + 1e-12));
    }

    #[test]
    fn median_of_runs() {
        let mut calls = 0;
        let t = median_seconds(3, || calls += 1);
        assert_eq!(calls, 3);
        assert!(t >= 0.0 && t.is_finite());
    }
}
