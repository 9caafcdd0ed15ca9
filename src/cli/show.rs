//! `trailctl show FILE`: render a saved plan as `plan` shows it. Reads no account.

use crate::cli::args::{OutputFormat, ShowArgs};
use crate::cli::config::Config;
use crate::cli::error::CliResult;
use crate::cli::io::Io;
use crate::cli::session;
use crate::exit::Exit;
use crate::plan::saved::SavedFile;
use crate::render;

pub fn run(args: &ShowArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let saved = match crate::cli::plan_file::read(&args.plan)? {
        SavedFile::Account(p) => p,
        SavedFile::Organization(o) => {
            return crate::cli::org::show_saved(&o, args.format, config, io);
        }
    };
    let plan = saved.plan();
    if args.format == OutputFormat::Human {
        // A live plan's lints were printed when its spec was loaded; a saved plan's come from
        // the file.
        render::plan::write_lints(io.stderr, &plan.lints, config.stderr_color)?;
    }
    session::show(
        &plan,
        "trailctl plan (saved)",
        args.format,
        args.cost,
        config,
        io,
    )?;
    Ok(Exit::Success)
}
