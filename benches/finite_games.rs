//! Nash equilibria of random bimatrix and n-player games (payoffs uniform in [0, 1), ChaCha8
//! seeded, so every run measures the same games).
//!
//! What is measured, by name:
//! - `lemke_howson/label0/{10,20}`: one Lemke–Howson path (dropping label 0) to a certified
//!   equilibrium;
//! - `lemke_howson/all_labels/{10,20}`: all `m + n` paths, de-duplicated;
//! - `support_enumeration/all/10`: every equilibrium of a 10x10 game, all `C(20, 10) - 1 = 184755`
//!   balanced support pairs minus those pruned by conditional dominance;
//! - `vertex_enumeration/all/10`: every extreme equilibrium via both best-response polytopes;
//! - `support_enumeration/first/20`: time to the first equilibrium of a 20x20 game in
//!   Porter–Nudelman–Shoham order with dominance pruning (exhaustive enumeration would visit
//!   `C(40, 20) - 1 ~ 1.4e11` pairs, which is infeasible);
//! - `support_enumeration/support_le_2/20`: all equilibria with supports of size at most 2
//!   (`20^2 + C(20, 2)^2 = 36500` pairs before pruning);
//! - `logit_homotopy/{3x3x3,4x4x4,2x2x2x2x2}`: one logit homotopy from the centroid to a
//!   polished, certified equilibrium of a random n-player game;
//! - `logit_homotopy/fold_2x3x3`: the same on the regression game
//!   `crates/rp-game/tests/data/logit_fold.nfg`, whose principal branch folds back twice (up to
//!   lambda ~ 1935, down to ~ 34, up again).
//!
//! Floor: every method must at least verify its answer, i.e. compute one regret (`2 m n`
//! multiply-adds for a bimatrix game, one pass over every payoff tensor for n players). Before criterion runs, each operation is timed once more by a plain loop and
//! printed with the floor's time and the ratio to it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_game::finite::{
    MixedProfile, NashOptions, NormalFormGame, lemke_howson, lemke_howson_all, logit_homotopy,
    read_nfg_file, support_enumeration, vertex_enumeration,
};

fn random_game(size: usize, seed: u64) -> NormalFormGame {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut matrix = || -> Vec<Vec<f64>> {
        (0..size)
            .map(|_| (0..size).map(|_| rng.random::<f64>()).collect())
            .collect()
    };
    let (a, b) = (matrix(), matrix());
    NormalFormGame::from_bimatrix(&a, &b).expect("random payoffs form a valid game")
}

fn random_n_player_game(counts: &[usize], seed: u64) -> NormalFormGame {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let profiles: usize = counts.iter().product();
    let payoffs = counts
        .iter()
        .map(|_| (0..profiles).map(|_| rng.random::<f64>()).collect())
        .collect();
    NormalFormGame::new(counts, payoffs).expect("random payoffs form a valid game")
}

/// Mean time of `f` over enough repetitions to fill about `budget`.
fn time(budget: Duration, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut runs = 0u32;
    while runs == 0 || (start.elapsed() < budget && runs < 1_000_000) {
        f();
        runs += 1;
    }
    start.elapsed() / runs
}

fn report(name: &str, op: Duration, floor: Duration, found: usize) {
    eprintln!(
        "{name:<40} {:>12.3?}  floor (one regret) {:>10.3?}  ratio {:>10.0}  equilibria {found}",
        op,
        floor,
        op.as_secs_f64() / floor.as_secs_f64()
    );
}

fn benches(c: &mut Criterion) {
    eprintln!(
        "random bimatrix games, payoffs U[0,1), seeds 2034 (10x10) and 2044 (20x20); \
         label0 = one Lemke-Howson path, all_labels = m + n paths; all = every equilibrium; \
         first = time to the first equilibrium (PNS order, dominance pruning); \
         support_le_2 = all equilibria with supports of size <= 2; floor = one regret evaluation"
    );
    let opts = NashOptions::default();
    let first = NashOptions {
        max_equilibria: Some(1),
        ..NashOptions::default()
    };
    let small = NashOptions {
        max_support: Some(2),
        ..NashOptions::default()
    };
    for size in [10, 20] {
        let game = random_game(size, 2024 + size as u64);
        let uniform = MixedProfile::uniform(&game);
        let floor = time(Duration::from_millis(200), || {
            black_box(game.regret(&uniform).expect("valid profile"));
        });
        type Run<'a> = Box<dyn Fn() -> usize + 'a>;
        let mut runs: Vec<(String, Run)> = vec![
            (
                format!("lemke_howson/label0/{size}"),
                Box::new(|| usize::from(lemke_howson(&game, 0, &opts).is_ok())),
            ),
            (
                format!("lemke_howson/all_labels/{size}"),
                Box::new(|| lemke_howson_all(&game, &opts).map_or(0, |v| v.len())),
            ),
        ];
        if size == 10 {
            runs.push((
                format!("support_enumeration/all/{size}"),
                Box::new(|| support_enumeration(&game, &opts).map_or(0, |v| v.len())),
            ));
            runs.push((
                format!("vertex_enumeration/all/{size}"),
                Box::new(|| vertex_enumeration(&game, &opts).map_or(0, |v| v.len())),
            ));
        } else {
            runs.push((
                format!("support_enumeration/first/{size}"),
                Box::new(|| support_enumeration(&game, &first).map_or(0, |v| v.len())),
            ));
            runs.push((
                format!("support_enumeration/support_le_2/{size}"),
                Box::new(|| support_enumeration(&game, &small).map_or(0, |v| v.len())),
            ));
        }
        for (name, run) in &runs {
            let mut found = 0;
            let op = time(Duration::from_millis(500), || found = black_box(run()));
            report(name, op, floor, found);
            c.bench_function(name, |b| b.iter(|| black_box(run())));
        }
    }
}

fn logit_benches(c: &mut Criterion) {
    eprintln!(
        "logit homotopy on random n-player games, payoffs U[0,1), seeds 3033 (3x3x3), 3044 \
         (4x4x4), 3022 (2x2x2x2x2), and on the folding regression game; floor = one regret \
         evaluation; equilibria = 1 when certified"
    );
    let fold = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/rp-game/tests/data/logit_fold.nfg");
    let games = [
        ("3x3x3", random_n_player_game(&[3, 3, 3], 3033)),
        ("4x4x4", random_n_player_game(&[4, 4, 4], 3044)),
        ("2x2x2x2x2", random_n_player_game(&[2; 5], 3022)),
        (
            "fold_2x3x3",
            read_nfg_file(fold).expect("the regression game reads"),
        ),
    ];
    let opts = NashOptions::default();
    for (shape, game) in &games {
        let uniform = MixedProfile::uniform(game);
        let floor = time(Duration::from_millis(200), || {
            black_box(game.regret(&uniform).expect("valid profile"));
        });
        let name = format!("logit_homotopy/{shape}");
        let run = || usize::from(logit_homotopy(game, &opts).is_ok());
        let mut found = 0;
        let op = time(Duration::from_millis(500), || found = black_box(run()));
        report(&name, op, floor, found);
        c.bench_function(&name, |b| b.iter(|| black_box(run())));
    }
}

criterion_group! {
    name = finite_games;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches, logit_benches
}
criterion_main!(finite_games);
