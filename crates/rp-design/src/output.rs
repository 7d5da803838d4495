//! Writing a design run to a folder: `summary.json`, `trajectory.csv`, `gap.svg` and
//! `welfare.svg`, all or nothing.
//!
//! Atomicity: [`write_run_folder`] writes into a temporary sibling folder and renames it into
//! place at the end, so a crash or an error never leaves a half-written result under the
//! requested name (a previous result of the same name is replaced only once the new one is
//! complete). [`check_writable`] tries the same operations up front, so a caller can refuse an
//! unwritable destination before any work starts.
//!
//! # `summary.json` (schema `rp-design/summary/2`)
//!
//! The serialization of [`Summary`]:
//! - `schema`: `"rp-design/summary/2"`; `verdict`: `"achieved"`, `"not_achieved"` or (robust
//!   measurement only) `"inconclusive"`;
//! - `measurement` (`"exact"`, `"plug_in"`, `"robust"`), `samples` and `delta` (`null` when not
//!   used), `radius` (robust: `[{"games": K, "l1": eps}]` for every `K` the run used; else
//!   empty), `true_gap` (`best.true_gap`: the exact-strategy gap on the final confirming games,
//!   evaluation only);
//! - `environment` (`kind`, `seed`, `agents`, `actions`), `mechanism` (`"corrective"` or
//!   `"prices"`), `seed` (the design seed);
//! - `iterations` run, `stopped_early`, `evaluations` (`gaps`: LPs solved, `equilibria`,
//!   `dropped_games`: sampled games that revealed nothing),
//!   `final_games` (`K` at the end);
//! - `initial` and `best`, each: `phi`, `index` (iterate number), `gap` (mean over the
//!   confirming evaluations at `final_games`, the same games for both), `gaps` (each of them),
//!   `gap_in_run` (the re-evaluated gap the run tracked), `true_gap` and `true_gaps` (the same
//!   games with exact strategies), `truth` (`welfare_ratio`, `null` when
//!   undefined, and `distance`: ground truth, never seen by the designer);
//! - `gap_ratio`: `best.gap / initial.gap` (`null` when `initial.gap` is 0);
//! - `certificate`: the verified Pareto gap of the best mechanism's worst confirming evaluation
//!   (rp-lp's `ParetoGap`: `structure`, `kind`, `value`, `lower_bound`, `certificate` with the
//!   primal Afriat numbers and, for a positive gap, the dual that proves it, and
//!   `verification`, the independent verifier's report; of the empirical strategies for sampled
//!   measurements); `robust_certificate` (robust: rp-robust's `RobustGap` of the same draw with
//!   its verifier's report; else `null`); `lower_bounds` (robust: each confirming draw's certified
//!   lower bound `L_opt`; else empty); `verified`: every verifier's answer (for `achieved`, on
//!   every confirming draw);
//! - `gains`: the SPSA constants in force (`a` calibrated, `c`, `A`, `alpha`, `gamma`, `b`);
//! - `settings`: all [`DesignSettings`];
//! - `wall_time` (`total_seconds`, `equilibrium_seconds`, `lp_seconds`): the only
//!   machine-dependent part; everything else is the same for the same settings whatever the
//!   thread count.
//!
//! # `trajectory.csv`
//!
//! One row per iteration `t`: `t`, `games` (`K`), `loss_plus`, `loss_minus` (the gaps at
//! `phi+-` around `phi_t`), `phi_0 .. phi_{d-1}` (the new iterate `phi_{t+1}`), `gap` (its
//! re-evaluated gap), `best_gap`, `games_next`, `welfare_ratio`, `distance`, `true_gap` (ground
//! truth at `phi_{t+1}`; empty when not assessed or undefined), `a_t`, `c_t`, `b_t`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::prelude::*;
use thiserror::Error;

use crate::report::{DesignReport, IterationRecord, Summary};
use crate::settings::DesignSettings;

/// File name of the summary.
pub const SUMMARY_FILE: &str = "summary.json";
/// File name of the trajectory.
pub const TRAJECTORY_FILE: &str = "trajectory.csv";
/// File name of the gap plot.
pub const GAP_PLOT: &str = "gap.svg";
/// File name of the welfare-ratio plot.
pub const WELFARE_PLOT: &str = "welfare.svg";
/// Every file a run writes: an existing folder is replaced only if it holds nothing else.
pub const RESULT_FILES: [&str; 4] = [SUMMARY_FILE, TRAJECTORY_FILE, GAP_PLOT, WELFARE_PLOT];

