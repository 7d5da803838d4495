//! The data readers: round trips, and one test per class of malformed input checking that the
//! message names the file, the line and the field.

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence::WithSource;
use rp_lp::{
    Agent, DataError, ObservationSet, ReadError, parse_csv_pair, parse_json, read_csv_pair,
    read_json, write_csv_pair, write_json,
};

/// Random multi-agent data: 1-3 agents with 1-3 actions, 1-6 observations, values spanning
/// many orders of magnitude (so the writers' number formatting is exercised).
fn data() -> impl Strategy<Value = ObservationSet> {
    let magnitude = (0.1f64..10.0, -12i32..12).prop_map(|(m, e)| m * 10f64.powi(e));
    (prop::collection::vec(1..=3usize, 1..=3), 1..=6usize).prop_flat_map(move |(blocks, k)| {
        let n: usize = blocks.iter().sum();
        (
            prop::collection::vec(prop::collection::vec(magnitude.clone(), n), k),
            prop::collection::vec(prop::collection::vec(magnitude.clone(), n), k),
        )
            .prop_map(move |(probes, strategies)| {
                let agents = blocks
                    .iter()
                    .enumerate()
                    .map(|(i, &a)| Agent::new(format!("agent{i}"), a))
                    .collect();
                ObservationSet::new(agents, probes, strategies).unwrap()
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        ..ProptestConfig::with_failure_persistence(WithSource("proptest-regressions"))
    })]

    #[test]
    fn json_round_trip(d in data()) {
        let back = parse_json(&write_json(&d), "mem.json").unwrap();
        prop_assert_eq!(back, d);
    }

    #[test]
    fn csv_round_trip(d in data()) {
        let (p, s) = write_csv_pair(&d);
        let blocks: Vec<usize> = d.agents().iter().map(|a| a.actions).collect();
        let back = parse_csv_pair((&p, "p.csv"), (&s, "s.csv"), Some(&blocks)).unwrap();
        prop_assert_eq!(back, d);
    }
}

fn json_err(text: &str) -> String {
    parse_json(text, "data.json").unwrap_err().to_string()
}

fn assert_names(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} does not name {p:?}");
    }
}

#[test]
fn json_without_agents_is_one_agent() {
    let d = parse_json(
        r#"{"observations": [{"probe": [1, 2], "strategy": [0.5, 0]}]}"#,
        "x.json",
    )
    .unwrap();
    assert_eq!(d.agents(), &[Agent::new("agent", 2)]);
    assert_eq!(d.expenditure(0), 0.5);
}

#[test]
fn json_syntax_and_shape_errors_name_line_and_column() {
    // Missing comma at line 2.
    let msg = json_err("{\"observations\": [\n  {\"probe\": [1] \"strategy\": [1]}]}");
    assert_names(&msg, &["data.json", "line 2"]);
    // A string where a number belongs.
    let msg = json_err("{\"observations\": [\n {\"probe\": [\"x\"], \"strategy\": [1]}]}");
    assert_names(&msg, &["data.json", "line 2", "column", "invalid type"]);
    // An unknown field, a missing field, a number too large for f64.
    assert_names(
        &json_err(r#"{"observations": [], "extra": 1}"#),
        &["data.json", "line 1", "unknown field `extra`"],
    );
    assert_names(
        &json_err(r#"{"agents": []}"#),
        &["data.json", "line 1", "missing field `observations`"],
    );
    assert_names(
        &json_err(r#"{"observations": [{"probe": [1e400], "strategy": [1]}]}"#),
        &["data.json", "line 1", "out of range"],
    );
    assert_names(&json_err("  \n "), &["data.json", "empty"]);
}

#[test]
fn json_validation_errors_point_at_the_value() {
    let text = r#"{
  "agents": [{"name": "a", "actions": 1}, {"name": "b", "actions": 2}],
  "observations": [
    {"probe": [1, 1, 1], "strategy": [1, 0, 0]},
    {"probe": [1, 1, 1], "strategy": [1, -3, 0]}
  ]
}"#;
    let err = parse_json(text, "data.json").unwrap_err();
    // `-3` is on line 5: `    {"probe": [1, 1, 1], "strategy": [1, -3, 0]}`, at character 42.
    match &err {
        ReadError::Data {
            location, source, ..
        } => {
            assert_eq!((location.line, location.column), (Some(5), Some(42)));
            assert_eq!(location.field, "observations[1].strategy[1]");
            assert!(matches!(
                **source,
                DataError::BadStrategy {
                    obs: 1,
                    agent: 1,
                    action: 0,
                    ..
                }
            ));
        }
        other => panic!("expected a data error, got {other:?}"),
    }
    assert_names(
        &err.to_string(),
        &[
            "data.json",
            "line 5",
            "observations[1].strategy[1]",
            "\"b\"",
        ],
    );
    let short = text.replace("[1, -3, 0]", "[1, 0]");
    assert_names(
        &json_err(&short),
        &[
            "data.json",
            "line 5",
            "observations[1].strategy",
            "2 entries",
        ],
    );
    let zero = text.replace("[1, -3, 0]", "[0, 0, 0]");
    assert_names(
        &json_err(&zero),
        &[
            "data.json",
            "line 5",
            "observations[1].strategy",
            "expenditure",
        ],
    );
    let bad_agent = text.replace("\"actions\": 2", "\"actions\": 0");
    assert_names(&json_err(&bad_agent), &["data.json", "line 2", "agents[1]"]);
}

/// Writes `text` to a fresh file under the test's scratch directory.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rp-lp-io");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn reads_files_and_names_missing_ones() {
    let json = scratch(
        "ok.json",
        r#"{"observations": [{"probe": [1], "strategy": [2]}]}"#,
    );
    assert_eq!(read_json(&json).unwrap().expenditure(0), 2.0);
    let p = scratch("ok_p.csv", "x,y\n1,2\n3,4\n");
    let s = scratch("ok_s.csv", "0.5,0\n0,0.25\n");
    let d = read_csv_pair(&p, &s, Some(&[1, 1])).unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d.expenditure(1), 1.0);
    assert_eq!(d.agents()[1].name, "agent1");
    let missing = scratch("m.json", "").with_file_name("does-not-exist.json");
    assert_names(
        &read_json(&missing).unwrap_err().to_string(),
        &["does-not-exist.json", "cannot read"],
    );
}

