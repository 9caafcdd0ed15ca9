//! One account's apply from the reviewed plan to the verified account, the same for a single
//! account and for each account of an organization: `check` decides, with no call, whether the
//! plan made now may be applied (unchanged since it was reviewed, no errors, no destructive
//! change that is not allowed, something to do); `run` executes it along its dependency graph,
//! re-reads the account and verifies every resource it wrote. Both end in a `Report`, which
//! `render::apply` turns into text or JSON.

use crate::apply::execute::{Event, Options, Outcome, Refusal, apply};
use crate::apply::verify::{NotConverged, verify};
use crate::live::error::{LiveError, LiveResult};
use crate::live::services::Account;
use crate::plan::Plan;
use crate::plan::saved::SavedPlan;

/// How an apply ended: its JSON summary's `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ended {
    /// Every change written, re-read and verified.
    Applied,
    NoChanges,
    /// Not started: the plan has errors or destructive changes that are not allowed.
    Refused,
    /// A resource changed since the plan was reviewed (before or during the apply).
    Stale,
    /// A change (or the re-read before it) failed.
    Failed,
    /// Written, but a resource read again still differs.
    NotConverged,
    /// Written, but the account could not be read again to verify.
    Unverified,
}

impl Ended {
    /// The stable tag, as the JSON summary writes it.
    pub fn name(self) -> &'static str {
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

/// Where a stale resource was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleAt {
    /// The plan made now differs from the one reviewed: nothing was written.
    Review,
    /// Re-read just before it was written: nothing was written to it (`outcome.stale`).
    Write,
}

/// What one account's apply did, and why it ended where it did.
#[derive(Debug)]
pub struct Report {
    pub ended: Ended,
    /// The plan's `(add, change, destroy)`.
    pub counts: (usize, usize, usize),
    pub refusal: Option<Refusal>,
    pub stale_at: Option<StaleAt>,
    pub outcome: Outcome,
    pub not_converged: Vec<NotConverged>,
    /// Every write succeeded; reading the account again to verify them failed with this.
    pub unverified: Option<LiveError>,
}

impl Report {
    fn before_writing(ended: Ended, plan: &Plan) -> Self {
        Report {
            ended,
            counts: plan.counts(),
            refusal: None,
            stale_at: None,
            outcome: Outcome::default(),
            not_converged: Vec::new(),
            unverified: None,
        }
    }
}

/// Whether `plan` (made now) may be applied, decided before any call: the report of an apply
/// that ends here — stale against `reviewed` (the plan that was shown and approved, when it is
/// not this one), refused, or with no changes — or `None` when it may run.
pub fn check(plan: &Plan, reviewed: Option<&SavedPlan>, options: &Options) -> Option<Report> {
    if let Some(address) = reviewed.and_then(|r| r.differs_from(plan)) {
        let mut report = Report::before_writing(Ended::Stale, plan);
        report.stale_at = Some(StaleAt::Review);
        report.outcome.stale = Some(address);
        return Some(report);
    }
    if let Some(refusal) = crate::apply::execute::refusal(plan, options) {
        let mut report = Report::before_writing(Ended::Refused, plan);
        report.refusal = Some(refusal);
        return Some(report);
    }
    if !plan.has_changes() {
        return Some(Report::before_writing(Ended::NoChanges, plan));
    }
    None
}

/// Applies a checked `plan`: every change along the dependency graph (each resource re-read
/// before it is written, `progress` told as they start and end), then the account read again
/// (`reread`: planned without adopting) and every written resource verified.
pub async fn run<A: Account>(
    account: &A,
    plan: &Plan,
    options: &Options,
    progress: &mut dyn FnMut(Event<'_>),
    reread: impl AsyncFnOnce() -> LiveResult<Plan>,
) -> Report {
    let mut report = Report::before_writing(Ended::Applied, plan);
    report.outcome = match apply(account, plan, options, progress).await {
        Ok(outcome) => outcome,
        Err(refusal) => {
            report.ended = Ended::Refused;
            report.refusal = Some(refusal);
            return report;
        }
    };
    if report.outcome.stale.is_some() {
        report.ended = Ended::Stale;
        report.stale_at = Some(StaleAt::Write);
        return report;
    }
    if !report.outcome.failed.is_empty() {
        report.ended = Ended::Failed;
        return report;
    }
    match reread().await {
        Ok(after) => {
            report.not_converged = verify(&after, &report.outcome.applied);
            if !report.not_converged.is_empty() {
                report.ended = Ended::NotConverged;
            }
        }
        Err(e) => {
            report.ended = Ended::Unverified;
            report.unverified = Some(e);
        }
    }
    report
}