/// The embedded font of the plots (DejaVu Sans, Bitstream Vera license:
/// `assets/DejaVuSans-LICENSE.txt`), so rendering needs no system font.
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Why results could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The destination exists and is not a folder.
    #[error("{0} exists and is not a folder")]
    NotAFolder(PathBuf),
    /// The destination is a folder holding files a run does not write: replacing it would
    /// delete them.
    #[error(
        "{path} already exists and holds {found}, which rp design did not write; choose another --out (an existing folder is replaced only if it is empty or holds an earlier result)"
    )]
    NotAResultFolder {
        /// The folder.
        path: PathBuf,
        /// The first foreign entry.
        found: String,
    },
    /// The destination is a symbolic link (dangling or not).
    #[error("{0} is a symbolic link; give the folder itself (a run replaces --out as a whole)")]
    Symlink(PathBuf),
    /// The destination has no file name (e.g. `..` or `/`).
    #[error("{0} does not name a folder")]
    NoName(PathBuf),
    /// Serialization failed.
    #[error("writing {file}: {message}")]
    Format {
        /// Which file.
        file: &'static str,
        /// Why.
        message: String,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + use<> {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        action,
        path,
        source,
    }
}

/// The folder a run writes to when none is given: `rp-out/<env>-<mechanism>-seed<seed>`.
pub fn default_folder(settings: &DesignSettings) -> PathBuf {
    let env = serde_plain(&settings.environment.kind);
    let mechanism = serde_plain(&settings.mechanism);
    PathBuf::from("rp-out").join(format!("{env}-{mechanism}-seed{}", settings.seed))
}

/// The serde name of a unit enum variant (`"spectrum"`, `"corrective"`, ...).
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The temporary sibling of `out` used while writing.
fn sibling(out: &Path, tag: &str) -> Result<PathBuf, OutputError> {
    let name = out
        .file_name()
        .ok_or_else(|| OutputError::NoName(out.to_path_buf()))?;
    let name = format!(".{}.{tag}-{}", name.to_string_lossy(), std::process::id());
    Ok(out.with_file_name(name))
}

/// Checks, before any work, that results could be written to `out`: creates its parent,
/// creates and removes the temporary sibling, and refuses an existing non-folder or a folder
/// holding anything but an earlier result.
pub fn check_writable(out: &Path) -> Result<(), OutputError> {
    // `symlink_metadata`, not `exists`: a dangling link "does not exist" but is in the way,
    // and a link to a folder would itself be replaced by the run's folder.
    if let Ok(meta) = fs::symlink_metadata(out) {
        if meta.file_type().is_symlink() {
            return Err(OutputError::Symlink(out.to_path_buf()));
        }
        if !meta.is_dir() {
            return Err(OutputError::NotAFolder(out.to_path_buf()));
        }
    }
    if out.is_dir() {
        check_replaceable(out)?;
    }
    let tmp = sibling(out, "check")?;
    if let Some(parent) = tmp.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io("creating", parent))?;
    }
    // Errors name `out`, not the hidden temporary folder the user never asked for.
    fs::create_dir(&tmp).map_err(io("cannot create a folder beside", out))?;
    fs::remove_dir(&tmp).map_err(io("cannot remove a folder beside", out))
}

/// An existing `out` is replaced only if it holds nothing but files a run writes (an earlier
/// result, or nothing): the replacement deletes the old folder, and a user's `--out ~/notes`
/// must not cost them their notes.
fn check_replaceable(out: &Path) -> Result<(), OutputError> {
    for entry in fs::read_dir(out).map_err(io("reading", out))? {
        let entry = entry.map_err(io("reading", out))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if !(is_file && RESULT_FILES.contains(&name.as_str())) {
            return Err(OutputError::NotAResultFolder {
                path: out.to_path_buf(),
                found: name,
            });
        }
    }
    Ok(())
}

/// Writes the run into the folder `out`, atomically (module doc).
pub fn write_run_folder(out: &Path, report: &DesignReport) -> Result<(), OutputError> {
    check_writable(out)?;
    let tmp = sibling(out, "tmp")?;
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io("removing", &tmp))?;
    }
    fs::create_dir(&tmp).map_err(io("creating", &tmp))?;
    if let Err(err) = write_report(&tmp, report) {
        // Best effort: the error that matters is the one being returned.
        let _ = fs::remove_dir_all(&tmp);
        return Err(err);
    }
    let old = sibling(out, "old")?;
    let replaced = out.exists();
    if replaced {
        fs::rename(out, &old).map_err(io("moving aside", out))?;
    }
    fs::rename(&tmp, out).map_err(io("renaming into place", out))?;
    // The new result is complete and in place: failing to delete the old one is worth a
    // warning, not an error that would make a finished run look failed.
    if replaced && let Err(err) = fs::remove_dir_all(&old) {
        tracing::warn!(
            old = %old.display(),
            %err,
            "the previous result was moved aside but could not be removed; delete it by hand"
        );
    }
    Ok(())
}

