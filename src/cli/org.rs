//! `plan`, `drift`, `apply` and `show` of an organization: one document for every target
//! account (a summary table, then each account), exit codes aggregated (1 if any account
//! errored, else 2 if any changed, where the command says so).

use serde::Serialize;

use crate::cli::args::{ApplyArgs, DriftArgs, OutputFormat, PlanArgs};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::fleet::{Applied, OrgSession};
use crate::cli::io::Io;
use crate::cli::session::{self, Session};
use crate::exit::Exit;
use crate::model::org::Membership;
use crate::plan::Plan;
use crate::plan::org::{AccountPlan, OrgPlan, Outcome};
use crate::plan::saved::{ORG_FORMAT_VERSION, SavedOrgPlan, SavedPlan};
use crate::render;
use crate::render::org::OrgView;
use crate::render::view::PlanView;

/// Prints an organization's plan in `format`; human: each account's conflicts and warnings to
/// stderr under its account.
fn show(
    plan: &OrgPlan,
    title: &str,
    format: OutputFormat,
    config: &Config,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let view = OrgView::new(plan);
    match format {
        OutputFormat::Human => {
            render::org::write_plan(io.stdout, &view, config.stdout_color)?;
            problems(plan, config, io)?;
        }
        OutputFormat::Json => session::json_line(io, &view, true)?,
        OutputFormat::Markdown => render::org::write_markdown(io.stdout, title, &view)?,
    }
    Ok(())
}

/// Each account's conflicts and warnings, on stderr, under the account they belong to.
fn problems(plan: &OrgPlan, config: &Config, io: &mut Io<'_>) -> Result<(), CliError> {
    for a in &plan.accounts {
        if let Some(p) = a
            .plan()
            .filter(|p| !p.conflicts.is_empty() || !p.warnings.is_empty())
        {
            writeln!(io.stderr, "account {}:", a.account())?;
            render::plan::write_problems(io.stderr, &PlanView::new(p), config.stderr_color)?;
        }
    }
    Ok(())
}

/// Why an organization's plan cannot be applied (or saved), or `None`.
fn errors(plan: &OrgPlan) -> Option<String> {
    let bad: Vec<&str> = plan
        .accounts
        .iter()
        .filter(|a| a.errored())
        .map(AccountPlan::account)
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "the plan has errors in {} account{} ({}; above)",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            bad.join(", ")
        )
    })
}

pub fn plan(args: &PlanArgs, s: Session, config: &Config, io: &mut Io<'_>) -> CliResult {
    let o = OrgSession::connect(s)?;
    let plan = o.plan(args.adopt, args.fail_fast);
    show(&plan, "trailctl plan", args.format, config, io)?;
    if let Some(why) = errors(&plan) {
        return Err(CliError::refused(match args.out {
            Some(_) => format!("{why}: no plan file was written"),
            None => why,
        }));
    }
    if let Some(out) = &args.out {
        let text = saved_plan(&o, &plan).and_then(|s| s.encode());
        let saved = format!("Saved the plan of {} accounts", plan.accounts.len());
        crate::cli::plan_file::save(out, text, &saved, args.format, io)?;
    }
    if args.detailed_exitcode && plan.has_changes() {
        Ok(Exit::Changes)
    } else {
        Ok(Exit::Success)
    }
}

fn saved_plan(
    o: &OrgSession,
    plan: &OrgPlan,
) -> Result<SavedOrgPlan, crate::plan::saved::SavedPlanError> {
    let context = o.context();
    Ok(SavedOrgPlan {
        format_version: ORG_FORMAT_VERSION,
        organization: plan.organization.clone(),
        management_account: plan.management_account.clone(),
        security_account: plan.security_account.clone(),
        names: plan
            .accounts
            .iter()
            .map(|a| (a.account().to_owned(), a.name.clone()))
            .collect(),
        accounts: plan
            .accounts
            .iter()
            .filter_map(AccountPlan::plan)
            .map(|p| SavedPlan::new(p, &context))
            .collect::<Result<_, _>>()?,
    })
}

