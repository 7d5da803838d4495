//! The worst cases the robust program needs, computed once per data set (internal).
//!
//! On probes normalized by the empirical expenditure (`a_k = alpha_k / hat e_k`, block `a^i_k`;
//! the null outcome costs nothing, so the direction on agent `i`'s outcomes is `c^i_k =
//! (a^i_k, 0)`), with `B^i_k` agent `i`'s ball in observation `k`:
//!
//! - `up[i][k]  = max_{q in B^i_k} c^i_k . q`: the most agent `i` can spend on its own budget;
//! - `own[i][k] = min_{q in B^i_k} c^i_k . q`: the least, so `E_k = sum_i own[i][k]` is the
//!   worst-case (smallest) expenditure of game `k` relative to `hat e_k`;
//! - `low[i][k][j] = min_{q in B^i_j} c^i_k . q` for `j != k`: the cheapest agent `i`'s bundle
//!   of game `j` can be at the prices of game `k`.
//!
//! That is the *pessimistic* table of the robust gap. The *optimistic* one ([`Bias`]) takes the
//! best case instead (`max` over `B^i_j` for the bundles of other games, `own` for the budget's
//! own spend, `sum_i up` for the expenditure): the lower bound of [`crate::sensitivity`].
//!
//! `M K^2 + 2 M K` support functions in all, rows of `k` in parallel (each entry is computed
//! alone, so the table does not depend on the thread count).

use rayon::prelude::*;
use rp_lp::ObservationSet;
use serde::{Deserialize, Serialize};

use crate::ambiguity::ProductBalls;
use crate::error::RobustError;
use crate::wasserstein::{WassersteinBall, WorstCase};

/// How the worst case of a linear function over a ball is found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Oracle {
    /// The greedy closed form under the 0-1 metric, the transport LP otherwise (the default).
    #[default]
    Auto,
    /// The transport LP for every metric (an independent check of the greedy form).
    TransportLp,
}

impl Oracle {
    /// `max_{q in ball} c . q` and a maximizer.
    pub fn support(self, ball: &WassersteinBall, c: &[f64]) -> Result<WorstCase, RobustError> {
        match self {
            Self::Auto => ball.support(c),
            Self::TransportLp => ball.support_lp(c, &rp_lp::Microlp::precise()),
        }
    }

    /// `min_{q in ball} c . q` and a minimizer.
    pub fn infimum(self, ball: &WassersteinBall, c: &[f64]) -> Result<WorstCase, RobustError> {
        let negated: Vec<f64> = c.iter().map(|v| -v).collect();
        let mut worst = self.support(ball, &negated)?;
        worst.value = -worst.value;
        Ok(worst)
    }
}

/// The directions `c^i_k = (a^i_k, 0)` of the normalized probes (module doc).
pub(crate) struct Directions {
    agents: usize,
    /// Observation-major: `(k, i)` at `k * agents + i`.
    c: Vec<Vec<f64>>,
}

