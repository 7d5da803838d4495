//! Lemke–Howson: complementary pivoting on the best-response polytopes (von Stengel 2002, §3).
//!
//! Two tableaux in slack form: `B^T x + s = 1` (rows = columns of the game) and
//! `A y + r = 1` (rows = rows of the game), payoffs normalized to `[1, 2]`. Variables are
//! numbered by their label: in the first tableau `x_i` has label `i` and `s_j` label `m + j`; in
//! the second `r_i` has label `i` and `y_j` label `m + j`. From the artificial equilibrium
//! `(0, 0)` the variable with the dropped label `k` enters its tableau; the variable that leaves
//! carries a label that is now duplicate, so the variable with that label enters the other
//! tableau, and so on until the variable that leaves carries `k`.
//!
//! Degeneracy: the ratio test is lexicographic (minimum of `(rhs, row of B^{-1}) / pivot entry`,
//! read from the slack columns, which hold `B^{-1}`); rows of `B^{-1}` are distinct, so the
//! leaving variable is unique and the path cannot cycle. Float ties are ties within a relative
//! `1e-9`. The end point is polished by re-solving its support system when that lowers the
//! regret, then certified on the original game.

use super::bimatrix::{Bimatrix, scatter};
use super::{
    Equilibrium, Method, NashError, NashOptions, certify, push_distinct, require_two_players,
};
use crate::finite::game::NormalFormGame;
use crate::finite::profile::MixedProfile;

/// Relative tie margin of the ratio test and minimum pivot entry.
const EPS: f64 = 1e-9;

/// One tableau: `rows x (vars + 1)`, last column the right-hand side.
struct Tableau {
    rows: usize,
    vars: usize,
    t: Vec<f64>,
    /// The variable basic in each row.
    basis: Vec<usize>,
    /// Variables whose columns started as the identity (the slacks), in row order.
    slacks: Vec<usize>,
}

impl Tableau {
    /// `sum_c coeff(r, c) * var(c) + slack(r) = 1`, slack of row `r` is variable `slacks[r]`,
    /// the structural variable of column `c` is `structural[c]`.
    fn new(
        rows: usize,
        vars: usize,
        structural: &[usize],
        slacks: Vec<usize>,
        coeff: impl Fn(usize, usize) -> f64,
    ) -> Self {
        let width = vars + 1;
        let mut t = vec![0.0; rows * width];
        for r in 0..rows {
            for (c, &var) in structural.iter().enumerate() {
                t[r * width + var] = coeff(r, c);
            }
            t[r * width + slacks[r]] = 1.0;
            t[r * width + vars] = 1.0;
        }
        Self {
            rows,
            vars,
            t,
            basis: slacks.clone(),
            slacks,
        }
    }

    fn at(&self, r: usize, c: usize) -> f64 {
        self.t[r * (self.vars + 1) + c]
    }

    /// Lexicographic minimum ratio row for entering variable `col`, `None` if unbounded.
    fn ratio_row(&self, col: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for r in (0..self.rows).filter(|&r| self.at(r, col) > EPS) {
            best = match best {
                Some(b) if !self.lex_less(r, b, col) => Some(b),
                _ => Some(r),
            };
        }
        best
    }

    /// Row `r` before row `b` in the lexicographic ratio order.
    fn lex_less(&self, r: usize, b: usize, col: usize) -> bool {
        let (pr, pb) = (self.at(r, col), self.at(b, col));
        let keys = std::iter::once(self.vars).chain(self.slacks.iter().copied());
        for c in keys {
            let (qr, qb) = (self.at(r, c) / pr, self.at(b, c) / pb);
            if (qr - qb).abs() > EPS * (1.0 + qr.abs().max(qb.abs())) {
                return qr < qb;
            }
        }
        false
    }

    /// Pivot `col` into the basis; returns the variable that leaves, `None` if unbounded.
    fn pivot(&mut self, col: usize) -> Option<usize> {
        let row = self.ratio_row(col)?;
        let width = self.vars + 1;
        let p = self.at(row, col);
        for c in 0..width {
            self.t[row * width + c] /= p;
        }
        for r in (0..self.rows).filter(|&r| r != row) {
            let f = self.at(r, col);
            if f != 0.0 {
                for c in 0..width {
                    self.t[r * width + c] -= f * self.t[row * width + c];
                }
            }
        }
        Some(std::mem::replace(&mut self.basis[row], col))
    }

    /// Values of the variables `vars` (basic ones from the right-hand side, others 0).
    fn values(&self, vars: impl Iterator<Item = usize>) -> Vec<f64> {
        vars.map(|v| {
            self.basis
                .iter()
                .position(|&b| b == v)
                .map_or(0.0, |r| self.at(r, self.vars))
        })
        .collect()
    }
}

