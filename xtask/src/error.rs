//! The one error type of the xtask commands: what failed, with the library error inside.

use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug)]
pub enum XtaskError {
    /// A file-system operation failed.
    Io {
        /// What was attempted, on which path.
        action: String,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A figure could not be drawn.
    Plot(String),
    /// A CSV could not be written.
    Csv(String),
    /// An experiment failed (a library error, with the experiment's context).
    Experiment(String),
    /// Bad command-line input.
    Input(String),
}

impl std::fmt::Display for XtaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XtaskError::Io {
                action,
                path,
                source,
            } => write!(f, "{action} {}: {source}", path.display()),
            XtaskError::Plot(m) => write!(f, "plotting: {m}"),
            XtaskError::Csv(m) => write!(f, "writing CSV: {m}"),
            XtaskError::Experiment(m) => write!(f, "experiment failed: {m}"),
            XtaskError::Input(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for XtaskError {}

impl XtaskError {
    /// An I/O error with its action and path.
    pub fn io(action: &str, path: &std::path::Path, source: std::io::Error) -> Self {
        XtaskError::Io {
            action: action.to_string(),
            path: path.to_path_buf(),
            source,
        }
    }

    /// A library error inside experiment `context`.
    pub fn experiment(context: &str, e: impl std::fmt::Display) -> Self {
        XtaskError::Experiment(format!("{context}: {e}"))
    }
}
