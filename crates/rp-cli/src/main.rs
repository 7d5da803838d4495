//! The `rp` command: revealed-preference tests, Nash equilibria of finite games, equilibria of
//! the reference environments, and the adaptive mechanism designer.
//!
//! Exit codes: 0 on success, 2 for bad input (arguments, files, data; nothing is computed or
//! written), 1 when a computation fails on valid input.

mod commands;
mod error;
mod output;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand};

use crate::error::CliError;

/// The largest seed the CLI accepts, `2^53 - 1`: seeds are written to JSON as numbers, and
/// readers that parse numbers as doubles (JavaScript, many others) round larger ones.
pub(crate) const MAX_JSON_SEED: u64 = (1 << 53) - 1;

#[derive(Parser)]
#[command(
    name = "rp",
    version,
    about = "Data-driven mechanism design from multi-agent revealed preferences"
)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Test observations for social optimality (THEORY §3) and measure the Pareto gaps (§4).
    Test(commands::test::TestArgs),
    /// Nash equilibria of a finite game in Gambit .nfg format, each with its regret.
    Nash(commands::nash::NashArgs),
    /// The equilibrium of a reference game: spectrum, river or krawczyk-uryasev.
    Equilibrium(commands::equilibrium::EquilibriumArgs),
    /// Design a mechanism from observed equilibria (Algorithm 1): SPSA on the Pareto gap.
    Design(commands::design::DesignArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Test(args) => commands::test::run(&args),
        Command::Nash(args) => commands::nash::run(&args),
        Command::Equilibrium(args) => commands::equilibrium::run(&args),
        Command::Design(args) => commands::design::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rp: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

/// Logs go to stderr so stdout stays clean for `--json`; warnings are shown by default.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

/// Keeps the binary's errors typed for `CliError::exit_code`.
pub(crate) type CliResult = Result<(), CliError>;
