//! Diagnostics about a spec: what is wrong, where (spec path and line:column), and a hint.

use std::fmt;

/// One step of a spec path: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path into the spec document, displayed as `trails[0].cloudwatch_logs.role_arn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpecPath(pub Vec<Segment>);

impl SpecPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn key(&self, key: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Key(key.to_owned()));
        Self(v)
    }

    pub fn index(&self, index: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Index(index));
        Self(v)
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path one step up; the root is its own parent.
    pub fn parent(&self) -> Self {
        let mut v = self.0.clone();
        v.pop();
        Self(v)
    }
}

impl fmt::Display for SpecPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = |k: &str| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if !plain(k) => write!(f, "[{k:?}]")?,
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A 1-based line and column in the spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Advice (a CIS recommendation, say): never fails a command, not even `--deny-warnings`.
    Note,
}

/// Which part of a mapping entry a diagnostic points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The key (`unknown key`).
    Key,
    /// The value (`invalid value`), the default.
    Value,
    /// The first key of the mapping at the path that is not a string (`? [a, b]`, `1:`).
    NonStringKey,
}

/// The domain lints: a valid spec that will not do what its author means. Each is printed with
/// its name (`[alert-placement] …`), documented under that name in docs/spec.md, and a SARIF rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LintId {
    AlertPlacement,
    ReadOnlyEvents,
    NeverMatches,
    UnknownService,
    TrailCoverage,
    ManagementCopy,
    LogLoop,
    WildcardQuota,
    RuleQuota,
    TrailIntegrity,
    InsightsWithoutData,
}

impl LintId {
    pub const ALL: &'static [LintId] = &[
        LintId::AlertPlacement,
        LintId::ReadOnlyEvents,
        LintId::NeverMatches,
        LintId::UnknownService,
        LintId::TrailCoverage,
        LintId::ManagementCopy,
        LintId::LogLoop,
        LintId::WildcardQuota,
        LintId::RuleQuota,
        LintId::TrailIntegrity,
        LintId::InsightsWithoutData,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LintId::AlertPlacement => "alert-placement",
            LintId::ReadOnlyEvents => "read-only-events",
            LintId::NeverMatches => "never-matches",
            LintId::UnknownService => "unknown-service",
            LintId::TrailCoverage => "trail-coverage",
            LintId::ManagementCopy => "management-copy",
            LintId::LogLoop => "log-loop",
            LintId::WildcardQuota => "wildcard-quota",
            LintId::RuleQuota => "rule-quota",
            LintId::TrailIntegrity => "trail-integrity",
            LintId::InsightsWithoutData => "insights-without-data",
        }
    }

    /// One line on what the lint finds (docs/spec.md has the details).
    pub fn summary(self) -> &'static str {
        match self {
            LintId::AlertPlacement => {
                "An alert's rules are placed where its events never arrive, or miss Regions where they do."
            }
            LintId::ReadOnlyEvents => {
                "An alert names read-only events its rules do not take: EventBridge never delivers them."
            }
            LintId::NeverMatches => {
                "A detail-type no CloudTrail event carries, or a source that cannot agree with detail.eventSource."
            }
            LintId::UnknownService => {
                "A service no CloudTrail event comes from (a typo, most likely): the alert can never fire."
            }
            LintId::TrailCoverage => "No trail of the spec logs the events an alert is on.",
            LintId::ManagementCopy => {
                "A second trail logs management events in a Region another already logs them in: a paid copy."
            }
            LintId::LogLoop => "A trail logs S3 data events on its own delivery bucket.",
            LintId::WildcardQuota => {
                "More alerts with wildcard patterns in one Region than EventBridge allows per bus."
            }
            LintId::RuleQuota => {
                "More rules in one Region than EventBridge's default quota of rules per event bus."
            }
            LintId::TrailIntegrity => {
                "A trail without log file validation (CIS 3.2) or KMS encryption (CIS 3.5)."
            }
            LintId::InsightsWithoutData => {
                "Insights on data events for a trail that logs no data events."
            }
        }
    }
}

impl fmt::Display for LintId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding about a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The domain lint this is, if it is one.
    pub lint: Option<LintId>,
    pub message: String,
    pub path: SpecPath,
    pub anchor: Anchor,
    /// Filled in from the source when known.
    pub location: Option<Location>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &SpecPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            lint: None,
            message: message.into(),
            path: path.clone(),
            anchor: Anchor::Value,
            location: None,
            hint: None,
        }
    }

    pub fn warning(path: &SpecPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(path, message)
        }
    }

    pub fn note(path: &SpecPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Note,
            ..Self::error(path, message)
        }
    }

    /// A domain lint's finding.
    pub fn lint(
        id: LintId,
        severity: Severity,
        path: &SpecPath,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            lint: Some(id),
            ..Self::error(path, message)
        }
    }

    /// The message as printed: a lint's prefixed with its name (`[log-loop] …`).
    pub fn text(&self) -> String {
        match self.lint {
            Some(id) => format!("[{id}] {}", self.message),
            None => self.message.clone(),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn at_key(mut self) -> Self {
        self.anchor = Anchor::Key;
        self
    }

    pub fn at_non_string_key(mut self) -> Self {
        self.anchor = Anchor::NonStringKey;
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_the_spec_reference() {
        let p = SpecPath::root()
            .key("trails")
            .index(2)
            .key("cloudwatch_logs");
        assert_eq!(p.to_string(), "trails[2].cloudwatch_logs");
        assert_eq!(p.parent().to_string(), "trails[2]");
        assert_eq!(SpecPath::root().to_string(), "");
        let tag = SpecPath::root().key("tags").key("trailctl:stack");
        assert_eq!(tag.to_string(), "tags[\"trailctl:stack\"]");
        assert_eq!(
            SpecPath::root().key("tags").key("").to_string(),
            "tags[\"\"]"
        );
    }
}
