//! The observation set `D = {(alpha_k, beta_k)}` of THEORY §1, validated on construction.
//!
//! Agents `i = 0..M` own consecutive blocks of the joint profile (`n_i` active actions each, the
//! null action implicit). Probes and strategies are stored row-major as `K x N` matrices so the
//! budget-evaluation product reads contiguous rows. Indices (observation, agent, action) are
//! 0-based everywhere, in errors too.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One agent: a name and its number of active actions `n_i` (the null action is implicit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// Name used in messages and output.
    pub name: String,
    /// Number of active actions `n_i >= 1`.
    pub actions: usize,
}

impl Agent {
    /// An agent called `name` with `actions` active actions.
    pub fn new(name: impl Into<String>, actions: usize) -> Self {
        Self {
            name: name.into(),
            actions,
        }
    }
}

/// Why data were rejected. Every variant names the observation and, where one is involved, the
/// agent and action (0-based).
#[derive(Clone, Debug, PartialEq, Error)]
pub enum DataError {
    /// No agent was declared.
    #[error("no agents declared")]
    NoAgents,
    /// An agent with no active action.
    #[error("agent {agent} (\"{name}\") declares 0 actions; every agent needs at least one")]
    EmptyAgent {
        /// Agent index.
        agent: usize,
        /// Agent name.
        name: String,
    },
    /// Two agents with the same name.
    #[error("agents {first} and {second} are both named \"{name}\"; names must be unique")]
    DuplicateAgent {
        /// Name used twice.
        name: String,
        /// First agent with it.
        first: usize,
        /// Second agent with it.
        second: usize,
    },
    /// No observation at all.
    #[error("no observations")]
    NoObservations,
    /// Probe and strategy lists of different lengths.
    #[error("{probes} probes but {strategies} strategies; each observation needs one of each")]
    CountMismatch {
        /// Number of probes.
        probes: usize,
        /// Number of strategies.
        strategies: usize,
    },
    /// A row of the wrong length.
    #[error(
        "observation {obs}: {what} has {got} entries, expected N = {expected} (the sum of the agents' actions)"
    )]
    Length {
        /// Observation index.
        obs: usize,
        /// `"probe"` or `"strategy"`.
        what: &'static str,
        /// Entries found.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// A probe entry that is not positive and finite.
    #[error(
        "observation {obs}, agent {agent} (\"{name}\"), action {action}: probe entry {value} must be positive and finite"
    )]
    BadProbe {
        /// Observation index.
        obs: usize,
        /// Agent index.
        agent: usize,
        /// Agent name.
        name: String,
        /// Action index inside the agent's block.
        action: usize,
        /// Offending value.
        value: f64,
    },
    /// A strategy entry that is negative or not finite.
    #[error(
        "observation {obs}, agent {agent} (\"{name}\"), action {action}: strategy entry {value} must be nonnegative and finite"
    )]
    BadStrategy {
        /// Observation index.
        obs: usize,
        /// Agent index.
        agent: usize,
        /// Agent name.
        name: String,
        /// Action index inside the agent's block.
        action: usize,
        /// Offending value.
        value: f64,
    },
    /// An all-null profile: `e_k = alpha_k . beta_k = 0` reveals nothing.
    #[error(
        "observation {obs}: expenditure alpha_k . beta_k is 0 (every agent plays the null action); such an observation reveals nothing"
    )]
    ZeroExpenditure {
        /// Observation index.
        obs: usize,
    },
    /// Finite data whose magnitudes no LP can represent (module constant [`MAX_PROBE_RANGE`]).
    #[error(
        "observation {obs}: {what}; rescale the data (probe entries within an observation may span at most a factor 1e100, and every alpha_k . beta_j must be a normal finite number)"
    )]
    OutOfRange {
        /// Observation index.
        obs: usize,
        /// What is out of range, with the values.
        what: String,
    },
    /// An operation that needs more observations than there are.
    #[error("{what} needs at least {needed} observations, got {got}")]
    TooFew {
        /// What needs them.
        what: &'static str,
        /// How many it needs.
        needed: usize,
        /// How many there are.
        got: usize,
    },
}

/// The largest ratio of two probe entries of one observation that [`ObservationSet`] accepts
/// ([`DataError::OutOfRange`] beyond): far above any real price ratio, far below where
/// normalized LP coefficients stop being representable.
pub const MAX_PROBE_RANGE: f64 = 1e100;

/// A validated observation set: `K` probes `alpha_k in R^N_{++}` and profiles `beta_k in R^N_+`
/// split into agent blocks, with `e_k = alpha_k . beta_k > 0`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObservationSet {
    agents: Vec<Agent>,
    offsets: Vec<usize>,
    n: usize,
    probes: Vec<f64>,
    strategies: Vec<f64>,
    expenditure: Vec<f64>,
}

