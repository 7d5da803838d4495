//! The designer's settings: environment, mechanism class, iterations, adaptive probing, SPSA
//! gains, verdict and ground-truth evaluation, as serde data with documented defaults and typed
//! validation.
//!
//! Settings are recorded verbatim in `summary.json`, so they hold only what determines the
//! result: the number of threads is *not* a setting (results do not depend on it).
//!
//! # How the gains are scaled (THEORY §7 leaves the constants open)
//!
//! The Pareto gap has no natural scale: it is about `5e-3` at `phi = 0` in `spectrum` and
//! `1e-4` in `river`, and it shrinks roughly like the square of the distance to a socially
//! optimal mechanism (measured along the segment from 0 to the canceling `phi*`). Parameters live in the mechanism's box, whose half-width `R`
//! differs between classes and environments by three orders of magnitude. So every gain
//! constant is given relative to the box, and the step gain `a` is calibrated on the gap:
//! - `c = perturbation * R` (default `0.1 R`): the perturbation must move the equilibria enough
//!   to change which budget cycles the LP sees, but stay local; 10% of the box is a tenth of
//!   the typical distance to the optimum;
//! - `a` by Spall's calibration ([`rp_policy::StepGain::Calibrated`]): the mean gradient
//!   magnitude `G` of `calibration_samples` two-sided estimates at `phi_0` sets
//!   `a = step * R * (1 + A)^alpha / G`, so the first update moves a coordinate by about
//!   `step * R` (default `0.1 R`) whatever the gap's scale;
//! - `b = annealing * R` (default 0: plain SPSA; the corrective gap has one basin).
//!
//! `A = T/10`, `alpha = 0.602`, `gamma = 0.101` are THEORY's defaults.
//!
//! Why `0.1 R` and `T = 300` (measured on `spectrum` corrective, design seeds 0–5, `K` from 30
//! to 120). The gap at `K = 30` is noisy (a draw's gap differs from its mean by 20–50%) and its
//! SPSA differences are heavy-tailed, so the step is what a bad calibration sample or one large
//! difference can blow up. With `0.25 R` and `T = 100`, 3 of 6 seeds bounced between the walls
//! of the box for the whole run (welfare ratio down to 0.97); with `0.1 R` and `T = 100` none
//! reached a zero gap (welfare 0.969–0.9996); with `0.1 R` and `T = 300` (so `A = 30`, a slower
//! decay) all 6 were `achieved` after 45–146 iterations with welfare ratios 0.9997–0.9999. The
//! run stops at the confirmation, so a large `T` costs nothing once the gap is zero.

use rp_game::environment::{EnvironmentConfig, EnvironmentKind};
use rp_game::mechanism::MechanismClass;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::measurement::Measurement;

/// The largest number of games per evaluation a run accepts. The Separable gap at `K = 400`,
/// `M = 4` takes about a second; `K = 10 000` would take hours per evaluation.
pub const MAX_GAMES: usize = 10_000;

/// The largest number of sampled actions per agent and game a run accepts. Sampling costs
/// grow linearly in `S` (about 1.5 s per iteration at `S = 10^6`, `K = 8`), and at `10^6` the
/// union-bound L1 radius is already about `5e-3`.
pub const MAX_SAMPLES: usize = 1_000_000;

/// Below this largest `K`, a zero gap says little (few games rarely cross the distortion), so
/// a run warns that an `achieved` verdict is weak evidence.
pub const LOW_POWER_GAMES: usize = 16;

