//! Topics and alerts as the spec declares them: an SNS topic with its subscriptions, and an
//! alert (an EventBridge pattern on CloudTrail events, delivered to topics).

use serde_json::Value;

use crate::model::diagnostic::SpecPath;
use crate::model::tags::Tags;

/// An SNS topic in the home Region that trailctl creates and owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    /// `DisplayName` (the email sender's name).
    pub display_name: Option<String>,
    /// `KmsMasterKeyId`: a customer managed key (id, ARN or alias).
    pub kms_key: Option<String>,
    pub subscriptions: Vec<Subscription>,
    pub policy: TopicPolicy,
    /// Its own tags, besides the spec's and the ownership tags.
    pub tags: Tags,
    /// Where the spec declares it (`topics[0]`).
    pub path: SpecPath,
}

/// Who writes a topic's access policy (`policy:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicPolicy {
    /// trailctl: the owner's statement and EventBridge publishing from the stack's rules only.
    Trailctl,
    /// An existing topic keeps the policy it has (a topic trailctl creates gets trailctl's).
    Keep,
}

impl TopicPolicy {
    pub const NAMES: &'static [&'static str] = &["trailctl", "keep"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "trailctl" => Some(Self::Trailctl),
            "keep" => Some(Self::Keep),
            _ => None,
        }
    }
}

/// What an alert's home rule delivers to its topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A plain-text message with `<path>` placeholders into the CloudTrail record (an
    /// `InputTransformer`); `None` is the default message.
    Message(Option<String>),
    /// The EventBridge event itself, as JSON (no transformer).
    Event,
}

impl Payload {
    /// The spec's `deliver:` values.
    pub const NAMES: &'static [&'static str] = &["message", "event"];
}

/// A subscription, identified by `(protocol, endpoint)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subscription {
    pub protocol: Protocol,
    pub endpoint: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Email,
    Sqs,
    Https,
    Lambda,
}

impl Protocol {
    /// The spec's keys, which are also the SNS protocol names.
    pub const NAMES: &'static [&'static str] = &["email", "sqs", "https", "lambda"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "sqs" => Some(Self::Sqs),
            "https" => Some(Self::Https),
            "lambda" => Some(Self::Lambda),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sqs => "sqs",
            Self::Https => "https",
            Self::Lambda => "lambda",
        }
    }
}

/// Where an alert's rules are placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Derived from the services the pattern names (`model::placement`).
    Auto,
    /// Every Region of the spec, and us-east-1 for global services.
    All,
    /// Exactly these Regions.
    List(Vec<String>),
}

/// Where an alert is deployed (`backend:`): EventBridge rules (real time, per event), a
/// CloudWatch Logs metric filter with an alarm on the trail's log group (what Security Hub's
/// CIS checks look for), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backend {
    EventBridge,
    MetricFilter,
    Both,
}

impl Backend {
    pub const NAMES: &'static [&'static str] = &["eventbridge", "metric_filter", "both"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "eventbridge" => Some(Self::EventBridge),
            "metric_filter" => Some(Self::MetricFilter),
            "both" => Some(Self::Both),
            _ => None,
        }
    }

    /// The spec's name for it (`metric_filter`), one of [`Backend::NAMES`].
    pub fn name(self) -> &'static str {
        match self {
            Self::EventBridge => "eventbridge",
            Self::MetricFilter => "metric_filter",
            Self::Both => "both",
        }
    }

    /// Whether the alert has EventBridge rules.
    pub fn eventbridge(self) -> bool {
        matches!(self, Self::EventBridge | Self::Both)
    }

    /// Whether the alert has a metric filter and an alarm.
    pub fn metric_filter(self) -> bool {
        matches!(self, Self::MetricFilter | Self::Both)
    }
}

/// One of the ways an alert sees events, as `trailctl test` and `backtest` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    /// The EventBridge rule.
    Rule,
    /// The CloudWatch Logs metric filter.
    Filter,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Rule => "eventbridge",
            Engine::Filter => "metric_filter",
        }
    }
}

/// The metric-filter side of an alert: the filter and the alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricAlert {
    /// The CloudWatch Logs filter pattern, parsed (its `text` is what is deployed): written in
    /// the spec, a preset's (the Security Hub control's text), or said from the pattern.
    pub filter: crate::filter::Filter,
    /// The alarm fires when the metric's Sum over `period_seconds` reaches this.
    pub threshold: u32,
    pub period_seconds: u32,
}

