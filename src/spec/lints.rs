//! Domain lints: a valid spec that will not do what its author expects. Warnings (notes for CIS
//! advice) at the spec path they are about; `--deny-warnings` turns warnings into a failure.
//! Each lint names itself (`[alert-placement]`) so that it can be looked up in docs/spec.md.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::alert::{Alert, Placement};
use crate::model::cost::PAID_COPY;
use crate::model::desired::{Desired, Trail};
use crate::model::diagnostic::{Diagnostic, LintId, Severity, SpecPath};
use crate::model::envelope::{DETAIL_TYPES, source_of_event_source};
use crate::model::event_sources::{
    self, Arrival, GLOBAL_REGION, arrival, exact_strings, read_only_events,
};
use crate::model::quota::{could_share, default_rules_per_bus, group_names, rules_per_region};
use crate::model::region;
use crate::spec::reader::Ctx;
use crate::spec::suggest;

/// EventBridge quota: rules with a `wildcard` pattern per event bus.
pub const MAX_WILDCARD_RULES: usize = 30;

/// Data events by service: the source, the trail resource type that logs them, and the event
/// names (CloudTrail user guide, "Logging data events").
const DATA_EVENTS: &[(&str, &str, &[&str])] = &[
    (
        "aws.s3",
        "AWS::S3::Object",
        &[
            "GetObject",
            "PutObject",
            "DeleteObject",
            "DeleteObjects",
            "CopyObject",
            "HeadObject",
            "GetObjectAcl",
            "PutObjectAcl",
            "GetObjectTagging",
            "PutObjectTagging",
            "DeleteObjectTagging",
            "RestoreObject",
            "SelectObjectContent",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
            "GetObjectAttributes",
            "PutObjectRetention",
            "PutObjectLegalHold",
        ],
    ),
    ("aws.lambda", "AWS::Lambda::Function", &["Invoke"]),
    (
        "aws.dynamodb",
        "AWS::DynamoDB::Table",
        &[
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchGetItem",
            "BatchWriteItem",
            "TransactGetItems",
            "TransactWriteItems",
            "ExecuteStatement",
            "BatchExecuteStatement",
            "ExecuteTransaction",
        ],
    ),
    ("aws.sns", "AWS::SNS::Topic", &["Publish", "PublishBatch"]),
];

/// Runs every lint on a spec that has no errors.
pub fn run(ctx: &mut Ctx, d: &Desired) {
    for a in &d.alerts {
        placement(ctx, d, a);
        read_only_state(ctx, a);
        never_matches(ctx, a);
        trails_log(ctx, d, a);
    }
    management_copies(ctx, d);
    for t in &d.trails {
        let path = &t.path;
        log_loop(ctx, t, path);
        if !t.settings.log_file_validation {
            ctx.push(
                Diagnostic::lint(LintId::TrailIntegrity, Severity::Note, &path.key("log_file_validation"), "log file validation is off: nobody can prove the logs were not altered (CIS 3.2)")
                    .with_hint("remove `log_file_validation: false`; validation is free"),
            );
        }
        if t.settings.kms_key.is_none() {
            ctx.push(
                Diagnostic::lint(
                    LintId::TrailIntegrity,
                    Severity::Note,
                    &path.key("name"),
                    "the trail's logs are encrypted with S3-managed keys, not a KMS key (CIS 3.5)",
                )
                .with_hint(
                    "set `kms_key:` to a customer managed key whose policy lets CloudTrail encrypt",
                ),
            );
        }
    }
    access_logging(ctx, d);
    wildcard_quota(ctx, d);
    rule_quota(ctx, d);
}

/// Trail buckets of the spec without server access logging (CIS v3.0 3.4, v6.0 4.4), and
/// access logs sent to a bucket the spec does not declare (whose policy trailctl cannot write).
fn access_logging(ctx: &mut Ctx, d: &Desired) {
    for b in &d.buckets {
        let holds_trail_logs = d.trails.iter().any(|t| t.settings.bucket == b.name);
        match &b.access_logging {
            None if holds_trail_logs => ctx.push(
                Diagnostic::lint(
                    LintId::TrailIntegrity,
                    Severity::Note,
                    &b.path.key("name"),
                    "server access logging of the trail's bucket is off: who read or deleted log files is not recorded (CIS v3.0 3.4, v6.0 4.4)",
                )
                .with_hint("add `access_logging: {bucket: NAME}` with another bucket of the spec for the access logs"),
            ),
            Some(l) if !d.buckets.iter().any(|t| t.name == l.bucket) => ctx.push(
                Diagnostic::lint(
                    LintId::TrailIntegrity,
                    Severity::Warning,
                    &b.path.key("access_logging").key("bucket"),
                    format!(
                        "bucket `{}` is not declared under buckets: it must exist in the same Region, and its policy must let logging.s3.amazonaws.com put objects under `{}`",
                        l.bucket, l.prefix
                    ),
                )
                .with_hint("declare it under buckets: and trailctl writes that statement into its policy"),
            ),
            _ => {}
        }
    }
}

