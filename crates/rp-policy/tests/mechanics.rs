//! The mechanics of one step and of a run: THEORY §7's formulas applied exactly, annealing
//! noise, projection, best-iterate tracking, calibration, errors, determinism.

mod common;

use std::convert::Infallible;
use std::ops::ControlFlow;

use common::ShiftedQuadratic;
use rp_policy::{
    BestTracking, GainSchedule, NoiseSeed, NoisyObjective, ParameterBox, Phase, Query,
    ReevaluationNoise, SetupError, Spsa, SpsaSettings, StepError, StepGain, StepReport, from_fn,
};

/// `L(phi) = slope . phi`, noise-free.
fn linear(slope: Vec<f64>) -> impl NoisyObjective<Error = Infallible> {
    from_fn(move |phi: &[f64], _: NoiseSeed| Ok(phi.iter().zip(&slope).map(|(p, s)| p * s).sum()))
}

fn wide_box(d: usize) -> ParameterBox {
    ParameterBox::cube(d, -1e6, 1e6).expect("valid cube")
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0)
}

/// Plain SPSA for `iterations` steps with `a` calibrated to a first step of `target_step`.
fn calibrated(target_step: f64, samples: u32, iterations: u64) -> SpsaSettings {
    SpsaSettings {
        a: StepGain::Calibrated {
            target_step,
            samples,
        },
        ..SpsaSettings::plain(iterations)
    }
}

fn steps<O: NoisyObjective>(spsa: &mut Spsa, objective: &mut O, n: usize) -> Vec<StepReport> {
    (0..n)
        .map(|_| spsa.step(objective).expect("objective succeeds"))
        .collect()
}

#[test]
fn a_step_applies_the_theory_formulas() {
    // L = g . phi with g = (1, -2, 0.5): L(phi+) - L(phi-) = 2 c_t (g . Delta), so
    // g_t,i = (g . Delta) Delta_i and phi_{t+1} = phi_t - a_t g_t (no clamping in a wide box).
    let slope = vec![1.0, -2.0, 0.5];
    let settings = SpsaSettings {
        a: StepGain::Fixed(0.7),
        c: 0.3,
        big_a: Some(5.0),
        ..SpsaSettings::plain(20)
    };
    let expected_gains = GainSchedule {
        a: 0.7,
        c: 0.3,
        big_a: 5.0,
        alpha: 0.602,
        gamma: 0.101,
        b: 0.0,
    };
    let mut spsa = Spsa::new(settings, wide_box(3), vec![0.1, 0.2, 0.3], 11).expect("valid setup");
    assert_eq!(spsa.gains(), Some(expected_gains));
    for r in steps(&mut spsa, &mut linear(slope.clone()), 20) {
        assert_eq!(r.gains, expected_gains.at(r.t));
        assert!(r.delta.iter().all(|d| *d == 1.0 || *d == -1.0));
        let g_dot_delta: f64 = slope.iter().zip(&r.delta).map(|(g, d)| g * d).sum();
        for i in 0..3 {
            assert!(close(r.phi_plus[i], r.phi[i] + r.gains.c_t * r.delta[i]));
            assert!(close(r.phi_minus[i], r.phi[i] - r.gains.c_t * r.delta[i]));
            assert!(close(
                r.gradient[i],
                (r.loss_plus - r.loss_minus) / (2.0 * r.gains.c_t) * r.delta[i]
            ));
            assert!((r.gradient[i] - g_dot_delta * r.delta[i]).abs() < 1e-9);
            assert!(close(r.next_phi[i], r.phi[i] - r.gains.a_t * r.gradient[i]));
        }
        assert!(
            r.annealing_noise.is_none(),
            "plain SPSA draws no annealing noise"
        );
    }
}

