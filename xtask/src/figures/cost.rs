//! Figure 7: the cost of the two exact tests against `K`, with their floor, the `K x K x N`
//! budget product of THEORY §1 (`BudgetMatrix::joint`), on a log-log plot. Timings are the
//! only machine-dependent numbers of the figures.

use std::hint::black_box;

use rp_design::lp::{
    BudgetMatrix, GapOptions, ObservationSet, Tolerance, ccei, garp_violation, pareto_gap,
};

use super::{Context, Figure, seeds};
use crate::data::{median_seconds, misread_consumer, noisy_optimum};
use crate::error::XtaskError;
use crate::plot::{Legend, Panel, Series, Style};
use crate::table::{Table, num};

/// One timed size.
struct Timing {
    k: usize,
    operation: f64,
    floor: f64,
}

fn data_err(e: impl std::fmt::Display) -> XtaskError {
    XtaskError::experiment("figure 7 data", e)
}

/// Times `operation` on the data `make(k)` at each `k`, with the budget product's floor (median
/// of five times as many runs: it is short).
fn time_sizes(
    ctx: &Context,
    sizes: &[usize],
    make: impl Fn(usize) -> Result<ObservationSet, XtaskError>,
    operation: impl Fn(&ObservationSet) -> Result<(), XtaskError>,
) -> Result<Vec<Timing>, XtaskError> {
    let mut out = Vec::new();
    for &k in sizes {
        let obs = make(k)?;
        let mut failed = None;
        let seconds = median_seconds(ctx.plan.repetitions, || {
            if let Err(e) = operation(black_box(&obs)) {
                failed = Some(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let floor = median_seconds(ctx.plan.repetitions * 5, || {
            black_box(BudgetMatrix::joint(black_box(&obs)));
        });
        out.push(Timing {
            k,
            operation: seconds,
            floor,
        });
    }
    Ok(out)
}

/// The Separable verified gap (M = 4, N = 12) at each K.
fn lp_times(ctx: &Context) -> Result<Vec<Timing>, XtaskError> {
    time_sizes(
        ctx,
        &ctx.plan.lp_sizes,
        |k| noisy_optimum(k, 4, 3, seeds::COST + k as u64).map_err(data_err),
        |obs| {
            let gap = pareto_gap(obs, &GapOptions::default())
                .map_err(|e| XtaskError::experiment("figure 7 gap", e))?;
            black_box(gap);
            Ok(())
        },
    )
}

/// GARP + CCEI (one agent, N = 20, the budget product included) at each K.
fn garp_times(ctx: &Context) -> Result<Vec<Timing>, XtaskError> {
    let t = Tolerance::default();
    time_sizes(
        ctx,
        &ctx.plan.garp_sizes,
        |k| misread_consumer(k, 20, seeds::COST + k as u64).map_err(data_err),
        |obs| {
            let b = BudgetMatrix::joint(obs);
            black_box((garp_violation(&b, t).is_none(), ccei(&b, t).value));
            Ok(())
        },
    )
}

/// The least-squares slope of `log y` on `log x` (the empirical exponent).
pub fn log_slope(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.0 > 0.0 && p.1 > 0.0)
        .map(|p| (p.0.ln(), p.1.ln()))
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let slope = sxy / sxx;
    slope.is_finite().then_some(slope)
}

fn panel(title: &str, what: &str, timings: &[Timing]) -> Panel {
    let op: Vec<(f64, f64)> = timings.iter().map(|t| (t.k as f64, t.operation)).collect();
    let floor: Vec<(f64, f64)> = timings.iter().map(|t| (t.k as f64, t.floor)).collect();
    Panel {
        title: title.into(),
        x_label: "observations K".into(),
        y_label: "seconds (median)".into(),
        x_log: true,
        y_log: true,
        series: vec![
            Series::new(what, 0, Style::Line, op.clone()),
            Series::new("", 0, Style::Points, op),
            Series::new("floor: K x K x N product", 5, Style::Dashed, floor),
        ],
        legend: Legend::LowerRight,
        ..Panel::default()
    }
}

/// Figure 7.
pub fn figure(ctx: &Context) -> Result<Figure, XtaskError> {
    let bar = ctx.bar("fig 7: timings");
    let lp = lp_times(ctx)?;
    let garp = garp_times(ctx)?;
    bar.finish_and_clear();
    let mut table = Table::new(&["operation", "K", "N", "seconds", "floor_seconds", "ratio"]);
    for (name, n, rows) in [
        ("separable_gap_m4", 12, &lp),
        ("garp_ccei_one_agent", 20, &garp),
    ] {
        for t in rows {
            table.push(vec![
                name.into(),
                t.k.to_string(),
                n.to_string(),
                num(t.operation),
                num(t.floor),
                num(t.operation / t.floor),
            ]);
        }
    }
    let name = "fig7_cost";
    table.write(&ctx.dir.join(format!("{name}.csv")))?;
    ctx.render(
        name,
        "Figure 7: cost against K, with the K x K x N budget product (log-log)",
        &[
            panel(
                "Separable gap (M = 4, N = 12), verified",
                "Separable gap",
                &lp,
            ),
            panel("GARP + CCEI (one agent, N = 20)", "GARP + CCEI", &garp),
        ],
    )?;
    let slope = |rows: &[Timing], f: fn(&Timing) -> f64| {
        log_slope(&rows.iter().map(|t| (t.k as f64, f(t))).collect::<Vec<_>>())
            .map_or("n/a".into(), |s| format!("{s:.2}"))
    };
    let line = |name: &str, rows: &[Timing]| {
        let cells: Vec<String> = rows
            .iter()
            .map(|t| {
                format!(
                    "K = {}: {:.3} ms (floor {:.3} ms, ratio {:.0})",
                    t.k,
                    t.operation * 1e3,
                    t.floor * 1e3,
                    t.operation / t.floor
                )
            })
            .collect();
        format!(
            "{name}: {}; log-log slope {} (floor {})",
            cells.join("; "),
            slope(rows, |t| t.operation),
            slope(rows, |t| t.floor)
        )
    };
    let holds = lp.iter().chain(&garp).all(|t| t.operation >= t.floor);
    Ok(Figure {
        name,
        title: "Cost against K".into(),
        shows: "Median wall time (this machine, the thread count in the header) of the verified Separable additive gap \
                (M = 4 agents, N = 12, noisy Cobb–Douglas optima) and of GARP + CCEI (one agent, N = 20, Cobb–Douglas with 10% \
                misread prices), against K, with the floor: the K x K x N budget product alone. Log-log."
            .into(),
        claim: "Both tests cost more than their floor at every K; GARP + CCEI stays within a small factor of the product while the \
                LP's ratio is larger (it solves linear programs over generated constraints)."
            .into(),
        holds,
        headline: vec![line("Separable gap", &lp), line("GARP + CCEI", &garp)],
        missing: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_power_law() {
        // y = 3 x^2: slope exactly 2.
        let pts: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0]
            .iter()
            .map(|x| (*x, 3.0 * x * x))
            .collect();
        assert!((log_slope(&pts).expect("defined") - 2.0).abs() < 1e-12);
        assert_eq!(log_slope(&[(1.0, 1.0)]), None);
    }
}
