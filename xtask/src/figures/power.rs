//! Figure 5: power of the three welfare structures of THEORY §3 as the interaction grows.
//!
//! The interaction strength `sigma` is realized through the corrective mechanism:
//! at `phi = (1 - sigma) phi*`, with `phi* = -s` the canceling parameter, the agents face the
//! interaction `s + phi = sigma s` exactly (the corrective transfers have the interaction's
//! bilinear shape, rp-game's `mechanism` module). So `sigma = 0` is the canceled game (its
//! equilibria are social optima), `sigma = 1` the environment as drawn, and `sigma > 1` a
//! stronger interaction, for as long as `(1 - sigma) phi*` stays in the corrective box (whose
//! activity bound rp-game certifies). This needs no new knob in rp-game's `EnvironmentConfig`:
//! the environment's interaction is already capped at 75% of the largest strength at which
//! every agent provably stays active, and the corrective box is what extends beyond it.
//!
//! Control: the social optima of the same probes (solved by rp-game, never by the designer),
//! which every structure must accept.

use rayon::prelude::*;
use rp_design::game::mechanism::MechanismClass;
use rp_design::lp::{GapOptions, ObservationSet, Structure, social_optimality_test};
use rp_design::policy::NoiseSeed;
use rp_design::{Measurement, draw_games};

use super::metrics::designer_environment;
use super::{Context, ENVIRONMENTS, Figure, env_name, equilibrium_sets, seeds};
use crate::error::XtaskError;
use crate::plot::{Panel, Series, Style};
use crate::table::{Table, num};

/// The three structures, strongest first (THEORY §3: Separable-consistent data are PerAgent-
/// and Joint-consistent).
pub const STRUCTURES: [Structure; 3] =
    [Structure::Separable, Structure::PerAgent, Structure::Joint];

fn structure_name(s: Structure) -> &'static str {
    match s {
        Structure::Separable => "separable",
        Structure::PerAgent => "per_agent",
        Structure::Joint => "joint",
    }
}

/// Rejections of one data set by each structure (in [`STRUCTURES`] order).
fn rejections(obs: &ObservationSet) -> Result<[bool; 3], XtaskError> {
    let mut out = [false; 3];
    for (slot, structure) in out.iter_mut().zip(STRUCTURES) {
        let opts = GapOptions {
            structure,
            ..GapOptions::default()
        };
        let outcome = social_optimality_test(obs, &opts)
            .map_err(|e| XtaskError::experiment("figure 5 test", e))?;
        *slot = !outcome.consistent;
    }
    Ok(out)
}

/// Whether one data set's verdicts respect the nesting: a rejection by PerAgent or Joint
/// implies one by Separable.
pub fn nested(r: &[bool; 3]) -> bool {
    r[0] || (!r[1] && !r[2])
}

/// Fraction of `true` per structure.
pub fn rates(rejected: &[[bool; 3]]) -> [f64; 3] {
    let n = rejected.len().max(1) as f64;
    let mut out = [0.0; 3];
    for (s, slot) in out.iter_mut().enumerate() {
        *slot = rejected.iter().filter(|r| r[s]).count() as f64 / n;
    }
    out
}

/// One row of the study: environment, strength (`None`: the social-optimum control), verdicts.
struct Cell {
    env: &'static str,
    sigma: Option<f64>,
    rejected: Vec<[bool; 3]>,
}

impl Cell {
    /// The verdicts of every structure on each of `sets` (tested in parallel, kept in order).
    fn of(
        env: &'static str,
        sigma: Option<f64>,
        sets: &[ObservationSet],
    ) -> Result<Self, XtaskError> {
        let rejected = sets
            .par_iter()
            .map(rejections)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            env,
            sigma,
            rejected,
        })
    }
}

