//! Algorithm 1 of THEORY §7: SPSA on the Pareto gap with adaptive probing, the verdict and its
//! certificate.
//!
//! Per iteration: [`Spsa::step`] perturbs `phi_t`, evaluates both sides on the same `K` games
//! (common random numbers), steps, projects, and re-evaluates `phi_{t+1}` on fresh games.
//!
//! Best mechanism: the iterate with the lowest re-evaluated gap (`phi_0` included; a tie keeps
//! the earlier one). The minimum of many noisy evaluations favours lucky draws (the winner's
//! curse: at `K = 16` a single draw's gap can be half its mean), so an iterate whose
//! re-evaluated gap beats the best is evaluated on a second fresh draw and challenges the best
//! with the mean of the two. When `K` grows, the best is re-scored on a fresh draw at the new
//! `K` so that it competes with later iterates on equal terms; a failed confirmation (below) is
//! a re-evaluation too and replaces its gap by the confirmed mean.
//!
//! Adaptive probing: a re-evaluated gap at or below the tolerance multiplies `K` by `growth`
//! (up to `max_games`). At the cap, after `confirmations` consecutive zero gaps, the best
//! mechanism is confirmed; if the confirmation declares `achieved` the iterations stop (the
//! SPSA gradient is zero there), otherwise they go on.
//!
//! Verdict: a confirmation evaluates the best mechanism on `confirmations` fresh draws (the
//! confirmation stream, never used by SPSA) at the current `K`; while they are all zero and `K`
//! is below the cap, `K` grows and they are re-evaluated. `achieved` when they are all below
//! the tolerance at the cap, otherwise `not_achieved`. The start `phi_0` is evaluated on the
//! same draws (so the summary compares like with like), and the worst draw is solved once more
//! with the verified LP, giving the certificate and the verifier's answer; for `achieved` every
//! confirming draw is verified (the fast LP's zero is not trusted alone).
//!
//! Finite samples ([`crate::measurement`]). The loop is the same for every measurement; only
//! the loss differs. The plug-in designer's gap of empirical strategies can be 0 by luck, and
//! then `K` grows and `achieved` is confirmed exactly as above: it is a statement about the
//! sampled equilibria, with no guarantee for the true ones. The robust gap is positive whenever
//! the radius is (and it grows with `K` through the union bound), so for the robust designer
//! `K` grows, and `achieved` is declared, only if `L_rob` itself reaches the tolerance: then,
//! with probability `>= 1 - delta` per confirming draw, the true gap is below it too. A robust
//! gap that is merely small is never rounded to `achieved`. A positive robust gap does not prove
//! a violation either, so the robust `not_achieved` needs a confirming draw whose certified lower
//! bound `L_opt` (rp-robust's sensitivity, the optimistic program over the same balls) exceeds
//! the tolerance; if none does, the verdict is `inconclusive`. The iterations always end after
//! `T` (a robust run that never reaches the tolerance runs all of them at `K_0`).
//!
//! Seeds: everything the designer draws comes from `seed` through [`NoiseSeed::child`]:
//! stream 0 seeds SPSA (perturbations, evaluation and re-evaluation draws), stream 1 the
//! confirmations (one sub-stream per attempt), stream 2 the re-scoring of the best. The ground
//! truth's evaluation probes come from the *environment's* seed (stream [`EVALUATION_STREAM`]),
//! so runs with different design seeds are assessed on the same probes.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use rp_game::environment::Environment;
use rp_lp::ParetoGap;
use rp_policy::{
    BestTracking, NoiseSeed, NoisyObjective, ParameterBox, Query, ReevaluationNoise, Spsa,
    SpsaSettings, StepGain, StepReport,
};
use rp_robust::RobustGap;

use crate::error::DesignError;
use crate::measurement::{MeasuredCertificate, Measurement, MeasurementError, Observed};
use crate::objective::GapObjective;
use crate::report::{
    DesignReport, Evaluations, IterationRecord, PointReport, RadiusAtGames, Summary, Verdict,
    WallTime,
};
use crate::settings::{DesignSettings, LOW_POWER_GAMES, SettingsError};
use crate::truth::{Assessment, GroundTruth};

/// The schema identifier written into `summary.json`.
pub const SUMMARY_SCHEMA: &str = "rp-design/summary/2";

/// Child stream of the environment seed that draws the evaluation probes.
pub const EVALUATION_STREAM: u64 = 0x6576_616c; // "eval"

