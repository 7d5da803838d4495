//! `cargo xtask reproduce-figures`: the seven figures of issue 6, each an SVG with the CSV
//! behind it, and `README.md` indexing them.
//!
//! Output is atomic: everything is written into a temporary sibling of the output folder, which
//! replaces the folder only when every figure is done (the approach of rp-design's `output`).
//! Every random draw comes from a fixed seed listed in the [`Plan`] and written into the index;
//! all parallel work is collected in input order, so the CSVs are the same for any number of
//! threads (except figure 7's, which are timings).

pub mod cost;
pub mod design;
pub mod index;
pub mod metrics;
pub mod power;
pub mod samples;

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rp_design::game::environment::EnvironmentKind;
use rp_design::game::mechanism::MechanismClass;

use crate::error::XtaskError;

/// Sizes of every experiment; [`Plan::quick`] and [`Plan::full`] differ only in sizes, never
/// in code path.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// `--quick`.
    pub quick: bool,
    /// Design seeds of figures 1–3 (environment seed 0 throughout).
    pub design_seeds: Vec<u64>,
    /// Iteration cap `T` of the corrective runs (they stop once `achieved` is confirmed).
    pub corrective_iterations: u64,
    /// Iterations of the prices runs (they never stop early).
    pub prices_iterations: u64,
    /// Adaptive probing cap on `K`.
    pub max_games: usize,
    /// Ground truth every this many iterations.
    pub assess_every: u64,
    /// Figure 4: random mechanisms per (environment, class).
    pub metric_mechanisms: usize,
    /// Games per data set (figures 4 and 5).
    pub games: usize,
    /// Figure 5: interaction strengths sigma.
    pub strengths: Vec<f64>,
    /// Figure 5: data sets per (environment, strength).
    pub power_replicates: usize,
    /// Figure 6: samples per agent and game.
    pub sample_sizes: Vec<usize>,
    /// Figure 6: sampling replicates per S.
    pub sample_replicates: usize,
    /// Figure 6 (right): design seeds of rp-design's finite-sample study.
    pub study_seeds: Vec<u64>,
    /// Figure 6 (right): iterations `T` of every study run.
    pub study_iterations: u64,
    /// Figure 7: K of the Separable gap (M = 4, N = 12).
    pub lp_sizes: Vec<usize>,
    /// Figure 7: K of GARP (one agent, N = 20).
    pub garp_sizes: Vec<usize>,
    /// Figure 7: timing repetitions (median reported).
    pub repetitions: usize,
}

impl Plan {
    /// `--quick`: under 5 minutes on 2 cores.
    pub fn quick() -> Self {
        Self {
            quick: true,
            design_seeds: vec![0, 1],
            corrective_iterations: 300,
            prices_iterations: 60,
            max_games: 60,
            assess_every: 5,
            metric_mechanisms: 24,
            games: 30,
            strengths: vec![0.0, 0.1, 0.25, 0.5, 1.0, 1.5],
            power_replicates: 6,
            sample_sizes: vec![100, 1000, 10_000],
            sample_replicates: 4,
            study_seeds: vec![0],
            study_iterations: 40,
            lp_sizes: vec![25, 50, 100, 200],
            garp_sizes: vec![100, 250, 500, 1000],
            repetitions: 3,
        }
    }

    /// The full run (documented defaults of rp-design; a few tens of minutes on 2 cores).
    pub fn full() -> Self {
        Self {
            quick: false,
            design_seeds: vec![0, 1, 2, 3, 4],
            corrective_iterations: 300,
            prices_iterations: 150,
            max_games: 120,
            assess_every: 1,
            metric_mechanisms: 100,
            games: 30,
            strengths: vec![0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.25, 1.5],
            power_replicates: 20,
            sample_sizes: vec![50, 200, 1000, 5000, 20_000, 100_000],
            sample_replicates: 10,
            study_seeds: vec![0, 1, 2],
            study_iterations: 300,
            lp_sizes: vec![25, 50, 100, 200, 400],
            garp_sizes: vec![100, 250, 500, 1000, 2000, 4000],
            repetitions: 5,
        }
    }

    /// The command that reproduces this plan's figures.
    pub fn command(&self) -> &'static str {
        if self.quick {
            "cargo xtask reproduce-figures --quick"
        } else {
            "cargo xtask reproduce-figures"
        }
    }
}

