//! The ambiguity set of THEORY §8: one Wasserstein ball per (agent, observation) around the
//! empirical strategy, and how its radius is chosen.
//!
//! Empirical strategies. Block `i` of observation `k` of an [`ObservationSet`] is agent `i`'s
//! empirical mixed strategy `hat beta^i_k` (action frequencies from `S` samples); its outcome
//! distribution is `hat q^i_k = (hat beta^i_k, 1 - sum_a hat beta^i_{k,a})`, the null action
//! last (the order of `rp-game`'s sample counts). A block summing to more than `1 + 1e-9` is not
//! a mixed strategy and is rejected ([`RobustError::NotAStrategy`]); a sum in `(1, 1 + 1e-9]`
//! is rounding and gives null mass 0.
//!
//! Radius. The ball of agent `i` has a W1 radius `rho_i`, from one of ([`Radius`]):
//! a W1 radius given directly (the same for all agents); an L1 radius `eps`, turned into
//! `rho_i = D_i eps / 2` with `D_i` the diameter of agent `i`'s ground metric (so the W1 ball
//! contains the L1 ball; for the 0-1 metric `rho = eps / 2` exactly, the balls coincide); or a
//! sample size `S` and confidence `1 - delta`, turned into `eps = `[`radius_for`]`(S, m, K,
//! delta)` first. The set is the *product* of the balls: each strategy varies in its own ball
//! independently of the others.

use rp_lp::ObservationSet;
use serde::{Deserialize, Serialize};

use crate::concentration::{check_radius, radius_for};
use crate::error::RobustError;
use crate::wasserstein::{GroundMetric, WassersteinBall};

/// Slack allowed on `sum_a beta^i_a <= 1` (rounding in the caller's frequencies).
pub const STRATEGY_SLACK: f64 = 1e-9;

/// How the ball radius is chosen (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Radius {
    /// The same 1-Wasserstein radius `rho` for every ball.
    Wasserstein {
        /// `rho >= 0`.
        rho: f64,
    },
    /// An L1 radius `eps`, converted per agent to the W1 radius `D_i eps / 2`.
    L1 {
        /// `eps >= 0`.
        eps: f64,
    },
    /// The L1 radius holding for every agent and game with probability `>= 1 - delta` when each
    /// strategy is the empirical distribution of `samples` i.i.d. actions
    /// ([`crate::concentration`]).
    Confidence {
        /// Samples per agent and game, `S >= 1`.
        samples: usize,
        /// `0 < delta < 1`.
        delta: f64,
    },
}

/// The ground metrics of the balls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricSpec {
    /// The 0-1 metric for every agent (the default).
    #[default]
    ZeroOne,
    /// One metric per agent, on its `n_i + 1` outcomes (null last).
    PerAgent(Vec<GroundMetric>),
}

/// The ambiguity set: radius and ground metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AmbiguitySpec {
    /// How the radius is chosen.
    pub radius: Radius,
    /// The ground metrics.
    pub metric: MetricSpec,
}

impl AmbiguitySpec {
    /// Balls holding the truth with probability `>= 1 - delta` after `samples` samples per
    /// agent and game, 0-1 metric (the designer's default).
    pub fn confidence(samples: usize, delta: f64) -> Self {
        Self {
            radius: Radius::Confidence { samples, delta },
            metric: MetricSpec::ZeroOne,
        }
    }

    /// Balls of L1 radius `eps` (W1 radius `eps / 2` under the 0-1 metric).
    pub fn l1(eps: f64) -> Self {
        Self {
            radius: Radius::L1 { eps },
            metric: MetricSpec::ZeroOne,
        }
    }

    /// Balls of 1-Wasserstein radius `rho`, 0-1 metric.
    pub fn wasserstein(rho: f64) -> Self {
        Self {
            radius: Radius::Wasserstein { rho },
            metric: MetricSpec::ZeroOne,
        }
    }

    /// The same radius with per-agent ground metrics.
    pub fn with_metrics(mut self, metrics: Vec<GroundMetric>) -> Self {
        self.metric = MetricSpec::PerAgent(metrics);
        self
    }
}

