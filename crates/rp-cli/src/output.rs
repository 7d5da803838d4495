//! Writing results to stdout: pretty JSON or human text, never a panic on a closed pipe.

use std::io::Write;

use serde::Serialize;

use crate::error::CliError;

/// Prints `value` as pretty JSON followed by a newline.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(CliError::failed)?;
    print_text(&text)
}

/// Prints `text` followed by a newline; a closed stdout (e.g. `| head`) is not an error.
pub fn print_text(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::failed(e)),
        _ => Ok(()),
    }
}

/// A number for people in scientific notation with `digits` decimals, but `0` when it is
/// exactly zero (a rationalized data set has gap 0, not `0.000000e0`).
pub fn sci(x: f64, digits: usize) -> String {
    if x == 0.0 {
        "0".to_string()
    } else {
        format!("{x:.digits$e}")
    }
}

#[cfg(test)]
mod tests {
    use super::sci;

    #[test]
    fn zero_is_plain_and_the_rest_scientific() {
        assert_eq!(sci(0.0, 6), "0");
        assert_eq!(sci(-0.0, 3), "0");
        assert_eq!(sci(1.0 / 30.0, 6), "3.333333e-2");
        assert_eq!(sci(7.9026e-3, 3), "7.903e-3");
    }
}
