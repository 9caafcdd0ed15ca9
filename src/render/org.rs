//! An organization's plan as one document: a summary table (account, name, role, add / change /
//! destroy, drift, error), then each account's plan as the single-account renderers show it.
//! JSON carries the same (`format_version` 2: `docs/json-output.md`).

use std::io::{self, Write};

use serde::Serialize;

use crate::plan::org::{AccountPlan, OrgPlan, Outcome};
use crate::render::drift::DriftView;
use crate::render::style::Color;
use crate::render::view::PlanView;

/// The version of the organization's document (a single account's stays at
/// [`crate::render::view::FORMAT_VERSION`]).
pub const ORG_FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgView {
    pub format_version: u32,
    pub organization: String,
    pub management_account: String,
    pub security_account: String,
    pub summary: Vec<Row>,
    /// Target accounts that are not active, left out.
    pub skipped: Vec<Skipped>,
    pub accounts: Vec<AccountView>,
}

/// One line of the summary table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub account: String,
    pub name: String,
    /// `management`, `security`, `member`.
    pub role: &'static str,
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    /// The account differs from the spec.
    pub drift: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub account: String,
    pub name: String,
    pub status: String,
}

/// One account's plan (absent when it errored: `error` says why).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountView {
    pub account: String,
    pub name: String,
    pub role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn role(a: &AccountPlan) -> &'static str {
    match (a.membership.management(), a.membership.security()) {
        (true, true) => "management, security",
        (true, false) => "management",
        (false, true) => "security",
        (false, false) => "member",
    }
}

fn error(a: &AccountPlan) -> Option<String> {
    match &a.outcome {
        Outcome::Failed(why) => Some(why.clone()),
        Outcome::NotRun => Some("not read: --fail-fast stopped at an earlier failure".to_owned()),
        Outcome::Planned(p) if !p.conflicts.is_empty() => Some(format!(
            "the plan has {} error{}",
            p.conflicts.len(),
            if p.conflicts.len() == 1 { "" } else { "s" }
        )),
        Outcome::Planned(_) => None,
    }
}

impl OrgView {
    pub fn new(plan: &OrgPlan) -> Self {
        let accounts: Vec<AccountView> = plan
            .accounts
            .iter()
            .map(|a| AccountView {
                account: a.account().to_owned(),
                name: a.name.clone(),
                role: role(a),
                plan: a.plan().map(PlanView::new),
                error: error(a),
            })
            .collect();
        let summary = plan
            .accounts
            .iter()
            .map(|a| {
                let (add, change, destroy) = a.plan().map(|p| p.counts()).unwrap_or_default();
                Row {
                    account: a.account().to_owned(),
                    name: a.name.clone(),
                    role: role(a),
                    add,
                    change,
                    destroy,
                    drift: a.plan().is_some_and(|p| p.has_changes()),
                    error: error(a),
                }
            })
            .collect();
        OrgView {
            format_version: ORG_FORMAT_VERSION,
            organization: plan.organization.clone(),
            management_account: plan.management_account.clone(),
            security_account: plan.security_account.clone(),
            summary,
            skipped: plan
                .skipped
                .iter()
                .map(|s| Skipped {
                    account: s.id.clone(),
                    name: s.name.clone(),
                    status: s.status.clone(),
                })
                .collect(),
            accounts,
        }
    }
}

