//! `cargo xtask bench`: one table of the project's headline operations, each timed directly
//! (median of a few runs with `std::time::Instant`; the machine is shared, so these are
//! indicative, and criterion's `cargo bench` remains the careful measurement), with its floor
//! and the ratio where one is defined:
//! - revealed-preference tests: the `K x K x N` budget product (`BudgetMatrix::joint`, THEORY
//!   §1), the least work of any exact test;
//! - finite games: one regret evaluation of the uniform profile (what verifying any answer costs);
//! - variational equilibria: one natural-residual evaluation (one map evaluation and one exact
//!   projection);
//! - one designer iteration: the three budget products of its three observation sets.
//!
//! Data are the same shapes as `benches/*.rs` (seeded; see [`crate::data`]). The table goes to
//! stdout and to a CSV.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rp_design::game::concave::{ConcaveGame, residual_of};
use rp_design::game::environment::{Environment, EnvironmentConfig, EnvironmentKind};
use rp_design::game::finite::{
    MixedProfile, NashOptions, NormalFormGame, lemke_howson, support_enumeration,
};
use rp_design::game::mechanism::MechanismClass;
use rp_design::lp::{
    Agent, BudgetMatrix, GapOptions, ObservationSet, Tolerance, additive_gap, ccei, garp_violation,
    pareto_gap,
};
use rp_design::policy::{NoiseSeed, Query};
use rp_design::robust::{AmbiguitySpec, Method, RobustOptions, robust_gap};
use rp_design::{DesignSettings, Designer, GapObjective, Measurement};

use crate::data::{median_seconds, misread_consumer, noisy_optimum};
use crate::error::XtaskError;
use crate::figures::seeds;
use crate::table::{Table, num};

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What was timed.
    pub operation: String,
    /// Its size.
    pub size: String,
    /// Median seconds.
    pub seconds: f64,
    /// The floor's name and median seconds, where one is defined.
    pub floor: Option<(String, f64)>,
    /// Anything else worth a column (a gap value, an equilibrium count, a split).
    pub note: String,
}

impl Row {
    /// `seconds / floor` (`None` without a floor).
    pub fn ratio(&self) -> Option<f64> {
        self.floor
            .as_ref()
            .map(|(_, f)| self.seconds / f.max(1e-12))
    }
}

fn err(what: &str) -> impl Fn(&dyn std::fmt::Display) -> XtaskError + '_ {
    move |e| XtaskError::experiment(what, e)
}

/// The budget product's median time.
fn product(obs: &ObservationSet, reps: usize) -> f64 {
    median_seconds(reps, || {
        black_box(BudgetMatrix::joint(black_box(obs)));
    })
}

fn garp_ccei(rows: &mut Vec<Row>) -> Result<(), XtaskError> {
    let t = Tolerance::default();
    for k in [100, 500, 2000] {
        let obs =
            misread_consumer(k, 20, seeds::COST + k as u64).map_err(|e| err("GARP data")(&e))?;
        let b = BudgetMatrix::joint(&obs);
        let (garp, index) = (garp_violation(&b, t).is_none(), ccei(&b, t).value);
        let reps = if k >= 2000 { 3 } else { 7 };
        let seconds = median_seconds(reps, || {
            let b = BudgetMatrix::joint(black_box(&obs));
            black_box((garp_violation(&b, t).is_none(), ccei(&b, t).value));
        });
        rows.push(Row {
            operation: "GARP + CCEI (one agent)".into(),
            size: format!("K = {k}, N = 20"),
            seconds,
            floor: Some(("K x K x N product".into(), product(&obs, reps * 3))),
            note: format!("GARP {garp}, CCEI {index:.4}"),
        });
    }
    Ok(())
}

/// A verified gap with its product floor.
fn gap_row(label: &str, obs: &ObservationSet, reps: usize) -> Result<Row, XtaskError> {
    let mut value = None;
    let seconds = median_seconds(reps, || {
        value = Some(pareto_gap(obs, &GapOptions::default()))
    });
    let gap = value
        .ok_or_else(|| XtaskError::Experiment("gap not run".into()))?
        .map_err(|e| err(label)(&e))?;
    Ok(Row {
        operation: label.into(),
        size: format!("K = {}, N = {}", obs.len(), obs.dim()),
        seconds,
        floor: Some(("K x K x N product".into(), product(obs, 10))),
        note: format!(
            "gap {:.3e}, verified {}",
            gap.value, gap.verification.verified
        ),
    })
}

