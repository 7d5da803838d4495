//! Mechanisms (THEORY §5): a parameter vector `phi` in a box `Phi` and a rule that adds a
//! transfer `t_i(beta; phi)` to each agent's payoff.
//!
//! What it is for: the designer (rp-design) knows the rule and the box, never the payoffs; it
//! proposes `phi`, projects it onto the box and observes equilibria. Two classes:
//! - [`CorrectiveTransfers`] (`corrective`): one coefficient per pair of agents `i < j`,
//!   `t_i = sum_{j != i} phi_ij <psi_i(beta^i), psi_j(beta^j)>` with `phi_ji = -phi_ij`
//!   (`d = M(M-1)/2`). The transfers are zero-sum and have the shape of the environments'
//!   interactions, so `phi = -s` cancels them exactly.
//! - [`LinearPrices`] (`prices`): one price per agent, `t_i = -phi_i <g_i, beta^i>` on the
//!   agent's activity `g_i . beta^i` (`d = M`): a tax when `phi_i > 0`, a subsidy when negative.
//!   Linear in the own strategy, so it cannot cancel a bilinear interaction.
//!
//! What it is not: it draws no parameter and knows no environment; the boxes are set by the
//! environment that owns the mechanism (see [`crate::environment`]).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a parameter box or a parameter was rejected.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum MechanismError {
    /// Lower and upper bounds of different lengths, not finite, or crossed.
    #[error("invalid parameter box: {0}")]
    InvalidBox(String),
    /// A parameter of the wrong dimension.
    #[error("parameter has {got} entries, the mechanism has d = {expected}")]
    Dimension {
        /// Entries found.
        got: usize,
        /// The dimension `d`.
        expected: usize,
    },
    /// An agent index that is not below `M`.
    #[error("agent {agent} does not exist (the mechanism has {agents} agents)")]
    UnknownAgent {
        /// Index asked for.
        agent: usize,
        /// Number of agents `M`.
        agents: usize,
    },
    /// A profile whose length is not `N`.
    #[error("profile has {got} entries, expected N = {expected}")]
    ProfileLength {
        /// Entries found.
        got: usize,
        /// `N`.
        expected: usize,
    },
    /// A parameter outside the box (or not finite).
    #[error("parameter entry {index} = {value} is outside [{lower}, {upper}]")]
    OutOfBox {
        /// Index of the entry.
        index: usize,
        /// The value.
        value: f64,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
}

/// The parameter box `Phi = [lower, upper]` (one interval per coordinate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterBox {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl ParameterBox {
    /// The box `[lower, upper]`; bounds must be finite with `lower <= upper`.
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, MechanismError> {
        if lower.len() != upper.len() {
            return Err(MechanismError::InvalidBox(format!(
                "{} lower and {} upper bounds",
                lower.len(),
                upper.len()
            )));
        }
        let bad = lower
            .iter()
            .zip(&upper)
            .position(|(l, u)| !(l.is_finite() && u.is_finite() && l <= u));
        if let Some(k) = bad {
            return Err(MechanismError::InvalidBox(format!(
                "coordinate {k}: [{}, {}]",
                lower[k], upper[k]
            )));
        }
        Ok(Self { lower, upper })
    }

    /// The symmetric box `[-half_width, half_width]^d`.
    pub fn symmetric(d: usize, half_width: f64) -> Result<Self, MechanismError> {
        Self::new(vec![-half_width; d], vec![half_width; d])
    }

    /// Dimension `d`.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// Lower bounds.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// Upper bounds.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// Euclidean projection onto the box (coordinatewise clamp); NaN entries map to the lower
    /// bound so the result is always in the box.
    pub fn project(&self, phi: &[f64]) -> Vec<f64> {
        phi.iter()
            .zip(self.lower.iter().zip(&self.upper))
            .map(|(p, (l, u))| if p.is_nan() { *l } else { p.clamp(*l, *u) })
            .collect()
    }

    /// Errors unless `phi` has dimension `d` and lies in the box.
    pub fn check(&self, phi: &[f64]) -> Result<(), MechanismError> {
        if phi.len() != self.dim() {
            return Err(MechanismError::Dimension {
                got: phi.len(),
                expected: self.dim(),
            });
        }
        for (index, (&value, (&lower, &upper))) in phi
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .enumerate()
        {
            if !(lower..=upper).contains(&value) {
                return Err(MechanismError::OutOfBox {
                    index,
                    value,
                    lower,
                    upper,
                });
            }
        }
        Ok(())
    }

    /// Corner number `mask` of the box (bit `k` set: upper bound of coordinate `k`); there are
    /// `2^d` corners.
    pub fn corner(&self, mask: u64) -> Vec<f64> {
        (0..self.dim())
            .map(|k| {
                if k < 64 && mask >> k & 1 == 1 {
                    self.upper[k]
                } else {
                    self.lower[k]
                }
            })
            .collect()
    }
}

