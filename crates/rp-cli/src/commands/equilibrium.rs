//! `rp equilibrium`: the equilibrium of a reference game (spectrum, river, Krawczyk–Uryasev).

use clap::Args;
use rp_design::EnvironmentSettings;
use rp_design::game::environment::{Environment, EnvironmentKind};
use rp_design::game::report::{ReferenceGame, environment_equilibrium, reference_equilibrium};

use crate::CliResult;
use crate::error::CliError;
use crate::output::{print_json, print_text};

/// Arguments of `rp equilibrium`.
#[derive(Args)]
pub struct EquilibriumArgs {
    /// The game: spectrum, river or krawczyk-uryasev.
    #[arg(long, value_parser = parse_game)]
    env: ReferenceGame,
    /// Seed of the environment's parameters and probe (spectrum, river; default 0; at most
    /// 2^53 - 1).
    #[arg(long, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(..=crate::MAX_JSON_SEED))]
    seed: Option<u64>,
    /// Agents (spectrum, river; default: the size `rp design` uses, 4).
    #[arg(long, value_name = "M")]
    agents: Option<usize>,
    /// Actions per agent (default: the size `rp design` uses: 2 channels for spectrum, 3
    /// levels for river).
    #[arg(long, value_name = "A")]
    actions: Option<usize>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

fn parse_game(s: &str) -> Result<ReferenceGame, String> {
    s.parse::<ReferenceGame>().map_err(|e| e.to_string())
}

/// Runs `rp equilibrium`.
pub fn run(args: &EquilibriumArgs) -> CliResult {
    let kind = match args.env {
        ReferenceGame::Spectrum => Some(EnvironmentKind::Spectrum),
        ReferenceGame::River => Some(EnvironmentKind::River),
        ReferenceGame::KrawczykUryasev => None,
    };
    let summary = match kind {
        // The environment `rp design --env ... --env-seed S` designs for, unless resized.
        Some(kind) => {
            let mut sizes = EnvironmentSettings::new(kind, args.seed.unwrap_or(0));
            sizes.agents = args.agents.unwrap_or(sizes.agents);
            sizes.actions = args.actions.unwrap_or(sizes.actions);
            // A configuration the environment refuses is bad input; a solver failure is not.
            Environment::new(&sizes.config()).map_err(CliError::input)?;
            environment_equilibrium(&sizes.config()).map_err(CliError::failed)?
        }
        None if args.agents.is_some() || args.actions.is_some() || args.seed.is_some() => {
            return Err(CliError::Input(
                "--seed, --agents and --actions apply to spectrum and river; krawczyk-uryasev \
                 is one fixed game"
                    .to_string(),
            ));
        }
        None => reference_equilibrium(args.env, 0).map_err(CliError::failed)?,
    };
    if args.json {
        print_json(&summary)
    } else {
        print_text(&summary.to_string())
    }
}