/// The organization's plan a saved file holds, as `show` renders it.
pub fn from_saved(saved: &SavedOrgPlan) -> OrgPlan {
    OrgPlan {
        organization: saved.organization.clone(),
        management_account: saved.management_account.clone(),
        security_account: saved.security_account.clone(),
        skipped: Vec::new(),
        accounts: saved
            .accounts
            .iter()
            .map(|a| AccountPlan {
                name: saved.names.get(&a.account).cloned().unwrap_or_default(),
                membership: Membership {
                    account: a.account.clone(),
                    org_id: saved.organization.clone(),
                    management_account: saved.management_account.clone(),
                    security_account: saved.security_account.clone(),
                    management_events_trail: None,
                },
                outcome: Outcome::Planned(Box::new(a.plan())),
            })
            .collect(),
    }
}

pub fn show_saved(
    saved: &SavedOrgPlan,
    format: OutputFormat,
    config: &Config,
    io: &mut Io<'_>,
) -> CliResult {
    show(
        &from_saved(saved),
        "trailctl plan (saved)",
        format,
        config,
        io,
    )?;
    Ok(Exit::Success)
}

pub fn drift(args: &DriftArgs, s: Session, config: &Config, io: &mut Io<'_>) -> CliResult {
    let o = OrgSession::connect(s)?;
    let plan = o.plan(false, args.fail_fast);
    let view = OrgView::new(&plan);
    match args.format {
        OutputFormat::Json => session::json_line(io, &view, true)?,
        OutputFormat::Human => {
            render::org::write_drift(io.stdout, &view, config.stdout_color)?;
            problems(&plan, config, io)?;
        }
        OutputFormat::Markdown => render::org::write_markdown(io.stdout, "trailctl drift", &view)?,
    }
    if let Some(why) = errors(&plan) {
        Err(CliError::refused(format!(
            "the spec cannot be compared with every account: {why}"
        )))
    } else if plan.has_changes() {
        Ok(Exit::Changes)
    } else {
        Ok(Exit::Success)
    }
}

/// How one account's part of an apply ended, as JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Ended {
    Applied,
    Failed,
    NotRun,
}

/// One account's result of an apply, as JSON shows it.
#[derive(Debug, Serialize)]
struct AppliedView<'a> {
    account: &'a str,
    name: &'a str,
    result: Ended,
    add: usize,
    change: usize,
    destroy: usize,
    errors: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ApplyReport<'a> {
    format_version: u32,
    organization: &'a str,
    accounts: Vec<AppliedView<'a>>,
}

/// The progress line of one account's apply.
fn line(account: &str, name: &str, r: &Applied) -> String {
    match r {
        Applied::Done((add, change, destroy)) => format!(
            "  {account} ({name}): applied: {add} added, {change} changed, {destroy} destroyed"
        ),
        Applied::Failed(_) => format!("  {account} ({name}): failed (below)"),
        Applied::NotRun => {
            format!("  {account} ({name}): not run (--fail-fast stopped at an earlier failure)")
        }
    }
}

