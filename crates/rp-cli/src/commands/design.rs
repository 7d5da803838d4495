//! `rp design`: the adaptive mechanism designer (Algorithm 1, THEORY §7) on a reference
//! environment, with a progress bar, a short summary and the results folder.
//!
//! Everything that can be checked before the run is checked first (exit code 2, nothing
//! computed or written): the arguments, the settings, the environment and a trial write of the
//! output folder. Results are written all at once at the end (rp_design::output).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rp_design::game::environment::EnvironmentKind;
use rp_design::game::mechanism::MechanismClass;
use rp_design::output::{check_writable, default_folder, summary_json, write_run_folder};
use rp_design::{
    DesignError, DesignObserver, DesignSettings, Designer, EnvironmentSettings, IterationRecord,
    Measurement, MeasurementError, Phase, Summary, Verdict,
};

use crate::CliResult;
use crate::error::CliError;
use crate::output::{print_text, sci};

/// The environments `rp design` knows.
#[derive(Clone, Copy, ValueEnum)]
enum Env {
    /// Users sharing radio channels.
    Spectrum,
    /// Firms along a river under an emission cap.
    River,
}

/// The mechanism classes.
#[derive(Clone, Copy, ValueEnum)]
enum Mechanism {
    /// One corrective transfer per pair of agents (can cancel the interaction).
    Corrective,
    /// One price per agent (cannot cancel it).
    Prices,
}

/// Arguments of `rp design`.
#[derive(Args)]
pub struct DesignArgs {
    /// The environment.
    #[arg(long, value_enum)]
    env: Env,
    /// The mechanism class to tune.
    #[arg(long, value_enum, default_value = "corrective")]
    mechanism: Mechanism,
    /// Iterations T of SPSA (default 300; stops once `achieved` is confirmed).
    #[arg(long, value_name = "T", allow_negative_numbers = true)]
    iterations: Option<u64>,
    /// Initial games K per evaluation (default 30); adaptive probing doubles it up to 4 K.
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    games: Option<usize>,
    /// Seed of the designer's draws (perturbations, probes, confirmations); at most 2^53 - 1,
    /// so every JSON reader keeps it exact.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(..=crate::MAX_JSON_SEED))]
    seed: u64,
    /// Seed of the environment's parameters (at most 2^53 - 1).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(..=crate::MAX_JSON_SEED))]
    env_seed: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    threads: Option<usize>,
    /// Output folder (default `rp-out/<env>-<mechanism>-seed<S>`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print summary.json on stdout (no progress bar, no human summary).
    #[arg(long)]
    json: bool,
    /// Observe S sampled actions per agent and game instead of the equilibrium strategies
    /// (the plug-in designer; with --robust the distributionally robust one).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    samples: Option<usize>,
    /// Use the distributionally robust gap over concentration balls (needs --samples).
    #[arg(long)]
    robust: bool,
    /// Confidence parameter of the robust balls, in (0, 1) (default 0.05; needs --samples and
    /// implies --robust).
    #[arg(long, value_name = "D", allow_negative_numbers = true)]
    delta: Option<f64>,
}

/// The most worker threads `--threads` accepts (thousands of threads stall the pool).
const MAX_THREADS: usize = 256;

/// The default `delta` of `--robust`.
const DEFAULT_DELTA: f64 = 0.05;

impl DesignArgs {
    /// The settings these arguments ask for (embedded defaults otherwise).
    fn settings(&self) -> DesignSettings {
        let kind = match self.env {
            Env::Spectrum => EnvironmentKind::Spectrum,
            Env::River => EnvironmentKind::River,
        };
        let class = match self.mechanism {
            Mechanism::Corrective => MechanismClass::Corrective,
            Mechanism::Prices => MechanismClass::Prices,
        };
        let mut settings = DesignSettings::new(kind, class);
        settings.environment = EnvironmentSettings::new(kind, self.env_seed);
        settings.seed = self.seed;
        if let Some(t) = self.iterations {
            settings.iterations = t;
        }
        if let Some(k) = self.games {
            settings.probing.initial_games = k;
            settings.probing.max_games = k.saturating_mul(4);
        }
        if let Some(samples) = self.samples {
            settings.measurement = if self.robust || self.delta.is_some() {
                Measurement::Robust {
                    samples,
                    delta: self.delta.unwrap_or(DEFAULT_DELTA),
                }
            } else {
                Measurement::Sampled { samples }
            };
        }
        settings
    }

