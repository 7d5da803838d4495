//! Small, fast configurations shared by the designer's tests.

use rp_design::game::environment::EnvironmentKind;
use rp_design::game::mechanism::MechanismClass;
use rp_design::{DesignReport, DesignSettings, Designer};

/// A design run small enough for a test: 3 agents x 2 actions, `K` from 8 to 32, 6 evaluation
/// probes, 2 confirmations. `spectrum` with 2 channels detects distortions at small `K`.
pub fn small(kind: EnvironmentKind, class: MechanismClass, iterations: u64) -> DesignSettings {
    let mut s = DesignSettings::new(kind, class);
    s.environment.agents = 3;
    s.environment.actions = 2;
    s.iterations = iterations;
    s.probing.initial_games = 8;
    s.probing.max_games = 32;
    s.evaluation.games = 6;
    s.verdict.confirmations = 2;
    s
}

/// Runs `settings` in a rayon pool of `threads` threads.
pub fn run_with_threads(settings: &DesignSettings, threads: usize) -> DesignReport {
    let designer = Designer::new(settings.clone()).expect("test settings are valid");
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool builds")
        .install(|| designer.run(&mut ()))
        .expect("the test run succeeds")
}

/// The report with its wall-clock times zeroed (the only machine-dependent part).
pub fn without_times(mut report: DesignReport) -> DesignReport {
    let w = &mut report.summary.wall_time;
    w.total_seconds = 0.0;
    w.equilibrium_seconds = 0.0;
    w.lp_seconds = 0.0;
    report
}
