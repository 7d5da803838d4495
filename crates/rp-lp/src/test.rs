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

use crate::certificate::TestCertificate;
use crate::data::ObservationSet;
use crate::error::LpError;
use crate::gap::GapOptions;
use crate::solve::StructureProgram;
use crate::structure::Structure;
use crate::verify::{VerificationReport, verify_test};

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
    let backend = opts.backend.solver()?;
    let mut program = StructureProgram::new(
        &obs.normalized(),
        opts.structure,
        opts.tolerance,
        opts.generation,
    );
    // INTEGRATION POINT (graph layer): for PerAgent and Joint the verdict comes from
    // `garp_violation` on `BudgetMatrix::agent(obs, i)` / `BudgetMatrix::joint(obs)` and the
    // cycles are attached; until merged, the LP decides for every structure.
    let solved = program.solve(1.0, backend.as_ref(), true)?;
    let certificate = match solved.dual {
        None => TestCertificate::Consistent {
            rationalization: solved.primal,
        },
        Some(ray) => TestCertificate::Inconsistent {
            ray,
            cycles: Vec::new(),
        },
    };
    let verification = verify_test(obs, &certificate, opts.tolerance);
    Ok(TestOutcome {
        structure: opts.structure,
        consistent: matches!(certificate, TestCertificate::Consistent { .. }),
        certificate,
        verification,
    })
}
