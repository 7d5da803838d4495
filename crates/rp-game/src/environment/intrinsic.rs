//! The agents' intrinsic own-strategy utilities `w_i(beta^i)` of the two environments
//! (THEORY §6), whose sum is the welfare `W`.

use serde::{Deserialize, Serialize};

/// Intrinsic utilities, one family per environment. Parameters are row-major `M x n`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Intrinsic {
    /// `w_i = sum_c r_ic log(1 + kappa beta^i_c)`.
    Spectrum {
        /// Channel rates `r_ic > 0`.
        r: Vec<f64>,
        /// Curvature `kappa > 0`.
        kappa: f64,
        /// Channels `C`.
        channels: usize,
    },
    /// `w_i = sum_l p_il beta^i_l - (q_i / 2) E_i^2 - (eps / 2) |beta^i|^2`, `E_i = sum_l l beta^i_l`.
    River {
        /// Revenue of running at level `l`, `p_il`.
        p: Vec<f64>,
        /// Emission-cost curvature `q_i > 0`.
        q: Vec<f64>,
        /// Ridge `eps > 0` (strict concavity in the strategy, not only in `E_i`).
        eps: f64,
        /// Levels `L` (emissions `l = 1..L`).
        levels: usize,
    },
}

impl Intrinsic {
    /// Actions per agent (`C` or `L`).
    pub fn actions(&self) -> usize {
        match self {
            Self::Spectrum { channels, .. } => *channels,
            Self::River { levels, .. } => *levels,
        }
    }

    /// `w_i(beta^i)` for agent `i`'s block `b`.
    pub fn value(&self, i: usize, b: &[f64]) -> f64 {
        let n = b.len();
        match self {
            Self::Spectrum { r, kappa, .. } => r[i * n..(i + 1) * n]
                .iter()
                .zip(b)
                .map(|(r, x)| r * (kappa * x).ln_1p())
                .sum(),
            Self::River { p, q, eps, .. } => {
                let revenue: f64 = p[i * n..(i + 1) * n]
                    .iter()
                    .zip(b)
                    .map(|(p, x)| p * x)
                    .sum();
                let e = emissions(b);
                let sq: f64 = b.iter().map(|x| x * x).sum();
                revenue - 0.5 * q[i] * e * e - 0.5 * eps * sq
            }
        }
    }

    /// Writes `grad w_i(beta^i)` into `out` (agent `i`'s block).
    pub fn gradient(&self, i: usize, b: &[f64], out: &mut [f64]) {
        let n = b.len();
        match self {
            Self::Spectrum { r, kappa, .. } => {
                for ((o, r), x) in out.iter_mut().zip(&r[i * n..(i + 1) * n]).zip(b) {
                    *o = r * kappa / (1.0 + kappa * x);
                }
            }
            Self::River { p, q, eps, .. } => {
                let e = emissions(b);
                for (l, ((o, p), x)) in out
                    .iter_mut()
                    .zip(&p[i * n..(i + 1) * n])
                    .zip(b)
                    .enumerate()
                {
                    *o = p - q[i] * (l + 1) as f64 * e - eps * x;
                }
            }
        }
    }

    /// `d w_i / d beta^i_a` at `beta^i = 0`: `r_ia kappa` or `p_ia`.
    pub fn marginal_at_zero(&self, i: usize, a: usize) -> f64 {
        let n = self.actions();
        match self {
            Self::Spectrum { r, kappa, .. } => r[i * n + a] * kappa,
            Self::River { p, .. } => p[i * n + a],
        }
    }

    /// An upper bound `B_j >= sup { beta^j . grad w_j(beta^j) : beta^j >= 0, sum beta^j <= 1 }`.
    ///
    /// spectrum: `sum_c r kappa x_c / (1 + kappa x_c) <= r_max C kappa / (C + kappa)` (the summand
    /// is concave and increasing, so the equal split `x_c = 1/C` maximizes it).
    /// river: `p . beta - q E^2 - eps |beta|^2 <= rho E - q E^2 <= rho^2 / (4 q)` with
    /// `rho = max_l max(p_l, 0) / l` (since `p . beta <= rho E`), and `<= max_l max(p_l, 0)`.
    pub fn spend_bound(&self, j: usize) -> f64 {
        let n = self.actions();
        match self {
            Self::Spectrum { r, kappa, .. } => {
                let r_max = r[j * n..(j + 1) * n].iter().copied().fold(0.0, f64::max);
                r_max * n as f64 * kappa / (n as f64 + kappa)
            }
            Self::River { p, q, .. } => {
                let row = &p[j * n..(j + 1) * n];
                let p_max = row.iter().copied().fold(0.0, f64::max);
                let rho = row
                    .iter()
                    .enumerate()
                    .map(|(l, p)| p.max(0.0) / (l + 1) as f64)
                    .fold(0.0, f64::max);
                p_max.min(rho * rho / (4.0 * q[j]))
            }
        }
    }
}

/// `E = sum_l l beta_l` (levels `l = 1..L`).
pub fn emissions(b: &[f64]) -> f64 {
    b.iter().enumerate().map(|(l, x)| (l + 1) as f64 * x).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn river_values_and_gradients_by_hand() {
        // One firm, L = 2, p = (1, 1.5), q = 0.5, eps = 0.1, beta = (0.2, 0.4):
        // E = 0.2 + 0.8 = 1.0; w = 0.2 + 0.6 - 0.25 * 1 - 0.05 * (0.04 + 0.16) = 0.54.
        // grad = (1 - 0.5 * 1 * 1 - 0.1 * 0.2, 1.5 - 0.5 * 2 * 1 - 0.1 * 0.4) = (0.48, 0.46).
        let w = Intrinsic::River {
            p: vec![1.0, 1.5],
            q: vec![0.5],
            eps: 0.1,
            levels: 2,
        };
        assert!((w.value(0, &[0.2, 0.4]) - 0.54).abs() < 1e-15);
        let mut g = [0.0; 2];
        w.gradient(0, &[0.2, 0.4], &mut g);
        assert!(
            (g[0] - 0.48).abs() < 1e-15 && (g[1] - 0.46).abs() < 1e-15,
            "{g:?}"
        );
    }

    #[test]
    fn spectrum_values_and_gradients_by_hand() {
        // r = (1, 2), kappa = 10, beta = (0.1, 0): w = log 2 + 0; grad = (10 / 2, 20).
        let w = Intrinsic::Spectrum {
            r: vec![1.0, 2.0],
            kappa: 10.0,
            channels: 2,
        };
        assert!((w.value(0, &[0.1, 0.0]) - 2f64.ln()).abs() < 1e-15);
        let mut g = [0.0; 2];
        w.gradient(0, &[0.1, 0.0], &mut g);
        assert_eq!(g, [5.0, 20.0]);
        // Bound: r_max C kappa / (C + kappa) = 2 * 2 * 10 / 12 = 3.33; at the equal split
        // (0.5, 0.5): 1 * 5/6 + 2 * 5/6 = 2.5 <= 3.33.
        assert!((w.spend_bound(0) - 40.0 / 12.0).abs() < 1e-12);
    }
}
