//! The verifier of robust-gap certificates.
//!
//! What it is for: checking from the raw empirical data and the balls alone that a
//! [`RobustCertificate`] proves `dual value <= L_rob <= slack`. Its own code path on purpose: it
//! recomputes the normalized probes and every worst case by Kantorovich duality
//! ([`WassersteinBall::support_dual`]), never by the greedy form or the transport LP the solver
//! used, and checks scenario membership with [`WassersteinBall::distance_to_center`].
//!
//! - Upper bound: `lambda >= 1`, each floor scenario lies in its balls and attains the minimal
//!   expenditure `E_k`, and every robust row `u_j - u_k - lambda_k D_kj / E_k <= slack` holds
//!   with `D` recomputed.
//! - Lower bound: every weighted scenario lies in its balls, the weights are nonnegative, form a
//!   circulation per utility and have mass at most 1, and the floor multipliers
//!   `z = -sum w spread / E` recomputed from the scenarios are nonnegative and sum to the stated
//!   value, which equals the slack.
//!
//! Every comparison uses the one [`Tolerance`] relative to the magnitude of the terms compared.
//! What it is not: a solver; it never repairs a certificate, and it never panics on a malformed
//! one (wrong shapes and non-finite numbers are failures).

use rayon::prelude::*;
use rp_lp::{ObservationSet, Structure, Tolerance};
use serde::{Deserialize, Serialize};

use crate::ambiguity::ProductBalls;
use crate::certificate::{RobustCertificate, RobustDual, WeightedScenario};
use crate::wasserstein::{WassersteinBall, check_distribution};

/// At most this many failures are listed (the count is always complete).
const MAX_LISTED: usize = 20;

/// One failed check (0-based indices, normalized units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "kebab-case")]
pub enum RobustFailure {
    /// The certificate does not fit the data.
    Shape {
        /// What is wrong.
        what: String,
    },
    /// A multiplier below the floor.
    Floor {
        /// Group.
        group: usize,
        /// Observation.
        k: usize,
        /// Value.
        lambda: f64,
    },
    /// A robust row exceeds the slack.
    Inequality {
        /// Utility.
        utility: usize,
        /// Budget observation.
        from: usize,
        /// Bundle observation.
        to: usize,
        /// The excess.
        excess: f64,
    },
    /// A scenario distribution outside its ball or not a distribution.
    OutsideBall {
        /// Observation of the ball.
        obs: usize,
        /// Agent.
        agent: usize,
        /// W1 distance to the center (infinite if not a distribution).
        distance: f64,
        /// The ball's radius.
        radius: f64,
    },
    /// A floor scenario whose expenditure is not the stated one or not the minimum.
    Expenditure {
        /// Observation.
        obs: usize,
        /// As stated.
        stated: f64,
        /// Recomputed (at the scenario, or the minimum over the balls).
        computed: f64,
    },
    /// A negative dual weight.
    NegativeWeight {
        /// Index in the weight list.
        index: usize,
        /// The weight.
        weight: f64,
    },
    /// Weights that do not form a circulation at a node.
    NotCirculation {
        /// Utility.
        utility: usize,
        /// Observation (node).
        node: usize,
        /// In-weight minus out-weight.
        imbalance: f64,
    },
    /// Weights of total mass above 1.
    Mass {
        /// The sum.
        total: f64,
    },
    /// A negative floor multiplier.
    FloorSign {
        /// Group.
        group: usize,
        /// Observation.
        k: usize,
        /// The recomputed `z`.
        z: f64,
    },
    /// An objective that differs from the claim.
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
pub struct RobustVerification {
    /// True iff every check passed.
    pub verified: bool,
    /// Checks made.
    pub checks: usize,
    /// Failed checks (listed or not).
    pub failed: usize,
    /// The failed checks (at most 20 listed).
    pub failures: Vec<RobustFailure>,
}

impl RobustVerification {
    fn new() -> Self {
        Self {
            verified: true,
            ..Self::default()
        }
    }

    fn check(&mut self, ok: bool, failure: impl FnOnce() -> RobustFailure) {
        self.checks += 1;
        if !ok {
            self.verified = false;
            self.failed += 1;
            if self.failures.len() < MAX_LISTED {
                self.failures.push(failure());
            }
        }
    }