/// Why settings were rejected. Every variant names the setting (as in `summary.json`).
#[derive(Clone, Debug, PartialEq, Error)]
pub enum SettingsError {
    /// `iterations` is zero.
    #[error("iterations must be at least 1")]
    ZeroIterations,
    /// Fewer than two games: a Pareto gap needs at least two observations.
    #[error("probing.initial_games = {0}: a Pareto gap needs at least 2 games")]
    TooFewGames(usize),
    /// More games than any run could solve (each evaluation solves `K` equilibria and a
    /// `K x K` gap program; [`MAX_GAMES`]).
    #[error(
        "probing.max_games = {0} is above the limit {MAX_GAMES} (a gap program at that size takes hours)"
    )]
    TooManyGames(usize),
    /// More sampled actions than a run can draw in reasonable time ([`MAX_SAMPLES`]).
    #[error(
        "measurement.samples = {0} is above the limit {MAX_SAMPLES} (sampling time grows linearly in S)"
    )]
    TooManySamples(usize),
    /// The cap on games is below the initial number.
    #[error("probing.max_games = {max} is below probing.initial_games = {initial}")]
    CapBelowInitial {
        /// `initial_games`.
        initial: usize,
        /// `max_games`.
        max: usize,
    },
    /// The growth factor of adaptive probing is below 2.
    #[error("probing.growth = {0} must be at least 2 (K grows by this factor on a zero gap)")]
    Growth(usize),
    /// A real-valued setting out of its range.
    #[error("{name} = {value} must be {requirement}")]
    Range {
        /// The setting.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// A count that must be positive is zero.
    #[error("{0} must be at least 1")]
    ZeroCount(&'static str),
    /// A start point of the wrong dimension or outside the mechanism's box.
    #[error("initial_phi: {0}")]
    Start(String),
}

/// Which environment to design for: kind, seed of its parameters and its sizes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSettings {
    /// `spectrum` or `river`.
    pub kind: EnvironmentKind,
    /// Seed of the environment's parameters (utilities, interactions, probe supports).
    pub seed: u64,
    /// Agents `M` (default 4).
    pub agents: usize,
    /// Actions per agent (default: 2 channels for `spectrum`, 3 levels for `river`).
    pub actions: usize,
}

impl EnvironmentSettings {
    /// The designer's default sizes for `kind`.
    ///
    /// `spectrum` uses 2 channels rather than rp-game's 3: measured on seeds 0–2 with K = 80
    /// probes, with 3 channels equilibria 15–30% of the interaction away from the optimum
    /// (welfare ratio 0.998) still pass the Separable test exactly, so no designer could tell
    /// them from optimal; with 2 channels the gap stays positive down to about 10% (welfare
    /// ratio 0.9995 and above at K = 160). `river` keeps rp-game's 4 firms x 3 levels.
    pub fn new(kind: EnvironmentKind, seed: u64) -> Self {
        let actions = match kind {
            EnvironmentKind::Spectrum => 2,
            EnvironmentKind::River => 3,
        };
        Self {
            kind,
            seed,
            agents: 4,
            actions,
        }
    }

    /// The rp-game configuration.
    pub fn config(&self) -> EnvironmentConfig {
        EnvironmentConfig {
            kind: self.kind,
            seed: self.seed,
            agents: Some(self.agents),
            actions: Some(self.actions),
        }
    }
}

/// Adaptive probing (THEORY §7): start with `initial_games` games per evaluation; when the
/// re-evaluated gap of an iterate is below the verdict tolerance, multiply `K` by `growth`
/// (up to `max_games`) and re-score the best iterate. `achieved` is declared only at
/// `max_games`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProbingSettings {
    /// `K_0` (default 30).
    pub initial_games: usize,
    /// The cap on `K` (default 120: two doublings).
    pub max_games: usize,
    /// The growth factor (default 2: doubling).
    pub growth: usize,
}

impl Default for ProbingSettings {
    fn default() -> Self {
        Self {
            initial_games: 30,
            max_games: 120,
            growth: 2,
        }
    }
}

/// SPSA gain constants relative to the mechanism box (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GainSettings {
    /// Target first step per coordinate, as a fraction of the box half-width (default 0.1).
    pub step: f64,
    /// Two-sided gradient estimates averaged to calibrate `a` (default 4).
    pub calibration_samples: u32,
    /// `c` as a fraction of the box half-width (default 0.1).
    pub perturbation: f64,
    /// Stability constant `A`; `None` (default) means `T / 10`.
    #[serde(rename = "A")]
    pub big_a: Option<f64>,
    /// Step-gain exponent `alpha` (default 0.602).
    pub alpha: f64,
    /// Perturbation-gain exponent `gamma` (default 0.101).
    pub gamma: f64,
    /// Annealing constant `b` as a fraction of the box half-width (default 0: plain SPSA).
    pub annealing: f64,
}