impl ObservationSet {
    /// Validates and builds an observation set from per-observation rows.
    pub fn new(
        agents: Vec<Agent>,
        probes: Vec<Vec<f64>>,
        strategies: Vec<Vec<f64>>,
    ) -> Result<Self, DataError> {
        let offsets = validate_agents(&agents)?;
        let n = *offsets.last().expect("offsets has M + 1 entries");
        if probes.len() != strategies.len() {
            return Err(DataError::CountMismatch {
                probes: probes.len(),
                strategies: strategies.len(),
            });
        }
        if probes.is_empty() {
            return Err(DataError::NoObservations);
        }
        let k = probes.len();
        let mut flat_probes = Vec::with_capacity(k * n);
        let mut flat_strategies = Vec::with_capacity(k * n);
        for (obs, (alpha, beta)) in probes.iter().zip(&strategies).enumerate() {
            check_length(obs, "probe", alpha.len(), n)?;
            check_length(obs, "strategy", beta.len(), n)?;
            flat_probes.extend_from_slice(alpha);
            flat_strategies.extend_from_slice(beta);
        }
        Self::from_flat(agents, flat_probes, flat_strategies)
    }

    /// A single agent (called `"agent"`) owning the whole profile.
    pub fn single_agent(
        probes: Vec<Vec<f64>>,
        strategies: Vec<Vec<f64>>,
    ) -> Result<Self, DataError> {
        let n = probes.first().map_or(0, Vec::len);
        Self::new(vec![Agent::new("agent", n.max(1))], probes, strategies)
    }

    /// Validates and builds from row-major `K x N` matrices (`probes.len() == K * N`).
    pub fn from_flat(
        agents: Vec<Agent>,
        probes: Vec<f64>,
        strategies: Vec<f64>,
    ) -> Result<Self, DataError> {
        let offsets = validate_agents(&agents)?;
        let n = *offsets.last().expect("offsets has M + 1 entries");
        if probes.len() != strategies.len() {
            return Err(DataError::CountMismatch {
                probes: probes.len() / n,
                strategies: strategies.len() / n,
            });
        }
        if !probes.len().is_multiple_of(n) {
            return Err(DataError::Length {
                obs: probes.len() / n,
                what: "probe",
                got: probes.len() % n,
                expected: n,
            });
        }
        let k = probes.len() / n;
        if k == 0 {
            return Err(DataError::NoObservations);
        }
        let mut set = Self {
            agents,
            offsets,
            n,
            probes,
            strategies,
            expenditure: Vec::with_capacity(k),
        };
        for obs in 0..k {
            set.check_row(obs)?;
            let e = dot(set.probe(obs), set.strategy(obs));
            if e <= 0.0 {
                return Err(DataError::ZeroExpenditure { obs });
            }
            set.expenditure.push(e);
        }
        set.check_range()?;
        Ok(set)
    }

