//! Newton polishing on the active face: once the extragradient iterates have settled on a face
//! of the polytope (which coordinates are 0, which caps and shared constraints bind), the VI on
//! that face is a square system of equations, solved here by Newton's method with a
//! finite-difference Jacobian (exact in one step for affine `F`, such as `river`'s).
//!
//! Unknowns: the free coordinates `x_F`, the multipliers `nu` of binding caps and `lambda` of
//! binding shared constraints. Equations: `F_F(x) + A_F' lambda + E_F' nu = 0`, binding caps
//! `sum_{block} x = cap`, binding shared rows `a . x = b`. The candidate is returned only if it is
//! feasible and its multipliers are nonnegative; the solver then accepts it only if its natural
//! residual meets the tolerance, so a wrong face can cost time but never a wrong answer.

use nalgebra::{DMatrix, DVector};

use super::feasible::{FeasibleSet, dot};

/// Relative tolerance for "this constraint binds" and "this coordinate is 0".
const BINDING: f64 = 1e-10;
/// Newton steps per attempt.
const NEWTON_STEPS: usize = 8;

/// The face an iterate lies on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Face {
    free: Vec<usize>,
    caps: Vec<usize>,
    shared: Vec<usize>,
}

impl Face {
    /// The face of `x`: positive coordinates, binding caps, binding shared constraints.
    pub(crate) fn of(set: &FeasibleSet, x: &[f64]) -> Self {
        let free = (0..x.len()).filter(|&j| x[j] > 0.0).collect();
        let caps = (0..set.agents())
            .filter(|&i| {
                set.caps()[i].is_some_and(|cap| {
                    let sum: f64 = x[set.block(i)].iter().sum();
                    (sum - cap).abs() <= BINDING * cap
                })
            })
            .collect();
        let shared = (0..set.shared().len())
            .filter(|&m| {
                let c = &set.shared()[m];
                let scale = c.bound.abs()
                    + c.coefficients
                        .iter()
                        .zip(x)
                        .map(|(a, x)| (a * x).abs())
                        .sum::<f64>();
                c.excess(x).abs() <= BINDING * scale
            })
            .collect();
        Self { free, caps, shared }
    }

    fn unknowns(&self) -> usize {
        self.free.len() + self.caps.len() + self.shared.len()
    }

    /// Row `r` of the constraint part restricted to the free coordinates, and its right side.
    fn constraint_row(&self, set: &FeasibleSet, r: usize) -> (Vec<f64>, f64) {
        if r < self.caps.len() {
            let block = set.block(self.caps[r]);
            let row = self
                .free
                .iter()
                .map(|j| f64::from(u8::from(block.contains(j))))
                .collect();
            (row, set.caps()[self.caps[r]].unwrap_or(f64::INFINITY))
        } else {
            let c = &set.shared()[self.shared[r - self.caps.len()]];
            (
                self.free.iter().map(|&j| c.coefficients[j]).collect(),
                c.bound,
            )
        }
    }
}

/// Faces tried per polish: the guessed one and up to this many corrections.
const FACE_CORRECTIONS: usize = 3;

/// Newton on the face of `x`, correcting the face like a primal active-set method when the
/// answer shows it wrong: coordinates that come out negative and constraints whose multipliers
/// come out negative leave the face, constraints the answer violates join it.
pub(crate) fn polish<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    set: &FeasibleSet,
    face: &Face,
    x: &[f64],
) -> Option<Vec<f64>> {
    let mut face = face.clone();
    for _ in 0..=FACE_CORRECTIONS {
        let (point, multipliers) = newton_on_face(map, set, &face, x)?;
        let scale = 1.0 + amax(&point);
        let corrected = face.corrected(set, &point, &multipliers, scale);
        if corrected == face {
            return (set.violation(&point) <= 1e-12 * scale).then_some(point);
        }
        face = corrected;
    }
    None
}

