//! Small dense linear solves for the support and vertex systems (sizes up to the number of
//! strategies, solved hundreds of thousands of times, so no allocation inside).

/// A pivot smaller than this times the largest entry of the matrix means singular. Systems of
/// degenerate games are singular exactly, and show pivots near machine epsilon; nonsingular
/// systems of games with payoffs normalized to `[1, 2]` have pivots far above this.
const SINGULAR_PIVOT: f64 = 1e-11;

/// Solve `a x = b` in place by Gaussian elimination with partial pivoting: `a` is `n x n`
/// row-major and is destroyed; `b` becomes `x`. Returns `false` (leaving garbage) when `a` is
/// singular to working precision.
pub(crate) fn solve_in_place(n: usize, a: &mut [f64], b: &mut [f64]) -> bool {
    let scale = a[..n * n].iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return false;
    }
    for col in 0..n {
        let Some(pivot_row) =
            (col..n).max_by(|&r, &s| a[r * n + col].abs().total_cmp(&a[s * n + col].abs()))
        else {
            return false;
        };
        if a[pivot_row * n + col].abs() <= SINGULAR_PIVOT * scale {
            return false;
        }
        if pivot_row != col {
            for k in 0..n {
                a.swap(col * n + k, pivot_row * n + k);
            }
            b.swap(col, pivot_row);
        }
        let p = a[col * n + col];
        for r in col + 1..n {
            let f = a[r * n + col] / p;
            if f == 0.0 {
                continue;
            }
            for k in col..n {
                a[r * n + k] -= f * a[col * n + k];
            }
            b[r] -= f * b[col];
        }
    }
    for col in (0..n).rev() {
        let tail: f64 = (col + 1..n).map(|k| a[col * n + k] * b[k]).sum();
        b[col] = (b[col] - tail) / a[col * n + col];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_pivoting_system() {
        // [[0, 2], [1, 1]] x = [4, 3]: x_1 = 2, x_0 = 1 (needs a row swap).
        let mut a = [0.0, 2.0, 1.0, 1.0];
        let mut b = [4.0, 3.0];
        assert!(solve_in_place(2, &mut a, &mut b));
        assert_eq!(b, [1.0, 2.0]);
    }

    #[test]
    fn refuses_a_singular_system() {
        let mut a = [1.0, 2.0, 2.0, 4.0];
        let mut b = [1.0, 1.0];
        assert!(!solve_in_place(2, &mut a, &mut b));
    }
}