/// Child streams of the design seed: SPSA, confirmations, rescoring the best at a new `K`.
const SPSA_STREAM: u64 = 0;
const CONFIRMATION_STREAM: u64 = 1;
const RESCORE_STREAM: u64 = 2;

/// What the run is doing, for progress displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Solving the social optima of the evaluation probes.
    GroundTruth,
    /// Iterating (`total` = `T`).
    Iterations {
        /// `T`.
        total: u64,
    },
    /// Confirming the best mechanism's gap with `games` games per draw.
    Confirmation {
        /// `K`.
        games: usize,
    },
    /// Solving the verified LP for the certificate.
    Certificate,
}

/// A progress hook: called at each phase and after every iteration. Observers watch; they
/// cannot change the run.
pub trait DesignObserver {
    /// A new phase starts.
    fn phase(&mut self, _phase: Phase) {}
    /// Iteration `record.t` is done.
    fn iteration(&mut self, _record: &IterationRecord) {}
}

/// The unit observer ignores everything.
impl DesignObserver for () {}

/// The adaptive mechanism designer: settings, the environment and the optimizer's box, checked
/// and built by [`Designer::new`] before any work starts.
#[derive(Debug)]
pub struct Designer {
    settings: DesignSettings,
    env: Environment,
    space: ParameterBox,
    phi_0: Vec<f64>,
    spsa: SpsaSettings,
}