/// The two mechanism classes of THEORY §6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MechanismClass {
    /// One skew-symmetric corrective transfer per pair of agents; can cancel the interaction.
    Corrective,
    /// One linear price or tax per agent; cannot cancel bilinear interactions.
    Prices,
}

impl std::fmt::Display for MechanismClass {
    /// The name the CLI and the JSON use (`corrective`, `prices`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Corrective => "corrective",
            Self::Prices => "prices",
        })
    }
}

/// A mechanism: a parameter box and a transfer rule added to the agents' payoffs.
pub trait Mechanism: Send + Sync + std::fmt::Debug {
    /// Which class this is.
    fn class(&self) -> MechanismClass;

    /// The parameter box `Phi`.
    fn parameter_box(&self) -> &ParameterBox;

    /// Dimension `d` of `phi`.
    fn dim(&self) -> usize {
        self.parameter_box().dim()
    }

    /// Projection onto `Phi`.
    fn project(&self, phi: &[f64]) -> Vec<f64> {
        self.parameter_box().project(phi)
    }

    /// Number of agents `M`.
    fn agents(&self) -> usize;

    /// Joint dimension `N` of the profiles it acts on.
    fn profile_dim(&self) -> usize;

    /// Transfer `t_i(beta; phi)` received by agent `i` (negative: paid); errors for an unknown
    /// agent or lengths that do not match `d` and `N`.
    fn transfer(&self, agent: usize, phi: &[f64], beta: &[f64]) -> Result<f64, MechanismError> {
        check_transfer_arguments(self, agent, phi, beta)?;
        Ok(self.transfer_unchecked(agent, phi, beta))
    }

    /// [`Mechanism::transfer`] for arguments already checked.
    fn transfer_unchecked(&self, agent: usize, phi: &[f64], beta: &[f64]) -> f64;

    /// Adds `grad_{beta^i} t_i(beta; phi)` to block `i` of `out`, for every agent.
    ///
    /// Hot path (twice per solver iteration): `phi` must have length `d` and `beta`, `out`
    /// length `N`; the environment checks `phi` once per solve. Implementations may panic on
    /// other lengths.
    fn add_transfer_gradient(&self, phi: &[f64], beta: &[f64], out: &mut [f64]);
}

/// The argument checks of [`Mechanism::transfer`].
fn check_transfer_arguments<M: Mechanism + ?Sized>(
    mechanism: &M,
    agent: usize,
    phi: &[f64],
    beta: &[f64],
) -> Result<(), MechanismError> {
    if phi.len() != mechanism.dim() {
        return Err(MechanismError::Dimension {
            got: phi.len(),
            expected: mechanism.dim(),
        });
    }
    if agent >= mechanism.agents() {
        return Err(MechanismError::UnknownAgent {
            agent,
            agents: mechanism.agents(),
        });
    }
    if beta.len() != mechanism.profile_dim() {
        return Err(MechanismError::ProfileLength {
            got: beta.len(),
            expected: mechanism.profile_dim(),
        });
    }
    Ok(())
}

/// Index of the pair `(i, j)`, `i < j < m`, in the lexicographic list
/// `(0,1), (0,2), ..., (0,m-1), (1,2), ...`.
pub fn pair_index(m: usize, i: usize, j: usize) -> usize {
    debug_assert!(i < j && j < m);
    i * (2 * m - i - 1) / 2 + (j - i - 1)
}

