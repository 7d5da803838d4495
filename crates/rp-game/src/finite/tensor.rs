//! Contraction of a payoff tensor with mixed strategies, the one kernel behind expected payoffs,
//! deviation payoffs, regret and the Jacobians of the n-player solvers.
//!
//! A tensor is flat with axis 0 fastest (the game's index order). Contracting axis `k` with a
//! weight vector `w` sums `t[.., s, ..] * w[s]` over `s`; contracting every axis but the kept ones
//! leaves a tensor over the kept axes, in their original order.

/// Contract every axis of `tensor - shift` (shape `dims`) except those in `keep` (sorted
/// ascending) with `weights[axis]`. The result has shape `keep.iter().map(|&k| dims[k])`, first
/// kept axis fastest.
///
/// The shift lets callers contract payoffs measured from the player's smallest payoff: rounding
/// then scales with the payoff range, not with the payoffs' magnitude, which is what a regret
/// bound relative to the range needs (payoffs `1e2 + 1e-5 u` would otherwise lose the regret
/// in rounding).
///
/// Axes are contracted from the slowest down, so each pass reads one contiguous block per outer
/// index and the total work is about one pass over the tensor.
pub(crate) fn contract_except(
    tensor: &[f64],
    dims: &[usize],
    keep: &[usize],
    weights: &[&[f64]],
    shift: f64,
) -> Vec<f64> {
    let mut current: Option<Vec<f64>> = None;
    let mut shape = dims.to_vec();
    for axis in (0..dims.len()).rev() {
        if keep.contains(&axis) {
            continue;
        }
        // The first pass reads the caller's tensor (applying the shift) instead of a copy.
        current = Some(match &current {
            None => contract_axis(tensor, &shape, axis, weights[axis], shift),
            Some(t) => contract_axis(t, &shape, axis, weights[axis], 0.0),
        });
        shape.remove(axis);
    }
    current.unwrap_or_else(|| tensor.iter().map(|u| u - shift).collect())
}

/// `u_i(a, b, x_{-ij})` for the tensor of player `i` and another player `j != i`: every axis but
/// `i` and `j` contracted, returned row-major as `m[a * dims[j] + b]` whatever the axis order.
pub(crate) fn contract_pair(
    tensor: &[f64],
    dims: &[usize],
    i: usize,
    j: usize,
    weights: &[&[f64]],
) -> Vec<f64> {
    let keep = if i < j { [i, j] } else { [j, i] };
    let m = contract_except(tensor, dims, &keep, weights, 0.0);
    if i > j {
        // Stored with `b` (axis j) fastest already: m[b + dims[j] * a].
        return m;
    }
    let (ni, nj) = (dims[i], dims[j]);
    (0..ni * nj).map(|k| m[(k / nj) + ni * (k % nj)]).collect()
}

/// Contract one axis of `t - shift` (shape `shape`) with `w`.
fn contract_axis(t: &[f64], shape: &[usize], axis: usize, w: &[f64], shift: f64) -> Vec<f64> {
    let inner: usize = shape[..axis].iter().product();
    let n = shape[axis];
    let outer: usize = shape[axis + 1..].iter().product();
    let mut out = vec![0.0; inner * outer];
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for (s, &ws) in w.iter().enumerate().take(n) {
            if ws == 0.0 {
                continue;
            }
            let src = &t[(o * n + s) * inner..(o * n + s + 1) * inner];
            for (d, &v) in dst.iter_mut().zip(src) {
                *d += (v - shift) * ws;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contracts_a_matrix_both_ways() {
        // t[r + 2c] for the 2x3 matrix [[1, 2, 3], [4, 5, 6]].
        let t = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
        let x = [0.25, 0.75];
        let y = [1.0, 0.0, 1.0];
        // Keep rows: (1 + 3, 4 + 6) = (4, 10).
        assert_eq!(
            contract_except(&t, &[2, 3], &[0], &[&x, &y], 0.0),
            vec![4.0, 10.0]
        );
        // Keep columns: 0.25 * row0 + 0.75 * row1 = (3.25, 4.25, 5.25).
        assert_eq!(
            contract_except(&t, &[2, 3], &[1], &[&x, &y], 0.0),
            vec![3.25, 4.25, 5.25]
        );
        // Keep nothing: x . (4, 10) = 1 + 7.5.
        assert_eq!(contract_except(&t, &[2, 3], &[], &[&x, &y], 0.0), vec![8.5]);
    }

    #[test]
    fn pair_contraction_is_row_major_in_the_asked_order() {
        // With two axes both kept nothing is summed: the matrix itself, rows first or columns.
        let t = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
        let (x, y) = ([0.5, 0.5], [1.0, 1.0, 1.0]);
        let by_rows = contract_pair(&t, &[2, 3], 0, 1, &[&x, &y]);
        assert_eq!(by_rows, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let by_columns = contract_pair(&t, &[2, 3], 1, 0, &[&x, &y]);
        assert_eq!(by_columns, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