/// One figure as the index describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// File stem (`<name>.svg`, `<name>.csv`).
    pub name: &'static str,
    /// Title.
    pub title: String,
    /// What the figure shows (axes, aggregation, data).
    pub shows: String,
    /// The caption's claim.
    pub claim: String,
    /// Whether the measured numbers bear the claim out (checked by code, not by eye).
    pub holds: bool,
    /// Measured headline numbers, one line each.
    pub headline: Vec<String>,
    /// Parts of the figure that could not be made, each with the reason (never faked).
    pub missing: Vec<String>,
}

/// What every experiment needs: the plan, the (temporary) output folder and progress bars.
pub struct Context {
    /// The sizes.
    pub plan: Plan,
    /// Where files are written (the temporary sibling until the end).
    pub dir: PathBuf,
    /// Progress bars on stderr (hidden when stderr is not a terminal).
    pub progress: MultiProgress,
    /// Also write PNG previews of the SVGs.
    pub png: bool,
}

impl Context {
    /// Draws figure `name` (`name.svg`, and `name.png` with `--png`) in the output folder.
    pub fn render(
        &self,
        name: &str,
        caption: &str,
        panels: &[crate::plot::Panel],
    ) -> Result<(), XtaskError> {
        crate::plot::render(
            &self.dir.join(format!("{name}.svg")),
            caption,
            panels,
            self.png,
        )
    }

    /// A new spinner-style bar with `label`.
    pub fn bar(&self, label: &str) -> ProgressBar {
        let bar = self.progress.add(ProgressBar::new(0));
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} {prefix:28} [{bar:30}] {pos}/{len} {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label.to_string());
        bar
    }

    /// A log line on stderr that does not tear the bars.
    pub fn log(&self, line: &str) {
        if self.progress.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.progress.println(line);
        }
    }
}

/// `spectrum` / `river`.
pub fn env_name(kind: EnvironmentKind) -> &'static str {
    match kind {
        EnvironmentKind::Spectrum => "spectrum",
        EnvironmentKind::River => "river",
    }
}

/// `corrective` / `prices`.
pub fn mechanism_name(class: MechanismClass) -> &'static str {
    match class {
        MechanismClass::Corrective => "corrective",
        MechanismClass::Prices => "prices",
    }
}

/// Both environments, in figure order.
pub const ENVIRONMENTS: [EnvironmentKind; 2] = [EnvironmentKind::Spectrum, EnvironmentKind::River];