/// The dense `m x m` skew-symmetric matrix with `c[i][j] = phi[pair(i, j)] = -c[j][i]` (`i < j`).
pub fn skew_from_pairs(m: usize, phi: &[f64]) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for j in i + 1..m {
            let v = phi[pair_index(m, i, j)];
            c[i * m + j] = v;
            c[j * m + i] = -v;
        }
    }
    c
}

/// Pairwise bilinear coupling through linear features: agent `i`'s feature vector is
/// `psi_i = P_i beta^i` (`P_i` is `width x n_i`), and with a coupling matrix `c` (`M x M`) agent
/// `i` receives `sum_{j != i} c_ij <psi_i, psi_j>`, whose own-strategy gradient is
/// `P_i' sum_j c_ij psi_j`. With `c` skew-symmetric the terms cancel in the sum over agents.
///
/// `spectrum` uses `P_i = I` (channel overlap `beta^i . beta^j`), `river` uses the row of
/// emission levels (`psi_i = E_i`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BilinearCoupling {
    width: usize,
    offsets: Vec<usize>,
    /// `P_i` row-major, one per agent.
    features: Vec<Vec<f64>>,
}

impl BilinearCoupling {
    /// A coupling with feature matrices `features[i]` (row-major `width x n_i`).
    ///
    /// Returns `None` when a matrix does not have `width * n_i` finite entries.
    pub fn new(blocks: &[usize], width: usize, features: Vec<Vec<f64>>) -> Option<Self> {
        let ok = features.len() == blocks.len()
            && features
                .iter()
                .zip(blocks)
                .all(|(p, n)| p.len() == width * n && p.iter().all(|v| v.is_finite()));
        let mut offsets = vec![0];
        for n in blocks {
            offsets.push(offsets.last().copied().unwrap_or(0) + n);
        }
        ok.then_some(Self {
            width,
            offsets,
            features,
        })
    }

    /// Number of agents `M`.
    pub fn agents(&self) -> usize {
        self.features.len()
    }

    /// Joint dimension `N = sum n_i`.
    pub fn profile_dim(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// Feature width (rows of each `P_i`).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Features `psi_i = P_i beta^i` of every agent, row-major `M x width`.
    pub fn features_of(&self, beta: &[f64]) -> Vec<f64> {
        let mut psi = vec![0.0; self.agents() * self.width];
        for (i, p) in self.features.iter().enumerate() {
            let block = &beta[self.offsets[i]..self.offsets[i + 1]];
            let n = block.len();
            for r in 0..self.width {
                psi[i * self.width + r] = p[r * n..(r + 1) * n]
                    .iter()
                    .zip(block)
                    .map(|(a, b)| a * b)
                    .sum();
            }
        }
        psi
    }

    /// Agent `i`'s term `sum_{j != i} c_ij <psi_i, psi_j>` (`c` row-major `M x M`).
    pub fn value(&self, c: &[f64], beta: &[f64], i: usize) -> f64 {
        let psi = self.features_of(beta);
        let (m, w) = (self.agents(), self.width);
        let own = &psi[i * w..(i + 1) * w];
        (0..m)
            .filter(|&j| j != i)
            .map(|j| {
                let overlap: f64 = own
                    .iter()
                    .zip(&psi[j * w..(j + 1) * w])
                    .map(|(a, b)| a * b)
                    .sum();
                c[i * m + j] * overlap
            })
            .sum()
    }

    /// Adds `P_i' sum_{j != i} c_ij psi_j` to block `i` of `out`, for every agent.
    pub fn add_gradient(&self, c: &[f64], beta: &[f64], out: &mut [f64]) {
        let psi = self.features_of(beta);
        let (m, w) = (self.agents(), self.width);
        for (i, p) in self.features.iter().enumerate() {
            let block = &mut out[self.offsets[i]..self.offsets[i + 1]];
            let n = block.len();
            for j in (0..m).filter(|&j| j != i) {
                let cij = c[i * m + j];
                if cij == 0.0 {
                    continue;
                }
                for (r, psi_jr) in psi[j * w..(j + 1) * w].iter().enumerate() {
                    let pull = cij * psi_jr;
                    for (o, a) in block.iter_mut().zip(&p[r * n..(r + 1) * n]) {
                        *o += a * pull;
                    }
                }
            }
        }
    }
}

/// The `corrective` class: skew-symmetric pairwise transfers on the environment's coupling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrectiveTransfers {
    coupling: BilinearCoupling,
    bounds: ParameterBox,
}

