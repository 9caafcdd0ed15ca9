//! `trailctl plan`: read the account and show what apply would change; optionally save the plan.

use crate::cli::args::PlanArgs;
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session::{self, error};
use crate::exit::Exit;
use crate::plan::saved::SavedPlan;

pub fn run(args: &PlanArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let Some(mut s) = session::connect_for(&args.spec, config, io) else {
        return Exit::Failure;
    };
    if let Some(v) = &args.events_per_month {
        s.desired.cost = s.desired.cost.overridden_by(v);
    }
    let Some(plan) = s.plan(args.adopt, config, io) else {
        return Exit::Failure;
    };
    session::show(&plan, "trailctl plan", args.format, args.cost, config, io);
    if !plan.conflicts.is_empty() {
        if args.out.is_some() {
            error(config, io, "the plan has errors: no plan file was written");
        }
        return Exit::Failure;
    }
    if let Some(out) = &args.out {
        let written = SavedPlan::new(&plan, &s.context())
            .and_then(|saved| saved.encode())
            .map_err(|e| e.to_string())
            .and_then(|text| std::fs::write(out, text).map_err(|e| e.to_string()));
        if let Err(e) = written {
            error(config, io, format!("cannot write {}: {e}", out.display()));
            return Exit::Failure;
        }
        if args.format == crate::cli::args::OutputFormat::Human {
            let _ = writeln!(
                io.stdout,
                "\nSaved the plan to {}. To apply exactly it: trailctl apply {}",
                out.display(),
                out.display()
            );
        }
    }
    if args.detailed_exitcode && plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Success
    }
}
