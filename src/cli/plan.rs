//! `trailctl plan`: read the account and show what apply would change.

use crate::cli::args::PlanArgs;
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session;
use crate::exit::Exit;

pub fn run(args: &PlanArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let Some(s) = session::start(&args.spec.file, args.adopt, config, io) else {
        return Exit::Failure;
    };
    session::show(&s.plan, config, io);
    if !s.plan.conflicts.is_empty() {
        Exit::Failure
    } else if args.detailed_exitcode && s.plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Success
    }
}
