//! The reference environments of THEORY §6 (`spectrum`, `river`) behind one [`Environment`]
//! type that the designer (rp-design) uses.
//!
//! What it is for: given a probe `alpha_k` and a mechanism parameter `phi`, compute the
//! variational equilibrium the designer observes; for evaluation only, the social optimum, the
//! welfare and the canceling parameter `phi*`. Both environments have a utilitarian welfare
//! `W = sum_i w_i(beta^i)` and zero-sum skew-symmetric interaction transfers, so their equilibria
//! are inefficient and the social optimum is exactly what a Separable gap of 0 accepts.
//!
//! Every parameter is drawn from a documented seed with `ChaCha8Rng` (see [`spectrum`] and
//! [`river`] for the distributions); the probe generator draws from a caller-supplied stream so
//! the designer controls per-(iteration, side, game) seeding. An `Environment` is immutable,
//! `Send + Sync`, and each solve is independent, so `2K` solves can run in parallel.
//!
//! What it is not: it computes no revealed-preference test and no gap.

pub mod activity;
pub mod binding;
pub mod intrinsic;
pub mod river;
pub mod spectrum;

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use activity::ActivityBound;
pub use intrinsic::Intrinsic;

use crate::concave::feasible::distance;
use crate::concave::{
    ConcaveGame, FeasibleSet, GameError, SharedConstraint, SolverOptions, VariationalEquilibrium,
    Welfare, check_payoff_arguments, social_optimum, variational_equilibrium,
};
use crate::mechanism::{
    BilinearCoupling, CorrectiveTransfers, LinearPrices, Mechanism, MechanismClass, MechanismError,
    ParameterBox, pair_index,
};

/// Which reference environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvironmentKind {
    /// Users sharing radio channels.
    Spectrum,
    /// Firms along a river under an emission cap.
    River,
}

impl std::fmt::Display for EnvironmentKind {
    /// The name the CLI and the JSON use (`spectrum`, `river`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Spectrum => "spectrum",
            Self::River => "river",
        })
    }
}

/// How to build an environment: kind, seed and optional sizes (defaults in [`spectrum`] and
/// [`river`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentConfig {
    /// Which environment.
    pub kind: EnvironmentKind,
    /// Seed of the parameter draw.
    pub seed: u64,
    /// Number of agents `M` (default: 4 users or 4 firms).
    #[serde(default)]
    pub agents: Option<usize>,
    /// Actions per agent: channels `C` or levels `L` (default 3).
    #[serde(default)]
    pub actions: Option<usize>,
}

impl EnvironmentConfig {
    /// A configuration with default sizes.
    pub fn new(kind: EnvironmentKind, seed: u64) -> Self {
        Self {
            kind,
            seed,
            agents: None,
            actions: None,
        }
    }
}

/// Why an environment could not be built or solved.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum EnvironmentError {
    /// Sizes out of range.
    #[error("invalid environment configuration: {0}")]
    Config(String),
    /// The drawn parameters admit no certified activity bound (no agent may be priced out).
    #[error("agent activity cannot be certified for these parameters (margin {margin:.3e} <= 0)")]
    ActivityNotCertified {
        /// The smallest certified margin at `phi = 0`.
        margin: f64,
    },
    /// Even tiny prices leave the median probe slack (see [`binding`]).
    #[error(
        "the probe does not bind under prices of half-width {half_width:.3e}; observations would not depend on it"
    )]
    ProbeNotBinding {
        /// The smallest half-width tried.
        half_width: f64,
    },
    /// A probe of the wrong length or with a non-positive or non-finite entry.
    #[error("invalid probe: {0}")]
    Probe(String),
    /// A mechanism parameter of the wrong dimension or outside the box.
    #[error(transparent)]
    Mechanism(#[from] MechanismError),
    /// A profile that is not nonnegative, finite and of length `N`.
    #[error("invalid profile: {0}")]
    Profile(String),
    /// The solver failed (not converged, ...).
    #[error(transparent)]
    Game(#[from] GameError),
}

/// An agent as the designer sees it: a name and its number of active actions `n_i`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// Name.
    pub name: String,
    /// Active actions `n_i`.
    pub actions: usize,
}

