//! The optimizer: SPSA (Spall 1992) and annealed SPSA (Gelfand–Mitter, Maryak–Chin) over a
//! box, as a stepper ([`Spsa::step`]) and as a loop ([`Spsa::run`]). THEORY §7 steps 1–4.
//!
//! Randomness. The optimizer owns one seed and draws from five ChaCha8 streams of it, one per
//! purpose (perturbations `Delta_t`, the environment seeds of the two-sided evaluations, the
//! annealing noise `w_t`, re-evaluation seeds, calibration). Separate streams mean turning
//! annealing or calibration on does not change the perturbations or the environment draws: plain
//! and annealed runs of one seed see the same `Delta_t` and the same games, a paired comparison.
//!
//! Transactions. A step works on a copy of the optimizer's state and commits it only on
//! success, so an objective error leaves the optimizer unchanged (same iterate, same streams).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::error::{Phase, SetupError, StepError};
use crate::gains::{GainSchedule, Gains};
use crate::objective::{NoiseSeed, NoisyObjective, Query};
use crate::observer::Observer;
use crate::report::{BestIterate, Reevaluation, RunReport, StepReport};
use crate::settings::{ReevaluationNoise, SpsaSettings, StepGain};
use crate::space::ParameterBox;

/// The stream numbers of the optimizer's seed, one per purpose.
#[derive(Clone, Copy)]
enum Stream {
    Perturbation = 0,
    Environment = 1,
    Annealing = 2,
    Reevaluation = 3,
    Calibration = 4,
}

/// The optimizer's random streams.
#[derive(Clone, Debug)]
struct Streams {
    perturbation: ChaCha8Rng,
    environment: ChaCha8Rng,
    annealing: ChaCha8Rng,
    reevaluation: ChaCha8Rng,
    calibration: ChaCha8Rng,
}

impl Streams {
    fn new(seed: u64) -> Self {
        let stream = |s: Stream| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(s as u64);
            rng
        };
        Self {
            perturbation: stream(Stream::Perturbation),
            environment: stream(Stream::Environment),
            annealing: stream(Stream::Annealing),
            reevaluation: stream(Stream::Reevaluation),
            calibration: stream(Stream::Calibration),
        }
    }
}

/// Everything a step changes; cloned at the start of a step and committed on success.
#[derive(Clone, Debug)]
struct State {
    /// The current iterate `phi_t`.
    phi: Vec<f64>,
    /// The next iteration index `t`.
    t: u64,
    /// The gains, resolved by the first step (after calibrating `a`, if asked).
    gains: Option<GainSchedule>,
    streams: Streams,
    best: Option<BestIterate>,
    /// Whether `phi` has been re-evaluated (so `finish` need not do it again).
    phi_reevaluated: bool,
    evaluations: u64,
}

/// One two-sided gradient estimate (THEORY §7 steps 1–3).
struct GradientEstimate {
    delta: Vec<f64>,
    phi_plus: Vec<f64>,
    phi_minus: Vec<f64>,
    noise: NoiseSeed,
    loss_plus: f64,
    loss_minus: f64,
    gradient: Vec<f64>,
}

/// SPSA or annealed SPSA (annealed when the settings' `b > 0`) minimizing a noisy objective
/// over a [`ParameterBox`].
///
/// The optimizer does not own the objective: every call borrows it, so the caller may change
/// the objective's settings between steps (e.g. double the number of probe games) and then call
/// [`rescore_best`](Self::rescore_best) so old and new losses stay comparable.
#[derive(Clone, Debug)]
pub struct Spsa {
    settings: SpsaSettings,
    space: ParameterBox,
    seed: u64,
    /// The seeds of [`ReevaluationNoise::Common`] re-evaluations (empty for fresh seeds).
    common_seeds: Vec<NoiseSeed>,
    state: State,
}

