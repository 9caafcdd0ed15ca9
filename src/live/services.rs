//! One async trait per AWS service, in `model` types. `live/aws` implements them with the SDK,
//! `live/fake` in memory. Calls run concurrently inside one task, so the futures need not be
//! `Send` (hence `async fn` in traits).
#![allow(async_fn_in_trait)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::live::error::LiveResult;
use crate::model::alert_state::{RuleState, TargetState};
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::bus_state::BusPolicyState;
use crate::model::desired::Insight;
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::observed::{
    LiveBucket, LiveRole, LiveRule, LiveTopic, PolicyObservation, TrailDetails,
};
use crate::model::org::{OrgAccount, OrgInfo};
use crate::model::selector::AdvancedSelector;
use crate::model::state::TrailSettings;
use crate::model::state::{AccessLogging, Encryption};
use crate::model::tags::Tags;

/// A trail as `DescribeTrails` lists it in its home Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailListing {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub settings: TrailSettings,
}

/// CloudTrail. Every call goes to `region`, a trail's home Region.
pub trait CloudTrail {
    /// `(name, ARN, home Region)` of every trail the account has, as seen from `region`.
    async fn list_trails(&self, region: &str) -> LiveResult<Vec<(String, String, String)>>;
    /// The trails homed in `region` (no shadow copies).
    async fn describe_trails(&self, region: &str) -> LiveResult<Vec<TrailListing>>;
    /// Tags of each trail in `arns` (all homed in `region`).
    async fn list_tags(&self, region: &str, arns: &[String]) -> LiveResult<BTreeMap<String, Tags>>;
    /// Logging status, selectors and Insights of one trail.
    async fn details(&self, region: &str, arn: &str) -> LiveResult<TrailDetails>;
    /// Creates a trail with its tags; returns its ARN.
    async fn create_trail(
        &self,
        region: &str,
        name: &str,
        settings: &TrailSettings,
        tags: &Tags,
    ) -> LiveResult<String>;
    async fn update_trail(
        &self,
        region: &str,
        name: &str,
        settings: &TrailSettings,
    ) -> LiveResult<()>;
    async fn delete_trail(&self, region: &str, name: &str) -> LiveResult<()>;
    async fn add_tags(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()>;
    async fn remove_tags(&self, region: &str, arn: &str, keys: &BTreeSet<String>)
    -> LiveResult<()>;
    /// Replaces the selectors; an empty list logs nothing.
    async fn put_selectors(
        &self,
        region: &str,
        name: &str,
        selectors: &[AdvancedSelector],
    ) -> LiveResult<()>;
    /// Replaces the Insights types; an empty set turns Insights off.
    async fn put_insights(
        &self,
        region: &str,
        name: &str,
        insights: &BTreeSet<Insight>,
    ) -> LiveResult<()>;
    async fn set_logging(&self, region: &str, name: &str, on: bool) -> LiveResult<()>;
}

/// S3, for delivery buckets.
pub trait S3 {
    /// Everything trailctl compares on a bucket, or `Ok(None)` when it does not exist.
    /// `Err` with `AccessDenied` when it exists in another account.
    async fn bucket(&self, name: &str) -> LiveResult<Option<LiveBucket>>;
    /// The policy of a bucket trailctl does not own.
    async fn bucket_policy(&self, name: &str) -> LiveResult<PolicyObservation>;
    /// Creates a bucket with its tags, so that a failure after the create leaves a bucket that
    /// is recognisably this stack's (a re-run finishes it), never an untagged one.
    async fn create_bucket(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn block_public_access(&self, region: &str, name: &str) -> LiveResult<()>;
    async fn enforce_bucket_owner(&self, region: &str, name: &str) -> LiveResult<()>;
    async fn put_encryption(
        &self,
        region: &str,
        name: &str,
        encryption: &Encryption,
    ) -> LiveResult<()>;
    /// Sets (or with `None` removes) trailctl's lifecycle rule: expire objects after `days`.
    async fn put_retention(&self, region: &str, name: &str, days: Option<u32>) -> LiveResult<()>;
    /// Sets (or with `None` deletes) the bucket policy.
    async fn put_policy(&self, region: &str, name: &str, policy: Option<&Value>) -> LiveResult<()>;
    /// Turns server access logging on into `logging` (or with `None` off).
    async fn put_access_logging(
        &self,
        region: &str,
        name: &str,
        logging: Option<&AccessLogging>,
    ) -> LiveResult<()>;
    /// Replaces the bucket's tags.
    async fn put_tags(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
}

/// STS.
pub trait Sts {
    /// The account the credentials belong to.
    async fn account_id(&self) -> LiveResult<String>;
}

/// AWS Organizations, as the management account (or a delegated administrator) reads it.
pub trait Organizations {
    /// The organization of the caller's account, `Ok(None)` when it belongs to none.
    async fn organization(&self) -> LiveResult<Option<OrgInfo>>;
    /// Every account of the organization (`ListAccounts`).
    async fn accounts(&self) -> LiveResult<Vec<OrgAccount>>;
    /// The ids of the accounts directly under a root or OU (`ListAccountsForParent`).
    async fn accounts_for_parent(&self, parent: &str) -> LiveResult<Vec<String>>;
    /// The ids of the OUs directly under a root or OU (`ListChildren`).
    async fn child_units(&self, parent: &str) -> LiveResult<Vec<String>>;
    /// The service principals with trusted access (`ListAWSServiceAccessForOrganization`).
    async fn trusted_services(&self) -> LiveResult<BTreeSet<String>>;
}

/// KMS, to compare keys by key ARN.
pub trait Kms {
    /// The key ARN `key` (id, ARN, alias or alias ARN) names in `region`, `Ok(None)` if none.
    async fn key_arn(&self, region: &str, key: &str) -> LiveResult<Option<String>>;
}

/// SNS topics of one Region.
pub trait Sns {
    /// The ARNs of every topic in `region`.
    async fn list_topics(&self, region: &str) -> LiveResult<Vec<String>>;
    async fn topic_tags(&self, region: &str, arn: &str) -> LiveResult<Tags>;
    /// Attributes and subscriptions of a topic (`tags` are passed through), `Ok(None)` if gone.
    async fn topic(&self, region: &str, arn: &str, tags: Tags) -> LiveResult<Option<LiveTopic>>;
    /// Creates a topic with its tags (FIFO when the name ends in `.fifo`); returns its ARN.
    async fn create_topic(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<String>;
    /// Sets one attribute (`DisplayName`, `KmsMasterKeyId`, `Policy`); "" clears it.
    async fn set_topic_attribute(
        &self,
        region: &str,
        arn: &str,
        name: &str,
        value: &str,
    ) -> LiveResult<()>;
    async fn tag_topic(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_topic(&self, region: &str, arn: &str, keys: &BTreeSet<String>)
    -> LiveResult<()>;
    async fn subscribe(
        &self,
        region: &str,
        arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> LiveResult<()>;
    async fn unsubscribe(&self, region: &str, subscription_arn: &str) -> LiveResult<()>;
    async fn delete_topic(&self, region: &str, arn: &str) -> LiveResult<()>;
}

/// EventBridge rules on the default bus of one Region.
pub trait Events {
    /// Rules whose name starts with `prefix` (every rule for ""), with their targets and tags.
    async fn list_rules(&self, region: &str, prefix: &str) -> LiveResult<Vec<LiveRule>>;
    /// Creates or updates a rule (pattern, description, state); tags are set only when it is
    /// created. Returns the rule's ARN.
    async fn put_rule(&self, region: &str, name: &str, rule: &RuleState) -> LiveResult<String>;
    async fn tag_rule(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_rule(&self, region: &str, arn: &str, keys: &BTreeSet<String>) -> LiveResult<()>;
    /// Creates or replaces targets (by id).
    async fn put_targets(
        &self,
        region: &str,
        rule: &str,
        targets: &[TargetState],
    ) -> LiveResult<()>;
    async fn remove_targets(&self, region: &str, rule: &str, ids: &[String]) -> LiveResult<()>;
    async fn delete_rule(&self, region: &str, name: &str) -> LiveResult<()>;
    /// The resource policy of the default bus of `region` (`DescribeEventBus`), `None` if it
    /// has none.
    async fn bus_policy(&self, region: &str) -> LiveResult<Option<Value>>;
    /// Adds or replaces one statement of the default bus's policy (`PutPermission` with a
    /// statement id, never the whole policy): PutEvents for an organization's accounts.
    async fn put_bus_statement(&self, statement: &BusPolicyState) -> LiveResult<()>;
    /// Removes one statement of the default bus's policy (gone already: success).
    async fn remove_bus_statement(&self, region: &str, sid: &str) -> LiveResult<()>;
}

/// IAM roles (global).
pub trait Iam {
    /// The role and its inline policy `policy_name`, `Ok(None)` if there is no such role.
    async fn role(&self, name: &str, policy_name: &str) -> LiveResult<Option<LiveRole>>;
    /// Creates the role with `trust`, its permissions boundary and its tags.
    async fn create_role(
        &self,
        name: &str,
        trust: &Value,
        boundary: Option<&str>,
        tags: &Tags,
    ) -> LiveResult<()>;
    /// Whether the customer managed policy `arn` exists.
    async fn policy_exists(&self, arn: &str) -> LiveResult<bool>;
    /// Sets the role's permissions boundary to the managed policy `boundary` (an ARN).
    async fn put_role_boundary(&self, name: &str, boundary: &str) -> LiveResult<()>;
    async fn update_trust(&self, name: &str, trust: &Value) -> LiveResult<()>;
    async fn put_role_policy(
        &self,
        name: &str,
        policy_name: &str,
        policy: &Value,
    ) -> LiveResult<()>;
    async fn tag_role(&self, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_role(&self, name: &str, keys: &BTreeSet<String>) -> LiveResult<()>;
    /// Deletes the inline policy `policy_name` (if present), then the role.
    async fn delete_role(&self, name: &str, policy_name: &str) -> LiveResult<()>;
}

/// The Glue Data Catalog of one Region: the databases and tables of trails' `athena:`.
pub trait Glue {
    /// Every database of the catalog, with its tags.
    async fn databases(&self, region: &str) -> LiveResult<Vec<DatabaseState>>;
    async fn create_database(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn tag_database(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_database(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()>;
    async fn delete_database(&self, region: &str, name: &str) -> LiveResult<()>;
    /// Every table of a database (the parameters trailctl manages and its ownership marks).
    async fn tables(&self, region: &str, database: &str) -> LiveResult<Vec<TableState>>;
    /// Creates the table (`create`) or replaces its definition (`UpdateTable`).
    async fn put_table(&self, table: &TableState, create: bool) -> LiveResult<()>;
    async fn delete_table(&self, region: &str, database: &str, name: &str) -> LiveResult<()>;
}

/// Athena workgroups of one Region.
pub trait Athena {
    /// Every workgroup, with its configuration and tags.
    async fn workgroups(&self, region: &str) -> LiveResult<Vec<WorkgroupState>>;
    /// Creates a workgroup with its configuration and tags.
    async fn create_workgroup(&self, w: &WorkgroupState) -> LiveResult<()>;
    async fn update_workgroup(&self, w: &WorkgroupState) -> LiveResult<()>;
    async fn tag_workgroup(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_workgroup(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()>;
    async fn delete_workgroup(&self, region: &str, name: &str) -> LiveResult<()>;
    /// Starts `sql` in `workgroup` with `database` as its context; returns the execution id.
    async fn start_query(
        &self,
        region: &str,
        workgroup: &str,
        database: &str,
        sql: &str,
    ) -> LiveResult<String>;
    async fn query_status(&self, region: &str, id: &str) -> LiveResult<QueryStatus>;
    /// One page of a finished query's results.
    async fn query_page(
        &self,
        region: &str,
        id: &str,
        token: Option<String>,
    ) -> LiveResult<ResultPage>;
}

/// Where an Athena query is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum QueryState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// `GetQueryExecution`: the state, why it ended so (when it failed or was cancelled), and
/// what it scanned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueryStatus {
    pub state: QueryState,
    pub reason: Option<String>,
    pub bytes_scanned: Option<u64>,
    pub millis: Option<u64>,
}

/// One page of `GetQueryResults`: the column names, rows of cells (`None`: SQL NULL) and the
/// next page's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResultPage {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub next: Option<String>,
}

/// An account: every service trailctl uses.
/// One `LookupEvents` attribute (the API takes one per call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    ResourceName(String),
    EventName(String),
}

/// CloudTrail event history: the last 90 days of management events, per Region.
pub trait EventHistory {
    /// One page of `LookupEvents` in `region` (at most 50 records, newest first) between
    /// `start` and `end` (Unix seconds, both included), and the token of the next page.
    async fn lookup_events(
        &self,
        region: &str,
        lookup: &Lookup,
        start: i64,
        end: i64,
        token: Option<String>,
    ) -> LiveResult<(Vec<Value>, Option<String>)>;
}

/// CloudWatch Logs: the log groups trails deliver to, and metric filters on them.
pub trait Logs {
    /// The log group `name` with its tags, or `Ok(None)` when there is none.
    async fn log_group(&self, region: &str, name: &str) -> LiveResult<Option<LogGroupState>>;
    /// Creates the log group with its tags and KMS key, then sets its retention.
    async fn create_log_group(&self, group: &LogGroupState) -> LiveResult<()>;
    /// Sets (or, with `None`, removes) the retention.
    async fn set_retention(&self, region: &str, name: &str, days: Option<u32>) -> LiveResult<()>;
    /// Associates (or, with `None`, disassociates) a KMS key.
    async fn set_log_group_key(
        &self,
        region: &str,
        name: &str,
        key: Option<&str>,
    ) -> LiveResult<()>;
    async fn tag_log_group(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_log_group(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()>;
    async fn delete_log_group(&self, region: &str, name: &str) -> LiveResult<()>;
    /// The metric filters of a log group whose names start with `prefix` (none when the log
    /// group does not exist).
    async fn metric_filters(
        &self,
        region: &str,
        log_group: &str,
        prefix: &str,
    ) -> LiveResult<Vec<MetricFilterState>>;
    /// Creates or replaces a metric filter (`PutMetricFilter`).
    async fn put_metric_filter(&self, filter: &MetricFilterState) -> LiveResult<()>;
    async fn delete_metric_filter(
        &self,
        region: &str,
        log_group: &str,
        name: &str,
    ) -> LiveResult<()>;
}

/// CloudWatch metric alarms.
pub trait CloudWatch {
    /// The alarms whose names start with `prefix`, with their tags.
    async fn alarms(&self, region: &str, prefix: &str) -> LiveResult<Vec<AlarmState>>;
    /// Creates or replaces an alarm (`PutMetricAlarm`); its tags are set only on creation
    /// (`create`), as the API takes them.
    async fn put_alarm(&self, alarm: &AlarmState, create: bool) -> LiveResult<()>;
    async fn tag_alarm(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()>;
    async fn untag_alarm(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()>;
    async fn delete_alarm(&self, region: &str, name: &str) -> LiveResult<()>;
}

pub trait Account:
    CloudTrail
    + S3
    + Sts
    + Kms
    + Sns
    + Events
    + Iam
    + Glue
    + Athena
    + Logs
    + CloudWatch
    + Tagging
    + Quotas
{
}
impl<
    T: CloudTrail
        + S3
        + Sts
        + Kms
        + Sns
        + Events
        + Iam
        + Glue
        + Athena
        + Logs
        + CloudWatch
        + Tagging
        + Quotas,
> Account for T
{
}

/// The largest log file read, uncompressed (1 GiB): a larger one is refused, never read into
/// memory. CloudTrail writes files of a few MB.
pub const MAX_OBJECT_BYTES: usize = 1 << 30;

/// Service Quotas: the account's own value of a quota.
pub trait Quotas {
    /// EventBridge's "Number of rules" per event bus in `region` as applied to this account
    /// (`None`: the caller may not read it, or Service Quotas does not know it; the default
    /// then holds).
    async fn rules_per_bus(&self, region: &str) -> LiveResult<Option<u32>>;
}

/// Service Quotas' code of EventBridge's "Number of rules" (rules per event bus).
pub const RULES_QUOTA_CODE: &str = "L-244521F2";

/// The resource types [`Tagging::tagged`] asks for (the Resource Groups Tagging API's
/// `service:type`).
pub const TAGGED_TYPES: [&str; 3] = ["events:rule", "glue:database", "athena:workgroup"];

/// What carries one tag in one Region, by kind: the names of rules (on the default bus), Glue
/// databases and Athena workgroups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tagged {
    pub rules: BTreeSet<String>,
    pub databases: BTreeSet<String>,
    pub workgroups: BTreeSet<String>,
}

impl Tagged {
    /// Sorts ARNs by kind (`…:events:…:rule/NAME`, `…:glue:…:database/NAME`,
    /// `…:athena:…:workgroup/NAME`); a rule of another bus (`rule/BUS/NAME`) and any other ARN
    /// are left out.
    pub fn from_arns(arns: &[String]) -> Tagged {
        let mut out = Tagged::default();
        for parts in arns.iter().filter_map(|a| crate::model::arn::parse(a)) {
            let Some((kind, name)) = parts.resource.split_once('/') else {
                continue;
            };
            let set = match (parts.service, kind) {
                ("events", "rule") if !name.contains('/') => &mut out.rules,
                ("glue", "database") => &mut out.databases,
                ("athena", "workgroup") => &mut out.workgroups,
                _ => continue,
            };
            set.insert(name.to_owned());
        }
        out
    }
}

/// The Resource Groups Tagging API: what carries a tag, whatever its name.
pub trait Tagging {
    /// The rules, Glue databases and Athena workgroups of `region` tagged `key` = `value`.
    async fn tagged(&self, region: &str, key: &str, value: &str) -> LiveResult<Tagged>;
}

/// One page of `ListObjectsV2`: objects `(key, size)` and, with a delimiter, the common
/// prefixes (the "folders" one level down).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectPage {
    pub objects: Vec<(String, u64)>,
    pub prefixes: Vec<String>,
    /// The continuation token of the next page, if there is one.
    pub next: Option<String>,
}

/// S3 objects, for reading a trail's archived logs.
pub trait Objects {
    /// The Region a bucket is in, `Ok(None)` if there is no such bucket.
    async fn bucket_region(&self, bucket: &str) -> LiveResult<Option<String>>;
    /// One `ListObjectsV2` call under `prefix`; with `delimiter`, one level (`/`) at a time.
    async fn list_page(
        &self,
        region: &str,
        bucket: &str,
        prefix: &str,
        delimiter: bool,
        token: Option<String>,
    ) -> LiveResult<ObjectPage>;
    /// An object's bytes, streamed into memory as they arrive; `Ok(None)` if it is gone.
    async fn get_object(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
    ) -> LiveResult<Option<Vec<u8>>>;
}
