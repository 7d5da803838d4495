//! The parameter space `Phi`: a closed box in `R^d` and the Euclidean projection onto it.
//!
//! SPSA projects every point it evaluates and every iterate (THEORY §7), so the objective is
//! never asked about a mechanism outside `Phi`. The projection onto a box is coordinatewise
//! clamping. This module knows nothing of the optimizer.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a box or a point was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SpaceError {
    /// The box has no coordinates.
    #[error("the parameter box must have at least one coordinate")]
    Empty,
    /// `lower` and `upper` have different lengths.
    #[error("lower bounds have {lower} coordinates but upper bounds have {upper}")]
    BoundsLength {
        /// Length of `lower`.
        lower: usize,
        /// Length of `upper`.
        upper: usize,
    },
    /// A bound is NaN or infinite.
    #[error("bound {index} is not finite: [{lower}, {upper}]")]
    NonFiniteBound {
        /// The coordinate.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// A lower bound exceeds its upper bound.
    #[error("bound {index} is inverted: lower {lower} > upper {upper}")]
    InvertedBound {
        /// The coordinate.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// A point has the wrong number of coordinates.
    #[error("a point has {found} coordinates but the box has {expected}")]
    Dimension {
        /// The box dimension.
        expected: usize,
        /// The point's length.
        found: usize,
    },
    /// A point has a NaN coordinate (infinite coordinates are clamped, NaN has no projection).
    #[error("coordinate {index} of a point is NaN")]
    NanCoordinate {
        /// The coordinate.
        index: usize,
    },
    /// A point that must lie in the box does not.
    #[error("coordinate {index} = {value} lies outside [{lower}, {upper}]")]
    Outside {
        /// The coordinate.
        index: usize,
        /// Its value.
        value: f64,
        /// The lower bound.
        lower: f64,
        /// The upper bound.
        upper: f64,
    },
}

/// The box `Phi = [lower_1, upper_1] x ... x [lower_d, upper_d]`, with finite bounds and
/// `lower_i <= upper_i` (a degenerate coordinate, `lower_i = upper_i`, is fixed).
///
/// Deserialization validates like [`ParameterBox::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawBox", into = "RawBox")]
pub struct ParameterBox {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

/// The unvalidated serialized form of a [`ParameterBox`].
#[derive(Clone, Debug, Serialize, Deserialize)]
struct RawBox {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl TryFrom<RawBox> for ParameterBox {
    type Error = SpaceError;

    fn try_from(raw: RawBox) -> Result<Self, SpaceError> {
        Self::new(raw.lower, raw.upper)
    }
}

impl From<ParameterBox> for RawBox {
    fn from(b: ParameterBox) -> Self {
        Self {
            lower: b.lower,
            upper: b.upper,
        }
    }
}

impl ParameterBox {
    /// The box with the given bounds, validated: non-empty, equal lengths, finite,
    /// `lower <= upper` coordinatewise.
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, SpaceError> {
        if lower.len() != upper.len() {
            return Err(SpaceError::BoundsLength {
                lower: lower.len(),
                upper: upper.len(),
            });
        }
        if lower.is_empty() {
            return Err(SpaceError::Empty);
        }
        for (index, (&lo, &hi)) in lower.iter().zip(&upper).enumerate() {
            if !lo.is_finite() || !hi.is_finite() {
                return Err(SpaceError::NonFiniteBound {
                    index,
                    lower: lo,
                    upper: hi,
                });
            }
            if lo > hi {
                return Err(SpaceError::InvertedBound {
                    index,
                    lower: lo,
                    upper: hi,
                });
            }
        }
        Ok(Self { lower, upper })
    }

    /// The cube `[lower, upper]^dim`.
    pub fn cube(dim: usize, lower: f64, upper: f64) -> Result<Self, SpaceError> {
        Self::new(vec![lower; dim], vec![upper; dim])
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// The lower bounds.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// The upper bounds.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// The box's center, a natural starting point.
    pub fn center(&self) -> Vec<f64> {
        let mid = |(lo, hi): (&f64, &f64)| lo + 0.5 * (hi - lo);
        self.lower.iter().zip(&self.upper).map(mid).collect()
    }

    /// Whether `phi` has the box's dimension and lies in it.
    pub fn contains(&self, phi: &[f64]) -> bool {
        self.check_inside(phi).is_ok()
    }

    /// `Ok` when `phi` has the box's dimension and lies in it, else why not.
    pub fn check_inside(&self, phi: &[f64]) -> Result<(), SpaceError> {
        self.check_dimension(phi)?;
        for (index, ((&value, &lower), &upper)) in
            phi.iter().zip(&self.lower).zip(&self.upper).enumerate()
        {
            // Also rejects NaN: it is not in any interval.
            if !(lower..=upper).contains(&value) {
                return Err(SpaceError::Outside {
                    index,
                    value,
                    lower,
                    upper,
                });
            }
        }
        Ok(())
    }

    /// Projects `phi` onto the box in place (Euclidean projection = coordinatewise clamp);
    /// infinite coordinates go to the nearer bound. Fails on a wrong dimension or a NaN.
    pub fn project(&self, phi: &mut [f64]) -> Result<(), SpaceError> {
        self.check_dimension(phi)?;
        if let Some(index) = phi.iter().position(|x| x.is_nan()) {
            return Err(SpaceError::NanCoordinate { index });
        }
        self.clamp(phi);
        Ok(())
    }

    /// The projection of `phi` onto the box; see [`project`](Self::project).
    pub fn projected(&self, phi: &[f64]) -> Result<Vec<f64>, SpaceError> {
        let mut out = phi.to_vec();
        self.project(&mut out)?;
        Ok(out)
    }

    /// Clamps a point already known to have the right dimension and no NaN.
    pub(crate) fn clamp(&self, phi: &mut [f64]) {
        debug_assert_eq!(phi.len(), self.dim(), "caller checked the dimension");
        for ((x, &lo), &hi) in phi.iter_mut().zip(&self.lower).zip(&self.upper) {
            *x = x.clamp(lo, hi);
        }
    }

    fn check_dimension(&self, phi: &[f64]) -> Result<(), SpaceError> {
        if phi.len() == self.dim() {
            Ok(())
        } else {
            Err(SpaceError::Dimension {
                expected: self.dim(),
                found: phi.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_boxes() {
        assert_eq!(ParameterBox::new(vec![], vec![]), Err(SpaceError::Empty));
        assert!(matches!(
            ParameterBox::new(vec![0.0], vec![1.0, 2.0]),
            Err(SpaceError::BoundsLength { lower: 1, upper: 2 })
        ));
        assert!(matches!(
            ParameterBox::new(vec![0.0, f64::NEG_INFINITY], vec![1.0, 1.0]),
            Err(SpaceError::NonFiniteBound { index: 1, .. })
        ));
        assert!(matches!(
            ParameterBox::new(vec![f64::NAN], vec![1.0]),
            Err(SpaceError::NonFiniteBound { index: 0, .. })
        ));
        assert!(matches!(
            ParameterBox::new(vec![0.0, 2.0], vec![1.0, 1.0]),
            Err(SpaceError::InvertedBound { index: 1, .. })
        ));
        assert!(
            ParameterBox::new(vec![1.0], vec![1.0]).is_ok(),
            "a fixed coordinate is fine"
        );
    }

    #[test]
    fn projection_clamps_each_coordinate() {
        let phi_box = ParameterBox::new(vec![-1.0, 0.0, 2.0], vec![1.0, 0.5, 2.0]).expect("valid");
        // (-3, 0.25, inf) -> (-1, 0.25, 2): below, inside, above a fixed coordinate.
        let p = phi_box
            .projected(&[-3.0, 0.25, f64::INFINITY])
            .expect("no NaN");
        assert_eq!(p, vec![-1.0, 0.25, 2.0]);
        assert_eq!(phi_box.center(), vec![0.0, 0.25, 2.0]);
        assert!(phi_box.contains(&p));
        assert!(!phi_box.contains(&[0.0, 0.6, 2.0]));
        assert_eq!(
            phi_box.projected(&[0.0, f64::NAN, 2.0]),
            Err(SpaceError::NanCoordinate { index: 1 })
        );
        assert!(matches!(
            phi_box.projected(&[0.0]),
            Err(SpaceError::Dimension { .. })
        ));
    }

    #[test]
    fn deserialization_validates() {
        let good: ParameterBox =
            serde_json::from_str(r#"{"lower":[0.0],"upper":[1.0]}"#).expect("valid box");
        assert_eq!(good.dim(), 1);
        assert!(serde_json::from_str::<ParameterBox>(r#"{"lower":[2.0],"upper":[1.0]}"#).is_err());
    }
}
