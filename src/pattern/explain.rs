//! Why a pattern did or did not match an event, field by field, for people: the values the
//! event has at each path the pattern names, and whether one of them is accepted. (The verdict
//! itself is `RuleSet`'s; this only explains it.)

use std::fmt;

use super::compile::Pattern;
use super::event::Values;
use super::matcher::{AnythingBut, Matcher, Scalar};
use super::paths::Paths;
use super::scan::EventError;

/// How one field of a pattern fared against an event.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCheck {
    /// The dotted path (`detail.eventName`).
    pub path: String,
    /// The event's values there, as JSON (`"DeleteTable"`, `42`); empty when absent.
    pub found: Vec<String>,
    /// What the pattern accepts, as JSON.
    pub wanted: String,
    pub ok: bool,
}

impl Pattern {
    /// Each field of the alternative (`$or` branch) that comes closest to matching the event.
    pub fn explain(&self, text: &str) -> Result<Vec<FieldCheck>, EventError> {
        let mut paths = Paths::new();
        let ids: Vec<Vec<u32>> = self
            .branches
            .iter()
            .map(|b| b.fields.iter().map(|f| paths.intern(&f.path)).collect())
            .collect();
        let mut values = Values::default();
        values.read(text, &paths, None)?;
        let mut best: Option<Vec<FieldCheck>> = None;
        for (branch, ids) in self.branches.iter().zip(&ids) {
            let checks: Vec<FieldCheck> = branch
                .fields
                .iter()
                .zip(ids)
                .map(|(f, id)| {
                    let found: Vec<Scalar<'_>> =
                        values.of(*id).map(|l| values.scalar(text, l)).collect();
                    let absent_ok = f.matchers.contains(&Matcher::Exists(false));
                    let ok = (absent_ok && found.is_empty())
                        || found.iter().any(|v| {
                            f.matchers
                                .iter()
                                .any(|m| *m != Matcher::Exists(false) && m.matches(v))
                        });
                    FieldCheck {
                        path: f.path.clone(),
                        found: found.iter().map(render).collect(),
                        wanted: format!(
                            "[{}]",
                            f.matchers
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        ok,
                    }
                })
                .collect();
            let passing = |c: &[FieldCheck]| c.iter().filter(|c| c.ok).count();
            if best
                .as_ref()
                .is_none_or(|b| passing(&checks) * b.len() > passing(b) * checks.len())
            {
                best = Some(checks);
            }
        }
        Ok(best.unwrap_or_default())
    }
}

fn render(v: &Scalar<'_>) -> String {
    match v {
        Scalar::Str(s) => quoted(s),
        Scalar::Num(raw, _) => (*raw).to_owned(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Null => "null".to_owned(),
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    if items.len() == 1 {
        items[0].clone()
    } else {
        format!("[{}]", items.join(", "))
    }
}

impl fmt::Display for Matcher {
    /// The matcher as pattern JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::String(s) => f.write_str(&quoted(s)),
            Matcher::Literal(t) => f.write_str(t),
            Matcher::Number(n) => write!(f, "{{\"numeric\": [\"=\", {n}]}}"),
            Matcher::Prefix(p) => write!(f, "{{\"prefix\": {}}}", quoted(p)),
            Matcher::Suffix(p) => write!(f, "{{\"suffix\": {}}}", quoted(p)),
            Matcher::PrefixIgnoreCase(p) => write!(
                f,
                "{{\"prefix\": {{\"equals-ignore-case\": {}}}}}",
                quoted(&p.to_string())
            ),
            Matcher::SuffixIgnoreCase(p) => write!(
                f,
                "{{\"suffix\": {{\"equals-ignore-case\": {}}}}}",
                quoted(&p.to_string())
            ),
            Matcher::EqualsIgnoreCase(p) => {
                write!(f, "{{\"equals-ignore-case\": {}}}", quoted(&p.to_string()))
            }
            Matcher::Wildcard(w) => write!(f, "{{\"wildcard\": {}}}", quoted(&w.to_string())),
            Matcher::Range(r) => {
                let mut terms = Vec::new();
                if r.low.is_finite() {
                    terms.push(format!(
                        "\"{}\", {}",
                        if r.low_open { ">" } else { ">=" },
                        r.low
                    ));
                }
                if r.high.is_finite() {
                    terms.push(format!(
                        "\"{}\", {}",
                        if r.high_open { "<" } else { "<=" },
                        r.high
                    ));
                }
                write!(f, "{{\"numeric\": [{}]}}", terms.join(", "))
            }
            Matcher::Cidr(r) => write!(f, "{{\"cidr\": {}}}", quoted(&r.to_string())),
            Matcher::AnythingBut(a) => {
                let inner = match a {
                    AnythingBut::Strings(s) => list(s),
                    AnythingBut::Numbers(n) => format!(
                        "[{}]",
                        n.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
                    ),
                    AnythingBut::Prefix(p) => format!("{{\"prefix\": {}}}", list(p)),
                    AnythingBut::Suffix(p) => format!("{{\"suffix\": {}}}", list(p)),
                    AnythingBut::IgnoreCase(p) => {
                        let p: Vec<String> = p.iter().map(ToString::to_string).collect();
                        format!("{{\"equals-ignore-case\": {}}}", list(&p))
                    }
                    AnythingBut::Wildcard(w) => {
                        let w: Vec<String> = w.iter().map(ToString::to_string).collect();
                        format!("{{\"wildcard\": {}}}", list(&w))
                    }
                };
                write!(f, "{{\"anything-but\": {inner}}}")
            }
            Matcher::Exists(b) => write!(f, "{{\"exists\": {b}}}"),
        }
    }
}
