//! An apply's report as it is shown: its progress events (JSON lines or text), its JSON summary,
//! and the messages and lists that say why it ended where it did.

use serde::Serialize;

use crate::apply::{Ended, Event, Failure, NotConverged, Outcome, Report, Stage, StaleAt};
use crate::plan::{Action, Address};
use crate::render::plan::scalar;
use crate::render::view::{FORMAT_VERSION, PlanView};

/// One progress event as a JSON line (`{"event": "started", …}`).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventLine<'a> {
    /// The plan about to be applied, first.
    Plan { plan: Box<PlanView> },
    Started {
        address: &'a Address,
        action: Action,
    },
    Finished {
        address: &'a Address,
        action: Action,
    },
    Retrying {
        address: &'a Address,
        delay_seconds: u64,
        error: &'a str,
    },
}

impl<'a> EventLine<'a> {
    pub fn new(e: &'a Event<'a>) -> Self {
        match e {
            Event::Started(c) => EventLine::Started {
                address: &c.address,
                action: c.action,
            },
            Event::Finished(c) => EventLine::Finished {
                address: &c.address,
                action: c.action,
            },
            Event::Retrying {
                address,
                delay,
                error,
            } => EventLine::Retrying {
                address,
                delay_seconds: delay.as_secs(),
                error: error.kind_name(),
            },
        }
    }
}

/// The progress verb of an action, while and after it is written.
pub fn verb(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Create => ("creating", "created"),
        Action::Update => ("updating", "updated"),
        Action::Replace => ("replacing", "replaced"),
        Action::Delete => ("deleting", "deleted"),
        Action::NoOp => ("checking", "unchanged"),
    }
}

/// The text line of a retry.
pub fn retrying(address: &Address, delay_seconds: u64, error: &str) -> String {
    format!(
        "{address}: CloudTrail cannot see the bucket policy yet ({error}); retrying in {delay_seconds} s"
    )
}

/// A failed change in JSON.
#[derive(Debug, Serialize)]
pub struct FailureView<'a> {
    address: &'a Address,
    stage: Stage,
    error: String,
}

impl<'a> FailureView<'a> {
    fn new(f: &'a Failure) -> Self {
        FailureView {
            address: &f.address,
            stage: f.stage,
            error: f.error.to_string(),
        }
    }
}

/// A resource that did not converge, in JSON.
#[derive(Debug, Serialize)]
pub struct NotConvergedView<'a> {
    address: &'a Address,
    field: &'static str,
    expected: serde_json::Value,
    actual: serde_json::Value,
}

/// The last JSON line of an apply.
#[derive(Debug, Serialize)]
pub struct Summary<'a, R: Serialize> {
    event: &'static str,
    format_version: u32,
    result: Ended,
    applied: &'a [Address],
    failed: Option<FailureView<'a>>,
    failures: Vec<FailureView<'a>>,
    stale: &'a Option<Address>,
    not_attempted: &'a [Address],
    not_converged: Vec<NotConvergedView<'a>>,
    retries: R,
}

impl<'a, R: Serialize> Summary<'a, R> {
    pub fn new(report: &'a Report, retries: R) -> Self {
        let o = &report.outcome;
        Summary {
            event: "summary",
            format_version: FORMAT_VERSION,
            result: report.ended,
            applied: &o.applied,
            failed: o.failed.first().map(FailureView::new),
            failures: o.failed.iter().map(FailureView::new).collect(),
            stale: &o.stale,
            not_attempted: &o.not_attempted,
            not_converged: report
                .not_converged
                .iter()
                .map(|n| NotConvergedView {
                    address: &n.address,
                    field: n.field,
                    expected: n.expected.to_json(),
                    actual: n.actual.to_json(),
                })
                .collect(),
            retries,
        }
    }
}

/// Why an apply did not end `Applied` (or `NoChanges`): one message per cause, for the error.
/// `saved`: the reviewed plan was a plan file (it may also have been edited). A refusal is not
/// among them: it is told by whoever decided what to refuse for.
pub fn problems(report: &Report, saved: bool) -> Vec<String> {
    let o = &report.outcome;
    let failures = o.failed.iter().map(|f| match f.stage {
        Stage::Write => format!("{}: {}", f.address, f.error),
        Stage::Recheck => format!(
            "re-reading the account before writing {} failed: {}",
            f.address, f.error
        ),
    });
    let what = if saved {
        "saved plan is stale"
    } else {
        "plan is stale"
    };
    match (report.ended, &o.stale, report.stale_at) {
        (Ended::Stale, Some(address), Some(StaleAt::Review)) => {
            let edited = if saved {
                " (or the file was edited): the spec and the account now plan it otherwise"
            } else {
                ""
            };
            vec![format!(
                "{what}: {address} changed since the plan was made{edited}; nothing was written"
            )]
        }
        (Ended::Stale, Some(address), _) => {
            let mut out = vec![format!(
                "{what}: {address} changed since the plan was made; nothing was written to it"
            )];
            out.extend(failures);
            out
        }
        (Ended::Failed, ..) => failures.collect(),
        (Ended::NotConverged, ..) => report.not_converged.iter().map(not_converged).collect(),
        (Ended::Unverified, ..) => {
            let mut out: Vec<String> = report
                .unverified
                .iter()
                .map(|e| format!("reading the account failed: {e}"))
                .collect();
            out.push("every change was applied, but the account could not be read again to verify them; run `trailctl plan` to check".to_owned());
            out
        }
        _ => Vec::new(),
    }
}

fn not_converged(n: &NotConverged) -> String {
    format!(
        "{} did not converge: {} is {}, expected {}",
        n.address,
        n.field,
        scalar(&n.actual),
        scalar(&n.expected)
    )
}

/// What was applied, what failed and what was not attempted, one line each.
pub fn lists(outcome: &Outcome) -> Vec<String> {
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