impl Spsa {
    /// An optimizer starting at `phi_0` (which must lie in `space`), drawing all its randomness
    /// from `seed`. Validates the settings and the start point.
    pub fn new(
        settings: SpsaSettings,
        space: ParameterBox,
        phi_0: Vec<f64>,
        seed: u64,
    ) -> Result<Self, SetupError> {
        settings.validate()?;
        space.check_inside(&phi_0)?;
        let mut streams = Streams::new(seed);
        let common_seeds = match settings.best.noise {
            ReevaluationNoise::Fresh => Vec::new(),
            ReevaluationNoise::Common => {
                draw_seeds(&mut streams.reevaluation, settings.best.repetitions)
            }
        };
        let state = State {
            phi: phi_0,
            t: 0,
            gains: None,
            streams,
            best: None,
            phi_reevaluated: false,
            evaluations: 0,
        };
        Ok(Self {
            settings,
            space,
            seed,
            common_seeds,
            state,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &SpsaSettings {
        &self.settings
    }

    /// The parameter box.
    pub fn space(&self) -> &ParameterBox {
        &self.space
    }

    /// The seed all randomness is drawn from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The current iterate `phi_t`.
    pub fn phi(&self) -> &[f64] {
        &self.state.phi
    }

    /// The index `t` of the next iteration (= iterations done).
    pub fn t(&self) -> u64 {
        self.state.t
    }

    /// Whether the `T` iterations of the settings are done.
    pub fn is_done(&self) -> bool {
        self.state.t >= self.settings.iterations
    }

    /// The gain constants in force (`None` until the first step calibrates `a`, when asked to).
    pub fn gains(&self) -> Option<GainSchedule> {
        match (self.state.gains, self.settings.a) {
            (Some(gains), _) => Some(gains),
            (None, StepGain::Fixed(a)) => Some(schedule(&self.settings, a)),
            (None, StepGain::Calibrated { .. }) => None,
        }
    }

    /// The best iterate so far by re-evaluated loss.
    pub fn best(&self) -> Option<&BestIterate> {
        self.state.best.as_ref()
    }

    /// Objective evaluations so far.
    pub fn evaluations(&self) -> u64 {
        self.state.evaluations
    }

    /// One iteration of THEORY §7: perturb, evaluate both sides under one environment draw,
    /// estimate the gradient, take the projected (and annealed) step, and re-evaluate the new
    /// iterate when the tracking period says so. The first step also calibrates `a` (if asked)
    /// and re-evaluates `phi_0`.
    ///
    /// Steps may continue past `T`; the gains are defined for every `t`. On error nothing
    /// changes.
    pub fn step<O>(&mut self, objective: &mut O) -> Result<StepReport, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let mut s = self.state.clone();
        let gains = self.start(&mut s, objective)?.at(s.t);
        let est = self.estimate_gradient(&mut s, objective, gains.c_t, false)?;
        let (annealing_noise, next_phi) = self.update(&mut s, gains, &est.gradient);
        let t = s.t;
        let phi = std::mem::replace(&mut s.phi, next_phi.clone());
        s.t += 1;
        s.phi_reevaluated = false;
        let reevaluation = if s.t.is_multiple_of(self.settings.best.every) {
            Some(self.reevaluate_current(&mut s, objective, t)?)
        } else {
            None
        };
        tracing::debug!(
            t,
            loss_plus = est.loss_plus,
            loss_minus = est.loss_minus,
            a_t = gains.a_t,
            "spsa step"
        );
        let report = StepReport {
            t,
            phi,
            delta: est.delta,
            phi_plus: est.phi_plus,
            phi_minus: est.phi_minus,
            noise: est.noise,
            loss_plus: est.loss_plus,
            loss_minus: est.loss_minus,
            gradient: est.gradient,
            gains,
            annealing_noise,
            next_phi,
            reevaluation,
            best: s.best.clone(),
            evaluations: s.evaluations,
        };
        self.state = s;
        Ok(report)
    }

    /// THEORY §7 step 4: `phi_{t+1} = Proj(phi_t - a_t g_t + b_t w_t)`, drawing `w_t` only when
    /// `b_t > 0`. Returns `(w_t, phi_{t+1})`.
    fn update(
        &self,
        s: &mut State,
        gains: Gains,
        gradient: &[f64],
    ) -> (Option<Vec<f64>>, Vec<f64>) {
        let w = (gains.b_t > 0.0).then(|| {
            let rng = &mut s.streams.annealing;
            let draws = (0..self.space.dim()).map(|_| rng.sample::<f64, _>(StandardNormal));
            draws.collect::<Vec<_>>()
        });
        let mut next_phi = s.phi.clone();
        for (i, x) in next_phi.iter_mut().enumerate() {
            let w_i = w.as_ref().map_or(0.0, |w| w[i]);
            *x += -gains.a_t * gradient[i] + gains.b_t * w_i;
        }
        // No NaN can arise: the gradient is finite, so an overflow is +-inf and clamps.
        self.space.clamp(&mut next_phi);
        (w, next_phi)
    }

    /// Steps until `T` iterations are done (or the observer breaks), calling `observer` after
    /// each, then [`finish`](Self::finish)es. A run may follow earlier manual steps.
    pub fn run<O, V>(
        &mut self,
        objective: &mut O,
        observer: &mut V,
    ) -> Result<RunReport, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
        V: Observer + ?Sized,
    {
        tracing::info!(
            seed = self.seed,
            iterations = self.settings.iterations,
            t = self.t(),
            "spsa run"
        );
        let mut stopped_early = false;
        while !self.is_done() {
            let report = self.step(objective)?;
            if observer.observe(&report).is_break() {
                stopped_early = !self.is_done();
                break;
            }
        }
        let mut report = self.finish(objective)?;
        report.stopped_early = stopped_early;
        tracing::info!(
            best_loss = report.best.loss.loss,
            evaluations = report.evaluations,
            "spsa run finished"
        );
        Ok(report)
    }

    /// Ends a run at the current iterate: re-evaluates it if it has not been (so the best
    /// includes it) and reports. Stepping may continue afterwards.
    pub fn finish<O>(&mut self, objective: &mut O) -> Result<RunReport, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let mut s = self.state.clone();
        let gains = self.start(&mut s, objective)?;
        if !s.phi_reevaluated {
            let t = s.t;
            self.reevaluate_current(&mut s, objective, t)?;
        }
        let best = s
            .best
            .clone()
            .expect("the current iterate has been re-evaluated, so a best exists");
        let report = RunReport {
            best,
            final_phi: s.phi.clone(),
            iterations: s.t,
            stopped_early: false,
            evaluations: s.evaluations,
            gains,
        };
        self.state = s;
        Ok(report)
    }

    /// Re-evaluates the best iterate under the objective's *current* settings (fresh or common
    /// seeds as configured) and replaces its loss. Call it after changing the objective so that
    /// later iterates are compared with a best scored the same way. `None` if no best exists yet.
    pub fn rescore_best<O>(
        &mut self,
        objective: &mut O,
    ) -> Result<Option<Reevaluation>, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let mut s = self.state.clone();
        let Some(phi) = s.best.as_ref().map(|b| b.phi.clone()) else {
            return Ok(None);
        };
        let t = s.t;
        let loss = self.reevaluate(&mut s, objective, &phi, t)?;
        if let Some(best) = s.best.as_mut() {
            best.loss = loss.clone();
        }
        self.state = s;
        Ok(Some(loss))
    }

