//! The verifier's maximizer check: does `beta_k` maximize `sum_i U^i(x^i) / lambda^i_k` over
//! budget `k`? A small LP solved with microlp, its rows generated lazily.
//!
//! `U^i(x) = min_m { u^i_m + lambda^i_m (alpha^i_m . x / e_m - e s^i_m) }` has one affine piece
//! per observation, so the LP (variables `x >= 0` and one level `t_i` per utility; rows
//! `t_i <= piece_m(x^i)` and the budget) has `M K` rows, and `K` of these LPs cost `O(K^2)`
//! rows in all: at `K = 240`, `M = 4` that took seconds. Only a few pieces matter near the
//! maximizer, so we start with the pieces attaining `U^i` at `beta_k`, solve, add for each
//! utility the piece attaining `U^i` at the LP's maximizer when the LP's level overestimates it,
//! and solve again (warm, by microlp's dual simplex).
//!
//! Tolerance. The check allows the welfare gap that the inequality tolerance of
//! [`super::verify_rationalization`] allows, no more: piece `m` of `U^i` undercuts `u^i_k` at
//! `beta^i_k` by exactly the excess of row `m -> k`, and the maximum over budget `k` is at most
//! `sum_i u^i_k / lambda^i_k` (Afriat's argument), so rows within their tolerance bound the gap
//! by `tol sum_i max_m scale(i, m -> k) / lambda^i_k`. The comparison scale is that sum plus
//! `1 + |welfare at beta_k|`. Why it matters: near the threshold of the efficiency gap a
//! multiplier of `1e6` makes a row's tolerance `1e-3`; a fixed scale of `1 + |welfare|` then
//! rejected numbers whose every row passed.
//!
//! Why this is still an exact check: an LP with fewer rows has a maximum at least the true one,
//! so a restricted maximum within the tolerance of the welfare at `beta_k` proves the claim; and
//! when the restricted maximizer overestimates no `U^i`, its value is the true welfare of a
//! bundle in the budget, so if it exceeds the welfare at `beta_k` that bundle is a
//! counterexample. Each round adds a piece, so there are at most `M K` rounds.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Solution, SolveOptions, Variable};

use super::{VerificationFailure, View, inner};
use crate::certificate::Rationalization;
use crate::tolerance::Tolerance;

/// Pieces per utility attaining `U^i(beta^i_k)` that seed the LP (ties beyond are rare).
const SEED_PIECES: usize = 4;

/// The pieces of the reconstructed utilities, recomputed from the raw data.
struct Pieces<'a> {
    view: &'a View<'a>,
    r: &'a Rationalization,
    /// `own[i][m] = alpha^i_m . beta^i_m / e_m` (the share `s^i_m`).
    own: Vec<Vec<f64>>,
}

impl<'a> Pieces<'a> {
    fn new(view: &'a View<'a>, r: &'a Rationalization) -> Self {
        let own = (0..view.blocks.len())
            .map(|i| (0..view.k()).map(|m| view.spend(i, m, m)).collect())
            .collect();
        Self { view, r, own }
    }

    /// `(alpha^i_m / e_m, constant)` of piece `m` of utility `i`: the piece is
    /// `constant + lambda^i_m (alpha^i_m / e_m) . x`.
    fn slope_and_constant(&self, i: usize, m: usize) -> (impl Iterator<Item = f64> + '_, f64) {
        let l = self.r.multiplier(i, m);
        let e = self.view.e[m];
        let alpha = &self.view.obs.probe(m)[self.view.blocks[i].clone()];
        let constant = self.r.u[i][m] - l * self.r.efficiency * self.own[i][m];
        (alpha.iter().map(move |a| l * (a / e)), constant)
    }

    /// Value of piece `m` of utility `i` at `x` (utility `i`'s block).
    fn value(&self, i: usize, m: usize, x: &[f64]) -> f64 {
        let spend = inner(&self.view.obs.probe(m)[self.view.blocks[i].clone()], x) / self.view.e[m];
        self.r.u[i][m] + self.r.multiplier(i, m) * (spend - self.r.efficiency * self.own[i][m])
    }

    /// `U^i(x)` and a piece attaining it.
    fn utility(&self, i: usize, x: &[f64]) -> (f64, usize) {
        (0..self.view.k())
            .map(|m| (self.value(i, m, x), m))
            .fold(
                (f64::INFINITY, 0),
                |best, p| if p.0 < best.0 { p } else { best },
            )
    }

    /// Up to [`SEED_PIECES`] pieces of lowest value at `x`, always including `own`.
    fn lowest(&self, i: usize, x: &[f64], own: usize) -> Vec<usize> {
        let mut values: Vec<(f64, usize)> = (0..self.view.k())
            .map(|m| (self.value(i, m, x), m))
            .collect();
        values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut seed: Vec<usize> = values.iter().take(SEED_PIECES).map(|p| p.1).collect();
        if !seed.contains(&own) {
            seed.push(own);
        }
        seed
    }
}