    /// Refuses `--robust` or `--delta` without `--samples` (the settings check the values).
    fn check_measurement(&self) -> CliResult {
        if self.samples.is_none() && (self.robust || self.delta.is_some()) {
            let flag = if self.robust { "--robust" } else { "--delta" };
            return Err(CliError::Input(format!(
                "{flag} needs --samples S: the robust gap is about sampled actions"
            )));
        }
        Ok(())
    }
}

/// Runs `rp design`.
pub fn run(args: &DesignArgs) -> CliResult {
    match args.threads {
        Some(0) => return Err(CliError::Input("--threads must be at least 1".into())),
        Some(n) if n > MAX_THREADS => {
            return Err(CliError::Input(format!(
                "--threads {n}: at most {MAX_THREADS} (more threads than cores only add overhead)"
            )));
        }
        _ => {}
    }
    args.check_measurement()?;
    let settings = args.settings();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_folder(&settings));
    let designer = Designer::new(settings).map_err(|e| {
        if e.is_input() {
            CliError::Input(with_flag(&e.to_string()))
        } else {
            CliError::failed(&e)
        }
    })?;
    check_writable(&out).map_err(|e| CliError::Input(format!("output folder: {e}")))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(CliError::failed)?;
    let mut progress = Progress::new(args.json || !std::io::stderr().is_terminal());
    let report = pool.install(|| designer.run(&mut progress)).map_err(|e| {
        if too_few_samples(&e) {
            CliError::input(&e)
        } else {
            CliError::failed(&e)
        }
    });
    progress.bar.finish_and_clear();
    let report = report?;
    write_run_folder(&out, &report).map_err(CliError::failed)?;
    let summary = &report.summary;
    if args.json {
        print_text(&summary_json(summary).map_err(CliError::failed)?)?;
        eprintln!("results in {}", out.display());
    } else {
        print_text(&human(summary))?;
        print_text(&format!("results in {}", out.display()))?;
    }
    if summary.verified {
        Ok(())
    } else {
        Err(CliError::Failed(rejection(summary)))
    }
}

/// The settings behind the flags, as the designer's messages name them (summary.json's names),
/// most specific first.
const FLAGS: [(&str, &str); 5] = [
    ("probing.initial_games", "--games"),
    (
        "probing.max_games",
        "--games (the cap on K is 4 times --games)",
    ),
    ("measurement.samples", "--samples"),
    ("measurement.delta", "--delta"),
    ("iterations", "--iterations"),
];

/// A settings message with the flag that set the value, so a user who typed `--games` is not
/// left guessing what `probing.max_games` is.
fn with_flag(message: &str) -> String {
    match FLAGS.iter().find(|(setting, _)| message.contains(setting)) {
        Some((_, flag)) => format!("{message} [set by {flag}]"),
        None => message.to_string(),
    }
}

/// Whether a run stopped because the samples were too few to reveal anything: a choice of
/// `--samples` (bad input, exit code 2), found only once the first games are sampled.
fn too_few_samples(err: &DesignError) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if matches!(
            e.downcast_ref::<MeasurementError>(),
            Some(MeasurementError::TooFewInformative { .. })
        ) {
            return true;
        }
        source = e.source();
    }
    false
}

/// Why `verified` is false, from the certificates in the summary (nominal and robust).
fn rejection(summary: &Summary) -> String {
    let mut failures: Vec<String> = summary
        .certificate
        .verification
        .failures
        .iter()
        .map(|f| format!("{f:?}"))
        .collect();
    if let Some(v) = summary
        .robust_certificate
        .as_ref()
        .and_then(|r| r.verification.as_ref())
    {
        failures.extend(v.failures.iter().map(|f| format!("robust: {f:?}")));
    }
    if failures.is_empty() {
        "the verifier rejected a confirming draw's certificate (see summary.json)".to_string()
    } else {
        format!(
            "the verifier rejected the certificate: {}",
            failures.join("; ")
        )
    }
}

