//! Keeping the probe binding: the second limit on the `prices` box, after activity.
//!
//! Why. A revealed-preference test learns from how equilibria move with the probe. If a
//! mechanism lowers demand so far that the shared constraint `alpha . beta <= 1` no longer
//! binds, the equilibrium is the unconstrained one, the same for every such probe, and the
//! observations are trivially consistent: the designer would see a zero gap at a mechanism far
//! from optimal. Taxes do exactly that. Measured on `spectrum` (4 users x 2 channels, seed 0):
//! at the all-tax corner of the activity-limited box (`0.9 P_max`) none of 16 drawn probes
//! binds and the gap is 0 at a welfare ratio of 0.85.
//!
//! The check. The reference is the *median probe* `sqrt(lo hi)` entrywise (probe entries are
//! log-uniform in `[lo, hi]`, so each entry is the median of its draws). The half-width starts
//! at the activity limit and shrinks by [`SHRINK`] until the median probe binds
//! (`alpha . beta = 1`) at every checked corner of the box (all `2^M` corners for `M <= 8`;
//! above, the all-tax corner and the `M` corners that subsidize one agent and tax the others).
//! So no corner of the box makes the typical observation uninformative. Cheap draws may still
//! leave the constraint slack (in `river` they do at `phi = 0` already: cheap emission caps
//! are not reached); they reveal less, not nothing about the others. This is a numerical
//! check at the corners, not a proof for the interior; the environment tests check interior
//! points too.
//!
//! Why the median binding at a corner tells about the whole draw: if the variational
//! equilibrium under a probe `a` binds, the equilibrium without the shared constraint violates
//! `a` (otherwise it would be the variational equilibrium, with a zero multiplier; both are
//! unique since `F` is strongly monotone), hence violates every probe `alpha >= a`: every draw
//! dearer than the median entrywise binds too.

use crate::mechanism::{MechanismClass, ParameterBox};

use super::{Environment, EnvironmentError};

/// Factor by which the prices half-width shrinks while some corner leaves the probe slack.
pub const SHRINK: f64 = 0.8;

/// At most this many shrink steps (`0.8^30 ~ 1e-3` of the activity limit).
const MAX_STEPS: usize = 30;

/// Expenditure at or above this counts as binding (the solver's tolerance is `1e-9`).
const BINDS: f64 = 1.0 - 1e-7;

/// Largest number of agents whose `2^M` corners are all checked.
const ALL_CORNERS_UP_TO: usize = 8;

/// The largest half-width `start * SHRINK^s` at whose checked corners the median probe binds
/// (module doc). Errors when none does within [`MAX_STEPS`] steps.
pub(crate) fn binding_half_width(env: &Environment, start: f64) -> Result<f64, EnvironmentError> {
    let (lo, hi) = env.probe_support();
    let median: Vec<f64> = lo.iter().zip(hi).map(|(l, h)| (l * h).sqrt()).collect();
    let m = env.agents().len();
    let full = env
        .mechanism(MechanismClass::Prices)
        .parameter_box()
        .clone();
    let mut half_width = start;
    for _ in 0..MAX_STEPS {
        let scaled = ParameterBox::symmetric(m, half_width)?;
        let mut binds = true;
        for mask in corner_masks(m) {
            let phi = full.project(&scaled.corner(mask));
            let beta = env
                .equilibrium(&median, MechanismClass::Prices, &phi, None)?
                .profile;
            let spend: f64 = median.iter().zip(&beta).map(|(a, b)| a * b).sum();
            if spend < BINDS {
                binds = false;
                break;
            }
        }
        if binds {
            return Ok(half_width);
        }
        half_width *= SHRINK;
    }
    Err(EnvironmentError::ProbeNotBinding {
        half_width: half_width / SHRINK,
    })
}

/// The corners checked: all of them for `M <= 8`, else the all-tax corner and the corners that
/// subsidize exactly one agent (bit `i` set = agent `i` at its upper bound, a tax).
fn corner_masks(m: usize) -> Vec<u64> {
    if m <= ALL_CORNERS_UP_TO {
        (0..1u64 << m).collect()
    } else {
        let all = (1u64 << m) - 1;
        std::iter::once(all)
            .chain((0..m).map(|i| all & !(1u64 << i)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corner_sets_by_size() {
        assert_eq!(corner_masks(2), vec![0, 1, 2, 3]);
        assert_eq!(corner_masks(8).len(), 256);
        // M = 9: the all-tax corner 0b1_1111_1111 and nine corners with one bit cleared.
        let nine = corner_masks(9);
        assert_eq!(nine.len(), 10);
        assert_eq!(nine[0], 511);
        assert_eq!(nine[1], 510);
        assert_eq!(nine[9], 255);
    }
}
