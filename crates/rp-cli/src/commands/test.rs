//! `rp test`: the social-optimality test, both Pareto gaps, CCEI and the money pump of a data
//! set, with certificates checked by the independent verifier.

use std::path::PathBuf;

use clap::Args;
use rp_design::lp::{
    Backend, ConsistencyReport, GapOptions, ObservationSet, Structure, TestCertificate,
    consistency_report, read_csv_pair, read_json,
};

use crate::CliResult;
use crate::error::CliError;
use crate::output::{print_json, print_text, sci};

/// Arguments of `rp test`.
#[derive(Args)]
pub struct TestArgs {
    /// Observations as JSON: {"agents":[{"name":..,"actions":n}], "observations":[{"probe":[..],"strategy":[..]}]}.
    #[arg(long, value_name = "D.json", conflicts_with_all = ["probes", "strategies", "blocks"], required_unless_present = "probes")]
    data: Option<PathBuf>,
    /// Probes as CSV: K rows x N columns, optional header row.
    #[arg(long, value_name = "P.csv", requires = "strategies")]
    probes: Option<PathBuf>,
    /// Strategies as CSV: K rows x N columns, optional header row.
    #[arg(long, value_name = "S.csv", requires = "probes")]
    strategies: Option<PathBuf>,
    /// Actions per agent for CSV input, e.g. 2,2,3 (default: one agent owning all N columns).
    #[arg(long, value_delimiter = ',', value_name = "n1,n2,..")]
    blocks: Option<Vec<usize>>,
    /// Welfare structure: separable, per-agent or joint.
    #[arg(long, default_value = "separable", value_parser = parse_structure)]
    structure: Structure,
    /// LP backend of the gap's master program: clarabel (default) or microlp; highs only in
    /// builds with the `highs` feature.
    #[arg(long, value_parser = parse_backend, value_name = "clarabel|microlp|highs")]
    backend: Option<Backend>,
    /// Print the full report (with certificates) as JSON on stdout.
    #[arg(long)]
    json: bool,
}

fn parse_structure(s: &str) -> Result<Structure, String> {
    s.parse::<Structure>().map_err(|e| e.to_string())
}

/// A backend this build can run: an unavailable one is a bad argument (exit 2), not a failed
/// computation.
fn parse_backend(s: &str) -> Result<Backend, String> {
    let backend = s.parse::<Backend>().map_err(|e| e.to_string())?;
    backend.solver().map_err(|e| e.to_string())?;
    Ok(backend)
}

/// Runs `rp test`.
pub fn run(args: &TestArgs) -> CliResult {
    let obs = read_observations(args)?;
    if obs.len() < 2 {
        return Err(CliError::Input(format!(
            "{}: the test needs at least 2 observations, found {}",
            args.source(),
            obs.len()
        )));
    }
    let opts = GapOptions {
        structure: args.structure,
        backend: args.backend.unwrap_or_default(),
        ..GapOptions::default()
    };
    let report = consistency_report(&obs, &opts).map_err(CliError::failed)?;
    if args.json {
        print_json(&report)?;
    } else {
        print_text(&human(&obs, &report))?;
    }
    if !report.verified {
        return Err(CliError::Failed(format!(
            "the verifier rejected a certificate: {:?}",
            report.verification.failures
        )));
    }
    Ok(())
}

impl TestArgs {
    fn source(&self) -> String {
        match (&self.data, &self.probes) {
            (Some(d), _) => d.display().to_string(),
            (None, Some(p)) => p.display().to_string(),
            (None, None) => "input".to_string(),
        }
    }
}

fn read_observations(args: &TestArgs) -> Result<ObservationSet, CliError> {
    match (&args.data, &args.probes, &args.strategies) {
        (Some(data), _, _) => read_json(data).map_err(CliError::input),
        (None, Some(p), Some(s)) => {
            read_csv_pair(p, s, args.blocks.as_deref()).map_err(CliError::input)
        }
        _ => Err(CliError::Input(
            "give --data D.json, or --probes P.csv and --strategies S.csv".into(),
        )),
    }
}

fn human(obs: &ObservationSet, r: &ConsistencyReport) -> String {
    let verdict = if r.consistent {
        "consistent"
    } else {
        "not consistent"
    };
    let mut lines = vec![
        format!(
            "{} observations, {} agent{}, N = {}: {} with {:?} welfare",
            obs.len(),
            obs.num_agents(),
            if obs.num_agents() == 1 { "" } else { "s" },
            obs.dim(),
            verdict,
            r.structure
        ),
        format!("additive gap L        {}", sci(r.additive_gap, 6)),
        format!(
            "efficiency gap L_e    {}  (certified in [{}, {}])",
            sci(r.efficiency_gap, 6),
            sci(r.efficiency_gap_bracket[0], 6),
            sci(r.efficiency_gap_bracket[1], 6)
        ),
        format!("CCEI (joint data)     {:.9}", r.ccei),
        format!("max money pump        {}", sci(r.max_money_pump, 6)),
        format!(
            "verified              {} ({} checks)",
            if r.verified { "yes" } else { "NO" },
            r.verification.checks
        ),
    ];
    if let TestCertificate::Inconsistent { cycles, .. } = &r.certificate {
        for c in cycles {
            let who = c
                .agent
                .map_or("joint data".to_string(), |i| format!("agent {i}"));
            let path: Vec<String> = c.observations.iter().map(usize::to_string).collect();
            lines.push(format!(
                "violating cycle       {who}: {} -> {}",
                path.join(" -> "),
                path[0]
            ));
        }
    }
    lines.join("\n")
}
