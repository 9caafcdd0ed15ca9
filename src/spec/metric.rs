//! An alert's metric-filter side in the spec: `backend:`, `filter:` and `alarm:`. The filter is
//! the one written, the preset's (quoted from the Security Hub control), or said from the
//! alert's pattern where that is exact; when it cannot be, the spec is refused with why.

use serde_json::Value as Json;

use crate::filter::{Filter, Translation, from_pattern};
use crate::model::alert::{Backend, MetricAlert};
use crate::model::diagnostic::Diagnostic;
use crate::model::presets::Preset;
use crate::pattern::{Pattern, json::Json as PatternJson};
use crate::spec::fields;
use crate::spec::reader::{Ctx, Map};

/// What an alert entry says of its backend, read once per entry (a `- preset: cis` entry
/// stands for many alerts).
pub struct Settings {
    pub backend: Backend,
    threshold: u32,
    period_seconds: u32,
    /// `filter:`, parsed (`None` when absent or invalid).
    written: Option<Filter>,
}

/// `backend:`, `filter:` and `alarm:` of an alert entry.
pub fn settings(ctx: &mut Ctx, map: &Map<'_>) -> Settings {
    let backend = map
        .choice(ctx, "backend")
        .and_then(|b| Backend::parse(&b))
        .unwrap_or(Backend::EventBridge);
    let (threshold, period_seconds) = alarm(ctx, map);
    let mut written = None;
    if !backend.metric_filter() {
        for key in ["filter", "alarm"] {
            if map.get(key).is_some() {
                ctx.push(
                    Diagnostic::error(
                        &map.path_of(key),
                        format!("`{key}:` is for the metric-filter backend; this alert deploys EventBridge rules only"),
                    )
                    .with_hint("add `backend: metric_filter` (or `both`), or remove it")
                    .at_key(),
                );
            }
        }
    } else if map.get("filter").is_some() {
        written = map
            .string(ctx, "filter")
            .and_then(|text| match Filter::parse(&text) {
                Ok(f) => Some(f),
                Err(e) => {
                    ctx.error(
                        &map.path_of("filter"),
                        format!("invalid CloudWatch Logs filter pattern: {e}"),
                    );
                    None
                }
            });
    }
    Settings {
        backend,
        threshold,
        period_seconds,
        written,
    }
}

/// The metric filter and alarm of one alert of the entry (`None` for EventBridge only, or when
/// there is no filter, which is reported). `pattern` is the alert's validated EventBridge
/// pattern (`None` when it was invalid).
pub fn metric(
    ctx: &mut Ctx,
    map: &Map<'_>,
    s: &Settings,
    pattern: Option<&Json>,
    preset: Option<&Preset>,
) -> Option<MetricAlert> {
    if !s.backend.metric_filter() {
        return None;
    }
    if map.get("filter").is_some() && s.written.is_none() {
        return None;
    }
    let text = match (&s.written, preset) {
        (Some(f), _) => return Some(metric_alert(f.clone(), s)),
        (
            None,
            Some(Preset {
                filter: Some(text), ..
            }),
        ) => text.clone(),
        (None, _) => {
            let p = pattern?;
            let compiled = match Pattern::from_json(&PatternJson::from_value(p)) {
                Ok(c) => c,
                Err(_) => return None,
            };
            match from_pattern(&compiled) {
                Translation::Exact(text) => text,
                Translation::Untranslatable(why) => {
                    let whose = preset.map_or("this alert's pattern".to_owned(), |p| {
                        format!("preset `{}`", p.id)
                    });
                    ctx.push(
                        Diagnostic::error(
                            &map.path_of("backend"),
                            format!("{whose} has no exact CloudWatch Logs filter: {why}"),
                        )
                        .with_hint(if preset.is_some() {
                            "deploy this preset on `backend: eventbridge`"
                        } else {
                            "write the filter yourself with `filter:`, or keep `backend: eventbridge`"
                        }),
                    );
                    return None;
                }
            }
        }
    };
    // A preset's text and a translation parse (unit tests hold both to it); were one not to,
    // the spec is refused rather than deployed with a filter trailctl cannot read.
    match Filter::parse(&text) {
        Ok(f) => Some(metric_alert(f, s)),
        Err(e) => {
            ctx.error(
                &map.path_of("backend"),
                format!("internal: the filter `{text}` does not parse: {e}"),
            );
            None
        }
    }
}

fn metric_alert(filter: Filter, s: &Settings) -> MetricAlert {
    MetricAlert {
        filter,
        threshold: s.threshold,
        period_seconds: s.period_seconds,
    }
}

/// `alarm: {threshold, period}`, defaulted. CloudWatch takes periods of 10, 30 or a multiple
/// of 60 seconds (PutMetricAlarm `Period`).
fn alarm(ctx: &mut Ctx, map: &Map<'_>) -> (u32, u32) {
    let defaults = (
        crate::model::alert::DEFAULT_THRESHOLD,
        crate::model::alert::DEFAULT_PERIOD_SECONDS,
    );
    let Some(v) = map.get("alarm") else {
        return defaults;
    };
    let Some(a) = Map::object(ctx, v, map.path_of("alarm"), fields::ALARM) else {
        return defaults;
    };
    let to_u32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let threshold = a
        .integer_or_default(ctx, "threshold")
        .map_or(defaults.0, to_u32);
    let period = a
        .integer_or_default(ctx, "period")
        .map_or(defaults.1, to_u32);
    if !(period == 10 || period == 30 || period % 60 == 0) {
        ctx.error(
            &a.path_of("period"),
            format!("CloudWatch alarms take a period of 10, 30 or a multiple of 60 seconds, not {period}"),
        );
    }
    (threshold, period)
}