    /// Before the first step: calibrate `a` if asked, and re-evaluate `phi_0`. Returns the gain
    /// schedule in force.
    fn start<O>(
        &self,
        s: &mut State,
        objective: &mut O,
    ) -> Result<GainSchedule, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let gains = match (s.gains, self.settings.a) {
            (Some(gains), _) => gains,
            (None, StepGain::Fixed(a)) => schedule(&self.settings, a),
            (
                None,
                StepGain::Calibrated {
                    target_step,
                    samples,
                },
            ) => {
                let a = self.calibrate_a(s, objective, target_step, samples)?;
                schedule(&self.settings, a)
            }
        };
        s.gains = Some(gains);
        if s.t == 0 && s.best.is_none() {
            self.reevaluate_current(s, objective, 0)?;
        }
        Ok(gains)
    }

    /// Spall's calibration of `a` (see [`StepGain::Calibrated`]).
    fn calibrate_a<O>(
        &self,
        s: &mut State,
        objective: &mut O,
        target_step: f64,
        samples: u32,
    ) -> Result<f64, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let c_0 = self.settings.c;
        let mut magnitude = 0.0;
        for _ in 0..samples {
            let est = self.estimate_gradient(s, objective, c_0, true)?;
            magnitude += est.gradient.iter().map(|g| g.abs()).sum::<f64>();
        }
        let mean = magnitude / (f64::from(samples) * self.space.dim() as f64);
        let step_at_unit_gradient =
            target_step * (1.0 + self.settings.resolved_big_a()).powf(self.settings.alpha);
        let a = step_at_unit_gradient / mean;
        // A flat start (mean 0), a subnormal mean (a overflows) or an overflowing mean gives no
        // usable scale; fall back to |g| = 1 rather than a zero, infinite or NaN gain.
        let a = if mean > 0.0 && a.is_finite() && a > 0.0 {
            a
        } else {
            tracing::warn!(
                mean,
                "no usable gradient scale at phi_0: calibrating a as if |g| = 1"
            );
            step_at_unit_gradient
        };
        tracing::info!(a, mean_gradient = mean, samples, "calibrated step gain");
        Ok(a)
    }

    /// Draws `Delta`, evaluates `Proj(phi +- c Delta)` under one environment seed and forms
    /// `g = (L+ - L-) / (2c) * Delta^{-1}`; `calibration` selects the calibration streams.
    fn estimate_gradient<O>(
        &self,
        s: &mut State,
        objective: &mut O,
        c: f64,
        calibration: bool,
    ) -> Result<GradientEstimate, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let (t, phase) = (
            s.t,
            if calibration {
                Phase::Calibration
            } else {
                Phase::Perturbation
            },
        );
        let (delta_rng, noise_rng) = if calibration {
            (&mut s.streams.calibration, None)
        } else {
            (
                &mut s.streams.perturbation,
                Some(&mut s.streams.environment),
            )
        };
        let delta: Vec<f64> = (0..self.space.dim())
            .map(|_| {
                if delta_rng.random_bool(0.5) {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        // Calibration draws its environment seeds after its perturbation, from its own stream.
        let noise = NoiseSeed::new(noise_rng.unwrap_or(delta_rng).random());
        let shifted = |sign: f64| {
            let mut p: Vec<f64> = s
                .phi
                .iter()
                .zip(&delta)
                .map(|(x, d)| x + sign * c * d)
                .collect();
            self.space.clamp(&mut p);
            p
        };
        let (phi_plus, phi_minus) = (shifted(1.0), shifted(-1.0));
        let queries = [
            Query {
                theta: &phi_plus,
                noise,
            },
            Query {
                theta: &phi_minus,
                noise,
            },
        ];
        let losses = evaluate_checked(objective, &queries, t, phase)?;
        s.evaluations += 2;
        let (loss_plus, loss_minus) = (losses[0], losses[1]);
        let scale = (loss_plus - loss_minus) / (2.0 * c);
        // Delta_i = +-1, so dividing by it is multiplying by it.
        if !scale.is_finite() {
            return Err(StepError::NonFiniteGradient { t });
        }
        let gradient: Vec<f64> = delta.iter().map(|d| scale * d).collect();
        Ok(GradientEstimate {
            delta,
            phi_plus,
            phi_minus,
            noise,
            loss_plus,
            loss_minus,
            gradient,
        })
    }

    /// Re-evaluates the current iterate and updates the best.
    fn reevaluate_current<O>(
        &self,
        s: &mut State,
        objective: &mut O,
        t: u64,
    ) -> Result<Reevaluation, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let phi = s.phi.clone();
        let loss = self.reevaluate(s, objective, &phi, t)?;
        s.phi_reevaluated = true;
        let improves = s.best.as_ref().is_none_or(|b| loss.loss < b.loss.loss);
        if improves {
            s.best = Some(BestIterate {
                phi,
                index: s.t,
                loss: loss.clone(),
            });
        }
        Ok(loss)
    }

    /// The mean of `r` evaluations at `phi` with re-evaluation seeds.
    fn reevaluate<O>(
        &self,
        s: &mut State,
        objective: &mut O,
        phi: &[f64],
        t: u64,
    ) -> Result<Reevaluation, StepError<O::Error>>
    where
        O: NoisyObjective + ?Sized,
    {
        let seeds = match self.settings.best.noise {
            ReevaluationNoise::Common => self.common_seeds.clone(),
            ReevaluationNoise::Fresh => {
                draw_seeds(&mut s.streams.reevaluation, self.settings.best.repetitions)
            }
        };
        let queries: Vec<Query<'_>> = seeds
            .iter()
            .map(|&noise| Query { theta: phi, noise })
            .collect();
        let losses = evaluate_checked(objective, &queries, t, Phase::Reevaluation)?;
        s.evaluations += losses.len() as u64;
        let (loss, standard_error) = mean_and_standard_error(&losses);
        Ok(Reevaluation {
            loss,
            standard_error,
            seeds,
        })
    }
}