#[test]
fn annealing_noise_is_b_t_times_a_standard_normal() {
    // A flat loss gives g_t = 0, so phi_{t+1} - phi_t = b_t w_t exactly.
    let (d, n) = (5, 2000);
    let flat = &mut from_fn(|_: &[f64], _: NoiseSeed| Ok::<f64, Infallible>(1.0));
    let mut spsa = Spsa::new(
        SpsaSettings::annealed(n as u64, 0.5),
        wide_box(d),
        vec![0.0; d],
        5,
    )
    .expect("valid");
    let mut w_all = Vec::new();
    for r in steps(&mut spsa, flat, n) {
        let t = r.t as f64;
        let b_t = 0.5 / ((t + 1.0) * (t + 3.0).ln().ln()).sqrt();
        assert!(close(r.gains.b_t, b_t));
        let w = r.annealing_noise.expect("annealed SPSA draws w_t");
        for ((next, phi), w_i) in r.next_phi.iter().zip(&r.phi).zip(&w) {
            // Rounding of (phi + b_t w) - phi is relative to |phi|.
            assert!((next - phi - b_t * w_i).abs() <= 1e-12 * (1.0 + phi.abs()));
        }
        w_all.extend(w);
    }
    // 10000 draws of N(0, 1): the mean's standard error is 0.01, the variance's about 0.014.
    let m = w_all.len() as f64;
    let mean = w_all.iter().sum::<f64>() / m;
    let var = w_all.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / (m - 1.0);
    assert!(
        mean.abs() < 0.04 && (var - 1.0).abs() < 0.06,
        "mean {mean}, variance {var}"
    );
}

#[test]
fn best_is_tracked_by_reevaluation_on_schedule() {
    // T = 10, every 3rd iterate, r = 2: evaluations = 2 (phi_0) + 10 * 2 (pairs)
    // + 3 * 2 (phi_3, phi_6, phi_9) + 2 (phi_10 at the end) = 30.
    let settings = SpsaSettings {
        best: BestTracking {
            every: 3,
            repetitions: 2,
            noise: ReevaluationNoise::Fresh,
        },
        ..SpsaSettings::plain(10)
    };
    let mut objective = ShiftedQuadratic::new(2, 0.1);
    let mut spsa = Spsa::new(
        settings,
        ParameterBox::cube(2, -1.0, 1.0).expect("valid"),
        vec![-0.8; 2],
        1,
    )
    .expect("valid");
    let mut reports = Vec::new();
    let run = spsa.run(&mut objective, &mut |r: &StepReport| {
        reports.push(r.clone());
        ControlFlow::Continue(())
    });
    let run = run.expect("infallible");
    assert_eq!(run.evaluations, 30);
    assert_eq!(run.iterations, 10);
    let mut scored = Vec::new(); // (index, phi, loss) of every re-evaluated iterate
    let first_best = reports[0]
        .best
        .clone()
        .expect("the first step re-evaluates phi_0");
    assert_eq!(first_best.index, 0);
    scored.push((0, reports[0].phi.clone(), first_best.loss.loss));
    for r in &reports {
        assert_eq!(r.reevaluation.is_some(), (r.t + 1) % 3 == 0, "t = {}", r.t);
        if let Some(re) = &r.reevaluation {
            assert_eq!(re.seeds.len(), 2);
            assert!(re.standard_error.is_some());
            scored.push((r.t + 1, r.next_phi.clone(), re.loss));
        }
    }
    // phi_10 was re-evaluated by finish(); the best is the minimum over all scored iterates.
    let (index, phi, loss) = scored
        .iter()
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .expect("non-empty");
    if run.best.index != 10 {
        assert_eq!(
            (run.best.index, &run.best.phi, run.best.loss.loss),
            (*index, phi, *loss)
        );
    } else {
        assert!(run.best.loss.loss < *loss && run.best.phi == run.final_phi);
    }
}

#[test]
fn common_reevaluation_seeds_are_shared_and_fresh_ones_are_not() {
    let seeds_of = |noise| {
        let settings = SpsaSettings {
            best: BestTracking {
                every: 1,
                repetitions: 3,
                noise,
            },
            ..SpsaSettings::plain(5)
        };
        let mut spsa = Spsa::new(settings, wide_box(1), vec![0.0], 9).expect("valid");
        let reports = steps(&mut spsa, &mut linear(vec![1.0]), 5);
        reports
            .into_iter()
            .map(|r| r.reevaluation.expect("every iterate").seeds)
            .collect::<Vec<_>>()
    };
    let common = seeds_of(ReevaluationNoise::Common);
    assert!(common.windows(2).all(|w| w[0] == w[1]));
    let fresh = seeds_of(ReevaluationNoise::Fresh);
    assert!(fresh.windows(2).all(|w| w[0] != w[1]));
}

