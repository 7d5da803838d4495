//! The optimizer's settings: iterations, gain sequences, annealing and best-iterate tracking,
//! with their defaults (THEORY §7) and validation.
//!
//! Settings are plain serde data (so a run's `summary.json` can record them); they are
//! validated when an optimizer is built from them, never trusted.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why settings were rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SettingsError {
    /// `iterations` is zero.
    #[error("the number of iterations T must be at least 1")]
    ZeroIterations,
    /// A gain constant or exponent is out of its range.
    #[error("gain setting {name} = {value} must be {requirement}")]
    Gain {
        /// The setting's name (THEORY symbol).
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// `best.every` is zero.
    #[error("the re-evaluation period best.every must be at least 1")]
    ZeroReevaluationPeriod,
    /// `best.repetitions` is zero.
    #[error("the number of re-evaluation repetitions r must be at least 1")]
    ZeroRepetitions,
    /// A calibrated step gain asks for zero gradient samples.
    #[error("calibrating the step gain a needs at least one gradient sample")]
    ZeroCalibrationSamples,
}

/// How the step-gain constant `a` of `a_t = a / (t + 1 + A)^alpha` is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepGain {
    /// `a` is given.
    Fixed(f64),
    /// `a` is calibrated at the start point (Spall 1998, "Implementation of the simultaneous
    /// perturbation algorithm", §III): the mean magnitude `G` of the gradient-estimate
    /// coordinates over `samples` perturbations at `phi_0` sets
    /// `a = target_step * (1 + A)^alpha / G`, so the first update moves each coordinate by about
    /// `target_step`. This makes the run insensitive to the loss's scale, which a designer does
    /// not know in advance. A start with no usable scale (`G = 0`, or `a` not finite)
    /// falls back to `G = 1`, with a warning.
    Calibrated {
        /// The desired magnitude of a coordinate's first update, in parameter units.
        target_step: f64,
        /// Gradient estimates averaged (each costs two evaluations).
        samples: u32,
    },
}

/// Which noise seeds re-evaluations use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReevaluationNoise {
    /// Fresh seeds for every re-evaluation (default): each re-evaluated loss is an unbiased
    /// estimate of the expected loss, and no candidate can be chosen for luck on a fixed draw.
    #[default]
    Fresh,
    /// The same `r` seeds for every re-evaluation: candidates are compared under common random
    /// numbers (lower variance of differences), at the price of favouring points that happen to
    /// suit those particular draws.
    Common,
}

/// How the best iterate is tracked: by re-evaluating iterates with their own noise seeds, not
/// by the noisy two-sided values `L(phi+-)` (which are losses at perturbed points, not at the
/// iterate, and share one draw).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BestTracking {
    /// Re-evaluate the new iterate `phi_{t+1}` after every `every`-th iteration (default 1). The
    /// start `phi_0` is always evaluated before the first step and the final iterate when a run
    /// finishes, so the best is never worse than either.
    pub every: u64,
    /// Repetitions `r` averaged per re-evaluation (default 1).
    pub repetitions: u32,
    /// Fresh or common seeds across re-evaluations (default fresh).
    pub noise: ReevaluationNoise,
}

impl Default for BestTracking {
    fn default() -> Self {
        Self {
            every: 1,
            repetitions: 1,
            noise: ReevaluationNoise::Fresh,
        }
    }
}

/// Settings of SPSA and annealed SPSA (THEORY §7).
///
/// Gains: `a_t = a / (t + 1 + A)^alpha`, `c_t = c / (t + 1)^gamma`,
/// `b_t = b / sqrt((t + 1) ln ln(t + 3))`. Spall's exponents `alpha = 0.602`, `gamma = 0.101` are
/// the practical ones (the asymptotically optimal 1 and 1/6 adapt slowly in finite runs).
/// `b = 0` is plain SPSA; `b > 0` adds the Gelfand–Mitter annealing noise `b_t w_t`.
///
/// Defaults: `T = 100`, `a = 0.1` (fixed), `c = 0.1`, `A = T/10`, `b = 0`, re-evaluation of
/// every iterate once with fresh seeds. `a` and `c` are in parameter units and suit parameters
/// and losses of order one; Spall's rule is `c` about the noise's standard deviation, and
/// [`StepGain::Calibrated`] chooses `a` from the loss's scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpsaSettings {
    /// Number of iterations `T` of a run (default 100). Also sets the default `A = T/10`.
    pub iterations: u64,
    /// The step-gain constant `a` (default fixed at 0.1).
    pub a: StepGain,
    /// The perturbation-gain constant `c > 0` (default 0.1).
    pub c: f64,
    /// The stability constant `A >= 0`; `None` (default) means `A = T/10` (as a real number).
    #[serde(rename = "A")]
    pub big_a: Option<f64>,
    /// The step-gain exponent `alpha` in `(0, 1]` (default 0.602).
    pub alpha: f64,
    /// The perturbation-gain exponent `gamma` in `[0, alpha)` (default 0.101).
    pub gamma: f64,
    /// The annealing constant `b >= 0` (default 0: plain SPSA).
    pub b: f64,
    /// Best-iterate tracking.
    pub best: BestTracking,
}

impl Default for SpsaSettings {
    fn default() -> Self {
        Self {
            iterations: 100,
            a: StepGain::Fixed(0.1),
            c: 0.1,
            big_a: None,
            alpha: 0.602,
            gamma: 0.101,
            b: 0.0,
            best: BestTracking::default(),
        }
    }
}

impl SpsaSettings {
    /// Plain SPSA for `iterations` steps, other settings at their defaults.
    pub fn plain(iterations: u64) -> Self {
        Self {
            iterations,
            ..Self::default()
        }
    }

