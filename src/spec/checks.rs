//! Checks across the whole spec: duplicate names, per-Region quotas, bucket references, tag counts.

use std::collections::HashMap;

use crate::model::desired::Desired;
use crate::model::diagnostic::{Diagnostic, SpecPath};
use crate::spec::reader::Ctx;
use crate::spec::suggest;

/// CloudTrail: at most 5 trails per Region (a multi-Region trail counts in every Region).
pub const MAX_TRAILS_PER_REGION: usize = 5;
/// Tags per resource, ownership tags included (CloudTrail and S3 both allow 50).
const MAX_TAGS: usize = 50;
const OWNERSHIP_TAGS: usize = 2;

pub fn run(ctx: &mut Ctx, d: &Desired) {
    let root = SpecPath::root();
    let named = |path: &SpecPath| path.key("name");
    duplicates(
        ctx,
        "bucket",
        d.buckets.iter().map(|b| (b.name.as_str(), named(&b.path))),
    );
    duplicates(
        ctx,
        "trail",
        d.trails.iter().map(|t| (t.name.as_str(), named(&t.path))),
    );
    duplicates(
        ctx,
        "topic",
        d.topics.iter().map(|t| (t.name.as_str(), named(&t.path))),
    );
    duplicate_alerts(ctx, d);
    crate::spec::org::check(ctx, d);
    let athena: Vec<&crate::model::athena::Athena> =
        d.trails.iter().filter_map(|t| t.athena.as_ref()).collect();
    let tables: Vec<(String, SpecPath)> = athena
        .iter()
        .map(|a| (format!("{}.{}", a.database, a.table), a.path.key("table")))
        .collect();
    duplicates(
        ctx,
        "table",
        tables.iter().map(|(n, p)| (n.as_str(), p.clone())),
    );
    duplicates(
        ctx,
        "workgroup",
        athena
            .iter()
            .map(|a| (a.workgroup.as_str(), a.path.key("workgroup"))),
    );
    notify_references(ctx, d);
    duplicates(
        ctx,
        "log group",
        d.trails.iter().filter_map(|t| {
            let g = t.log_group.as_ref()?;
            Some((g.name.as_str(), g.path.key("log_group")))
        }),
    );
    metric_log_group(ctx, d);

    // Every resource carries the spec's tags and the ownership tags; report that excess once, at
    // `tags`, and a trail only when its own tags are what push it over.
    let shared_tags = d.tags.len() + OWNERSHIP_TAGS;
    if shared_tags > MAX_TAGS {
        ctx.error(
            &root.key("tags"),
            format!(
                "{} tags plus the 2 ownership tags exceed the {MAX_TAGS} tags AWS allows per resource",
                d.tags.len()
            ),
        );
    }

    // Every trail lives in the home Region, so the home Region holds them all.
    if d.trails.len() > MAX_TRAILS_PER_REGION {
        ctx.push(
            Diagnostic::error(
                &root.key("trails").index(MAX_TRAILS_PER_REGION),
                format!(
                    "{} trails would exist in {}; CloudTrail allows {MAX_TRAILS_PER_REGION} per Region",
                    d.trails.len(),
                    d.home_region
                ),
            )
            .with_hint("one all-Region trail with more selectors usually replaces several trails"),
        );
    }

    for t in &d.trails {
        let path = &t.path;
        let declared = d.buckets.iter().any(|b| b.name == t.settings.bucket);
        if !declared && !t.settings.bucket.is_empty() {
            let names = d.buckets.iter().map(|b| b.name.as_str());
            if let Some(near) = suggest::closest(&t.settings.bucket, names) {
                ctx.push(
                    Diagnostic::warning(
                        &path.key("bucket"),
                        format!(
                            "bucket `{}` is not declared under buckets, so it must already exist",
                            t.settings.bucket
                        ),
                    )
                    .with_hint(format!("did you mean `{near}`, declared under buckets?")),
                );
            }
        }
    }
    for b in &d.buckets {
        let Some(l) = &b.access_logging else { continue };
        if let Some(target) = d.buckets.iter().find(|t| t.name == l.bucket)
            && target.kms_key.is_some()
        {
            ctx.push(
                Diagnostic::error(
                    &b.path.key("access_logging").key("bucket"),
                    format!(
                        "bucket `{}` is encrypted with a KMS key: S3 delivers server access logs only to buckets encrypted with S3-managed keys (SSE-S3)",
                        l.bucket
                    ),
                )
                .with_hint("send the access logs to a bucket without `kms_key:`"),
            );
        }
    }
    if shared_tags <= MAX_TAGS {
        let owned = d
            .trails
            .iter()
            .map(|t| ("trail", t.tags.len(), &t.path))
            .chain(d.buckets.iter().map(|b| ("bucket", b.tags.len(), &b.path)))
            .chain(d.topics.iter().map(|t| ("topic", t.tags.len(), &t.path)))
            .chain(d.alerts.iter().map(|a| ("rule", a.tags.len(), &a.path)));
        for (what, own, path) in owned {
            let count = shared_tags + own;
            if count > MAX_TAGS {
                ctx.error(
                    &path.key("tags"),
                    format!("the {what} would carry {count} tags (spec tags, its own and 2 ownership tags); AWS allows {MAX_TAGS}"),
                );
            }
        }
    }
}