/// Equilibrium versus optimum for one probe and parameter (evaluation only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EfficiencyReport {
    /// The equilibrium.
    pub equilibrium: VariationalEquilibrium,
    /// The social optimum.
    pub optimum: VariationalEquilibrium,
    /// `W(equilibrium)`.
    pub welfare_equilibrium: f64,
    /// `W(optimum)`.
    pub welfare_optimum: f64,
    /// `W(equilibrium) / W(optimum)` (`W(optimum) > 0` in both environments).
    pub welfare_ratio: f64,
    /// `|equilibrium - optimum|` (Euclidean).
    pub distance: f64,
}

/// The drawn pieces an environment module hands to [`Environment`].
pub(crate) struct Parts {
    names: Vec<String>,
    utility: Intrinsic,
    coupling: BilinearCoupling,
    /// Shape of the interaction (`|s_ij| in [0.5, 1]`), scaled by [`Environment`] to `strength`.
    interaction: Vec<f64>,
    /// Nominal interaction strength.
    strength: f64,
    probe_lo: Vec<f64>,
    probe_hi: Vec<f64>,
    feature_cap: Vec<f64>,
    feature_budget: Vec<f64>,
    activity: Vec<f64>,
    activity_cap: Vec<f64>,
    activity_budget: f64,
}

/// A skew-symmetric `m x m` matrix with `|s_ij| ~ U[0.5, 1]` and random signs.
pub(crate) fn skew_interaction(rng: &mut ChaCha8Rng, m: usize) -> Vec<f64> {
    let mut s = vec![0.0; m * m];
    for i in 0..m {
        for j in i + 1..m {
            let magnitude = rng.random_range(0.5..1.0);
            let v = if rng.random_bool(0.5) {
                magnitude
            } else {
                -magnitude
            };
            s[i * m + j] = v;
            s[j * m + i] = -v;
        }
    }
    s
}

/// The interaction is scaled to at most this fraction of the largest scale at which activity
/// is certified at `phi = 0`, leaving the rest of the margin to the prices' box.
pub const INTERACTION_CERTIFIED_FRACTION: f64 = 0.75;

/// Corrective box half-width as a multiple of `max |s_ij|` (the box must contain `phi* = -s`).
pub const CORRECTIVE_BOX_FACTOR: f64 = 1.5;

/// A reference environment with its two mechanisms.
#[derive(Debug)]
pub struct Environment {
    config: EnvironmentConfig,
    agents: Vec<AgentInfo>,
    blocks: Vec<usize>,
    utility: Intrinsic,
    coupling: BilinearCoupling,
    interaction: Vec<f64>,
    probe_lo: Vec<f64>,
    probe_hi: Vec<f64>,
    corrective: CorrectiveTransfers,
    prices: LinearPrices,
    activity: ActivityBound,
    options: SolverOptions,
}

