//! Property tests on tie-heavy data (small-integer probes, strategies on a coarse grid with
//! zeros, duplicated observations): every certificate of `consistency_report` must verify, for
//! every structure and both LP backends, and the relations of THEORY §3–§4 must hold exactly
//! where ties decide them. The continuous generators of `lp_properties` almost never produce a
//! tie; these data produce them in nearly every case, which is where certificate bugs hid.

mod common;

use common::tied_data;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_lp::{
    Backend, BudgetMatrix, ConsistencyReport, GapOptions, ObservationSet, Structure, Tolerance,
    ccei, consistency_report, garp_violation,
};

const STRUCTURES: [Structure; 3] = [Structure::Separable, Structure::PerAgent, Structure::Joint];
const BACKENDS: [Backend; 2] = [Backend::Microlp, Backend::Clarabel];

fn report(d: &ObservationSet, structure: Structure, backend: Backend) -> ConsistencyReport {
    let opts = GapOptions {
        structure,
        backend,
        ..GapOptions::default()
    };
    consistency_report(d, &opts).expect("a report on valid data")
}

/// `1 - CCEI` of the joint data and of each agent, and whether each agent passes GARP.
struct Graphs {
    joint: f64,
    agents: Vec<f64>,
    agents_pass: bool,
}

impl Graphs {
    fn of(d: &ObservationSet) -> Self {
        let tol = Tolerance::default();
        let single: Vec<BudgetMatrix> = (0..d.num_agents())
            .map(|i| BudgetMatrix::agent(d, i))
            .collect();
        Self {
            joint: 1.0 - ccei(&BudgetMatrix::joint(d), tol).value,
            agents: single.iter().map(|b| 1.0 - ccei(b, tol).value).collect(),
            agents_pass: single.iter().all(|b| garp_violation(b, tol).is_none()),
        }
    }

    fn per_agent(&self) -> f64 {
        self.agents.iter().copied().fold(0.0, f64::max)
    }
}

/// The relations every structure's report must satisfy on any data.
fn check_common(r: &ConsistencyReport) -> Result<(), TestCaseError> {
    prop_assert!(r.verified, "{:?}", r.verification);
    prop_assert_eq!(
        r.consistent,
        r.additive_gap == 0.0,
        "L = 0 iff the test passes"
    );
    let [lower, upper] = r.efficiency_gap_bracket;
    prop_assert!(0.0 <= lower && lower <= r.efficiency_gap && r.efficiency_gap <= upper);
    prop_assert!(upper <= 1.0);
    if r.consistent {
        prop_assert_eq!(r.efficiency_gap, 0.0);
    }
    Ok(())
}

/// The structure-specific relations (THEORY §3.2, §3.3, §4).
fn check_structure(
    d: &ObservationSet,
    g: &Graphs,
    r: &ConsistencyReport,
) -> Result<(), TestCaseError> {
    let tol = Tolerance::default();
    let joint_garp = garp_violation(&BudgetMatrix::joint(d), tol).is_none();
    let [lower, _] = r.efficiency_gap_bracket;
    match r.structure {
        Structure::Joint => {
            prop_assert_eq!(r.consistent, joint_garp);
            prop_assert_eq!(r.efficiency_gap, g.joint);
            prop_assert_eq!(lower, g.joint);
        }
        Structure::PerAgent => {
            prop_assert_eq!(r.consistent, g.agents_pass);
            prop_assert_eq!(r.efficiency_gap, g.per_agent());
            prop_assert_eq!(lower, g.per_agent());
        }
        Structure::Separable if d.num_agents() == 1 => {
            prop_assert_eq!(r.consistent, joint_garp);
            prop_assert_eq!(r.efficiency_gap, g.joint);
        }
        Structure::Separable => {
            // Separable implies each agent's system and, summed, the joint one.
            if r.consistent {
                prop_assert!(joint_garp && g.agents_pass);
            }
            prop_assert!(
                lower >= g.joint.max(g.per_agent()),
                "{lower} below a graph bound"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    /// Every certificate verifies, for every structure and both backends, and L = 0 iff the
    /// test passes; L_e = 1 - CCEI (joint data) for Joint and one agent, 1 - min_i CCEI_i for
    /// PerAgent, and Separable's certified lower end lies above both graph bounds.
    #[test]
    fn tied_data_certificates_verify(d in tied_data(2..=8, 1..=3)) {
        let g = Graphs::of(&d);
        for structure in STRUCTURES {
            for backend in BACKENDS {
                let r = report(&d, structure, backend);
                check_common(&r)?;
                check_structure(&d, &g, &r)?;
            }
        }
    }

    /// Rescaling every probe by 1e-12 or 1e12 changes no verdict, no exact index and no
    /// verification (THEORY §1), ties included.
    #[test]
    fn tied_data_verdicts_survive_rescaling(
        d in tied_data(2..=6, 1..=3),
        factor in prop_oneof![Just(1e-12), Just(1e12)],
    ) {
        let probes: Vec<f64> = d.probes_flat().iter().map(|a| a * factor).collect();
        let scaled = ObservationSet::from_flat(d.agents().to_vec(), probes, d.strategies_flat().to_vec())
            .expect("positive rescaling keeps data valid");
        for structure in STRUCTURES {
            let (a, b) = (report(&d, structure, Backend::Clarabel), report(&scaled, structure, Backend::Clarabel));
            prop_assert!(b.verified, "{structure:?}: {:?}", b.verification);
            prop_assert_eq!(a.consistent, b.consistent, "{:?}", structure);
            prop_assert!((a.additive_gap - b.additive_gap).abs() <= 1e-7, "{structure:?}");
            prop_assert_eq!(a.efficiency_gap_bracket[0] == 0.0, b.efficiency_gap_bracket[0] == 0.0);
            if structure != Structure::Separable {
                prop_assert!((a.efficiency_gap - b.efficiency_gap).abs() <= 1e-12, "{structure:?}");
            }
        }
    }
}
