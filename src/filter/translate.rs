//! An alert's EventBridge pattern said as a CloudWatch Logs filter, where that is exact, and why
//! not otherwise.
//!
//! The filter sees the record, EventBridge its envelope (`model::envelope`): `detail.X` is `$.X`,
//! `region` is `$.awsRegion`, `detail-type` is the record's `eventType`, and `source` is
//! `aws.` + the service part of `eventSource`, except that every Insights event has source
//! `aws.cloudtrail` (so a `source` other than that excludes Insights records, said as
//! `$.eventType != "AwsCloudTrailInsight"` unless `detail-type` already does, and
//! `aws.cloudtrail` is exact only beside a `detail-type` that leaves Insights out).
//!
//! Exact for fields holding one string or number, which is what CloudTrail alerts match on:
//! exact strings, prefixes, suffixes, a wildcard with its star at either end, anything-but
//! strings, prefixes and suffixes, numbers and ranges, `true`/`false`/`null`, `exists: false`,
//! `$or`. EventBridge also matches a list element-wise, where a filter matches no list: a
//! pattern on a list field is not said the same way (the alert's fixtures show it). Not said:
//! ignore-case, CIDR, `exists: true` (a filter's `*` takes strings and numbers only), a star
//! inside a value, quotes or backslashes in a value, and envelope fields with no record field.

use crate::pattern::{AnythingBut, Branch, Field, Matcher, Pattern};
use crate::pattern::{DETAIL_TYPES, EVENT_SOURCE_SUFFIX, service_of_source};

/// A pattern as a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    Exact(String),
    /// Why the pattern has no exact filter.
    Untranslatable(String),
}

const INSIGHT: &str = "AwsCloudTrailInsight";

/// The filter that matches the records whose EventBridge events `pattern` matches.
pub fn from_pattern(pattern: &Pattern) -> Translation {
    let branches: Result<Vec<String>, String> = pattern.branches.iter().map(branch).collect();
    match branches {
        Ok(b) if b.len() == 1 => Translation::Exact(format!("{{ {} }}", b[0])),
        Ok(b) => Translation::Exact(format!("{{ {} }}", join(&b, "||"))),
        Err(why) => Translation::Untranslatable(why),
    }
}

