//! Reading and writing observation data: a JSON file or a pair of CSV files (THEORY §1).
//!
//! JSON: `{"agents": [{"name": .., "actions": n}], "observations": [{"probe": [..],
//! "strategy": [..]}]}`; `agents` may be left out (one agent owning the whole profile). CSV: a
//! probes file and a strategies file, `K` rows of `N` numbers each, row `k` of both being
//! observation `k`, each with an optional header row; agent blocks are given separately
//! (default: one agent).
//!
//! Every error names the file, the line (1-based, as an editor shows it) and the column or field,
//! and a validation error ([`DataError`], which names observation, agent and action) is wrapped
//! with the place in the file where the offending value sits. Nothing here panics on bad input.
//!
//! What it is not: a general CSV or JSON toolkit; it reads exactly these two layouts.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::{Agent, DataError, ObservationSet};

/// A place in a file: 1-based line and column, and the field (a JSON path or a CSV column name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (a character for JSON, a field for CSV), when known.
    pub column: Option<usize>,
    /// The field: `observations[3].probe[2]` (JSON) or a CSV header name / `column 3`.
    pub field: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}, field {}", self.field),
            (Some(l), None) => write!(f, "line {l}, field {}", self.field),
            _ => write!(f, "field {}", self.field),
        }
    }
}

/// Why a data file could not be read. Every variant names the file.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read the file: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is empty (or only whitespace).
    #[error("{file}: the file is empty")]
    Empty {
        /// The file.
        file: String,
    },
    /// Malformed JSON, or JSON of the wrong shape.
    #[error("{file}: line {line}, column {column}: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Malformed CSV (e.g. invalid UTF-8 or quoting).
    #[error("{file}: line {line}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A CSV cell that is not a finite number.
    #[error("{file}: {location}: {problem}: \"{text}\"")]
    Cell {
        /// The file.
        file: String,
        /// Where the cell is.
        location: Location,
        /// The cell's text.
        text: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A CSV row with a different number of fields than the first row.
    #[error("{file}: line {line}: row has {got} fields, expected {expected} like the first row")]
    Ragged {
        /// The file.
        file: String,
        /// 1-based line of the row.
        line: usize,
        /// Fields found.
        got: usize,
        /// Fields expected.
        expected: usize,
    },
    /// The two CSV files disagree on the number of observations or of columns.
    #[error(
        "{probes} has {probe_count} {what} but {strategies} has {strategy_count}; probes and strategies must match"
    )]
    Mismatch {
        /// The probes file.
        probes: String,
        /// The strategies file.
        strategies: String,
        /// `"data rows"` or `"columns"`.
        what: &'static str,
        /// Count in the probes file.
        probe_count: usize,
        /// Count in the strategies file.
        strategy_count: usize,
    },
    /// Agent blocks that do not partition the columns.
    #[error("{file}: blocks {blocks:?} {problem} (the rows have N = {n} columns)")]
    Blocks {
        /// The file whose columns the blocks split.
        file: String,
        /// The blocks given.
        blocks: Vec<usize>,
        /// What is wrong.
        problem: &'static str,
        /// Number of columns.
        n: usize,
    },
    /// The data were read but are not valid observations.
    #[error("{file}: {location}: {source}")]
    Data {
        /// The file holding the offending value.
        file: String,
        /// Where it is.
        location: Location,
        /// What is wrong, by observation, agent and action (0-based); boxed to keep results small.
        source: Box<DataError>,
    },
}

/// The JSON layout.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agents: Option<Vec<Agent>>,
    observations: Vec<JsonObservation>,
}

/// One observation in the JSON layout.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonObservation {
    probe: Vec<f64>,
    strategy: Vec<f64>,
}

/// Reads a JSON data file.
pub fn read_json(path: &Path) -> Result<ObservationSet, ReadError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    parse_json(&text, &file)
}

