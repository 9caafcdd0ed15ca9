//! Imported rules written as a spec fragment: an `alerts:` list, one alert per rule (one per
//! pattern where a rule needed several), named from the title, the rule's metadata kept under
//! the documented `sigma:` key.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value as Json;
use serde_yaml::{Mapping, Value};

use crate::filter::{Translation, from_pattern};
use crate::model::alert::Backend;
use crate::pattern::Pattern;
use crate::sigma::{Imported, Verdict};

pub struct Options {
    pub notify: Vec<String>,
    /// Write approximate rules too.
    pub approximate: bool,
    pub backend: Backend,
}

/// The alert names are at most this long, so that `trailctl-STACK-NAME` fits EventBridge's 64
/// characters for stacks of up to 14 characters.
const MAX_NAME: usize = 40;
const MAX_DESCRIPTION: usize = 512;

/// What became of one rule in the fragment.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The alerts written for it (none when refused, or approximate without `--approximate`).
    pub alerts: Vec<String>,
    /// The backend it deploys on, where not EventBridge alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<&'static str>,
    /// Why it stays on EventBridge alone when another backend was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend_note: Option<String>,
}

/// The fragment's YAML text, and each rule's outcome (in the order given).
pub fn fragment(rules: &[&Imported], opts: &Options) -> (String, Vec<Outcome>) {
    let mut taken = BTreeSet::new();
    let mut alerts = Vec::new();
    let mut outcomes = Vec::new();
    for r in rules {
        let mut outcome = Outcome {
            alerts: Vec::new(),
            backend: None,
            backend_note: None,
        };
        let write = match &r.verdict {
            Verdict::Exact => true,
            Verdict::Approximate { .. } => opts.approximate,
            Verdict::Refused { .. } => false,
        };
        if write {
            let base = unique(&slug(&r.title), &mut taken, r.patterns.len());
            for (i, p) in r.patterns.iter().enumerate() {
                let name = if r.patterns.len() == 1 {
                    base.clone()
                } else {
                    format!("{base}-{}", i + 1)
                };
                let (backend, filter) = backend(p, r, opts.backend, &mut outcome);
                alerts.push(alert(&name, r, p, backend, filter, &opts.notify));
                outcome.alerts.push(name);
            }
        }
        outcomes.push(outcome);
    }
    let mut root = Mapping::new();
    root.insert("alerts".into(), Value::Sequence(alerts));
    let body = serde_yaml::to_string(&Value::Mapping(root)).unwrap_or_default();
    let text = format!(
        "# Written by `trailctl import sigma`: merge these alerts into a spec's `alerts:`; the\n# topics they notify must be under its `topics:`.\n{body}"
    );
    (text, outcomes)
}

/// The backend the alert deploys on, and its metric filter where that is not EventBridge: the
/// pattern said as a filter without its `detail-type` (a trail's log group holds CloudTrail
/// records only, so the filter need not say so).
fn backend(
    pattern: &Json,
    r: &Imported,
    asked: Backend,
    outcome: &mut Outcome,
) -> (Backend, Option<String>) {
    if asked == Backend::EventBridge {
        return (asked, None);
    }
    let mut records_only = pattern.clone();
    if let Some(m) = records_only.as_object_mut() {
        m.remove("detail-type");
    }
    let why = match Pattern::parse(&records_only.to_string()) {
        Ok(p) => match from_pattern(&p) {
            Translation::Exact(filter) if r.verdict == Verdict::Exact => {
                outcome.backend = Some(asked.name());
                return (asked, Some(filter));
            }
            Translation::Exact(_) => "the rule is approximate".to_owned(),
            Translation::Untranslatable(why) => why,
        },
        Err(e) => e.to_string(),
    };
    outcome.backend_note = Some(format!(
        "deployed on EventBridge only: no exact metric filter says it ({why})"
    ));
    (Backend::EventBridge, None)
}

fn alert(
    name: &str,
    r: &Imported,
    pattern: &Json,
    backend: Backend,
    filter: Option<String>,
    notify: &[String],
) -> Value {
    let mut a = Mapping::new();
    a.insert("name".into(), name.into());
    let mut description = r.title.clone();
    if let Some(d) = &r.description {
        description = format!(
            "{description}: {}",
            d.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    if description.chars().count() > MAX_DESCRIPTION {
        description = description
            .chars()
            .take(MAX_DESCRIPTION - 1)
            .collect::<String>()
            + "…";
    }
    a.insert("description".into(), description.into());
    a.insert(
        "notify".into(),
        Value::Sequence(notify.iter().map(|t| t.as_str().into()).collect()),
    );
    a.insert(
        "pattern".into(),
        serde_yaml::to_value(pattern).unwrap_or(Value::Null),
    );
    if r.reads {
        a.insert("read_only_events".into(), true.into());
    }
    if backend != Backend::EventBridge {
        a.insert("backend".into(), backend.name().into());
    }
    if let Some(f) = filter {
        a.insert("filter".into(), f.into());
    }
    let mut s = Mapping::new();
    if let Some(id) = &r.id {
        s.insert("id".into(), id.as_str().into());
    }
    s.insert("title".into(), r.title.as_str().into());
    for (k, v) in [("level", &r.level), ("status", &r.status)] {
        if let Some(v) = v {
            s.insert(k.into(), v.as_str().into());
        }
    }
    for (k, v) in [("references", &r.references), ("tags", &r.tags)] {
        if !v.is_empty() {
            s.insert(
                k.into(),
                Value::Sequence(v.iter().map(|x| x.as_str().into()).collect()),
            );
        }
    }
    match &r.verdict {
        Verdict::Approximate { differences } => {
            s.insert("verdict".into(), "approximate".into());
            s.insert(
                "differences".into(),
                Value::Sequence(differences.iter().map(|x| x.as_str().into()).collect()),
            );
        }
        _ => {
            s.insert("verdict".into(), "exact".into());
        }
    }
    a.insert("sigma".into(), Value::Mapping(s));
    Value::Mapping(a)
}

/// The title as an alert name: lower case, letters and digits joined by `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut s: String = out.chars().take(MAX_NAME).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        "sigma-rule".to_owned()
    } else {
        s
    }
}

/// `base`, or `base-2`, `base-3`… where taken (room kept for `-N` pattern suffixes).
fn unique(base: &str, taken: &mut BTreeSet<String>, patterns: usize) -> String {
    let room = if patterns > 1 { 3 } else { 0 };
    let base: String = base.chars().take(MAX_NAME - room - 3).collect();
    let base = base.trim_end_matches('-').to_owned();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}
