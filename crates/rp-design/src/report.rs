//! What a design run reports: one [`IterationRecord`] per iteration (the rows of
//! `trajectory.csv`) and a [`Summary`] (the content of `summary.json`; schema in
//! [`crate::output`] and the README).
//!
//! No field is ever NaN: a quantity that is not defined is `None` (JSON `null`, an empty CSV
//! cell).

use rp_game::mechanism::MechanismClass;
use rp_lp::ParetoGap;
use rp_policy::{GainSchedule, Gains};
use serde::{Deserialize, Serialize};

use crate::settings::{DesignSettings, EnvironmentSettings};
use crate::truth::Assessment;

/// The designer's verdict (THEORY §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The best mechanism's gap stayed below the tolerance over every confirming evaluation at
    /// the largest number of games: its equilibria pass the social-optimality test.
    Achieved,
    /// The best mechanism's gap is positive; the summary carries the verified violation
    /// certificate at it. For the robust measurement: the certified lower bound `L_opt` of
    /// some confirming draw is above the tolerance, so with probability `>= 1 - delta` the true
    /// equilibria of that draw fail the test.
    NotAchieved,
    /// Robust measurement only: the robust gap `L_rob` stayed above the tolerance but no
    /// confirming draw's lower bound `L_opt` did. The samples cannot tell a socially optimal
    /// mechanism from one that is not; more samples are needed.
    Inconclusive,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Achieved => "achieved",
            Verdict::NotAchieved => "not_achieved",
            Verdict::Inconclusive => "inconclusive",
        })
    }
}

/// Iteration `t` of Algorithm 1: the two-sided losses around `phi_t`, the new iterate
/// `phi_{t+1}` with its re-evaluated gap, and (evaluation only) its ground truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    /// The iteration index `t` (from 0).
    pub t: u64,
    /// Games `K` per evaluation in this iteration.
    pub games: usize,
    /// `L(phi+)`.
    pub loss_plus: f64,
    /// `L(phi-)`.
    pub loss_minus: f64,
    /// The new iterate `phi_{t+1}`.
    pub phi: Vec<f64>,
    /// Its re-evaluated gap (fresh games, `K` of this iteration).
    pub gap: f64,
    /// The best re-evaluated gap so far (at this iteration's `K`).
    pub best_gap: f64,
    /// `K` for the next iteration (larger when this gap was zero and `K` below the cap).
    pub games_next: usize,
    /// Ground truth at `phi_{t+1}`, when assessed (never seen by the designer).
    pub truth: Option<Assessment>,
    /// The gains `a_t`, `c_t`, `b_t`.
    pub gains: Gains,
}

/// One mechanism as the summary reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointReport {
    /// The parameter `phi`.
    pub phi: Vec<f64>,
    /// Iterate index (0: the start; `t + 1`: made by iteration `t`).
    pub index: u64,
    /// Mean gap over the confirming evaluations at the final `K`.
    pub gap: f64,
    /// The confirming evaluations' gaps (the same games for the start and the best).
    pub gaps: Vec<f64>,
    /// The re-evaluated gap the run tracked for this point (at the `K` in force then).
    pub gap_in_run: f64,
    /// Mean of [`PointReport::true_gaps`] (evaluation only, never seen by the designer).
    pub true_gap: f64,
    /// The exact-strategy `Separable` additive gap on each confirming draw's games: the gap the
    /// designer would see with exact equilibria (equal to `gaps` for the exact measurement).
    pub true_gaps: Vec<f64>,
    /// Ground truth (never seen by the designer).
    pub truth: Assessment,
}

/// Counts of the work done (deterministic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluations {
    /// Gap evaluations (one LP each), calibration and confirmations included.
    pub gaps: u64,
    /// Equilibria solved for the designer (the ground truth's are not counted).
    pub equilibria: u64,
    /// Sampled games dropped because they revealed nothing (see [`crate::measurement`]).
    pub dropped_games: u64,
}

/// The L1 radius of the robust measurement at one number of games `K` (the union bound grows
/// with `K`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RadiusAtGames {
    /// `K`.
    pub games: usize,
    /// `eps(S, delta)` for `K` games.
    pub l1: f64,
}

/// Wall-clock times: the only part of a summary that depends on the machine and the thread
/// count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WallTime {
    /// The whole run.
    pub total_seconds: f64,
    /// Solving the designer's equilibria.
    pub equilibrium_seconds: f64,
    /// Gap LPs (the certificate's included).
    pub lp_seconds: f64,
}

/// The content of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Schema identifier, `rp-design/summary/2`.
    pub schema: String,
    /// The verdict.
    pub verdict: Verdict,
    /// `"exact"`, `"plug_in"` or `"robust"`.
    pub measurement: String,
    /// Samples per agent and game `S` (`None` for exact strategies).
    pub samples: Option<usize>,
    /// The confidence parameter `delta` (robust only).
    pub delta: Option<f64>,
    /// The L1 radius at each `K` the run used, from the first to `final_games` (robust only;
    /// empty otherwise).
    pub radius: Vec<RadiusAtGames>,
    /// `best.true_gap`: the exact-strategy gap of the best mechanism on the final confirming
    /// games (evaluation only).
    pub true_gap: f64,
    /// The environment (resolved sizes).
    pub environment: EnvironmentSettings,
    /// The mechanism class.
    pub mechanism: MechanismClass,
    /// The design seed.
    pub seed: u64,
    /// Iterations run (fewer than `T` when stopped on an achieved gap).
    pub iterations: u64,
    /// Whether the run stopped before `T` iterations.
    pub stopped_early: bool,
    /// Work done.
    pub evaluations: Evaluations,
    /// `K` at the end (the certificate's and the confirmations' number of games).
    pub final_games: usize,
    /// The start `phi_0`.
    pub initial: PointReport,
    /// The best mechanism by re-evaluated gap.
    pub best: PointReport,
    /// `best.gap / initial.gap` (`None` when the initial gap is 0).
    pub gap_ratio: Option<f64>,
    /// The gap at the best mechanism on its worst confirming evaluation, with its certificate
    /// (a violation certificate: primal point and dual, when the gap is positive; Afriat
    /// numbers when it is 0) and the independent verifier's answer.
    pub certificate: ParetoGap,
    /// Robust measurement: `L_rob` of the same draw with its certificate and rp-robust's
    /// verifier's report (`null` otherwise).
    pub robust_certificate: Option<rp_robust::RobustGap>,
    /// Robust measurement: the certified lower bound `L_opt` of each confirming draw (the gap
    /// of every profile in the balls is at least this); empty otherwise.
    pub lower_bounds: Vec<f64>,
    /// The verifiers' verdict on the certificates (rp-lp's, and rp-robust's for the robust
    /// measurement); for `achieved`, on every confirming draw's zero gap (each must verify and
    /// not exceed the certificate's value).
    pub verified: bool,
    /// The SPSA gain constants in force (`a` after calibration, `A` resolved).
    pub gains: GainSchedule,
    /// All settings.
    pub settings: DesignSettings,
    /// Wall-clock times.
    pub wall_time: WallTime,
}

/// A design run: its summary and its trajectory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignReport {
    /// The summary.
    pub summary: Summary,
    /// One record per iteration.
    pub trajectory: Vec<IterationRecord>,
}
