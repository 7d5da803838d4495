//! The `rp` binary end to end: outputs, JSON fields and exit codes (0 ok, 2 bad input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rp"))
        .args(args)
        .output()
        .expect("the rp binary runs")
}

fn gambit(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rp-game/tests/data/gambit");
    dir.join(name).display().to_string()
}

/// A scratch folder unique to this test process and name.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rp-cli-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

fn write(dir: &Path, file: &str, text: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text).expect("temp file is writable");
    path.display().to_string()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn test_reports_a_two_cycle_with_its_gaps() {
    // alpha_0 = (1, 1), beta_0 = (1, 0): e_0 = 1; alpha_1 = (1, 3), beta_1 = (0, 0.5): e_1 = 1.5.
    // alpha_0 . beta_1 = 0.5 < 1 = e_0 (0 P0 1) and alpha_1 . beta_0 = 1 < 1.5 = e_1 (1 P0 0):
    // a strict two-cycle, so GARP fails and both gaps are positive.
    let dir = scratch("cycle");
    let p = write(&dir, "p.csv", "a,b\n1,1\n1,3\n");
    let s = write(&dir, "s.csv", "a,b\n1,0\n0,0.5\n");
    let out = rp(&["test", "--probes", &p, "--strategies", &s, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["consistent"], false);
    assert_eq!(v["verified"], true);
    assert!(v["additive_gap"].as_f64().expect("a number") > 0.0);
    assert!(v["ccei"].as_f64().expect("a number") < 1.0);
    for field in [
        "structure",
        "efficiency_gap",
        "max_money_pump",
        "certificate",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
}

fn example(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    dir.join(name).display().to_string()
}

/// The README's two-agent example (examples/data), blocks (a1, a2 | b1, b2):
/// alpha_0 = (1, 2 | 1, 2), beta_0 = (.1, .3 | .1, .3): e_0 = 1.4, shares .7 | .7;
/// alpha_1 = (2, 1 | 2, 1), beta_1 = (.3, .1 | .3, .1): e_1 = 1.4, shares .7 | .7;
/// alpha_2 = (1.2, 1.2 | 2, 2), beta_2 = (.25, .25 | .1, .1): e_2 = 1, shares .6 | .4.
/// Per-agent spends: alpha_0 . beta_1 = .5 | .5 (total 1, rho_01 = 5/7), alpha_1 . beta_0 =
/// .5 | .5 (rho_10 = 5/7), alpha_k . beta_2 = .75 | .3 for k = 0, 1 (rho = 3/4),
/// alpha_2 . beta_0 = alpha_2 . beta_1 = .48 | .8 (rho = 1.28). Normalized (divide by e_k):
/// d^i_kj = a - s gives d_01 = d_10 = 5/14 - 7/14 = -1/7 for both agents, d^a_02 = d^a_12 =
/// 15/28 - 14/28 = 1/28, d^b_02 = d^b_12 = 3/14 - 7/14 = -2/7, d^a_2j = .48 - .6 = -.12,
/// d^b_2j = .8 - .4 = .4.
/// - Additive gap: agent a's rows around 0 <-> 1 sum to (lambda_0 + lambda_1) / 7 <= 2t, so
///   t >= 1/7 with lambda >= 1; attained by lambda = 1, u^a = (0, 0, 0), u^b = (0, 0, -1/7)
///   (every row <= 1/7: e.g. b's 0 -> 2 is -1/7 + 2/7 = 1/7). L = 1/7 = 0.142857...
/// - Efficiency gap: at e > 5/7 agent a's rows 0 <-> 1 have d = 5/14 - e/2 < 0 on both steps,
///   infeasible; at e = 5/7 they are 0 and d^a_02 = 15/28 - 5/14 = 5/28, d^b_02 = 3/14 - 5/14 =
///   -1/7, d^a_20 = .48 - 3/7 > 0, d^b_20 = .8 - 2/7 > 0, so lambda = 1, u^a = 0,
///   u^b = (0, 0, -1/7) satisfy every row: L_e = 1 - 5/7 = 2/7 = 0.285714..., attained (the
///   joint cycle 0 <-> 1 ties at CCEI = 5/7 on both steps), so the bracket is [2/7, 2/7].
#[test]
fn test_of_the_readme_example_is_verified_with_exact_gaps() {
    let (p, s) = (example("probes.csv"), example("strategies.csv"));
    let args = [
        "test",
        "--probes",
        &p,
        "--strategies",
        &s,
        "--blocks",
        "2,2",
    ];
    let out = rp(&[&args[..], &["--structure", "separable", "--json"]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v = json(&out);
    assert_eq!(v["verified"], true, "{}", v["verification"]);
    assert_eq!(v["consistent"], false);
    let number = |field: &str| v[field].as_f64().expect("a number");
    assert!((number("additive_gap") - 1.0 / 7.0).abs() < 1e-9);
    assert!((number("efficiency_gap") - 2.0 / 7.0).abs() < 1e-9);
    assert!((number("ccei") - 5.0 / 7.0).abs() < 1e-12);
    let bracket = &v["efficiency_gap_bracket"];
    for end in 0..2 {
        let value = bracket[end].as_f64().expect("a number");
        assert!((value - 2.0 / 7.0).abs() < 1e-9, "bracket {bracket}");
    }
    let text = rp(&args);
    assert_eq!(text.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&text.stdout).contains("verified              yes"));
}

#[test]
fn test_bad_input_names_the_place_and_exits_2() {
    let dir = scratch("bad");
    let s = write(&dir, "s.csv", "1,0\n0,1\n");
    let cases = [
        (write(&dir, "nan.csv", "1,2\n2,nan\n"), "line 2"),
        (write(&dir, "neg.csv", "1,2\n2,-1\n"), "observation 1"),
        (write(&dir, "short.csv", "1,2\n2\n"), "line 2"),
    ];
    for (p, needle) in cases {
        let out = rp(&["test", "--probes", &p, "--strategies", &s]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{p}: {err}");
        assert!(err.contains(needle) && err.contains(".csv"), "{p}: {err}");
        assert!(out.stdout.is_empty());
    }
    let missing = rp(&["test", "--data", "/nonexistent/rp.json"]);
    assert_eq!(missing.status.code(), Some(2));
    let one = write(
        &dir,
        "one.json",
        r#"{"observations":[{"probe":[1,1],"strategy":[1,0]}]}"#,
    );
    let out = rp(&["test", "--data", &one]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 2"));
}

#[test]
fn nash_prints_equilibria_with_regret() {
    let out = rp(&["nash", &gambit("2x2.nfg"), "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let eqs = v["equilibria"].as_array().expect("a list");
    assert_eq!(eqs.len(), 1);
    // The unique mixed equilibrium: (1/2, 1/2) for player 1, (1/3, 2/3) for player 2.
    let p2 = eqs[0]["profile"][1][1]
        .as_f64()
        .or_else(|| eqs[0]["profile"]["strategies"][1][1].as_f64());
    assert!((p2.expect("a probability") - 2.0 / 3.0).abs() < 1e-9, "{v}");
    assert!(eqs[0]["regret"].as_f64().expect("a number") <= 1e-9);
}

#[test]
fn nash_bad_file_names_the_line_and_exits_2() {
    let dir = scratch("nfg");
    let bad = write(
        &dir,
        "bad.nfg",
        "NFG 1 R \"x\" { \"a\" \"b\" } { 2 2 }\n\n1 2 3 x 5 6 7 8\n",
    );
    let out = rp(&["nash", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn equilibrium_reproduces_krawczyk_uryasev() {
    let out = rp(&["equilibrium", "--env", "krawczyk-uryasev", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let x: Vec<f64> = v["profile"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect();
    // The exact equilibrium of the formulation (THEORY §5; published rounded: 21.146, 16.027, 2.724).
    for (got, want) in x.iter().zip([21.144796, 16.027853, 2.725963]) {
        assert!((got - want).abs() < 1e-5, "{x:?}");
    }
}

#[test]
fn unknown_environment_exits_2() {
    let out = rp(&["equilibrium", "--env", "ocean"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Runs `prefix ++ args ++ --out out_dir` for each case: exit code 2, `needle` on stderr, nothing
/// on stdout.
fn design_exits_2(prefix: &[&str], cases: &[(&[&str], &str)], out_dir: &str) {
    for (args, needle) in cases {
        let mut all = prefix.to_vec();
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", out_dir]);
        let out = rp(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `rp design --out OUT` exits 2 before any work with a message containing `needle`.
fn out_refused(out: &std::path::Path, needle: &str) {
    let out = rp(&[
        "design",
        "--env",
        "spectrum",
        "--out",
        &out.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(needle), "{err}");
}

#[test]
fn design_bad_arguments_exit_2_before_any_work() {
    let dir = scratch("design-bad");
    let file = write(&dir, "not-a-folder", "x");
    let out_dir = dir.join("never").display().to_string();
    let cases: [(&[&str], &str); 13] = [
        (&["--env", "ocean"], "ocean"),
        (&["--env", "spectrum", "--games", "0"], "set by --games"),
        (
            &["--env", "spectrum", "--games", "100000000"],
            "set by --games",
        ),
        (
            &["--env", "spectrum", "--samples", "2000000"],
            "set by --samples",
        ),
        (
            &["--env", "spectrum", "--samples", "10", "--delta", "-0.5"],
            "set by --delta",
        ),
        (&["--env", "spectrum", "--samples", "-1"], "-1"),
        (&["--env", "spectrum", "--threads", "5000"], "--threads"),
        // Seeds stay exact in every JSON reader.
        (
            &["--env", "spectrum", "--seed", "9007199254740993"],
            "9007199254740993",
        ),
        (&["--env", "spectrum", "--games", "1"], "at least 2 games"),
        (&["--env", "river", "--iterations", "-3"], "-3"),
        (&["--env", "river", "--iterations", "0"], "iterations"),
        (&["--env", "spectrum", "--threads", "0"], "threads"),
        (&["--env", "spectrum", "--mechanism", "tax"], "tax"),
    ];
    design_exits_2(&["design"], &cases, &out_dir);
    let out = rp(&["design", "--env", "spectrum", "--out", &file]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("output folder"), "{err}");
    let below = format!("{file}/below");
    let out = rp(&["design", "--env", "spectrum", "--out", &below]);
    assert_eq!(out.status.code(), Some(2));
    // A folder holding the user's own files is never replaced (found by a tester: it was).
    let precious = dir.join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    write(&precious, "thesis.txt", "x");
    out_refused(&precious, "thesis.txt");
    assert!(precious.join("thesis.txt").exists());
    assert!(!dir.join("never").exists(), "nothing was written");
    // A symbolic link, dangling or not, is refused before any work (found by a tester: a
    // dangling link made the run fail at the end and leave its temporary folder behind).
    #[cfg(unix)]
    {
        let link = dir.join("link");
        std::os::unix::fs::symlink(dir.join("nowhere"), &link).unwrap();
        out_refused(&link, "symbolic link");
        let leftovers = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".link"))
            .count();
        assert_eq!(leftovers, 0);
    }
}

#[test]
fn design_tiny_run_writes_its_folder_and_prints_the_summary() {
    let dir = scratch("design-run");
    let out_dir = dir.join("result");
    let out = rp(&[
        "design",
        "--env",
        "spectrum",
        "--iterations",
        "3",
        "--games",
        "4",
        "--threads",
        "2",
        "--out",
        &out_dir.display().to_string(),
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v = json(&out);
    assert_eq!(v["schema"], "rp-design/summary/2");
    assert_eq!(v["measurement"], "exact");
    assert_eq!(v["iterations"], 3);
    assert!(["achieved", "not_achieved"].contains(&v["verdict"].as_str().expect("a verdict")));
    assert_eq!(v["verified"], true);
    assert_eq!(v["settings"]["probing"]["initial_games"], 4);
    for file in ["summary.json", "trajectory.csv", "gap.svg", "welfare.svg"] {
        let path = out_dir.join(file);
        assert!(path.is_file(), "{file} is written");
    }
    let on_disk: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("summary.json")).expect("readable"),
    )
    .expect("summary.json is JSON");
    assert_eq!(on_disk, v, "--json prints summary.json");
    let csv = std::fs::read_to_string(out_dir.join("trajectory.csv")).expect("readable");
    assert_eq!(
        csv.lines().count(),
        1 + 3,
        "a header and one row per iteration"
    );
    assert!(err.contains("results in"), "{err}");
}

#[test]
fn design_sampling_arguments_exit_2_before_any_work() {
    let dir = scratch("design-sampling-bad");
    let out_dir = dir.join("never").display().to_string();
    let cases: [(&[&str], &str); 7] = [
        (&["--robust"], "--robust needs --samples"),
        (&["--delta", "0.1"], "--delta needs --samples"),
        (&["--robust", "--delta", "0.1"], "needs --samples"),
        (
            &["--samples", "0"],
            "measurement.samples must be at least 1",
        ),
        (&["--samples", "100", "--delta=0"], "measurement.delta"),
        (
            &["--samples", "100", "--robust", "--delta=1"],
            "measurement.delta",
        ),
        (&["--samples", "100", "--delta=-0.5"], "measurement.delta"),
    ];
    design_exits_2(&["design", "--env", "river"], &cases, &out_dir);
    assert!(!dir.join("never").exists(), "nothing was written");
}

#[test]
fn design_tiny_robust_run_reports_samples_radius_and_true_gap() {
    let dir = scratch("design-robust");
    let out_dir = dir.join("result");
    let out = rp(&[
        "design",
        "--env",
        "river",
        "--iterations",
        "2",
        "--games",
        "4",
        "--samples",
        "500",
        "--delta",
        "0.1",
        "--out",
        &out_dir.display().to_string(),
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v = json(&out);
    assert_eq!(v["measurement"], "robust", "--delta implies --robust");
    assert_eq!(
        (v["samples"].as_u64(), v["delta"].as_f64()),
        (Some(500), Some(0.1))
    );
    let radius = v["radius"].as_array().expect("radius per K");
    assert_eq!(radius[0]["games"], 4);
    assert!(radius[0]["l1"].as_f64().is_some_and(|r| r > 0.0));
    assert!(v["true_gap"].as_f64().is_some_and(|g| g >= 0.0));
    assert!(v["robust_certificate"]["value"].as_f64().is_some());
    assert_eq!(v["verified"], true);
    assert!(
        ["achieved", "not_achieved", "inconclusive"]
            .contains(&v["verdict"].as_str().expect("a verdict"))
    );
}