/// The radius actually used, with where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RadiusReport {
    /// The L1 radius `eps`, when the radius was given in L1 or from a confidence level.
    pub l1: Option<f64>,
    /// The W1 radius `rho_i` of each agent's balls.
    pub wasserstein: Vec<f64>,
    /// Samples per agent and game, when the radius came from a confidence level.
    pub samples: Option<usize>,
    /// The confidence parameter `delta`, when the radius came from one.
    pub delta: Option<f64>,
}

/// The product of one W1 ball per (observation, agent) around the empirical strategies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductBalls {
    agents: usize,
    /// Observation-major: ball `(k, i)` at `k * agents + i`.
    balls: Vec<WassersteinBall>,
    radius: RadiusReport,
}

impl ProductBalls {
    /// The balls of `spec` around the strategies of `empirical` (module doc).
    pub fn new(empirical: &ObservationSet, spec: &AmbiguitySpec) -> Result<Self, RobustError> {
        let agents = empirical.num_agents();
        let metrics = metrics(empirical, &spec.metric)?;
        let radius = radius_report(empirical, &spec.radius, &metrics)?;
        let mut balls = Vec::with_capacity(empirical.len() * agents);
        for k in 0..empirical.len() {
            for (i, metric) in metrics.iter().enumerate() {
                let center = outcome_distribution(empirical, k, i)?;
                balls.push(WassersteinBall::new(
                    center,
                    radius.wasserstein[i],
                    metric.clone(),
                )?);
            }
        }
        Ok(Self {
            agents,
            balls,
            radius,
        })
    }

    /// Agent `i`'s ball in observation `k`.
    pub fn ball(&self, k: usize, i: usize) -> &WassersteinBall {
        &self.balls[k * self.agents + i]
    }

    /// Number of observations `K`.
    pub fn len(&self) -> usize {
        self.balls.len() / self.agents
    }

    /// Always false: a product of balls for a validated observation set has `K >= 1`.
    pub fn is_empty(&self) -> bool {
        self.balls.is_empty()
    }

    /// Number of agents `M`.
    pub fn agents(&self) -> usize {
        self.agents
    }

    /// The radius used.
    pub fn radius(&self) -> &RadiusReport {
        &self.radius
    }
}

fn metrics(obs: &ObservationSet, spec: &MetricSpec) -> Result<Vec<GroundMetric>, RobustError> {
    let m = obs.num_agents();
    let metrics = match spec {
        MetricSpec::ZeroOne => vec![GroundMetric::ZeroOne; m],
        MetricSpec::PerAgent(list) if list.len() == m => list.clone(),
        MetricSpec::PerAgent(list) => {
            return Err(RobustError::MetricCount {
                got: list.len(),
                expected: m,
            });
        }
    };
    for (metric, m_i) in metrics.iter().zip(outcome_counts(obs)) {
        metric.check_outcomes(m_i)?;
    }
    Ok(metrics)
}

fn radius_report(
    obs: &ObservationSet,
    radius: &Radius,
    metrics: &[GroundMetric],
) -> Result<RadiusReport, RobustError> {
    let from_l1 = |eps: f64, samples, delta| RadiusReport {
        l1: Some(eps),
        wasserstein: metrics.iter().map(|d| d.radius_from_l1(eps)).collect(),
        samples,
        delta,
    };
    match *radius {
        Radius::Wasserstein { rho } => {
            check_radius(rho, "nonnegative")?;
            Ok(RadiusReport {
                l1: None,
                wasserstein: vec![rho; metrics.len()],
                samples: None,
                delta: None,
            })
        }
        Radius::L1 { eps } => {
            check_radius(eps, "nonnegative")?;
            Ok(from_l1(eps, None, None))
        }
        Radius::Confidence { samples, delta } => {
            let eps = radius_for(samples, &outcome_counts(obs), obs.len(), delta)?;
            Ok(from_l1(eps, Some(samples), Some(delta)))
        }
    }
}

/// `m_i = n_i + 1` for every agent of `obs`.
pub fn outcome_counts(obs: &ObservationSet) -> Vec<usize> {
    obs.agents().iter().map(|a| a.actions + 1).collect()
}

