//! Sigma rules for CloudTrail imported as alerts: each rule's detection said as EventBridge
//! patterns with Sigma's meaning (exact), with the differences named (approximate), or refused
//! with the reason. Parsing is rsigma-parser's; what a rule means under EventBridge is decided
//! here, and only here.

mod condition;
mod eventbridge;
mod matcher;
mod pattern;
#[cfg(test)]
mod tests;
pub mod write;

use std::collections::BTreeSet;

use rsigma_parser::{SigmaRule, parse_sigma_yaml};
use serde::Serialize;
use serde_json::Value as Json;

/// Why a rule cannot be said as an EventBridge pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl Refusal {
    pub fn new(why: impl Into<String>) -> Refusal {
        Refusal(why.into())
    }
}

/// A file that is not Sigma: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadInput {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// How faithfully a rule was said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The alert matches exactly the records the rule matches.
    Exact,
    /// The alert differs from the rule, as said.
    Approximate {
        differences: Vec<String>,
    },
    Refused {
        reason: String,
    },
}

/// One Sigma rule and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub title: String,
    pub id: Option<String>,
    /// The line of the rule's `title:` in its file.
    pub line: usize,
    pub level: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub references: Vec<String>,
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The rule's patterns (several where one would pass EventBridge's limits).
    #[serde(skip)]
    pub patterns: Vec<Json>,
    /// Whether the alert's rules must take read-only management events.
    #[serde(skip)]
    pub reads: bool,
}

/// Every rule of one file's text, or why the file is not Sigma.
pub fn import(text: &str) -> Result<Vec<Imported>, Vec<BadInput>> {
    let collection = match parse_sigma_yaml(text) {
        Ok(c) => c,
        Err(e) => return Err(vec![locate(text, &e.to_string())]),
    };
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for e in &collection.errors {
        if e.contains("ondition") && aggregation(text) {
            out.push(refused(
                text,
                None,
                "the condition aggregates (`| count()` and the like); an EventBridge rule sees one event at a time",
            ));
        } else {
            bad.push(locate(text, e));
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    if collection.is_empty() && out.is_empty() {
        return Err(vec![BadInput {
            line: 1,
            column: 1,
            message: "no Sigma rule in the file (a rule has `title`, `logsource` and `detection`)"
                .to_owned(),
        }]);
    }
    for rule in &collection.rules {
        out.push(rule_of(text, rule));
    }
    for c in &collection.correlations {
        out.push(refused(
            text,
            Some(&c.title),
            "a correlation rule counts or orders events over time; an EventBridge rule sees one event at a time",
        ));
    }
    for f in &collection.filters {
        out.push(refused(
            text,
            Some(&f.title),
            "a filter rule amends other rules in a SIEM pipeline; import the rules it filters with the filter written into their condition",
        ));
    }
    Ok(out)
}

fn rule_of(text: &str, rule: &SigmaRule) -> Imported {
    let mut r = Imported {
        title: rule.title.clone(),
        id: rule.id.clone(),
        line: line_of(text, &format!("title: {}", rule.title)),
        level: rule.level.as_ref().map(|l| format!("{l:?}").to_lowercase()),
        status: rule
            .status
            .as_ref()
            .map(|s| format!("{s:?}").to_lowercase()),
        description: rule.description.clone(),
        references: rule.references.clone(),
        tags: rule.tags.clone(),
        verdict: Verdict::Exact,
        patterns: Vec::new(),
        reads: false,
    };
    match translate(rule) {
        Ok((patterns, reads, differences)) => {
            r.patterns = patterns;
            r.reads = reads;
            if !differences.is_empty() {
                r.verdict = Verdict::Approximate { differences };
            }
        }
        Err(Refusal(reason)) => r.verdict = Verdict::Refused { reason },
    }
    r
}

/// The rule's patterns, whether they take read-only events, and what differs from the rule.
fn translate(rule: &SigmaRule) -> Result<(Vec<Json>, bool, Vec<String>), Refusal> {
    let src = &rule.logsource;
    let is =
        |v: &Option<String>, want: &str| v.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(want));
    if !is(&src.product, "aws") || !is(&src.service, "cloudtrail") {
        return Err(Refusal::new(format!(
            "the log source is not CloudTrail (product: {}, service: {}); trailctl imports `product: aws`, `service: cloudtrail`",
            src.product.as_deref().unwrap_or("-"),
            src.service.as_deref().unwrap_or("-")
        )));
    }
    let mut notes = Vec::new();
    let lits = condition::branches(&rule.detection, &mut notes)?;
    let mut branches = Vec::new();
    for conj in &lits {
        if let Some(b) = pattern::resolve(conj, &mut notes)? {
            branches.push(b);
        }
    }
    let branches = pattern::simplify(branches);
    if branches.is_empty() {
        return Err(Refusal::new("the condition can never hold"));
    }
    if branches.iter().any(|b| b.is_empty()) {
        return Err(Refusal::new(
            "the condition holds for every record: an alert would fire on every CloudTrail event",
        ));
    }
    let reads = branches.iter().any(pattern::reads);
    let patterns = pattern::patterns(&branches)?;
    let mut seen = BTreeSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    Ok((patterns, reads, notes))
}

/// A rule refused before translation: by its title, or (`None`, a document the parser could not
/// read) by the file's first `title:`.
fn refused(text: &str, title: Option<&str>, reason: &str) -> Imported {
    let (title, line) = match title {
        Some(t) => (t.to_owned(), line_of(text, &format!("title: {t}"))),
        None => (
            text.lines()
                .find_map(|l| l.strip_prefix("title:"))
                .map_or_else(
                    || "(untitled)".to_owned(),
                    |t| t.trim().trim_matches(['\'', '"']).to_owned(),
                ),
            line_of(text, "title:"),
        ),
    };
    Imported {
        line,
        title,
        id: None,
        level: None,
        status: None,
        description: None,
        references: Vec::new(),
        tags: Vec::new(),
        verdict: Verdict::Refused {
            reason: reason.to_owned(),
        },
        patterns: Vec::new(),
        reads: false,
    }
}

/// Whether a condition of the file has an aggregation (`selection | count() by x > 5`).
fn aggregation(text: &str) -> bool {
    text.lines()
        .filter_map(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .strip_prefix("condition:")
        })
        .any(|c| c.contains(" | ") || c.contains("|count") || c.contains("| count"))
}

/// The 1-based line holding `needle` (1 when none does).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle) || l.contains(needle))
        .map_or(1, |i| i + 1)
}

/// A parser message placed in the file: the YAML parser's own line and column, the key of an
/// unknown modifier, the condition of a condition error, else the first line.
fn locate(text: &str, message: &str) -> BadInput {
    let at = |line: usize, column: usize| BadInput {
        line,
        column,
        message: message.to_owned(),
    };
    if let Some(rest) = message.split("at line ").nth(1) {
        let mut nums = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse::<usize>().ok());
        if let (Some(l), Some(c)) = (nums.next(), nums.next()) {
            return at(l, c);
        }
    }
    if let Some(m) = message
        .split('\'')
        .nth(1)
        .filter(|_| message.contains("nknown modifier"))
    {
        let needle = format!("|{m}");
        for (i, l) in text.lines().enumerate() {
            if let Some(c) = l.find(&needle) {
                return at(i + 1, c + 2);
            }
        }
    }
    if message.contains("ondition") {
        for (i, l) in text.lines().enumerate() {
            if let Some(c) = l.find("condition:") {
                return at(i + 1, c + 1);
            }
        }
    }
    at(1, 1)
}
