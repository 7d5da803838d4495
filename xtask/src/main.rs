//! Project automation for rp.
//!
//! - `cargo xtask reproduce-figures [--quick] [--out DIR]`: the figures of the study (issue 6),
//!   each an SVG with its CSV, and `DIR/README.md` indexing them ([`figures`]).
//! - `cargo xtask bench`: one table of the project's headline operations with their floors
//!   ([`bench`](mod@bench)).
//!
//! What it is not: a library. The experiments call the library crates' public APIs only; long
//! runs live here, not in `cargo test` (only xtask's own helpers are unit tested).

mod bench;
mod data;
mod error;
mod figures;
mod plot;
mod stats;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// rp's project automation.
#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every figure (SVG + CSV) and the index README.md.
    ReproduceFigures {
        /// Fewer seeds, iterations and sizes (same code paths): under 5 minutes on 2 cores.
        #[arg(long)]
        quick: bool,
        /// Output folder (replaced atomically when every figure is done).
        #[arg(long, default_value = "figures")]
        out: PathBuf,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Also write a PNG preview of every SVG (same drawing, bitmap backend).
        #[arg(long)]
        png: bool,
    },
    /// Time the headline operations; print one table and write it as CSV.
    Bench {
        /// Where the CSV goes.
        #[arg(long, default_value = "target/xtask-bench.csv")]
        csv: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::ReproduceFigures {
            quick,
            out,
            threads,
            png,
        } => with_threads(threads, || {
            let plan = if quick {
                figures::Plan::quick()
            } else {
                figures::Plan::full()
            };
            figures::reproduce(plan, &out, png)
        }),
        Command::Bench { csv } => bench::run(&csv),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            match e {
                error::XtaskError::Input(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Runs `f` in a rayon pool of `threads` workers (`None`: one per core).
fn with_threads(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<(), error::XtaskError> + Send,
) -> Result<(), error::XtaskError> {
    if threads == Some(0) {
        return Err(error::XtaskError::Input(
            "--threads must be at least 1".into(),
        ));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| error::XtaskError::Experiment(format!("thread pool: {e}")))?;
    pool.install(f)
}
