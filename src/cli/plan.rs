//! `trailctl plan`: read the account and show what apply would change; optionally save the plan.

use crate::cli::args::PlanArgs;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session::{self, Connection, Session, on_account};
use crate::exit::Exit;
use crate::plan::saved::SavedPlan;

pub fn run(args: &PlanArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let mut s = session::connect_for(&args.spec, config, io)?;
    if let Some(v) = &args.events_per_month {
        let desired = s.desired_mut();
        desired.cost = desired.cost.overridden_by(v);
    }
    if s.desired().organization.is_some() {
        return crate::cli::org::plan(args, s.aws()?, config, io);
    }
    on_account!(s, s => account(args, &s, config, io))
}

/// The plan of one account.
fn account<A: Connection>(
    args: &PlanArgs,
    s: &Session<A>,
    config: &Config,
    io: &mut Io<'_>,
) -> CliResult {
    let plan = s.plan(args.adopt)?;
    session::show(&plan, "trailctl plan", args.format, args.cost, config, io)?;
    if !plan.conflicts.is_empty() {
        return Err(CliError::refused(match args.out {
            Some(_) => "the plan has errors (above): no plan file was written",
            None => "the plan has errors (above)",
        }));
    }
    if let Some(out) = &args.out {
        let text = SavedPlan::new(&plan, &s.context()).and_then(|saved| saved.encode());
        crate::cli::plan_file::save(out, text, "\nSaved the plan", args.format, io)?;
    }
    if args.detailed_exitcode && plan.has_changes() {
        Ok(Exit::Changes)
    } else {
        Ok(Exit::Success)
    }
}