/// The resolved gain schedule for a given `a`.
fn schedule(settings: &SpsaSettings, a: f64) -> GainSchedule {
    GainSchedule {
        a,
        c: settings.c,
        big_a: settings.resolved_big_a(),
        alpha: settings.alpha,
        gamma: settings.gamma,
        b: settings.b,
    }
}

fn draw_seeds(rng: &mut ChaCha8Rng, count: u32) -> Vec<NoiseSeed> {
    (0..count).map(|_| NoiseSeed::new(rng.random())).collect()
}

/// Evaluates a batch and checks that every loss is there and finite.
fn evaluate_checked<O>(
    objective: &mut O,
    queries: &[Query<'_>],
    t: u64,
    phase: Phase,
) -> Result<Vec<f64>, StepError<O::Error>>
where
    O: NoisyObjective + ?Sized,
{
    let losses = objective
        .evaluate_batch(queries)
        .map_err(|source| StepError::Objective { t, phase, source })?;
    if losses.len() != queries.len() {
        return Err(StepError::BatchLength {
            t,
            expected: queries.len(),
            found: losses.len(),
        });
    }
    if let Some(&value) = losses.iter().find(|l| !l.is_finite()) {
        return Err(StepError::NonFiniteLoss { t, phase, value });
    }
    Ok(losses)
}

/// The mean and, for two or more values, the standard error of the mean. The inputs are finite;
/// the mean is accumulated as `sum (x / n)` so it cannot overflow where the values do not.
fn mean_and_standard_error(xs: &[f64]) -> (f64, Option<f64>) {
    let n = xs.len() as f64;
    let mean: f64 = xs.iter().map(|x| x / n).sum();
    if xs.len() < 2 {
        return (mean, None);
    }
    let variance = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    let se = (variance / n).sqrt();
    (mean, se.is_finite().then_some(se))
}
