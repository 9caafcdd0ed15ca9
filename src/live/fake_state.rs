//! What the fake account holds, and its form as a file: with the test-only `fake` feature,
//! `TRAILCTL_FAKE_ACCOUNT=FILE trailctl plan …` works on the account in that file instead of
//! AWS's, so the integration tests drive the real CLI (exit codes, saved plans, formats,
//! refusals) with no emulator, and seed it, change it and count its calls by editing the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::live::error::ErrorKind;
use crate::model::desired::Insight;
use crate::model::observed::{LiveBucket, LiveRole, LiveRule, LiveTopic};
use crate::model::selector::AdvancedSelector;
use crate::model::state::TrailSettings;
use crate::model::tags::Tags;

/// The environment variable naming the fake account's file.
pub const FAKE_ACCOUNT_VAR: &str = "TRAILCTL_FAKE_ACCOUNT";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FakeTrail {
    pub settings: TrailSettings,
    pub logging: bool,
    pub selectors: Vec<AdvancedSelector>,
    pub insights: BTreeSet<Insight>,
}

/// An organization as Organizations shows it to the fake account.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FakeOrg {
    pub info: crate::model::org::OrgInfo,
    pub accounts: Vec<crate::model::org::OrgAccount>,
    /// The parent (root or OU id) of each account and OU.
    pub parents: BTreeMap<String, String>,
    pub trusted: BTreeSet<String>,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct State {
    pub account: String,
    /// By `(home Region, name)`.
    #[serde(with = "entries")]
    pub trails: BTreeMap<(String, String), FakeTrail>,
    pub trail_tags: BTreeMap<String, Tags>,
    pub buckets: BTreeMap<String, LiveBucket>,
    /// Bucket names owned by another account.
    pub foreign_buckets: BTreeSet<String>,
    /// KMS aliases and ids → key ARN.
    pub kms: BTreeMap<String, String>,
    /// SNS topics by ARN.
    pub topics: BTreeMap<String, LiveTopic>,
    /// EventBridge rules by `(Region, name)`.
    #[serde(with = "entries")]
    pub rules: BTreeMap<(String, String), LiveRule>,
    /// Statements of the default buses' policies by `(Region, Sid)`.
    #[serde(with = "entries")]
    pub bus_statements: BTreeMap<(String, String), Value>,
    /// The organization the account belongs to (`None`: none).
    pub org: Option<FakeOrg>,
    /// IAM roles by name.
    pub roles: BTreeMap<String, LiveRole>,
    /// Managed policies (ARNs) that do not exist: every other one does, as if an administrator
    /// had created the stack's permissions boundary.
    pub missing_policies: BTreeSet<String>,
    /// Glue databases (their tags) by `(Region, name)`.
    #[serde(with = "entries")]
    pub databases: BTreeMap<(String, String), Tags>,
    /// Glue tables by `(Region, database, name)`.
    #[serde(with = "entries")]
    pub tables: BTreeMap<(String, String, String), crate::model::athena_state::TableState>,
    /// Athena workgroups by `(Region, name)`.
    #[serde(with = "entries")]
    pub workgroups: BTreeMap<(String, String), crate::model::athena_state::WorkgroupState>,
    /// Athena queries started: `(workgroup, database, SQL)`.
    pub queries: Vec<(String, String, String)>,
    /// How every query ends (default: succeeded) after `query_polls` answers of "running".
    pub query_end: Option<crate::live::services::QueryStatus>,
    pub query_polls: usize,
    /// The result pages every query gives, in order (the token is the page's index).
    pub query_pages: Vec<crate::live::services::ResultPage>,
    /// CloudWatch Logs log groups by `(Region, name)`.
    #[serde(with = "entries")]
    pub log_groups: BTreeMap<(String, String), crate::model::logs_state::LogGroupState>,
    pub metric_filters: Vec<crate::model::logs_state::MetricFilterState>,
    /// CloudWatch alarms by `(Region, name)`.
    #[serde(with = "entries")]
    pub alarms: BTreeMap<(String, String), crate::model::logs_state::AlarmState>,
    /// Event history: CloudTrail records by Region.
    pub history: BTreeMap<String, Vec<serde_json::Value>>,
    /// The account's "Number of rules" per Region, where raised (Service Quotas).
    pub rule_quotas: BTreeMap<String, u32>,
    pub calls: BTreeMap<String, usize>,
    /// `(operation, n, kind)`: the n-th call (1-based) of `operation` fails.
    pub failures: Vec<(String, usize, ErrorKind)>,
}

impl State {
    /// The state saved in `file`.
    pub fn read(file: &Path) -> std::io::Result<State> {
        Ok(serde_json::from_slice(&std::fs::read(file)?)?)
    }

    /// Saves the state in `file`: written whole, then renamed, so a reader never sees half.
    pub fn write(&self, file: &Path) -> std::io::Result<()> {
        let partial = file.with_extension("partial");
        std::fs::write(&partial, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&partial, file)
    }
}

/// A map whose keys are tuples (a Region and a name), as JSON: a list of `[key, value]` pairs.
mod entries {
    use std::collections::BTreeMap;

    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: DeserializeOwned + Ord,
        V: DeserializeOwned,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}