/// Agent `i`'s outcome distribution in observation `k`: its strategy block, then the null
/// action's mass (module doc).
pub fn outcome_distribution(
    obs: &ObservationSet,
    k: usize,
    i: usize,
) -> Result<Vec<f64>, RobustError> {
    let block = &obs.strategy(k)[obs.block(i)];
    let sum: f64 = block.iter().sum();
    if sum > 1.0 + STRATEGY_SLACK {
        return Err(RobustError::NotAStrategy {
            obs: k,
            agent: i,
            sum,
        });
    }
    let mut q = block.to_vec();
    q.push((1.0 - sum).max(0.0));
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasserstein::MetricMatrix;
    use rp_lp::Agent;

    fn two_agents() -> ObservationSet {
        let agents = vec![Agent::new("a", 2), Agent::new("b", 1)];
        ObservationSet::new(
            agents,
            vec![vec![1.0, 2.0, 1.0], vec![2.0, 1.0, 1.0]],
            vec![vec![0.5, 0.25, 1.0], vec![0.0, 0.5, 0.5]],
        )
        .unwrap()
    }

    #[test]
    fn outcome_distributions_put_the_null_last() {
        let d = two_agents();
        assert_eq!(
            outcome_distribution(&d, 0, 0).unwrap(),
            vec![0.5, 0.25, 0.25]
        );
        assert_eq!(outcome_distribution(&d, 0, 1).unwrap(), vec![1.0, 0.0]);
        assert_eq!(outcome_distribution(&d, 1, 1).unwrap(), vec![0.5, 0.5]);
        assert_eq!(outcome_counts(&d), vec![3, 2]);
        let over = ObservationSet::new(
            vec![Agent::new("a", 2)],
            vec![vec![1.0, 1.0]],
            vec![vec![0.75, 0.5]],
        )
        .unwrap();
        assert_eq!(
            outcome_distribution(&over, 0, 0),
            Err(RobustError::NotAStrategy {
                obs: 0,
                agent: 0,
                sum: 1.25
            })
        );
    }

    #[test]
    fn radii_by_hand() {
        let d = two_agents();
        // L1 eps = 0.2: W1 0.1 under the 0-1 metric; agent 0 on a line metric of diameter 2
        // (outcomes 0, 1, 2 at positions 0, 1, 2) gets 2 * 0.2 / 2 = 0.2.
        let line = vec![
            vec![0.0, 1.0, 2.0],
            vec![1.0, 0.0, 1.0],
            vec![2.0, 1.0, 0.0],
        ];
        let spec = AmbiguitySpec::l1(0.2).with_metrics(vec![
            GroundMetric::Matrix(MetricMatrix::new(line).unwrap()),
            GroundMetric::ZeroOne,
        ]);
        let balls = ProductBalls::new(&d, &spec).unwrap();
        assert_eq!(balls.radius().wasserstein, vec![0.2, 0.1]);
        assert_eq!(balls.ball(1, 0).center(), &[0.0, 0.5, 0.5]);
        // Confidence: m = (3, 2), K = 2: W = 2 ((8 - 2) + (4 - 2)) = 16; S = 400, delta = 0.1:
        // eps = sqrt(2 ln(16 / 0.1) / 400) = sqrt(2 ln 160 / 400) = 0.15931...
        let balls = ProductBalls::new(&d, &AmbiguitySpec::confidence(400, 0.1)).unwrap();
        let eps = (2.0 * 160f64.ln() / 400.0).sqrt();
        assert!((balls.radius().l1.unwrap() - eps).abs() < 1e-15);
        assert_eq!(balls.radius().wasserstein, vec![eps / 2.0; 2]);
        assert_eq!((balls.len(), balls.agents()), (2, 2));
    }

    #[test]
    fn rejects_mismatched_metrics() {
        let d = two_agents();
        let one = AmbiguitySpec::l1(0.1).with_metrics(vec![GroundMetric::ZeroOne]);
        assert_eq!(
            ProductBalls::new(&d, &one),
            Err(RobustError::MetricCount {
                got: 1,
                expected: 2
            })
        );
        let square = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        let wrong = AmbiguitySpec::l1(0.1).with_metrics(vec![
            GroundMetric::Matrix(MetricMatrix::new(square).unwrap()),
            GroundMetric::ZeroOne,
        ]);
        assert!(matches!(
            ProductBalls::new(&d, &wrong),
            Err(RobustError::Length { .. })
        ));
        assert!(ProductBalls::new(&d, &AmbiguitySpec::wasserstein(-1.0)).is_err());
    }
}