/// The event names a pattern requires exactly in `detail.eventName`.
fn event_names(pattern: &Value) -> BTreeSet<String> {
    exact_strings(pattern, &["detail", "eventName"]).unwrap_or_default()
}

/// Global-service alerts placed outside us-east-1, and explicit lists that miss Regions the
/// events arrive in.
fn placement(ctx: &mut Ctx, d: &Desired, a: &Alert) {
    let Placement::List(list) = &a.placement else {
        return;
    };
    let Some(sources) = event_sources::sources(&a.pattern) else {
        return;
    };
    let path = a.path.key("regions");
    let arrivals: Vec<Arrival> = sources.iter().map(|s| arrival(s)).collect();
    if arrivals.iter().all(|x| *x == Arrival::Global) {
        let never: Vec<&str> = list
            .iter()
            .filter(|r| *r != GLOBAL_REGION)
            .map(String::as_str)
            .collect();
        if !list.iter().any(|r| r == GLOBAL_REGION) {
            ctx.push(
                Diagnostic::lint(
                    LintId::AlertPlacement,
                    Severity::Warning,
                    &path,
                    format!(
                        "the events of {} arrive in {GLOBAL_REGION} only: a rule in {} never fires",
                        names(&sources),
                        list.join(", ")
                    ),
                )
                .with_hint(format!(
                    "remove `regions:` (auto places it in {GLOBAL_REGION}) or list {GLOBAL_REGION}"
                )),
            );
        } else if !never.is_empty() {
            ctx.push(Diagnostic::lint(
                LintId::AlertPlacement,
                Severity::Warning,
                &path,
                format!(
                    "the events of {} arrive in {GLOBAL_REGION} only: the rules in {} never fire",
                    names(&sources),
                    never.join(", ")
                ),
            ));
        }
    } else if arrivals.iter().all(|x| *x == Arrival::Regional) {
        let missed: Vec<&str> = d
            .regions
            .iter()
            .filter(|r| !list.contains(r))
            .map(String::as_str)
            .collect();
        if !missed.is_empty() {
            ctx.push(
                Diagnostic::lint(LintId::AlertPlacement, Severity::Warning, &path, format!("{} events also arrive in {}, where this alert has no rule: they are never alerted on", names(&sources), missed.join(", ")))
                    .with_hint("remove `regions:` to place a rule in every Region of the spec"),
            );
        }
    }
}

/// `a, b, c`.
fn names<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Read-only events named by an alert whose rule is told not to take them.
fn read_only_state(ctx: &mut Ctx, a: &Alert) {
    let reads = read_only_events(&a.pattern);
    if a.read_only_events == Some(false) && !reads.is_empty() {
        ctx.push(
            Diagnostic::lint(LintId::ReadOnlyEvents, Severity::Warning, &a.path.key("read_only_events"), format!("{} {} read-only: EventBridge delivers read-only events only to rules that take all management events, so this alert never fires on {}", reads.join(", "), if reads.len() == 1 { "is" } else { "are" }, if reads.len() == 1 { "it" } else { "them" }))
                .with_hint("remove `read_only_events: false`"),
        );
    }
}

/// A `detail-type` no CloudTrail event carries, or a `source` no `eventSource` agrees with.
fn never_matches(ctx: &mut Ctx, a: &Alert) {
    let at = if a.preset.is_some() {
        "preset"
    } else {
        "pattern"
    };
    let known: Vec<&str> = DETAIL_TYPES.iter().map(|(_, d)| *d).collect();
    for t in exact_strings(&a.pattern, &["detail-type"]).unwrap_or_default() {
        if known.contains(&t.as_str()) {
            continue;
        }
        let mut w = Diagnostic::lint(
            LintId::NeverMatches,
            Severity::Warning,
            &a.path.key(at).key("detail-type"),
            format!("no CloudTrail event has detail-type \"{t}\": this alert can never fire"),
        );
        if let Some(near) = suggest::closest(&t, known.iter().copied()) {
            w = w.with_hint(format!("did you mean \"{near}\"?"));
        }
        ctx.push(w);
    }
    let (Some(sources), Some(event_sources)) = (
        exact_strings(&a.pattern, &["source"]),
        exact_strings(&a.pattern, &["detail", "eventSource"]),
    ) else {
        return;
    };
    let agree = event_sources
        .iter()
        .any(|e| source_of_event_source(e).is_some_and(|s| sources.contains(&s)));
    if !agree {
        ctx.push(
            Diagnostic::lint(
                LintId::NeverMatches,
                Severity::Warning,
                &a.path.key(at).key("source"),
                format!(
                    "source {} cannot agree with detail.eventSource {}: EventBridge sets source from eventSource, so this alert can never fire",
                    names(&sources),
                    names(&event_sources)
                ),
            )
            .with_hint("an event from `X.amazonaws.com` has source `aws.X`"),
        );
    }
}

