//! The gain sequences of SPSA and annealed SPSA (THEORY §7), as pure functions of `t`.
//!
//! - step gain `a_t = a / (t + 1 + A)^alpha`,
//! - perturbation gain `c_t = c / (t + 1)^gamma`,
//! - annealing gain `b_t = b / sqrt((t + 1) ln ln(t + 3))` (Gelfand & Mitter 1991; Maryak &
//!   Chin 2008). `ln ln(t + 3) >= ln ln 3 > 0`, so `b_t` is finite from `t = 0`.

use serde::{Deserialize, Serialize};

/// The three gains of one iteration.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gains {
    /// Step gain `a_t`.
    pub a_t: f64,
    /// Perturbation gain `c_t`.
    pub c_t: f64,
    /// Annealing gain `b_t` (0 for plain SPSA).
    pub b_t: f64,
}

/// Resolved gain constants: the settings after `A` and `a` are fixed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GainSchedule {
    /// Step-gain constant `a`.
    pub a: f64,
    /// Perturbation-gain constant `c`.
    pub c: f64,
    /// Stability constant `A`.
    #[serde(rename = "A")]
    pub big_a: f64,
    /// Step-gain exponent `alpha`.
    pub alpha: f64,
    /// Perturbation-gain exponent `gamma`.
    pub gamma: f64,
    /// Annealing constant `b`.
    pub b: f64,
}

impl GainSchedule {
    /// `a_t = a / (t + 1 + A)^alpha`.
    pub fn a_t(&self, t: u64) -> f64 {
        self.a / (t as f64 + 1.0 + self.big_a).powf(self.alpha)
    }

    /// `c_t = c / (t + 1)^gamma`.
    pub fn c_t(&self, t: u64) -> f64 {
        self.c / (t as f64 + 1.0).powf(self.gamma)
    }

    /// `b_t = b / sqrt((t + 1) ln ln(t + 3))`.
    pub fn b_t(&self, t: u64) -> f64 {
        if self.b == 0.0 {
            return 0.0;
        }
        let tf = t as f64;
        self.b / ((tf + 1.0) * (tf + 3.0).ln().ln()).sqrt()
    }

    /// All three gains of iteration `t`.
    pub fn at(&self, t: u64) -> Gains {
        Gains {
            a_t: self.a_t(t),
            c_t: self.c_t(t),
            b_t: self.b_t(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() <= 1e-12 * y.abs().max(1.0)
    }

    #[test]
    fn gains_match_their_formulas_by_hand() {
        let g = GainSchedule {
            a: 2.0,
            c: 0.5,
            big_a: 10.0,
            alpha: 0.602,
            gamma: 0.101,
            b: 1.5,
        };
        // a_0 = 2 / 11^0.602 = 2 * 0.236092180654741 = 0.472184361309482.
        assert!(close(g.a_t(0), 2.0 * 0.236_092_180_654_741));
        // a_1 = 2 / 12^0.602; 12^0.602 = exp(0.602 ln 12) = exp(1.495910...) = 4.463392...
        assert!(close(g.a_t(1), 2.0 / 12f64.powf(0.602)));
        // c_0 = c; c_1 = 0.5 / 2^0.101 = 0.5 * 0.932386486436833.
        assert!(close(g.c_t(0), 0.5));
        assert!(close(g.c_t(1), 0.5 * 0.932_386_486_436_833));
        // c_9 = 0.5 / 10^0.101 = 0.5 * 0.792501330480472.
        assert!(close(g.c_t(9), 0.5 * 0.792_501_330_480_472));
        // b_0 = 1.5 / sqrt(1 * ln ln 3); ln 3 = 1.098612, ln 1.098612 = 0.094048,
        // 1 / sqrt(0.094048) = 3.260810913237147.
        assert!(close(g.b_t(0), 1.5 * 3.260_810_913_237_147));
        // b_9 = 1.5 / sqrt(10 ln ln 12) = 1.5 * 0.331453960200576.
        assert!(close(g.b_t(9), 1.5 * 0.331_453_960_200_576));
        assert_eq!(
            g.at(9),
            Gains {
                a_t: g.a_t(9),
                c_t: g.c_t(9),
                b_t: g.b_t(9)
            }
        );
    }

    #[test]
    fn gains_decrease_and_plain_spsa_has_no_annealing() {
        let g = GainSchedule {
            a: 1.0,
            c: 1.0,
            big_a: 0.0,
            alpha: 0.602,
            gamma: 0.101,
            b: 1.0,
        };
        for t in 0..1000 {
            assert!(g.a_t(t + 1) < g.a_t(t) && g.c_t(t + 1) < g.c_t(t) && g.b_t(t + 1) < g.b_t(t));
        }
        let plain = GainSchedule { b: 0.0, ..g };
        assert!((0..100).all(|t| plain.b_t(t) == 0.0));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// For any valid constants the gains are finite, positive (b_t >= 0) and non-increasing
        /// in t, from t = 0 to far beyond any run.
        #[test]
        fn gains_are_finite_positive_and_non_increasing(
            a in 1e-6..1e6f64, c in 1e-6..1e6f64, big_a in 0.0..1e4f64,
            alpha in 0.01..=1.0f64, gamma_fraction in 0.0..0.99f64, b in 0.0..1e3f64,
            t in 0u64..1_000_000_000,
        ) {
            let g = GainSchedule { a, c, big_a, alpha, gamma: gamma_fraction * alpha, b };
            let (now, next) = (g.at(t), g.at(t + 1));
            for x in [now.a_t, now.c_t, next.a_t, next.c_t] {
                proptest::prop_assert!(x.is_finite() && x > 0.0);
            }
            proptest::prop_assert!(now.b_t.is_finite() && now.b_t >= 0.0);
            proptest::prop_assert!(next.a_t <= now.a_t && next.c_t <= now.c_t && next.b_t <= now.b_t);
        }
    }
}
