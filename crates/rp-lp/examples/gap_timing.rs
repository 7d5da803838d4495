//! Times the pieces of a verified Separable gap on generated data (development aid):
//! `gap_timing K M n [noise%] [seed]`; `RP_BACKENDS=microlp,clarabel`
//! picks backends, `RP_METHOD=rows` the row-generation method, `RP_REPS` the
//! number of timed runs (the fastest is printed), `RP_HINT=shift%` also times a neighbouring
//! data set cold and warm-started from this one's hint.
use std::time::Instant;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_lp::{
    Agent, Backend, GapHint, GapMethod, GapOptions, ObservationSet, additive_gap,
    pareto_gap_with_hint, verify_gap,
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
        let reps: usize = std::env::var("RP_REPS").map_or(1, |r| r.parse().unwrap());
        let mut t_gap = std::time::Duration::MAX;
        let mut gap = None;
        for _ in 0..reps {
            let t = Instant::now();
            gap = Some(additive_gap(&obs, &o).unwrap());
            t_gap = t_gap.min(t.elapsed());
        }
        let g = gap.unwrap();
        let t = Instant::now();
        let v = verify_gap(&obs, &g.certificate, g.value, o.tolerance);
        let t_ver = t.elapsed();
        if !v.verified {
            println!("verification failures: {:?}", v.failures);
        }
        if let Ok(shift) = std::env::var("RP_HINT") {
            // A neighbouring data set: the same probes, strategies moved by up to `shift`%.
            let shift: f64 = shift.parse::<f64>().unwrap() / 100.0;
            let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
            let moved: Vec<f64> = obs
                .strategies_flat()
                .iter()
                .map(|b| b * (1.0 + rng.random_range(-shift..shift)))
                .collect();
            let near =
                ObservationSet::from_flat(obs.agents().to_vec(), obs.probes_flat().to_vec(), moved)
                    .unwrap();
            let (_, hint) = pareto_gap_with_hint(&obs, &o, &GapHint::default()).unwrap();
            let t = Instant::now();
            let (cold, _) = pareto_gap_with_hint(&near, &o, &GapHint::default()).unwrap();
            let t_cold = t.elapsed();
            let t = Instant::now();
            let (warm, _) = pareto_gap_with_hint(&near, &o, &hint).unwrap();
            let t_warm = t.elapsed();
            println!(
                "neighbour ({}%): cold {:.3e} in {t_cold:?}, warm {:.3e} in {t_warm:?} ({} hint cycles), verified {} {}",
                shift * 100.0,
                cold.value,
                warm.value,
                hint.cycles.len(),
                cold.verification.verified,
                warm.verification.verified
            );
        }
        println!(
            "{backend:?} K={k} M={m} N={}: gap {:.3e} (lower {:.3e}) rows {} | gap {:?} verify {:?} ({})",
            m * n,
            g.value,
            g.lower_bound,
            g.rows,
            t_gap,
            t_ver,
            v.verified,
        );
    }
}