/// Names declared twice, each reported at its own place (`at`: where the name is written).
/// Items that could not be read are not in the lists, so a position in them is not a place in
/// the spec.
fn duplicates<'a>(ctx: &mut Ctx, what: &str, items: impl Iterator<Item = (&'a str, SpecPath)>) {
    let mut first: HashMap<&str, SpecPath> = HashMap::new();
    for (name, at) in items {
        if name.is_empty() {
            continue;
        }
        if let Some(earlier) = first.get(name) {
            ctx.error(
                &at,
                format!("{what} `{name}` is declared twice (first at {earlier})"),
            );
        } else {
            first.insert(name, at);
        }
    }
}

/// Alert names are unique, and so are their rules' names; a preset set counts each of its alerts.
fn duplicate_alerts(ctx: &mut Ctx, d: &Desired) {
    let mut rules: HashMap<String, &SpecPath> = HashMap::new();
    for a in d.alerts.iter().filter(|a| !a.name.is_empty()) {
        let rule = a.rule_name(&d.stack);
        match rules.get(&rule) {
            Some(at) if a.rule.is_some() => ctx.error(
                &a.path.key("rule"),
                format!("rule `{rule}` is already the rule of the alert at {at}"),
            ),
            _ => {
                rules.insert(rule, &a.path);
            }
        }
    }
    let mut first: HashMap<&str, &SpecPath> = HashMap::new();
    for a in d.alerts.iter().filter(|a| !a.name.is_empty()) {
        if let Some(at) = first.get(a.name.as_str()) {
            ctx.error(
                &a.name_path(),
                format!("alert `{}` is declared twice (first at {at})", a.name),
            );
        } else {
            first.insert(&a.name, &a.path);
        }
    }
}

/// Metric-filter alerts go on the one log group the spec's trails deliver to.
fn metric_log_group(ctx: &mut Ctx, d: &Desired) {
    let delivering: Vec<&str> = d
        .trails
        .iter()
        .filter(|t| t.log_group_name().is_some())
        .map(|t| t.name.as_str())
        .collect();
    if delivering.len() == 1 {
        return;
    }
    for a in d.alerts.iter().filter(|a| a.backend.metric_filter()) {
        let message = if delivering.is_empty() {
            "a metric-filter alert needs a trail that delivers to CloudWatch Logs: none does"
                .to_owned()
        } else {
            format!(
                "metric filters go on one log group, and {} trails deliver to CloudWatch Logs ({})",
                delivering.len(),
                delivering.join(", ")
            )
        };
        ctx.push(
            Diagnostic::error(&a.path.key("backend"), message).with_hint(
                "give one trail `cloudwatch_logs: {log_group: NAME}` (built by trailctl) or the ARNs of an existing log group",
            ),
        );
    }
}

/// Every `notify` entry names a topic under `topics`.
fn notify_references(ctx: &mut Ctx, d: &Desired) {
    let names: Vec<&str> = d.topics.iter().map(|t| t.name.as_str()).collect();
    for a in &d.alerts {
        for (j, topic) in a.notify.iter().enumerate() {
            if names.contains(&topic.as_str()) {
                continue;
            }
            let hint = match suggest::closest(topic, names.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "declare it under `topics:`".to_owned(),
            };
            ctx.push(
                Diagnostic::error(
                    &a.path.key("notify").index(j),
                    format!("topic `{topic}` is not declared under topics"),
                )
                .with_hint(hint),
            );
        }
    }
}