impl Environment {
    /// Draws the environment from `config.seed` (`ChaCha8Rng::seed_from_u64`).
    ///
    /// Sizes: `2 <= M <= 12` agents and `2 <= n <= 8` actions. Errors when the drawn parameters
    /// do not certify that every agent stays active (see [`activity`]) or when no prices box
    /// keeps the median probe binding (see [`binding`]); with the default parameter ranges
    /// neither happens for the default sizes. Building solves up to a few hundred equilibria
    /// (the binding check, milliseconds for `M = 4`).
    pub fn new(config: &EnvironmentConfig) -> Result<Self, EnvironmentError> {
        let (m_default, n_default) = match config.kind {
            EnvironmentKind::Spectrum => (spectrum::DEFAULT_USERS, spectrum::DEFAULT_CHANNELS),
            EnvironmentKind::River => (river::DEFAULT_FIRMS, river::DEFAULT_LEVELS),
        };
        let m = config.agents.unwrap_or(m_default);
        let n = config.actions.unwrap_or(n_default);
        if !(2..=12).contains(&m) || !(2..=8).contains(&n) {
            return Err(EnvironmentError::Config(format!(
                "{m} agents with {n} actions each; need 2..=12 agents and 2..=8 actions"
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let parts = match config.kind {
            EnvironmentKind::Spectrum => spectrum::build(&mut rng, m, n),
            EnvironmentKind::River => river::build(&mut rng, m, n),
        };
        Self::from_parts(config.clone(), parts)
    }

    /// Scales the interaction shape to `min(strength, 0.6 sigma_max)` (see
    /// [`INTERACTION_CERTIFIED_FRACTION`]), then sizes the mechanism boxes from the activity bound
    /// and shrinks the prices box until the probe binds at its corners (see [`binding`]).
    fn from_parts(config: EnvironmentConfig, parts: Parts) -> Result<Self, EnvironmentError> {
        let m = parts.names.len();
        let n = parts.utility.actions();
        let mut model = activity::ActivityModel {
            utility: &parts.utility,
            interaction: &parts.interaction,
            probe_hi: &parts.probe_hi,
            feature_cap: parts.feature_cap.clone(),
            feature_budget: parts.feature_budget.clone(),
            activity: parts.activity.clone(),
            activity_cap: parts.activity_cap.clone(),
            activity_budget: parts.activity_budget,
        };
        let scale = parts
            .strength
            .min(INTERACTION_CERTIFIED_FRACTION * model.max_interaction_scale());
        let interaction: Vec<f64> = parts.interaction.iter().map(|s| s * scale).collect();
        model.interaction = &interaction;
        let s_max = interaction.iter().fold(0.0_f64, |a, s| a.max(s.abs()));
        let bound = model.bound(CORRECTIVE_BOX_FACTOR * s_max);
        let margin = bound
            .margins_at_zero
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        if margin.is_nan() || margin <= 0.0 {
            return Err(EnvironmentError::ActivityNotCertified { margin });
        }
        // Expected for the default environments (the box is 1.5x the interaction, the bound is
        // conservative): an `info`, not a warning on every run. Ground truth reports whether a
        // designed mechanism idles an agent (welfare ratio, distance to the optimum).
        if !bound.corrective_guaranteed {
            tracing::info!(
                half_width = bound.corrective_half_width,
                "activity is not certified on the whole corrective box"
            );
        }
        let corrective = CorrectiveTransfers::new(
            parts.coupling.clone(),
            ParameterBox::symmetric(m * (m - 1) / 2, bound.corrective_half_width)?,
        )?;
        let price_rows: Vec<Vec<f64>> = parts.activity.chunks(n).map(<[f64]>::to_vec).collect();
        let prices = LinearPrices::new(
            price_rows.clone(),
            ParameterBox::symmetric(m, bound.price_half_width)?,
        )?;
        let mut env = Self {
            config,
            agents: parts
                .names
                .into_iter()
                .map(|name| AgentInfo { name, actions: n })
                .collect(),
            blocks: vec![n; m],
            utility: parts.utility,
            coupling: parts.coupling,
            interaction,
            probe_lo: parts.probe_lo,
            probe_hi: parts.probe_hi,
            corrective,
            prices,
            activity: bound,
            options: SolverOptions::default(),
        };
        let start = env.activity.price_half_width;
        let half_width = binding::binding_half_width(&env, start)?;
        if half_width < start {
            tracing::debug!(
                activity_limit = start,
                half_width,
                "prices box shrunk so that the probe binds"
            );
            env.prices = LinearPrices::new(price_rows, ParameterBox::symmetric(m, half_width)?)?;
        }
        Ok(env)
    }

    /// Replaces the solver options (tolerance, iteration budget).
    pub fn with_solver_options(mut self, options: SolverOptions) -> Self {
        self.options = options;
        self
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &EnvironmentConfig {
        &self.config
    }

    /// The agents (names and `n_i`).
    pub fn agents(&self) -> &[AgentInfo] {
        &self.agents
    }

    /// Block sizes `n_i`.
    pub fn blocks(&self) -> &[usize] {
        &self.blocks
    }

    /// Joint dimension `N`.
    pub fn dim(&self) -> usize {
        self.blocks.iter().sum()
    }

    /// The intrinsic utilities (evaluation only).
    pub fn utility(&self) -> &Intrinsic {
        &self.utility
    }

    /// The interaction coefficients `s` (`M x M`, skew-symmetric; evaluation only).
    pub fn interaction(&self) -> &[f64] {
        &self.interaction
    }

    /// The activity bound behind the mechanism boxes.
    pub fn activity_bound(&self) -> &ActivityBound {
        &self.activity
    }

    /// The probe support `[lo, hi]` per coordinate.
    pub fn probe_support(&self) -> (&[f64], &[f64]) {
        (&self.probe_lo, &self.probe_hi)
    }

    /// The mechanism of a class (its box, dimension and rule).
    pub fn mechanism(&self, class: MechanismClass) -> &dyn Mechanism {
        match class {
            MechanismClass::Corrective => &self.corrective,
            MechanismClass::Prices => &self.prices,
        }
    }

    /// `k` probes, each entry drawn log-uniformly in its support `[lo, hi]` from `rng`.
    pub fn draw_probes<R: Rng + ?Sized>(&self, k: usize, rng: &mut R) -> Vec<Vec<f64>> {
        (0..k)
            .map(|_| {
                self.probe_lo
                    .iter()
                    .zip(&self.probe_hi)
                    .map(|(lo, hi)| lo * (hi / lo).powf(rng.random::<f64>()))
                    .collect()
            })
            .collect()
    }

    /// The feasible set of game `k`: caps 1 and the probe `alpha . beta <= 1`.
    pub fn feasible_set(&self, probe: &[f64]) -> Result<FeasibleSet, EnvironmentError> {
        if probe.len() != self.dim() {
            return Err(EnvironmentError::Probe(format!(
                "{} entries, expected N = {}",
                probe.len(),
                self.dim()
            )));
        }
        if let Some(k) = probe.iter().position(|a| !(a.is_finite() && *a > 0.0)) {
            return Err(EnvironmentError::Probe(format!(
                "entry {k} is {}, must be positive and finite",
                probe[k]
            )));
        }
        let shared = vec![SharedConstraint::new(probe.to_vec(), 1.0)];
        Ok(FeasibleSet::mixed(self.blocks.clone(), shared)?)
    }

    /// The variational equilibrium under `probe` and mechanism `class` at `phi` (in the box),
    /// optionally warm-started.
    pub fn equilibrium(
        &self,
        probe: &[f64],
        class: MechanismClass,
        phi: &[f64],
        warm_start: Option<&[f64]>,
    ) -> Result<VariationalEquilibrium, EnvironmentError> {
        let mechanism = self.mechanism(class);
        mechanism.parameter_box().check(phi)?;
        let set = self.feasible_set(probe)?;
        let game = MechanismGame {
            env: self,
            mechanism,
            phi,
        };
        Ok(variational_equilibrium(
            &game,
            &set,
            &self.options,
            warm_start,
        )?)
    }

    /// The game played under mechanism `class` at `phi` (payoffs and pseudo-gradient).
    pub fn game<'a>(
        &'a self,
        class: MechanismClass,
        phi: &'a [f64],
    ) -> Result<MechanismGame<'a>, EnvironmentError> {
        let mechanism = self.mechanism(class);
        mechanism.parameter_box().check(phi)?;
        Ok(MechanismGame {
            env: self,
            mechanism,
            phi,
        })
    }

    /// The social optimum `argmax W` under `probe` (evaluation only).
    pub fn social_optimum(
        &self,
        probe: &[f64],
        warm_start: Option<&[f64]>,
    ) -> Result<VariationalEquilibrium, EnvironmentError> {
        let set = self.feasible_set(probe)?;
        Ok(social_optimum(self, &set, &self.options, warm_start)?)
    }

    /// `W(beta) = sum_i w_i(beta^i)`. `beta` must have length `N` and be nonnegative.
    pub fn welfare_of(&self, beta: &[f64]) -> Result<f64, EnvironmentError> {
        if beta.len() != self.dim() || beta.iter().any(|b| !(b.is_finite() && *b >= 0.0)) {
            return Err(EnvironmentError::Profile(format!(
                "welfare needs a nonnegative finite profile of length {}",
                self.dim()
            )));
        }
        Ok(self.welfare(beta))
    }

    /// The corrective parameter that cancels the interaction, `phi*_{ij} = -s_ij` (`i < j`).
    /// For tests and evaluation only: the designer never sees it.
    pub fn canceling_phi(&self) -> Vec<f64> {
        let m = self.agents.len();
        let mut phi = vec![0.0; m * (m - 1) / 2];
        for i in 0..m {
            for j in i + 1..m {
                phi[pair_index(m, i, j)] = -self.interaction[i * m + j];
            }
        }
        phi
    }

    /// Equilibrium and optimum side by side, with the welfare ratio and their distance.
    pub fn efficiency(
        &self,
        probe: &[f64],
        class: MechanismClass,
        phi: &[f64],
    ) -> Result<EfficiencyReport, EnvironmentError> {
        let equilibrium = self.equilibrium(probe, class, phi, None)?;
        let optimum = self.social_optimum(probe, None)?;
        let welfare_equilibrium = self.welfare(&equilibrium.profile);
        let welfare_optimum = self.welfare(&optimum.profile);
        Ok(EfficiencyReport {
            welfare_ratio: welfare_equilibrium / welfare_optimum,
            distance: distance(&equilibrium.profile, &optimum.profile),
            welfare_equilibrium,
            welfare_optimum,
            equilibrium,
            optimum,
        })
    }

    fn block(&self, i: usize) -> std::ops::Range<usize> {
        let n = self.blocks[i];
        i * n..(i + 1) * n
    }
}

impl Welfare for Environment {
    fn welfare(&self, beta: &[f64]) -> f64 {
        (0..self.agents.len())
            .map(|i| self.utility.value(i, &beta[self.block(i)]))
            .sum()
    }

    fn welfare_gradient(&self, beta: &[f64], out: &mut [f64]) {
        for i in 0..self.agents.len() {
            let r = self.block(i);
            self.utility.gradient(i, &beta[r.clone()], &mut out[r]);
        }
    }
}

/// The game an environment plays under a mechanism: `u_i = w_i + T_i + t_i(phi)`.
#[derive(Debug)]
pub struct MechanismGame<'a> {
    env: &'a Environment,
    mechanism: &'a dyn Mechanism,
    phi: &'a [f64],
}

impl ConcaveGame for MechanismGame<'_> {
    fn blocks(&self) -> &[usize] {
        &self.env.blocks
    }

    fn payoff(&self, i: usize, beta: &[f64]) -> Result<f64, GameError> {
        check_payoff_arguments(&self.env.blocks, i, beta)?;
        Ok(self.env.utility.value(i, &beta[self.env.block(i)])
            + self.env.coupling.value(&self.env.interaction, beta, i)
            + self.mechanism.transfer_unchecked(i, self.phi, beta))
    }

    fn pseudo_gradient(&self, beta: &[f64], out: &mut [f64]) {
        self.env.welfare_gradient(beta, out);
        self.env
            .coupling
            .add_gradient(&self.env.interaction, beta, out);
        self.mechanism.add_transfer_gradient(self.phi, beta, out);
    }
}

#[cfg(test)]
mod tests;
