//! The feasible polytope of a concave game (THEORY §5): per-agent caps and shared linear
//! constraints,
//! `X = { beta >= 0, sum_a beta^i_a <= cap_i (capped agents), A beta <= b }`.
//!
//! Validated on construction, so the projection and the solvers never see a malformed set.

use serde::{Deserialize, Serialize};

use super::error::GameError;

/// One shared linear constraint `coefficients . beta <= bound` on the joint profile (a probe
/// `alpha_k . beta <= 1`, a monitoring station's emission cap, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedConstraint {
    /// Row `a` of `A` (length `N`).
    pub coefficients: Vec<f64>,
    /// Right-hand side `b`.
    pub bound: f64,
}

impl SharedConstraint {
    /// The constraint `coefficients . beta <= bound`.
    pub fn new(coefficients: Vec<f64>, bound: f64) -> Self {
        Self {
            coefficients,
            bound,
        }
    }

    /// `a . beta - b` (positive when violated).
    pub fn excess(&self, beta: &[f64]) -> f64 {
        dot(&self.coefficients, beta) - self.bound
    }
}

/// The feasible polytope: agent blocks of sizes `n_i`, an optional cap per agent (`Some(1.0)` for
/// mixed strategies, `None` for quantity games) and any number of shared constraints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeasibleSet {
    blocks: Vec<usize>,
    offsets: Vec<usize>,
    caps: Vec<Option<f64>>,
    shared: Vec<SharedConstraint>,
}

impl FeasibleSet {
    /// Validates and builds the set.
    ///
    /// Errors: no agent, an empty block, `caps.len() != blocks.len()`, a cap that is not positive
    /// and finite, a shared row of the wrong length or with a non-finite entry, or a single shared
    /// constraint that no point of the capped orthant satisfies (the set is empty; with two or
    /// more shared constraints emptiness is reported by the projection instead).
    pub fn new(
        blocks: Vec<usize>,
        caps: Vec<Option<f64>>,
        shared: Vec<SharedConstraint>,
    ) -> Result<Self, GameError> {
        if blocks.is_empty() {
            return Err(GameError::InvalidSet("no agents".into()));
        }
        if let Some(i) = blocks.iter().position(|&n| n == 0) {
            return Err(GameError::InvalidSet(format!(
                "agent {i} has an empty block"
            )));
        }
        if caps.len() != blocks.len() {
            return Err(GameError::InvalidSet(format!(
                "{} caps for {} agents",
                caps.len(),
                blocks.len()
            )));
        }
        if let Some(i) = caps
            .iter()
            .position(|c| c.is_some_and(|c| !(c.is_finite() && c > 0.0)))
        {
            return Err(GameError::InvalidSet(format!(
                "agent {i}: cap {:?} must be positive and finite",
                caps[i]
            )));
        }
        let mut offsets = vec![0];
        for n in &blocks {
            offsets.push(offsets.last().copied().unwrap_or(0) + n);
        }
        let set = Self {
            blocks,
            offsets,
            caps,
            shared,
        };
        set.validate_shared()?;
        Ok(set)
    }

    /// Every agent capped at 1 (mixed strategies) plus the shared constraints.
    pub fn mixed(blocks: Vec<usize>, shared: Vec<SharedConstraint>) -> Result<Self, GameError> {
        let caps = vec![Some(1.0); blocks.len()];
        Self::new(blocks, caps, shared)
    }

    fn validate_shared(&self) -> Result<(), GameError> {
        let n = self.dim();
        for (m, c) in self.shared.iter().enumerate() {
            if c.coefficients.len() != n {
                return Err(GameError::InvalidSet(format!(
                    "shared constraint {m} has {} coefficients, expected N = {n}",
                    c.coefficients.len()
                )));
            }
            if !c.bound.is_finite() || c.coefficients.iter().any(|a| !a.is_finite()) {
                return Err(GameError::InvalidSet(format!(
                    "shared constraint {m} has a non-finite entry"
                )));
            }
        }
        if let [only] = self.shared.as_slice()
            && self.min_over_caps(&only.coefficients) > only.bound
        {
            return Err(GameError::EmptySet);
        }
        Ok(())
    }

