//! The multi-agent social-optimality test of THEORY §3, with certificates.
//!
//! For every structure the answer is a [`TestCertificate`]: Afriat numbers (and through them the
//! reconstructed utilities) when the data pass, a Farkas ray of the LP when they fail. The ray
//! is the normalized dual of the additive-gap program (module doc of [`crate::generation`]):
//! its weights form per-agent circulations whose floor multipliers `z` are nonnegative with
//! positive sum, which is exactly a Farkas certificate for the system with `lambda >= 1`.
//! For `PerAgent` and `Joint` the verdict is a graph question (M single-agent GARP tests, or
//! GARP on the joint data) and the certificate also lists the violating GARP cycles.
//!
//! The yes/no answer is decided once: `Separable` by its LP (zero slack up to the one
//! tolerance), `PerAgent`/`Joint` by GARP. Every certificate goes through the verifier.

use serde::{Deserialize, Serialize};

use crate::bridge;
use crate::budget::BudgetMatrix;
use crate::ccei::ccei;
use crate::certificate::{EfficiencyCertificate, GapCertificate, TestCertificate};
use crate::data::ObservationSet;
use crate::error::LpError;
use crate::gap::{GapOptions, additive_gap, efficiency_gap};
use crate::money_pump::max_money_pump;
use crate::solve::StructureProgram;
use crate::structure::Structure;
use crate::verify::{VerificationReport, verify_efficiency, verify_gap, verify_test};

/// The outcome of [`social_optimality_test`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// The structure tested.
    pub structure: Structure,
    /// Whether the data pass.
    pub consistent: bool,
    /// Afriat numbers or a Farkas ray (and GARP cycles).
    pub certificate: TestCertificate,
    /// The verifier's report on the certificate.
    pub verification: VerificationReport,
}

/// Tests whether `obs` could be socially optimal under `opts.structure` (THEORY §3); uses
/// `opts.backend`, `opts.tolerance` and `opts.generation` (the gap kind is ignored).
pub fn social_optimality_test(
    obs: &ObservationSet,
    opts: &GapOptions,
) -> Result<TestOutcome, LpError> {
    let certificate = match opts.structure {
        Structure::Separable => lp_certificate(obs, Structure::Separable, opts)?,
        Structure::PerAgent | Structure::Joint => graph_certificate(obs, opts.structure, opts)?,
    };
    let verification = verify_test(obs, &certificate, opts.tolerance);
    Ok(TestOutcome {
        structure: opts.structure,
        consistent: matches!(certificate, TestCertificate::Consistent { .. }),
        certificate,
        verification,
    })
}

/// `Separable`: the additive-gap program decides; its dual is the ray.
fn lp_certificate(
    obs: &ObservationSet,
    structure: Structure,
    opts: &GapOptions,
) -> Result<TestCertificate, LpError> {
    let backend = opts.backend.solver()?;
    let mut program = StructureProgram::new(
        &obs.normalized(),
        structure,
        opts.tolerance,
        opts.generation,
    );
    let solved = program.solve(1.0, backend.as_ref(), true)?;
    Ok(match solved.dual {
        None => TestCertificate::Consistent {
            rationalization: solved.primal,
        },
        Some(ray) => TestCertificate::Inconsistent {
            ray,
            cycles: Vec::new(),
        },
    })
}

/// `PerAgent` and `Joint`: GARP decides, no LP (module doc of [`crate::bridge`]).
fn graph_certificate(
    obs: &ObservationSet,
    structure: Structure,
    opts: &GapOptions,
) -> Result<TestCertificate, LpError> {
    let graphs = bridge::graphs(obs, structure);
    let cycles = bridge::garp_cycles(&graphs, opts.tolerance);
    if let Some(first) = cycles.first() {
        return Ok(TestCertificate::Inconsistent {
            ray: bridge::cycle_ray(obs, structure, first, 1.0),
            cycles,
        });
    }
    match bridge::rationalization(obs, structure, &graphs, opts.tolerance) {
        Some(rationalization) => Ok(TestCertificate::Consistent { rationalization }),
        None => {
            // afriat_numbers fails only when GARP does, which was just ruled out; should the two
            // ever disagree, the LP answers (and the verifier checks it like any other).
            tracing::warn!("GARP holds but no Afriat numbers were built; solving the LP");
            lp_certificate(obs, structure, opts)
        }
    }
}

/// Everything `rp test` reports, in one serializable struct.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsistencyReport {
    /// Whether the data pass the test of `structure`.
    pub consistent: bool,
    /// The structure tested.
    pub structure: Structure,
    /// The additive gap `L`.
    pub additive_gap: f64,
    /// The efficiency gap `L_e` (see [`crate::EfficiencyGap::value`]).
    pub efficiency_gap: f64,
    /// The certified bracket `[lower, upper]` of `L_e`.
    pub efficiency_gap_bracket: [f64; 2],
    /// CCEI of the joint data (of the agent, for one agent).
    pub ccei: f64,
    /// Largest money pump index of the joint data (0 when GARP holds).
    pub max_money_pump: f64,
    /// The verifier's verdict on all three certificates.
    pub verified: bool,
    /// The test certificate.
    pub certificate: TestCertificate,
    /// The additive gap's certificate.
    pub additive_certificate: GapCertificate,
    /// The efficiency gap's certificate.
    pub efficiency_certificate: EfficiencyCertificate,
    /// The verifier's merged report.
    pub verification: VerificationReport,
}

/// The test, both gaps, CCEI and money pump of `obs` for `opts.structure`, all verified
/// (`K >= 2` required).
pub fn consistency_report(
    obs: &ObservationSet,
    opts: &GapOptions,
) -> Result<ConsistencyReport, LpError> {
    obs.require_at_least(2, "a consistency report")?;
    let test = social_optimality_test(obs, opts)?;
    let additive = additive_gap(obs, opts)?;
    let efficiency = efficiency_gap(obs, opts)?;
    let joint = BudgetMatrix::joint(obs);
    let mut verification = test.verification;
    verification.merge(verify_gap(
        obs,
        &additive.certificate,
        additive.value,
        opts.tolerance,
    ));
    verification.merge(verify_efficiency(
        obs,
        &efficiency.certificate,
        efficiency.lower,
        efficiency.upper,
        opts.tolerance,
    ));
    Ok(ConsistencyReport {
        consistent: test.consistent,
        structure: opts.structure,
        additive_gap: additive.value,
        efficiency_gap: efficiency.value,
        efficiency_gap_bracket: [efficiency.lower, efficiency.upper],
        ccei: ccei(&joint, opts.tolerance).value,
        max_money_pump: max_money_pump(&joint, opts.tolerance).map_or(0.0, |m| m.value),
        verified: verification.verified,
        certificate: test.certificate,
        additive_certificate: additive.certificate,
        efficiency_certificate: efficiency.certificate,
        verification,
    })
}