/// Parses JSON data; `source` names the file in messages.
pub fn parse_json(text: &str, source: &str) -> Result<ObservationSet, ReadError> {
    let file = source.to_string();
    // A UTF-8 byte-order mark (some editors write one) is not JSON; skip it like the CSV reader.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ReadError::Empty { file });
    }
    let data: JsonData = serde_json::from_str(text).map_err(|e| ReadError::Json {
        file: file.clone(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let agents = match data.agents {
        Some(agents) => agents,
        None => {
            let n = data
                .observations
                .first()
                .map_or(1, |o| o.probe.len().max(1));
            vec![Agent::new("agent", n)]
        }
    };
    let (probes, strategies) = data
        .observations
        .into_iter()
        .map(|o| (o.probe, o.strategy))
        .unzip();
    ObservationSet::new(agents.clone(), probes, strategies).map_err(|source| {
        let path = json_path(&source, &agents);
        let (line, column) =
            json_locate(text, &path).map_or((None, None), |(l, c)| (Some(l), Some(c)));
        ReadError::Data {
            file,
            location: Location {
                line,
                column,
                field: render_path(&path),
            },
            source: Box::new(source),
        }
    })
}

/// serde_json appends " at line L column C"; we report the position in our own fields.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// One step of a JSON path.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(&'static str),
    Index(usize),
}

/// The JSON path of the value a validation error is about.
fn json_path(e: &DataError, agents: &[Agent]) -> Vec<Seg> {
    use Seg::{Index, Key};
    let entry = |obs: usize, what: &'static str, agent: usize, action: usize| {
        let offset: usize = agents[..agent.min(agents.len())]
            .iter()
            .map(|a| a.actions)
            .sum();
        vec![
            Key("observations"),
            Index(obs),
            Key(what),
            Index(offset + action),
        ]
    };
    match e {
        DataError::NoAgents => vec![Key("agents")],
        DataError::EmptyAgent { agent, .. } => vec![Key("agents"), Index(*agent)],
        DataError::DuplicateAgent { second, .. } => vec![Key("agents"), Index(*second)],
        DataError::BadProbe {
            obs, agent, action, ..
        } => entry(*obs, "probe", *agent, *action),
        DataError::BadStrategy {
            obs, agent, action, ..
        } => entry(*obs, "strategy", *agent, *action),
        DataError::Length { obs, what, .. } => vec![Key("observations"), Index(*obs), Key(what)],
        DataError::ZeroExpenditure { obs } => {
            vec![Key("observations"), Index(*obs), Key("strategy")]
        }
        DataError::OutOfRange { obs, .. } => vec![Key("observations"), Index(*obs)],
        DataError::NoObservations | DataError::CountMismatch { .. } | DataError::TooFew { .. } => {
            vec![Key("observations")]
        }
    }
}