/// Writes the four files into the existing folder `dir` (not atomic: see
/// [`write_run_folder`]).
pub fn write_report(dir: &Path, report: &DesignReport) -> Result<(), OutputError> {
    let summary = summary_json(&report.summary)?;
    let path = dir.join(SUMMARY_FILE);
    fs::write(&path, summary + "\n").map_err(io("writing", &path))?;
    let path = dir.join(TRAJECTORY_FILE);
    fs::write(&path, trajectory_csv(&report.trajectory)?).map_err(io("writing", &path))?;
    let tolerance = report.summary.settings.verdict.tolerance;
    plot_gap(&dir.join(GAP_PLOT), &report.trajectory, tolerance)?;
    plot_welfare(&dir.join(WELFARE_PLOT), &report.trajectory)
}

/// `summary.json` as pretty JSON.
pub fn summary_json(summary: &Summary) -> Result<String, OutputError> {
    serde_json::to_string_pretty(summary).map_err(|e| OutputError::Format {
        file: SUMMARY_FILE,
        message: e.to_string(),
    })
}

/// `trajectory.csv` as text (columns in the module doc).
pub fn trajectory_csv(trajectory: &[IterationRecord]) -> Result<String, OutputError> {
    let format = |e: &dyn std::fmt::Display| OutputError::Format {
        file: TRAJECTORY_FILE,
        message: e.to_string(),
    };
    let d = trajectory.first().map_or(0, |r| r.phi.len());
    let mut header: Vec<String> = ["t", "games", "loss_plus", "loss_minus"]
        .map(String::from)
        .to_vec();
    header.extend((0..d).map(|i| format!("phi_{i}")));
    header.extend(
        [
            "gap",
            "best_gap",
            "games_next",
            "welfare_ratio",
            "distance",
            "true_gap",
            "a_t",
            "c_t",
            "b_t",
        ]
        .map(String::from),
    );
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).map_err(|e| format(&e))?;
    for r in trajectory {
        writer.write_record(row(r)).map_err(|e| format(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| format(&e))?;
    String::from_utf8(bytes).map_err(|e| format(&e))
}

fn row(r: &IterationRecord) -> Vec<String> {
    let num = |x: f64| {
        if x.is_finite() {
            x.to_string()
        } else {
            String::new()
        }
    };
    let opt = |x: Option<f64>| x.map_or_else(String::new, num);
    let mut cells = vec![
        r.t.to_string(),
        r.games.to_string(),
        num(r.loss_plus),
        num(r.loss_minus),
    ];
    cells.extend(r.phi.iter().map(|x| num(*x)));
    cells.extend([
        num(r.gap),
        num(r.best_gap),
        r.games_next.to_string(),
        opt(r.truth.and_then(|t| t.welfare_ratio)),
        opt(r.truth.map(|t| t.distance)),
        opt(r.truth.and_then(|t| t.true_gap)),
        num(r.gains.a_t),
        num(r.gains.c_t),
        num(r.gains.b_t),
    ]);
    cells
}

/// Registers the embedded font once as plotters' `"sans-serif"`; plotters' ab_glyph text needs
/// it. Public so that the project's other plots (xtask's figures) draw with the same font
/// without embedding a second copy.
pub fn ensure_font() -> Result<(), OutputError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(OutputError::Format {
            file: GAP_PLOT,
            message: "the embedded font could not be loaded".into(),
        })
    }
}

fn plot_error(file: &'static str) -> impl Fn(&dyn std::fmt::Display) -> OutputError {
    move |e| OutputError::Format {
        file,
        message: e.to_string(),
    }
}

type Canvas<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// An 800 x 480 SVG with a white background.
fn canvas(path: &Path) -> Result<Canvas<'_>, DrawingAreaErrorKind<std::io::Error>> {
    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    Ok(root)
}

/// The common frame of both plots: caption, margin and label areas.
fn frame<'a, 'b>(root: &'a Canvas<'b>, caption: &str) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80);
    builder
}

