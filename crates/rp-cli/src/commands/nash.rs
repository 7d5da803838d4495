//! `rp nash`: Nash equilibria of a finite game read from a Gambit `.nfg` file.

use std::path::PathBuf;

use clap::Args;
use rp_design::game::finite::{Equilibrium, NashOptions, NormalFormGame, read_nfg_file, solve_all};
use serde::Serialize;

use crate::CliResult;
use crate::error::CliError;
use crate::output::{print_json, print_text, sci};

/// Arguments of `rp nash`.
#[derive(Args)]
pub struct NashArgs {
    /// The game, in Gambit .nfg format (payoff or outcome form).
    #[arg(value_name = "GAME.nfg")]
    game: PathBuf,
    /// Print the equilibria as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// What `rp nash --json` prints.
#[derive(Serialize)]
struct NashReport<'a> {
    game: String,
    title: &'a str,
    players: usize,
    strategies: Vec<usize>,
    payoff_range: f64,
    equilibria: &'a [Equilibrium],
}

/// Runs `rp nash`.
pub fn run(args: &NashArgs) -> CliResult {
    let game = read_nfg_file(&args.game).map_err(CliError::input)?;
    let equilibria = solve_all(&game, &NashOptions::default()).map_err(CliError::failed)?;
    let report = NashReport {
        game: args.game.display().to_string(),
        title: game.title(),
        players: game.num_players(),
        strategies: game.strategy_counts().to_vec(),
        payoff_range: game.payoff_range(),
        equilibria: &equilibria,
    };
    if args.json {
        print_json(&report)
    } else {
        print_text(&human(&game, &report))
    }
}

fn human(game: &NormalFormGame, r: &NashReport<'_>) -> String {
    let mut lines = vec![format!(
        "{} ({} players, strategies {:?}): {} equilibri{}",
        if r.title.is_empty() {
            r.game.as_str()
        } else {
            r.title
        },
        r.players,
        r.strategies,
        r.equilibria.len(),
        if r.equilibria.len() == 1 { "um" } else { "a" }
    )];
    for (n, eq) in r.equilibria.iter().enumerate() {
        lines.push(format!(
            "equilibrium {n} (regret {}, {}):",
            sci(eq.regret, 3),
            eq.method
        ));
        for (p, probs) in eq.profile.strategies().iter().enumerate() {
            let cells: Vec<String> = probs.iter().map(|x| format!("{x:.6}")).collect();
            lines.push(format!(
                "  {:<16} [{}]",
                game.player_labels().get(p).map_or("", String::as_str),
                cells.join(", ")
            ));
        }
    }
    lines.join("\n")
}
