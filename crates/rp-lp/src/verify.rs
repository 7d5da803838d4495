//! The independent verifier of certificates.
//!
//! What it is for: checking, from the raw [`ObservationSet`] alone, every claim the LP layer
//! makes, so that no answer depends on trusting a solver. It has its own code path on purpose:
//! it recomputes every expenditure and inner product from the raw probes and strategies (it
//! does not use [`crate::BudgetMatrix`], the constraint-generation tables or any solver matrix),
//! does not snap ties, and solves its own small LPs with microlp directly (not through
//! [`crate::LpBackend`]). What it is not: a solver; it never repairs a certificate.
//!
//! Every comparison uses the one [`Tolerance`], relative to the magnitude of the terms compared
//! (each check below names its scale). A check that fails is reported with where it failed;
//! the verifier never panics on a malformed certificate (wrong shapes and non-finite numbers are
//! failures too).

mod maximizer;

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::certificate::{
    AfriatDual, EfficiencyCertificate, GapCertificate, Rationalization, TestCertificate,
};
use crate::data::ObservationSet;
use crate::structure::Structure;
use crate::tolerance::Tolerance;

/// At most this many failures are listed (the count of checks is always complete).
const MAX_LISTED: usize = 20;

/// One failed check, with where it failed (0-based indices, normalized units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "kebab-case")]
pub enum VerificationFailure {
    /// The certificate does not fit the data (sizes, non-finite numbers, a bad index).
    Shape {
        /// What is wrong.
        what: String,
    },
    /// `u_j - u_k - lambda_k d_kj - t` exceeds its tolerance.
    Inequality {
        /// Utility.
        agent: usize,
        /// Observation whose budget is evaluated.
        from: usize,
        /// Observation whose bundle is evaluated.
        to: usize,
        /// The excess.
        excess: f64,
    },
    /// A multiplier below the floor `lambda >= 1`.
    Floor {
        /// Multiplier group.
        group: usize,
        /// Observation.
        k: usize,
        /// The value.
        lambda: f64,
    },
    /// The small LP found a bundle in budget `k` with more welfare than `beta_k`.
    NotMaximizer {
        /// Observation.
        k: usize,
        /// Welfare maximum over the budget (the small LP's value).
        maximum: f64,
        /// Welfare at `beta_k`.
        at_choice: f64,
    },
    /// The small LP of budget `k` could not be solved.
    SmallLp {
        /// Observation.
        k: usize,
        /// The solver's message.
        message: String,
    },
    /// A negative row weight.
    NegativeWeight {
        /// Index in the weight list.
        index: usize,
        /// The weight.
        weight: f64,
    },
    /// The weights of a utility do not form a circulation at a node.
    NotCirculation {
        /// Utility.
        agent: usize,
        /// Observation (node).
        node: usize,
        /// In-weight minus out-weight.
        imbalance: f64,
    },
    /// A floor multiplier `z = -sum w d` is negative (the combination leaves `lambda` a
    /// positive coefficient).
    FloorSign {
        /// Multiplier group.
        group: usize,
        /// Observation.
        k: usize,
        /// The recomputed `z`.
        z: f64,
    },
    /// A stated floor multiplier differs from the recomputed one.
    FloorMismatch {
        /// Multiplier group.
        group: usize,
        /// Observation.
        k: usize,
        /// As stated.
        stated: f64,
        /// As recomputed.
        computed: f64,
    },
    /// The weights of a gap dual sum to more than 1 (the dual row of `t`).
    Mass {
        /// The sum.
        total: f64,
    },
    /// A Farkas ray whose right-hand side `-sum z` is not negative.
    NotARay {
        /// The recomputed `sum z`.
        value: f64,
    },
    /// An objective (dual value, slack) that differs from the claim.
    Objective {
        /// What was compared.
        what: String,
        /// The claim.
        claimed: f64,
        /// The recomputed value.
        computed: f64,
    },
}

/// The verifier's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// True iff every check passed.
    pub verified: bool,
    /// Number of checks made.
    pub checks: usize,
    /// The failed checks (at most 20 listed).
    pub failures: Vec<VerificationFailure>,
    /// Number of failed checks (listed or not).
    pub failed: usize,
}

impl VerificationReport {
    fn new() -> Self {
        Self {
            verified: true,
            ..Self::default()
        }
    }

