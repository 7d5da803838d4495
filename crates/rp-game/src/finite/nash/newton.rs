//! Newton's method on the indifference equations of a support profile (n players).
//!
//! Given supports `S_i`, the unknowns are `x_i` on `S_i` and the equations are, per player,
//! `sum_a x_ia = 1` and `u_i(a, x_{-i}) = u_i(a_0, x_{-i})` for `a` in `S_i` other than its first
//! element `a_0`: a square polynomial system, multilinear in the other players' strategies.
//! Payoffs are restricted to the support profile and divided by the payoff range, so residuals
//! are on the scale of the certification bound. Steps solve the Jacobian system in the least
//! squares sense (SVD, minimum norm), which also converges on the positive-dimensional solution
//! sets of degenerate games, with backtracking on the residual norm.

use nalgebra::{DMatrix, DVector};

use super::super::game::NormalFormGame;
use super::super::tensor::{contract_except, contract_pair};

/// Residual (sup norm, payoffs divided by the range) at which Newton stops.
const CONVERGED: f64 = 1e-14;
/// Newton iterations before giving up.
const MAX_ITERATIONS: usize = 40;

/// The indifference system of one support profile.
pub(crate) struct SupportSystem {
    supports: Vec<Vec<usize>>,
    dims: Vec<usize>,
    /// Payoff tensors restricted to the support profile, divided by the payoff range.
    tensors: Vec<Vec<f64>>,
    /// Offset of each player's block in the unknown vector.
    offsets: Vec<usize>,
    size: usize,
}

impl SupportSystem {
    /// The system of `game` on `supports` (each nonempty, sorted, in range).
    pub(crate) fn new(game: &NormalFormGame, supports: Vec<Vec<usize>>) -> Self {
        let dims: Vec<usize> = supports.iter().map(Vec::len).collect();
        let strides = game.strides();
        let sub_profiles: usize = dims.iter().product();
        let mut flat = Vec::with_capacity(sub_profiles);
        let mut digits = vec![0usize; dims.len()];
        for _ in 0..sub_profiles {
            flat.push(
                digits
                    .iter()
                    .zip(&supports)
                    .zip(strides)
                    .map(|((&d, s), &stride)| s[d] * stride)
                    .sum::<usize>(),
            );
            advance(&mut digits, &dims);
        }
        // The same map as `NormalFormGame::normalized_tensors`, on the gathered entries only.
        let range = game.payoff_range();
        let scale = if range > 0.0 { 1.0 / range } else { 1.0 };
        let tensors = game
            .payoff_tensors()
            .iter()
            .zip(game.payoff_floors())
            .map(|(t, &floor)| flat.iter().map(|&k| (t[k] - floor) * scale).collect())
            .collect();
        let mut offsets = Vec::with_capacity(dims.len());
        let mut size = 0;
        for &k in &dims {
            offsets.push(size);
            size += k;
        }
        Self {
            supports,
            dims,
            tensors,
            offsets,
            size,
        }
    }

    /// The unknown vector from a full profile (restricted to the supports, renormalized).
    pub(crate) fn restrict(&self, full: &[Vec<f64>]) -> Vec<f64> {
        let mut z = Vec::with_capacity(self.size);
        for (s, x) in self.supports.iter().zip(full) {
            let sum: f64 = s.iter().map(|&a| x[a]).sum();
            z.extend(s.iter().map(|&a| {
                if sum > 0.0 {
                    x[a] / sum
                } else {
                    1.0 / s.len() as f64
                }
            }));
        }
        z
    }

    /// The centroid of the supports.
    pub(crate) fn centroid(&self) -> Vec<f64> {
        self.dims
            .iter()
            .flat_map(|&k| std::iter::repeat_n(1.0 / k as f64, k))
            .collect()
    }