impl Directions {
    pub fn new(empirical: &ObservationSet) -> Self {
        let norm = empirical.normalized();
        let c = (0..norm.len())
            .flat_map(|k| {
                let probe = norm.probe(k);
                norm.blocks()
                    .map(|b| {
                        let mut c = probe[b].to_vec();
                        c.push(0.0);
                        c
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        Self {
            agents: empirical.num_agents(),
            c,
        }
    }

    /// `c^i_k`.
    pub fn get(&self, k: usize, i: usize) -> &[f64] {
        &self.c[k * self.agents + i]
    }
}

/// Which side of the balls a table takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bias {
    /// The worst case: each row at its largest excess, each expenditure at its smallest (the
    /// robust gap).
    Pessimistic,
    /// The best case: each row at its smallest excess, each expenditure at its largest (a lower
    /// bound on the gap of every profile in the balls, [`crate::sensitivity`]).
    Optimistic,
}

/// The table of the module doc, for one [`Bias`] (the optimistic table takes `max` where the
/// pessimistic one takes `min` for the bundles of other games).
pub(crate) struct WorstCaseTable {
    pub k: usize,
    pub agents: usize,
    /// `up[i * K + k]`.
    up: Vec<f64>,
    /// `own[i * K + k]`.
    own: Vec<f64>,
    /// `cross[(i * K + k) * K + j]`: `low[i][k][j]` (pessimistic) or the maximum of
    /// `c^i_k . q` over `B^i_j` (optimistic); unused on the diagonal.
    cross: Vec<f64>,
    pub oracle: Oracle,
    pub bias: Bias,
}

/// The entries of one observation `k`: `(up[i], own[i], cross[i][j])` for every agent.
type KRow = Vec<(f64, f64, Vec<f64>)>;

impl WorstCaseTable {
    pub fn new(
        balls: &ProductBalls,
        dirs: &Directions,
        oracle: Oracle,
        bias: Bias,
    ) -> Result<Self, RobustError> {
        let (kk, agents) = (balls.len(), balls.agents());
        let cross = |ball: &WassersteinBall, c: &[f64]| match bias {
            Bias::Pessimistic => Ok(oracle.infimum(ball, c)?.value),
            Bias::Optimistic => Ok(oracle.support(ball, c)?.value),
        };
        let row = |k: usize| -> Result<KRow, RobustError> {
            (0..agents)
                .map(|i| {
                    let c = dirs.get(k, i);
                    let up = oracle.support(balls.ball(k, i), c)?.value;
                    let own = oracle.infimum(balls.ball(k, i), c)?.value;
                    let others = (0..kk)
                        .map(|j| {
                            if j == k {
                                Ok(0.0)
                            } else {
                                cross(balls.ball(j, i), c)
                            }
                        })
                        .collect::<Result<Vec<f64>, RobustError>>()?;
                    Ok((up, own, others))
                })
                .collect()
        };
        let rows: Vec<KRow> = (0..kk).into_par_iter().map(row).collect::<Result<_, _>>()?;
        let mut table = Self {
            k: kk,
            agents,
            up: vec![0.0; agents * kk],
            own: vec![0.0; agents * kk],
            cross: vec![0.0; agents * kk * kk],
            oracle,
            bias,
        };
        for (k, entries) in rows.into_iter().enumerate() {
            for (i, (up, own, others)) in entries.into_iter().enumerate() {
                table.up[i * kk + k] = up;
                table.own[i * kk + k] = own;
                table.cross[(i * kk + k) * kk..(i * kk + k + 1) * kk].copy_from_slice(&others);
            }
        }
        Ok(table)
    }

    /// Agent `i`'s spend on its own budget `k` in the rows: `up[i][k]` (pessimistic) or
    /// `own[i][k]` (optimistic).
    pub fn budget(&self, i: usize, k: usize) -> f64 {
        match self.bias {
            Bias::Pessimistic => self.up[i * self.k + k],
            Bias::Optimistic => self.own[i * self.k + k],
        }
    }

    /// The spend of agent `i`'s bundle of game `j != k` at the prices of `k` in the rows.
    pub fn cross(&self, i: usize, k: usize, j: usize) -> f64 {
        self.cross[(i * self.k + k) * self.k + j]
    }

    /// The expenditure of game `k` the floor uses, relative to `hat e_k`: `E_k = sum_i
    /// own[i][k]` (pessimistic) or `sum_i up[i][k]` (optimistic).
    pub fn expenditure(&self, k: usize) -> f64 {
        let side = match self.bias {
            Bias::Pessimistic => &self.own,
            Bias::Optimistic => &self.up,
        };
        (0..self.agents).map(|i| side[i * self.k + k]).sum()
    }

    /// Errors if some `E_k` is 0: the ball of `k` reaches the all-null profile.
    pub fn check_expenditures(&self) -> Result<(), RobustError> {
        match (0..self.k).find(|&k| self.expenditure(k) <= 0.0) {
            Some(obs) => Err(RobustError::NullInBall { obs }),
            None => Ok(()),
        }
    }
}

/// The distributions attaining a row's worst case: agent `i`'s highest spend on budget `k`
/// and its cheapest bundle of game `j` at the prices of `k`.
pub(crate) fn row_scenario(
    balls: &ProductBalls,
    dirs: &Directions,
    oracle: Oracle,
    i: usize,
    k: usize,
    j: usize,
) -> Result<(Vec<f64>, Vec<f64>), RobustError> {
    let c = dirs.get(k, i);
    let budget = oracle.support(balls.ball(k, i), c)?.distribution;
    let bundle = oracle.infimum(balls.ball(j, i), c)?.distribution;
    Ok((budget, bundle))
}

/// The distributions attaining `E_k`: every agent's cheapest strategy in its ball of `k`.
pub(crate) fn floor_scenario(
    balls: &ProductBalls,
    dirs: &Directions,
    oracle: Oracle,
    k: usize,
) -> Result<Vec<Vec<f64>>, RobustError> {
    (0..balls.agents())
        .map(|i| {
            Ok(oracle
                .infimum(balls.ball(k, i), dirs.get(k, i))?
                .distribution)
        })
        .collect()
}