    fn check(&mut self, ok: bool, failure: impl FnOnce() -> VerificationFailure) {
        self.checks += 1;
        if !ok {
            self.fail(failure());
        }
    }

    fn fail(&mut self, failure: VerificationFailure) {
        self.verified = false;
        self.failed += 1;
        if self.failures.len() < MAX_LISTED {
            self.failures.push(failure);
        }
    }

    fn shape(&mut self, what: impl Into<String>) {
        self.fail(VerificationFailure::Shape { what: what.into() });
    }

    /// Merges another report into this one.
    pub fn merge(&mut self, other: VerificationReport) {
        self.verified &= other.verified;
        self.checks += other.checks;
        self.failed += other.failed;
        let room = MAX_LISTED.saturating_sub(self.failures.len());
        self.failures.extend(other.failures.into_iter().take(room));
    }
}

/// The raw data seen through a structure: utilities' blocks and normalized inner products,
/// all recomputed here.
struct View<'a> {
    obs: &'a ObservationSet,
    structure: Structure,
    blocks: Vec<Range<usize>>,
    /// `e_k = alpha_k . beta_k`, recomputed.
    e: Vec<f64>,
}

impl<'a> View<'a> {
    fn new(obs: &'a ObservationSet, structure: Structure) -> Self {
        let blocks = match structure {
            Structure::Joint => std::iter::once(0..obs.dim()).collect(),
            _ => obs.blocks().collect(),
        };
        let e = (0..obs.len())
            .map(|k| inner(obs.probe(k), obs.strategy(k)))
            .collect();
        Self {
            obs,
            structure,
            blocks,
            e,
        }
    }

    fn k(&self) -> usize {
        self.obs.len()
    }

    /// `a^i_kj = alpha^i_k . beta^i_j / e_k`.
    fn spend(&self, i: usize, k: usize, j: usize) -> f64 {
        let b = self.blocks[i].clone();
        inner(&self.obs.probe(k)[b.clone()], &self.obs.strategy(j)[b]) / self.e[k]
    }

    fn groups(&self) -> usize {
        self.structure.multiplier_groups(self.obs.num_agents())
    }
}

fn inner(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

fn all_finite<'b>(mut values: impl Iterator<Item = &'b f64>) -> bool {
    values.all(|v| v.is_finite())
}

/// Checks a [`Rationalization`]: shapes, `lambda >= 1`, every inequality with its slack
/// (scale `1 + |u_j| + |u_k| + lambda (a + e s) + t`), and — when the slack is 0 — for every `k`
/// the small LP "does `beta_k` maximize `sum_i U^i / lambda^i_k` over budget `k`".
pub fn verify_rationalization(
    obs: &ObservationSet,
    r: &Rationalization,
    tol: Tolerance,
) -> VerificationReport {
    let mut report = VerificationReport::new();
    let view = View::new(obs, r.structure);
    if !rationalization_fits(&view, r, &mut report) {
        return report;
    }
    for (g, row) in r.lambda.iter().enumerate() {
        for (k, &l) in row.iter().enumerate() {
            report.check(tol.le(1.0, l, 1.0), || VerificationFailure::Floor {
                group: g,
                k,
                lambda: l,
            });
        }
    }
    check_inequalities(&view, r, tol, &mut report);
    if r.slack == 0.0 && report.verified {
        check_maximizers(&view, r, tol, &mut report);
    }
    report
}

fn rationalization_fits(view: &View, r: &Rationalization, report: &mut VerificationReport) -> bool {
    let (k, m, g) = (view.k(), view.blocks.len(), view.groups());
    let ok = r.u.len() == m
        && r.lambda.len() == g
        && r.u.iter().chain(&r.lambda).all(|row| row.len() == k)
        && all_finite(r.u.iter().chain(&r.lambda).flatten())
        && r.slack.is_finite()
        && r.slack >= 0.0
        && r.efficiency.is_finite()
        && (0.0..=1.0).contains(&r.efficiency);
    if !ok {
        report.shape(format!(
            "a rationalization for {m} utilities, {g} multiplier rows and {k} observations with \
             finite entries, slack >= 0 and efficiency in [0, 1] was expected"
        ));
    }
    ok
}