/// The progress bar: iterations done, current gap and `K`.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(hidden: bool) -> Self {
        let target = if hidden {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        Self { bar }
    }
}

impl DesignObserver for Progress {
    fn phase(&mut self, phase: Phase) {
        match phase {
            Phase::GroundTruth => self
                .bar
                .set_message("solving the social optima (ground truth)"),
            Phase::Iterations { total } => {
                self.bar.set_length(total);
                let style =
                    ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
                        .map(|s| s.progress_chars("=> "));
                if let Ok(style) = style {
                    self.bar.set_style(style);
                }
            }
            Phase::Confirmation { games } => {
                self.bar
                    .set_message(format!("confirming the best mechanism, K = {games}"));
            }
            Phase::Certificate => self.bar.set_message("verified certificate"),
        }
    }

    fn iteration(&mut self, r: &IterationRecord) {
        self.bar.set_position(r.t + 1);
        self.bar.set_message(format!(
            "gap {:.2e} (best {:.2e})  K = {}",
            r.gap, r.best_gap, r.games
        ));
    }
}

/// The short human summary.
fn human(s: &Summary) -> String {
    let env = &s.environment;
    let ratio = |w: Option<f64>| w.map_or_else(|| "undefined".to_string(), |w| format!("{w:.5}"));
    let phi: Vec<String> = s.best.phi.iter().map(|x| format!("{x:.4}")).collect();
    // `achieved` means every confirming gap is within the tolerance, not that it is exactly 0:
    // say which, with the largest one.
    let largest = s.best.gaps.iter().copied().fold(0.0f64, f64::max);
    let tolerance = s.settings.verdict.tolerance;
    let certificate = match (s.verdict, s.verified) {
        (Verdict::Achieved, true) if largest == 0.0 => {
            "every confirming gap is 0: Afriat numbers rationalize the equilibria (verified)"
                .to_string()
        }
        (Verdict::Achieved, true) => format!(
            "every confirming gap is below the tolerance {tolerance:e} (largest {largest:.2e}); certificates verified"
        ),
        (Verdict::NotAchieved, true) => {
            "violation certificate (dual of the gap LP) verified".to_string()
        }
        (Verdict::Inconclusive, true) => {
            "robust gap positive, lower bound zero: more samples needed (verified)".to_string()
        }
        (_, false) => "REJECTED by the verifier".to_string(),
    };
    let stop = if s.stopped_early {
        " (stopped: gap within tolerance at the cap)"
    } else {
        ""
    };
    [
        format!(
            "{} ({} agents x {} actions, env seed {}) / {}, seed {}: {}",
            env.kind, env.agents, env.actions, env.seed, s.mechanism, s.seed, s.verdict
        ),
        format!(
            "  gap          {} -> {} at K = {} ({} confirming draws)",
            sci(s.initial.gap, 3),
            sci(s.best.gap, 3),
            s.final_games,
            s.best.gaps.len()
        ),
        format!(
            "  welfare      {} -> {} (ground truth, W(equilibrium) / W(optimum))",
            ratio(s.initial.truth.welfare_ratio),
            ratio(s.best.truth.welfare_ratio)
        ),
        format!("  measurement  {}", measurement_line(s)),
        format!(
            "  true gap     {} -> {} (exact strategies on the same games; evaluation only)",
            sci(s.initial.true_gap, 3),
            sci(s.true_gap, 3)
        ),
        format!("  best phi     [{}]", phi.join(", ")),
        format!("  certificate  {certificate}"),
        format!(
            "  work         {} iterations{stop}, {} gap LPs, {} equilibria, {:.1} s",
            s.iterations, s.evaluations.gaps, s.evaluations.equilibria, s.wall_time.total_seconds
        ),
    ]
    .join("\n")
}

/// The measurement in one line: exact, or samples with the radius at the final `K`.
fn measurement_line(s: &Summary) -> String {
    match (s.samples, s.delta, s.radius.last()) {
        (Some(samples), Some(delta), Some(r)) => format!(
            "robust, S = {samples}, delta = {delta}, L1 radius {:.4} at K = {}",
            r.l1, r.games
        ),
        (Some(samples), _, _) => format!("plug-in, S = {samples} sampled actions per agent"),
        _ => "exact equilibrium strategies".to_string(),
    }
}