fn gaps(rows: &mut Vec<Row>) -> Result<(), XtaskError> {
    for k in [50, 100, 200, 400] {
        let obs =
            noisy_optimum(k, 4, 3, seeds::COST + k as u64).map_err(|e| err("gap data")(&e))?;
        let reps = if k >= 400 { 3 } else { 5 };
        rows.push(gap_row("Separable gap (M = 4), verified", &obs, reps)?);
    }
    let obs = noisy_optimum(2000, 1, 12, seeds::COST + 2000).map_err(|e| err("gap data")(&e))?;
    rows.push(gap_row("single-agent gap, verified", &obs, 1)?);
    Ok(())
}

fn random_bimatrix(size: usize, seed: u64) -> Result<NormalFormGame, XtaskError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut matrix = || -> Vec<Vec<f64>> {
        (0..size)
            .map(|_| (0..size).map(|_| rng.random::<f64>()).collect())
            .collect()
    };
    let (a, b) = (matrix(), matrix());
    NormalFormGame::from_bimatrix(&a, &b).map_err(|e| err("bimatrix")(&e))
}

fn finite_games(rows: &mut Vec<Row>) -> Result<(), XtaskError> {
    let opts = NashOptions::default();
    let first = NashOptions {
        max_equilibria: Some(1),
        ..NashOptions::default()
    };
    for size in [10, 20] {
        // The seeds of benches/finite_games.rs.
        let game = random_bimatrix(size, 2024 + size as u64)?;
        let uniform = MixedProfile::uniform(&game);
        let floor = median_seconds(201, || {
            black_box(game.regret(&uniform).map(|r| r.to_bits()).unwrap_or(0));
        });
        let regret = ("one regret evaluation".to_string(), floor);
        let mut ok = true;
        let lh = median_seconds(21, || ok &= lemke_howson(&game, 0, &opts).is_ok());
        rows.push(Row {
            operation: "Lemke–Howson, label 0".into(),
            size: format!("{size} x {size}"),
            seconds: lh,
            floor: Some(regret.clone()),
            note: format!("certified equilibrium found: {ok}"),
        });
        let (options, what) = if size == 10 {
            (&opts, "all equilibria")
        } else {
            (&first, "first equilibrium")
        };
        let mut found = 0;
        let reps = if size == 10 { 3 } else { 5 };
        let se = median_seconds(reps, || {
            found = support_enumeration(&game, options).map_or(0, |v| v.len())
        });
        rows.push(Row {
            operation: format!("support enumeration, {what}"),
            size: format!("{size} x {size}"),
            seconds: se,
            floor: Some(regret),
            note: format!("equilibria found: {found}"),
        });
    }
    Ok(())
}

fn equilibria(rows: &mut Vec<Row>) -> Result<(), XtaskError> {
    const K: usize = 100;
    for kind in [EnvironmentKind::Spectrum, EnvironmentKind::River] {
        let env = Environment::new(&EnvironmentConfig::new(kind, 0))
            .map_err(|e| err("environment")(&e))?;
        let probes = env.draw_probes(K, &mut ChaCha8Rng::seed_from_u64(42));
        let phi = vec![
            0.0;
            env.mechanism(MechanismClass::Prices)
                .parameter_box()
                .lower()
                .len()
        ];
        let mut profiles = Vec::with_capacity(K);
        let mut iterations = 0;
        let start = Instant::now();
        for p in &probes {
            let eq = env
                .equilibrium(p, MechanismClass::Prices, &phi, None)
                .map_err(|e| err("equilibrium")(&e))?;
            iterations += eq.iterations;
            profiles.push(eq.profile);
        }
        let per_solve = start.elapsed().as_secs_f64() / K as f64;
        let game = env
            .game(MechanismClass::Prices, &phi)
            .map_err(|e| err("game")(&e))?;
        let start = Instant::now();
        for (p, beta) in probes.iter().zip(&profiles) {
            let set = env.feasible_set(p).map_err(|e| err("feasible set")(&e))?;
            let map = |b: &[f64], out: &mut [f64]| {
                game.pseudo_gradient(b, out);
                out.iter_mut().for_each(|v| *v = -*v);
            };
            black_box(residual_of(map, &set, beta).map_err(|e| err("residual")(&e))?);
        }
        let floor = start.elapsed().as_secs_f64() / K as f64;
        rows.push(Row {
            operation: format!(
                "variational equilibrium, {}",
                crate::figures::env_name(kind)
            ),
            size: format!("per solve, mean of K = {K} probes (N = {})", env.dim()),
            seconds: per_solve,
            floor: Some(("one natural-residual evaluation".into(), floor)),
            note: format!("mean {:.0} iterations", iterations as f64 / K as f64),
        });
    }
    Ok(())
}

