//! Runs the finite-sample study of issue 5 ([`rp_design::study`]) and prints one JSON line per
//! run on stderr, then the Markdown table of the final true gaps on stdout.
//!
//! `cargo run --release -p rp-design --example finite_samples -- [SEEDS] [T]`
//! (default: design seeds 0..4, T = 300, the designer's default).

use rp_design::study::{FiniteSampleStudy, aggregate, finite_samples_with, markdown_table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(4);
    let iterations: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(300);
    let study = FiniteSampleStudy::river((0..seeds).collect(), iterations);
    let rows = finite_samples_with(&study, &mut |row| {
        if let Ok(line) = serde_json::to_string(row) {
            eprintln!("{line}");
        }
    })?;
    print!("{}", markdown_table(&aggregate(&rows)));
    Ok(())
}
