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
