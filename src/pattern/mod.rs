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

#[cfg(test)]
mod tests;