    /// `min { a . beta : beta >= 0, block caps }` (`-inf` when an uncapped block has a negative
    /// coefficient): the set with the single constraint `a . beta <= b` is empty iff this exceeds `b`.
    fn min_over_caps(&self, a: &[f64]) -> f64 {
        (0..self.agents())
            .map(|i| {
                let low = a[self.block(i)].iter().copied().fold(0.0, f64::min);
                match self.caps[i] {
                    Some(cap) => cap * low,
                    None if low < 0.0 => f64::NEG_INFINITY,
                    None => 0.0,
                }
            })
            .sum()
    }

    /// Number of agents `M`.
    pub fn agents(&self) -> usize {
        self.blocks.len()
    }

    /// Block sizes `n_i`.
    pub fn blocks(&self) -> &[usize] {
        &self.blocks
    }

    /// Index range of agent `i`'s block in the joint profile.
    pub fn block(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }

    /// Joint dimension `N = sum n_i`.
    pub fn dim(&self) -> usize {
        self.offsets[self.blocks.len()]
    }

    /// Agent caps (`None`: uncapped).
    pub fn caps(&self) -> &[Option<f64>] {
        &self.caps
    }

    /// The shared constraints.
    pub fn shared(&self) -> &[SharedConstraint] {
        &self.shared
    }

    /// Largest constraint violation of `beta` (0 when feasible): negative entries, cap excess,
    /// shared-constraint excess.
    pub fn violation(&self, beta: &[f64]) -> f64 {
        let negative = beta.iter().fold(0.0_f64, |v, &x| v.max(-x));
        let caps = (0..self.agents()).fold(0.0_f64, |v, i| match self.caps[i] {
            Some(cap) => v.max(beta[self.block(i)].iter().sum::<f64>() - cap),
            None => v,
        });
        let shared = self
            .shared
            .iter()
            .fold(0.0_f64, |v, c| v.max(c.excess(beta)));
        negative.max(caps).max(shared)
    }

    /// Errors unless `beta` has length `N` and finite entries.
    pub fn check_point(&self, beta: &[f64], what: &'static str) -> Result<(), GameError> {
        if beta.len() != self.dim() {
            return Err(GameError::Dimension {
                what,
                got: beta.len(),
                expected: self.dim(),
            });
        }
        if let Some(j) = beta.iter().position(|x| !x.is_finite()) {
            return Err(GameError::NonFinite {
                what,
                index: j,
                value: beta[j],
            });
        }
        Ok(())
    }
}

/// Dot product of two equal-length slices.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Euclidean distance between two equal-length slices.
pub(crate) fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_sets() {
        assert!(FeasibleSet::mixed(vec![], vec![]).is_err());
        assert!(FeasibleSet::mixed(vec![2, 0], vec![]).is_err());
        assert!(FeasibleSet::new(vec![1], vec![Some(-1.0)], vec![]).is_err());
        let short = SharedConstraint::new(vec![1.0], 1.0);
        assert!(FeasibleSet::mixed(vec![1, 1], vec![short]).is_err());
        // a . beta >= 1 * 1 + 1 * 0 = ... min over caps of (1, 1) . beta is 0 > -1: empty.
        let empty = SharedConstraint::new(vec![1.0, 1.0], -1.0);
        assert_eq!(
            FeasibleSet::mixed(vec![1, 1], vec![empty]),
            Err(GameError::EmptySet)
        );
    }

    #[test]
    fn violation_measures_each_kind() {
        let set =
            FeasibleSet::mixed(vec![2, 1], vec![SharedConstraint::new(vec![1.0; 3], 1.5)]).unwrap();
        assert_eq!(set.violation(&[0.5, 0.5, 0.5]), 0.0);
        // cap: 0.9 + 0.3 - 1 = 0.2; shared: 1.2 + 0 - 1.5 < 0.
        assert!((set.violation(&[0.9, 0.3, 0.0]) - 0.2).abs() < 1e-15);
        assert_eq!(set.violation(&[-0.25, 0.0, 0.0]), 0.25);
    }
}
