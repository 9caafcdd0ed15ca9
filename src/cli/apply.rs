//! `trailctl apply`: plan, confirm, apply in dependency order, then re-read and verify.

use crate::apply::{self, Event, NotConverged, Outcome, Refusal};
use crate::cli::args::ApplyArgs;
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::session::{self, error};
use crate::exit::Exit;
use crate::plan::Action;
use crate::render;

pub fn run(args: &ApplyArgs, config: &Config, io: &mut Io<'_>) -> Exit {
    let Some(s) = session::start(&args.spec.file, args.adopt, config, io) else {
        return Exit::Failure;
    };
    session::show(&s.plan, config, io);
    let options = apply::Options {
        allow_destroy: args.allow_destroy,
        ..apply::Options::default()
    };
    if let Some(refusal) = apply::refusal(&s.plan, &options) {
        refuse(&refusal, config, io);
        return Exit::Failure;
    }
    if !s.plan.has_changes() {
        return Exit::Success;
    }
    if !confirmed(args, config, io) {
        return Exit::Failure;
    }
    let color = config.stdout_color;
    let stdout = &mut *io.stdout;
    let mut progress = |e: Event<'_>| {
        let _ = match e {
            Event::Started(c) => writeln!(stdout, "{}: {}…", c.address, verb(c.action).0),
            Event::Finished(c) => {
                writeln!(stdout, "{}: {}", c.address, color.green(verb(c.action).1))
            }
            Event::Retrying {
                address,
                delay,
                error,
            } => writeln!(
                stdout,
                "{address}: CloudTrail cannot see the bucket policy yet ({}); retrying in {} s",
                error.kind_name(),
                delay.as_secs()
            ),
        };
    };
    let outcome =
        match s
            .runtime
            .block_on(apply::apply(&s.account, &s.plan, &options, &mut progress))
        {
            Ok(o) => o,
            Err(refusal) => {
                refuse(&refusal, config, io);
                return Exit::Failure;
            }
        };
    if let Some((address, e)) = &outcome.failed {
        report_failure(&outcome, address, e, config, io);
        return Exit::Failure;
    }
    let Some(after) = session::plan_again(&s.runtime, &s.account, &s.desired, false, config, io)
    else {
        return Exit::Failure;
    };
    let stuck = apply::verify(&after, &outcome.applied);
    if !stuck.is_empty() {
        report_not_converged(&stuck, config, io);
        return Exit::Failure;
    }
    let (add, change, destroy) = s.plan.counts();
    let _ = writeln!(
        io.stdout,
        "\n{} {add} added, {change} changed, {destroy} destroyed; re-read and verified.",
        config.stdout_color.green("Apply complete:")
    );
    Exit::Success
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

fn report_failure(
    outcome: &Outcome,
    address: &crate::plan::Address,
    e: &crate::live::LiveError,
    config: &Config,
    io: &mut Io<'_>,
) {
    error(config, io, format!("{address}: {e}"));
    let list = |v: &[crate::plan::Address]| {
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
    let _ = writeln!(io.stderr, "  failed: {address} (it may be partly changed)");
    let _ = writeln!(
        io.stderr,
        "  not attempted: {}",
        list(&outcome.not_attempted)
    );
    let _ = writeln!(
        io.stderr,
        "  Fix the cause and run apply again: it continues from what the account now is."
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