fn csv_err(probes: &str, strategies: &str, blocks: Option<&[usize]>) -> String {
    parse_csv_pair((probes, "p.csv"), (strategies, "s.csv"), blocks)
        .unwrap_err()
        .to_string()
}

#[test]
fn csv_cell_errors_name_file_line_and_column() {
    let good = "1,1\n1,1\n";
    // Header row, then a typo in line 3, column 2 ("y").
    assert_names(
        &csv_err("x,y\n1,2\n3,abc\n", good, None),
        &[
            "p.csv",
            "line 3",
            "column 2",
            "\"y\"",
            "not a number",
            "abc",
        ],
    );
    // Without header the field is named by its column.
    assert_names(
        &csv_err(good, "1,NaN\n1,1\n", None),
        &["s.csv", "line 1", "column 2", "not a finite number"],
    );
    assert_names(
        &csv_err(good, "1,1\ninf,1\n", None),
        &["s.csv", "line 2", "column 1", "not a finite number"],
    );
    assert_names(
        &csv_err("1,\n1,1\n", good, None),
        &["p.csv", "line 1", "column 2", "empty cell"],
    );
    // A first row mixing numbers and text is data with a bad cell, not a header.
    assert_names(
        &csv_err("1,2x\n1,1\n", good, None),
        &["p.csv", "line 1", "column 2", "not a number"],
    );
}

#[test]
fn csv_shape_errors() {
    let good = "1,1\n1,1\n";
    assert_names(
        &csv_err("1,1\n1,1,1\n", good, None),
        &["p.csv", "line 2", "3 fields", "expected 2"],
    );
    assert_names(&csv_err("", good, None), &["p.csv", "empty"]);
    assert_names(
        &csv_err("a,b\n", good, None),
        &["p.csv", "line 1", "no data rows", "header"],
    );
    assert_names(
        &csv_err(good, "1,1\n", None),
        &["p.csv", "s.csv", "2 data rows", "1"],
    );
    assert_names(
        &csv_err(good, "1\n1\n", None),
        &["p.csv", "s.csv", "columns"],
    );
    assert_names(
        &csv_err(good, good, Some(&[1, 2])),
        &["p.csv", "[1, 2]", "do not sum", "N = 2"],
    );
    assert_names(&csv_err(good, good, Some(&[2, 0])), &["p.csv", "zero"]);
    assert_names(&csv_err(good, good, Some(&[])), &["p.csv", "empty"]);
}

#[test]
fn csv_validation_errors_point_at_the_cell() {
    // A zero probe entry at line 3 (after the header), column 2; a negative strategy; a row of
    // zeros (zero expenditure) at line 2 of the strategies file.
    assert_names(
        &csv_err("a,b\n1,1\n1,0\n", "1,1\n1,1\n", Some(&[1, 1])),
        &[
            "p.csv",
            "line 3",
            "column 2",
            "\"b\"",
            "agent 1",
            "probe entry 0",
        ],
    );
    assert_names(
        &csv_err("1,1\n1,1\n", "1,-1\n1,1\n", None),
        &["s.csv", "line 1", "column 2", "strategy entry -1"],
    );
    assert_names(
        &csv_err("1,1\n1,1\n", "1,1\n0,0\n", None),
        &["s.csv", "line 2", "observation 1", "expenditure"],
    );
    // A probe row spanning more than 1e100 (no LP can represent it): the probes' line
    // (found by a tester: the message had no line).
    assert_names(
        &csv_err("1,1\n1e-300,1\n", "1,1\n1,1\n", None),
        &["p.csv", "line 2", "observation 1"],
    );
}