#[test]
fn calibration_sets_the_first_step_to_the_target() {
    // d = 1, L = 2 phi: every gradient estimate is exactly 2, so G = 2 and
    // a = 0.05 * (1 + A)^0.602 / 2 with A = T/10 = 2; a_0 = a / 3^0.602, and the first step
    // moves phi by a_0 * 2 = 0.05.
    let settings = calibrated(0.05, 3, 20);
    let mut spsa = Spsa::new(settings, wide_box(1), vec![0.0], 2).expect("valid");
    assert_eq!(spsa.gains(), None, "a is unknown before calibration");
    let r = spsa.step(&mut linear(vec![2.0])).expect("infallible");
    let a = 0.05 * 3f64.powf(0.602) / 2.0;
    assert!(close(spsa.gains().expect("calibrated").a, a));
    assert!(close((r.next_phi[0] - r.phi[0]).abs(), 0.05));
    // 3 calibration pairs + phi_0 + one pair + phi_1 = 6 + 1 + 2 + 1.
    assert_eq!(r.evaluations, 10);
}

#[test]
fn a_flat_start_calibrates_as_if_the_gradient_were_one() {
    let settings = calibrated(0.1, 2, 10);
    let mut spsa = Spsa::new(settings, wide_box(2), vec![0.0; 2], 2).expect("valid");
    spsa.step(&mut from_fn(|_: &[f64], _: NoiseSeed| {
        Ok::<f64, Infallible>(0.0)
    }))
    .expect("infallible");
    // G = 0 falls back to 1: a = 0.1 * (1 + 1)^0.602.
    assert!(close(
        spsa.gains().expect("calibrated").a,
        0.1 * 2f64.powf(0.602)
    ));
}

