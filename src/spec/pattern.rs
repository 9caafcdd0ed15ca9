//! An alert's raw EventBridge pattern in the spec: its shape checked with YAML-minded hints,
//! then the full EventBridge validation of the pattern engine, every error at its spec path; and
//! the warnings where the service may not behave as its engine does.

use serde_json::Value as Json;
use serde_yaml::Value;

use crate::model::diagnostic::{Diagnostic, SpecPath};
use crate::pattern::{self, Matcher, Pattern, Step, ambiguous_ipv4};
use crate::spec::reader::Ctx;

/// A raw EventBridge pattern: a mapping whose leaves are non-empty lists. (Full EventBridge
/// validation belongs to the pattern engine.)
pub fn raw_pattern(ctx: &mut Ctx, v: &Value, path: &SpecPath) -> Option<Json> {
    let Ok(json) = serde_json::to_value(v) else {
        ctx.error(path, "the pattern cannot be expressed as JSON");
        return None;
    };
    let before = ctx.diagnostics.len();
    pattern_shape(ctx, &json, path, true);
    if ctx.diagnostics.len() == before {
        engine_check(ctx, &json, path);
    }
    (ctx.diagnostics.len() == before).then_some(json)
}

/// The full EventBridge validation of a pattern (operators, ranges, wildcards, CIDR…), the
/// error placed at the pattern's own path in the spec.
fn engine_check(ctx: &mut Ctx, json: &Json, path: &SpecPath) {
    let errors = match Pattern::compile(&pattern::json::Json::from_value(json)) {
        Ok(p) => {
            numeric_range_warning(ctx, &p, path);
            unmatchable_text_warning(ctx, &p, path);
            return;
        }
        Err(errors) => errors,
    };
    for e in errors {
        let mut at = path.clone();
        for step in &e.path {
            at = match step {
                Step::Key(k) => at.key(k),
                Step::Index(i) => at.index(*i),
            };
        }
        ctx.error(&at, format!("invalid event pattern: {}", e.message));
    }
}

/// Where EventBridge is documented to differ from its engine: the user guide ("Content filtering
/// in Amazon EventBridge event patterns", numeric matching) limits numeric matching to values
/// between -1.0e9 and +1.0e9 (older editions: 5.0e9), six digits after the point; event-ruler,
/// which trailctl follows, compares any double. A range bound beyond that may not behave the
/// same in the service, so it is said.
fn numeric_range_warning(ctx: &mut Ctx, p: &Pattern, path: &SpecPath) {
    const DOCUMENTED_LIMIT: f64 = 1.0e9;
    for f in p.branches.iter().flat_map(|b| &b.fields) {
        let beyond = f.matchers.iter().any(|m| {
            matches!(m, Matcher::Range(r)
                if [r.low, r.high].iter().any(|v| v.is_finite() && v.abs() > DOCUMENTED_LIMIT))
        });
        if beyond {
            ctx.push(
                Diagnostic::warning(
                    path,
                    format!("`{}`: a numeric bound beyond ±1.0e9, the range EventBridge documents for numeric matching", f.path),
                )
                .with_hint("trailctl test compares any double, as AWS's event-ruler does; the service may not"),
            );
        }
    }
}

/// Values the service reads otherwise than they look (tests/conformance/eventbridge/
/// SERVICE-DIFFERENCES.md): an IPv4 address with a leading zero is text, not an address; an
/// `equals-ignore-case` text beyond the Basic Multilingual Plane never matches itself.
fn unmatchable_text_warning(ctx: &mut Ctx, p: &Pattern, path: &SpecPath) {
    for f in p.branches.iter().flat_map(|b| &b.fields) {
        for m in &f.matchers {
            let warning = match m {
                Matcher::String(s) => ambiguous_ipv4(s).map(|decimal| {
                    Diagnostic::warning(
                        path,
                        format!("`{}`: {s:?} has an octet with a leading zero, so EventBridge matches it as text, never as the address {decimal}", f.path),
                    )
                    .with_hint(format!("write {decimal:?}"))
                }),
                Matcher::EqualsIgnoreCase(c)
                | Matcher::PrefixIgnoreCase(c)
                | Matcher::SuffixIgnoreCase(c)
                    if c.has_unmatchable() =>
                {
                    Some(
                        Diagnostic::warning(
                            path,
                            format!("`{}`: equals-ignore-case {:?} has a character beyond the Basic Multilingual Plane, which EventBridge never matches", f.path, c.to_string()),
                        )
                        .with_hint("EventBridge's engine compares such characters as `??`; match them exactly instead"),
                    )
                }
                _ => None,
            };
            if let Some(w) = warning {
                ctx.push(w);
            }
        }
    }
}

fn pattern_shape(ctx: &mut Ctx, v: &Json, path: &SpecPath, top: bool) {
    match v {
        Json::Object(m) if m.is_empty() && top => ctx.error(
            path,
            "an empty pattern matches every event; name at least one field",
        ),
        Json::Object(m) if m.is_empty() => ctx.error(
            path,
            "an empty mapping matches nothing here; give it fields or remove it",
        ),
        Json::Object(m) => {
            for (k, child) in m {
                let p = path.key(k);
                if k == "$or" {
                    match child.as_array() {
                        Some(branches)
                            if branches.len() >= 2 && branches.iter().all(Json::is_object) =>
                        {
                            for (i, b) in branches.iter().enumerate() {
                                pattern_shape(ctx, b, &p.index(i), false);
                            }
                        }
                        _ => ctx.error(&p, "`$or` takes a list of at least two patterns"),
                    }
                    continue;
                }
                match child {
                    Json::Object(_) => pattern_shape(ctx, child, &p, false),
                    Json::Array(items) if items.is_empty() => {
                        ctx.error(&p, "an empty list matches nothing: give at least one value")
                    }
                    Json::Array(_) => {}
                    other => ctx.push(
                        Diagnostic::error(
                            &p,
                            format!("expected a list of values, found {}", json_kind(other)),
                        )
                        .with_hint(format!(
                            "EventBridge matches against lists: write `{k}: [{other}]`"
                        )),
                    ),
                }
            }
        }
        other => ctx.error(
            path,
            format!("a pattern is a mapping, found {}", json_kind(other)),
        ),
    }
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "nothing (null)",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}