pub fn apply(
    args: &ApplyArgs,
    s: Session,
    saved: Option<SavedOrgPlan>,
    config: &Config,
    io: &mut Io<'_>,
) -> CliResult {
    let o = OrgSession::connect(s)?;
    let plan = match &saved {
        Some(file) => {
            let fresh_accounts: Vec<&str> = o
                .members
                .iter()
                .map(|m| m.membership.account.as_str())
                .collect();
            let saved_accounts: Vec<&str> =
                file.accounts.iter().map(|a| a.account.as_str()).collect();
            if fresh_accounts != saved_accounts {
                return Err(CliError::SavedPlan(format!(
                    "apply refused: saved plan is stale: it is for accounts {}, the organization's targets are now {}; nothing was written",
                    saved_accounts.join(", "),
                    fresh_accounts.join(", ")
                )));
            }
            for a in &file.accounts {
                a.check_spec(&o.context())
                    .map_err(|e| CliError::SavedPlan(format!("apply refused: {e}")))?;
            }
            from_saved(file)
        }
        None => {
            let plan = o.plan(args.adopt, args.fail_fast);
            show(&plan, "trailctl apply", args.format, config, io)?;
            plan
        }
    };
    // With --fail-fast, a failure stops everything: nothing is written once any account failed.
    if args.fail_fast
        && let Some(why) = errors(&plan)
    {
        return Err(CliError::refused(format!(
            "apply refused: {why}, and --fail-fast: nothing was written"
        )));
    }
    let reviewed: Vec<(String, Plan)> = plan
        .accounts
        .iter()
        .filter(|a| !a.errored())
        .filter_map(|a| a.plan().map(|p| (a.account().to_owned(), p.clone())))
        .collect();
    if saved.is_none() && plan.has_changes() {
        crate::cli::approval::confirm(args, io)?;
    }
    let human = args.format != OutputFormat::Json;
    if human {
        writeln!(io.stdout, "\nApplying organization {}:", plan.organization)?;
    }
    // A progress line that cannot be written does not stop the apply; it is told at the end.
    let mut unwritten: Option<CliError> = None;
    let results = o.apply(
        &reviewed,
        args.allow_destroy,
        args.adopt,
        args.fail_fast,
        &mut |m, r| {
            if human
                && let Err(e) = writeln!(io.stdout, "{}", line(&m.membership.account, &m.name, r))
            {
                unwritten.get_or_insert(e.into());
            }
        },
    );
    let mut messages = Vec::new();
    let mut views = Vec::new();
    for ((m, planned), result) in o.members.iter().zip(&plan.accounts).zip(&results) {
        let account = m.membership.account.as_str();
        // An account whose plan errored was not applied; its plan's error is the reason.
        let result = match (&planned.outcome, result) {
            (Outcome::Failed(why), _) => Applied::Failed(vec![why.clone()]),
            (Outcome::Planned(p), _) if !p.conflicts.is_empty() => {
                Applied::Failed(p.conflicts.iter().map(|c| c.message.clone()).collect())
            }
            (Outcome::NotRun, _) => Applied::NotRun,
            (Outcome::Planned(_), r) => r.clone(),
        };
        let (kind, counts, errors) = match &result {
            Applied::Done(c) => (Ended::Applied, *c, Vec::new()),
            Applied::Failed(e) => (Ended::Failed, (0, 0, 0), e.clone()),
            Applied::NotRun => (Ended::NotRun, (0, 0, 0), Vec::new()),
        };
        messages.extend(errors.iter().map(|e| format!("account {account}: {e}")));
        views.push(AppliedView {
            account,
            name: &m.name,
            result: kind,
            add: counts.0,
            change: counts.1,
            destroy: counts.2,
            errors,
        });
    }
    if human {
        let count = |k: Ended| views.iter().filter(|v| v.result == k).count();
        writeln!(
            io.stdout,
            "\nApplied {} of {} accounts; {} failed, {} not run.",
            count(Ended::Applied),
            views.len(),
            count(Ended::Failed),
            count(Ended::NotRun)
        )?;
    } else {
        session::json_line(
            io,
            &ApplyReport {
                format_version: crate::render::org::ORG_FORMAT_VERSION,
                organization: &plan.organization,
                accounts: views,
            },
            true,
        )?;
    }
    if let Some(e) = unwritten {
        return Err(e);
    }
    if messages.is_empty() && results.iter().all(|r| *r != Applied::NotRun) {
        Ok(Exit::Success)
    } else {
        Err(CliError::Apply {
            messages,
            details: vec![
                "The other accounts were applied. Fix the cause and run apply again: it continues from what each account now is.".to_owned(),
            ],
        })
    }
}
