//! `trailctl apply [PLAN_FILE]`: plan (or read a saved plan), confirm, apply in dependency order
//! with every resource re-read before it is written, then re-read the account and verify.

use serde_json::json;

use crate::apply::{self, Event, NotConverged, Outcome, Recheck, Refusal, Stage};
use crate::cli::args::{ApplyArgs, OutputFormat};
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session::{self, error, json_line};
use crate::cli::show;
use crate::exit::Exit;
use crate::plan::saved;
use crate::plan::{Action, Address, Plan};
use crate::render;
use crate::render::view::FORMAT_VERSION;

/// With more changes than this, progress lines are numbered.
const NUMBERED_PROGRESS: usize = 3;

pub fn run(args: &ApplyArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let saved = match &args.plan {
        Some(path) => match show::read(path, config, io) {
            Some(p) => Some(p),
            None => return Exit::Failure,
        },
        None => None,
    };
    if args.format != OutputFormat::Human && saved.is_none() && !args.auto_approve {
        error(
            config,
            io,
            "apply --format json|markdown cannot ask for confirmation: add --auto-approve, or apply a saved plan",
        );
        return Exit::Failure;
    }
    let Some(s) = session::connect_for(&args.spec, config, io) else {
        return Exit::Failure;
    };
    let (plan, recheck) = match &saved {
        Some(sp) => {
            if let Err(e) = sp
                .check_spec(&s.context())
                .and_then(|()| sp.check_account(&s.account_id))
            {
                error(config, io, format!("apply refused: {e}"));
                return Exit::Failure;
            }
            // What the file says is only compared: the plan applied is made again now.
            let adopts: Vec<String> = sp
                .changes
                .iter()
                .filter(|c| c.change.adopt)
                .map(|c| c.change.address.to_string())
                .collect();
            if !adopts.is_empty() && !args.adopt {
                error(
                    config,
                    io,
                    format!(
                        "apply refused: the saved plan takes over resources trailctl does not own ({}); re-run with --adopt to apply it",
                        adopts.join(", ")
                    ),
                );
                return Exit::Failure;
            }
            let Some(fresh) = s.plan(args.adopt, config, io) else {
                return Exit::Failure;
            };
            if let Some(address) = sp.differs_from(&fresh) {
                error(
                    config,
                    io,
                    format!(
                        "saved plan is stale: {address} changed since the plan was made (or the file was edited): the spec and the account now plan it otherwise; nothing was written"
                    ),
                );
                let _ = writeln!(io.stderr, "  Make a new plan and review it.");
                report_stale(args, config, io);
                return Exit::Failure;
            }
            let r = Recheck {
                desired: s.desired.clone(),
                adopt: args.adopt,
                fingerprints: saved::fingerprints(&fresh),
            };
            (fresh, r)
        }
        None => {
            let Some(p) = s.plan(args.adopt, config, io) else {
                return Exit::Failure;
            };
            let r = Recheck {
                desired: s.desired.clone(),
                adopt: args.adopt,
                fingerprints: saved::fingerprints(&p),
            };
            (p, r)
        }
    };
    let mut report = Report::new(args.format, config);
    report.plan(&plan, config, io);
    let options = apply::Options {
        allow_destroy: args.allow_destroy,
        recheck: Some(recheck),
        ..apply::Options::default()
    };
    if let Some(refusal) = apply::refusal(&plan, &options) {
        refuse(&refusal, config, io);
        report.summary("refused", &Outcome::default(), &[], io);
        return Exit::Failure;
    }
    if !plan.has_changes() {
        report.summary("no_changes", &Outcome::default(), &[], io);
        return Exit::Success;
    }
    if saved.is_none() && !confirmed(args, config, io) {
        return Exit::Failure;
    }
    let total = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .count();
    let result = {
        let mut done = 0;
        let mut progress = |e: Event<'_>| report.progress(e, &mut done, total, io);
        s.runtime
            .block_on(apply::apply(&s.account, &plan, &options, &mut progress))
    };
    let outcome = match result {
        Ok(o) => o,
        Err(refusal) => {
            refuse(&refusal, config, io);
            report.summary("refused", &Outcome::default(), &[], io);
            return Exit::Failure;
        }
    };
    if let Some(address) = &outcome.stale {
        let what = if saved.is_some() {
            "saved plan is stale"
        } else {
            "plan is stale"
        };
        error(
            config,
            io,
            format!("{what}: {address} changed since the plan was made; nothing was written to it"),
        );
        lists(&outcome, io);
        let _ = writeln!(
            io.stderr,
            "  Another apply or client changed it. Make a new plan and review it."
        );
        report.summary("stale", &outcome, &[], io);
        return Exit::Failure;
    }
    if let Some(f) = &outcome.failed {
        let what = match f.stage {
            Stage::Write => format!("{}: {}", f.address, f.error),
            Stage::Recheck => format!(
                "re-reading the account before writing {} failed: {}",
                f.address, f.error
            ),
        };
        error(config, io, what);
        lists(&outcome, io);
        let _ = writeln!(
            io.stderr,
            "  Fix the cause and run apply again: it continues from what the account now is."
        );
        report.summary("failed", &outcome, &[], io);
        return Exit::Failure;
    }
    let Some(after) = s.plan(false, config, io) else {
        // Every write succeeded; only the read that verifies them failed (reported above).
        error(
            config,
            io,
            "every change was applied, but the account could not be read again to verify them; run `trailctl plan` to check",
        );
        lists(&outcome, io);
        report.summary("unverified", &outcome, &[], io);
        return Exit::Failure;
    };
    let stuck = apply::verify(&after, &outcome.applied);
    if !stuck.is_empty() {
        report_not_converged(&stuck, config, io);
        report.summary("not_converged", &outcome, &stuck, io);
        return Exit::Failure;
    }
    report.summary("applied", &outcome, &[], io);
    Exit::Success
}