/// The gap plot: re-evaluated gap and best gap against the iteration, on a log scale; zero
/// gaps (which a log scale cannot show) are drawn on the bottom edge, a decade below the
/// smallest positive value and the tolerance; the tolerance is a dashed line, and grey dashed
/// lines mark where `K` grew.
fn plot_gap(
    path: &Path,
    trajectory: &[IterationRecord],
    tolerance: f64,
) -> Result<(), OutputError> {
    ensure_font()?;
    let err = plot_error(GAP_PLOT);
    let positive = trajectory
        .iter()
        .flat_map(|r| [r.gap, r.best_gap])
        .filter(|g| g.is_finite() && *g > 0.0);
    let low = positive.clone().fold(tolerance, f64::min);
    let high = positive.fold(tolerance, f64::max);
    let floor = low / 10.0;
    let top = high * 2.0;
    let lift = |g: f64| if g > floor { g } else { floor };
    let t_max = trajectory.last().map_or(1, |r| r.t + 1);
    let root = canvas(path).map_err(|e| err(&e))?;
    let mut chart = frame(&root, "Pareto gap (log scale; 0 drawn at the bottom)")
        .build_cartesian_2d(0..t_max, (floor..top).log_scale())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("iteration t")
        .y_desc("gap")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(|e| err(&e))?;
    let series = |f: fn(&IterationRecord) -> f64| {
        trajectory
            .iter()
            .map(move |r| (r.t, lift(f(r))))
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(LineSeries::new(series(|r| r.gap), &BLUE))
        .map_err(|e| err(&e))?
        .label("re-evaluated gap of phi_t+1")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    chart
        .draw_series(LineSeries::new(series(|r| r.best_gap), RED.stroke_width(2)))
        .map_err(|e| err(&e))?
        .label("best gap")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .draw_series(DashedLineSeries::new(
            [(0, tolerance), (t_max, tolerance)],
            6,
            4,
            BLACK.into(),
        ))
        .map_err(|e| err(&e))?
        .label("tolerance")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    // Where K grew: the gaps after a marker are measured on more games.
    let grey = RGBColor(120, 120, 120);
    for r in trajectory.iter().filter(|r| r.games_next > r.games) {
        let t = r.t + 1;
        chart
            .draw_series(DashedLineSeries::new(
                [(t, floor), (t, top)],
                3,
                3,
                grey.into(),
            ))
            .map_err(|e| err(&e))?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("K = {}", r.games_next),
                (t, top),
                ("sans-serif", 12).into_font().color(&grey),
            )))
            .map_err(|e| err(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}

/// The welfare-ratio plot (ground truth): `W(equilibrium) / W(optimum)` of each assessed
/// iterate against the iteration; iterations without a defined ratio are left out.
fn plot_welfare(path: &Path, trajectory: &[IterationRecord]) -> Result<(), OutputError> {
    ensure_font()?;
    let err = plot_error(WELFARE_PLOT);
    let points: Vec<(u64, f64)> = trajectory
        .iter()
        .filter_map(|r| r.truth.and_then(|t| t.welfare_ratio).map(|w| (r.t, w)))
        .filter(|(_, w)| w.is_finite())
        .collect();
    let low = points.iter().map(|p| p.1).fold(1.0, f64::min);
    let high = points.iter().map(|p| p.1).fold(1.0, f64::max);
    let pad = ((high - low) * 0.05).max(1e-4);
    let t_max = trajectory.last().map_or(1, |r| r.t + 1);
    let root = canvas(path).map_err(|e| err(&e))?;
    let mut chart = frame(
        &root,
        "Welfare ratio W(equilibrium) / W(optimum) (ground truth)",
    )
    .build_cartesian_2d(0..t_max, (low - pad)..(high + pad))
    .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("iteration t")
        .y_desc("welfare ratio")
        .y_label_formatter(&|v| format!("{v:.4}"))
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new(points, RGBColor(0, 128, 0).stroke_width(2)))
        .map_err(|e| err(&e))?;
    chart
        .draw_series(DashedLineSeries::new(
            [(0, 1.0), (t_max, 1.0)],
            6,
            4,
            BLACK.into(),
        ))
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rp-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir is writable");
        dir
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_kept() {
        let dir = scratch("foreign");
        fs::write(dir.join("thesis.txt"), "x").unwrap();
        fs::write(dir.join(SUMMARY_FILE), "{}").unwrap();
        let err = check_writable(&dir).unwrap_err();
        assert!(
            matches!(&err, OutputError::NotAResultFolder { found, .. } if found == "thesis.txt"),
            "{err}"
        );
        assert!(dir.join("thesis.txt").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_folder_or_an_earlier_result_may_be_replaced() {
        let dir = scratch("result");
        check_writable(&dir).expect("an empty folder is fine");
        for file in RESULT_FILES {
            fs::write(dir.join(file), "x").unwrap();
        }
        check_writable(&dir).expect("an earlier result is fine");
        fs::create_dir(dir.join(SUMMARY_FILE.replace(".json", ""))).unwrap();
        assert!(check_writable(&dir).is_err(), "a sub-folder is foreign");
        let _ = fs::remove_dir_all(&dir);
    }
}
