//! The EventBridge pattern language, as a leaf library: parse and validate a pattern with the
//! service's rules, and match patterns against JSON events the way EventBridge does.

mod block;
mod caseless;
mod cidr;
mod compile;
mod complexity;
mod engine;
mod event;
mod explain;
pub mod json;
mod matcher;
mod names;
mod number;
mod paths;
mod pick;
mod scan;
mod wildcard;

pub use caseless::Caseless;
pub use cidr::ambiguous_ipv4;
pub use compile::{
    Branch, Field, MAX_OR_COMBINATIONS, MAX_PATTERN_CHARS, Pattern, PatternError, Step,
};
pub use engine::{RuleSet, Scratch};
pub use event::Top;
pub use explain::FieldCheck;
pub use matcher::{AnythingBut, Matcher, Range};
pub use pick::Picked;
pub use scan::EventError;
pub use wildcard::Wildcard;

/// Each CloudTrail `eventType` and the `detail-type` EventBridge gives its records (sources in
/// `model::envelope`): what the patterns of CloudTrail events match on, and what a metric
/// filter reads in the record instead.
pub const DETAIL_TYPES: &[(&str, &str)] = &[
    ("AwsApiCall", "AWS API Call via CloudTrail"),
    ("AwsConsoleSignIn", "AWS Console Sign In via CloudTrail"),
    ("AwsConsoleAction", "AWS Console Action via CloudTrail"),
    ("AwsServiceEvent", "AWS Service Event via CloudTrail"),
    ("AwsCloudTrailInsight", "AWS Insight via CloudTrail"),
];

// How EventBridge names a CloudTrail record's service: the one place the two spellings meet
// (the spec's checks, the envelope, the metric-filter translation all ask here).

/// What an EventBridge `source` of an AWS service starts with (`aws.dynamodb`).
pub const SOURCE_PREFIX: &str = "aws.";

/// What a CloudTrail `eventSource` ends with (`dynamodb.amazonaws.com`).
pub const EVENT_SOURCE_SUFFIX: &str = ".amazonaws.com";

/// The service of an EventBridge `source` (`aws.dynamodb` → `dynamodb`).
pub fn service_of_source(source: &str) -> Option<&str> {
    source.strip_prefix(SOURCE_PREFIX)
}

/// The service of a CloudTrail `eventSource` (`dynamodb.amazonaws.com` → `dynamodb`): its
/// events reach EventBridge with the `source` `aws.` and the service.
pub fn service_of_event_source(event_source: &str) -> Option<&str> {
    event_source.strip_suffix(EVENT_SOURCE_SUFFIX)
}

/// The EventBridge `source` of the events of a CloudTrail `eventSource`
/// (`dynamodb.amazonaws.com` → `aws.dynamodb`).
pub fn source_of_event_source(event_source: &str) -> Option<String> {
    service_of_event_source(event_source).map(|s| format!("{SOURCE_PREFIX}{s}"))
}

#[cfg(test)]
mod tests;