    /// Magnitudes the LPs can represent: rows that are valid but extreme (subnormal
    /// expenditures, probes spanning 1e300, products that overflow) would otherwise reach the
    /// solvers as infinite or unrepresentable coefficients. Checked: within each observation,
    /// `max alpha / min alpha <= MAX_PROBE_RANGE`; `e_k` is a normal number and so is every
    /// normalized probe entry `alpha_ka / e_k`; the bound `sum_a alpha_ka max_j beta_ja` of every
    /// `alpha_k . beta_j` is finite. `O(K N)`.
    fn check_range(&self) -> Result<(), DataError> {
        let mut beta_max = vec![0.0f64; self.n];
        for row in self.strategies.chunks(self.n) {
            beta_max
                .iter_mut()
                .zip(row)
                .for_each(|(m, b)| *m = m.max(*b));
        }
        for (obs, &e) in self.expenditure.iter().enumerate() {
            let alpha = self.probe(obs);
            let (lo, hi) = alpha.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), a| {
                (lo.min(*a), hi.max(*a))
            });
            let out = |what: String| Err(DataError::OutOfRange { obs, what });
            if hi / lo > MAX_PROBE_RANGE || !(hi / lo).is_finite() {
                return out(format!("probe entries range from {lo:e} to {hi:e}"));
            }
            if !(e.is_normal() && (lo / e).is_normal() && (hi / e).is_normal()) {
                return out(format!(
                    "expenditure alpha_k . beta_k = {e:e} cannot normalize probe entries from {lo:e} to {hi:e}"
                ));
            }
            let bound = dot(alpha, &beta_max);
            if !bound.is_finite() {
                return out(format!(
                    "alpha_k . beta_j overflows (probe entries up to {hi:e})"
                ));
            }
        }
        Ok(())
    }

    fn check_row(&self, obs: usize) -> Result<(), DataError> {
        let (alpha, beta) = (self.probe(obs), self.strategy(obs));
        for (agent, block) in self.blocks().enumerate() {
            let name = || self.agents[agent].name.clone();
            for (action, idx) in block.enumerate() {
                let value = alpha[idx];
                if !(value.is_finite() && value > 0.0) {
                    return Err(DataError::BadProbe {
                        obs,
                        agent,
                        name: name(),
                        action,
                        value,
                    });
                }
                let value = beta[idx];
                if !(value.is_finite() && value >= 0.0) {
                    return Err(DataError::BadStrategy {
                        obs,
                        agent,
                        name: name(),
                        action,
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Number of observations `K`.
    pub fn len(&self) -> usize {
        self.expenditure.len()
    }

    /// Always false: a validated set has at least one observation.
    pub fn is_empty(&self) -> bool {
        self.expenditure.is_empty()
    }

    /// Dimension `N = sum_i n_i` of the joint profile.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Number of agents `M`.
    pub fn num_agents(&self) -> usize {
        self.agents.len()
    }

    /// The agents, in block order.
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }

    /// Index range of agent `i`'s block in a joint profile.
    pub fn block(&self, i: usize) -> Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }

    /// The blocks of all agents, in order.
    pub fn blocks(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.offsets.windows(2).map(|w| w[0]..w[1])
    }

    /// Probe `alpha_k`.
    pub fn probe(&self, k: usize) -> &[f64] {
        &self.probes[k * self.n..(k + 1) * self.n]
    }

    /// Profile `beta_k`.
    pub fn strategy(&self, k: usize) -> &[f64] {
        &self.strategies[k * self.n..(k + 1) * self.n]
    }

    /// All probes, row-major `K x N`.
    pub fn probes_flat(&self) -> &[f64] {
        &self.probes
    }

    /// All profiles, row-major `K x N`.
    pub fn strategies_flat(&self) -> &[f64] {
        &self.strategies
    }

    /// Expenditure `e_k = alpha_k . beta_k > 0`.
    pub fn expenditure(&self, k: usize) -> f64 {
        self.expenditure[k]
    }

    /// All expenditures `e_k`.
    pub fn expenditures(&self) -> &[f64] {
        &self.expenditure
    }

    /// Agent expenditure `e^i_k = alpha^i_k . beta^i_k >= 0` (zero when agent `i` is idle).
    pub fn agent_expenditure(&self, i: usize, k: usize) -> f64 {
        let b = self.block(i);
        dot(&self.probe(k)[b.clone()], &self.strategy(k)[b])
    }

    /// The same data with every probe divided by its expenditure, so `e_k = 1` (THEORY §4).
    /// Verdicts and indices do not change; the gap LPs read normalized data.
    pub fn normalized(&self) -> Self {
        let mut probes = self.probes.clone();
        for (row, e) in probes.chunks_mut(self.n).zip(&self.expenditure) {
            row.iter_mut().for_each(|a| *a /= e);
        }
        Self::from_flat(self.agents.clone(), probes, self.strategies.clone())
            .expect("dividing valid probes by positive expenditures keeps them valid")
    }

    /// The same data seen as one agent owning the whole profile (the `Joint` structure).
    pub fn joint(&self) -> Self {
        let agents = vec![Agent::new("joint", self.n)];
        Self::from_flat(agents, self.probes.clone(), self.strategies.clone())
            .expect("regrouping blocks keeps data valid")
    }

    /// The observations `ks` (in that order, repetitions allowed).
    pub fn select(&self, ks: &[usize]) -> Result<Self, DataError> {
        let rows = |m: &[f64]| {
            ks.iter()
                .flat_map(|&k| m[k * self.n..(k + 1) * self.n].iter().copied())
                .collect()
        };
        Self::from_flat(
            self.agents.clone(),
            rows(&self.probes),
            rows(&self.strategies),
        )
    }

    /// Errors unless there are at least `needed` observations (`what` names the operation).
    pub fn require_at_least(&self, needed: usize, what: &'static str) -> Result<(), DataError> {
        if self.len() < needed {
            return Err(DataError::TooFew {
                what,
                needed,
                got: self.len(),
            });
        }
        Ok(())
    }
}

fn validate_agents(agents: &[Agent]) -> Result<Vec<usize>, DataError> {
    if agents.is_empty() {
        return Err(DataError::NoAgents);
    }
    let mut offsets = Vec::with_capacity(agents.len() + 1);
    offsets.push(0);
    for (agent, a) in agents.iter().enumerate() {
        if a.actions == 0 {
            return Err(DataError::EmptyAgent {
                agent,
                name: a.name.clone(),
            });
        }
        if let Some(first) = agents[..agent].iter().position(|b| b.name == a.name) {
            return Err(DataError::DuplicateAgent {
                name: a.name.clone(),
                first,
                second: agent,
            });
        }
        offsets.push(offsets[agent] + a.actions);
    }
    Ok(offsets)
}

fn check_length(
    obs: usize,
    what: &'static str,
    got: usize,
    expected: usize,
) -> Result<(), DataError> {
    if got != expected {
        return Err(DataError::Length {
            obs,
            what,
            got,
            expected,
        });
    }
    Ok(())
}

/// Dot product of two equal-length slices.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_agents() -> Vec<Agent> {
        vec![Agent::new("a", 2), Agent::new("b", 1)]
    }

    /// Valid but extreme data are refused before any LP sees them (found by a tester: a
    /// subnormal expenditure made `normalized()` panic on an infinite probe; probes spanning
    /// 1e300 or near `f64::MAX` made the verifier's LPs fail).
    #[test]
    fn refuses_magnitudes_no_lp_can_represent() {
        let one = vec![Agent::new("a", 2)];
        let make = |alpha: Vec<f64>, beta: Vec<f64>| {
            ObservationSet::new(
                one.clone(),
                vec![vec![1.0, 1.0], alpha],
                vec![vec![0.5, 0.5], beta],
            )
        };
        let out_of_range = |r: Result<ObservationSet, DataError>| {
            matches!(r, Err(DataError::OutOfRange { obs: 1, .. }))
        };
        assert!(out_of_range(make(vec![1.0, 1.0], vec![1e-320, 0.0])));
        assert!(out_of_range(make(vec![1.0, 1e-300], vec![0.5, 0.5])));
        assert!(out_of_range(make(vec![1e308, 1.7e308], vec![1.0, 1.0])));
        // Uniform scaling is fine: normalization divides it out.
        assert!(make(vec![1e300, 2e300], vec![0.5, 0.5]).is_ok());
        assert!(make(vec![1e-300, 2e-300], vec![0.5, 0.5]).is_ok());
        let n = make(vec![1e-300, 2e-300], vec![0.5, 0.5])
            .unwrap()
            .normalized();
        assert!((n.expenditure(1) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn builds_blocks_and_expenditures() {
        let d = ObservationSet::new(
            two_agents(),
            vec![vec![1.0, 2.0, 3.0], vec![2.0, 1.0, 1.0]],
            vec![vec![0.5, 0.0, 0.5], vec![0.0, 0.25, 0.75]],
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d.dim(), 3);
        assert_eq!(d.block(1), 2..3);
        assert_eq!(d.expenditure(0), 2.0);
        assert_eq!(d.agent_expenditure(0, 1), 0.25);
        let n = d.normalized();
        assert_eq!(n.expenditure(0), 1.0);
        assert_eq!(n.probe(0), &[0.5, 1.0, 1.5]);
    }

    #[test]
    fn rejects_bad_entries_naming_the_place() {
        let bad_probe =
            ObservationSet::new(two_agents(), vec![vec![1.0, 0.0, 1.0]], vec![vec![1.0; 3]]);
        assert!(matches!(
            bad_probe,
            Err(DataError::BadProbe {
                obs: 0,
                agent: 0,
                action: 1,
                ..
            })
        ));
        let nan = ObservationSet::new(
            two_agents(),
            vec![vec![1.0; 3]],
            vec![vec![1.0, 1.0, f64::NAN]],
        );
        assert!(matches!(
            nan,
            Err(DataError::BadStrategy {
                obs: 0,
                agent: 1,
                action: 0,
                ..
            })
        ));
        let zero = ObservationSet::new(two_agents(), vec![vec![1.0; 3]], vec![vec![0.0; 3]]);
        assert_eq!(zero, Err(DataError::ZeroExpenditure { obs: 0 }));
        let short = ObservationSet::new(two_agents(), vec![vec![1.0; 2]], vec![vec![1.0; 3]]);
        assert!(matches!(
            short,
            Err(DataError::Length {
                obs: 0,
                what: "probe",
                got: 2,
                expected: 3
            })
        ));
        let msg = ObservationSet::new(two_agents(), vec![vec![1.0, -1.0, 1.0]], vec![vec![1.0; 3]])
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("observation 0") && msg.contains("agent 0") && msg.contains("\"a\""),
            "{msg}"
        );
    }

    #[test]
    fn rejects_bad_agents() {
        let none = ObservationSet::new(vec![], vec![vec![1.0]], vec![vec![1.0]]);
        assert_eq!(none, Err(DataError::NoAgents));
        let dup = ObservationSet::new(
            vec![Agent::new("x", 1), Agent::new("x", 1)],
            vec![vec![1.0; 2]],
            vec![vec![1.0; 2]],
        );
        assert!(matches!(
            dup,
            Err(DataError::DuplicateAgent {
                first: 0,
                second: 1,
                ..
            })
        ));
    }
}