/// Parts joined by `op`, each compound part in parentheses (a single comparison needs none,
/// and a filter has 1,024 characters at most).
fn join(parts: &[String], op: &str) -> String {
    if parts.len() == 1 {
        return parts[0].clone();
    }
    parts
        .iter()
        .map(|p| {
            if p.contains(" || ") || p.contains(" && ") {
                format!("({p})")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(&format!(" {op} "))
}

fn branch(b: &Branch) -> Result<String, String> {
    let insights_excluded = b.fields.iter().any(|f| {
        f.path == "detail-type"
            && f.matchers
                .iter()
                .all(|m| !matches!(m, Matcher::String(s) if s == "AWS Insight via CloudTrail"))
    });
    let mut parts = Vec::new();
    let mut needs_insight_exclusion = false;
    for f in &b.fields {
        parts.push(field(f, insights_excluded, &mut needs_insight_exclusion)?);
    }
    if needs_insight_exclusion && !insights_excluded {
        parts.push(format!("$.eventType != \"{INSIGHT}\""));
    }
    // `source` and `detail.eventSource` both say the event source: each clause once (a filter
    // has 1,024 characters at most).
    let mut seen = std::collections::HashSet::new();
    parts.retain(|p| seen.insert(p.clone()));
    if parts.is_empty() {
        return Err("the pattern has no field to filter on".to_owned());
    }
    Ok(join(&parts, "&&"))
}

fn field(
    f: &Field,
    insights_excluded: bool,
    needs_insight_exclusion: &mut bool,
) -> Result<String, String> {
    let alternatives: Result<Vec<String>, String> = match f.path.as_str() {
        "detail-type" => f.matchers.iter().map(detail_type).collect(),
        "source" => f
            .matchers
            .iter()
            .map(|m| source(m, insights_excluded, needs_insight_exclusion))
            .collect(),
        "region" => f
            .matchers
            .iter()
            .map(|m| matcher("$.awsRegion", m))
            .collect(),
        path => {
            let Some(rest) = path.strip_prefix("detail.") else {
                return Err(format!(
                    "`{path}` is in the EventBridge envelope, with no field of the record to filter on"
                ));
            };
            if let Some(bad) = rest.split('.').find(|k| {
                k.is_empty()
                    || !k
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }) {
                return Err(format!(
                    "the field name `{bad}` cannot be written in a filter selector (letters, digits, - and _)"
                ));
            }
            let selector = format!("$.{rest}");
            f.matchers.iter().map(|m| matcher(&selector, m)).collect()
        }
    };
    Ok(join(&alternatives?, "||"))
}

fn detail_type(m: &Matcher) -> Result<String, String> {
    match m {
        Matcher::String(s) => DETAIL_TYPES
            .iter()
            .find(|(_, d)| d == s)
            .map(|(t, _)| format!("$.eventType = \"{t}\""))
            .ok_or_else(|| format!("detail-type {s:?} is not one CloudTrail sends")),
        _ => Err("detail-type is matched other than by its exact value".to_owned()),
    }
}

fn source(
    m: &Matcher,
    insights_excluded: bool,
    needs_insight_exclusion: &mut bool,
) -> Result<String, String> {
    match m {
        Matcher::String(s) if s == "aws.cloudtrail" && !insights_excluded => Err(
            "source aws.cloudtrail also means the Insights events of every service (a detail-type without Insights makes it exact)".to_owned(),
        ),
        Matcher::String(s) => {
            let service = service_of_source(s)
                .filter(|x| !x.is_empty() && plain(x))
                .ok_or_else(|| format!("source {s:?} is not a CloudTrail event source"))?;
            *needs_insight_exclusion = true;
            Ok(format!("$.eventSource = \"{service}{EVENT_SOURCE_SUFFIX}\""))
        }
        _ => Err("source is matched other than by its exact value".to_owned()),
    }
}

/// Text a filter can quote as it is: no quote, backslash or star.
fn plain(s: &str) -> bool {
    !s.contains(['"', '\\', '*'])
}

fn quoted(s: &str) -> Result<String, String> {
    if plain(s) {
        Ok(format!("\"{s}\""))
    } else {
        Err(format!(
            "the value {s:?} holds a quote, backslash or star, which a filter cannot say literally"
        ))
    }
}

fn number(n: f64) -> String {
    format!("{n}")
}

fn matcher(sel: &str, m: &Matcher) -> Result<String, String> {
    Ok(match m {
        Matcher::String(s) => format!("{sel} = {}", quoted(s)?),
        Matcher::Prefix(p) => {
            plain_ok(p)?;
            format!("{sel} = \"{p}*\"")
        }
        Matcher::Suffix(p) => {
            plain_ok(p)?;
            format!("{sel} = \"*{p}\"")
        }
        Matcher::Wildcard(w) => format!("{sel} = {}", wildcard(&w.to_string())?),
        Matcher::Number(n) => format!("{sel} >= {} && {sel} <= {}", number(*n), number(*n)),
        Matcher::Literal(l) => match l.as_str() {
            "true" => format!("{sel} IS TRUE"),
            "false" => format!("{sel} IS FALSE"),
            "null" => format!("{sel} IS NULL"),
            other => {
                return Err(format!(
                    "the number {other} is beyond what a filter compares exactly"
                ));
            }
        },
        Matcher::Range(r) => {
            let mut parts = Vec::new();
            if r.low.is_finite() {
                parts.push(format!(
                    "{sel} {} {}",
                    if r.low_open { ">" } else { ">=" },
                    number(r.low)
                ));
            }
            if r.high.is_finite() {
                parts.push(format!(
                    "{sel} {} {}",
                    if r.high_open { "<" } else { "<=" },
                    number(r.high)
                ));
            }
            if parts.is_empty() {
                return Err("an unbounded numeric range".to_owned());
            }
            parts.join(" && ")
        }
        Matcher::Exists(false) => format!("{sel} NOT EXISTS"),
        Matcher::Exists(true) => {
            return Err(
                "exists: true (a filter's * takes strings and numbers, not every value)".to_owned(),
            );
        }
        Matcher::AnythingBut(a) => anything_but(sel, a)?,
        Matcher::PrefixIgnoreCase(_)
        | Matcher::SuffixIgnoreCase(_)
        | Matcher::EqualsIgnoreCase(_) => {
            return Err(
                "filters compare case-sensitively: equals-ignore-case has no filter".to_owned(),
            );
        }
        Matcher::Cidr(_) => return Err("filters have no CIDR matching".to_owned()),
    })
}

fn plain_ok(s: &str) -> Result<(), String> {
    quoted(s).map(|_| ())
}

/// An EventBridge wildcard as filter text: exact only with its stars at the ends.
fn wildcard(w: &str) -> Result<String, String> {
    let inner = w.strip_prefix('*').unwrap_or(w);
    let inner = inner.strip_suffix('*').unwrap_or(inner);
    if inner.contains(['*', '\\', '"']) {
        return Err(format!(
            "the wildcard {w:?} has a star inside it (a filter's stars stand only at the ends)"
        ));
    }
    Ok(format!("\"{w}\""))
}

fn anything_but(sel: &str, a: &AnythingBut) -> Result<String, String> {
    let parts: Vec<String> = match a {
        AnythingBut::Strings(list) => list
            .iter()
            .map(|s| quoted(s).map(|q| format!("{sel} != {q}")))
            .collect::<Result<_, _>>()?,
        AnythingBut::Prefix(list) => list
            .iter()
            .map(|s| plain_ok(s).map(|_| format!("{sel} != \"{s}*\"")))
            .collect::<Result<_, _>>()?,
        AnythingBut::Suffix(list) => list
            .iter()
            .map(|s| plain_ok(s).map(|_| format!("{sel} != \"*{s}\"")))
            .collect::<Result<_, _>>()?,
        AnythingBut::Numbers(_) => {
            return Err(
                "anything-but numbers: a filter's != on a number also passes strings".to_owned(),
            );
        }
        AnythingBut::IgnoreCase(_) => {
            return Err(
                "filters compare case-sensitively: anything-but equals-ignore-case has no filter"
                    .to_owned(),
            );
        }
        AnythingBut::Wildcard(_) => {
            return Err("anything-but wildcard has no exact filter".to_owned());
        }
    };
    Ok(parts.join(" && "))
}