/// One Algorithm 1 iteration at `phi* / 2` (as `benches/design_iteration.rs`): `2K` equilibria
/// for `phi+-` and `K` for the new iterate, three gap LPs.
fn design_iteration(rows: &mut Vec<Row>) -> Result<(), XtaskError> {
    const K: usize = 30;
    for kind in [EnvironmentKind::Spectrum, EnvironmentKind::River] {
        let designer = Designer::new(DesignSettings::new(kind, MechanismClass::Corrective))
            .map_err(|e| err("designer")(&e))?;
        let star = designer.environment().canceling_phi();
        let c = designer.spsa_settings().c;
        let half: Vec<f64> = star.iter().map(|x| x / 2.0).collect();
        let shifted = |sign: f64| -> Vec<f64> {
            half.iter()
                .enumerate()
                .map(|(i, x)| x + sign * c * if i % 2 == 0 { 1.0 } else { -1.0 })
                .collect()
        };
        let points = [shifted(1.0), shifted(-1.0), half.clone()];
        let mut splits = Vec::new();
        for pass in 0..3u64 {
            let mut objective = GapObjective::new(
                designer.environment(),
                MechanismClass::Corrective,
                K,
                Measurement::Exact,
            );
            let (shared, fresh) = (NoiseSeed::new(2 * pass), NoiseSeed::new(2 * pass + 1));
            let queries = [
                Query {
                    theta: &points[0],
                    noise: shared,
                },
                Query {
                    theta: &points[1],
                    noise: shared,
                },
                Query {
                    theta: &points[2],
                    noise: fresh,
                },
            ];
            let sets = objective
                .observe_batch(&queries)
                .map_err(|e| err("iteration equilibria")(&e))?;
            let start = Instant::now();
            for obs in &sets {
                black_box(BudgetMatrix::joint(&obs.set.normalized()));
            }
            let floor = start.elapsed().as_secs_f64();
            objective
                .gaps(&sets)
                .map_err(|e| err("iteration gaps")(&e))?;
            let work = objective.work();
            splits.push((
                work.equilibrium_time.as_secs_f64(),
                work.lp_time.as_secs_f64(),
                floor,
            ));
        }
        splits.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
        let (eq, lp, floor) = splits[splits.len() / 2];
        let name = crate::figures::env_name(kind);
        rows.push(Row {
            operation: format!("designer iteration, {name}: equilibria"),
            size: format!("K = {K} (3K = {} solves)", 3 * K),
            seconds: eq,
            floor: None,
            note: format!("{:.0}% of the iteration", 100.0 * eq / (eq + lp)),
        });
        rows.push(Row {
            operation: format!("designer iteration, {name}: gap LPs"),
            size: format!("K = {K} (3 LPs)"),
            seconds: lp,
            floor: Some(("3 K x K x N products".into(), floor)),
            note: format!("{:.0}% of the iteration", 100.0 * lp / (eq + lp)),
        });
    }
    Ok(())
}

/// Random mixed strategies of 4 agents x 2 actions (as `benches/robust_gap.rs`).
fn mixed(k: usize, seed: u64) -> Result<ObservationSet, XtaskError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (m, n) = (4, 2);
    let mut probes = Vec::with_capacity(k);
    let mut strategies = Vec::with_capacity(k);
    for _ in 0..k {
        probes.push(
            (0..m * n)
                .map(|_| rng.random_range(0.5..2.0))
                .collect::<Vec<f64>>(),
        );
        let mut row = Vec::with_capacity(m * n);
        for _ in 0..m {
            let w: Vec<f64> = (0..n).map(|_| rng.random_range(0.05..1.0)).collect();
            let active = rng.random_range(0.5..1.0) / w.iter().sum::<f64>();
            row.extend(w.iter().map(|x| x * active));
        }
        strategies.push(row);
    }
    let agents = (0..m).map(|i| Agent::new(format!("a{i}"), n)).collect();
    ObservationSet::new(agents, probes, strategies).map_err(|e| err("robust data")(&e))
}

