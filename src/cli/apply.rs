//! `trailctl apply [PLAN_FILE]`: plan (or read a saved plan), confirm, apply in dependency order
//! with every resource re-read before it is written, then re-read the account and verify.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::apply::{self, Event, NotConverged, Outcome, Recheck, Stage};
use crate::cli::args::{ApplyArgs, OutputFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session::{self, json_line};
use crate::exit::Exit;
use crate::live::aws::pacing::RetryCounts;
use crate::plan::saved::{self, SavedFile};
use crate::plan::{Action, Address, Plan};
use crate::render;
use crate::render::view::FORMAT_VERSION;

/// With more changes than this, progress lines are numbered.
const NUMBERED_PROGRESS: usize = 3;

pub fn run(args: &ApplyArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let saved = args
        .plan
        .as_deref()
        .map(crate::cli::plan_file::read)
        .transpose()?;
    if args.format != OutputFormat::Human && saved.is_none() && !args.auto_approve {
        return Err(CliError::refused(
            "apply --format json|markdown cannot ask for confirmation: add --auto-approve, or apply a saved plan",
        ));
    }
    let s = session::connect_for(&args.spec, config, io)?;
    let mismatch = |file: &str, spec: &str| {
        CliError::SavedPlan(format!(
            "apply refused: the plan file is for {file}, the spec for {spec}; nothing was written"
        ))
    };
    if s.desired.organization.is_some() {
        let saved = match saved {
            Some(SavedFile::Organization(o)) => Some(o),
            Some(SavedFile::Account(_)) => return Err(mismatch("one account", "an organization")),
            None => None,
        };
        return crate::cli::org::apply(args, s, saved, config, io);
    }
    let saved = match saved {
        Some(SavedFile::Account(p)) => Some(p),
        Some(SavedFile::Organization(_)) => return Err(mismatch("an organization", "one account")),
        None => None,
    };
    let mut report = Report::new(args.format, config);
    let plan = match &saved {
        Some(sp) => {
            sp.check_spec(&s.context())
                .and_then(|()| sp.check_account(&s.account_id))
                .map_err(|e| CliError::SavedPlan(format!("apply refused: {e}")))?;
            // What the file says is only compared: the plan applied is made again now.
            let adopts: Vec<String> = sp
                .changes
                .iter()
                .filter(|c| c.change.adopt)
                .map(|c| c.change.address.to_string())
                .collect();
            if !adopts.is_empty() && !args.adopt {
                return Err(CliError::refused(format!(
                    "apply refused: the saved plan takes over resources trailctl does not own ({}); re-run with --adopt to apply it",
                    adopts.join(", ")
                )));
            }
            let fresh = s.plan(args.adopt)?;
            if let Some(address) = sp.differs_from(&fresh) {
                report.summary(Ended::Stale, &Outcome::default(), &[], io)?;
                return Err(CliError::Apply {
                    messages: vec![format!(
                        "saved plan is stale: {address} changed since the plan was made (or the file was edited): the spec and the account now plan it otherwise; nothing was written"
                    )],
                    details: vec!["Make a new plan and review it.".to_owned()],
                });
            }
            fresh
        }
        None => s.plan(args.adopt)?,
    };
    let recheck = Recheck {
        desired: s.desired.clone(),
        adopt: args.adopt,
        fingerprints: saved::fingerprints(&plan),
    };
    report.plan(&plan, config, io)?;
    let options = apply::Options {
        allow_destroy: args.allow_destroy,
        recheck: Some(recheck),
        ..apply::Options::default()
    };
    if let Some(refusal) = apply::refusal(&plan, &options) {
        report.summary(Ended::Refused, &Outcome::default(), &[], io)?;
        return Err(crate::cli::approval::refused(&refusal));
    }
    if !plan.has_changes() {
        report.summary(Ended::NoChanges, &Outcome::default(), &[], io)?;
        return Ok(Exit::Success);
    }
    if saved.is_none() {
        crate::cli::approval::confirm(args, io)?;
    }
    let total = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .count();
    // A progress line that cannot be written does not stop the apply; it is told at the end.
    let mut unwritten: Option<CliError> = None;
    report.start(total, io.stdout_is_terminal);
    let result = {
        let mut progress = |e: Event<'_>| {
            if let Err(e) = report.progress(e, io) {
                unwritten.get_or_insert(e);
            }
        };
        s.runtime
            .block_on(apply::apply(&s.account, &plan, &options, &mut progress))
    };
    report.finish(s.account.retries());
    let outcome = match result {
        Ok(o) => o,
        Err(refusal) => {
            report.summary(Ended::Refused, &Outcome::default(), &[], io)?;
            return Err(crate::cli::approval::refused(&refusal));
        }
    };
    let failures: Vec<String> = outcome
        .failed
        .iter()
        .map(|f| match f.stage {
            Stage::Write => format!("{}: {}", f.address, f.error),
            Stage::Recheck => format!(
                "re-reading the account before writing {} failed: {}",
                f.address, f.error
            ),
        })
        .collect();
    if let Some(address) = &outcome.stale {
        let what = if saved.is_some() {
            "saved plan is stale"
        } else {
            "plan is stale"
        };
        report.summary(Ended::Stale, &outcome, &[], io)?;
        let mut messages = vec![format!(
            "{what}: {address} changed since the plan was made; nothing was written to it"
        )];
        messages.extend(failures);
        let mut details = lists(&outcome);
        details.extend(report.retried());
        details.push("Another apply or client changed it. Make a new plan and review it.".into());
        return Err(CliError::Apply { messages, details });
    }
    if !failures.is_empty() {
        report.summary(Ended::Failed, &outcome, &[], io)?;
        let mut details = lists(&outcome);
        details.extend(report.retried());
        details.push(
            "Fix the cause and run apply again: it continues from what the account now is.".into(),
        );
        return Err(CliError::Apply {
            messages: failures,
            details,
        });
    }
    let after = match s.plan(false) {
        Ok(after) => after,
        Err(read) => {
            // Every write succeeded; only the read that verifies them failed.
            report.summary(Ended::Unverified, &outcome, &[], io)?;
            return Err(CliError::Apply {
                messages: vec![
                    read.to_string(),
                    "every change was applied, but the account could not be read again to verify them; run `trailctl plan` to check".to_owned(),
                ],
                details: lists(&outcome),
            });
        }
    };
    let stuck = apply::verify(&after, &outcome.applied);
    if !stuck.is_empty() {
        report.summary(Ended::NotConverged, &outcome, &stuck, io)?;
        return Err(CliError::Apply {
            messages: stuck
                .iter()
                .map(|n| {
                    format!(
                        "{} did not converge: {} is {}, expected {}",
                        n.address,
                        n.field,
                        render::plan::scalar(&n.actual),
                        render::plan::scalar(&n.expected)
                    )
                })
                .collect(),
            details: Vec::new(),
        });
    }
    if let Some(e) = unwritten {
        return Err(e);
    }
    report.summary(Ended::Applied, &outcome, &[], io)?;
    Ok(Exit::Success)
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

/// What apply prints to stdout, in the format asked for; on a terminal, a progress bar (on
/// stderr) with the count and what is being written.
struct Report {
    format: OutputFormat,
    color: crate::render::style::Color,
    counts: (usize, usize, usize),
    total: usize,
    done: usize,
    /// Being written now, in the order they started.
    writing: Vec<String>,
    bar: Option<ProgressBar>,
    retries: RetryCounts,
}

impl Report {
    fn new(format: OutputFormat, config: &Config) -> Self {
        Self {
            format,
            color: config.stdout_color,
            counts: (0, 0, 0),
            total: 0,
            done: 0,
            writing: Vec::new(),
            bar: None,
            retries: RetryCounts::default(),
        }
    }

    fn plan(&mut self, plan: &Plan, config: &Config, io: &mut Io<'_>) -> Result<(), CliError> {
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

    /// Before the first write: a bar when the human report goes to a terminal.
    fn start(&mut self, total: usize, terminal: bool) {
        self.total = total;
        if terminal && self.format == OutputFormat::Human {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            self.bar = Some(bar);
        }
    }

    /// After the last write: the bar cleared, the retries counted.
    fn finish(&mut self, retries: RetryCounts) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.retries = retries;
    }

    /// The line saying how often AWS calls were retried, if they were.
    fn retried(&self) -> Option<String> {
        let r = self.retries;
        (r.total() > 0).then(|| {
            format!(
                "retried: {} AWS calls ({} throttled, {} server errors, {} dropped connections)",
                r.total(),
                r.throttled,
                r.server_error,
                r.connection
            )
        })
    }

    fn progress(&mut self, e: Event<'_>, io: &mut Io<'_>) -> Result<(), CliError> {
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
        let line = match e {
            Event::Started(c) => {
                self.writing.push(c.address.to_string());
                if self.bar.is_some() {
                    None
                } else {
                    Some(format!("{}: {}…", c.address, verb(c.action).0))
                }
            }
            Event::Finished(c) => {
                self.done += 1;
                let address = c.address.to_string();
                self.writing.retain(|a| *a != address);
                let step = if self.total > NUMBERED_PROGRESS {
                    format!("[{}/{}] ", self.done, self.total)
                } else {
                    String::new()
                };
                Some(format!(
                    "{step}{address}: {}",
                    self.color.green(verb(c.action).1)
                ))
            }
            Event::Retrying {
                address,
                delay,
                error,
            } => Some(format!(
                "{address}: CloudTrail cannot see the bucket policy yet ({}); retrying in {} s",
                error.kind_name(),
                delay.as_secs()
            )),
        };
        match (&self.bar, line) {
            (Some(bar), line) => {
                bar.set_position(self.done as u64);
                bar.set_message(match self.writing.as_slice() {
                    [] => String::new(),
                    [one] => format!("writing {one}"),
                    [first, rest @ ..] => format!("writing {first} (+{} more)", rest.len()),
                });
                if let Some(line) = line {
                    bar.suspend(|| writeln!(io.stdout, "{line}"))?;
                }
            }
            (None, Some(line)) => writeln!(io.stdout, "{line}")?,
            (None, None) => {}
        }
        Ok(())
    }

    fn summary(
        &self,
        result: Ended,
        o: &Outcome,
        stuck: &[NotConverged],
        io: &mut Io<'_>,
    ) -> Result<(), CliError> {
        let (add, change, destroy) = self.counts;
        match self.format {
            OutputFormat::Json => json_line(
                io,
                &json!({
                    "event": "summary",
                    "format_version": FORMAT_VERSION,
                    "result": result,
                    "applied": o.applied,
                    "failed": o.failed.first().map(failure_json),
                    "failures": o.failed.iter().map(failure_json).collect::<Vec<_>>(),
                    "stale": o.stale,
                    "not_attempted": o.not_attempted,
                    "not_converged": stuck.iter().map(|n| json!({
                        "address": n.address, "field": n.field,
                        "expected": n.expected.to_json(), "actual": n.actual.to_json()})).collect::<Vec<_>>(),
                    "retries": self.retries,
                }),
                false,
            ),
            _ if result == Ended::Applied => {
                let retried = self
                    .retried()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                Ok(writeln!(
                    io.stdout,
                    "\n{} {add} added, {change} changed, {destroy} destroyed; re-read and verified.{retried}",
                    self.color.green("Apply complete:")
                )?)
            }
            OutputFormat::Markdown if result != Ended::NoChanges => Ok(writeln!(
                io.stdout,
                "\n**Apply {}** (details on stderr)",
                result.name()
            )?),
            _ => Ok(()),
        }
    }
}

/// How an apply ended, as its JSON summary's `result` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Ended {
    Applied,
    NoChanges,
    Refused,
    Stale,
    Failed,
    NotConverged,
    Unverified,
}

impl Ended {
    /// The stable tag (`not_converged`), as the JSON summary writes it.
    fn name(self) -> &'static str {
        match self {
            Ended::Applied => "applied",
            Ended::NoChanges => "no_changes",
            Ended::Refused => "refused",
            Ended::Stale => "stale",
            Ended::Failed => "failed",
            Ended::NotConverged => "not_converged",
            Ended::Unverified => "unverified",
        }
    }
}

fn failure_json(f: &apply::Failure) -> serde_json::Value {
    json!({"address": f.address, "stage": f.stage.name(), "error": f.error.to_string()})
}

/// What was applied, what failed or was stale, and what was not attempted.
fn lists(outcome: &Outcome) -> Vec<String> {
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
    let mut out = vec![format!("applied: {}", list(&outcome.applied))];
    for f in &outcome.failed {
        out.push(match f.stage {
            Stage::Write => format!("failed: {} (it may be partly changed)", f.address),
            Stage::Recheck => format!(
                "failed: re-reading before {} (nothing was written to it)",
                f.address
            ),
        });
    }
    out.push(format!("not attempted: {}", list(&outcome.not_attempted)));
    out
}
