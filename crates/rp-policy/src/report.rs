//! What the optimizer reports: one [`StepReport`] per iteration, the [`BestIterate`] so far, and
//! a [`RunReport`] when a run finishes. All are serde data, so a caller can write trajectories.

use serde::{Deserialize, Serialize};

use crate::gains::{GainSchedule, Gains};
use crate::objective::NoiseSeed;

/// A re-evaluated loss: the mean of `r` evaluations at one point with their own noise seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reevaluation {
    /// The mean loss over the repetitions.
    pub loss: f64,
    /// The standard error of the mean, `s / sqrt(r)` with the sample standard deviation `s`;
    /// `None` for a single repetition.
    pub standard_error: Option<f64>,
    /// The noise seeds used, one per repetition.
    pub seeds: Vec<NoiseSeed>,
}

/// The best iterate so far, by re-evaluated loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestIterate {
    /// The iterate `phi_s`.
    pub phi: Vec<f64>,
    /// Its index `s` (0 for the start point, `t + 1` for the iterate made by iteration `t`).
    pub index: u64,
    /// Its re-evaluated loss.
    pub loss: Reevaluation,
}

/// Everything about iteration `t`: THEORY §7 steps 1–4 and the best-iterate bookkeeping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// The iteration index `t` (from 0).
    pub t: u64,
    /// The iterate `phi_t` that was perturbed.
    pub phi: Vec<f64>,
    /// The Rademacher perturbation `Delta_t` in `{-1, +1}^d`.
    pub delta: Vec<f64>,
    /// `phi+ = Proj(phi_t + c_t Delta_t)`.
    pub phi_plus: Vec<f64>,
    /// `phi- = Proj(phi_t - c_t Delta_t)`.
    pub phi_minus: Vec<f64>,
    /// The environment draw shared by both sides (common random numbers).
    pub noise: NoiseSeed,
    /// `L(phi+)`.
    pub loss_plus: f64,
    /// `L(phi-)`.
    pub loss_minus: f64,
    /// The gradient estimate `g_t = (L(phi+) - L(phi-)) / (2 c_t) * Delta_t^{-1}`.
    pub gradient: Vec<f64>,
    /// The gains `a_t`, `c_t`, `b_t`.
    pub gains: Gains,
    /// The annealing draw `w_t ~ N(0, I)`; `None` for plain SPSA (`b = 0`).
    pub annealing_noise: Option<Vec<f64>>,
    /// The new iterate `phi_{t+1} = Proj(phi_t - a_t g_t + b_t w_t)`.
    pub next_phi: Vec<f64>,
    /// The re-evaluation of `phi_{t+1}`, when this iteration made one.
    pub reevaluation: Option<Reevaluation>,
    /// The best iterate after this iteration (`None` only if nothing was re-evaluated yet,
    /// which cannot happen after the first step).
    pub best: Option<BestIterate>,
    /// Objective evaluations so far, including calibration and re-evaluations.
    pub evaluations: u64,
}

/// The outcome of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The best iterate by re-evaluated loss (the final iterate included).
    pub best: BestIterate,
    /// The last iterate `phi_T` (or the iterate at which the observer stopped the run).
    pub final_phi: Vec<f64>,
    /// Iterations done.
    pub iterations: u64,
    /// Whether the observer stopped the run before `T` iterations.
    pub stopped_early: bool,
    /// Objective evaluations, including calibration and re-evaluations.
    pub evaluations: u64,
    /// The gain constants used (with `a` after calibration and `A` resolved).
    pub gains: GainSchedule,
}