impl CorrectiveTransfers {
    /// Transfers on `coupling` with parameter box `bounds` (`d = M(M-1)/2`).
    pub fn new(coupling: BilinearCoupling, bounds: ParameterBox) -> Result<Self, MechanismError> {
        let m = coupling.agents();
        let d = m * m.saturating_sub(1) / 2;
        if bounds.dim() != d {
            return Err(MechanismError::Dimension {
                got: bounds.dim(),
                expected: d,
            });
        }
        Ok(Self { coupling, bounds })
    }
}

impl Mechanism for CorrectiveTransfers {
    fn class(&self) -> MechanismClass {
        MechanismClass::Corrective
    }

    fn parameter_box(&self) -> &ParameterBox {
        &self.bounds
    }

    fn agents(&self) -> usize {
        self.coupling.agents()
    }

    fn profile_dim(&self) -> usize {
        self.coupling.profile_dim()
    }

    fn transfer_unchecked(&self, agent: usize, phi: &[f64], beta: &[f64]) -> f64 {
        let c = skew_from_pairs(self.coupling.agents(), phi);
        self.coupling.value(&c, beta, agent)
    }

    fn add_transfer_gradient(&self, phi: &[f64], beta: &[f64], out: &mut [f64]) {
        let c = skew_from_pairs(self.coupling.agents(), phi);
        self.coupling.add_gradient(&c, beta, out);
    }
}

/// The `prices` class: agent `i` pays `phi_i <g_i, beta^i>` on its activity vector `g_i`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearPrices {
    activity: Vec<Vec<f64>>,
    bounds: ParameterBox,
}

impl LinearPrices {
    /// Prices on activity vectors `activity[i]` (length `n_i`) with box `bounds` (`d = M`).
    pub fn new(activity: Vec<Vec<f64>>, bounds: ParameterBox) -> Result<Self, MechanismError> {
        if bounds.dim() != activity.len() {
            return Err(MechanismError::Dimension {
                got: bounds.dim(),
                expected: activity.len(),
            });
        }
        Ok(Self { activity, bounds })
    }

    fn offsets(&self) -> impl Iterator<Item = (usize, &Vec<f64>)> {
        self.activity.iter().scan(0, |start, g| {
            let s = *start;
            *start += g.len();
            Some((s, g))
        })
    }
}

impl Mechanism for LinearPrices {
    fn class(&self) -> MechanismClass {
        MechanismClass::Prices
    }

    fn parameter_box(&self) -> &ParameterBox {
        &self.bounds
    }

    fn agents(&self) -> usize {
        self.activity.len()
    }

    fn profile_dim(&self) -> usize {
        self.activity.iter().map(Vec::len).sum()
    }

    fn transfer_unchecked(&self, agent: usize, phi: &[f64], beta: &[f64]) -> f64 {
        self.offsets().nth(agent).map_or(0.0, |(start, g)| {
            -phi[agent]
                * g.iter()
                    .zip(&beta[start..])
                    .map(|(g, b)| g * b)
                    .sum::<f64>()
        })
    }