/// The equilibrium reached by Lemke–Howson from the artificial equilibrium, dropping `label`
/// (0-based; rows are `0..m`, columns `m..m+n`), certified.
pub fn lemke_howson(
    game: &NormalFormGame,
    label: usize,
    opts: &NashOptions,
) -> Result<Equilibrium, NashError> {
    require_two_players(game, "Lemke-Howson")?;
    opts.validate()?;
    let bm = Bimatrix::new(game);
    let (m, n) = (bm.m, bm.n);
    if label >= m + n {
        return Err(NashError::NoSuchLabel {
            label,
            labels: m + n,
        });
    }
    let (x, y) = path(&bm, label, opts.max_pivots)?;
    let raw = Bimatrix::profile(&x, &y);
    let method = Method::LemkeHowson { label };
    let first = certify(game, raw, method, opts);
    match (&first, polished(&bm, &x, &y)) {
        (Ok(eq), Some(p)) => match certify(game, p, method, opts) {
            Ok(better) if better.regret < eq.regret => Ok(better),
            _ => first,
        },
        (Err(_), Some(p)) => certify(game, p, method, opts).or(first),
        (_, None) => first,
    }
}

/// Lemke–Howson from every label `0..m+n`, de-duplicated, in label order. Paths that fail
/// (pivot limit, certification) are logged and skipped; an error is returned only if none
/// succeeds.
pub fn lemke_howson_all(
    game: &NormalFormGame,
    opts: &NashOptions,
) -> Result<Vec<Equilibrium>, NashError> {
    require_two_players(game, "Lemke-Howson")?;
    let labels = game.strategy_counts().iter().sum::<usize>();
    let mut found = Vec::new();
    let mut last_error = None;
    for label in 0..labels {
        match lemke_howson(game, label, opts) {
            Ok(eq) => push_distinct(&mut found, eq, opts.duplicate_distance),
            Err(e) => {
                tracing::warn!(label, error = %e, "Lemke-Howson path failed");
                last_error = Some(e);
            }
        }
    }
    match (found.is_empty(), last_error) {
        (true, Some(e)) => Err(e),
        _ => Ok(found),
    }
}

/// Follow the path dropping `label`; the end point as unnormalized points of `P` and `Q`.
fn path(bm: &Bimatrix, label: usize, max_pivots: usize) -> Result<(Vec<f64>, Vec<f64>), NashError> {
    let (m, n) = (bm.m, bm.n);
    let vars = m + n;
    let xs: Vec<usize> = (0..m).collect();
    let ys: Vec<usize> = (m..m + n).collect();
    // Row-player tableau: rows are columns j, structural x_i (var i), slack s_j (var m + j).
    let mut tab_p = Tableau::new(n, vars, &xs, ys.clone(), |j, i| bm.b(i, j));
    // Column-player tableau: rows are rows i, structural y_j (var m + j), slack r_i (var i).
    let mut tab_q = Tableau::new(m, vars, &ys, xs.clone(), |i, j| bm.a(i, j));
    let mut entering = label;
    let mut in_p = label < m;
    for _ in 0..max_pivots {
        let tab = if in_p { &mut tab_p } else { &mut tab_q };
        // Bounded polytopes (positive payoffs) always have a leaving variable; `None` would
        // mean a broken invariant, reported as non-convergence rather than a panic.
        let Some(leaving) = tab.pivot(entering) else {
            return Err(NashError::NotConverged {
                method: "Lemke-Howson",
                reason: format!("unbounded ray at label {entering}"),
            });
        };
        if leaving == label {
            return Ok((tab_p.values(0..m), tab_q.values(m..m + n)));
        }
        entering = leaving;
        in_p = !in_p;
    }
    Err(NashError::PivotLimit {
        label,
        pivots: max_pivots,
    })
}

/// The end point re-solved on its supports when they have equal size (the exact system of a
/// nondegenerate equilibrium), to remove the rounding accumulated along the path.
fn polished(bm: &Bimatrix, x: &[f64], y: &[f64]) -> Option<MixedProfile> {
    let support = |v: &[f64]| -> Vec<usize> {
        let scale = v.iter().fold(0.0_f64, |a, b| a.max(*b));
        (0..v.len()).filter(|&i| v[i] > EPS * scale).collect()
    };
    let (i_set, j_set) = (support(x), support(y));
    if i_set.len() != j_set.len() {
        return None;
    }
    let mut buf = Vec::new();
    let zx = bm.solve_x(&i_set, &j_set, &mut buf)?;
    let zy = bm.solve_y(&i_set, &j_set, &mut buf)?;
    Some(Bimatrix::profile(
        &scatter(bm.m, &i_set, &zx),
        &scatter(bm.n, &j_set, &zy),
    ))
}
