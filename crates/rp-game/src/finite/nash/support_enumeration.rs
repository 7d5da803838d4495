//! Two-player support enumeration.
//!
//! For supports `I` (rows) and `J` (columns) of equal size `k`, the column mix `y` on `J` must
//! make every row of `I` a best response (`A_{IJ} z = 1`, `y = z / sum z`) and the row mix `x`
//! on `I` every column of `J` (`B_{IJ}^T w = 1`); the pair is an equilibrium when both are
//! nonnegative and no strategy outside the supports does better. In a nondegenerate game every
//! equilibrium has supports of equal size and is the unique solution of its system, so this
//! finds all equilibria.
//!
//! Order and pruning (Porter, Nudelman & Shoham 2008, balanced supports only): sizes
//! `k = 1, 2, ...`; for each row support `I`, the columns conditionally strictly dominated given
//! `I` are removed before column supports are drawn, and a pair is skipped when a row of `I` is
//! conditionally dominated given `J`. Neither prunes an equilibrium: a dominated strategy is never
//! a best response.
//!
//! Degenerate games (documented behaviour): only equal-size supports are tried and a pair whose
//! system is singular is skipped, so the method returns the equilibria that are the unique
//! solution of an equal-size support system. Equilibria of positive-dimensional components, or
//! with more best responses than support size, may be missed; [`super::vertex_enumeration()`]
//! finds every extreme equilibrium of any game.

use super::bimatrix::{Bimatrix, scatter};
use super::{
    Equilibrium, Method, NashError, NashOptions, binomial, collect, for_each_subset,
    require_two_players,
};
use crate::finite::game::NormalFormGame;

/// Screening margin on the normalized scale (payoffs in `[1, 2]`): a candidate passes when no
/// outside strategy beats the support by more than this and no probability is below `-MARGIN`.
/// Certification on the original game then decides.
const MARGIN: f64 = 1e-9;

/// Equilibria of a two-player game by support enumeration (see the module doc), in the order
/// found: by support size, then lexicographically by supports. Honors `max_support` and
/// `max_equilibria`; refuses with [`NashError::TooLarge`] when the number of support pairs within
/// the size cap exceeds `max_enumeration` and neither cap could stop it early (i.e. when
/// `max_equilibria` is not set).
pub fn support_enumeration(
    game: &NormalFormGame,
    opts: &NashOptions,
) -> Result<Vec<Equilibrium>, NashError> {
    require_two_players(game, "support enumeration")?;
    opts.validate()?;
    let bm = Bimatrix::new(game);
    let kmax = opts.max_support.unwrap_or(usize::MAX).min(bm.m).min(bm.n);
    let work = (1..=kmax).fold(0u64, |acc, k| {
        acc.saturating_add(binomial(bm.m, k).saturating_mul(binomial(bm.n, k)))
    });
    if opts.max_equilibria.is_none() && work > opts.max_enumeration {
        return Err(NashError::TooLarge {
            method: "support enumeration",
            work,
            cap: opts.max_enumeration,
        });
    }
    let limit = opts.max_equilibria.unwrap_or(usize::MAX);
    let mut found = Vec::new();
    let rows: Vec<usize> = (0..bm.m).collect();
    let mut buf = Vec::new();
    let mut visited = 0u64;
    for k in 1..=kmax {
        let go_on = for_each_subset(&rows, k, &mut |i_set| {
            let cols = undominated_columns(&bm, i_set);
            for_each_subset(&cols, k, &mut |j_set| {
                visited += 1;
                if !rows_dominated(&bm, i_set, j_set)
                    && let Some((x, y)) = solve_pair(&bm, i_set, j_set, &mut buf)
                {
                    let profile = Bimatrix::profile(&x, &y);
                    collect(&mut found, game, profile, Method::SupportEnumeration, opts);
                }
                found.len() < limit
            })
        });
        if !go_on {
            break;
        }
    }
    tracing::debug!(
        visited,
        equilibria = found.len(),
        "support enumeration done"
    );
    Ok(found)
}

/// Columns not strictly dominated (by a margin) by another column, given rows `i_set`.
fn undominated_columns(bm: &Bimatrix, i_set: &[usize]) -> Vec<usize> {
    (0..bm.n)
        .filter(|&j| {
            !(0..bm.n).any(|j2| j2 != j && i_set.iter().all(|&i| bm.b(i, j2) > bm.b(i, j) + MARGIN))
        })
        .collect()
}

/// Some row of `i_set` strictly dominated (by a margin) by another row, given columns `j_set`.
fn rows_dominated(bm: &Bimatrix, i_set: &[usize], j_set: &[usize]) -> bool {
    i_set.iter().any(|&i| {
        (0..bm.m).any(|i2| i2 != i && j_set.iter().all(|&j| bm.a(i2, j) > bm.a(i, j) + MARGIN))
    })
}

/// The equilibrium candidate on supports `(i_set, j_set)`: points of `P` and `Q` (unnormalized),
/// or `None` when a system is singular, a probability negative, or an outside strategy better.
pub(crate) fn solve_pair(
    bm: &Bimatrix,
    i_set: &[usize],
    j_set: &[usize],
    buf: &mut Vec<f64>,
) -> Option<(Vec<f64>, Vec<f64>)> {
    let zy = bm.solve_y(i_set, j_set, buf)?;
    if zy.iter().any(|&v| v < -MARGIN) {
        return None;
    }
    let zx = bm.solve_x(i_set, j_set, buf)?;
    if zx.iter().any(|&v| v < -MARGIN) {
        return None;
    }
    let y = scatter(bm.n, j_set, &zy);
    let x = scatter(bm.m, i_set, &zx);
    // In the normalization of P and Q the support's payoff is 1; nothing may exceed it.
    let best_rows = bm.row_payoffs(&y).into_iter().all(|v| v <= 1.0 + MARGIN);
    let best_cols = bm.column_payoffs(&x).into_iter().all(|v| v <= 1.0 + MARGIN);
    (best_rows && best_cols).then_some((x, y))
}
