//! `trailctl apply [PLAN_FILE]`: plan (or read a saved plan), confirm, apply in dependency order
//! with every resource re-read before it is written, then re-read the account and verify.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::apply::{self, Ended, Event, Recheck, Report as Applied, StaleAt};
use crate::cli::args::{ApplyArgs, OutputFormat};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session::{self, Connection, Session, json_line, on_account};
use crate::exit::Exit;
use crate::live::aws::pacing::RetryCounts;
use crate::plan::saved::{self, SavedFile, SavedPlan};
use crate::plan::{Action, Plan};
use crate::render;
use crate::render::apply::{EventLine, Summary, lists, verb};

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
    if s.desired().organization.is_some() {
        let saved = match saved {
            Some(SavedFile::Organization(o)) => Some(o),
            Some(SavedFile::Account(_)) => return Err(mismatch("one account", "an organization")),
            None => None,
        };
        return crate::cli::org::apply(args, s.aws()?, saved, config, io);
    }
    let saved = match saved {
        Some(SavedFile::Account(p)) => Some(p),
        Some(SavedFile::Organization(_)) => return Err(mismatch("an organization", "one account")),
        None => None,
    };
    on_account!(s, s => account(args, &s, saved, config, io))
}

/// Applies the plan of one account (made now, and compared with `saved` if there is one).
fn account<A: Connection>(
    args: &ApplyArgs,
    s: &Session<A>,
    saved: Option<Box<SavedPlan>>,
    config: &Config,
    io: &mut Io<'_>,
) -> CliResult {
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
            s.plan(args.adopt)?
        }
        None => s.plan(args.adopt)?,
    };
    let options = apply::Options {
        allow_destroy: args.allow_destroy,
        recheck: Some(Recheck {
            desired: s.desired.clone(),
            adopt: args.adopt,
            fingerprints: saved::fingerprints(&plan),
        }),
        ..apply::Options::default()
    };
    let checked = apply::check(&plan, saved.as_deref(), &options);
    // A saved plan found stale is told before the plan made now is shown.
    if let Some(ended) = &checked
        && ended.ended == Ended::Stale
    {
        return report.end(ended, saved.is_some(), io);
    }
    report.plan(&plan, config, io)?;
    if let Some(ended) = checked {
        return report.end(&ended, saved.is_some(), io);
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
    let applied = {
        let mut progress = |e: Event<'_>| {
            if let Err(e) = report.progress(e, io) {
                unwritten.get_or_insert(e);
            }
        };
        s.runtime.block_on(apply::run(
            &s.account,
            &plan,
            &options,
            &mut progress,
            async || s.read(false).await,
        ))
    };
    report.finish(s.account.retries());
    match unwritten {
        Some(e) if applied.ended == Ended::Applied => Err(e),
        _ => report.end(&applied, saved.is_some(), io),
    }
}

/// What apply prints to stdout, in the format asked for; on a terminal, a progress bar (on
/// stderr) with the count and what is being written.
struct Report {
    format: OutputFormat,
    color: crate::render::style::Color,
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
            total: 0,
            done: 0,
            writing: Vec::new(),
            bar: None,
            retries: RetryCounts::default(),
        }
    }

    fn plan(&mut self, plan: &Plan, config: &Config, io: &mut Io<'_>) -> Result<(), CliError> {
        match self.format {
            OutputFormat::Json => json_line(
                io,
                &EventLine::Plan {
                    plan: Box::new(render::view::PlanView::new(plan)),
                },
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
            return json_line(io, &EventLine::new(&e), false);
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
            } => Some(render::apply::retrying(
                &address,
                delay.as_secs(),
                error.kind_name(),
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

    fn summary(&self, applied: &Applied, io: &mut Io<'_>) -> Result<(), CliError> {
        let (add, change, destroy) = applied.counts;
        match self.format {
            OutputFormat::Json => json_line(io, &Summary::new(applied, self.retries), false),
            _ if applied.ended == Ended::Applied => {
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
            OutputFormat::Markdown if applied.ended != Ended::NoChanges => Ok(writeln!(
                io.stdout,
                "\n**Apply {}** (details on stderr)",
                applied.ended.name()
            )?),
            _ => Ok(()),
        }
    }

    /// The summary, then how the command ends: success, or the error that says why not.
    fn end(&self, applied: &Applied, saved: bool, io: &mut Io<'_>) -> CliResult {
        self.summary(applied, io)?;
        let mut details = Vec::new();
        match (applied.ended, applied.stale_at) {
            (Ended::Applied | Ended::NoChanges, _) => return Ok(Exit::Success),
            (Ended::Refused, _) => {
                return Err(match &applied.refusal {
                    Some(refusal) => crate::cli::approval::refused(refusal),
                    None => CliError::refused("apply refused"),
                });
            }
            (Ended::Stale, Some(StaleAt::Review)) => {
                details.push("Make a new plan and review it.".to_owned());
            }
            (Ended::Stale, _) => {
                details.extend(lists(&applied.outcome));
                details.extend(self.retried());
                details.push(
                    "Another apply or client changed it. Make a new plan and review it.".into(),
                );
            }
            (Ended::Failed, _) => {
                details.extend(lists(&applied.outcome));
                details.extend(self.retried());
                details.push(
                    "Fix the cause and run apply again: it continues from what the account now is."
                        .into(),
                );
            }
            (Ended::Unverified, _) => details.extend(lists(&applied.outcome)),
            (Ended::NotConverged, _) => {}
        }
        Err(CliError::Apply {
            messages: render::apply::problems(applied, saved),
            details,
        })
    }
}
