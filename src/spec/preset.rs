//! `- preset: ID` (or a whole set: `- preset: cis`) in `alerts:`: the catalogue's alerts, with
//! the spec's `notify:` and optional `name`, `message`, `regions` and `enabled` overrides. Each
//! preset's fixtures become the alert's tests, so `trailctl test` runs them.

use serde_yaml::Value;

use crate::model::alert::{Alert, AlertTest, Payload, Placement, TestRecord};
use crate::model::diagnostic::Diagnostic;
use crate::model::event_sources::GLOBAL_REGION;
use crate::model::presets::{self, Preset, Scope};
use crate::spec::alert::{alert_name, message_check, notify, placement};
use crate::spec::metric;
use crate::spec::reader::check;
use crate::spec::reader::{Ctx, Map};

/// Whether an `alerts:` entry names a preset.
pub fn is_preset(v: &Value) -> bool {
    v.get("preset").is_some()
}

/// The alerts a `- preset:` entry stands for.
pub fn expand(ctx: &mut Ctx, map: &Map<'_>, stack: &str, home: &str) -> Vec<Alert> {
    let Some(id) = map.string(ctx, "preset") else {
        return Vec::new();
    };
    let chosen: Vec<&Preset> = match presets::find(&id) {
        Some(p) => vec![p],
        None if presets::SETS.contains(&id.as_str()) => presets::set(&id),
        None => {
            ctx.push(
                Diagnostic::error(&map.path_of("preset"), format!("unknown preset `{id}`"))
                    .with_hint(hint(&id)),
            );
            return Vec::new();
        }
    };
    let mut name = map.string(ctx, "name");
    if name.is_some() && chosen.len() > 1 {
        ctx.error(
            &map.path_of("name"),
            format!(
                "`name` renames one preset; `{id}` is a set of {}",
                chosen.len()
            ),
        );
        name = None;
    }
    if let Some(n) = &name {
        check(ctx, &map.path_of("name"), alert_name(n, Some(stack)));
    } else {
        for p in &chosen {
            check(ctx, &map.path_of("preset"), alert_name(&p.id, Some(stack)));
        }
    }
    let topics = notify(ctx, map);
    let message = map.string(ctx, "message");
    if let Some(m) = &message {
        check(ctx, &map.path_of("message"), message_check(m));
    }
    let regions = map.get("regions").map(|_| placement(ctx, map));
    let enabled = map.bool(ctx, "enabled");
    let settings = metric::settings(ctx, map);
    chosen
        .into_iter()
        .map(|p| {
            let metric = metric::metric(ctx, map, &settings, Some(&p.pattern), Some(p));
            let placement = regions.clone().unwrap_or(match p.scope {
                Scope::UsEast1 => Placement::List(vec![GLOBAL_REGION.to_owned()]),
                Scope::AllRegions | Scope::SignIn => Placement::All,
            });
            let region = match &placement {
                Placement::List(l) => l.first().map_or(home, String::as_str),
                _ => p.scope.fixture_region(home),
            }
            .to_owned();
            Alert {
                name: name.clone().unwrap_or_else(|| p.id.clone()),
                rule: None,
                description: Some(p.title.clone()),
                pattern: p.pattern.clone(),
                notify: topics.clone(),
                payload: Payload::Message(message.clone().or_else(|| p.message.clone())),
                placement,
                enabled,
                read_only_events: Some(p.read_only_events),
                tests: fixtures(p, &region, map),
                backend: settings.backend,
                metric,
                tags: Default::default(),
                preset: Some(p.id.clone()),
                path: map.path.clone(),
            }
        })
        .collect()
}

/// The preset's fixtures as tests, each record arriving in `region`.
fn fixtures(p: &Preset, region: &str, map: &Map<'_>) -> Vec<AlertTest> {
    let f = &p.fixtures;
    f.matching
        .iter()
        .map(|x| (x, true))
        .chain(f.no_match.iter().map(|x| (x, false)))
        .map(|(x, expect_match)| {
            let mut record = x.record.clone();
            record["awsRegion"] = serde_json::Value::String(region.to_owned());
            AlertTest {
                record: TestRecord::Inline(record),
                expect_match,
                expect_filter: x.filter_differs.clone().map(|why| (!expect_match, why)),
                path: map.path_of("preset"),
            }
        })
        .collect()
}

fn hint(id: &str) -> String {
    let close: Vec<&str> = presets::all()
        .iter()
        .map(|p| p.id.as_str())
        .filter(|p| {
            let stem = id.split('-').take(2).collect::<Vec<_>>().join("-");
            !stem.is_empty() && p.starts_with(&stem)
        })
        .take(3)
        .collect();
    if close.is_empty() {
        format!(
            "a preset id or a set ({}); `trailctl presets list` shows them all",
            presets::SETS.join(", ")
        )
    } else {
        format!(
            "did you mean {}? `trailctl presets list` shows them all",
            close.join(", ")
        )
    }
}
