//! `Observed`: what `observe` read from the account, before any comparison.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::model::alert_state::TargetState;
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::desired::Insight;
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::selector::AdvancedSelector;
use crate::model::state::{Encryption, TrailSettings};
use crate::model::tags::Tags;

/// Everything the spec could own, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// The account the credentials belong to (STS `GetCallerIdentity`).
    pub account: String,
    /// KMS keys the spec names, resolved to key ARNs where KMS could (given form → key ARN).
    pub kms_keys: BTreeMap<String, String>,
    /// Every trail homed in a Region that was read, shadow copies left out.
    pub trails: Vec<LiveTrail>,
    /// The spec's buckets.
    pub buckets: BTreeMap<String, BucketObservation>,
    /// Buckets trails of the spec deliver to that the spec does not declare: their policies.
    pub other_buckets: BTreeMap<String, PolicyObservation>,
    /// Home-Region topics named in the spec or tagged with its stack.
    pub topics: Vec<LiveTopic>,
    /// Rules named with the stack's rule prefix, in every Region alerts may be placed in.
    pub rules: Vec<LiveRule>,
    /// The stack's forwarding role, if it exists.
    pub role: Option<LiveRole>,
    /// The home Region's Glue databases (read only for a spec with `athena:`).
    pub databases: Vec<DatabaseState>,
    /// The tables of the databases the spec names or the stack owns.
    pub tables: Vec<TableState>,
    /// The home Region's Athena workgroups (but `primary`).
    pub workgroups: Vec<WorkgroupState>,
    /// The stack's CloudTrail log-delivery role, if it exists.
    pub logs_role: Option<LiveRole>,
    /// The log groups the spec's trails deliver to, and those the stack's role writes to.
    pub log_groups: Vec<LogGroupState>,
    /// The stack's metric filters (by name prefix) on those log groups.
    pub metric_filters: Vec<MetricFilterState>,
    /// The stack's alarms (by name prefix) in the home Region.
    pub alarms: Vec<AlarmState>,
    /// The policy of the home Region's default bus (read for a spec with `organization:`).
    pub bus_policy: Option<serde_json::Value>,
    /// Whether the stack's permissions boundary exists (read for a spec that builds a role).
    pub boundary: Option<bool>,
    /// The account's quota of rules per event bus, in the Regions the spec puts rules in, where
    /// Service Quotas told it (elsewhere the default holds).
    pub rule_quotas: BTreeMap<String, u32>,
}

/// A trail in its home Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTrail {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub settings: TrailSettings,
    pub tags: Tags,
    /// Status, selectors and Insights: read only for trails the spec or its stack may own.
    pub details: Option<TrailDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrailDetails {
    pub logging: bool,
    /// Advanced selectors; classic selectors converted to their advanced meaning.
    pub selectors: Vec<AdvancedSelector>,
    pub insights: BTreeSet<Insight>,
}

/// What reading one of the spec's buckets found.
#[derive(Debug, Clone, PartialEq)]
pub enum BucketObservation {
    Missing,
    /// The name exists but these credentials cannot read it: another account's bucket, or a
    /// read the caller lacks (S3 answers both with AccessDenied).
    Inaccessible,
    Found(LiveBucket),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveBucket {
    pub region: String,
    pub block_public_access: bool,
    pub owner_enforced: bool,
    /// The key as S3 reports it (not yet canonical).
    pub encryption: Encryption,
    pub retention_days: Option<u32>,
    pub policy: Option<Value>,
    pub access_logging: Option<crate::model::state::AccessLogging>,
    pub tags: Tags,
}

/// The policy of a bucket trailctl does not own.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyObservation {
    /// The bucket does not exist.
    MissingBucket,
    /// The bucket has no policy.
    NoPolicy,
    Policy(Value),
    /// Reading the policy was not allowed (the reason).
    Unreadable(String),
}

impl Observed {
    /// The trail named `name` homed in `region`, else one of that name in another Region.
    pub fn trail(&self, name: &str, region: &str) -> Option<&LiveTrail> {
        self.trails
            .iter()
            .find(|t| t.name == name && t.region == region)
            .or_else(|| self.trails.iter().find(|t| t.name == name))
    }
}

/// An SNS topic of the home Region that the spec or its stack may own, as read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveTopic {
    pub name: String,
    pub arn: String,
    pub display_name: Option<String>,
    /// As SNS reports it (not yet canonical).
    pub kms_key: Option<String>,
    pub policy: Option<Value>,
    pub subscriptions: Vec<LiveSubscription>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveSubscription {
    pub protocol: String,
    pub endpoint: String,
    /// `None` while the subscription waits for confirmation (SNS reports `PendingConfirmation`).
    pub arn: Option<String>,
}

/// An EventBridge rule on a default bus, as read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveRule {
    pub region: String,
    pub name: String,
    pub arn: String,
    pub pattern: Option<Value>,
    pub description: Option<String>,
    pub state: String,
    /// Set on rules an AWS service created and manages: never touched.
    pub managed_by: Option<String>,
    pub targets: Vec<TargetState>,
    pub tags: Tags,
}

/// An IAM role, as read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveRole {
    pub name: String,
    pub arn: String,
    pub trust: Value,
    /// The inline policy trailctl writes (by its name), if present.
    pub policy: Option<Value>,
    /// The ARN of its permissions boundary, if it has one.
    pub boundary: Option<String>,
    pub tags: Tags,
}

/// The part of the account one kind of resource lives in: what `apply` re-reads just before it
/// writes a resource of that kind, instead of the whole account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Trails,
    Buckets,
    Topics,
    Rules,
    Role,
    Athena,
    /// Log groups, metric filters and alarms (and the log-delivery role).
    Logs,
    /// The home bus's policy.
    Bus,
}