/// The temporary sibling of `out` used while writing.
fn sibling(out: &Path, tag: &str) -> Result<PathBuf, XtaskError> {
    let name = out
        .file_name()
        .ok_or_else(|| XtaskError::Input(format!("{} does not name a folder", out.display())))?;
    Ok(out.with_file_name(format!(
        ".{}.{tag}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Creates the temporary folder next to `out` (after checking `out` is not a file).
fn begin(out: &Path) -> Result<PathBuf, XtaskError> {
    if out.exists() && !out.is_dir() {
        return Err(XtaskError::Input(format!(
            "{} exists and is not a folder",
            out.display()
        )));
    }
    let tmp = sibling(out, "tmp")?;
    if let Some(parent) = tmp.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| XtaskError::io("creating", parent, e))?;
    }
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| XtaskError::io("removing", &tmp, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| XtaskError::io("creating", &tmp, e))?;
    Ok(tmp)
}

/// Moves the finished temporary folder into place, replacing a previous `out`.
fn commit(tmp: &Path, out: &Path) -> Result<(), XtaskError> {
    let old = sibling(out, "old")?;
    let replaced = out.exists();
    if replaced {
        std::fs::rename(out, &old).map_err(|e| XtaskError::io("moving aside", out, e))?;
    }
    std::fs::rename(tmp, out).map_err(|e| XtaskError::io("renaming into place", out, e))?;
    if replaced {
        std::fs::remove_dir_all(&old).map_err(|e| XtaskError::io("removing", &old, e))?;
    }
    Ok(())
}

/// Runs every experiment and writes the figures and the index into `out`, atomically.
pub fn reproduce(plan: Plan, out: &Path, png: bool) -> Result<(), XtaskError> {
    let clock = Instant::now();
    let tmp = begin(out)?;
    let ctx = Context {
        plan,
        dir: tmp.clone(),
        progress: MultiProgress::new(),
        png,
    };
    let result = run_experiments(&ctx).and_then(|figures| {
        let seconds = clock.elapsed().as_secs_f64();
        let text = index::render(&ctx.plan, &figures, seconds, rayon::current_num_threads());
        let path = tmp.join("README.md");
        std::fs::write(&path, text).map_err(|e| XtaskError::io("writing", &path, e))?;
        Ok(figures)
    });
    match result {
        Ok(figures) => {
            commit(&tmp, out)?;
            for f in &figures {
                let mark = if f.holds { "holds" } else { "DOES NOT HOLD" };
                let missing = if f.missing.is_empty() {
                    ""
                } else {
                    " (a part is missing: see the index)"
                };
                eprintln!("{}: claim {mark}{missing}", f.name);
            }
            eprintln!(
                "{} figures in {} ({:.0} s); index: {}",
                figures.len(),
                out.display(),
                clock.elapsed().as_secs_f64(),
                out.join("README.md").display()
            );
            Ok(())
        }
        Err(e) => {
            // Best effort: the error that matters is the one being returned.
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// The seven figures in order.
fn run_experiments(ctx: &Context) -> Result<Vec<Figure>, XtaskError> {
    let mut figures = Vec::new();
    let corrective = ENVIRONMENTS
        .iter()
        .map(|&k| design::run_all(ctx, k, MechanismClass::Corrective))
        .collect::<Result<Vec<_>, _>>()?;
    figures.push(design::figure_gap(ctx, &corrective)?);
    figures.push(design::figure_welfare(ctx, &corrective)?);
    let prices = ENVIRONMENTS
        .iter()
        .map(|&k| design::run_all(ctx, k, MechanismClass::Prices))
        .collect::<Result<Vec<_>, _>>()?;
    figures.push(design::figure_achievability(ctx, &corrective, &prices)?);
    figures.push(metrics::figure(ctx)?);
    figures.push(power::figure(ctx)?);
    figures.push(samples::figure(ctx)?);
    figures.push(cost::figure(ctx)?);
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_output_replaces_only_when_done() {
        let base = std::env::temp_dir().join(format!("xtask-atomic-{}", std::process::id()));
        let out = base.join("figs");
        std::fs::create_dir_all(&out).expect("base");
        std::fs::write(out.join("old.txt"), "old").expect("old file");
        let tmp = begin(&out).expect("temporary sibling");
        assert_ne!(tmp, out);
        assert!(
            out.join("old.txt").exists(),
            "the old result stays until commit"
        );
        std::fs::write(tmp.join("new.txt"), "new").expect("new file");
        commit(&tmp, &out).expect("commit");
        assert!(out.join("new.txt").exists() && !out.join("old.txt").exists());
        assert!(!tmp.exists());
        let file = base.join("a-file");
        std::fs::write(&file, "x").expect("file");
        assert!(matches!(begin(&file), Err(XtaskError::Input(_))));
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn quick_plan_is_a_smaller_full_plan() {
        let (q, f) = (Plan::quick(), Plan::full());
        assert!(q.quick && !f.quick);
        assert!(q.design_seeds.len() < f.design_seeds.len());
        assert!(q.corrective_iterations <= f.corrective_iterations);
        assert!(
            q.strengths.contains(&0.0) && f.strengths.contains(&0.0),
            "sigma = 0 is the canceled game"
        );
        assert_eq!(q.command(), "cargo xtask reproduce-figures --quick");
    }
}

/// Root seeds of the experiments of figures 4–6 (each experiment derives per-(case, replicate)
/// streams from its root with `NoiseSeed::child`, so adding a case never changes another's).
pub mod seeds {
    /// Figure 4: mechanisms and their games.
    pub const METRICS: u64 = 0x4d45_5452; // "METR"
    /// Figure 5: data sets of the power study.
    pub const POWER: u64 = 0x504f_5745; // "POWE"
    /// Figure 6: games and sampled actions.
    pub const SAMPLES: u64 = 0x5341_4d50; // "SAMP"
    /// Figure 7 and the bench: generated data.
    pub const COST: u64 = 0x434f_5354; // "COST"
}

/// Equilibrium observation sets under `class` at each `phi` of `points`, `games` games drawn
/// from the paired noise seed (rp-design's `GapObjective`: all equilibria solved in one
/// parallel batch, returned in order).
pub fn equilibrium_sets(
    env: &rp_design::game::environment::Environment,
    class: MechanismClass,
    games: usize,
    points: &[(Vec<f64>, rp_design::policy::NoiseSeed)],
) -> Result<Vec<rp_design::lp::ObservationSet>, XtaskError> {
    let mut objective =
        rp_design::GapObjective::new(env, class, games, rp_design::Measurement::Exact);
    let queries: Vec<rp_design::policy::Query<'_>> = points
        .iter()
        .map(|(phi, noise)| rp_design::policy::Query {
            theta: phi,
            noise: *noise,
        })
        .collect();
    let observed = objective
        .observe_batch(&queries)
        .map_err(|e| XtaskError::experiment("equilibria", e))?;
    Ok(observed.into_iter().map(|o| o.set).collect())
}