impl Face {
    /// The face suggested by a Newton answer on `self` (equal to `self` when it is consistent).
    fn corrected(&self, set: &FeasibleSet, point: &[f64], multipliers: &[f64], scale: f64) -> Self {
        let (nc, tol) = (self.caps.len(), 1e-12 * scale);
        let free = self
            .free
            .iter()
            .copied()
            .filter(|&j| point[j] >= 0.0)
            .collect();
        let mut caps: Vec<usize> = self
            .caps
            .iter()
            .zip(multipliers)
            .filter(|(_, m)| **m >= 0.0)
            .map(|(i, _)| *i)
            .collect();
        let mut shared: Vec<usize> = self
            .shared
            .iter()
            .zip(&multipliers[nc..])
            .filter(|(_, m)| **m >= 0.0)
            .map(|(m, _)| *m)
            .collect();
        for i in (0..set.agents()).filter(|i| !self.caps.contains(i)) {
            if let Some(cap) = set.caps()[i]
                && point[set.block(i)].iter().sum::<f64>() > cap + tol
            {
                caps.push(i);
            }
        }
        for m in (0..set.shared().len()).filter(|m| !self.shared.contains(m)) {
            if set.shared()[m].excess(point) > tol {
                shared.push(m);
            }
        }
        caps.sort_unstable();
        shared.sort_unstable();
        Self { free, caps, shared }
    }
}

/// Newton's method on `face` from `x`: the point and the face's multipliers, or `None` when the
/// system is singular or Newton does not settle.
fn newton_on_face<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    set: &FeasibleSet,
    face: &Face,
    x: &[f64],
) -> Option<(Vec<f64>, Vec<f64>)> {
    let (nf, nr) = (face.free.len(), face.caps.len() + face.shared.len());
    if nf == 0 {
        return None;
    }
    let rows: Vec<(Vec<f64>, f64)> = (0..nr).map(|r| face.constraint_row(set, r)).collect();
    let mut point = x.to_vec();
    let outside: Vec<usize> = (0..x.len()).filter(|j| !face.free.contains(j)).collect();
    outside.iter().for_each(|&j| point[j] = 0.0);
    let mut multipliers = vec![0.0; nr];
    let mut fx = vec![0.0; x.len()];
    map(&point, &mut fx);
    let jacobian = kkt_matrix(map, face, &rows, &point, &fx);
    let lu = jacobian.lu();
    for _ in 0..NEWTON_STEPS {
        let residual = face_residual(face, &rows, &point, &fx, &multipliers);
        let step = lu.solve(&(-&residual))?;
        for (k, &j) in face.free.iter().enumerate() {
            point[j] += step[k];
        }
        multipliers
            .iter_mut()
            .zip(step.iter().skip(nf))
            .for_each(|(m, s)| *m += s);
        map(&point, &mut fx);
        if step.iter().all(|s| s.is_finite()) && step.amax() <= 1e-15 * (1.0 + amax(&point)) {
            break;
        }
    }
    let settled =
        face_residual(face, &rows, &point, &fx, &multipliers).amax() <= 1e-11 * (1.0 + amax(&fx));
    settled.then_some((point, multipliers))
}

/// `max |v|`.
fn amax(v: &[f64]) -> f64 {
    v.iter().fold(0.0_f64, |m, x| m.max(x.abs()))
}

/// The equations' residual at `(x, multipliers)`.
fn face_residual(
    face: &Face,
    rows: &[(Vec<f64>, f64)],
    x: &[f64],
    fx: &[f64],
    multipliers: &[f64],
) -> DVector<f64> {
    let nf = face.free.len();
    let xf: Vec<f64> = face.free.iter().map(|&j| x[j]).collect();
    DVector::from_fn(nf + rows.len(), |r, _| {
        if r < nf {
            fx[face.free[r]]
                + rows
                    .iter()
                    .zip(multipliers)
                    .map(|((row, _), m)| row[r] * m)
                    .sum::<f64>()
        } else {
            let (row, rhs) = &rows[r - nf];
            dot(row, &xf) - rhs
        }
    })
}

/// `[[J_FF, C_F'], [C_F, 0]]` with `J_FF` by forward differences.
fn kkt_matrix<F: Fn(&[f64], &mut [f64])>(
    map: &F,
    face: &Face,
    rows: &[(Vec<f64>, f64)],
    x: &[f64],
    fx: &[f64],
) -> DMatrix<f64> {
    let nf = face.free.len();
    let mut m = DMatrix::zeros(face.unknowns(), face.unknowns());
    let mut shifted = x.to_vec();
    let mut f_shifted = vec![0.0; x.len()];
    for (c, &j) in face.free.iter().enumerate() {
        let h = 1e-7 * x[j].abs().max(1e-3);
        shifted[j] = x[j] + h;
        map(&shifted, &mut f_shifted);
        shifted[j] = x[j];
        for (r, &i) in face.free.iter().enumerate() {
            m[(r, c)] = (f_shifted[i] - fx[i]) / h;
        }
    }
    for (k, (row, _)) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            m[(nf + k, c)] = *v;
            m[(c, nf + k)] = *v;
        }
    }
    m
}
