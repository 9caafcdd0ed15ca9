//! `trailctl show FILE`: render a saved plan as `plan` shows it. Reads no account.

use crate::cli::args::{OutputFormat, ShowArgs};
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session::{self, error};
use crate::exit::Exit;
use crate::plan::saved::SavedPlan;
use crate::render;

pub fn run(args: &ShowArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let Some(saved) = read(&args.plan, config, io) else {
        return Exit::Failure;
    };
    let plan = saved.plan();
    if args.format == OutputFormat::Human {
        // A live plan's lints were printed when its spec was loaded; a saved plan's come from
        // the file.
        let _ = render::plan::write_lints(io.stderr, &plan.lints, config.stderr_color);
    }
    session::show(
        &plan,
        "trailctl plan (saved)",
        args.format,
        args.cost,
        config,
        io,
    );
    Exit::Success
}

/// Reads and checks a plan file, printing why it cannot be used.
pub fn read(path: &std::path::Path, config: &Config, io: &mut Io<'_>) -> Option<SavedPlan> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            error(config, io, format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    match SavedPlan::decode(&text) {
        Ok(p) => Some(p),
        Err(e) => {
            error(config, io, format!("{}: {e}", path.display()));
            None
        }
    }
}