fn study(ctx: &Context) -> Result<Vec<Cell>, XtaskError> {
    let plan = &ctx.plan;
    let bar = ctx.bar("fig 5: power");
    bar.set_length((ENVIRONMENTS.len() * (plan.strengths.len() + 1)) as u64);
    let mut cells = Vec::new();
    for (e, &kind) in ENVIRONMENTS.iter().enumerate() {
        let env = designer_environment(kind)?;
        let star = env.canceling_phi();
        let boxed = env.mechanism(MechanismClass::Corrective).parameter_box();
        let root = NoiseSeed::new(seeds::POWER).child(e as u64);
        let noises: Vec<NoiseSeed> = (0..plan.power_replicates)
            .map(|r| root.child(r as u64))
            .collect();
        for &sigma in &plan.strengths {
            let phi: Vec<f64> = star.iter().map(|p| (1.0 - sigma) * p).collect();
            if boxed.check(&phi).is_err() {
                ctx.log(&format!(
                    "fig 5: {} sigma = {sigma} leaves the corrective box; skipped",
                    env_name(kind)
                ));
                bar.inc(1);
                continue;
            }
            let points: Vec<_> = noises.iter().map(|n| (phi.clone(), *n)).collect();
            let sets = equilibrium_sets(&env, MechanismClass::Corrective, plan.games, &points)?;
            cells.push(Cell::of(env_name(kind), Some(sigma), &sets)?);
            bar.inc(1);
        }
        let sets: Vec<ObservationSet> = noises
            .par_iter()
            .map(|n| {
                let probes = draw_games(&env, *n, plan.games);
                let optima = probes
                    .iter()
                    .map(|p| env.social_optimum(p, None).map(|o| o.profile))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| XtaskError::experiment("figure 5 social optimum", e))?;
                Measurement::Exact
                    .observe(env.agents(), probes, optima)
                    .map(|o| o.set)
                    .map_err(|e| XtaskError::experiment("figure 5 control data", e))
            })
            .collect::<Result<_, _>>()?;
        cells.push(Cell::of(env_name(kind), None, &sets)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(cells)
}

/// Figure 5.
pub fn figure(ctx: &Context) -> Result<Figure, XtaskError> {
    let cells = study(ctx)?;
    let mut table = Table::new(&[
        "environment",
        "sigma",
        "data_sets",
        "reject_separable",
        "reject_per_agent",
        "reject_joint",
        "nesting_violations",
    ]);
    let mut panels = Vec::new();
    let mut headline = Vec::new();
    let mut violations_total = 0;
    let mut control_ok = true;
    let mut ordered = true;
    for env in ENVIRONMENTS.map(env_name) {
        let mine: Vec<&Cell> = cells.iter().filter(|c| c.env == env).collect();
        let mut series: Vec<Series> = Vec::new();
        for (s, structure) in STRUCTURES.iter().enumerate() {
            let pts: Vec<(f64, f64)> = mine
                .iter()
                .filter_map(|c| c.sigma.map(|sigma| (sigma, rates(&c.rejected)[s])))
                .collect();
            series.push(Series::new(
                structure_name(*structure),
                s,
                Style::Line,
                pts.clone(),
            ));
            series.push(Series::new("", s, Style::Points, pts));
        }
        for c in &mine {
            let r = rates(&c.rejected);
            let violations = c.rejected.iter().filter(|r| !nested(r)).count();
            violations_total += violations;
            ordered &= r[0] >= r[1] && r[0] >= r[2];
            let sigma = c.sigma.map_or("optimum".to_string(), num);
            table.push(vec![
                env.into(),
                sigma.clone(),
                c.rejected.len().to_string(),
                num(r[0]),
                num(r[1]),
                num(r[2]),
                violations.to_string(),
            ]);
            if c.sigma.is_none() {
                control_ok &= r == [0.0; 3];
                let x_max = ctx.plan.strengths.last().copied().unwrap_or(1.0);
                series.push(Series::new(
                    "control: social optima (all structures)",
                    5,
                    Style::Dashed,
                    vec![
                        (0.0, r[0].max(r[1]).max(r[2])),
                        (x_max, r[0].max(r[1]).max(r[2])),
                    ],
                ));
                headline.push(format!(
                    "{env}: control (social optima) rejected by Separable / PerAgent / Joint: {:.2} / {:.2} / {:.2}",
                    r[0], r[1], r[2]
                ));
            } else {
                headline.push(format!(
                    "{env}: sigma = {sigma}: rejection Separable {:.2}, PerAgent {:.2}, Joint {:.2}",
                    r[0], r[1], r[2]
                ));
            }
        }
        panels.push(Panel {
            title: env.to_string(),
            x_label: "interaction strength sigma (1 = as drawn)".into(),
            y_label: "fraction of data sets rejected".into(),
            // Headroom above 1 for the legend.
            y_range: Some((-0.05, 1.5)),
            series,
            ..Panel::default()
        });
    }
    headline.push(format!(
        "data sets rejected by PerAgent or Joint but not by Separable (THEORY §3 says none): {violations_total}"
    ));
    let name = "fig5_power";
    table.write(&ctx.dir.join(format!("{name}.csv")))?;
    ctx.render(
        name,
        "Figure 5: power of the welfare structures vs interaction strength",
        &panels,
    )?;
    Ok(Figure {
        name,
        title: "Power of Separable / PerAgent / Joint".into(),
        shows: format!(
            "Fraction of equilibrium data sets (K = {} games, {} data sets per point) that each structure's test rejects, against the \
             interaction strength sigma, realized as the residual interaction sigma s under corrective transfers phi = (1 - sigma) phi*. \
             Dashed: the social optima of the same probes (control).",
            ctx.plan.games, ctx.plan.power_replicates
        ),
        claim: "THEORY §3 nests the structures: Separable-consistent data are PerAgent- and Joint-consistent, so Separable rejects \
                at least as often as either, data set by data set; the social optimum is rejected by none; power grows with sigma."
            .into(),
        holds: violations_total == 0 && control_ok && ordered,
        headline,
        missing: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_rates() {
        assert!(nested(&[true, true, false]));
        assert!(nested(&[false, false, false]));
        assert!(
            !nested(&[false, true, false]),
            "PerAgent rejects what Separable accepts"
        );
        assert!(
            !nested(&[false, false, true]),
            "Joint rejects what Separable accepts"
        );
        // Separable 2/4, PerAgent 1/4, Joint 0/4.
        let r = rates(&[
            [true, true, false],
            [true, false, false],
            [false; 3],
            [false; 3],
        ]);
        assert_eq!(r, [0.5, 0.25, 0.0]);
        assert_eq!(rates(&[]), [0.0; 3]);
    }
}
