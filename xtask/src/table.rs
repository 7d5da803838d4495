//! A CSV table built row by row: fixed header, cells formatted so that the same numbers give
//! the same bytes (full `f64` round-trip precision, non-finite values as empty cells).

use std::path::Path;

use crate::error::XtaskError;

/// A header and rows of text cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A cell for a number: Rust's shortest round-trip representation; empty when not finite
/// (no NaN ever reaches a CSV).
pub fn num(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// A cell for an optional number (`None`: empty).
pub fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, num)
}

impl Table {
    /// An empty table with `header`.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; its length must match the header's (an invariant of the callers, each of
    /// which builds rows of a fixed shape).
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(
            row.len(),
            self.header.len(),
            "row length matches the header"
        );
        self.rows.push(row);
    }

    /// The CSV text.
    pub fn to_csv(&self) -> Result<String, XtaskError> {
        let err = |e: &dyn std::fmt::Display| XtaskError::Csv(e.to_string());
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).map_err(|e| err(&e))?;
        for r in &self.rows {
            w.write_record(r).map_err(|e| err(&e))?;
        }
        let bytes = w.into_inner().map_err(|e| err(&e))?;
        String::from_utf8(bytes).map_err(|e| err(&e))
    }

    /// Writes the CSV to `path`.
    pub fn write(&self, path: &Path) -> Result<(), XtaskError> {
        std::fs::write(path, self.to_csv()?).map_err(|e| XtaskError::io("writing", path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_and_cells() {
        let mut t = Table::new(&["t", "gap", "ratio"]);
        t.push(vec!["0".into(), num(0.1), opt(None)]);
        t.push(vec!["1".into(), num(f64::NAN), opt(Some(1e-12))]);
        assert_eq!(
            t.to_csv().expect("csv"),
            "t,gap,ratio\n0,0.1,\n1,,0.000000000001\n"
        );
    }
}