/// The small LP of observation `k` as it grows.
struct SmallLp<'a> {
    pieces: &'a Pieces<'a>,
    x: Vec<Variable>,
    t: Vec<Variable>,
    /// Pieces in the LP, per utility.
    rows: Vec<Vec<usize>>,
}

impl SmallLp<'_> {
    fn row(&self, i: usize, m: usize) -> (Vec<(Variable, f64)>, f64) {
        let (slope, constant) = self.pieces.slope_and_constant(i, m);
        let mut terms: Vec<(Variable, f64)> = self.pieces.view.blocks[i]
            .clone()
            .zip(slope)
            .map(|(v, s)| (self.x[v], -s))
            .collect();
        terms.push((self.t[i], 1.0));
        (terms, constant)
    }
}

/// Maximizes `sum_i U^i(x^i) / lambda^i_k` over `{x >= 0 : alpha_k . x / e_k <= e}` and compares
/// it with the value at `beta_k` (scale `1 + |value at beta_k|`); module doc for the method.
pub(super) fn check(
    view: &View,
    r: &Rationalization,
    k: usize,
    tol: Tolerance,
) -> Result<(), VerificationFailure> {
    let pieces = Pieces::new(view, r);
    let m = view.blocks.len();
    let weights: Vec<f64> = (0..m).map(|i| 1.0 / r.multiplier(i, k)).collect();
    let choice = |i: usize| &view.obs.strategy(k)[view.blocks[i].clone()];
    let at_choice: f64 = (0..m)
        .map(|i| weights[i] * pieces.utility(i, choice(i)).0)
        .sum();
    let scale = 1.0 + at_choice.abs() + row_allowance(&pieces, k);
    let n = view.obs.dim();
    let mut p = Problem::new(OptimizationDirection::Maximize);
    let x: Vec<Variable> = (0..n)
        .map(|_| p.add_var(0.0, (0.0, f64::INFINITY)))
        .collect();
    let t: Vec<Variable> = weights
        .iter()
        .map(|w| p.add_var(*w, (f64::NEG_INFINITY, f64::INFINITY)))
        .collect();
    let mut lp = SmallLp {
        pieces: &pieces,
        x,
        t,
        rows: (0..m).map(|i| pieces.lowest(i, choice(i), k)).collect(),
    };
    for i in 0..m {
        for &piece in &lp.rows[i] {
            let (terms, rhs) = lp.row(i, piece);
            p.add_constraint(terms.as_slice(), ComparisonOp::Le, rhs);
        }
    }
    let budget: Vec<(Variable, f64)> = (0..n)
        .map(|v| (lp.x[v], view.obs.probe(k)[v] / view.e[k]))
        .collect();
    p.add_constraint(budget.as_slice(), ComparisonOp::Le, r.efficiency);
    // microlp's tightest feasibility tolerance: a looser one lets the budget row stretch and
    // the maximum exceed the choice's welfare by more than the crate's tolerance.
    let mut options = SolveOptions::default();
    options.tolerances.feasibility = 1e-10;
    let small = |message: String| VerificationFailure::SmallLp { k, message };
    let mut solution = solved(p.solve_with(options)).map_err(small)?;
    loop {
        let maximum = solution.objective();
        if tol.le(maximum, at_choice, scale) {
            return Ok(());
        }
        let mut missing = Vec::new();
        let mut welfare = 0.0;
        for (i, weight) in weights.iter().enumerate() {
            let xi: Vec<f64> = view.blocks[i]
                .clone()
                .map(|v| solution.var_value(lp.x[v]))
                .collect();
            let (value, piece) = pieces.utility(i, &xi);
            welfare += weight * value;
            if solution.var_value(lp.t[i]) > value && !lp.rows[i].contains(&piece) {
                missing.push((i, piece));
            }
        }
        if missing.is_empty() {
            return Err(VerificationFailure::NotMaximizer {
                k,
                maximum: welfare,
                at_choice,
            });
        }
        for (i, piece) in missing {
            lp.rows[i].push(piece);
            let (terms, rhs) = lp.row(i, piece);
            solution = solved(solution.add_constraint(terms.as_slice(), ComparisonOp::Le, rhs))
                .map_err(small)?;
        }
    }
}

/// `sum_i max_m scale(i, m -> k) / lambda^i_k` with the row scale of the inequality check,
/// `1 + |u^i_k| + |u^i_m| + lambda^i_m (a^i_mk + e s^i_m)` (module doc, "Tolerance").
fn row_allowance(pieces: &Pieces, k: usize) -> f64 {
    let (view, r) = (pieces.view, pieces.r);
    (0..view.blocks.len())
        .map(|i| {
            let widest = (0..view.k())
                .filter(|&m| m != k)
                .map(|m| {
                    let l = r.multiplier(i, m);
                    let a = view.spend(i, m, k);
                    1.0 + r.u[i][k].abs()
                        + r.u[i][m].abs()
                        + l * (a + r.efficiency * pieces.own[i][m])
                })
                .fold(0.0, f64::max);
            widest / r.multiplier(i, k)
        })
        .sum()
}