impl Designer {
    /// Validates `settings`, builds the environment, the mechanism's box and the start point.
    /// Fast: no equilibrium or LP is solved. Errors here are bad input
    /// ([`DesignError::is_input`]).
    pub fn new(settings: DesignSettings) -> Result<Self, DesignError> {
        settings.validate()?;
        if settings.probing.max_games < LOW_POWER_GAMES {
            tracing::warn!(
                max_games = settings.probing.max_games,
                "few games per evaluation: the test rarely detects a distortion, so an `achieved` verdict is weak evidence (use at least {LOW_POWER_GAMES})"
            );
        }
        let env = Environment::new(&settings.environment.config())?;
        let mechanism_box = env.mechanism(settings.mechanism).parameter_box();
        let space = ParameterBox::new(
            mechanism_box.lower().to_vec(),
            mechanism_box.upper().to_vec(),
        )
        .map_err(rp_policy::SetupError::from)?;
        let phi_0 = match &settings.initial_phi {
            Some(phi) => {
                space
                    .check_inside(phi)
                    .map_err(|e| SettingsError::Start(e.to_string()))?;
                phi.clone()
            }
            None => space
                .projected(&vec![0.0; space.dim()])
                .map_err(|e| SettingsError::Start(e.to_string()))?,
        };
        let spsa = spsa_settings(&settings, &space);
        spsa.validate().map_err(rp_policy::SetupError::from)?;
        Ok(Self {
            settings,
            env,
            space,
            phi_0,
            spsa,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &DesignSettings {
        &self.settings
    }

    /// The environment (built from the settings).
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// The SPSA settings derived from the design settings (gains relative to the box).
    pub fn spsa_settings(&self) -> &SpsaSettings {
        &self.spsa
    }

    /// The start point `phi_0`.
    pub fn initial_phi(&self) -> &[f64] {
        &self.phi_0
    }

    /// Runs Algorithm 1 to its verdict. Uses the current rayon pool for all parallel work.
    pub fn run<O: DesignObserver + ?Sized>(
        &self,
        observer: &mut O,
    ) -> Result<DesignReport, DesignError> {
        let clock = Instant::now();
        let s = &self.settings;
        tracing::info!(
            environment = ?s.environment.kind,
            mechanism = ?s.mechanism,
            iterations = s.iterations,
            games = s.probing.initial_games,
            seed = s.seed,
            "design run"
        );
        observer.phase(Phase::GroundTruth);
        let truth = GroundTruth::new(
            &self.env,
            s.evaluation.games,
            NoiseSeed::new(s.environment.seed)
                .child(EVALUATION_STREAM)
                .value(),
        )
        .map_err(DesignError::GroundTruth)?;
        let mut objective = GapObjective::new(
            &self.env,
            s.mechanism,
            s.probing.initial_games,
            s.measurement,
        )
        .with_coupling(s.sample_coupling);
        let mut spsa = Spsa::new(
            self.spsa.clone(),
            self.space.clone(),
            self.phi_0.clone(),
            NoiseSeed::new(s.seed).child(SPSA_STREAM).value(),
        )?;
        // Calibrates `a` and re-evaluates phi_0 (the first step would do both anyway).
        let initial_gap = spsa.finish(&mut objective)?.best.loss.loss;
        let mut run = Run {
            best: Best {
                phi: self.phi_0.clone(),
                index: 0,
                gap: initial_gap,
            },
            trajectory: Vec::new(),
            confirmation: None,
            attempts: 0,
            rescores: 0,
        };
        observer.phase(Phase::Iterations {
            total: s.iterations,
        });
        self.iterate(&mut spsa, &mut objective, &truth, &mut run, observer)?;
        let stopped_early = !spsa.is_done();
        let confirmation = match run.confirmation.take() {
            Some(c) => c,
            None => self.confirm(&mut objective, &run.best.phi, run.attempts, observer)?,
        };
        let (confirmation, initial_gaps) = self.start_if_better(
            confirmation,
            &mut objective,
            &mut run,
            initial_gap,
            observer,
        )?;
        observer.phase(Phase::Certificate);
        let certified = certify(&objective, &confirmation, s.verdict.tolerance)?;
        let final_games = objective.games();
        let true_gaps = |phi: &[f64], gaps: &[f64]| match s.measurement {
            Measurement::Exact => Ok(gaps.to_vec()),
            _ => self.true_gaps(phi, &confirmation.seeds, final_games),
        };
        let initial_true = true_gaps(&self.phi_0, &initial_gaps)?;
        let best_true = true_gaps(&run.best.phi, &confirmation.gaps)?;
        let assess = |phi: &[f64]| {
            truth
                .assess(&self.env, s.mechanism, phi)
                .map_err(DesignError::GroundTruth)
        };
        let initial = point(
            &self.phi_0,
            0,
            (initial_gaps, initial_true),
            initial_gap,
            assess(&self.phi_0)?,
        );
        let best = point(
            &run.best.phi,
            run.best.index,
            (confirmation.gaps.clone(), best_true),
            run.best.gap,
            assess(&run.best.phi)?,
        );
        let work = objective.work();
        let verdict = certified.verdict;
        tracing::info!(%verdict, best_gap = best.gap, initial_gap = initial.gap, "design verdict");
        let summary = Summary {
            schema: SUMMARY_SCHEMA.to_string(),
            verdict,
            measurement: s.measurement.name().to_string(),
            samples: s.measurement.samples(),
            delta: s.measurement.delta(),
            radius: self.radii(final_games)?,
            true_gap: best.true_gap,
            environment: s.environment.clone(),
            mechanism: s.mechanism,
            seed: s.seed,
            iterations: spsa.t(),
            stopped_early,
            evaluations: Evaluations {
                gaps: work.gaps + certified.lps,
                equilibria: work.equilibria,
                dropped_games: work.dropped_games,
            },
            final_games,
            gap_ratio: (initial.gap > 0.0).then(|| best.gap / initial.gap),
            initial,
            best,
            verified: certified.verified,
            certificate: certified.gap,
            robust_certificate: certified.robust,
            lower_bounds: certified.lower_bounds,
            gains: spsa
                .gains()
                .expect("the start evaluation resolved the gains (calibration included)"),
            settings: s.clone(),
            wall_time: WallTime {
                total_seconds: clock.elapsed().as_secs_f64(),
                equilibrium_seconds: work.equilibrium_time.as_secs_f64(),
                lp_seconds: (work.lp_time + certified.lp_time).as_secs_f64(),
            },
        };
        Ok(DesignReport {
            summary,
            trajectory: run.trajectory,
        })
    }

    /// THEORY §7 keeps the best `phi` by re-evaluated gap, and the start is a candidate too: a
    /// short or noisy run can end with an iterate that the confirming games rank below `phi_0`
    /// (found by a tester: river, 20 iterations, `K = 8`). The start is measured on the
    /// confirmation's own draws; if it does better, it is reported as the best and confirmed
    /// like any best mechanism ([`Self::confirm`], same draws): `K` grows while its gaps are
    /// within the tolerance, so a start with zero gaps below the cap is not called
    /// `not_achieved` (found by a tester: `--games 2 --iterations 5`). Also returns the start's
    /// gaps on the final draws (the summary's `initial.gaps`).
    fn start_if_better<O: DesignObserver + ?Sized>(
        &self,
        confirmation: Confirmation,
        objective: &mut GapObjective<'_>,
        run: &mut Run,
        initial_gap: f64,
        observer: &mut O,
    ) -> Result<(Confirmation, Vec<f64>), MeasurementError> {
        let sets = objective.observe_batch(&queries(&self.phi_0, &confirmation.seeds))?;
        let start_gaps = objective.gaps(&sets)?;
        if confirmation.verdict == Verdict::Achieved
            || mean(&start_gaps) >= mean(&confirmation.gaps)
        {
            return Ok((confirmation, start_gaps));
        }
        tracing::info!(
            start = mean(&start_gaps),
            best = mean(&confirmation.gaps),
            "the start beats the best iterate on the confirming games; reporting the start"
        );
        run.best = Best {
            phi: self.phi_0.clone(),
            index: 0,
            gap: initial_gap,
        };
        // The final confirmation used attempt `run.attempts` (early stops end `achieved` and
        // never get here): the same draws again, recomputed at this K (deterministic), and K
        // grows if they are all within the tolerance.
        let confirmed = self.confirm(objective, &self.phi_0, run.attempts, observer)?;
        let start_gaps = confirmed.gaps.clone();
        Ok((confirmed, start_gaps))
    }

    /// The iterations with adaptive probing and best tracking (module doc). Ends after `T`
    /// iterations, or earlier when a confirmation at the cap declares `achieved` (kept in
    /// `run.confirmation`).
    fn iterate<O: DesignObserver + ?Sized>(
        &self,
        spsa: &mut Spsa,
        objective: &mut GapObjective<'_>,
        truth: &GroundTruth,
        run: &mut Run,
        observer: &mut O,
    ) -> Result<(), DesignError> {
        let s = &self.settings;
        let mut zero_streak = 0u32;
        while !spsa.is_done() {
            let step = spsa.step(objective)?;
            let games = objective.games();
            let gap = reevaluated_gap(&step);
            if gap < run.best.gap {
                // A challenger: one more fresh draw, so a single lucky draw cannot win.
                let second = self.rescore(objective, &step.next_phi, &mut run.rescores)?;
                let score = 0.5 * (gap + second);
                if score < run.best.gap {
                    run.best = Best {
                        phi: step.next_phi.clone(),
                        index: step.t + 1,
                        gap: score,
                    };
                }
            }
            if gap <= s.verdict.tolerance {
                if games < s.probing.max_games {
                    let more = grown(games, s);
                    tracing::info!(t = step.t, from = games, to = more, "zero gap: more games");
                    objective.set_games(more);
                    run.best.gap = self.rescore(objective, &run.best.phi, &mut run.rescores)?;
                    zero_streak = 0;
                } else {
                    zero_streak += 1;
                }
            } else {
                zero_streak = 0;
            }
            let assessed = s.evaluation.every > 0 && (step.t + 1) % s.evaluation.every == 0;
            let record = IterationRecord {
                t: step.t,
                games,
                loss_plus: step.loss_plus,
                loss_minus: step.loss_minus,
                phi: step.next_phi.clone(),
                gap,
                best_gap: run.best.gap,
                games_next: objective.games(),
                truth: if assessed {
                    Some(
                        truth
                            .assess(&self.env, s.mechanism, &step.next_phi)
                            .map_err(DesignError::GroundTruth)?,
                    )
                } else {
                    None
                },
                gains: step.gains,
            };
            tracing::debug!(
                t = record.t,
                k = games,
                gap,
                best = record.best_gap,
                "iteration"
            );
            observer.iteration(&record);
            run.trajectory.push(record);
            if s.verdict.stop_when_achieved && zero_streak >= s.verdict.confirmations {
                let confirmation =
                    self.confirm(objective, &run.best.phi, run.attempts, observer)?;
                run.attempts += 1;
                if confirmation.verdict == Verdict::Achieved {
                    tracing::info!(t = step.t, "achieved at the cap: stopping early");
                    run.confirmation = Some(confirmation);
                    return Ok(());
                }
                // A confirmation is a re-evaluation too: the best keeps its confirmed gap, so a
                // later zero-gap iterate can replace it.
                run.best.gap = mean(&confirmation.gaps);
                zero_streak = 0;
                observer.phase(Phase::Iterations {
                    total: s.iterations,
                });
            }
        }
        Ok(())
    }

    /// The exact-strategy gaps of `phi` on the games of `seeds` at `K = games` (evaluation
    /// only: a separate objective, so the designer's work counts are untouched).
    fn true_gaps(
        &self,
        phi: &[f64],
        seeds: &[NoiseSeed],
        games: usize,
    ) -> Result<Vec<f64>, MeasurementError> {
        let mut exact = GapObjective::new(
            &self.env,
            self.settings.mechanism,
            games,
            Measurement::Exact,
        );
        let sets = exact.observe_batch(&queries(phi, seeds))?;
        exact.gaps(&sets)
    }

    /// The robust radius at every `K` of the growth schedule up to `final_games` (empty unless
    /// robust).
    fn radii(&self, final_games: usize) -> Result<Vec<RadiusAtGames>, MeasurementError> {
        let s = &self.settings;
        let mut out = Vec::new();
        let mut games = s.probing.initial_games;
        loop {
            if let Some(l1) = s.measurement.radius(self.env.agents(), games)? {
                out.push(RadiusAtGames { games, l1 });
            }
            if games >= final_games {
                return Ok(out);
            }
            games = grown(games, s);
        }
    }

    /// The best mechanism's gap at a new `K`, on a fresh draw of the rescoring stream.
    fn rescore(
        &self,
        objective: &mut GapObjective<'_>,
        phi: &[f64],
        rescores: &mut u64,
    ) -> Result<f64, MeasurementError> {
        let noise = NoiseSeed::new(self.settings.seed)
            .child(RESCORE_STREAM)
            .child(*rescores);
        *rescores += 1;
        objective.evaluate(phi, noise)
    }

    /// Confirms a mechanism's gap on `confirmations` fresh draws (attempt `attempt` of the
    /// confirmation stream), growing `K` while they are all zero (module doc).
    fn confirm<O: DesignObserver + ?Sized>(
        &self,
        objective: &mut GapObjective<'_>,
        phi: &[f64],
        attempt: u64,
        observer: &mut O,
    ) -> Result<Confirmation, MeasurementError> {
        let s = &self.settings;
        let seeds: Vec<NoiseSeed> = (0..s.verdict.confirmations)
            .map(|i| {
                NoiseSeed::new(s.seed)
                    .child(CONFIRMATION_STREAM)
                    .child(attempt)
                    .child(u64::from(i))
            })
            .collect();
        loop {
            let games = objective.games();
            observer.phase(Phase::Confirmation { games });
            let sets = objective.observe_batch(&queries(phi, &seeds))?;
            let gaps = objective.gaps(&sets)?;
            let zero = gaps.iter().all(|g| *g <= s.verdict.tolerance);
            tracing::info!(games, ?gaps, "confirming evaluations");
            if zero && games < s.probing.max_games {
                objective.set_games(grown(games, s));
                continue;
            }
            let verdict = if zero {
                Verdict::Achieved
            } else {
                Verdict::NotAchieved
            };
            return Ok(Confirmation {
                seeds,
                gaps,
                sets,
                verdict,
            });
        }
    }
}

/// The best mechanism so far, by re-evaluated gap (lower wins; a tie keeps the earlier one).
struct Best {
    phi: Vec<f64>,
    index: u64,
    gap: f64,
}

/// The state of a run's iterations.
struct Run {
    best: Best,
    trajectory: Vec<IterationRecord>,
    /// A confirmation that declared `achieved` and ended the iterations.
    confirmation: Option<Confirmation>,
    /// Confirmation attempts made (each uses its own seeds).
    attempts: u64,
    /// Rescoring draws made.
    rescores: u64,
}

/// `K` after one growth step, capped.
fn grown(games: usize, s: &DesignSettings) -> usize {
    games
        .saturating_mul(s.probing.growth)
        .min(s.probing.max_games)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// The confirming evaluations of the best mechanism.
struct Confirmation {
    seeds: Vec<NoiseSeed>,
    gaps: Vec<f64>,
    sets: Vec<Observed>,
    verdict: Verdict,
}

/// The certificate: the verified gap of the worst confirming draw (the first of equal ones).
/// For `achieved`, every confirming draw is verified (a zero gap from the fast unverified LP is
/// not trusted alone), and `verified` is true only if all of them pass. For the robust
/// measurement every draw is certified too, for its lower bound `L_opt`, which decides between
/// `not_achieved` and `inconclusive` (see [`final_verdict`]).
struct Certified {
    gap: ParetoGap,
    robust: Option<RobustGap>,
    lower_bounds: Vec<f64>,
    verdict: Verdict,
    verified: bool,
    /// Verified LPs solved.
    lps: u64,
    lp_time: Duration,
}

fn certify(
    objective: &GapObjective<'_>,
    confirmation: &Confirmation,
    tolerance: f64,
) -> Result<Certified, MeasurementError> {
    let worst = confirmation
        .gaps
        .iter()
        .enumerate()
        .fold(0, |w, (i, g)| if *g > confirmation.gaps[w] { i } else { w });
    let start = Instant::now();
    let measurement = objective.measurement();
    let robust = matches!(measurement, Measurement::Robust { .. });
    let every = confirmation.verdict == Verdict::Achieved || robust;
    let certificates: Vec<MeasuredCertificate> = confirmation
        .sets
        .par_iter()
        .enumerate()
        .filter(|(i, _)| every || *i == worst)
        .map(|(_, set)| measurement.certified_gap(set))
        .collect::<Result<_, _>>()?;
    let worst_index = if every { worst } else { 0 };
    let value = certificates[worst_index].value();
    let achieved = confirmation.verdict == Verdict::Achieved;
    let verified = certificates
        .iter()
        .all(|c| c.verified() && (!achieved || c.value() <= value));
    // The summary carries the worst draw's certificate, unless a draw failed its verifier:
    // then that draw's, so the failures a reader is told about are in the file.
    let shown = certificates
        .iter()
        .position(|c| !c.verified())
        .unwrap_or(worst_index);
    let lower_bounds: Vec<f64> = certificates.iter().filter_map(|c| c.lower).collect();
    let verdict = final_verdict(confirmation.verdict, &lower_bounds, tolerance);
    let shown_cert = certificates[shown].clone();
    Ok(Certified {
        gap: shown_cert.nominal,
        robust: shown_cert.robust,
        verdict,
        lower_bounds,
        verified,
        // Robust: the nominal gap, L_rob, and the sensitivity's nominal gap and two bounds.
        lps: certificates.len() as u64 * if robust { 5 } else { 1 },
        lp_time: start.elapsed(),
    })
}

/// The verdict after certification. A confirmation that was not all zero is `not_achieved`,
/// except for the robust measurement when no confirming draw's certified lower bound exceeds
/// the tolerance: then the positive robust gap may be the radius alone, and the verdict is
/// `inconclusive` (empty `lower_bounds`: not robust, unchanged).
fn final_verdict(confirmed: Verdict, lower_bounds: &[f64], tolerance: f64) -> Verdict {
    let certified_positive = lower_bounds.iter().any(|l| *l > tolerance);
    if confirmed == Verdict::NotAchieved && !lower_bounds.is_empty() && !certified_positive {
        Verdict::Inconclusive
    } else {
        confirmed
    }
}

/// One query per seed at `phi`.
fn queries<'a>(phi: &'a [f64], seeds: &[NoiseSeed]) -> Vec<Query<'a>> {
    seeds
        .iter()
        .map(|&noise| Query { theta: phi, noise })
        .collect()
}

/// A point's report from its confirming gaps and their exact-strategy counterparts.
fn point(
    phi: &[f64],
    index: u64,
    (gaps, true_gaps): (Vec<f64>, Vec<f64>),
    gap_in_run: f64,
    truth: Assessment,
) -> PointReport {
    PointReport {
        phi: phi.to_vec(),
        index,
        gap: mean(&gaps),
        gaps,
        gap_in_run,
        true_gap: mean(&true_gaps),
        true_gaps,
        truth,
    }
}

/// The re-evaluated gap of `phi_{t+1}`: the designer re-evaluates every iterate.
fn reevaluated_gap(step: &StepReport) -> f64 {
    step.reevaluation
        .as_ref()
        .map(|r| r.loss)
        .expect("best.every = 1: every iterate is re-evaluated")
}

/// SPSA settings from the design settings: gains relative to the box's mean half-width `R`
/// (see [`crate::settings`]).
fn spsa_settings(s: &DesignSettings, space: &ParameterBox) -> SpsaSettings {
    let d = space.dim().max(1) as f64;
    let r = space
        .lower()
        .iter()
        .zip(space.upper())
        .map(|(l, u)| (u - l) / 2.0)
        .sum::<f64>()
        / d;
    SpsaSettings {
        iterations: s.iterations,
        a: StepGain::Calibrated {
            target_step: s.gains.step * r,
            samples: s.gains.calibration_samples,
        },
        c: s.gains.perturbation * r,
        big_a: s.gains.big_a,
        alpha: s.gains.alpha,
        gamma: s.gains.gamma,
        b: s.gains.annealing * r,
        best: BestTracking {
            every: 1,
            repetitions: 1,
            noise: ReevaluationNoise::Fresh,
        },
    }
}
