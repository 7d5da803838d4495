//! The verifier's checks of the efficiency gap's lower end (THEORY §4: `L_e` is an infimum),
//! on the README example whose bracket is the point `[2/7, 2/7]` (arithmetic in
//! `lp_known::attained_efficiency_gap_is_certified_by_a_tied_cycle`): the right proofs pass,
//! and every way of claiming more than they prove fails.

mod common;

use common::readme_example;
use rp_lp::{
    DualRole, EfficiencyCertificate, GapKind, GapOptions, ParetoCertificate, Structure, Tolerance,
    VerificationFailure, ViolatingCycle, pareto_gap, verify_cycle, verify_dual, verify_efficiency,
};

fn certificate() -> EfficiencyCertificate {
    let opts = GapOptions {
        structure: Structure::Separable,
        kind: GapKind::Efficiency,
        ..GapOptions::default()
    };
    match pareto_gap(&readme_example(), &opts).unwrap().certificate {
        ParetoCertificate::Efficiency(c) => c,
        other => panic!("an efficiency certificate, got {other:?}"),
    }
}

const LOWER: f64 = 2.0 / 7.0;

#[test]
fn the_tied_cycle_ray_is_a_ray_above_its_efficiency_only() {
    // The joint cycle 0 <-> 1 lifted to both agents, weight 1/2 per step and agent: at
    // e0 = 5/7 every z_k = -(1/2)(5/14 - e0/2) * 2 = 0, so sum z = 0 (not a ray at e0) but the
    // slope sum w s = 4 * (1/2)(1/2) = 1 > 0 makes it one at every e > e0.
    let d = readme_example();
    let tol = Tolerance::default();
    let ray = certificate().infeasible.expect("a ray");
    assert!(verify_dual(&d, &ray, DualRole::FarkasAbove, tol).verified);
    let strict = verify_dual(&d, &ray, DualRole::Farkas, tol);
    assert!(
        strict
            .failures
            .iter()
            .any(|f| matches!(f, VerificationFailure::NotARay { .. })),
        "{strict:?}"
    );
}

#[test]
fn the_bracket_verifies_and_a_higher_lower_end_does_not() {
    let d = readme_example();
    let tol = Tolerance::default();
    let cert = certificate();
    assert!(verify_efficiency(&d, &cert, LOWER, LOWER, tol).verified);
    // Claiming the test fails below 0.3: the ray is at the wrong efficiency and the cycle's
    // steps (ratio 5/7) are not affordable at 0.7.
    let report = verify_efficiency(&d, &cert, 0.3, 0.3, tol);
    assert!(!report.verified);
    let step = |f: &VerificationFailure| matches!(f, VerificationFailure::CycleStep { .. });
    assert!(report.failures.iter().any(step), "{report:?}");
    // No ray for a positive lower end.
    let bare = EfficiencyCertificate {
        infeasible: None,
        ..cert.clone()
    };
    assert!(!verify_efficiency(&d, &bare, LOWER, LOWER, tol).verified);
    // A feasible side with positive slack is not a rationalization.
    let mut slack = cert.clone();
    slack.feasible.slack = 1e-3;
    let report = verify_efficiency(&d, &slack, LOWER, LOWER, tol);
    assert!(!report.verified, "{report:?}");
    // A bracket upside down.
    assert!(!verify_efficiency(&d, &cert, LOWER, 0.2, tol).verified);
}

#[test]
fn cycles_are_checked_step_by_step_from_the_raw_data() {
    // Joint rho_01 = rho_10 = 5/7 and rho_02 = 3/4 (each agent: .75 | .3 of 1.4).
    let d = readme_example();
    let tol = Tolerance::default();
    let joint = |observations: Vec<usize>| ViolatingCycle {
        agent: None,
        observations,
    };
    assert!(verify_cycle(&d, &joint(vec![0, 1]), 5.0 / 7.0, tol).verified);
    assert!(!verify_cycle(&d, &joint(vec![0, 1]), 0.7, tol).verified);
    // 0 -> 2 costs 3/4 of budget 0 but 2 -> 0 costs 1.28 of budget 2.
    assert!(!verify_cycle(&d, &joint(vec![0, 2]), 0.99, tol).verified);
    // Agent a alone: alpha^a_0 . beta^a_1 = .5 of e^a_0 = .7, the same 5/7.
    let agent_a = ViolatingCycle {
        agent: Some(0),
        observations: vec![0, 1],
    };
    assert!(verify_cycle(&d, &agent_a, 5.0 / 7.0, tol).verified);
    for malformed in [
        joint(vec![0]),
        joint(vec![0, 0]),
        joint(vec![0, 3]),
        ViolatingCycle {
            agent: Some(2),
            observations: vec![0, 1],
        },
    ] {
        let report = verify_cycle(&d, &malformed, 5.0 / 7.0, tol);
        assert!(
            matches!(
                report.failures.as_slice(),
                [VerificationFailure::Shape { .. }]
            ),
            "{malformed:?}: {report:?}"
        );
    }
}
