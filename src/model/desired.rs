//! `Desired`: the account as the spec wants it, fully defaulted and validated.

use std::collections::BTreeSet;

use crate::model::alert::{Alert, Topic};
use crate::model::cost::Volumes;
use crate::model::diagnostic::SpecPath;
use crate::model::selector::AdvancedSelector;
pub use crate::model::settings::{CloudWatchLogs, Insight, InsightType, TrailSettings};
use crate::model::tags::Tags;

/// Everything a valid spec declares, with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// Value of the `trailctl:stack` ownership tag.
    pub stack: String,
    /// When set, commands refuse to run against any other account.
    pub account: Option<String>,
    /// Where trails, topics and the alert hub live.
    pub home_region: String,
    /// Where regional resources go; always contains `home_region`.
    pub regions: Vec<String>,
    /// Added to every managed resource (besides the ownership tags).
    pub tags: Tags,
    pub buckets: Vec<Bucket>,
    pub trails: Vec<Trail>,
    pub topics: Vec<Topic>,
    pub alerts: Vec<Alert>,
    /// Monthly event volumes for the plan's cost estimate (`cost:`).
    pub cost: Volumes,
    /// The accounts of an organization the spec is for (`organization:`).
    pub organization: Option<crate::model::org::Organization>,
    /// Set when this is the spec shaped for one account of its organization
    /// (`Membership::shape`).
    pub member: Option<crate::model::org::Membership>,
}

/// A delivery bucket that trailctl creates and owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// Lifecycle expiration of log objects, in days.
    pub retention_days: Option<u32>,
    /// SSE-KMS key (id, ARN or alias); `None` means SSE-S3.
    pub kms_key: Option<String>,
    /// Server access logging into another bucket (`access_logging:`).
    pub access_logging: Option<crate::model::settings::AccessLogging>,
    /// Its own tags, besides the spec's and the ownership tags.
    pub tags: Tags,
    /// Where the spec declares it (`buckets[2]`).
    pub path: SpecPath,
}

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub name: String,
    /// Its `UpdateTrail` settings as the spec writes them (a key or topic may be a name or
    /// alias: `plan::state_of` makes them canonical).
    pub settings: TrailSettings,
    /// Whether the trail is logging (StartLogging / StopLogging).
    pub logging: bool,
    /// The trail's advanced event selectors: management events, data events or raw selectors.
    pub selectors: Vec<AdvancedSelector>,
    pub insights: BTreeSet<Insight>,
    pub tags: Tags,
    /// The Athena table over its logs, with its database and workgroup.
    pub athena: Option<crate::model::athena::Athena>,
    /// The CloudWatch Logs log group trailctl builds for it (`cloudwatch_logs: {log_group}`);
    /// `settings.cloudwatch_logs` is then derived from it (`plan::state_of`).
    pub log_group: Option<LogGroup>,
    /// Where the spec declares it (`trails[1]`): not an index into `Desired::trails`, which
    /// holds only the items that could be read.
    pub path: SpecPath,
}

/// A log group trailctl creates and owns for a trail's delivery to CloudWatch Logs, with the
/// stack's role that CloudTrail assumes to write to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    pub name: String,
    pub retention_days: Option<u32>,
    /// A customer managed key (id, alias or ARN; made an ARN when planned).
    pub kms_key: Option<String>,
    /// Where the spec declares it (`trails[0].cloudwatch_logs`).
    pub path: SpecPath,
}

/// CloudWatch Logs' retention values (`PutRetentionPolicy` `retentionInDays`).
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl Trail {
    /// The name of the log group the trail delivers to, if any: the one trailctl builds, or
    /// the one a log group ARN names.
    pub fn log_group_name(&self) -> Option<String> {
        if let Some(g) = &self.log_group {
            return Some(g.name.clone());
        }
        let arn = &self.settings.cloudwatch_logs.as_ref()?.log_group_arn;
        let rest = arn.split_once(":log-group:")?.1;
        Some(rest.strip_suffix(":*").unwrap_or(rest).to_owned())
    }
}

