//! Spec version 1: the root keys, regions, tags and buckets, decoded into `Desired`.

use serde_yaml::Value;

use crate::model::cost::{self, Kind, Volumes};
use crate::model::desired::{Bucket, Desired};
use crate::model::diagnostic::{Diagnostic, SpecPath};
use crate::model::region;
use crate::model::state::AccessLogging;
use crate::model::tags::Tags;
use crate::spec::alert;
use crate::spec::fields;
use crate::spec::names;
use crate::spec::org;
use crate::spec::preset;
use crate::spec::reader::{Ctx, Map, check, kind_of, tags};
use crate::spec::trail;

/// Decodes a whole spec. Every problem goes to `ctx`; the result is meaningful only when `ctx`
/// holds no errors.
pub fn decode(ctx: &mut Ctx, root: &Value) -> Option<Desired> {
    let map = Map::object(ctx, root, SpecPath::root(), fields::ROOT)?;
    version(ctx, &map);

    let stack = map.required_string(ctx, "stack").unwrap_or_default();
    if map.get("stack").is_some() && !stack.is_empty() {
        check(ctx, &map.path_of("stack"), names::stack_name(&stack));
    }
    let account = account(ctx, &map);
    let home_region = map.required_string(ctx, "home_region").unwrap_or_default();
    if !home_region.is_empty() {
        check(
            ctx,
            &map.path_of("home_region"),
            names::region(&home_region),
        );
    }
    let regions = regions(ctx, &map, &home_region);
    let tags = tags(ctx, &map, "tags");
    let buckets: Vec<Bucket> = map
        .list(ctx, "buckets")
        .into_iter()
        .filter_map(|(path, v)| bucket(ctx, v, path))
        .collect();
    let trails: Vec<crate::model::desired::Trail> = map
        .list(ctx, "trails")
        .into_iter()
        .filter_map(|(path, v)| trail::decode(ctx, v, path))
        .collect();
    let mut buckets: Vec<Bucket> = buckets;
    results_buckets(ctx, &trails, &mut buckets);
    let topics = map
        .list(ctx, "topics")
        .into_iter()
        .filter_map(|(path, v)| alert::topic(ctx, v, path))
        .collect();
    let alerts = map
        .list(ctx, "alerts")
        .into_iter()
        .flat_map(|(path, v)| {
            if preset::is_preset(v) {
                Map::object(ctx, v, path, fields::PRESET)
                    .map(|m| preset::expand(ctx, &m, &stack, &home_region))
                    .unwrap_or_default()
            } else {
                alert::alert(ctx, v, path, &stack).into_iter().collect()
            }
        })
        .collect();
    let cost = cost(ctx, &map);
    let organization = org::decode(ctx, &map);
    Some(Desired {
        stack,
        account,
        home_region,
        regions,
        tags,
        buckets,
        trails,
        topics,
        alerts,
        cost,
        organization,
        member: None,
    })
}

/// Each trail's Athena results bucket, as a bucket trailctl creates and owns (expiring results
/// after `results_retention_days`); one declared under `buckets:` as well is an error.
fn results_buckets(
    ctx: &mut Ctx,
    trails: &[crate::model::desired::Trail],
    buckets: &mut Vec<Bucket>,
) {
    for a in trails.iter().filter_map(|t| t.athena.as_ref()) {
        let path = a.path.key("results_bucket");
        if a.results_bucket.is_empty() {
            continue;
        }
        if let Some(b) = buckets.iter().find(|b| b.name == a.results_bucket) {
            if b.path.to_string().starts_with("buckets[") {
                ctx.push(
                    Diagnostic::error(
                        &path,
                        format!(
                            "bucket `{}` is also declared at {}: query results and trail logs do not share a bucket",
                            a.results_bucket, b.path
                        ),
                    )
                    .with_hint("give the results a bucket of their own"),
                );
            }
            continue;
        }
        buckets.push(Bucket {
            name: a.results_bucket.clone(),
            retention_days: Some(a.results_retention_days),
            kms_key: None,
            access_logging: None,
            tags: Tags::new(),
            path,
        });
    }
}

/// `cost: {events_per_month: {management_read: 4M, management_write: 1M, data: 20M}}`: the
/// volumes of the plan's cost estimate. Each count is a whole number or a string such as `4M`.
fn cost(ctx: &mut Ctx, map: &Map<'_>) -> Volumes {
    let mut volumes = Volumes::default();
    let Some(c) = map.get("cost") else {
        return volumes;
    };
    let Some(cost) = Map::object(ctx, c, map.path_of("cost"), fields::COST) else {
        return volumes;
    };
    let Some(e) = cost.get("events_per_month") else {
        cost.missing(ctx, "events_per_month");
        return volumes;
    };
    let Some(events) = Map::object(
        ctx,
        e,
        cost.path_of("events_per_month"),
        fields::EVENTS_PER_MONTH,
    ) else {
        return volumes;
    };
    for kind in Kind::ALL {
        let path = events.path_of(kind.key());
        let n = match events.get(kind.key()) {
            None => continue,
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
                format!("expected a count of events (a whole number, 0 or more), found {n}")
            }),
            Some(Value::String(s)) => cost::count(s),
            Some(v) => Err(format!("expected a count of events, found {}", kind_of(v))),
        };
        match n {
            Ok(n) => volumes.set(kind, n),
            Err(message) => ctx.error(&path, message),
        }
    }
    volumes
}