/// The JSON summary of a saved plan refused as stale before anything was planned to run.
fn report_stale(args: &ApplyArgs, config: &Config, io: &mut Io<'_>) {
    Report::new(args.format, config).summary("stale", &Outcome::default(), &[], io);
}

fn verb(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Create => ("creating", "created"),
        Action::Update => ("updating", "updated"),
        Action::Replace => ("replacing", "replaced"),
        Action::Delete => ("deleting", "deleted"),
        Action::NoOp => ("checking", "unchanged"),
    }
}

/// What apply prints to stdout, in the format asked for.
struct Report {
    format: OutputFormat,
    color: crate::render::style::Color,
    counts: (usize, usize, usize),
}

impl Report {
    fn new(format: OutputFormat, config: &Config) -> Self {
        Self {
            format,
            color: config.stdout_color,
            counts: (0, 0, 0),
        }
    }

    fn plan(&mut self, plan: &Plan, config: &Config, io: &mut Io<'_>) {
        self.counts = plan.counts();
        match self.format {
            OutputFormat::Json => json_line(
                io,
                &json!({"event": "plan", "plan": render::view::PlanView::new(plan)}),
                false,
            ),
            format => session::show(plan, "trailctl apply", format, false, config, io),
        }
    }

    fn progress(&self, e: Event<'_>, done: &mut usize, total: usize, io: &mut Io<'_>) {
        if self.format == OutputFormat::Json {
            let line = match e {
                Event::Started(c) => {
                    json!({"event": "started", "address": c.address, "action": c.action})
                }
                Event::Finished(c) => {
                    json!({"event": "finished", "address": c.address, "action": c.action})
                }
                Event::Retrying {
                    address,
                    delay,
                    error,
                } => json!({"event": "retrying", "address": address,
                    "delay_seconds": delay.as_secs(), "error": error.kind_name()}),
            };
            return json_line(io, &line, false);
        }
        let step = |n: usize| {
            if total > NUMBERED_PROGRESS {
                format!("[{n}/{total}] ")
            } else {
                String::new()
            }
        };
        let _ = match e {
            Event::Started(c) => writeln!(
                io.stdout,
                "{}{}: {}…",
                step(*done + 1),
                c.address,
                verb(c.action).0
            ),
            Event::Finished(c) => {
                *done += 1;
                writeln!(
                    io.stdout,
                    "{}{}: {}",
                    step(*done),
                    c.address,
                    self.color.green(verb(c.action).1)
                )
            }
            Event::Retrying {
                address,
                delay,
                error,
            } => writeln!(
                io.stdout,
                "{address}: CloudTrail cannot see the bucket policy yet ({}); retrying in {} s",
                error.kind_name(),
                delay.as_secs()
            ),
        };
    }

