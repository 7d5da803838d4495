//! The finite-sample study of issue 5: how well the plug-in and the distributionally robust
//! designers (THEORY §8) do with `S` sampled actions per agent and game, against the designer
//! that sees the exact equilibrium strategies.
//!
//! [`finite_samples`] runs [`Designer`] once per (measurement, design seed) of a
//! [`FiniteSampleStudy`] and scores every run's best mechanism by its *true gap on common
//! games*: the exact-strategy `Separable` additive gap on `evaluation_draws` fixed draws of
//! `evaluation_games` games, drawn from the environment's seed (stream [`STUDY_STREAM`]), the
//! same for every run. (The summary's own `true_gap` is measured on each run's final confirming
//! games, whose number `K` differs between runs; the gap grows with `K`, so it does not compare
//! runs.) [`aggregate`] reduces the rows to mean and spread per (method, S), and
//! [`markdown_table`] prints them.
//!
//! What it is not: a figure (the xtask draws figure 6 from these rows) or a tuning loop: the
//! designers run with their defaults, only `T` is set by the study.
//!
//! # Results (river, corrective, env seed 0, delta = 0.05, T = 300, design seeds 0-3)
//!
//! See ARCHITECTURE.md (rp-design, "The finite-sample study") for the table and its reading.

use rp_game::environment::EnvironmentKind;
use rp_game::mechanism::MechanismClass;
use rp_policy::{NoiseSeed, NoisyObjective, Query};
use serde::{Deserialize, Serialize};

use crate::designer::Designer;
use crate::error::DesignError;
use crate::measurement::Measurement;
use crate::objective::GapObjective;
use crate::report::Verdict;
use crate::settings::{DesignSettings, EnvironmentSettings};

/// Child stream of the environment seed that draws the study's common evaluation games.
pub const STUDY_STREAM: u64 = 0x7374_7564; // "stud"

/// What the study runs (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiniteSampleStudy {
    /// The environment.
    pub environment: EnvironmentSettings,
    /// The mechanism class.
    pub mechanism: MechanismClass,
    /// Sample sizes `S`; each runs the plug-in and the robust designer.
    pub samples: Vec<usize>,
    /// `delta` of the robust designer.
    pub delta: f64,
    /// Design seeds; every measurement runs with each.
    pub seeds: Vec<u64>,
    /// Iterations `T` of every run.
    pub iterations: u64,
    /// Games per draw of the common true-gap evaluation (default 120, the designer's cap).
    pub evaluation_games: usize,
    /// Draws of the common true-gap evaluation (default 3).
    pub evaluation_draws: u64,
}

impl FiniteSampleStudy {
    /// Issue 5's study: river (env seed 0), corrective, `S = 200, 1000, 5000`, `delta = 0.05`.
    pub fn river(seeds: Vec<u64>, iterations: u64) -> Self {
        Self {
            environment: EnvironmentSettings::new(EnvironmentKind::River, 0),
            mechanism: MechanismClass::Corrective,
            samples: vec![200, 1000, 5000],
            delta: 0.05,
            seeds,
            iterations,
            evaluation_games: 120,
            evaluation_draws: 3,
        }
    }

    /// The measurements of the study: exact first, then plug-in and robust for each `S`.
    pub fn measurements(&self) -> Vec<Measurement> {
        let sampled = self.samples.iter().flat_map(|&samples| {
            [
                Measurement::Sampled { samples },
                Measurement::Robust {
                    samples,
                    delta: self.delta,
                },
            ]
        });
        std::iter::once(Measurement::Exact).chain(sampled).collect()
    }

    /// The settings of one run: designer defaults, the study's environment, `T` and seed.
    pub fn settings(&self, measurement: Measurement, seed: u64) -> DesignSettings {
        let mut settings = DesignSettings::new(self.environment.kind, self.mechanism);
        settings.environment = self.environment.clone();
        settings.iterations = self.iterations;
        settings.measurement = measurement;
        settings.seed = seed;
        settings
    }
}