fn robust(rows: &mut Vec<Row>) -> Result<(), XtaskError> {
    let spec = AmbiguitySpec::confidence(1000, 0.1);
    let options = RobustOptions {
        method: Method::ClosedForm,
        verify: false,
        nominal: false,
        ..RobustOptions::default()
    };
    for k in [50, 100] {
        let obs = mixed(k, k as u64)?;
        let floor = ("K x K x N product".to_string(), product(&obs, 20));
        let mut nominal = None;
        let t_nominal = median_seconds(3, || {
            nominal = additive_gap(&obs, &GapOptions::default()).ok()
        });
        let mut value = None;
        let t_robust = median_seconds(3, || value = robust_gap(&obs, &spec, &options).ok());
        rows.push(Row {
            operation: "nominal additive gap (M = 4)".into(),
            size: format!("K = {k}, N = 8"),
            seconds: t_nominal,
            floor: Some(floor.clone()),
            note: format!(
                "gap {}",
                nominal.map_or("failed".into(), |g| format!("{:.4}", g.value))
            ),
        });
        rows.push(Row {
            operation: "robust gap, closed form (S = 1000, delta = 0.1)".into(),
            size: format!("K = {k}, N = 8"),
            seconds: t_robust,
            floor: Some(floor),
            note: format!(
                "gap {}, {:.1} x nominal",
                value.map_or("failed".into(), |g| format!("{:.4}", g.value)),
                t_robust / t_nominal.max(1e-12)
            ),
        });
    }
    Ok(())
}

/// The table as aligned text.
pub fn format_table(rows: &[Row]) -> String {
    // Sub-10-microsecond floors would print as 0.000 ms.
    let ms = |s: f64| {
        if s * 1e3 >= 0.01 {
            format!("{:.3}", s * 1e3)
        } else {
            format!("{:.2e}", s * 1e3)
        }
    };
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.operation.clone(),
                r.size.clone(),
                ms(r.seconds),
                r.floor
                    .as_ref()
                    .map_or("-".into(), |(n, f)| format!("{} ({n})", ms(*f))),
                r.ratio().map_or("-".into(), |x| format!("{x:.1}")),
                r.note.clone(),
            ]
        })
        .collect();
    let header = [
        "operation",
        "size",
        "median ms",
        "floor ms",
        "ratio",
        "note",
    ]
    .map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in widths.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let line = |c: &[String; 6]| {
        let parts: Vec<String> = c
            .iter()
            .zip(widths)
            .map(|(s, w)| format!("{s}{}", " ".repeat(w - s.chars().count())))
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(&header)];
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.extend(cells.iter().map(line));
    out.join("\n") + "\n"
}

fn to_table(rows: &[Row]) -> Table {
    let mut t = Table::new(&[
        "operation",
        "size",
        "seconds",
        "floor",
        "floor_seconds",
        "ratio",
        "note",
    ]);
    for r in rows {
        t.push(vec![
            r.operation.clone(),
            r.size.clone(),
            num(r.seconds),
            r.floor.as_ref().map_or(String::new(), |f| f.0.clone()),
            r.floor.as_ref().map_or(String::new(), |f| num(f.1)),
            r.ratio().map_or(String::new(), num),
            r.note.clone(),
        ]);
    }
    t
}

/// Runs every group, prints the table, writes the CSV to `csv`.
pub fn run(csv: &Path) -> Result<(), XtaskError> {
    let clock = Instant::now();
    let mut rows = Vec::new();
    type Group = fn(&mut Vec<Row>) -> Result<(), XtaskError>;
    let groups: [(&str, Group); 6] = [
        ("GARP + CCEI", garp_ccei),
        ("gaps", gaps),
        ("finite games", finite_games),
        ("equilibria", equilibria),
        ("designer iteration", design_iteration),
        ("robust gap", robust),
    ];
    for (name, group) in groups {
        eprintln!("bench: {name} ...");
        group(&mut rows)?;
    }
    print!("{}", format_table(&rows));
    println!(
        "({} worker threads; {:.0} s in all; medians of a few runs on a shared machine: indicative)",
        rayon::current_num_threads(),
        clock.elapsed().as_secs_f64()
    );
    if let Some(parent) = csv.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| XtaskError::io("creating", parent, e))?;
    }
    to_table(&rows).write(csv)?;
    eprintln!("table written to {}", csv.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_computes_ratios() {
        let rows = vec![
            Row {
                operation: "op".into(),
                size: "K = 2".into(),
                seconds: 0.004,
                floor: Some(("product".into(), 0.001)),
                note: "n".into(),
            },
            Row {
                operation: "longer op".into(),
                size: "K = 3".into(),
                seconds: 0.5,
                floor: None,
                note: String::new(),
            },
        ];
        // 4 ms over a 1 ms floor: ratio 4.0.
        assert_eq!(rows[0].ratio(), Some(4.0));
        assert_eq!(rows[1].ratio(), None);
        let text = format_table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[2].starts_with("op         K = 2  4.000      1.000 (product)  4.0    n"));
        assert!(lines[3].starts_with("longer op  K = 3  500.000    -"));
        let csv = to_table(&rows).to_csv().expect("csv");
        assert!(csv.contains("op,K = 2,0.004,product,0.001,4,n"));
    }
}
