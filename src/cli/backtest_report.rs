//! A backtest's report in the format asked for, from the archive or from Athena alike.

use crate::cli::args::OutputFormat;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session;
use crate::exit::Exit;
use crate::render::backtest::{self as report, BacktestView};

/// The report in the format asked for, and the exit code it calls for.
pub(super) fn finish(
    format: OutputFormat,
    config: &Config,
    io: &mut Io<'_>,
    view: &BacktestView,
) -> CliResult {
    match format {
        OutputFormat::Human => report::human(io.stdout, view, config.stdout_color)?,
        OutputFormat::Markdown => report::markdown(io.stdout, view)?,
        OutputFormat::Json => session::json_line(io, view, true)?,
    }
    if view.problem_count > 0 {
        Err(CliError::Input(format!(
            "{} reading the archive (listed above); everything else was read",
            crate::render::diagnostics::plural(view.problem_count as usize, "problem")
        )))
    } else if view.too_noisy() {
        Ok(Exit::TooNoisy)
    } else {
        Ok(Exit::Success)
    }
}
