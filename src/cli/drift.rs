//! `trailctl drift`: read the account and show only what differs from the spec; exit 2 on drift.

use crate::cli::args::{DriftArgs, OutputFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session::{self, Connection, Session, on_account};
use crate::exit::Exit;
use crate::render;
use crate::render::drift::DriftView;
use crate::render::view::PlanView;

pub fn run(args: &DriftArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let s = session::connect_for(&args.spec, config, io)?;
    if s.desired().organization.is_some() {
        return crate::cli::org::drift(args, s.aws()?, config, io);
    }
    on_account!(s, s => account(args, &s, config, io))
}

/// The drift of one account.
fn account<A: Connection>(
    args: &DriftArgs,
    s: &Session<A>,
    config: &Config,
    io: &mut Io<'_>,
) -> CliResult {
    let plan = s.plan(false)?;
    let view = PlanView::new(&plan);
    let drift = DriftView::new(&view);
    match args.format {
        OutputFormat::Json => session::json_line(io, &drift, true)?,
        OutputFormat::Human => {
            render::drift::write(io.stdout, &drift, config.stdout_color)?;
            render::plan::write_problems(io.stderr, &view, config.stderr_color)?;
        }
        OutputFormat::Markdown => render::markdown::write(io.stdout, "trailctl drift", &view)?,
    }
    if !plan.conflicts.is_empty() {
        Err(CliError::refused(
            "the spec cannot be compared with the account: the plan has errors (above)",
        ))
    } else if drift.drifted {
        Ok(Exit::Changes)
    } else {
        Ok(Exit::Success)
    }
}
