//! Why a command failed: one type for every command, told once and in one style by `run`
//! (`error: …`, then its detail lines indented), so a command never prints its own failure.

use std::fmt;
use std::io;
use std::path::Path;

/// A command's failure. Every variant exits 1.
#[derive(Debug)]
pub enum CliError {
    /// The command line itself, as clap words it (its text is printed as is).
    Usage(String),
    /// The spec is invalid: its diagnostics were written as the command's report, with their
    /// lines; this is the verdict that ends it (`deploy.yaml: invalid (2 errors, 0 warnings)`).
    InvalidSpec { file: String, summary: String },
    /// The spec has warnings and `--deny-warnings` was given.
    DeniedWarnings { file: String, warnings: String },
    /// The spec file (or a saved plan, a pattern file) cannot be read.
    Read(String),
    /// Flags that do not make sense together or with the spec, every problem at once.
    Flags(Vec<String>),
    /// Something the command was given to read (events, records, archives) is unusable.
    Input(String),
    /// A pattern given on the command line is invalid.
    Pattern(String),
    /// Connecting to AWS, or a call to it, failed.
    Live(String),
    /// A saved plan that cannot be applied or shown.
    SavedPlan(String),
    /// trailctl will not do what was asked; nothing was changed. The details say why.
    Refused {
        message: String,
        details: Vec<String>,
    },
    /// `apply` did not finish as planned (stale, failed, unverified, not converged): what
    /// happened, then what the account is known to be.
    Apply {
        messages: Vec<String>,
        details: Vec<String>,
    },
    /// A result could not be written (standard output, a plan file, stderr).
    Write(String, io::Error),
}

impl CliError {
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError::Refused {
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn write_to(path: &Path, e: io::Error) -> CliError {
        CliError::Write(path.display().to_string(), e)
    }

    /// The failure's lines: the first is the message, each later one a detail.
    pub fn lines(&self) -> Vec<String> {
        match self {
            CliError::Usage(text) => text.lines().map(str::to_owned).collect(),
            CliError::InvalidSpec { file, summary } => vec![format!("{file}: invalid ({summary})")],
            CliError::DeniedWarnings { file, warnings } => {
                vec![format!("{file}: refused ({warnings} and --deny-warnings)")]
            }
            CliError::Flags(problems) => problems.clone(),
            CliError::Read(m)
            | CliError::Input(m)
            | CliError::Pattern(m)
            | CliError::Live(m)
            | CliError::SavedPlan(m) => vec![m.clone()],
            CliError::Refused { message, details } => {
                let mut lines = vec![message.clone()];
                lines.extend(details.iter().map(|d| format!("  {d}")));
                lines
            }
            CliError::Apply { messages, details } => {
                let mut lines = messages.clone();
                lines.extend(details.iter().map(|d| format!("  {d}")));
                lines
            }
            CliError::Write(what, e) => vec![format!("cannot write {what}: {e}")],
        }
    }

    /// Whether the line at `i` of [`CliError::lines`] is a message (`error: …`), not a detail.
    pub fn is_message(&self, i: usize) -> bool {
        match self {
            CliError::Usage(_) => false,
            CliError::Flags(_) => true,
            CliError::Apply { messages, .. } => i < messages.len(),
            _ => i == 0,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for CliError {}

/// A failed write to standard output or standard error.
impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        CliError::Write("to standard output".to_owned(), e)
    }
}

/// What a command returns.
pub type CliResult = Result<crate::exit::Exit, CliError>;
