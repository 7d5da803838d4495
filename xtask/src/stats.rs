//! Small statistics the figures aggregate with: the spread of a quantity over design seeds
//! (mean, min, quartiles, max), carrying trajectories forward, and rank correlation.
//!
//! Everything here is pure and deterministic (no randomness, input order only matters where
//! stated), so it is unit tested with hand-computed answers.

/// Mean, extremes and quartiles of a finite sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Number of values.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// First quartile (linear interpolation between order statistics, type 7).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of the finite values of `values`; `None` when there are none (non-finite
    /// values are skipped, so a NaN never reaches a figure).
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let count = v.len();
        Some(Self {
            count,
            mean: v.iter().sum::<f64>() / count as f64,
            min: v[0],
            q1: quantile_sorted(&v, 0.25),
            median: quantile_sorted(&v, 0.5),
            q3: quantile_sorted(&v, 0.75),
            max: v[count - 1],
        })
    }
}

/// The `p`-quantile of a sorted, non-empty slice: `x[h]` interpolated at `h = (n - 1) p`
/// (Hyndman–Fan type 7, R's default).
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Pads each series to `len` by repeating its last value (a run that stopped early keeps its
/// final state: the designer stops only once its gap is confirmed at zero), then returns the
/// spread at each index. Empty series are ignored; an index where no series has a finite
/// value gets `None`.
pub fn spread_by_index(series: &[Vec<f64>], len: usize) -> Vec<Option<Spread>> {
    (0..len)
        .map(|t| {
            let column: Vec<f64> = series
                .iter()
                .filter_map(|s| s.get(t).or(s.last()).copied())
                .collect();
            Spread::of(&column)
        })
        .collect()
}

/// Ranks (1-based) with ties given their mean rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut rank = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share the mean of ranks start+1..=end.
        let mean = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            rank[i] = mean;
        }
        start = end;
    }
    rank
}

/// Pearson correlation; `None` when fewer than two points or either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then_some(r)
}

/// Spearman's rank correlation (Pearson on tie-averaged ranks); `None` as for [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_five_values() {
        // Sorted: 1 2 3 4 10. Mean 20/5 = 4. Type 7: h = 4p, q1 at h = 1 -> 2, median at
        // h = 2 -> 3, q3 at h = 3 -> 4.
        let s = Spread::of(&[4.0, 1.0, 10.0, 3.0, 2.0]).expect("finite values");
        assert_eq!(s.count, 5);
        assert_eq!(
            (s.mean, s.min, s.q1, s.median, s.q3, s.max),
            (4.0, 1.0, 2.0, 3.0, 4.0, 10.0)
        );
    }

    #[test]
    fn quartiles_interpolate_and_skip_non_finite() {
        // Sorted finite: 0 1 2 3 (NaN and inf dropped). h = 3p: q1 at 0.75 -> 0.75,
        // median at 1.5 -> 1.5, q3 at 2.25 -> 2.25.
        let s = Spread::of(&[3.0, f64::NAN, 0.0, 2.0, f64::INFINITY, 1.0]).expect("four finite");
        assert_eq!((s.count, s.q1, s.median, s.q3), (4, 0.75, 1.5, 2.25));
        assert_eq!(Spread::of(&[f64::NAN]), None);
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn spread_by_index_carries_stopped_runs_forward() {
        // Run a stopped after 2 values (at 0.0); at t = 2 it still counts as 0.0.
        let series = vec![vec![4.0, 0.0], vec![6.0, 2.0, 1.0], vec![]];
        let s = spread_by_index(&series, 3);
        assert_eq!(s.len(), 3);
        let at = |t: usize| s[t].expect("two runs");
        assert_eq!((at(0).mean, at(0).min, at(0).max), (5.0, 4.0, 6.0));
        assert_eq!((at(1).mean, at(1).min, at(1).max), (1.0, 0.0, 2.0));
        assert_eq!((at(2).mean, at(2).min, at(2).max), (0.5, 0.0, 1.0));
        assert_eq!(at(2).count, 2, "the empty run is ignored");
    }

    #[test]
    fn rank_correlations_by_hand() {
        // y = x^3 is monotone: Spearman 1; reversed: -1.
        let x = [1.0, 2.0, 3.0, 4.0];
        let cube: Vec<f64> = x.iter().map(|v: &f64| v.powi(3)).collect();
        assert!((spearman(&x, &cube).expect("defined") - 1.0).abs() < 1e-12);
        let rev: Vec<f64> = cube.iter().rev().copied().collect();
        assert!((spearman(&x, &rev).expect("defined") + 1.0).abs() < 1e-12);
        // Ties: ranks of [1, 1, 2] are [1.5, 1.5, 3]; against [1, 2, 3]: deviations
        // (-0.5, -0.5, 1) and (-1, 0, 1): sxy = 1.5, sxx = 1.5, syy = 2, r = 1.5 / sqrt(3).
        let r = spearman(&[1.0, 1.0, 2.0], &[1.0, 2.0, 3.0]).expect("defined");
        assert!((r - 1.5 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[2.0, 3.0]), None, "constant side");
    }
}