impl Default for GainSettings {
    fn default() -> Self {
        Self {
            step: 0.1,
            calibration_samples: 4,
            perturbation: 0.1,
            big_a: None,
            alpha: 0.602,
            gamma: 0.101,
            annealing: 0.0,
        }
    }
}

/// When the designer believes a zero gap.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerdictSettings {
    /// A gap at or below this is zero (default `1e-6`, in the gap's own units).
    pub tolerance: f64,
    /// Fresh evaluations at the final `K` that must all be below the tolerance for
    /// `achieved` (default 3). The same number of consecutive zero re-evaluations at the cap
    /// ends the iterations early when `stop_when_achieved` is set.
    pub confirmations: u32,
    /// Stop iterating once the iterates' gap has stayed below the tolerance at the cap for
    /// `confirmations` consecutive iterations (default true): SPSA's gradient is then zero.
    pub stop_when_achieved: bool,
}

impl Default for VerdictSettings {
    fn default() -> Self {
        Self {
            tolerance: 1e-6,
            confirmations: 3,
            stop_when_achieved: true,
        }
    }
}

/// The ground truth tracked along the run (evaluation only, never shown to the designer).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluationSettings {
    /// Probes of the fixed evaluation set (default 32; their social optima are solved once).
    pub games: usize,
    /// Assess every `every`-th iterate (default 1); 0 assesses only the start and the best.
    pub every: u64,
}

impl Default for EvaluationSettings {
    fn default() -> Self {
        Self {
            games: 32,
            every: 1,
        }
    }
}

/// Whether the two sides of an SPSA step see independent or common samples (finite-sample
/// measurements only; the probes are common either way).
///
/// `Independent` (the default) is what a designer who enacts `phi+` and `phi-` separately
/// observes: the agents randomize afresh. `Common` draws both sides' actions from the same
/// stream (inverse-CDF sampling with the same uniforms), so their empirical strategies differ
/// only where the true strategies do: common random numbers extended to the agents' draws. It
/// is a simulation device for studying the gradient's noise, not something a designer facing
/// real agents can do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleCoupling {
    /// One sample stream per (iteration, side, game).
    #[default]
    Independent,
    /// One sample stream per (iteration, game), shared by both sides.
    Common,
}

/// Everything that determines a design run (THEORY §7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSettings {
    /// The environment.
    pub environment: EnvironmentSettings,
    /// The mechanism class the designer tunes.
    pub mechanism: MechanismClass,
    /// Iterations `T` (default 300; the run stops once `achieved` is confirmed).
    #[serde(default = "default_iterations")]
    pub iterations: u64,
    /// Adaptive probing.
    #[serde(default)]
    pub probing: ProbingSettings,
    /// SPSA gains.
    #[serde(default)]
    pub gains: GainSettings,
    /// The verdict.
    #[serde(default)]
    pub verdict: VerdictSettings,
    /// Ground-truth evaluation.
    #[serde(default)]
    pub evaluation: EvaluationSettings,
    /// How observations are formed and the gap computed (default: exact strategies, the
    /// Separable additive gap).
    #[serde(default)]
    pub measurement: Measurement,
    /// Independent (default) or common samples for the two sides of a step.
    #[serde(default)]
    pub sample_coupling: SampleCoupling,
    /// Start point `phi_0`; `None` (default) is `phi = 0`, no intervention.
    #[serde(default)]
    pub initial_phi: Option<Vec<f64>>,
    /// Seed of everything the designer draws (perturbations, probes, confirmations).
    #[serde(default)]
    pub seed: u64,
}

fn default_iterations() -> u64 {
    300
}

impl DesignSettings {
    /// Defaults for designing a `mechanism` in environment `kind` (environment seed 0, design
    /// seed 0).
    pub fn new(kind: EnvironmentKind, mechanism: MechanismClass) -> Self {
        Self {
            environment: EnvironmentSettings::new(kind, 0),
            mechanism,
            iterations: default_iterations(),
            probing: ProbingSettings::default(),
            gains: GainSettings::default(),
            verdict: VerdictSettings::default(),
            evaluation: EvaluationSettings::default(),
            measurement: Measurement::default(),
            sample_coupling: SampleCoupling::default(),
            initial_phi: None,
            seed: 0,
        }
    }