/// `observations[3].probe[2]`.
fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// 1-based line and column of the value at `path` in (valid) JSON `text`; `None` if absent.
fn json_locate(text: &str, path: &[Seg]) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, 0);
    for seg in path {
        at = match seg {
            Seg::Key(key) => find_member(bytes, at, key)?,
            Seg::Index(i) => find_element(bytes, at, *i)?,
        };
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

fn skip_ws(b: &[u8], mut at: usize) -> usize {
    while at < b.len() && b[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// Position just after the string starting at `at` (which is a `"`).
fn skip_string(b: &[u8], mut at: usize) -> Option<usize> {
    at += 1;
    while at < b.len() {
        match b[at] {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// Position just after the value starting at `at`.
fn skip_value(b: &[u8], at: usize) -> Option<usize> {
    match *b.get(at)? {
        b'"' => skip_string(b, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = at;
            while i < b.len() && !matches!(b[i], b',' | b']' | b'}') && !b[i].is_ascii_whitespace()
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Position of the value of member `key` of the object at `at`.
fn find_member(b: &[u8], at: usize, key: &str) -> Option<usize> {
    if *b.get(at)? != b'{' {
        return None;
    }
    let mut i = skip_ws(b, at + 1);
    while *b.get(i)? == b'"' {
        let end = skip_string(b, i)?;
        let name = &b[i + 1..end - 1];
        i = skip_ws(b, end);
        if *b.get(i)? != b':' {
            return None;
        }
        i = skip_ws(b, i + 1);
        if name == key.as_bytes() {
            return Some(i);
        }
        i = skip_ws(b, skip_value(b, i)?);
        if *b.get(i)? == b',' {
            i = skip_ws(b, i + 1);
        }
    }
    None
}

/// Position of element `index` of the array at `at`.
fn find_element(b: &[u8], at: usize, index: usize) -> Option<usize> {
    if *b.get(at)? != b'[' {
        return None;
    }
    let mut i = skip_ws(b, at + 1);
    for _ in 0..index {
        if *b.get(i)? == b']' {
            return None;
        }
        i = skip_ws(b, skip_value(b, i)?);
        if *b.get(i)? != b',' {
            return None;
        }
        i = skip_ws(b, i + 1);
    }
    (*b.get(i)? != b']').then_some(i)
}

/// The data as JSON in the layout [`parse_json`] reads (agents always written), pretty-printed.
/// Numbers are written in shortest round-trip form, so reading gives back equal data.
pub fn write_json(obs: &ObservationSet) -> String {
    let data = JsonData {
        agents: Some(obs.agents().to_vec()),
        observations: (0..obs.len())
            .map(|k| JsonObservation {
                probe: obs.probe(k).to_vec(),
                strategy: obs.strategy(k).to_vec(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&data)
        .expect("invariant: validated data are finite numbers and plain strings")
}

/// The data as a CSV pair `(probes, strategies)` with a header row `agent.action`, the layout
/// [`read_csv_pair`] reads (pass the agents' action counts as blocks).
pub fn write_csv_pair(obs: &ObservationSet) -> (String, String) {
    let header: Vec<String> = obs
        .agents()
        .iter()
        .flat_map(|a| (0..a.actions).map(move |i| format!("{}.{i}", a.name)))
        .collect();
    let table = |rows: &[f64]| {
        let mut out = header.join(",") + "\n";
        for row in rows.chunks(obs.dim()) {
            let cells: Vec<String> = row.iter().map(|x| x.to_string()).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    };
    (table(obs.probes_flat()), table(obs.strategies_flat()))
}

/// Reads a CSV pair: `probes` and `strategies`, `K` rows of `N` numbers each (each file may start
/// with a header row), split into agents by `blocks` (action counts summing to `N`; `None`: one
/// agent). Agents are named `agent0`, `agent1`, ... (`agent` when there is one).
pub fn read_csv_pair(
    probes: &Path,
    strategies: &Path,
    blocks: Option<&[usize]>,
) -> Result<ObservationSet, ReadError> {
    let probe_file = probes.display().to_string();
    let strategy_file = strategies.display().to_string();
    let probe_text = read_text(probes)?;
    let strategy_text = read_text(strategies)?;
    parse_csv_pair(
        (&probe_text, &probe_file),
        (&strategy_text, &strategy_file),
        blocks,
    )
}

/// [`read_csv_pair`] on texts already in memory: each argument is `(text, file name)`.
pub fn parse_csv_pair(
    probes: (&str, &str),
    strategies: (&str, &str),
    blocks: Option<&[usize]>,
) -> Result<ObservationSet, ReadError> {
    let p = CsvTable::parse(probes.0, probes.1)?;
    let s = CsvTable::parse(strategies.0, strategies.1)?;
    let mismatch = |what, probe_count, strategy_count| ReadError::Mismatch {
        probes: p.file.clone(),
        strategies: s.file.clone(),
        what,
        probe_count,
        strategy_count,
    };
    if p.rows.len() != s.rows.len() {
        return Err(mismatch("data rows", p.rows.len(), s.rows.len()));
    }
    if p.width != s.width {
        return Err(mismatch("columns", p.width, s.width));
    }
    let agents = agents_from_blocks(blocks, p.width, &p.file)?;
    let flat = |t: &CsvTable| t.rows.iter().flatten().copied().collect();
    ObservationSet::from_flat(agents.clone(), flat(&p), flat(&s))
        .map_err(|source| csv_data_error(source, &agents, &p, &s))
}

/// Agents for the given blocks, checked against `n` columns.
fn agents_from_blocks(
    blocks: Option<&[usize]>,
    n: usize,
    file: &str,
) -> Result<Vec<Agent>, ReadError> {
    let Some(blocks) = blocks else {
        return Ok(vec![Agent::new("agent", n)]);
    };
    let problem = if blocks.is_empty() {
        Some("are empty")
    } else if blocks.contains(&0) {
        Some("contain a zero (every agent needs at least one action)")
    } else if blocks.iter().sum::<usize>() != n {
        Some("do not sum to the number of columns")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(ReadError::Blocks {
            file: file.to_string(),
            blocks: blocks.to_vec(),
            problem,
            n,
        });
    }
    Ok(blocks
        .iter()
        .enumerate()
        .map(|(i, &a)| Agent::new(format!("agent{i}"), a))
        .collect())
}

/// Wraps a validation error with the file, line and column of the offending cell.
fn csv_data_error(source: DataError, agents: &[Agent], p: &CsvTable, s: &CsvTable) -> ReadError {
    let offset = |agent: usize| -> usize {
        agents[..agent.min(agents.len())]
            .iter()
            .map(|a| a.actions)
            .sum()
    };
    let (table, obs, column) = match &source {
        DataError::BadProbe {
            obs, agent, action, ..
        } => (p, Some(*obs), Some(offset(*agent) + action)),
        DataError::BadStrategy {
            obs, agent, action, ..
        } => (s, Some(*obs), Some(offset(*agent) + action)),
        DataError::ZeroExpenditure { obs } => (s, Some(*obs), None),
        // The range of a probe row, or its product with the strategy row: the probes' line.
        DataError::OutOfRange { obs, .. } => (p, Some(*obs), None),
        _ => (p, None, None),
    };
    let line = obs.and_then(|o| table.lines.get(o).copied());
    let field = match column {
        Some(c) => table.field_name(c),
        None => "(whole row)".to_string(),
    };
    ReadError::Data {
        file: table.file.clone(),
        location: Location {
            line,
            column: column.map(|c| c + 1),
            field,
        },
        source: Box::new(source),
    }
}

/// One CSV file of numbers: its data rows, their lines, and the header if there was one.
struct CsvTable {
    file: String,
    header: Option<Vec<String>>,
    rows: Vec<Vec<f64>>,
    lines: Vec<usize>,
    width: usize,
}

impl CsvTable {
    /// Parses `text`. The first row is a header when none of its cells is a number (a row
    /// mixing numbers and text is taken as data, so a typo in the first data row is reported
    /// rather than silently dropped as a header).
    fn parse(text: &str, file: &str) -> Result<Self, ReadError> {
        let file = file.to_string();
        if text.trim().is_empty() {
            return Err(ReadError::Empty { file });
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut table = Self {
            file,
            header: None,
            rows: Vec::new(),
            lines: Vec::new(),
            width: 0,
        };
        for (i, record) in reader.records().enumerate() {
            // Lines from byte offsets: csv's own line counter is off with CRLF endings and
            // blank lines (found by a tester).
            // A record's position may point at the line break ending the previous record (the
            // `\n` of a CRLF), so line breaks at the position are skipped first.
            let line_at = |byte: u64| {
                let bytes = text.as_bytes();
                let mut end = (byte as usize).min(bytes.len());
                while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
                    end += 1;
                }
                bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
            };
            let record = record.map_err(|e| ReadError::Csv {
                file: table.file.clone(),
                line: e.position().map_or(0, |p| line_at(p.byte())),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(i + 1, |p| line_at(p.byte()));
            let cells: Vec<&str> = record.iter().collect();
            if i == 0 {
                table.width = cells.len();
                if cells.iter().all(|c| c.parse::<f64>().is_err()) {
                    table.header = Some(cells.iter().map(|c| c.to_string()).collect());
                    continue;
                }
            }
            table.push_row(&cells, line)?;
        }
        if table.rows.is_empty() {
            if table.header.is_some() {
                return Err(ReadError::Csv {
                    file: table.file,
                    line: 1,
                    message: "no data rows: the only row has no number in it, so it was read as a header (check the delimiter is a comma and quotes are closed)".to_string(),
                });
            }
            return Err(ReadError::Empty { file: table.file });
        }
        Ok(table)
    }

    fn push_row(&mut self, cells: &[&str], line: usize) -> Result<(), ReadError> {
        if cells.len() != self.width {
            return Err(ReadError::Ragged {
                file: self.file.clone(),
                line,
                got: cells.len(),
                expected: self.width,
            });
        }
        let mut row = Vec::with_capacity(cells.len());
        for (c, text) in cells.iter().enumerate() {
            let problem = match text.parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    row.push(x);
                    continue;
                }
                Ok(_) => "not a finite number",
                Err(_) if text.is_empty() => "empty cell",
                Err(_) => "not a number",
            };
            return Err(ReadError::Cell {
                file: self.file.clone(),
                location: Location {
                    line: Some(line),
                    column: Some(c + 1),
                    field: self.field_name(c),
                },
                text: text.to_string(),
                problem,
            });
        }
        self.rows.push(row);
        self.lines.push(line);
        Ok(())
    }

    /// The header name of 0-based column `c`, or `column c+1`.
    fn field_name(&self, c: usize) -> String {
        match self.header.as_ref().and_then(|h| h.get(c)) {
            Some(name) => format!("\"{name}\""),
            None => format!("column {}", c + 1),
        }
    }
}

fn read_text(path: &Path) -> Result<String, ReadError> {
    std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        file: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_json_values() {
        let text = "{\n  \"a\": [1, {\"b\": \"x]\"}],\n  \"observations\": [\n    {\"probe\": [1, -2]}\n  ]\n}";
        let path = [
            Seg::Key("observations"),
            Seg::Index(0),
            Seg::Key("probe"),
            Seg::Index(1),
        ];
        // Line 4 is `    {"probe": [1, -2]}`: 4 spaces, `{` at 5, `"probe"` at 6-12, `:` at 13,
        // `[` at 15, `1` at 16, `,` at 17, so `-2` starts at character 19.
        assert_eq!(json_locate(text, &path), Some((4, 19)));
        assert_eq!(render_path(&path), "observations[0].probe[1]");
        assert_eq!(json_locate(text, &[Seg::Key("missing")]), None);
    }

    /// CRLF endings and blank lines do not shift the reported line (a tester's cases: the bad
    /// cell on line 3 was reported on line 2, on line 6 as line 3).
    #[test]
    fn csv_lines_count_crlf_and_blank_lines() {
        for (text, line) in [("a,b\r\n1,2\r\n3,x\r\n", 3), ("1,2\n\n\n3,4\n\n5,x\n", 6)] {
            match CsvTable::parse(text, "f.csv") {
                Err(ReadError::Cell { location, .. }) => {
                    assert_eq!(location.line, Some(line), "{text:?}")
                }
                other => panic!("{text:?}: expected a cell error, got {:?}", other.err()),
            }
        }
        match CsvTable::parse("1,2\r\n3,4\r\n5\r\n", "f.csv") {
            Err(ReadError::Ragged { line, .. }) => assert_eq!(line, 3),
            other => panic!("expected a ragged row, got {:?}", other.err()),
        }
    }
}