/// Default alarm: at least one matching event in 300 seconds (what the CIS checks expect).
pub const DEFAULT_THRESHOLD: u32 = 1;
pub const DEFAULT_PERIOD_SECONDS: u32 = 300;

/// An alert: one EventBridge rule per Region it is placed in; the home Region's rule
/// delivers to the topics, the others forward to the home Region's default bus.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub name: String,
    /// `rule:`: the rules' name when it is not `trailctl-STACK-NAME` (an adopted rule keeps
    /// its own).
    pub rule: Option<String>,
    pub description: Option<String>,
    /// The EventBridge pattern, from `on:` or `pattern:`.
    pub pattern: Value,
    /// Topic names (declared under `topics`).
    pub notify: Vec<String>,
    pub payload: Payload,
    pub placement: Placement,
    pub enabled: bool,
    /// `read_only_events`: `None` decides from the event names the pattern names.
    pub read_only_events: Option<bool>,
    /// Records the alert must (or must not) deliver, run by `trailctl test`.
    pub tests: Vec<AlertTest>,
    pub backend: Backend,
    /// The metric filter and alarm, for `backend: metric_filter | both`.
    pub metric: Option<MetricAlert>,
    /// The rules' own tags, besides the spec's and the ownership tags.
    pub tags: Tags,
    /// The preset it comes from (`- preset:`), if any.
    pub preset: Option<String>,
    /// Where it is declared in the spec (`alerts[2]`).
    pub path: SpecPath,
}

impl Alert {
    /// The name of its rules (the same in every Region).
    pub fn rule_name(&self, stack: &str) -> String {
        self.rule
            .clone()
            .unwrap_or_else(|| rule_name(stack, &self.name))
    }

    /// Where its name is written: `name`, or `preset` for a preset's own name.
    pub fn name_path(&self) -> SpecPath {
        match &self.preset {
            Some(p) if *p == self.name => self.path.key("preset"),
            _ => self.path.key("name"),
        }
    }
}

/// One test of an alert: a record and whether the alert must deliver it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertTest {
    pub record: TestRecord,
    /// `expect: match` (true) or `expect: no_match`.
    pub expect_match: bool,
    /// `expect_filter:`, where the metric filter's verdict differs from `expect` (a CIS filter
    /// that Security Hub requires byte for byte counts more than the rule delivers), with why.
    pub expect_filter: Option<(bool, String)>,
    /// Where the test is in the spec, for errors about its record.
    pub path: SpecPath,
}

/// A test's record: a file relative to the spec, or written inline.
#[derive(Debug, Clone, PartialEq)]
pub enum TestRecord {
    File(String),
    Inline(Value),
}

/// The name of an alert's rules (the same in every Region): `trailctl-STACK-ALERT`. The
/// prefix lets `observe` list a stack's rules with one call per Region.
pub fn rule_name(stack: &str, alert: &str) -> String {
    format!("{}{alert}", rule_prefix(stack))
}

pub fn rule_prefix(stack: &str) -> String {
    format!("trailctl-{stack}-")
}

impl AlertTest {
    /// What the test expects of one engine.
    pub fn expects(&self, engine: Engine) -> bool {
        match (engine, &self.expect_filter) {
            (Engine::Filter, Some((m, _))) => *m,
            _ => self.expect_match,
        }
    }

    /// The engines it runs on, for an alert deployed on `backend`.
    pub fn engines(backend: Backend) -> Vec<Engine> {
        let mut e = Vec::new();
        if backend.eventbridge() {
            e.push(Engine::Rule);
        }
        if backend.metric_filter() {
            e.push(Engine::Filter);
        }
        e
    }
}

/// The name of an alert's metric filter and alarm: the name of its rules.
pub fn metric_name(stack: &str, alert: &str) -> String {
    rule_name(stack, alert)
}

/// The metric namespace of a stack's alerts.
pub fn metric_namespace(stack: &str) -> String {
    format!("trailctl/{stack}")
}

/// The IAM role CloudTrail assumes to write to the log groups the stack builds.
pub fn logs_role_name(stack: &str) -> String {
    format!("trailctl-{stack}-cloudtrail-logs")
}

/// The managed policy every role of the stack is created with as its permissions boundary. An
/// administrator creates it (`trailctl policy --role boundary` prints it); the applier may
/// create and change the stack's roles only with it as their boundary, and never changes it.
pub fn boundary_name(stack: &str) -> String {
    format!("trailctl-{stack}-boundary")
}

/// The IAM role rules outside the home Region use to forward events to the home bus.
pub fn forwarder_role_name(stack: &str) -> String {
    format!("trailctl-{stack}-forwarder")
}