    fn summary(&self, result: &str, o: &Outcome, stuck: &[NotConverged], io: &mut Io<'_>) {
        let (add, change, destroy) = self.counts;
        match self.format {
            OutputFormat::Json => json_line(
                io,
                &json!({
                    "event": "summary",
                    "format_version": FORMAT_VERSION,
                    "result": result,
                    "applied": o.applied,
                    "failed": o.failed.as_ref().map(|f| json!({"address": f.address, "stage": f.stage.name(), "error": f.error.to_string()})),
                    "stale": o.stale,
                    "not_attempted": o.not_attempted,
                    "not_converged": stuck.iter().map(|n| json!({
                        "address": n.address, "field": n.field,
                        "expected": n.expected.to_json(), "actual": n.actual.to_json()})).collect::<Vec<_>>(),
                }),
                false,
            ),
            _ if result == "applied" => {
                let _ = writeln!(
                    io.stdout,
                    "\n{} {add} added, {change} changed, {destroy} destroyed; re-read and verified.",
                    self.color.green("Apply complete:")
                );
            }
            OutputFormat::Markdown if result != "no_changes" => {
                let _ = writeln!(io.stdout, "\n**Apply {result}** (details on stderr)");
            }
            _ => {}
        }
    }
}

fn refuse(refusal: &Refusal, config: &Config, io: &mut Io<'_>) {
    match refusal {
        Refusal::Conflicts => error(config, io, "apply refused: the plan has errors (above)"),
        Refusal::Destructive(list) => {
            error(
                config,
                io,
                "apply refused: these changes reduce audit logging; re-run with --allow-destroy to apply them:",
            );
            for (address, reasons) in list {
                for why in reasons {
                    let _ = writeln!(io.stderr, "  {address}: {why}");
                }
            }
        }
    }
}

/// Asks on a terminal; without one, only `--auto-approve` approves.
fn confirmed(args: &ApplyArgs, config: &Config, io: &mut Io<'_>) -> bool {
    if args.auto_approve {
        return true;
    }
    if !io.stdin_is_terminal {
        error(
            config,
            io,
            "apply refused: no terminal to confirm on; review the plan and re-run with --auto-approve",
        );
        return false;
    }
    let _ = write!(
        io.stdout,
        "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: "
    );
    let _ = io.stdout.flush();
    let mut answer = String::new();
    let _ = io.stdin.read_line(&mut answer);
    if answer.trim() == "yes" {
        let _ = writeln!(io.stdout);
        true
    } else {
        error(config, io, "apply cancelled");
        false
    }
}

/// What was applied, what failed or was stale, and what was not attempted.
fn lists(outcome: &Outcome, io: &mut Io<'_>) {
    let list = |v: &[Address]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let _ = writeln!(io.stderr, "  applied: {}", list(&outcome.applied));
    match &outcome.failed {
        Some(f) if f.stage == Stage::Write => {
            let _ = writeln!(
                io.stderr,
                "  failed: {} (it may be partly changed)",
                f.address
            );
        }
        Some(f) => {
            let _ = writeln!(
                io.stderr,
                "  failed: re-reading before {} (nothing was written to it)",
                f.address
            );
        }
        None => {}
    }
    let _ = writeln!(
        io.stderr,
        "  not attempted: {}",
        list(&outcome.not_attempted)
    );
}

fn report_not_converged(stuck: &[NotConverged], config: &Config, io: &mut Io<'_>) {
    for n in stuck {
        error(
            config,
            io,
            format!(
                "{} did not converge: {} is {}, expected {}",
                n.address,
                n.field,
                render::plan::scalar(&n.actual),
                render::plan::scalar(&n.expected)
            ),
        );
    }
}
