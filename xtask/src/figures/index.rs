//! `README.md` of the figures folder: for every figure what it shows, its caption's claim and
//! whether the numbers bear it out, the headline numbers, and how it was made (command, mode,
//! seeds).

use super::{Figure, Plan, seeds};

/// The seeds and sizes of `plan`, as index text.
fn provenance(plan: &Plan) -> Vec<String> {
    let list = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
    vec![
        format!(
            "Figures 1–3: rp-design's `Designer` with its documented defaults, environment seed 0 (rp-design's sizes: \
             spectrum 4 users x 2 channels, river 4 firms x 3 levels), design seeds {}; corrective runs capped at T = {} \
             iterations (they stop once `achieved` is confirmed), prices runs T = {}; adaptive probing K = 30 up to {}; \
             ground truth every {} iterations.",
            list(&plan.design_seeds),
            plan.corrective_iterations,
            plan.prices_iterations,
            plan.max_games,
            plan.assess_every
        ),
        format!(
            "Figure 4: root seed {:#x}, {} random mechanisms per (environment, class), K = {} games.",
            seeds::METRICS,
            plan.metric_mechanisms,
            plan.games
        ),
        format!(
            "Figure 5: root seed {:#x}, strengths sigma = {:?}, {} data sets per point, K = {} games.",
            seeds::POWER,
            plan.strengths,
            plan.power_replicates,
            plan.games
        ),
        format!(
            "Figure 6, left: root seed {:#x}, S = {:?}, {} replicates each, K = {} games, delta = 0.1. Right: \
             `rp_design::study::FiniteSampleStudy::river` (river, corrective, env seed 0, S = 200, 1000, 5000, delta = 0.05), \
             design seeds {}, T = {} iterations per run{}.",
            seeds::SAMPLES,
            plan.sample_sizes,
            plan.sample_replicates,
            plan.games,
            list(&plan.study_seeds),
            plan.study_iterations,
            if plan.study_iterations < 300 {
                " (fewer than the designer's default 300, and A = T/10 follows T: a smoke run of the same code, not the study's result)"
            } else {
                ""
            }
        ),
        format!(
            "Figure 7: data seed {:#x} + K, Separable gap at K = {:?}, GARP + CCEI at K = {:?}, median of {} runs (floor: of {}).",
            seeds::COST,
            plan.lp_sizes,
            plan.garp_sizes,
            plan.repetitions,
            plan.repetitions * 5
        ),
    ]
}

/// The whole index.
pub fn render(plan: &Plan, figures: &[Figure], seconds: f64, threads: usize) -> String {
    let mode = if plan.quick {
        "quick (`--quick`: fewer seeds, iterations and sizes; same code paths)"
    } else {
        "full"
    };
    let mut s = String::new();
    s.push_str("# Figures\n\n");
    s.push_str(&format!(
        "Made by `{}` in mode **{mode}**, {threads} worker threads, in {seconds:.0} s. Every CSV except figure 7's \
         (timings) is the same for the same command whatever the thread count. Each figure is `NAME.svg` with the \
         data behind it in `NAME.csv`.\n\n",
        plan.command()
    ));
    s.push_str("| figure | claim holds | complete |\n|---|---|---|\n");
    for f in figures {
        s.push_str(&format!(
            "| [{}]({}.svg) ([csv]({}.csv)) {} | {} | {} |\n",
            f.name,
            f.name,
            f.name,
            f.title,
            if f.holds { "yes" } else { "**no** (see below)" },
            if f.missing.is_empty() {
                "yes"
            } else {
                "**no: a part is missing** (see below)"
            }
        ));
    }
    s.push_str("\n## How they were made\n\n");
    s.push_str(&format!("Command: `{}`.\n\n", plan.command()));
    for line in provenance(plan) {
        s.push_str(&format!("- {line}\n"));
    }
    for f in figures {
        s.push_str(&format!(
            "\n## {}: {}\n\n![{}]({}.svg)\n\n",
            f.name, f.title, f.name, f.name
        ));
        s.push_str(&format!("**Shows.** {}\n\n", f.shows));
        s.push_str(&format!(
            "**Claim.** {} — **{}**.\n\n",
            f.claim,
            if f.holds {
                "holds on these numbers"
            } else {
                "does NOT hold on these numbers"
            }
        ));
        s.push_str("**Measured.**\n\n");
        for h in &f.headline {
            s.push_str(&format!("- {h}\n"));
        }
        for m in &f.missing {
            s.push_str(&format!("\n**Missing.** {m}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(holds: bool) -> Figure {
        Figure {
            name: "fig9_test",
            title: "A test figure".into(),
            shows: "x against y".into(),
            claim: "y grows".into(),
            holds,
            headline: vec!["slope 2.00".into()],
            missing: if holds {
                Vec::new()
            } else {
                vec!["panel 2: not run".into()]
            },
        }
    }

    #[test]
    fn index_names_mode_command_seeds_and_verdicts() {
        let text = render(&Plan::quick(), &[figure(true), figure(false)], 12.4, 2);
        assert!(text.contains("`cargo xtask reproduce-figures --quick`"));
        assert!(text.contains("mode **quick"));
        assert!(text.contains("2 worker threads, in 12 s"));
        assert!(text.contains("design seeds 0, 1"));
        assert!(text.contains(&format!("{:#x}", seeds::POWER)));
        assert!(text.contains("[fig9_test](fig9_test.svg)"));
        assert!(text.contains("| yes |") && text.contains("**no** (see below)"));
        assert!(text.contains("- slope 2.00"));
        assert!(text.contains("does NOT hold"));
        assert!(text.contains("**Missing.** panel 2: not run"));
        assert!(text.contains("**no: a part is missing**"));
    }

    #[test]
    fn full_mode_has_its_command() {
        let text = render(&Plan::full(), &[], 1.0, 1);
        assert!(text.contains("mode **full**"));
        assert!(text.contains("Command: `cargo xtask reproduce-figures`."));
    }
}