/// Whether `name` is a data event of one of [`DATA_EVENTS`]' services.
fn is_data_event(name: &str) -> bool {
    DATA_EVENTS.iter().any(|(_, _, d)| d.contains(&name))
}

/// Whether a trail's management-event selectors exclude `source`.
fn excludes(t: &Trail, source: &str) -> bool {
    t.selectors
        .iter()
        .filter(|s| s.selects("eventCategory", "Management"))
        .all(|s| {
            s.fields
                .iter()
                .any(|f| f.field == "eventSource" && f.not_equals.iter().any(|v| v == source))
        })
}

/// Alerts on events the spec's trails do not log. Only checked when the spec has trails.
fn trails_log(ctx: &mut Ctx, d: &Desired, a: &Alert) {
    let logging: Vec<&Trail> = d.trails.iter().filter(|t| t.logging).collect();
    if logging.is_empty() {
        return;
    }
    let at = a.name_path();
    let sources = event_sources::sources(&a.pattern).unwrap_or_default();
    let events = event_names(&a.pattern);
    for (source, resource_type, data) in DATA_EVENTS {
        let named: Vec<&String> = events
            .iter()
            .filter(|n| data.contains(&n.as_str()))
            .collect();
        if sources.contains(*source)
            && !named.is_empty()
            && !logging
                .iter()
                .any(|t| t.selectors.iter().any(|s| s.selects_data(resource_type)))
        {
            ctx.push(
                Diagnostic::lint(LintId::TrailCoverage, Severity::Warning, &at, format!("{} {}, and no trail of the spec logs data events of {resource_type}: EventBridge never sees them", names(&named), if named.len() == 1 { "is a data event" } else { "are data events" }))
                    .with_hint("add `data_events:` for this resource type to a trail"),
            );
        }
    }
    if sources.contains("aws.kms") && logging.iter().all(|t| excludes(t, "kms.amazonaws.com")) {
        ctx.push(
            Diagnostic::lint(LintId::TrailCoverage, Severity::Warning, &at, "every trail of the spec excludes KMS management events (`exclude_management_sources: [kms.amazonaws.com]`), and this alert is on KMS events")
                .with_hint("keep KMS events in one trail, or drop the alert"),
        );
    }
    let writes: Vec<&String> = events
        .iter()
        .filter(|n| !event_sources::is_read_only(n))
        .filter(|n| !is_data_event(n))
        .collect();
    let log_writes = logging.iter().any(|t| t.management_coverage().1);
    if !writes.is_empty() && !log_writes {
        ctx.push(
            Diagnostic::lint(LintId::TrailCoverage, Severity::Warning, &at, format!("the trails of the spec log no write management events (`management_events: read_only` or `none`), and this alert is on {}", names(&writes)))
                .with_hint("log write management events in one trail"),
        );
    }
    let reads: Vec<String> = read_only_events(&a.pattern)
        .into_iter()
        .filter(|n| !is_data_event(n))
        .collect();
    let log_reads = logging.iter().any(|t| t.management_coverage().0);
    if !reads.is_empty() && !log_reads {
        ctx.push(
            Diagnostic::lint(LintId::TrailCoverage, Severity::Warning, &at, format!("the trails of the spec log no read management events (`management_events: write_only` or `none`), and this alert is on {}", names(&reads)))
                .with_hint("log read management events in one trail"),
        );
    }
}

