//! The alert side of the spec's vocabulary: alerts, their `on:` shorthand, tests and alarms,
//! and `preset:` entries.

use super::{Default, Field, Shape, opt, req, with};
use crate::model::alert::{Backend, Payload};

const PLACEMENT: Shape =
    Shape::AnyOf(&[Shape::OneOf(&["auto", "all"]), Shape::List(&Shape::String)]);

pub const ALERT: &[Field] = &[
    req(
        "name",
        Shape::String,
        "Letters, digits, ., - and _; the rules are named trailctl-STACK-NAME.",
    ),
    opt(
        "rule",
        Shape::String,
        "The rules' name instead of trailctl-STACK-NAME: to adopt an existing rule.",
    ),
    opt(
        "description",
        Shape::String,
        "The rules' Description (at most 512 characters).",
    ),
    opt(
        "on",
        Shape::Object(ON),
        "Shorthand for a CloudTrail pattern; exactly one of on and pattern.",
    ),
    opt(
        "pattern",
        Shape::EventPattern,
        "A raw EventBridge event pattern; exactly one of on and pattern.",
    ),
    req(
        "notify",
        Shape::List(&Shape::String),
        "Topics under topics: to notify, at most 5.",
    ),
    with(
        "deliver",
        Shape::OneOf(Payload::NAMES),
        Default::Text("message"),
        "What the topics receive: a text message, or the event itself as JSON.",
    ),
    opt(
        "message",
        Shape::String,
        "Plain text with <path> placeholders into the CloudTrail record.",
    ),
    with(
        "regions",
        PLACEMENT,
        Default::Text("auto"),
        "Where the rules go: auto (where the events arrive), all, or a list of Regions.",
    ),
    with(
        "enabled",
        Shape::Bool,
        Default::Bool(true),
        "false keeps the rules DISABLED.",
    ),
    opt(
        "read_only_events",
        Shape::Bool,
        "Whether the rules also receive read-only management events (default: decided from the events).",
    ),
    opt(
        "tests",
        Shape::List(&Shape::Object(TEST)),
        "Records the alert must or must not deliver, run by trailctl test.",
    ),
    opt(
        "tags",
        Shape::StringMap,
        "Tags on the rules, besides the spec's tags.",
    ),
    BACKEND_FIELD,
    opt(
        "filter",
        Shape::String,
        "The CloudWatch Logs filter pattern of the metric filter (default: said from the pattern, where that is exact).",
    ),
    ALARM_FIELD,
    opt(
        "sigma",
        Shape::Object(SIGMA),
        "Where the alert came from when trailctl import sigma wrote it: the Sigma rule's metadata and how exactly the pattern says it.",
    ),
];

/// `sigma:` on an alert: kept from the rule by `trailctl import sigma`, read by nobody else.
pub const SIGMA: &[Field] = &[
    opt("id", Shape::String, "The Sigma rule's id."),
    opt("title", Shape::String, "The Sigma rule's title."),
    opt(
        "level",
        Shape::String,
        "informational, low, medium, high or critical.",
    ),
    opt(
        "status",
        Shape::String,
        "The rule's maturity: stable, test, experimental…",
    ),
    opt(
        "references",
        Shape::List(&Shape::String),
        "The rule's references.",
    ),
    opt(
        "tags",
        Shape::List(&Shape::String),
        "The rule's tags (ATT&CK: attack.tNNNN).",
    ),
    opt(
        "verdict",
        Shape::OneOf(&["exact", "approximate"]),
        "exact: the pattern matches the records the rule matches; approximate: differences says how it does not.",
    ),
    opt(
        "differences",
        Shape::List(&Shape::String),
        "How an approximate pattern differs from the rule.",
    ),
];

/// `backend:` and `alarm:`, the same on an alert and on a preset entry.
const BACKEND_FIELD: Field = with(
    "backend",
    Shape::OneOf(Backend::NAMES),
    Default::Text("eventbridge"),
    "eventbridge: rules (real time, per event); metric_filter: a metric filter and alarm on the trail's CloudWatch Logs log group (what Security Hub's CIS checks look for); both.",
);
const ALARM_FIELD: Field = opt(
    "alarm",
    Shape::Object(ALARM),
    "The metric filter's alarm: fires when the Sum over period reaches threshold.",
);

pub const ALARM: &[Field] = &[
    with(
        "threshold",
        Shape::Integer {
            min: 1,
            max: 1_000_000,
        },
        Default::Integer(crate::model::alert::DEFAULT_THRESHOLD as u64),
        "Matching events per period that fire the alarm.",
    ),
    with(
        "period",
        Shape::Integer {
            min: 10,
            max: 86_400,
        },
        Default::Integer(crate::model::alert::DEFAULT_PERIOD_SECONDS as u64),
        "Seconds: 10, 30 or a multiple of 60.",
    ),
];

/// The `on:` types, the first the default.
pub const ON_TYPES: &[&str] = &["api_call", "console_sign_in", "insight"];

pub const ON: &[Field] = &[
    with(
        "type",
        Shape::OneOf(ON_TYPES),
        Default::Text("api_call"),
        "api_call, console_sign_in or insight.",
    ),
    opt(
        "service",
        Shape::String,
        "The service as in its event source: dynamodb for dynamodb.amazonaws.com.",
    ),
    opt(
        "events",
        Shape::List(&Shape::String),
        "Event names (detail.eventName).",
    ),
    opt(
        "detail",
        Shape::EventPattern,
        "More pattern under detail, merged in.",
    ),
];

pub const TEST: &[Field] = &[
    req(
        "record",
        Shape::AnyOf(&[Shape::String, Shape::AnyMapping]),
        "A file relative to the spec, or an inline CloudTrail record or EventBridge event.",
    ),
    req(
        "expect",
        Shape::OneOf(EXPECT),
        "match: the alert delivers the event; no_match: it does not.",
    ),
    opt(
        "expect_filter",
        Shape::OneOf(EXPECT),
        "The metric filter's verdict where it differs from expect (default: expect).",
    ),
];

const EXPECT: &[&str] = &["match", "no_match"];

pub const PRESET: &[Field] = &[
    req(
        "preset",
        Shape::String,
        "A preset id or a set (cis, strict, seed); trailctl presets lists them.",
    ),
    opt(
        "name",
        Shape::String,
        "The alert's name (default: the preset id); one preset only.",
    ),
    req(
        "notify",
        Shape::List(&Shape::String),
        "Topics under topics: to notify, at most 5.",
    ),
    opt("message", Shape::String, "Overrides the preset's message."),
    opt("regions", PLACEMENT, "Overrides the preset's placement."),
    with(
        "enabled",
        Shape::Bool,
        Default::Bool(true),
        "false keeps the rules DISABLED.",
    ),
    BACKEND_FIELD,
    ALARM_FIELD,
];