    /// Annealed SPSA with annealing constant `b`, other settings at their defaults.
    pub fn annealed(iterations: u64, b: f64) -> Self {
        Self {
            iterations,
            b,
            ..Self::default()
        }
    }

    /// The stability constant `A` in force: the setting, or `T/10`.
    pub fn resolved_big_a(&self) -> f64 {
        self.big_a.unwrap_or(self.iterations as f64 / 10.0)
    }

    /// Checks every setting; the optimizer calls this before it does anything.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.iterations == 0 {
            return Err(SettingsError::ZeroIterations);
        }
        match self.a {
            StepGain::Fixed(a) => positive("a", a)?,
            StepGain::Calibrated {
                target_step,
                samples,
            } => {
                positive("target_step", target_step)?;
                if samples == 0 {
                    return Err(SettingsError::ZeroCalibrationSamples);
                }
            }
        }
        positive("c", self.c)?;
        non_negative("A", self.resolved_big_a())?;
        non_negative("b", self.b)?;
        let alpha_ok = self.alpha.is_finite() && self.alpha > 0.0 && self.alpha <= 1.0;
        require(alpha_ok, "alpha", self.alpha, "in (0, 1]")?;
        let gamma_ok = self.gamma.is_finite() && self.gamma >= 0.0 && self.gamma < self.alpha;
        require(gamma_ok, "gamma", self.gamma, "in [0, alpha)")?;
        if self.best.every == 0 {
            return Err(SettingsError::ZeroReevaluationPeriod);
        }
        if self.best.repetitions == 0 {
            return Err(SettingsError::ZeroRepetitions);
        }
        Ok(())
    }
}

fn require(
    ok: bool,
    name: &'static str,
    value: f64,
    requirement: &'static str,
) -> Result<(), SettingsError> {
    if ok {
        Ok(())
    } else {
        Err(SettingsError::Gain {
            name,
            value,
            requirement,
        })
    }
}

fn positive(name: &'static str, value: f64) -> Result<(), SettingsError> {
    require(
        value.is_finite() && value > 0.0,
        name,
        value,
        "finite and > 0",
    )
}

fn non_negative(name: &'static str, value: f64) -> Result<(), SettingsError> {
    require(
        value.is_finite() && value >= 0.0,
        name,
        value,
        "finite and >= 0",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_theory_section_7() {
        let s = SpsaSettings::default();
        assert_eq!((s.alpha, s.gamma, s.b), (0.602, 0.101, 0.0));
        assert_eq!(s.resolved_big_a(), 10.0, "A = T/10 with T = 100");
        assert_eq!(
            SpsaSettings::plain(35).resolved_big_a(),
            3.5,
            "A is real, not T div 10"
        );
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn rejects_each_bad_setting() {
        let base = SpsaSettings::default();
        let gain = |s: SpsaSettings| matches!(s.validate(), Err(SettingsError::Gain { .. }));
        assert_eq!(
            SpsaSettings::plain(0).validate(),
            Err(SettingsError::ZeroIterations)
        );
        assert!(gain(SpsaSettings {
            a: StepGain::Fixed(f64::NAN),
            ..base.clone()
        }));
        assert!(gain(SpsaSettings {
            a: StepGain::Fixed(0.0),
            ..base.clone()
        }));
        assert!(gain(SpsaSettings {
            c: f64::INFINITY,
            ..base.clone()
        }));
        assert!(gain(SpsaSettings {
            c: -1.0,
            ..base.clone()
        }));
        assert!(gain(SpsaSettings {
            big_a: Some(-1.0),
            ..base.clone()
        }));
        assert!(gain(SpsaSettings {
            b: -0.5,
            ..base.clone()
        }));
        assert!(gain(SpsaSettings {
            alpha: 1.5,
            ..base.clone()
        }));
        assert!(
            gain(SpsaSettings {
                gamma: 0.7,
                ..base.clone()
            }),
            "gamma >= alpha"
        );
        let calibrated = |target_step, samples| SpsaSettings {
            a: StepGain::Calibrated {
                target_step,
                samples,
            },
            ..base.clone()
        };
        assert!(gain(calibrated(0.0, 3)));
        assert_eq!(
            calibrated(0.1, 0).validate(),
            Err(SettingsError::ZeroCalibrationSamples)
        );
        let best = |every, repetitions| SpsaSettings {
            best: BestTracking {
                every,
                repetitions,
                ..BestTracking::default()
            },
            ..base.clone()
        };
        assert_eq!(
            best(0, 1).validate(),
            Err(SettingsError::ZeroReevaluationPeriod)
        );
        assert_eq!(best(1, 0).validate(), Err(SettingsError::ZeroRepetitions));
    }

    #[test]
    fn serde_round_trip_and_partial_input() {
        let s = SpsaSettings {
            a: StepGain::Calibrated {
                target_step: 0.05,
                samples: 4,
            },
            big_a: Some(3.0),
            ..SpsaSettings::annealed(50, 0.2)
        };
        let json = serde_json::to_string(&s).expect("settings serialize");
        let back: SpsaSettings = serde_json::from_str(&json).expect("and deserialize");
        assert_eq!(back, s);
        let partial: SpsaSettings =
            serde_json::from_str(r#"{"iterations": 7, "b": 0.3}"#).expect("missing keys default");
        assert_eq!(partial, SpsaSettings::annealed(7, 0.3));
        assert!(serde_json::from_str::<SpsaSettings>(r#"{"iteration": 7}"#).is_err());
    }
}