fn check_inequalities(
    view: &View,
    r: &Rationalization,
    tol: Tolerance,
    report: &mut VerificationReport,
) {
    let e = r.efficiency;
    for i in 0..view.blocks.len() {
        let u = &r.u[i];
        for k in 0..view.k() {
            let l = r.multiplier(i, k);
            let share = view.spend(i, k, k);
            for j in (0..view.k()).filter(|&j| j != k) {
                let a = view.spend(i, k, j);
                let excess = u[j] - u[k] - l * (a - e * share) - r.slack;
                let scale = 1.0 + u[j].abs() + u[k].abs() + l * (a + e * share) + r.slack;
                report.check(tol.le(excess, 0.0, scale), || {
                    VerificationFailure::Inequality {
                        agent: i,
                        from: k,
                        to: j,
                        excess,
                    }
                });
            }
        }
    }
}

fn check_maximizers(
    view: &View,
    r: &Rationalization,
    tol: Tolerance,
    report: &mut VerificationReport,
) {
    let outcomes: Vec<Option<VerificationFailure>> = (0..view.k())
        .into_par_iter()
        .map(|k| maximizer::check(view, r, k, tol).err())
        .collect();
    for failure in outcomes {
        report.check(failure.is_none(), || {
            failure.expect("a failed check carries its failure")
        });
    }
}

/// How an [`AfriatDual`] is to be read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DualRole {
    /// A dual of the gap LP whose objective must equal the claimed gap.
    Gap {
        /// The claimed gap.
        claimed: f64,
    },
    /// A Farkas ray of the test: its right-hand side must be negative.
    Farkas,
}

/// Checks an [`AfriatDual`]: weights `>= 0`; per-utility circulation at every node (scale
/// `1 + in + out`); `z = -sum w d` recomputed, `>= 0` and equal to the stated floor (scale
/// `1 + sum w (a + e s)` at that observation); then per role: a gap dual has `sum w <= 1` and
/// `sum z` equal to the claim, a Farkas ray has `sum z > 0` (scale `1 + sum_r w_r (a + e s)`).
pub fn verify_dual(
    obs: &ObservationSet,
    dual: &AfriatDual,
    role: DualRole,
    tol: Tolerance,
) -> VerificationReport {
    let mut report = VerificationReport::new();
    let view = View::new(obs, dual.structure);
    let (kk, m, g) = (view.k(), view.blocks.len(), view.groups());
    let fits = dual.floor.len() == g
        && dual.floor.iter().all(|row| row.len() == kk)
        && all_finite(dual.floor.iter().flatten())
        && dual.weights.iter().all(|w| {
            w.agent < m && w.from < kk && w.to < kk && w.from != w.to && w.weight.is_finite()
        })
        && dual.value.is_finite()
        && (0.0..=1.0).contains(&dual.efficiency);
    if !fits {
        report.shape(format!(
            "a dual for {m} utilities, {g} floor rows, {kk} observations with finite entries and \
             edges between distinct observations was expected"
        ));
        return report;
    }
    let mut balance = vec![0.0; m * kk];
    let mut through = vec![0.0; m * kk];
    let mut z = vec![vec![0.0; kk]; g];
    let mut z_scale = vec![vec![0.0; kk]; g];
    let mut total = 0.0;
    for (index, w) in dual.weights.iter().enumerate() {
        report.check(w.weight >= 0.0, || VerificationFailure::NegativeWeight {
            index,
            weight: w.weight,
        });
        balance[w.agent * kk + w.to] += w.weight;
        balance[w.agent * kk + w.from] -= w.weight;
        through[w.agent * kk + w.to] += w.weight.abs();
        through[w.agent * kk + w.from] += w.weight.abs();
        let a = view.spend(w.agent, w.from, w.to);
        let s = dual.efficiency * view.spend(w.agent, w.from, w.from);
        let group = dual.structure.group_of(w.agent);
        z[group][w.from] -= w.weight * (a - s);
        z_scale[group][w.from] += w.weight.abs() * (a + s);
        total += w.weight;
    }
    for (slot, &imbalance) in balance.iter().enumerate() {
        report.check(tol.is_zero(imbalance, 1.0 + through[slot]), || {
            VerificationFailure::NotCirculation {
                agent: slot / kk,
                node: slot % kk,
                imbalance,
            }
        });
    }
    let mut value = 0.0;
    let mut value_scale = 1.0;
    for group in 0..g {
        for k in 0..kk {
            let (computed, scale) = (z[group][k], 1.0 + z_scale[group][k]);
            value += computed;
            value_scale += z_scale[group][k];
            report.check(tol.le(0.0, computed, scale), || {
                VerificationFailure::FloorSign {
                    group,
                    k,
                    z: computed,
                }
            });
            let stated = dual.floor[group][k];
            report.check(tol.is_zero(stated - computed, scale), || {
                VerificationFailure::FloorMismatch {
                    group,
                    k,
                    stated,
                    computed,
                }
            });
        }
    }
    report.check(tol.is_zero(dual.value - value, value_scale), || {
        VerificationFailure::Objective {
            what: "stated dual value vs sum of recomputed floor multipliers".into(),
            claimed: dual.value,
            computed: value,
        }
    });
    match role {
        DualRole::Gap { claimed } => {
            report.check(tol.le(total, 1.0, 1.0), || VerificationFailure::Mass {
                total,
            });
            report.check(tol.is_zero(claimed - value, value_scale), || {
                VerificationFailure::Objective {
                    what: "dual objective vs claimed gap".into(),
                    claimed,
                    computed: value,
                }
            });
        }
        DualRole::Farkas => {
            report.check(tol.lt(0.0, value, value_scale), || {
                VerificationFailure::NotARay { value }
            });
        }
    }
    report
}