/// The solution of a solve or edit, or the reason there is none.
fn solved(outcome: Result<microlp::SolveOutcome, microlp::Error>) -> Result<Solution, String> {
    outcome
        .map_err(|e| e.to_string())
        .and_then(|o| o.into_solution().map_err(|_| "interrupted".to_string()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::data::{Agent, ObservationSet};
    use crate::gap::{GapOptions, ParetoCertificate, pareto_gap};
    use crate::structure::Structure;

    /// The maximum of the small LP with every piece from the start (the LP the lazy one stands
    /// for), solved directly.
    fn full_maximum(view: &View, r: &Rationalization, k: usize) -> f64 {
        let pieces = Pieces::new(view, r);
        let m = view.blocks.len();
        let mut p = Problem::new(OptimizationDirection::Maximize);
        let x: Vec<Variable> = (0..view.obs.dim())
            .map(|_| p.add_var(0.0, (0.0, f64::INFINITY)))
            .collect();
        let t: Vec<Variable> = (0..m)
            .map(|i| p.add_var(1.0 / r.multiplier(i, k), (f64::NEG_INFINITY, f64::INFINITY)))
            .collect();
        let lp = SmallLp {
            pieces: &pieces,
            x,
            t,
            rows: Vec::new(),
        };
        for i in 0..m {
            for piece in 0..view.k() {
                let (terms, rhs) = lp.row(i, piece);
                p.add_constraint(terms.as_slice(), ComparisonOp::Le, rhs);
            }
        }
        let budget: Vec<(Variable, f64)> = (0..view.obs.dim())
            .map(|v| (lp.x[v], view.obs.probe(k)[v] / view.e[k]))
            .collect();
        p.add_constraint(budget.as_slice(), ComparisonOp::Le, r.efficiency);
        let mut options = SolveOptions::default();
        options.tolerances.feasibility = 1e-10;
        solved(p.solve_with(options)).unwrap().objective()
    }

    /// Cobb–Douglas social optima (closed form `x_a = w_a / (W alpha_a)` under `alpha . x <= 1`).
    fn optima() -> impl Strategy<Value = ObservationSet> {
        (1usize..=3, 1usize..=2, 2usize..=7).prop_flat_map(|(m, n, k)| {
            (
                prop::collection::vec(0.2f64..1.0, m * n),
                prop::collection::vec(prop::collection::vec(0.5f64..3.0, m * n), k),
            )
                .prop_map(move |(w, probes)| {
                    let total: f64 = w.iter().sum();
                    let strategies = probes
                        .iter()
                        .map(|a| a.iter().zip(&w).map(|(a, w)| w / (total * a)).collect())
                        .collect();
                    let agents = (0..m).map(|i| Agent::new(format!("a{i}"), n)).collect();
                    ObservationSet::new(agents, probes, strategies).unwrap()
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// The lazy LP decides like the full one: it passes a rationalization of optimal data,
        /// and on numbers made wrong by raising one level it reports the full LP's maximum.
        #[test]
        fn lazy_rows_decide_like_the_full_lp(
            d in optima(),
            which in any::<prop::sample::Index>(),
            raise in 0.01f64..0.5,
        ) {
            let tol = Tolerance::default();
            let g = pareto_gap(&d, &GapOptions { structure: Structure::Separable, ..GapOptions::default() }).unwrap();
            prop_assert_eq!(g.value, 0.0);
            let ParetoCertificate::Additive(cert) = g.certificate else { panic!("additive") };
            let mut r = cert.primal;
            let view = View::new(&d, r.structure);
            for k in 0..d.len() {
                prop_assert!(check(&view, &r, k, tol).is_ok());
                let full = full_maximum(&view, &r, k);
                let at: f64 = (0..view.blocks.len())
                    .map(|i| Pieces::new(&view, &r).utility(i, &d.strategy(k)[view.blocks[i].clone()]).0 / r.multiplier(i, k))
                    .sum();
                prop_assert!(full <= at + 1e-8 * (1.0 + at.abs()), "{full} vs {at}");
            }
            let k = which.index(d.len());
            r.u[0][k] += raise;
            for kk in 0..d.len() {
                let full = full_maximum(&view, &r, kk);
                match check(&view, &r, kk, tol) {
                    Ok(()) => {
                        let pieces = Pieces::new(&view, &r);
                        let at: f64 = (0..view.blocks.len())
                            .map(|i| pieces.utility(i, &d.strategy(kk)[view.blocks[i].clone()]).0 / r.multiplier(i, kk))
                            .sum();
                        prop_assert!(full <= at + 1e-8 * (1.0 + at.abs()), "passed but {full} > {at}");
                    }
                    Err(VerificationFailure::NotMaximizer { maximum, .. }) => {
                        prop_assert!((maximum - full).abs() <= 1e-7 * (1.0 + full.abs()), "{maximum} vs {full}");
                    }
                    Err(other) => prop_assert!(false, "{other:?}"),
                }
            }
        }
    }
}
