//! `trailctl drift`: read the account and show only what differs from the spec; exit 2 on drift.

use crate::cli::args::{DriftArgs, OutputFormat};
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session;
use crate::exit::Exit;
use crate::render;
use crate::render::drift::DriftView;
use crate::render::view::PlanView;

pub fn run(args: &DriftArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let Some(s) = session::connect_for(&args.spec, config, io) else {
        return Exit::Failure;
    };
    let Some(plan) = s.plan(false, config, io) else {
        return Exit::Failure;
    };
    let view = PlanView::new(&plan);
    let drift = DriftView::new(&view);
    match args.format {
        OutputFormat::Json => session::json_line(io, &drift, true),
        OutputFormat::Human => {
            let _ = render::drift::write(io.stdout, &drift, config.stdout_color);
            let _ = render::plan::write_problems(io.stderr, &view, config.stderr_color);
        }
        OutputFormat::Markdown => {
            let _ = render::markdown::write(io.stdout, "trailctl drift", &view);
        }
    }
    if !plan.conflicts.is_empty() {
        Exit::Failure
    } else if drift.drifted {
        Exit::Changes
    } else {
        Exit::Success
    }
}
