//! Spec version 1: one trail, its event selectors and Insights, decoded and checked.

use std::collections::BTreeSet;

use serde_yaml::Value;

use crate::model::athena::{
    Athena, DEFAULT_RESULTS_RETENTION_DAYS, MIN_BYTES_SCANNED_CUTOFF, size as athena_size,
};
use crate::model::desired::{Insight, InsightType, Trail};
use crate::model::diagnostic::{Diagnostic, LintId, Severity, SpecPath};
use crate::model::selector::{
    self, Access, AdvancedSelector, DataEvents, EXCLUDABLE_SOURCES, FieldSelector,
    ManagementEvents, RESOURCE_SHORT_NAMES,
};
use crate::model::state::TrailSettings;
use crate::spec::cloudwatch;
use crate::spec::fields;
use crate::spec::names;
use crate::spec::reader::{Ctx, Map, one_of};
use crate::spec::reader::{check, tags};

/// CloudTrail: at most 500 values across all conditions of all advanced selectors of a trail.
pub const MAX_SELECTOR_VALUES: usize = 500;
/// CloudTrail `S3KeyPrefix`: at most 200 characters.
const MAX_PREFIX: usize = 200;

pub fn decode(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<Trail> {
    let map = Map::object(ctx, v, path, fields::TRAIL)?;
    let name = map.required_string(ctx, "name").unwrap_or_default();
    if map.get("name").is_some() {
        check(ctx, &map.path_of("name"), names::trail_name(&name));
    }
    let all_regions = map.bool(ctx, "all_regions");
    let global_service_events = map.bool(ctx, "global_service_events");
    if all_regions && !global_service_events {
        ctx.push(
            Diagnostic::error(
                &map.path_of("global_service_events"),
                "a trail that logs all Regions must include global service events",
            )
            .with_hint("remove `global_service_events: false`, or set `all_regions: false`"),
        );
    }
    let bucket = map.required_string(ctx, "bucket").unwrap_or_default();
    if map.get("bucket").is_some() {
        check(ctx, &map.path_of("bucket"), names::bucket_name(&bucket));
    }
    // An empty prefix is no prefix, as CloudTrail treats it.
    let prefix = map.string(ctx, "prefix").filter(|p| !p.is_empty());
    if prefix
        .as_ref()
        .is_some_and(|p| p.chars().count() > MAX_PREFIX)
    {
        ctx.error(
            &map.path_of("prefix"),
            format!("an S3 key prefix has at most {MAX_PREFIX} characters"),
        );
    }
    let kms_key = trail_kms_key(ctx, &map);
    let log_file_validation = map.bool(ctx, "log_file_validation");
    let (cloudwatch_logs, log_group) = cloudwatch::cloudwatch_logs(ctx, &map);
    let delivery_topic = map.string(ctx, "delivery_topic");
    if let Some(t) = &delivery_topic {
        check(
            ctx,
            &map.path_of("delivery_topic"),
            names::topic_name_or_arn(t),
        );
    }
    let organization = map.bool(ctx, "organization");
    let logging = map.bool(ctx, "logging");
    let selectors = selectors(ctx, &map);
    let insights = insights(ctx, &map, &selectors);
    let tags = tags(ctx, &map, "tags");
    let athena = map
        .get("athena")
        .and_then(|v| athena(ctx, v, map.path_of("athena")));
    Some(Trail {
        name,
        settings: TrailSettings {
            all_regions,
            global_service_events,
            bucket,
            prefix,
            kms_key,
            log_file_validation,
            cloudwatch_logs,
            delivery_topic,
            organization,
        },
        logging,
        selectors,
        insights,
        tags,
        athena,
        log_group,
        path: map.path.clone(),
    })
}

/// `athena:` of a trail.
fn athena(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<Athena> {
    let map = Map::object(ctx, v, path, fields::ATHENA)?;
    let database = map.required_checked(ctx, "database", |n| names::glue_name(n, "database"));
    let table = map.text_or_default(ctx, "table");
    check(
        ctx,
        &map.path_of("table"),
        names::glue_name(&table, "table"),
    );
    let workgroup = map.required_checked(ctx, "workgroup", names::workgroup_name);
    let results_bucket = map.required_checked(ctx, "results_bucket", names::bucket_name);
    let results_retention_days = map
        .integer(ctx, "results_retention_days")
        .unwrap_or(DEFAULT_RESULTS_RETENTION_DAYS);
    let bytes_scanned_cutoff = map.get("bytes_scanned_cutoff").and_then(|v| {
        let n = match v {
            Value::Number(n) => n
                .as_u64()
                .ok_or_else(|| format!("`{n}` is not a number of bytes")),
            Value::String(s) => athena_size(s),
            other => Err(format!(
                "expected a size such as 10GB, found {}",
                crate::spec::reader::kind_of(other)
            )),
        }
        .and_then(|n| {
            if n >= MIN_BYTES_SCANNED_CUTOFF {
                Ok(n)
            } else {
                Err("Athena's smallest bytes-scanned cutoff is 10MB (10000000 bytes)".to_owned())
            }
        });
        n.map_err(|e| ctx.error(&map.path_of("bytes_scanned_cutoff"), e))
            .ok()
    });
    Some(Athena {
        database,
        table,
        workgroup,
        results_bucket,
        results_retention_days: u32::try_from(results_retention_days).unwrap_or(u32::MAX),
        bytes_scanned_cutoff,
        path: map.path.clone(),
    })
}

fn trail_kms_key(ctx: &mut Ctx, map: &Map<'_>) -> Option<String> {
    let key = map.string(ctx, "kms_key")?;
    let path = map.path_of("kms_key");
    if key.starts_with("alias/aws/") || key.contains(":alias/aws/") {
        ctx.push(
            Diagnostic::error(
                &path,
                format!("`{key}` is an AWS managed key; CloudTrail needs a customer managed key"),
            )
            .with_hint(
                "create a customer managed key whose policy lets cloudtrail.amazonaws.com encrypt",
            ),
        );
    } else {
        check(ctx, &path, names::kms_key(&key));
    }
    Some(key)
}

/// The trail's advanced selectors, from `management_events`, `exclude_management_sources` and
/// either `data_events` or raw `advanced_event_selectors`.
fn selectors(ctx: &mut Ctx, map: &Map<'_>) -> Vec<AdvancedSelector> {
    let management = map
        .choice(ctx, "management_events")
        .and_then(|s| ManagementEvents::parse(&s))
        .unwrap_or(ManagementEvents::All);
    let mut excluded = Vec::new();
    for (p, s) in map.string_list(ctx, "exclude_management_sources") {
        if !EXCLUDABLE_SOURCES.contains(&s.as_str()) {
            ctx.push(
                Diagnostic::error(
                    &p,
                    format!("management events from `{s}` cannot be excluded"),
                )
                .with_hint(format!(
                    "CloudTrail can exclude only: {}",
                    EXCLUDABLE_SOURCES.join(", ")
                )),
            );
        } else if excluded.contains(&s) {
            ctx.error(&p, format!("`{s}` is listed twice"));
        } else {
            excluded.push(s);
        }
    }
    if management == ManagementEvents::None && !excluded.is_empty() {
        ctx.error(
            &map.path_of("exclude_management_sources"),
            "there are no management events to exclude sources from (management_events: none)",
        );
    }

    let data: Vec<AdvancedSelector> = map
        .list(ctx, "data_events")
        .into_iter()
        .filter_map(|(p, v)| data_events(ctx, v, p))
        .map(|d| d.to_selector())
        .collect();
    let raw: Vec<AdvancedSelector> = map
        .list(ctx, "advanced_event_selectors")
        .into_iter()
        .filter_map(|(p, v)| raw_selector(ctx, v, p))
        .collect();
    if !data.is_empty() && !raw.is_empty() {
        ctx.push(
            Diagnostic::error(
                &map.path_of("advanced_event_selectors"),
                "a trail takes either data_events or advanced_event_selectors, not both",
            )
            .with_hint(
                "move the data_events into advanced_event_selectors, or the other way round",
            ),
        );
    }

    let raw_has_management = raw
        .iter()
        .any(|s| s.management_coverage() != (false, false));
    let mut out = Vec::new();
    if raw_has_management {
        for key in ["management_events", "exclude_management_sources"] {
            if map.get(key).is_some() {
                ctx.push(
                    Diagnostic::error(
                        &map.path_of(key),
                        format!("`{key}` conflicts with the Management selector in advanced_event_selectors"),
                    )
                    .with_hint("say which management events to log in one place")
                    .at_key(),
                );
            }
        }
    } else if let Some(s) = selector::management_selector(management, &excluded) {
        out.push(s);
    }
    out.extend(data);
    out.extend(raw);

    let values: usize = out.iter().map(AdvancedSelector::value_count).sum();
    if values > MAX_SELECTOR_VALUES {
        ctx.error(
            &map.path,
            format!("the trail's event selectors have {values} values; CloudTrail allows {MAX_SELECTOR_VALUES} per trail"),
        );
    }
    if out.is_empty() {
        ctx.push(
            Diagnostic::warning(&map.path, "this trail logs no events")
                .with_hint("set management_events, or add data_events"),
        );
    }
    out
}

fn data_events(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<DataEvents> {
    let map = Map::object(ctx, v, path, fields::DATA_EVENTS)?;
    let resource = map.required_string(ctx, "resource")?;
    let rpath = map.path_of("resource");
    let (resource_type, arn_service) = match RESOURCE_SHORT_NAMES.iter().find(|r| r.0 == resource) {
        Some((_, t, service)) => ((*t).to_owned(), Some(*service)),
        None if is_resource_type(&resource) => (resource.clone(), None),
        None => {
            let shorts: Vec<&str> = RESOURCE_SHORT_NAMES.iter().map(|r| r.0).collect();
            let hint = match crate::spec::suggest::closest(&resource, shorts.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "use one of {} or a type like `AWS::S3Express::Object`",
                    shorts.join(", ")
                ),
            };
            ctx.push(
                Diagnostic::error(&rpath, format!("unknown data event resource `{resource}`"))
                    .with_hint(hint),
            );
            return None;
        }
    };
    let mut arn_prefixes = Vec::new();
    for (p, a) in map.string_list(ctx, "arns") {
        match data_arn_fits(&a, &resource, arn_service) {
            Ok(()) => arn_prefixes.push(a),
            Err((msg, hint)) => ctx.push(Diagnostic::error(&p, msg).with_hint(hint)),
        }
    }
    let access = map
        .choice(ctx, "access")
        .and_then(|s| Access::parse(&s))
        .unwrap_or(Access::All);
    let mut event_names = Vec::new();
    for (p, e) in map.string_list(ctx, "events") {
        if e.is_empty() || !e.chars().all(|c| c.is_ascii_alphanumeric()) {
            ctx.error(
                &p,
                format!("`{e}` is not an API event name (like PutObject)"),
            );
        } else {
            event_names.push(e);
        }
    }
    Some(DataEvents {
        resource_type,
        arn_prefixes,
        access,
        event_names,
    })
}

/// `AWS::Service::Type`.
fn is_resource_type(s: &str) -> bool {
    let parts: Vec<&str> = s.split("::").collect();
    parts.len() == 3
        && parts[0] == "AWS"
        && parts[1..]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether an ARN prefix can name resources of the data-event type.
fn data_arn_fits(arn: &str, resource: &str, service: Option<&str>) -> Result<(), (String, String)> {
    let parsed = names::arn(arn).map_err(|e| {
        (
            e,
            "ARN prefixes look like arn:aws:s3:::my-bucket/".to_owned(),
        )
    })?;
    let Some(service) = service else {
        return Ok(());
    };
    if parsed.service != service {
        return Err((
            format!(
                "`{arn}` is an ARN of service `{}`, which cannot name `{resource}` resources",
                parsed.service
            ),
            format!("{resource} ARNs start with `arn:aws:{service}:`"),
        ));
    }
    if service == "s3" && !parsed.resource.contains('/') {
        return Err((
            format!(
                "`{arn}` has no `/` after the bucket name, so it also matches every bucket whose name starts with `{}`",
                parsed.resource
            ),
            format!("write `{arn}/` to select the objects of that bucket"),
        ));
    }
    Ok(())
}

fn raw_selector(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<AdvancedSelector> {
    let map = Map::object(ctx, v, path, fields::SELECTOR)?;
    let name = map.string(ctx, "Name");
    let items = map.list(ctx, "FieldSelectors");
    if items.is_empty() {
        ctx.error(
            &map.path,
            "an advanced event selector needs at least one entry in `FieldSelectors`",
        );
        return None;
    }
    let mut fields = Vec::new();
    for (p, item) in items {
        let Some(f) = Map::object(ctx, item, p, fields::FIELD_SELECTOR) else {
            continue;
        };
        let Some(field) = f.choice(ctx, "Field") else {
            if f.get("Field").is_none() {
                ctx.error(&f.path, "missing required key `Field`");
            }
            continue;
        };
        let mut list = |op: &str| -> Vec<String> {
            f.string_list(ctx, op).into_iter().map(|(_, s)| s).collect()
        };
        let fs = FieldSelector {
            field,
            equals: list("Equals"),
            starts_with: list("StartsWith"),
            ends_with: list("EndsWith"),
            not_equals: list("NotEquals"),
            not_starts_with: list("NotStartsWith"),
            not_ends_with: list("NotEndsWith"),
        };
        if fs.value_count() == 0 {
            ctx.push(
                Diagnostic::error(
                    &f.path,
                    format!("field selector `{}` has no condition", fs.field),
                )
                .with_hint(format!(
                    "add one of: {}",
                    fields::keys(&fields::FIELD_SELECTOR[1..]).join(", ")
                )),
            );
        }
        fields.push(fs);
    }
    let s = AdvancedSelector { name, fields };
    match s.equals_of("eventCategory") {
        None => ctx.push(
            Diagnostic::error(
                &map.path,
                "an advanced event selector must set `eventCategory` with Equals",
            )
            .with_hint("add {Field: eventCategory, Equals: [Data]} (or Management)"),
        ),
        Some(c) if c.iter().any(|c| c == "Data") && s.equals_of("resources.type").is_none() => {
            ctx.push(
                Diagnostic::error(
                    &map.path,
                    "a data event selector must set `resources.type` with Equals",
                )
                .with_hint("add {Field: resources.type, Equals: [AWS::S3::Object]} for example"),
            );
        }
        Some(_) => {}
    }
    Some(s)
}

/// One `insights:` item: a type name (management events), or `{type, events}`.
fn insight(ctx: &mut Ctx, v: &Value, p: &SpecPath) -> Option<Insight> {
    if !matches!(v, Value::Mapping(_)) {
        return one_of(ctx, v, p, InsightType::NAMES)
            .and_then(|s| InsightType::parse(&s))
            .map(Insight::management);
    }
    let m = Map::object(ctx, v, p.clone(), fields::INSIGHT)?;
    let kind = m
        .required_string(ctx, "type")
        .and_then(|_| m.get("type"))
        .and_then(|t| one_of(ctx, t, &m.path_of("type"), InsightType::NAMES))
        .and_then(|s| InsightType::parse(&s));
    let mut events = BTreeSet::new();
    for (ep, e) in m.list(ctx, "events") {
        if let Some(name) = one_of(ctx, e, &ep, fields::INSIGHT_EVENTS)
            && !events.insert(name.clone())
        {
            ctx.error(&ep, format!("`{name}` is listed twice"));
        }
    }
    if m.get("events").is_none() {
        ctx.error(&m.path, "missing required key `events`");
    } else if events.is_empty() {
        ctx.push(
            Diagnostic::error(&m.path_of("events"), "`events` lists no event category")
                .with_hint("management, data, or both"),
        );
        return None;
    }
    Some(Insight {
        kind: kind?,
        management: events.contains("management"),
        data: events.contains("data"),
    })
}

fn insights(ctx: &mut Ctx, map: &Map<'_>, selectors: &[AdvancedSelector]) -> BTreeSet<Insight> {
    let mut out = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    let (reads, writes) = selector::coverage(selectors);
    let data_logged = selectors.iter().any(|s| s.selects("eventCategory", "Data"));
    for (p, v) in map.list(ctx, "insights") {
        let Some(i) = insight(ctx, v, &p) else {
            continue;
        };
        if !kinds.insert(i.kind) {
            ctx.error(&p, format!("`{}` is listed twice", i.kind.name()));
            continue;
        }
        out.insert(i);
        let (ok, needs) = match i.kind {
            InsightType::ApiCallRate => (writes, "write management events"),
            InsightType::ApiErrorRate => (reads || writes, "read or write management events"),
        };
        if i.management && !ok {
            ctx.push(
                Diagnostic::error(
                    &p,
                    format!("this Insights type analyses {needs}, which the trail does not log"),
                )
                .with_hint("log them with management_events: all"),
            );
        }
        if i.data && !data_logged {
            ctx.push(
                Diagnostic::lint(
                    LintId::InsightsWithoutData,
                    Severity::Warning,
                    &p,
                    "Insights on data events, but the trail logs no data events: it has nothing to analyse",
                )
                .with_hint("add data_events to the trail, or remove `data` from `events`"),
            );
        }
    }
    out
}