/// One run of the study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyRow {
    /// `"exact"`, `"plug_in"` or `"robust"`.
    pub method: String,
    /// `S` (`None` for exact).
    pub samples: Option<usize>,
    /// The design seed.
    pub seed: u64,
    /// The run's verdict.
    pub verdict: Verdict,
    /// The best mechanism's exact gap on the common games (module doc; the study's score).
    pub true_gap: f64,
    /// The start `phi_0`'s exact gap on the same games.
    pub initial_true_gap: f64,
    /// The designer's own loss at its best mechanism (mean over its confirming draws).
    pub best_gap: f64,
    /// The robust L1 radius at the final `K` (robust only).
    pub radius: Option<f64>,
    /// Ground truth at the best mechanism: mean welfare ratio equilibrium / optimum.
    pub welfare_ratio: Option<f64>,
    /// Iterations run.
    pub iterations: u64,
    /// Wall time of the run (machine dependent).
    pub seconds: f64,
}

/// Runs every (measurement, seed) of `study` in order (each run parallel inside, in the current
/// rayon pool), calling `progress` after each row.
pub fn finite_samples_with(
    study: &FiniteSampleStudy,
    progress: &mut dyn FnMut(&StudyRow),
) -> Result<Vec<StudyRow>, DesignError> {
    let mut rows = Vec::new();
    for measurement in study.measurements() {
        for &seed in &study.seeds {
            let row = run_one(study, measurement, seed)?;
            progress(&row);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// [`finite_samples_with`] without progress reports.
pub fn finite_samples(study: &FiniteSampleStudy) -> Result<Vec<StudyRow>, DesignError> {
    finite_samples_with(study, &mut |_| {})
}

fn run_one(
    study: &FiniteSampleStudy,
    measurement: Measurement,
    seed: u64,
) -> Result<StudyRow, DesignError> {
    let designer = Designer::new(study.settings(measurement, seed))?;
    let s = designer.run(&mut ())?.summary;
    let true_gap = |phi: &[f64]| common_true_gap(study, &designer, phi);
    Ok(StudyRow {
        method: s.measurement.clone(),
        samples: s.samples,
        seed,
        verdict: s.verdict,
        true_gap: true_gap(&s.best.phi)?,
        initial_true_gap: true_gap(&s.initial.phi)?,
        best_gap: s.best.gap,
        radius: s.radius.last().map(|r| r.l1),
        welfare_ratio: s.best.truth.welfare_ratio,
        iterations: s.iterations,
        seconds: s.wall_time.total_seconds,
    })
}

/// The mean exact gap of `phi` over the study's common draws (module doc).
fn common_true_gap(
    study: &FiniteSampleStudy,
    designer: &Designer,
    phi: &[f64],
) -> Result<f64, DesignError> {
    let mut exact = GapObjective::new(
        designer.environment(),
        study.mechanism,
        study.evaluation_games,
        Measurement::Exact,
    );
    let queries: Vec<Query<'_>> = (0..study.evaluation_draws)
        .map(|d| Query {
            theta: phi,
            noise: NoiseSeed::new(study.environment.seed)
                .child(STUDY_STREAM)
                .child(d),
        })
        .collect();
    let gaps = exact.evaluate_batch(&queries)?;
    Ok(gaps.iter().sum::<f64>() / gaps.len().max(1) as f64)
}

/// Mean and spread of the score over the seeds of one (method, S).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyCell {
    /// `"exact"`, `"plug_in"` or `"robust"`.
    pub method: String,
    /// `S` (`None` for exact).
    pub samples: Option<usize>,
    /// Runs (seeds).
    pub runs: usize,
    /// Mean final true gap.
    pub mean: f64,
    /// Smallest final true gap.
    pub min: f64,
    /// Largest final true gap.
    pub max: f64,
    /// Mean true gap of the start `phi_0` (the same for every run with common games).
    pub initial: f64,
    /// Mean welfare ratio at the best mechanisms (runs where it is defined).
    pub welfare_ratio: Option<f64>,
}

/// Groups `rows` by (method, S) in their order of first appearance.
pub fn aggregate(rows: &[StudyRow]) -> Vec<StudyCell> {
    let mut keys: Vec<(String, Option<usize>)> = Vec::new();
    for r in rows {
        let key = (r.method.clone(), r.samples);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(method, samples)| {
            let group: Vec<&StudyRow> = rows
                .iter()
                .filter(|r| r.method == method && r.samples == samples)
                .collect();
            let gaps: Vec<f64> = group.iter().map(|r| r.true_gap).collect();
            let ratios: Vec<f64> = group.iter().filter_map(|r| r.welfare_ratio).collect();
            let initial: Vec<f64> = group.iter().map(|r| r.initial_true_gap).collect();
            StudyCell {
                method,
                samples,
                runs: group.len(),
                mean: mean(&gaps),
                min: gaps.iter().copied().fold(f64::INFINITY, f64::min),
                max: gaps.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                initial: mean(&initial),
                welfare_ratio: (!ratios.is_empty()).then(|| mean(&ratios)),
            }
        })
        .collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// The cells as a Markdown table.
pub fn markdown_table(cells: &[StudyCell]) -> String {
    let mut out = String::from(
        "| method | S | runs | true gap mean | min | max | welfare ratio |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for c in cells {
        let samples = c.samples.map_or_else(|| "-".to_string(), |s| s.to_string());
        let ratio = c
            .welfare_ratio
            .map_or_else(|| "-".to_string(), |w| format!("{w:.4}"));
        out.push_str(&format!(
            "| {} | {} | {} | {:.3e} | {:.3e} | {:.3e} | {} |\n",
            c.method, samples, c.runs, c.mean, c.min, c.max, ratio
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(method: &str, samples: Option<usize>, true_gap: f64, w: Option<f64>) -> StudyRow {
        StudyRow {
            method: method.to_string(),
            samples,
            seed: 0,
            verdict: Verdict::NotAchieved,
            true_gap,
            initial_true_gap: 4.0,
            best_gap: 0.0,
            radius: None,
            welfare_ratio: w,
            iterations: 1,
            seconds: 0.0,
        }
    }

    #[test]
    fn aggregate_groups_by_method_and_samples_in_order() {
        let rows = [
            row("exact", None, 1.0, Some(0.9)),
            row("plug_in", Some(10), 2.0, None),
            row("exact", None, 3.0, Some(0.7)),
            row("plug_in", Some(20), 5.0, Some(1.0)),
        ];
        let cells = aggregate(&rows);
        assert_eq!(cells.len(), 3);
        // exact: gaps 1 and 3 -> mean 2, min 1, max 3; ratios 0.9, 0.7 -> 0.8.
        assert_eq!((cells[0].runs, cells[0].mean), (2, 2.0));
        assert_eq!((cells[0].min, cells[0].max), (1.0, 3.0));
        assert!((cells[0].welfare_ratio.unwrap() - 0.8).abs() < 1e-15);
        assert_eq!(cells[1].samples, Some(10));
        assert_eq!(cells[1].welfare_ratio, None);
        assert_eq!((cells[2].mean, cells[2].initial), (5.0, 4.0));
        let table = markdown_table(&cells);
        assert_eq!(table.lines().count(), 2 + 3);
        assert!(table.contains("| plug_in | 20 | 1 | 5.000e0 |"), "{table}");
    }

    #[test]
    fn the_river_study_runs_exact_then_both_designers_per_sample_size() {
        let study = FiniteSampleStudy::river(vec![0, 1], 50);
        let m = study.measurements();
        assert_eq!(m.len(), 7);
        assert_eq!(m[0], Measurement::Exact);
        assert_eq!(m[1], Measurement::Sampled { samples: 200 });
        assert_eq!(
            m[6],
            Measurement::Robust {
                samples: 5000,
                delta: 0.05
            }
        );
        let s = study.settings(m[2], 1);
        assert_eq!((s.seed, s.iterations, s.measurement), (1, 50, m[2]));
        assert_eq!(s.validate(), Ok(()));
    }
}