/// The summary table, aligned, and the accounts left out.
pub fn write_summary(out: &mut dyn Write, view: &OrgView, color: Color) -> io::Result<()> {
    writeln!(
        out,
        "Organization {} ({} account{}; management {}, security {}):\n",
        view.organization,
        view.summary.len(),
        if view.summary.len() == 1 { "" } else { "s" },
        view.management_account,
        view.security_account
    )?;
    let name_width = view
        .summary
        .iter()
        .map(|r| r.name.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4);
    writeln!(
        out,
        "  {:<12}  {:<name_width$}  {:<21}  {:>3}  {:>6}  {:>7}  {:<5}  error",
        "account", "name", "role", "add", "change", "destroy", "drift"
    )?;
    for r in &view.summary {
        let line = format!(
            "  {:<12}  {:<name_width$}  {:<21}  {:>3}  {:>6}  {:>7}  {:<5}  {}",
            r.account,
            r.name,
            r.role,
            r.add,
            r.change,
            r.destroy,
            if r.drift { "yes" } else { "no" },
            r.error.as_deref().unwrap_or("-")
        );
        if r.error.is_some() {
            writeln!(out, "{}", color.red(&line))?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    for s in &view.skipped {
        writeln!(out, "  skipped: {} ({}) is {}", s.account, s.name, s.status)?;
    }
    writeln!(out)
}

/// The heading of one account's section.
fn heading(a: &AccountView) -> String {
    format!("── account {} ({}, {}) ──", a.account, a.name, a.role)
}

/// An account that has something to show below the summary: changes, or an error.
fn shown(a: &AccountView) -> bool {
    a.plan.as_ref().is_none_or(PlanView::has_changes) || a.error.is_some()
}

/// The summary, then the plan of each account with changes (an errored account: its error);
/// the others are in the summary only.
pub fn write_plan(out: &mut dyn Write, view: &OrgView, color: Color) -> io::Result<()> {
    write_accounts(
        out,
        view,
        color,
        "No changes. Every account matches the spec.",
        &|out, p| crate::render::plan::write(out, p, color),
    )
}

/// The summary, then what drifted in each account that drifted (or errored).
pub fn write_drift(out: &mut dyn Write, view: &OrgView, color: Color) -> io::Result<()> {
    write_accounts(
        out,
        view,
        color,
        "No drift: every account matches the spec.",
        &|out, p| crate::render::drift::write(out, &DriftView::new(p), color),
    )
}

/// The summary, then each account with something to show, its plan written by `body` (an
/// errored account: its error); `none` when no account has anything.
fn write_accounts(
    out: &mut dyn Write,
    view: &OrgView,
    color: Color,
    none: &str,
    body: &dyn Fn(&mut dyn Write, &PlanView) -> io::Result<()>,
) -> io::Result<()> {
    write_summary(out, view, color)?;
    if !view.accounts.iter().any(shown) {
        return writeln!(out, "{none}");
    }
    for a in view.accounts.iter().filter(|a| shown(a)) {
        writeln!(out, "{}\n", color.bold(&heading(a)))?;
        match (&a.plan, &a.error) {
            (Some(p), _) => body(out, p)?,
            (None, Some(e)) => writeln!(out, "{}", color.red(&format!("error: {e}")))?,
            (None, None) => {}
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The same as Markdown: the summary table, then each account's plan.
pub fn write_markdown(out: &mut dyn Write, title: &str, view: &OrgView) -> io::Result<()> {
    writeln!(out, "## {title}: organization `{}`\n", view.organization)?;
    writeln!(
        out,
        "| Account | Name | Role | Add | Change | Destroy | Drift | Error |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for r in &view.summary {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            r.account,
            r.name.replace('|', "\\|"),
            r.role,
            r.add,
            r.change,
            r.destroy,
            if r.drift { "yes" } else { "no" },
            r.error.as_deref().unwrap_or("").replace('|', "\\|")
        )?;
    }
    for s in &view.skipped {
        writeln!(
            out,
            "\nSkipped: `{}` ({}) is {}.",
            s.account, s.name, s.status
        )?;
    }
    writeln!(out)?;
    for a in &view.accounts {
        match (&a.plan, &a.error) {
            (Some(p), _) => crate::render::markdown::write(out, title, p)?,
            (None, Some(e)) => writeln!(
                out,
                "### {title}: account `{}`\n\n**Error:** {e}\n",
                a.account
            )?,
            (None, None) => {}
        }
    }
    Ok(())
}
