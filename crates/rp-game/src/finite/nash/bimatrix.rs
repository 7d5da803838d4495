//! The two-player view of a game used by the bimatrix solvers: each player's payoffs mapped
//! affinely to `[1, 2]` (equilibria do not change under positive affine maps of one player's
//! payoffs), which makes the best-response polytopes
//! `P = {x >= 0 : B^T x <= 1}` and `Q = {y >= 0 : A y <= 1}` bounded and puts every tolerance
//! on one scale.

use super::linalg::solve_in_place;
use crate::finite::game::NormalFormGame;
use crate::finite::profile::MixedProfile;

/// Normalized payoff matrices, row-major `m x n` (row player's strategies are rows).
pub(crate) struct Bimatrix {
    pub(crate) m: usize,
    pub(crate) n: usize,
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Bimatrix {
    /// The normalized matrices of a two-player game (the caller checks the player count).
    pub(crate) fn new(game: &NormalFormGame) -> Self {
        let (m, n) = (game.strategy_counts()[0], game.strategy_counts()[1]);
        let normalized = |t: &[f64]| -> Vec<f64> {
            let (lo, hi) = t
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &u| {
                    (l.min(u), h.max(u))
                });
            let range = hi - lo;
            // Game flat order is row + m * column; store row-major.
            (0..m * n)
                .map(|k| {
                    let u = t[(k / n) + m * (k % n)];
                    if range > 0.0 {
                        1.0 + (u - lo) / range
                    } else {
                        1.0
                    }
                })
                .collect()
        };
        let tensors = game.payoff_tensors();
        Self {
            m,
            n,
            a: normalized(&tensors[0]),
            b: normalized(&tensors[1]),
        }
    }

    /// Row player's normalized payoff.
    pub(crate) fn a(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    /// Column player's normalized payoff.
    pub(crate) fn b(&self, i: usize, j: usize) -> f64 {
        self.b[i * self.n + j]
    }

    /// `z` on rows `rows` with `sum_i b(i, j) z_i = 1` for every column `j` in `cols`
    /// (`|rows| = |cols|`): a point of `P` where the columns `cols` are best responses. `None`
    /// when singular.
    pub(crate) fn solve_x(
        &self,
        rows: &[usize],
        cols: &[usize],
        buf: &mut Vec<f64>,
    ) -> Option<Vec<f64>> {
        let k = rows.len();
        buf.clear();
        buf.extend(
            cols.iter()
                .flat_map(|&j| rows.iter().map(move |&i| (i, j)))
                .map(|(i, j)| self.b(i, j)),
        );
        let mut z = vec![1.0; k];
        solve_in_place(k, buf, &mut z).then_some(z)
    }

    /// `z` on columns `cols` with `sum_j a(i, j) z_j = 1` for every row `i` in `rows`: a point
    /// of `Q` where the rows `rows` are best responses. `None` when singular.
    pub(crate) fn solve_y(
        &self,
        rows: &[usize],
        cols: &[usize],
        buf: &mut Vec<f64>,
    ) -> Option<Vec<f64>> {
        let k = cols.len();
        buf.clear();
        buf.extend(
            rows.iter()
                .flat_map(|&i| cols.iter().map(move |&j| (i, j)))
                .map(|(i, j)| self.a(i, j)),
        );
        let mut z = vec![1.0; k];
        solve_in_place(k, buf, &mut z).then_some(z)
    }

    /// `(B^T x)_j` for a full-length `x`.
    pub(crate) fn column_payoffs(&self, x: &[f64]) -> Vec<f64> {
        (0..self.n)
            .map(|j| (0..self.m).map(|i| self.b(i, j) * x[i]).sum())
            .collect()
    }

    /// `(A y)_i` for a full-length `y`.
    pub(crate) fn row_payoffs(&self, y: &[f64]) -> Vec<f64> {
        (0..self.m)
            .map(|i| (0..self.n).map(|j| self.a(i, j) * y[j]).sum())
            .collect()
    }

    /// The profile `(x / sum x, y / sum y)` from points of `P` and `Q`.
    pub(crate) fn profile(x: &[f64], y: &[f64]) -> MixedProfile {
        let normalize = |v: &[f64]| -> Vec<f64> {
            let s: f64 = v.iter().map(|p| p.max(0.0)).sum();
            v.iter().map(|p| p.max(0.0) / s).collect()
        };
        MixedProfile::new(vec![normalize(x), normalize(y)])
    }
}

/// Expand `z` on `support` to a vector of length `len`.
pub(crate) fn scatter(len: usize, support: &[usize], z: &[f64]) -> Vec<f64> {
    let mut full = vec![0.0; len];
    for (&i, &v) in support.iter().zip(z) {
        full[i] = v;
    }
    full
}
