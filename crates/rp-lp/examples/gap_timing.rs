//! Times the pieces of a verified Separable gap on generated data (development aid):
//! `gap_timing K M n [noise%] [seed]`; `RP_BACKENDS=microlp,clarabel`
//! picks backends, `RP_METHOD=rows` the row-generation method.
use std::time::Instant;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_lp::{
    Agent, Backend, GapMethod, GapOptions, ObservationSet, additive_gap, social_optimality_test,
    verify_gap,
};

fn data(k: usize, m: usize, n: usize, noise: f64, seed: u64) -> ObservationSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let w: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.2..1.0)).collect();
    let total: f64 = w.iter().sum();
    let (mut p, mut s) = (Vec::new(), Vec::new());
    for _ in 0..k {
        let a: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.5..2.0)).collect();
        let b = a
            .iter()
            .zip(&w)
            .map(|(a, w)| w / (total * a) * (1.0 + rng.random_range(-noise..noise)))
            .collect();
        p.push(a);
        s.push(b);
    }
    ObservationSet::new(
        (0..m).map(|i| Agent::new(format!("a{i}"), n)).collect(),
        p,
        s,
    )
    .unwrap()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let (k, m, n) = (args[0], args[1], args[2]);
    let noise = args.get(3).map_or(0.1, |&x| x as f64 / 100.0);
    let seed = args.get(4).map_or(7, |&s| s as u64);
    let obs = data(k, m, n, noise, seed);
    let backends: Vec<Backend> = std::env::var("RP_BACKENDS")
        .unwrap_or_else(|_| "clarabel".into())
        .split(',')
        .map(|b| b.parse().unwrap())
        .collect();
    let method = match std::env::var("RP_METHOD").as_deref() {
        Ok("rows") => GapMethod::RowGeneration,
        _ => GapMethod::CycleCuts,
    };
    for backend in backends {
        let mut o = GapOptions {
            backend,
            ..GapOptions::default()
        };
        o.generation.method = method;
        let t = Instant::now();
        let g = additive_gap(&obs, &o).unwrap();
        let t_gap = t.elapsed();
        let t = Instant::now();
        let v = verify_gap(&obs, &g.certificate, g.value, o.tolerance);
        let t_ver = t.elapsed();
        if !v.verified {
            println!("verification failures: {:?}", v.failures);
        }
        let t = Instant::now();
        let test = social_optimality_test(&obs, &o).unwrap();
        let t_test = t.elapsed();
        println!(
            "{backend:?} K={k} M={m} N={}: gap {:.3e} (lower {:.3e}) rows {} | gap {:?} verify {:?} ({}) | test {:?} consistent {} verified {}",
            m * n,
            g.value,
            g.lower_bound,
            g.rows,
            t_gap,
            t_ver,
            v.verified,
            t_test,
            test.consistent,
            test.verification.verified
        );
    }
}