    /// Checks every setting that does not need the environment (sizes and the start point are
    /// checked when the environment is built, see [`crate::Designer::new`]).
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.iterations == 0 {
            return Err(SettingsError::ZeroIterations);
        }
        self.probing.validate()?;
        self.gains.validate()?;
        self.verdict.validate()?;
        if self.evaluation.games == 0 {
            return Err(SettingsError::ZeroCount("evaluation.games"));
        }
        validate_measurement(&self.measurement)
    }
}

/// `S >= 1` and `0 < delta < 1`.
fn validate_measurement(m: &Measurement) -> Result<(), SettingsError> {
    match m.samples() {
        Some(0) => return Err(SettingsError::ZeroCount("measurement.samples")),
        Some(s) if s > MAX_SAMPLES => return Err(SettingsError::TooManySamples(s)),
        _ => {}
    }
    match m.delta() {
        Some(delta) => range("measurement.delta", delta, "in (0, 1)", |v| {
            v > 0.0 && v < 1.0
        }),
        None => Ok(()),
    }
}

impl ProbingSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        if self.initial_games < 2 {
            return Err(SettingsError::TooFewGames(self.initial_games));
        }
        if self.max_games > MAX_GAMES || self.initial_games > MAX_GAMES {
            return Err(SettingsError::TooManyGames(
                self.max_games.max(self.initial_games),
            ));
        }
        if self.max_games < self.initial_games {
            return Err(SettingsError::CapBelowInitial {
                initial: self.initial_games,
                max: self.max_games,
            });
        }
        if self.growth < 2 {
            return Err(SettingsError::Growth(self.growth));
        }
        Ok(())
    }
}

impl GainSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        range("gains.step", self.step, "finite and > 0", |v| v > 0.0)?;
        range("gains.perturbation", self.perturbation, "in (0, 1]", |v| {
            v > 0.0 && v <= 1.0
        })?;
        range("gains.annealing", self.annealing, "finite and >= 0", |v| {
            v >= 0.0
        })?;
        if let Some(a) = self.big_a {
            range("gains.A", a, "finite and >= 0", |v| v >= 0.0)?;
        }
        range("gains.alpha", self.alpha, "in (0, 1]", |v| {
            v > 0.0 && v <= 1.0
        })?;
        range("gains.gamma", self.gamma, "in [0, alpha)", |v| {
            v >= 0.0 && v < self.alpha
        })?;
        if self.calibration_samples == 0 {
            return Err(SettingsError::ZeroCount("gains.calibration_samples"));
        }
        Ok(())
    }
}

impl VerdictSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        range("verdict.tolerance", self.tolerance, "finite and > 0", |v| {
            v > 0.0
        })?;
        if self.confirmations == 0 {
            return Err(SettingsError::ZeroCount("verdict.confirmations"));
        }
        Ok(())
    }
}

