//! The CLI's two kinds of failure and their exit codes.

use thiserror::Error;

/// Why a command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad arguments, unreadable or invalid files or data: exit code 2, nothing computed.
    #[error("{0}")]
    Input(String),
    /// A computation failed on valid input (a solver that did not converge, a certificate the
    /// verifier rejected, an output that could not be written): exit code 1.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// The process exit code of this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => 2,
            CliError::Failed(_) => 1,
        }
    }

    /// An input error from anything displayable.
    pub fn input(err: impl std::fmt::Display) -> Self {
        CliError::Input(err.to_string())
    }

    /// A computation error from anything displayable.
    pub fn failed(err: impl std::fmt::Display) -> Self {
        CliError::Failed(err.to_string())
    }
}