    /// Size of each player's block.
    pub(crate) fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The full profile (zeros off the supports) from the unknowns.
    pub(crate) fn expand(&self, z: &[f64], counts: &[usize]) -> Vec<Vec<f64>> {
        self.supports
            .iter()
            .zip(&self.offsets)
            .zip(counts)
            .map(|((s, &off), &n)| {
                let mut x = vec![0.0; n];
                for (k, &a) in s.iter().enumerate() {
                    x[a] = z[off + k];
                }
                x
            })
            .collect()
    }

    fn blocks<'a>(&self, z: &'a [f64]) -> Vec<&'a [f64]> {
        self.offsets
            .iter()
            .zip(&self.dims)
            .map(|(&o, &k)| &z[o..o + k])
            .collect()
    }

    /// Residual `F(z)`.
    pub(crate) fn residual(&self, z: &[f64]) -> Vec<f64> {
        let w = self.blocks(z);
        let mut f = vec![0.0; self.size];
        for i in 0..self.dims.len() {
            let v = contract_except(&self.tensors[i], &self.dims, &[i], &w, 0.0);
            let o = self.offsets[i];
            f[o] = w[i].iter().sum::<f64>() - 1.0;
            for a in 1..self.dims[i] {
                f[o + a] = v[a] - v[0];
            }
        }
        f
    }

    /// Jacobian `dF/dz`, row-major `size x size`.
    pub(crate) fn jacobian(&self, z: &[f64]) -> DMatrix<f64> {
        let w = self.blocks(z);
        let n = self.dims.len();
        let mut jac = DMatrix::zeros(self.size, self.size);
        for i in 0..n {
            let oi = self.offsets[i];
            for k in 0..self.dims[i] {
                jac[(oi, oi + k)] = 1.0;
            }
            for j in (0..n).filter(|&j| j != i && self.dims[i] > 1) {
                let m = contract_pair(&self.tensors[i], &self.dims, i, j, &w);
                let (oj, nj) = (self.offsets[j], self.dims[j]);
                for a in 1..self.dims[i] {
                    for b in 0..nj {
                        jac[(oi + a, oj + b)] = m[a * nj + b] - m[b];
                    }
                }
            }
        }
        jac
    }

    /// Newton's method from `z`; the root (sup-norm residual below [`CONVERGED`]) or `None`.
    pub(crate) fn solve(&self, mut z: Vec<f64>) -> Option<Vec<f64>> {
        let norm = |f: &[f64]| f.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let mut f = self.residual(&z);
        let mut fnorm = norm(&f);
        for _ in 0..MAX_ITERATIONS {
            if fnorm <= CONVERGED {
                return Some(z);
            }
            let step = self.step(&z, &f)?;
            let mut t = 1.0;
            loop {
                let trial: Vec<f64> = z.iter().zip(&step).map(|(a, d)| a + t * d).collect();
                let ft = self.residual(&trial);
                let tn = norm(&ft);
                if tn < fnorm {
                    z = trial;
                    f = ft;
                    fnorm = tn;
                    break;
                }
                if t < 1e-3 {
                    return None;
                }
                t *= 0.5;
            }
        }
        (fnorm <= CONVERGED * 1e3).then_some(z)
    }

    /// Minimum-norm least-squares solution of `J d = -F`.
    fn step(&self, z: &[f64], f: &[f64]) -> Option<Vec<f64>> {
        let jac = self.jacobian(z);
        let rhs = -DVector::from_column_slice(f);
        let svd = jac.svd(true, true);
        let cutoff = svd.singular_values.max() * 1e-12;
        let d = svd.solve(&rhs, cutoff).ok()?;
        let d: Vec<f64> = d.iter().copied().collect();
        d.iter().all(|v| v.is_finite()).then_some(d)
    }
}

/// Odometer over `digits < dims`, first digit fastest.
pub(crate) fn advance(digits: &mut [usize], dims: &[usize]) {
    for (d, &n) in digits.iter_mut().zip(dims) {
        *d += 1;
        if *d < n {
            return;
        }
        *d = 0;
    }
}