/// `Ok` when `value` is finite and satisfies `ok`.
fn range(
    name: &'static str,
    value: f64,
    requirement: &'static str,
    ok: impl Fn(f64) -> bool,
) -> Result<(), SettingsError> {
    if value.is_finite() && ok(value) {
        Ok(())
    } else {
        Err(SettingsError::Range {
            name,
            value,
            requirement,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> DesignSettings {
        DesignSettings::new(EnvironmentKind::Spectrum, MechanismClass::Corrective)
    }

    #[test]
    fn defaults_are_documented_values_and_valid() {
        let s = base();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!((s.environment.agents, s.environment.actions), (4, 2));
        let river = DesignSettings::new(EnvironmentKind::River, MechanismClass::Prices);
        assert_eq!(
            (river.environment.agents, river.environment.actions),
            (4, 3)
        );
        assert_eq!(s.iterations, 300);
        assert_eq!((s.gains.step, s.gains.perturbation), (0.1, 0.1));
        assert_eq!(
            (
                s.probing.initial_games,
                s.probing.max_games,
                s.probing.growth
            ),
            (30, 120, 2)
        );
        assert_eq!(
            (s.gains.alpha, s.gains.gamma, s.gains.annealing),
            (0.602, 0.101, 0.0)
        );
        assert_eq!(s.gains.big_a, None, "A = T/10");
        assert_eq!((s.verdict.tolerance, s.verdict.confirmations), (1e-6, 3));
        assert_eq!(s.measurement, Measurement::Exact);
    }

    #[test]
    fn rejects_each_bad_setting_with_its_name() {
        let check = |edit: &dyn Fn(&mut DesignSettings), expected: SettingsError| {
            let mut s = base();
            edit(&mut s);
            assert_eq!(s.validate(), Err(expected));
        };
        check(&|s| s.iterations = 0, SettingsError::ZeroIterations);
        check(
            &|s| s.probing.initial_games = 0,
            SettingsError::TooFewGames(0),
        );
        check(
            &|s| s.probing.initial_games = 1,
            SettingsError::TooFewGames(1),
        );
        check(
            &|s| s.probing.max_games = 20,
            SettingsError::CapBelowInitial {
                initial: 30,
                max: 20,
            },
        );
        check(&|s| s.probing.growth = 1, SettingsError::Growth(1));
        check(
            &|s| s.verdict.confirmations = 0,
            SettingsError::ZeroCount("verdict.confirmations"),
        );
        check(
            &|s| s.evaluation.games = 0,
            SettingsError::ZeroCount("evaluation.games"),
        );
        check(
            &|s| s.gains.calibration_samples = 0,
            SettingsError::ZeroCount("gains.calibration_samples"),
        );
        let range = |edit: &dyn Fn(&mut DesignSettings), name: &str| {
            let mut s = base();
            edit(&mut s);
            match s.validate() {
                Err(SettingsError::Range { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{name}: {other:?}"),
            }
        };
        range(&|s| s.verdict.tolerance = 0.0, "verdict.tolerance");
        range(&|s| s.verdict.tolerance = f64::NAN, "verdict.tolerance");
        range(&|s| s.gains.step = -1.0, "gains.step");
        range(&|s| s.gains.perturbation = 2.0, "gains.perturbation");
        range(&|s| s.gains.annealing = f64::INFINITY, "gains.annealing");
        range(&|s| s.gains.big_a = Some(-1.0), "gains.A");
        range(&|s| s.gains.alpha = 0.0, "gains.alpha");
        range(&|s| s.gains.gamma = 0.7, "gains.gamma");
        for delta in [0.0, 1.0, -0.5, f64::NAN] {
            range(
                &|s| s.measurement = Measurement::Robust { samples: 10, delta },
                "measurement.delta",
            );
        }
        check(
            &|s| s.measurement = Measurement::Sampled { samples: 0 },
            SettingsError::ZeroCount("measurement.samples"),
        );
        check(
            &|s| {
                s.measurement = Measurement::Robust {
                    samples: 0,
                    delta: 0.05,
                }
            },
            SettingsError::ZeroCount("measurement.samples"),
        );
    }

    #[test]
    fn serde_round_trip_partial_input_and_unknown_keys() {
        let mut s = base();
        s.initial_phi = Some(vec![1.0; 6]);
        s.gains.big_a = Some(3.0);
        let json = serde_json::to_string(&s).expect("settings serialize");
        let back: DesignSettings = serde_json::from_str(&json).expect("and read back");
        assert_eq!(back, s);
        let partial: DesignSettings = serde_json::from_str(
            r#"{"environment": {"kind": "river", "seed": 3, "agents": 4, "actions": 3},
                "mechanism": "prices", "iterations": 7, "probing": {"initial_games": 10}}"#,
        )
        .expect("missing keys take their defaults");
        assert_eq!(partial.iterations, 7);
        assert_eq!(partial.probing.initial_games, 10);
        assert_eq!(partial.probing.max_games, 120);
        assert_eq!(partial.verdict, VerdictSettings::default());
        let typo = r#"{"environment": {"kind": "river", "seed": 3, "agents": 4, "actions": 3},
                       "mechanism": "prices", "iteration": 7}"#;
        assert!(serde_json::from_str::<DesignSettings>(typo).is_err());
    }
}
