//! `trailctl show FILE`: render a saved plan as `plan` shows it. Reads no account.

use crate::cli::args::ShowArgs;
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session::{self, error};
use crate::exit::Exit;
use crate::plan::saved::SavedPlan;

pub fn run(args: &ShowArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let Some(saved) = read(&args.plan, config, io) else {
        return Exit::Failure;
    };
    session::show(
        &saved.plan(),
        "trailctl plan (saved)",
        args.format,
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