#[test]
fn observer_can_stop_a_run_and_the_final_iterate_is_still_scored() {
    let mut spsa = Spsa::new(SpsaSettings::plain(50), wide_box(1), vec![0.0], 4).expect("valid");
    let mut seen = 0;
    let run = spsa
        .run(&mut linear(vec![1.0]), &mut |r: &StepReport| {
            seen += 1;
            if r.t == 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .expect("infallible");
    assert_eq!((seen, run.iterations, run.stopped_early), (5, 5, true));
    assert_eq!(run.final_phi, spsa.phi());
    // A decreasing linear loss: the last iterate is the lowest, so it is the best.
    assert_eq!(run.best.index, 5);
}

#[test]
fn rescore_best_uses_the_objectives_new_settings() {
    // The caller changes the objective between steps (as adaptive probing does) and rescores.
    let mut offset = 0.0;
    let mut spsa = Spsa::new(SpsaSettings::plain(5), wide_box(1), vec![0.0], 8).expect("valid");
    let before = {
        let mut objective =
            from_fn(|phi: &[f64], _: NoiseSeed| Ok::<f64, Infallible>(phi[0] + offset));
        spsa.step(&mut objective).expect("infallible");
        spsa.best().expect("scored").loss.loss
    };
    offset = 10.0;
    let mut objective = from_fn(|phi: &[f64], _: NoiseSeed| Ok::<f64, Infallible>(phi[0] + offset));
    let rescored = spsa
        .rescore_best(&mut objective)
        .expect("infallible")
        .expect("a best exists");
    assert!(close(rescored.loss, before + 10.0));
    assert!(close(spsa.best().expect("scored").loss.loss, before + 10.0));
}

#[derive(Debug, thiserror::Error)]
#[error("solver failed on call {0}")]
struct SolverFailure(usize);

/// A quadratic that fails on its `fail_at`-th call (counting from 0), then works again.
struct FailsOnce {
    calls: usize,
    fail_at: usize,
}

impl NoisyObjective for FailsOnce {
    type Error = SolverFailure;

    fn evaluate(&mut self, phi: &[f64], _: NoiseSeed) -> Result<f64, SolverFailure> {
        self.calls += 1;
        if self.calls - 1 == self.fail_at {
            return Err(SolverFailure(self.fail_at));
        }
        Ok(phi.iter().map(|x| x * x).sum())
    }
}

#[test]
fn an_objective_error_stops_the_run_and_changes_nothing() {
    // Calls: 1 for phi_0, then 3 per iteration (pair + re-evaluation). Call 7 is the first side
    // of iteration t = 2.
    let new =
        || Spsa::new(SpsaSettings::plain(10), wide_box(2), vec![0.5, -0.5], 3).expect("valid");
    let mut spsa = new();
    let mut objective = FailsOnce {
        calls: 0,
        fail_at: 7,
    };
    let err = spsa.run(&mut objective, &mut ()).expect_err("call 7 fails");
    match &err {
        StepError::Objective { t, phase, source } => {
            assert_eq!((*t, *phase, source.0), (2, Phase::Perturbation, 7));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        std::error::Error::source(&err).map(|s| s.to_string()),
        Some("solver failed on call 7".into())
    );
    // The failed step committed nothing: stepping on matches a run that never failed.
    assert_eq!(spsa.t(), 2);
    let resumed = spsa
        .run(&mut objective, &mut ())
        .expect("the objective works again");
    let clean = new()
        .run(
            &mut FailsOnce {
                calls: 0,
                fail_at: usize::MAX,
            },
            &mut (),
        )
        .expect("no failure");
    assert_eq!(resumed.final_phi, clean.final_phi);
    assert_eq!(resumed.best, clean.best);
    assert_eq!(resumed.evaluations, clean.evaluations);
}

#[test]
fn a_failing_reevaluation_is_reported_with_its_phase() {
    // Call 3 is the re-evaluation of phi_1.
    let mut spsa = Spsa::new(SpsaSettings::plain(10), wide_box(1), vec![0.5], 3).expect("valid");
    let err = spsa
        .step(&mut FailsOnce {
            calls: 0,
            fail_at: 3,
        })
        .expect_err("call 3 fails");
    assert!(
        matches!(
            err,
            StepError::Objective {
                t: 0,
                phase: Phase::Reevaluation,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!((spsa.t(), spsa.evaluations(), spsa.best()), (0, 0, None));
}

#[test]
fn non_finite_losses_are_errors_not_iterates() {
    for bad in [f64::NAN, f64::INFINITY] {
        let mut spsa = Spsa::new(SpsaSettings::plain(3), wide_box(1), vec![0.0], 1).expect("valid");
        let mut objective = from_fn(move |phi: &[f64], _: NoiseSeed| {
            Ok::<f64, Infallible>(if phi[0] > 0.0 { bad } else { 0.0 })
        });
        let err = spsa.step(&mut objective).expect_err("one side is positive");
        assert!(
            matches!(
                err,
                StepError::NonFiniteLoss {
                    t: 0,
                    phase: Phase::Perturbation,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(spsa.phi(), &[0.0]);
    }
}

#[test]
fn a_batch_of_the_wrong_length_is_an_error() {
    struct Short;
    impl NoisyObjective for Short {
        type Error = Infallible;
        fn evaluate(&mut self, _: &[f64], _: NoiseSeed) -> Result<f64, Infallible> {
            Ok(0.0)
        }
        fn evaluate_batch(&mut self, _: &[Query<'_>]) -> Result<Vec<f64>, Infallible> {
            Ok(vec![0.0])
        }
    }
    let mut spsa = Spsa::new(SpsaSettings::plain(3), wide_box(1), vec![0.0], 1).expect("valid");
    let err = spsa.step(&mut Short).expect_err("two queries, one loss");
    assert!(
        matches!(
            err,
            StepError::BatchLength {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn bad_setups_are_typed_errors() {
    let space = ParameterBox::cube(2, 0.0, 1.0).expect("valid");
    let outside = Spsa::new(SpsaSettings::default(), space.clone(), vec![0.5, 1.5], 0);
    assert!(matches!(outside, Err(SetupError::Start(_))));
    let short = Spsa::new(SpsaSettings::default(), space.clone(), vec![0.5], 0);
    assert!(matches!(short, Err(SetupError::Start(_))));
    let zero = Spsa::new(SpsaSettings::plain(0), space, vec![0.5, 0.5], 0);
    assert!(matches!(zero, Err(SetupError::Settings(_))));
}

#[test]
fn same_seed_same_trajectory_and_streams_are_separate() {
    let trajectory = |settings: SpsaSettings, seed| {
        let mut spsa = Spsa::new(
            settings,
            ParameterBox::cube(3, -1.0, 1.0).expect("valid"),
            vec![0.0; 3],
            seed,
        )
        .expect("valid");
        steps(&mut spsa, &mut ShiftedQuadratic::new(3, 0.2), 30)
    };
    let a = trajectory(SpsaSettings::annealed(30, 0.3), 17);
    assert_eq!(a, trajectory(SpsaSettings::annealed(30, 0.3), 17));
    assert_ne!(a, trajectory(SpsaSettings::annealed(30, 0.3), 18));
    // Plain and annealed runs of one seed see the same perturbations and environment draws.
    let plain = trajectory(SpsaSettings::plain(30), 17);
    for (p, q) in plain.iter().zip(&a) {
        assert_eq!((&p.delta, p.noise), (&q.delta, q.noise));
    }
}

/// Evaluates each batch on scoped threads, one per query: results must not depend on it.
struct Threaded(ShiftedQuadratic);

impl NoisyObjective for Threaded {
    type Error = Infallible;

    fn evaluate(&mut self, phi: &[f64], noise: NoiseSeed) -> Result<f64, Infallible> {
        self.0.evaluate(phi, noise)
    }

    fn evaluate_batch(&mut self, queries: &[Query<'_>]) -> Result<Vec<f64>, Infallible> {
        let inner = &self.0;
        std::thread::scope(|scope| {
            let handles: Vec<_> = queries
                .iter()
                .map(|q| scope.spawn(move || inner.clone().evaluate(q.theta, q.noise)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("evaluation threads do not panic"))
                .collect()
        })
    }
}

#[test]
fn a_parallel_objective_gives_the_same_run() {
    let settings = SpsaSettings {
        best: BestTracking {
            repetitions: 3,
            ..BestTracking::default()
        },
        ..SpsaSettings::annealed(25, 0.2)
    };
    let space = ParameterBox::cube(4, -1.0, 1.0).expect("valid");
    let run = |objective: &mut dyn FnMut(&mut Spsa) -> rp_policy::RunReport| {
        let mut spsa = Spsa::new(settings.clone(), space.clone(), vec![0.3; 4], 21).expect("valid");
        objective(&mut spsa)
    };
    let sequential = run(&mut |s| {
        s.run(&mut ShiftedQuadratic::new(4, 0.1), &mut ())
            .expect("infallible")
    });
    let parallel = run(&mut |s| {
        s.run(&mut Threaded(ShiftedQuadratic::new(4, 0.1)), &mut ())
            .expect("infallible")
    });
    assert_eq!(sequential, parallel);
}

#[test]
fn both_sides_share_one_environment_draw_and_reevaluations_have_their_own() {
    // Record every query: per iteration, the pair (phi+, phi-) carries the report's seed; the
    // re-evaluation of phi_{t+1} carries a different one.
    let mut calls: Vec<(Vec<f64>, NoiseSeed)> = Vec::new();
    let mut spsa = Spsa::new(SpsaSettings::plain(8), wide_box(2), vec![0.0; 2], 6).expect("valid");
    let mut reports = Vec::new();
    {
        let mut objective = from_fn(|phi: &[f64], noise: NoiseSeed| {
            calls.push((phi.to_vec(), noise));
            Ok::<f64, Infallible>(phi[0] - phi[1])
        });
        for _ in 0..8 {
            reports.push(spsa.step(&mut objective).expect("infallible"));
        }
    }
    // Calls: phi_0, then (phi+, phi-, phi_{t+1}) per iteration.
    assert_eq!(calls.len(), 1 + 3 * 8);
    for (r, chunk) in reports.iter().zip(calls[1..].chunks(3)) {
        assert_eq!((&chunk[0].0, chunk[0].1), (&r.phi_plus, r.noise));
        assert_eq!((&chunk[1].0, chunk[1].1), (&r.phi_minus, r.noise));
        assert_eq!(&chunk[2].0, &r.next_phi);
        assert_ne!(chunk[2].1, r.noise);
    }
    let pair_seeds: std::collections::HashSet<_> = reports.iter().map(|r| r.noise).collect();
    assert_eq!(
        pair_seeds.len(),
        8,
        "a fresh environment draw per iteration"
    );
}

#[test]
fn a_subnormal_gradient_scale_cannot_make_the_gain_infinite() {
    // L = 1e-310 phi: G = 1e-310 would give a = 0.1 * 2^0.602 / 1e-310 = inf; the fallback uses
    // G = 1 and every iterate stays finite.
    let settings = calibrated(0.1, 1, 10);
    let mut spsa = Spsa::new(settings, wide_box(1), vec![0.0], 2).expect("valid");
    spsa.run(&mut linear(vec![1e-310]), &mut ())
        .expect("infallible");
    assert!(close(
        spsa.gains().expect("calibrated").a,
        0.1 * 2f64.powf(0.602)
    ));
    assert!(spsa.phi()[0].is_finite());
}
