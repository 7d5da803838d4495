//! Observers: a hook called after every iteration of [`Spsa::run`](crate::Spsa::run), for
//! progress bars, logs and trajectory files (argmin style). An observer may stop the run.
//!
//! Observers watch; they cannot change the optimizer. A caller that must change the objective
//! between iterations (adaptive probing) drives the stepper itself.

use std::ops::ControlFlow;

use crate::report::StepReport;

/// Called with each iteration's report; returning `ControlFlow::Break(())` ends the run after
/// this iteration (the run still finishes normally: the final iterate is re-evaluated).
pub trait Observer {
    /// Sees iteration `report.t`.
    fn observe(&mut self, report: &StepReport) -> ControlFlow<()>;
}

/// The unit observer does nothing.
impl Observer for () {
    fn observe(&mut self, _report: &StepReport) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Any `FnMut(&StepReport) -> ControlFlow<()>` is an observer.
impl<F: FnMut(&StepReport) -> ControlFlow<()>> Observer for F {
    fn observe(&mut self, report: &StepReport) -> ControlFlow<()> {
        self(report)
    }
}

/// Logs every `every`-th iteration at `info` level through `tracing` (the optimizer itself
/// logs each iteration at `debug`).
#[derive(Clone, Copy, Debug)]
pub struct TracingObserver {
    /// Log iterations `t` with `t % every == 0` (0 is treated as 1).
    pub every: u64,
}

impl Default for TracingObserver {
    fn default() -> Self {
        Self { every: 1 }
    }
}

impl Observer for TracingObserver {
    fn observe(&mut self, report: &StepReport) -> ControlFlow<()> {
        if report.t.is_multiple_of(self.every.max(1)) {
            let best_loss = report.best.as_ref().map(|b| b.loss.loss);
            tracing::info!(
                t = report.t,
                loss_plus = report.loss_plus,
                loss_minus = report.loss_minus,
                a_t = report.gains.a_t,
                c_t = report.gains.c_t,
                b_t = report.gains.b_t,
                best_loss,
                evaluations = report.evaluations,
                "spsa iteration"
            );
        }
        ControlFlow::Continue(())
    }
}
