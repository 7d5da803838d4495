//! Runs the finite-sample study of issue 5 ([`rp_design::study`]) and prints one JSON line per
//! run on stderr, then the Markdown table of the final true gaps on stdout.
//!
//! `cargo run --release -p rp-design --example finite_samples -- [SEEDS] [T] [FIRST] [sampled] [common]`
//! (default: 4 design seeds from FIRST = 0, T = 300, the designer's default; `sampled` skips
//! the exact reference, `common` couples the two sides' samples). With
//! `signal [S ...]` it prints the steering signal instead (each loss at `phi_0` and at `phi*`,
//! K = 30, 8 draws).

use rp_design::study::{
    FiniteSampleStudy, aggregate, finite_samples_with, markdown_table, steering_signal,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("signal") {
        let mut study = FiniteSampleStudy::river(vec![0], 1);
        let sizes: Vec<usize> = std::env::args()
            .skip(2)
            .filter_map(|a| a.parse().ok())
            .collect();
        if !sizes.is_empty() {
            study.samples = sizes;
        }
        println!(
            "| method | S | loss at phi_0 | loss at phi* | sd over draws at phi_0 | mean e_k at \
             phi_0 | at phi* |\n|---|---|---|---|---|---|---|"
        );
        for s in steering_signal(&study, 30, 8)? {
            let samples = s.samples.map_or_else(|| "-".to_string(), |s| s.to_string());
            println!(
                "| {} | {samples} | {:.3e} | {:.3e} | {:.1e} | {:.4} | {:.4} |",
                s.method,
                s.at_start,
                s.at_optimum,
                s.spread_at_start,
                s.expenditure_at_start,
                s.expenditure_at_optimum
            );
        }
        return Ok(());
    }
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(4);
    let iterations: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(300);
    let first: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(0);
    let mut study = FiniteSampleStudy::river((first..first + seeds).collect(), iterations);
    for flag in args {
        match flag.as_str() {
            "sampled" => study.include_exact = false,
            "common" => study.coupling = rp_design::SampleCoupling::Common,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let rows = finite_samples_with(&study, &mut |row| {
        if let Ok(line) = serde_json::to_string(row) {
            eprintln!("{line}");
        }
    })?;
    print!("{}", markdown_table(&aggregate(&rows)));
    Ok(())
}
