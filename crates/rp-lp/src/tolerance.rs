//! The one tolerance every comparison of quantities uses (THEORY §1).
//!
//! Ties must be classified the same way in GARP, CCEI, the money pump and the LPs, and no verdict
//! may change when every probe (or every strategy) is multiplied by a positive constant. Both
//! follow from comparing *ratios* against 1 with one relative tolerance: `alpha_k . beta_j / e_k`
//! is unchanged by rescaling probe `k` or all strategies, so a verdict read from it is too.

use serde::{Deserialize, Serialize};

/// Relative tolerance for comparing a quantity against a budget level.
///
/// `a` is weakly below `b` when `a <= b + tol * scale` and strictly below when
/// `a < b - tol * scale`; the scale is the magnitude of the budget involved (for budget ratios,
/// which are already relative, it is 1). A difference inside the band is a tie: weak, never strict.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    relative: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self { relative: 1e-9 }
    }
}

impl Tolerance {
    /// The default relative tolerance, `1e-9`.
    pub const DEFAULT: f64 = 1e-9;

    /// A tolerance of `relative`; `None` unless it is finite and in `[0, 1e-2]` (a wider band
    /// would make ties of quantities that differ by more than a percent).
    pub fn new(relative: f64) -> Option<Self> {
        (relative.is_finite() && (0.0..=1e-2).contains(&relative)).then_some(Self { relative })
    }

    /// The relative tolerance.
    pub fn relative(&self) -> f64 {
        self.relative
    }

    /// `a <= b` up to the tolerance, relative to `scale >= 0`.
    pub fn le(&self, a: f64, b: f64, scale: f64) -> bool {
        a <= b + self.relative * scale
    }

    /// `a < b` beyond the tolerance, relative to `scale >= 0`.
    pub fn lt(&self, a: f64, b: f64, scale: f64) -> bool {
        a < b - self.relative * scale
    }

    /// A ratio `rho = alpha_k . beta_j / e_k` is weakly affordable: `rho <= 1` up to tolerance.
    pub fn ratio_weak(&self, rho: f64) -> bool {
        self.le(rho, 1.0, 1.0)
    }

    /// A ratio is strictly affordable: `rho < 1` beyond tolerance.
    pub fn ratio_strict(&self, rho: f64) -> bool {
        self.lt(rho, 1.0, 1.0)
    }

    /// `x` is zero up to the tolerance, relative to `scale`.
    pub fn is_zero(&self, x: f64, scale: f64) -> bool {
        x.abs() <= self.relative * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_weak_not_strict() {
        let t = Tolerance::default();
        assert!(t.ratio_weak(1.0 + 5e-10));
        assert!(!t.ratio_strict(1.0 - 5e-10));
        assert!(t.ratio_strict(1.0 - 2e-9));
        assert!(!t.ratio_weak(1.0 + 2e-9));
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Tolerance::new(f64::NAN).is_none());
        assert!(Tolerance::new(-1e-9).is_none());
        assert!(Tolerance::new(0.5).is_none());
        assert_eq!(Tolerance::new(1e-7).map(|t| t.relative()), Some(1e-7));
    }
}