    fn add_transfer_gradient(&self, phi: &[f64], beta: &[f64], out: &mut [f64]) {
        debug_assert_eq!(beta.len(), out.len());
        for (i, (start, g)) in self.offsets().enumerate() {
            for (o, gk) in out[start..start + g.len()].iter_mut().zip(g) {
                *o -= phi[i] * gk;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_numbered_lexicographically() {
        // m = 4: (0,1)=0 (0,2)=1 (0,3)=2 (1,2)=3 (1,3)=4 (2,3)=5.
        let order: Vec<usize> = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
            .iter()
            .map(|&(i, j)| pair_index(4, i, j))
            .collect();
        assert_eq!(order, vec![0, 1, 2, 3, 4, 5]);
        let c = skew_from_pairs(3, &[1.0, 2.0, 3.0]);
        assert_eq!(c, vec![0.0, 1.0, 2.0, -1.0, 0.0, 3.0, -2.0, -3.0, 0.0]);
    }

    #[test]
    fn box_projects_checks_and_lists_corners() {
        let b = ParameterBox::new(vec![-1.0, 0.0], vec![1.0, 2.0]).unwrap();
        assert_eq!(b.project(&[3.0, -1.0]), vec![1.0, 0.0]);
        assert_eq!(b.project(&[f64::NAN, 1.0]), vec![-1.0, 1.0]);
        assert!(b.check(&[0.0, 1.0]).is_ok());
        assert!(matches!(
            b.check(&[0.0, 3.0]),
            Err(MechanismError::OutOfBox { index: 1, .. })
        ));
        assert!(b.check(&[0.0]).is_err());
        assert_eq!(b.corner(0b10), vec![-1.0, 2.0]);
        assert!(ParameterBox::new(vec![1.0], vec![0.0]).is_err());
    }

    #[test]
    fn corrective_transfers_are_zero_sum_with_known_gradient() {
        // Two agents with one channel each... three agents, 2 actions each, P_i = I.
        let blocks = [2, 2, 2];
        let eye = vec![1.0, 0.0, 0.0, 1.0];
        let coupling = BilinearCoupling::new(&blocks, 2, vec![eye.clone(); 3]).unwrap();
        let mech =
            CorrectiveTransfers::new(coupling, ParameterBox::symmetric(3, 5.0).unwrap()).unwrap();
        let phi = [1.0, -2.0, 0.5];
        let beta = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        // t_0 = phi_01 <b0, b1> + phi_02 <b0, b2> = 1 * (0.03 + 0.08) - 2 * (0.05 + 0.12) = -0.23.
        assert!((mech.transfer(0, &phi, &beta).unwrap() + 0.23).abs() < 1e-15);
        let total: f64 = (0..3).map(|i| mech.transfer(i, &phi, &beta).unwrap()).sum();
        assert!(matches!(
            mech.transfer(3, &phi, &beta),
            Err(MechanismError::UnknownAgent { agent: 3, .. })
        ));
        assert!(mech.transfer(0, &phi[..2], &beta).is_err());
        assert!(mech.transfer(0, &phi, &beta[..5]).is_err());
        assert!(total.abs() < 1e-15);
        // grad_0 t_0 = phi_01 b1 + phi_02 b2 = (0.3 - 1.0, 0.4 - 1.2) = (-0.7, -0.8).
        let mut g = vec![0.0; 6];
        mech.add_transfer_gradient(&phi, &beta, &mut g);
        assert!(
            (g[0] + 0.7).abs() < 1e-15 && (g[1] + 0.8).abs() < 1e-15,
            "{g:?}"
        );
    }

    #[test]
    fn prices_tax_activity() {
        let mech = LinearPrices::new(
            vec![vec![1.0, 2.0], vec![3.0]],
            ParameterBox::symmetric(2, 1.0).unwrap(),
        )
        .unwrap();
        // t_0 = -0.5 * (1 * 0.2 + 2 * 0.1) = -0.2; t_1 = 0.25 * 3 * 0.4 = 0.3.
        let beta = [0.2, 0.1, 0.4];
        assert!((mech.transfer(0, &[0.5, -0.25], &beta).unwrap() + 0.2).abs() < 1e-15);
        assert!((mech.transfer(1, &[0.5, -0.25], &beta).unwrap() - 0.3).abs() < 1e-15);
        let mut g = vec![0.0; 3];
        mech.add_transfer_gradient(&[0.5, -0.25], &beta, &mut g);
        assert_eq!(g, vec![-0.5, -1.0, 0.75]);
    }
}