/// A second trail logging management events in a Region another trail already logs pays for a
/// copy there.
fn management_copies(ctx: &mut Ctx, d: &Desired) {
    let mut logged: Vec<(&Trail, BTreeSet<&str>)> = Vec::new();
    for t in &d.trails {
        let (reads, writes) = t.management_coverage();
        if !(reads || writes) || !t.logging {
            continue;
        }
        let mine: BTreeSet<&str> =
            region::logged_in(&d.regions, &d.home_region, t.settings.all_regions).collect();
        if let Some((first, theirs)) = logged.iter().find(|(_, r)| !r.is_disjoint(&mine)) {
            let both: Vec<&str> = theirs.intersection(&mine).copied().collect();
            ctx.push(
                Diagnostic::lint(
                    LintId::ManagementCopy,
                    Severity::Warning,
                    &t.path.key("name"),
                    format!("trail `{}` logs management events that trail `{}` already logs in {}: the first copy in a Region is free, this one costs ${PAID_COPY:.2} per 100,000 events", t.name, first.name, both.join(", ")),
                )
                .with_hint("set `management_events: none` on this trail, or merge the two"),
            );
        }
        logged.push((t, mine));
    }
}

/// S3 data events on every bucket, or on the trail's own bucket, log the trail's own writes.
fn log_loop(ctx: &mut Ctx, t: &Trail, path: &SpecPath) {
    let own = format!("arn:aws:s3:::{}", t.settings.bucket);
    for s in &t.selectors {
        if !s.selects_data("AWS::S3::Object") {
            continue;
        }
        let arns = s.fields.iter().find(|f| f.field == "resources.ARN");
        let loops = match arns {
            None => true,
            Some(f) => f
                .starts_with
                .iter()
                .chain(&f.equals)
                .any(|p| own.starts_with(p.as_str()) || p.starts_with(&own)),
        };
        let writes_only_reads = s
            .equals_of("readOnly")
            .is_some_and(|v| v.iter().all(|x| x == "true"));
        if loops && !writes_only_reads {
            ctx.push(
                Diagnostic::lint(LintId::LogLoop, Severity::Warning, &path.key("data_events"), format!("S3 data events on {} include the trail's own bucket `{}`: every log file the trail delivers is itself logged, and logged again", if arns.is_none() { "every bucket" } else { "these ARNs" }, t.settings.bucket))
                    .with_hint("list the buckets to log under `arns:`, leaving out the trail's bucket"),
            );
            return;
        }
    }
}

/// More rules in one Region than EventBridge's default quota per event bus: found at
/// `validate`, not halfway through an apply (the quota is adjustable: raise it first).
fn rule_quota(ctx: &mut Ctx, d: &Desired) {
    let mut over_quota = false;
    for (region, alerts) in rules_per_region(d, |_| true) {
        let quota = default_rules_per_bus(&region);
        if let Some(over) = alerts.get(quota) {
            over_quota = true;
            ctx.push(
                Diagnostic::lint(LintId::RuleQuota, Severity::Warning, &over.name_path(), format!("{} alerts have a rule on the default event bus of {region}; EventBridge's default quota there is {quota} rules per event bus, so apply will fail from this one on unless the account's quota was raised (plan reads the account's quota)", alerts.len()))
                    .with_hint("raise EventBridge's \"Number of rules\" in Service Quotas for this Region first, or place fewer alerts there"),
            );
        }
    }
    if !over_quota {
        return;
    }
    for group in could_share(d) {
        let names = group_names(&group, ", ");
        ctx.push(
            Diagnostic::lint(LintId::RuleQuota, Severity::Note, &group[0].name_path(), format!("alerts {names} notify the same topics with the same message, state and Regions: one rule whose pattern is the `$or` of theirs would deliver the same (an event two of them match once instead of twice), {} rules fewer per Region", group.len() - 1))
                .with_hint("merge them into one alert with `pattern: {$or: [...]}` where the combined pattern stays within EventBridge's limits"),
        );
    }
}

/// More rules with wildcard patterns in one Region than EventBridge allows per bus.
fn wildcard_quota(ctx: &mut Ctx, d: &Desired) {
    let per_region = rules_per_region(d, |a| uses_wildcard(&a.pattern));
    for (region, alerts) in per_region {
        if let Some(over) = alerts.get(MAX_WILDCARD_RULES) {
            ctx.push(
                Diagnostic::lint(LintId::WildcardQuota, Severity::Warning, &over.name_path(), format!("{} alerts with wildcard patterns have a rule in {region}; EventBridge allows {MAX_WILDCARD_RULES} rules with wildcards per event bus, so apply will fail from this one on", alerts.len()))
                    .with_hint("use prefix, suffix or exact values where they do the job"),
            );
        }
    }
}

fn uses_wildcard(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k == "wildcard" || uses_wildcard(v)),
        Value::Array(a) => a.iter().any(uses_wildcard),
        _ => false,
    }
}