    fn shape(&mut self, what: impl Into<String>) {
        self.check(false, || RobustFailure::Shape { what: what.into() });
    }
}

/// The data seen by the verifier: directions and worst cases, all recomputed here.
struct View<'a> {
    balls: &'a ProductBalls,
    /// The agents of each utility.
    members: Vec<Vec<usize>>,
    structure: Structure,
    k: usize,
    /// `c[k][i]`: agent `i`'s probe block of `k` over `hat e_k`, then 0 for the null outcome.
    c: Vec<Vec<Vec<f64>>>,
    /// `up[k][i]`, `own[k][i]`, `low[k][i][j]` by duality (see `table.rs` for the meaning).
    up: Vec<Vec<f64>>,
    own: Vec<Vec<f64>>,
    low: Vec<Vec<Vec<f64>>>,
}

fn inner(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

fn negated(c: &[f64]) -> Vec<f64> {
    c.iter().map(|v| -v).collect()
}

impl<'a> View<'a> {
    fn new(obs: &ObservationSet, balls: &'a ProductBalls, structure: Structure) -> Option<Self> {
        let k = obs.len();
        let c: Vec<Vec<Vec<f64>>> = (0..k)
            .map(|kk| {
                let e = inner(obs.probe(kk), obs.strategy(kk));
                obs.blocks()
                    .map(|b| {
                        obs.probe(kk)[b]
                            .iter()
                            .map(|a| a / e)
                            .chain([0.0])
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let support = |kk: usize, i: usize, c: &[f64]| balls.ball(kk, i).support_dual(c).ok();
        let rows: Vec<_> = (0..k)
            .into_par_iter()
            .map(|kk| {
                (0..balls.agents())
                    .map(|i| {
                        let ck = &c[kk][i];
                        let low: Option<Vec<f64>> = (0..k)
                            .map(|j| support(j, i, &negated(ck)).map(|s| -s))
                            .collect();
                        Some((support(kk, i, ck)?, -support(kk, i, &negated(ck))?, low?))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        let members = match structure {
            Structure::Joint => vec![(0..balls.agents()).collect()],
            _ => (0..balls.agents()).map(|i| vec![i]).collect(),
        };
        let up = rows
            .iter()
            .map(|r| r.iter().map(|e| e.0).collect())
            .collect();
        let own = rows
            .iter()
            .map(|r| r.iter().map(|e| e.1).collect())
            .collect();
        let low = rows
            .into_iter()
            .map(|r| r.into_iter().map(|e| e.2).collect())
            .collect();
        Some(Self {
            balls,
            members,
            structure,
            k,
            c,
            up,
            own,
            low,
        })
    }

    fn groups(&self) -> usize {
        self.structure.multiplier_groups(self.balls.agents())
    }

    /// The minimal expenditure `E_k` over the balls.
    fn expenditure(&self, k: usize) -> f64 {
        self.own[k].iter().sum()
    }

    /// Whether `q` is a distribution in agent `i`'s ball of `k`, with the check's failure.
    fn check_member(
        &self,
        report: &mut RobustVerification,
        k: usize,
        i: usize,
        q: &[f64],
        tol: Tolerance,
    ) {
        let ball: &WassersteinBall = self.balls.ball(k, i);
        let distance = match check_distribution("scenario", q) {
            Ok(()) if q.len() == ball.outcomes() => {
                ball.distance_to_center(q).unwrap_or(f64::INFINITY)
            }
            _ => f64::INFINITY,
        };
        let radius = ball.radius();
        report.check(tol.le(distance, radius, 1.0 + radius), || {
            RobustFailure::OutsideBall {
                obs: k,
                agent: i,
                distance,
                radius,
            }
        });
    }
}

/// Checks `cert` against the empirical data and balls (module doc).
pub fn verify_robust(
    empirical: &ObservationSet,
    balls: &ProductBalls,
    cert: &RobustCertificate,
    tol: Tolerance,
) -> RobustVerification {
    let mut report = RobustVerification::new();
    let fits = balls.len() == empirical.len() && balls.agents() == empirical.num_agents();
    let Some(view) = View::new(empirical, balls, cert.structure).filter(|_| fits) else {
        report.shape("the balls do not fit the data");
        return report;
    };
    if !fits_primal(&view, cert, &mut report) {
        return report;
    }
    check_floors(&view, cert, tol, &mut report);
    check_rows(&view, cert, tol, &mut report);
    match &cert.dual {
        Some(dual) => check_dual(&view, cert, dual, tol, &mut report),
        None => report.check(cert.primal.slack == 0.0, || RobustFailure::Shape {
            what: "a positive gap needs a dual".into(),
        }),
    }
    report
}

fn fits_primal(view: &View, cert: &RobustCertificate, report: &mut RobustVerification) -> bool {
    let p = &cert.primal;
    let ok = p.u.len() == view.members.len()
        && p.lambda.len() == view.groups()
        && p.u
            .iter()
            .chain(&p.lambda)
            .all(|r| r.len() == view.k && r.iter().all(|v| v.is_finite()))
        && p.slack.is_finite()
        && p.slack >= 0.0
        && cert.floors.len() == view.k
        && cert.floors.iter().enumerate().all(|(k, f)| {
            f.obs == k
                && f.distributions.len() == view.balls.agents()
                && f.expenditure.is_finite()
                && f.expenditure > 0.0
        });
    if !ok {
        report.shape(format!(
            "{} utilities, {} multiplier rows and {} floor scenarios with finite entries were \
             expected",
            view.members.len(),
            view.groups(),
            view.k
        ));
    }
    ok
}

fn check_floors(
    view: &View,
    cert: &RobustCertificate,
    tol: Tolerance,
    report: &mut RobustVerification,
) {
    for (g, row) in cert.primal.lambda.iter().enumerate() {
        for (k, &lambda) in row.iter().enumerate() {
            report.check(tol.le(1.0, lambda, 1.0), || RobustFailure::Floor {
                group: g,
                k,
                lambda,
            });
        }
    }
    for floor in &cert.floors {
        let k = floor.obs;
        let mut at_scenario = 0.0;
        for (i, q) in floor.distributions.iter().enumerate() {
            view.check_member(report, k, i, q, tol);
            at_scenario += inner(&view.c[k][i], q);
        }
        for computed in [at_scenario, view.expenditure(k)] {
            report.check(tol.is_zero(floor.expenditure - computed, 1.0), || {
                RobustFailure::Expenditure {
                    obs: k,
                    stated: floor.expenditure,
                    computed,
                }
            });
        }
    }
}

fn check_rows(
    view: &View,
    cert: &RobustCertificate,
    tol: Tolerance,
    report: &mut RobustVerification,
) {
    let p = &cert.primal;
    for (v, members) in view.members.iter().enumerate() {
        let u = &p.u[v];
        let lambda = &p.lambda[view.structure.group_of(v)];
        for k in 0..view.k {
            let e = view.expenditure(k);
            if e <= 0.0 {
                report.shape(format!(
                    "the balls of observation {k} reach the all-null profile"
                ));
                continue;
            }
            for j in (0..view.k).filter(|&j| j != k) {
                let (mut d, mut size) = (0.0, 0.0);
                for &i in members {
                    d += view.low[k][i][j] - view.up[k][i];
                    size += view.low[k][i][j].abs() + view.up[k][i].abs();
                }
                let excess = u[j] - u[k] - lambda[k] * d / e - p.slack;
                let scale = 1.0 + u[j].abs() + u[k].abs() + lambda[k] * size / e + p.slack;
                report.check(tol.le(excess, 0.0, scale), || RobustFailure::Inequality {
                    utility: v,
                    from: k,
                    to: j,
                    excess,
                });
            }
        }
    }
}

fn fits_scenario(view: &View, w: &WeightedScenario) -> bool {
    let Some(members) = view.members.get(w.utility) else {
        return false;
    };
    w.from < view.k
        && w.to < view.k
        && w.from != w.to
        && w.weight.is_finite()
        && w.budget.len() == members.len()
        && w.bundle.len() == members.len()
}

/// How much wider than the tolerance the dual's equalities may be off (see [`dual_tolerance`]).
const DUAL_SLACK_FACTOR: f64 = 100.0;

/// The tolerance of the dual's equalities (circulation, floor multipliers, value): the dual
/// comes from an interior-point solve (clarabel), whose equalities hold to about the solver's
/// own `1e-9` relative accuracy per row; summed over the `K^2` weights of a circulation or a
/// value in the hundreds they were measured off by up to `1.6e-9` relative (K = 30, S = 150, a
/// tester's runs), just outside the tolerance. Allowing [`DUAL_SLACK_FACTOR`] times the tolerance
/// (`1e-7` by default) keeps the check meaningful (a tampered weight or value is off by far
/// more) without rejecting sound certificates. Feasibility of the primal rows, balls and signs
/// is checked at the tolerance itself.
fn dual_tolerance(tol: Tolerance) -> Tolerance {
    Tolerance::new((tol.relative() * DUAL_SLACK_FACTOR).min(1e-2)).unwrap_or(tol)
}

fn check_dual(
    view: &View,
    cert: &RobustCertificate,
    dual: &RobustDual,
    tol: Tolerance,
    report: &mut RobustVerification,
) {
    let equality = dual_tolerance(tol);
    let utilities = view.members.len();
    let mut balance = vec![0.0; utilities * view.k];
    let mut through = vec![0.0; utilities * view.k];
    let mut z = vec![vec![0.0; view.k]; view.groups()];
    let mut z_scale = vec![vec![0.0; view.k]; view.groups()];
    let mut total = 0.0;
    for (index, w) in dual.weights.iter().enumerate() {
        if !fits_scenario(view, w) {
            report.shape(format!("weight {index} does not fit the data"));
            continue;
        }
        report.check(w.weight >= 0.0, || RobustFailure::NegativeWeight {
            index,
            weight: w.weight,
        });
        let (k, j) = (w.from, w.to);
        let (mut spread, mut size) = (0.0, 0.0);
        for (slot, &i) in view.members[w.utility].iter().enumerate() {
            view.check_member(report, k, i, &w.budget[slot], tol);
            view.check_member(report, j, i, &w.bundle[slot], tol);
            let (a, b) = (
                inner(&view.c[k][i], &w.bundle[slot]),
                inner(&view.c[k][i], &w.budget[slot]),
            );
            spread += a - b;
            size += a.abs() + b.abs();
        }
        let e = cert.floors[k].expenditure;
        let g = view.structure.group_of(w.utility);
        z[g][k] -= w.weight * spread / e;
        z_scale[g][k] += w.weight.abs() * size / e;
        balance[w.utility * view.k + j] += w.weight;
        balance[w.utility * view.k + k] -= w.weight;
        through[w.utility * view.k + j] += w.weight.abs();
        total += w.weight;
    }
    for (slot, &imbalance) in balance.iter().enumerate() {
        report.check(equality.is_zero(imbalance, 1.0 + through[slot]), || {
            RobustFailure::NotCirculation {
                utility: slot / view.k,
                node: slot % view.k,
                imbalance,
            }
        });
    }
    report.check(tol.le(total, 1.0, 1.0), || RobustFailure::Mass { total });
    check_floor_multipliers(view, dual, &z, &z_scale, tol, equality, report);
    let value: f64 = z.iter().flatten().sum();
    let value_scale = 1.0 + z_scale.iter().flatten().sum::<f64>();
    for (what, claimed) in [
        ("stated dual value", dual.value),
        ("primal slack", cert.primal.slack),
    ] {
        report.check(equality.is_zero(claimed - value, value_scale), || {
            RobustFailure::Objective {
                what: format!("{what} vs sum of recomputed floor multipliers"),
                claimed,
                computed: value,
            }
        });
    }
}

fn check_floor_multipliers(
    view: &View,
    dual: &RobustDual,
    z: &[Vec<f64>],
    z_scale: &[Vec<f64>],
    tol: Tolerance,
    equality: Tolerance,
    report: &mut RobustVerification,
) {
    let fits = dual.floor.len() == view.groups() && dual.floor.iter().all(|r| r.len() == view.k);
    if !fits {
        report.shape("floor multipliers of the wrong shape");
        return;
    }
    for g in 0..view.groups() {
        for k in 0..view.k {
            let (computed, scale) = (z[g][k], 1.0 + z_scale[g][k]);
            report.check(tol.le(0.0, computed, scale), || RobustFailure::FloorSign {
                group: g,
                k,
                z: computed,
            });
            let stated = dual.floor[g][k];
            report.check(equality.is_zero(stated - computed, scale), || {
                RobustFailure::Objective {
                    what: format!("floor multiplier ({g}, {k})"),
                    claimed: stated,
                    computed,
                }
            });
        }
    }
}
