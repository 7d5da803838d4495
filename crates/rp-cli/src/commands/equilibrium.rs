//! `rp equilibrium`: the equilibrium of a reference game (spectrum, river, Krawczyk–Uryasev).

use clap::Args;
use rp_design::game::report::{ReferenceGame, reference_equilibrium};

use crate::CliResult;
use crate::error::CliError;
use crate::output::{print_json, print_text};

/// Arguments of `rp equilibrium`.
#[derive(Args)]
pub struct EquilibriumArgs {
    /// The game: spectrum, river or krawczyk-uryasev.
    #[arg(long, value_parser = parse_game)]
    env: ReferenceGame,
    /// Seed of the environment's parameters and probe (spectrum, river).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

fn parse_game(s: &str) -> Result<ReferenceGame, String> {
    s.parse::<ReferenceGame>().map_err(|e| e.to_string())
}

/// Runs `rp equilibrium`.
pub fn run(args: &EquilibriumArgs) -> CliResult {
    let summary = reference_equilibrium(args.env, args.seed).map_err(CliError::failed)?;
    if args.json {
        print_json(&summary)
    } else {
        print_text(&summary.to_string())
    }
}