impl Desired {
    /// The account whose home bus receives this account's alerts, when it is not this one (a
    /// member of an organization forwards to its security account).
    pub fn forward_to(&self) -> Option<&str> {
        self.member.as_ref().and_then(|m| m.forward_to())
    }

    /// The permissions boundary every role of the stack is created with, in `account`.
    pub fn boundary_arn(&self, account: &str) -> String {
        crate::model::arn::policy(
            &self.home_region,
            account,
            &crate::model::alert::boundary_name(&self.stack),
        )
    }

    /// Whether any rule forwards (and so needs the stack's forwarding role): an alert placed
    /// outside the home Region, or any alert of an account that forwards to the organization's
    /// security account.
    pub fn forwards(&self) -> bool {
        let forwards_all = self.forward_to().is_some();
        self.alerts
            .iter()
            .filter(|a| a.backend.eventbridge())
            .any(|a| {
                forwards_all
                    || crate::model::event_sources::regions(&a.pattern, &a.placement, &self.regions)
                        .iter()
                        .any(|r| r != &self.home_region)
            })
    }

    /// The KMS keys that encrypt the trails' log files: the trails' own and their buckets'.
    pub fn log_file_keys(&self) -> impl Iterator<Item = &str> {
        self.trails
            .iter()
            .filter_map(|t| t.settings.kms_key.as_deref())
            .chain(self.buckets.iter().filter_map(|b| b.kms_key.as_deref()))
    }

    /// Every KMS key the spec names (as written: an id, alias or ARN).
    pub fn kms_keys(&self) -> impl Iterator<Item = &str> {
        self.log_file_keys()
            .chain(self.topics.iter().filter_map(|t| t.kms_key.as_deref()))
            .chain(
                self.trails
                    .iter()
                    .filter_map(|t| t.log_group.as_ref()?.kms_key.as_deref()),
            )
    }

    /// Whether the spec builds a log group (and so the stack's log-delivery role).
    pub fn builds_log_groups(&self) -> bool {
        self.trails.iter().any(|t| t.log_group.is_some())
    }

    /// Whether the spec builds any IAM role (and so needs the stack's permissions boundary).
    pub fn builds_roles(&self) -> bool {
        self.forwards() || self.builds_log_groups()
    }
}

impl Trail {
    /// Which management events the trail logs, across all its selectors: `(reads, writes)`.
    pub fn management_coverage(&self) -> (bool, bool) {
        crate::model::selector::coverage(&self.selectors)
    }
}

impl Desired {
    /// What account `account` is to organization `org_id` under this spec.
    pub fn membership(
        &self,
        account: &str,
        org_id: &str,
        management_account: &str,
    ) -> crate::model::org::Membership {
        crate::model::org::Membership {
            account: account.to_owned(),
            org_id: org_id.to_owned(),
            management_account: management_account.to_owned(),
            security_account: self
                .organization
                .as_ref()
                .map(|o| o.security_account.clone())
                .unwrap_or_default(),
            management_events_trail: self
                .trails
                .iter()
                .find(|t| {
                    let (reads, writes) = t.management_coverage();
                    t.settings.organization && t.logging && (reads || writes)
                })
                .map(|t| t.name.clone()),
        }
    }

    /// What the account of `m` holds of the spec: the management account its trails and
    /// buckets, the security account its topics (and the bus policy that admits the
    /// organization), every account the alerts' rules, forwarding to the security account unless
    /// it is that one.
    pub fn shaped_for(&self, m: &crate::model::org::Membership) -> Desired {
        let mut d = self.clone();
        d.account = Some(m.account.clone());
        if !m.management() {
            d.trails.clear();
            d.buckets.clear();
        }
        if !m.security() {
            d.topics.clear();
        }
        d.member = Some(m.clone());
        d
    }
}