fn version(ctx: &mut Ctx, map: &Map<'_>) {
    let path = map.path_of("version");
    match map.get("version") {
        None => ctx.push(
            Diagnostic::error(&map.path, "missing required key `version`")
                .with_hint("start the spec with `version: 1`"),
        ),
        Some(v) if v.as_u64() == Some(1) => {}
        Some(Value::Number(n)) => ctx.push(
            Diagnostic::error(&path, format!("unsupported spec version {n}"))
                .with_hint("this trailctl reads `version: 1`"),
        ),
        Some(v) => ctx.push(
            Diagnostic::error(
                &path,
                format!("expected the number 1, found {}", kind_of(v)),
            )
            .with_hint("write `version: 1`"),
        ),
    }
}

fn account(ctx: &mut Ctx, map: &Map<'_>) -> Option<String> {
    let path = map.path_of("account");
    match map.get("account")? {
        Value::String(s) => {
            check(ctx, &path, names::account_id(s));
            Some(s.clone())
        }
        Value::Number(_) => {
            ctx.push(
                Diagnostic::error(&path, "the account id must be a quoted string")
                    .with_hint("write it in quotes, e.g. account: \"012345678901\": as a number YAML drops leading zeros"),
            );
            None
        }
        v => {
            ctx.error(&path, format!("expected a string, found {}", kind_of(v)));
            None
        }
    }
}

fn regions(ctx: &mut Ctx, map: &Map<'_>, home: &str) -> Vec<String> {
    let path = map.path_of("regions");
    let list: Vec<(SpecPath, String)> = match map.get("regions") {
        None => return vec![home.to_owned()],
        Some(Value::String(s)) if s == "all" => {
            if !home.is_empty() && region::OPT_IN.contains(&home) {
                ctx.push(
                    Diagnostic::error(
                        &path,
                        format!("`all` means the default-enabled Regions, which do not include home_region `{home}` (an opt-in Region)"),
                    )
                    .with_hint("list the Regions explicitly, including the home Region"),
                );
            }
            return region::DEFAULT_ENABLED
                .iter()
                .map(|r| (*r).to_owned())
                .collect();
        }
        Some(Value::String(s)) => {
            ctx.push(
                Diagnostic::error(
                    &path,
                    format!("expected a list of Regions or `all`, found `{s}`"),
                )
                .with_hint(format!("write `regions: [{s}]`")),
            );
            return vec![home.to_owned()];
        }
        Some(_) => map.string_list(ctx, "regions"),
    };
    let mut out: Vec<String> = Vec::new();
    for (p, r) in list {
        if r == "all" {
            ctx.push(
                Diagnostic::error(&p, "`all` cannot be mixed with a list of Regions")
                    .with_hint("write `regions: all` on its own"),
            );
        } else if out.contains(&r) {
            ctx.error(&p, format!("Region `{r}` is listed twice"));
        } else {
            check(ctx, &p, names::region(&r));
            out.push(r);
        }
    }
    if out.is_empty() {
        ctx.error(&path, "the list of Regions is empty");
    } else if !home.is_empty() && !out.iter().any(|r| r == home) {
        ctx.push(
            Diagnostic::error(&path, format!("home_region `{home}` is not in regions"))
                .with_hint(format!("add `{home}` to regions")),
        );
    }
    out
}

fn bucket(ctx: &mut Ctx, v: &Value, path: SpecPath) -> Option<Bucket> {
    let map = Map::object(ctx, v, path, fields::BUCKET)?;
    let name = map.required_string(ctx, "name").unwrap_or_default();
    if map.get("name").is_some() {
        check(ctx, &map.path_of("name"), names::bucket_name(&name));
    }
    let retention_days = map
        .integer(ctx, "retention_days")
        .and_then(|n| u32::try_from(n).ok());
    let kms_key = map.string(ctx, "kms_key");
    if let Some(k) = &kms_key {
        check(ctx, &map.path_of("kms_key"), names::kms_key(k));
    }
    let access_logging = map.get("access_logging").and_then(|v| {
        let m = Map::object(ctx, v, map.path_of("access_logging"), fields::ACCESS_LOGGING)?;
        let bucket = m.required_string(ctx, "bucket")?;
        check(ctx, &m.path_of("bucket"), names::bucket_name(&bucket));
        if bucket == name {
            ctx.error(
                &m.path_of("bucket"),
                "a bucket's access logs cannot go to the bucket itself: each log delivery would be logged in turn",
            );
        }
        let prefix = m.string(ctx, "prefix").unwrap_or_else(|| format!("{name}/"));
        Some(AccessLogging { bucket, prefix })
    });
    let tags = tags(ctx, &map, "tags");
    Some(Bucket {
        name,
        retention_days,
        kms_key,
        access_logging,
        tags,
        path: map.path.clone(),
    })
}