/// Checks a test certificate: a rationalization with zero slack, or a Farkas ray.
pub fn verify_test(
    obs: &ObservationSet,
    cert: &TestCertificate,
    tol: Tolerance,
) -> VerificationReport {
    match cert {
        TestCertificate::Consistent { rationalization } => {
            let mut report = VerificationReport::new();
            report.check(rationalization.slack == 0.0, || {
                VerificationFailure::Objective {
                    what: "slack of a rationalization".into(),
                    claimed: 0.0,
                    computed: rationalization.slack,
                }
            });
            report.merge(verify_rationalization(obs, rationalization, tol));
            report
        }
        TestCertificate::Inconsistent { ray, .. } => verify_dual(obs, ray, DualRole::Farkas, tol),
    }
}

/// Checks a gap certificate against the claimed gap `claimed`: the primal's slack equals the
/// claim and satisfies every row (an upper bound), and the dual's objective equals it (a lower
/// bound). A zero claim needs no dual.
pub fn verify_gap(
    obs: &ObservationSet,
    cert: &GapCertificate,
    claimed: f64,
    tol: Tolerance,
) -> VerificationReport {
    let mut report = VerificationReport::new();
    report.check(
        tol.is_zero(cert.primal.slack - claimed, 1.0 + claimed.abs()),
        || VerificationFailure::Objective {
            what: "primal slack vs claimed gap".into(),
            claimed,
            computed: cert.primal.slack,
        },
    );
    report.merge(verify_rationalization(obs, &cert.primal, tol));
    match &cert.dual {
        Some(dual) => report.merge(verify_dual(obs, dual, DualRole::Gap { claimed }, tol)),
        None => report.check(claimed == 0.0, || VerificationFailure::Shape {
            what: "a positive gap needs a dual".into(),
        }),
    }
    report
}

/// Checks an efficiency-gap certificate for the bracket `[lower, upper]`: the rationalization is
/// at efficiency `1 - upper` with zero slack, and the Farkas ray (needed when `lower > 0`) at
/// efficiency `1 - lower`.
pub fn verify_efficiency(
    obs: &ObservationSet,
    cert: &EfficiencyCertificate,
    lower: f64,
    upper: f64,
    tol: Tolerance,
) -> VerificationReport {
    let mut report = VerificationReport::new();
    report.check(
        cert.feasible.slack == 0.0 && tol.is_zero(cert.feasible.efficiency - (1.0 - upper), 1.0),
        || VerificationFailure::Objective {
            what: "efficiency of the feasible side vs 1 - upper".into(),
            claimed: 1.0 - upper,
            computed: cert.feasible.efficiency,
        },
    );
    report.merge(verify_rationalization(obs, &cert.feasible, tol));
    match &cert.infeasible {
        Some(ray) => {
            report.check(tol.is_zero(ray.efficiency - (1.0 - lower), 1.0), || {
                VerificationFailure::Objective {
                    what: "efficiency of the infeasible side vs 1 - lower".into(),
                    claimed: 1.0 - lower,
                    computed: ray.efficiency,
                }
            });
            report.merge(verify_dual(obs, ray, DualRole::Farkas, tol));
        }
        None => report.check(lower == 0.0, || VerificationFailure::Shape {
            what: "a positive lower end needs a Farkas ray".into(),
        }),
    }
    report
}
