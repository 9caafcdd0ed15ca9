//! The process exit codes, defined once.

/// Every exit code trailctl can return. Usage errors exit 1 (not clap's 2), because 2 means
/// "changes present" in `plan --detailed-exitcode`, as in Terraform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked; `validate`: the spec is valid.
    Success,
    /// An error: invalid spec, bad usage, an AWS call that failed.
    Failure,
    /// `plan --detailed-exitcode`: planned, and the account differs from the spec.
    Changes,
    /// `test`: the spec is valid, but at least one alert test failed.
    TestsFailed,
    /// `events match`: no event matched the pattern.
    NoMatch,
    /// `backtest --max-per-day`: an alert would have delivered more than the limit on a day.
    TooNoisy,
    /// `import sigma`: some rules were refused (or approximate without `--approximate`); the
    /// rest were written.
    PartlyImported,
}

impl Exit {
    pub fn as_u8(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Changes => 2,
            Exit::TestsFailed | Exit::NoMatch | Exit::TooNoisy => 3,
            Exit::PartlyImported => 4,
        }
    }
}
