//! Two-player vertex enumeration: every extreme equilibrium of any bimatrix game.
//!
//! Labels: `0..m` are the row player's strategies, `m..m+n` the column player's. A point `x` of
//! `P = {x >= 0 : B^T x <= 1}` has label `i` when `x_i = 0` and label `m + j` when
//! `(B^T x)_j = 1` (column `j` is a best response); a point `y` of `Q = {y >= 0 : A y <= 1}` has
//! label `i` when `(A y)_i = 1` and `m + j` when `y_j = 0`. The extreme equilibria are exactly
//! the pairs of nonzero vertices whose labels together are all `m + n` (Mangasarian 1964; von
//! Stengel 2002). Every vertex solves a square subsystem of its tight constraints, so the vertices
//! of `P` are found by solving `B_{IT}^T z = 1` for all row sets `I` and column sets `T` of equal
//! size (and likewise for `Q`), keeping feasible solutions; a vertex found twice has the same
//! label set, which is the key for de-duplication. The work is `C(m + n, m)` small solves per
//! polytope, checked against `max_enumeration`. "Equal" in the labels uses the margin `1e-9` on
//! the normalized scale (payoffs mapped to `[1, 2]`).
//!
//! The game is nondegenerate exactly when no vertex of `P` has more than `m` labels and none of
//! `Q` more than `n` (a point with too many labels is a mixed strategy with more pure best
//! responses than its support size, and the vertices of its face have those labels too).

use std::collections::HashSet;

use super::bimatrix::{Bimatrix, scatter};
use super::{
    Equilibrium, Method, NashError, NashOptions, binomial, collect, for_each_subset,
    require_two_players,
};
use crate::finite::game::NormalFormGame;

/// Margin for "zero" and "tight" on the normalized scale.
const MARGIN: f64 = 1e-9;

/// A vertex of `P` or `Q` with its label set.
struct Vertex {
    point: Vec<f64>,
    labels: Labels,
}

/// A set of labels `0..m+n` as bits.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Labels(Vec<u64>);

impl Labels {
    fn new(size: usize) -> Self {
        Self(vec![0; size.div_ceil(64)])
    }

    fn insert(&mut self, label: usize) {
        self.0[label / 64] |= 1 << (label % 64);
    }

    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// `self` and `other` together hold all `size` labels.
    fn complete_with(&self, other: &Self, size: usize) -> bool {
        self.0.iter().zip(&other.0).enumerate().all(|(w, (a, b))| {
            let bits = (size - 64 * w).min(64);
            let full = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            (a | b) & full == full
        })
    }
}

/// Which polytope.
#[derive(Clone, Copy)]
enum Side {
    /// `P`, the row player's mixed strategies (columns are best responses).
    Row,
    /// `Q`, the column player's.
    Column,
}

/// All extreme equilibria of a two-player game (see the module doc), in the order of the row
/// player's vertices, de-duplicated. Refuses with [`NashError::TooLarge`] when `C(m + n, m)`
/// exceeds `max_enumeration`.
pub fn vertex_enumeration(
    game: &NormalFormGame,
    opts: &NashOptions,
) -> Result<Vec<Equilibrium>, NashError> {
    let bm = checked(game, opts, "vertex enumeration")?;
    let p = vertices(&bm, Side::Row);
    let q = vertices(&bm, Side::Column);
    let size = bm.m + bm.n;
    let mut found = Vec::new();
    for x in &p {
        for y in q.iter().filter(|y| x.labels.complete_with(&y.labels, size)) {
            collect(
                &mut found,
                game,
                Bimatrix::profile(&x.point, &y.point),
                Method::VertexEnumeration,
                opts,
            );
        }
    }
    tracing::debug!(
        p = p.len(),
        q = q.len(),
        equilibria = found.len(),
        "vertex enumeration done"
    );
    Ok(found)
}

/// Whether a two-player game is nondegenerate: no mixed strategy with support size `k` has more
/// than `k` pure best responses (decided on the vertices of `P` and `Q`, see the module doc).
/// Same work and cap as [`vertex_enumeration()`].
pub fn is_nondegenerate(game: &NormalFormGame, opts: &NashOptions) -> Result<bool, NashError> {
    let bm = checked(game, opts, "nondegeneracy check")?;
    let p_ok = vertices(&bm, Side::Row)
        .iter()
        .all(|v| v.labels.count() == bm.m);
    Ok(p_ok
        && vertices(&bm, Side::Column)
            .iter()
            .all(|v| v.labels.count() == bm.n))
}

fn checked(
    game: &NormalFormGame,
    opts: &NashOptions,
    method: &'static str,
) -> Result<Bimatrix, NashError> {
    require_two_players(game, method)?;
    opts.validate()?;
    let counts = game.strategy_counts();
    let work = binomial(counts[0] + counts[1], counts[0]);
    if work > opts.max_enumeration {
        return Err(NashError::TooLarge {
            method,
            work,
            cap: opts.max_enumeration,
        });
    }
    Ok(Bimatrix::new(game))
}

/// The nonzero vertices of one polytope, de-duplicated by label set.
fn vertices(bm: &Bimatrix, side: Side) -> Vec<Vertex> {
    let (own, other) = match side {
        Side::Row => (bm.m, bm.n),
        Side::Column => (bm.n, bm.m),
    };
    let own_items: Vec<usize> = (0..own).collect();
    let other_items: Vec<usize> = (0..other).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for k in 1..=own.min(other) {
        for_each_subset(&own_items, k, &mut |support| {
            for_each_subset(&other_items, k, &mut |tight| {
                if let Some(v) = vertex(bm, side, support, tight, &mut buf)
                    && seen.insert(v.labels.clone())
                {
                    out.push(v);
                }
                true
            });
            true
        });
    }
    out
}

/// The point of the polytope on `support` with the constraints `tight` binding, if it is
/// feasible, with its labels.
fn vertex(
    bm: &Bimatrix,
    side: Side,
    support: &[usize],
    tight: &[usize],
    buf: &mut Vec<f64>,
) -> Option<Vertex> {
    let (z, len) = match side {
        Side::Row => (bm.solve_x(support, tight, buf)?, bm.m),
        Side::Column => (bm.solve_y(tight, support, buf)?, bm.n),
    };
    // Most square subsystems have a negative coordinate: reject before the payoff pass.
    if z.iter().any(|&v| v < -MARGIN) {
        return None;
    }
    let z = scatter(len, support, &z);
    let payoffs = match side {
        Side::Row => bm.column_payoffs(&z),
        Side::Column => bm.row_payoffs(&z),
    };
    if payoffs.iter().any(|&v| v > 1.0 + MARGIN) {
        return None;
    }
    let mut labels = Labels::new(bm.m + bm.n);
    // Own zero coordinates and binding opponent constraints, in the global label numbering.
    let (own_offset, other_offset) = match side {
        Side::Row => (0, bm.m),
        Side::Column => (bm.m, 0),
    };
    for (i, &v) in z.iter().enumerate().take(len) {
        if v <= MARGIN {
            labels.insert(own_offset + i);
        }
    }
    for (j, &v) in payoffs.iter().enumerate() {
        if v >= 1.0 - MARGIN {
            labels.insert(other_offset + j);
        }
    }
    Some(Vertex { point: z, labels })
}
