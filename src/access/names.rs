//! `Names`: what a spec determines of the ARNs its IAM actions are authorized against, and the
//! ARNs of each resource type of the operations table (`Res`).

use std::collections::BTreeSet;

use crate::live::aws::operations::{Need, Res};
use crate::live::observe::rule_regions;
use crate::model::alert::{boundary_name, forwarder_role_name, logs_role_name, rule_prefix};
use crate::model::arn;
use crate::model::desired::Desired;
use crate::model::tags::STACK_KEY;

/// CloudTrail's service-linked role (an organization trail needs it).
const CLOUDTRAIL_SLR: &str =
    "aws-service-role/cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail";

/// The names a spec gives its resources, or the patterns of the generic templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    partition: &'static str,
    /// The account id, or `*` (templates, and an organization spec: every member account).
    pub account: String,
    /// The home Region, or `*`.
    home: String,
    /// The stack, or `*`.
    stack: String,
    rule_regions: Vec<String>,
    trails: Vec<String>,
    buckets: Vec<String>,
    trail_buckets: Vec<String>,
    /// `BUCKET/PREFIX/AWSLogs/*` of every trail.
    log_objects: Vec<String>,
    /// KMS key ARNs (or patterns) of the trails and buckets: log files are encrypted with them.
    log_keys: Vec<String>,
    results_buckets: Vec<String>,
    topics: Vec<String>,
    adopted_rules: Vec<String>,
    keys: Vec<String>,
    /// `(database, table)` of every `athena:`.
    tables: Vec<(String, String)>,
    workgroups: Vec<String>,
    log_groups: Vec<String>,
    metric_alerts: bool,
    /// Whether any alert deploys EventBridge rules (their count is checked against the quota).
    rule_alerts: bool,
    /// Roles the spec names for CloudTrail's delivery to CloudWatch Logs (`role_arn`).
    named_roles: Vec<String>,
    /// Whether the spec builds each of the stack's roles: the forwarder, the log-delivery role.
    builds_roles: (bool, bool),
    organization_trail: bool,
    /// `organization.role`.
    member_role: Option<String>,
    athena: bool,
}

impl Names {
    /// The names `d` gives, in `account` (the spec's `account:`, `--account` or the caller's).
    pub fn of(d: &Desired, account: &str) -> Names {
        let org = d.organization.as_ref();
        // An organization spec runs in every member account with the same policy.
        let account = if org.is_some() { "*" } else { account }.to_owned();
        let home = d.home_region.clone();
        let key = |k: &str| key_arn(&home, &account, k);
        let trail_buckets: BTreeSet<String> = d
            .trails
            .iter()
            .map(|t| t.settings.bucket.clone())
            .chain(d.buckets.iter().map(|b| b.name.clone()))
            .collect();
        let log_objects = d
            .trails
            .iter()
            .map(|t| match &t.settings.prefix {
                Some(p) => format!("{}/{p}/AWSLogs/*", t.settings.bucket),
                None => format!("{}/AWSLogs/*", t.settings.bucket),
            })
            .collect::<BTreeSet<_>>();
        let log_keys = d.log_file_keys().map(key).collect::<BTreeSet<_>>();
        let keys = d.kms_keys().map(key).collect::<BTreeSet<_>>();
        let athena: Vec<_> = d.trails.iter().filter_map(|t| t.athena.as_ref()).collect();
        Names {
            partition: arn::partition(&home),
            account,
            stack: d.stack.clone(),
            rule_regions: rule_regions(d).into_iter().collect(),
            trails: sorted(d.trails.iter().map(|t| t.name.clone())),
            buckets: sorted(d.buckets.iter().map(|b| b.name.clone())),
            trail_buckets: trail_buckets.into_iter().collect(),
            log_objects: log_objects.into_iter().collect(),
            log_keys: log_keys.into_iter().collect(),
            results_buckets: sorted(athena.iter().map(|a| a.results_bucket.clone())),
            topics: sorted(d.topics.iter().map(|t| t.name.clone())),
            adopted_rules: sorted(
                d.alerts
                    .iter()
                    .filter_map(|a| a.rule.clone())
                    .filter(|r| !r.starts_with(&rule_prefix(&d.stack))),
            ),
            keys: keys.into_iter().collect(),
            tables: sorted(athena.iter().map(|a| (a.database.clone(), a.table.clone()))),
            workgroups: sorted(athena.iter().map(|a| a.workgroup.clone())),
            log_groups: sorted(d.trails.iter().filter_map(|t| t.log_group_name())),
            metric_alerts: d.alerts.iter().any(|a| a.metric.is_some()),
            rule_alerts: d.alerts.iter().any(|a| a.backend.eventbridge()),
            named_roles: sorted(d.trails.iter().filter_map(|t| {
                let cw = t.settings.cloudwatch_logs.as_ref()?;
                t.log_group.is_none().then(|| cw.role_arn.clone())
            })),
            builds_roles: (d.forwards(), d.builds_log_groups()),
            organization_trail: d.trails.iter().any(|t| t.settings.organization),
            member_role: org.map(|o| o.role.clone()),
            athena: !athena.is_empty(),
            home,
        }
    }

    /// The generic templates of `policies/`: every name a pattern, every feature on; the
    /// stack's own resources still by their `trailctl-` names.
    pub fn template() -> Names {
        let any = || vec!["*".to_owned()];
        Names {
            partition: "aws",
            account: "*".to_owned(),
            home: "*".to_owned(),
            stack: "*".to_owned(),
            rule_regions: any(),
            trails: any(),
            buckets: any(),
            trail_buckets: any(),
            log_objects: vec!["*/AWSLogs/*".to_owned()],
            log_keys: vec!["arn:aws:kms:*:*:key/*".to_owned()],
            results_buckets: any(),
            topics: any(),
            adopted_rules: Vec::new(),
            keys: vec!["arn:aws:kms:*:*:key/*".to_owned()],
            tables: vec![("*".to_owned(), "*".to_owned())],
            workgroups: any(),
            log_groups: any(),
            metric_alerts: true,
            rule_alerts: true,
            named_roles: Vec::new(),
            builds_roles: (true, true),
            organization_trail: true,
            member_role: Some("OrganizationAccountAccessRole".to_owned()),
            athena: true,
        }
    }

    fn arn(&self, service: &str, region: &str, rest: &str) -> String {
        format!(
            "arn:{}:{service}:{region}:{}:{rest}",
            self.partition, self.account
        )
    }

    fn s3(&self, rest: &str) -> String {
        format!("arn:{}:s3:::{rest}", self.partition)
    }

    fn iam(&self, account: &str, rest: &str) -> String {
        format!("arn:{}:iam::{account}:{rest}", self.partition)
    }

    fn glue_catalog(&self) -> String {
        self.arn("glue", &self.home, "catalog")
    }

    /// Whether the spec logs to CloudWatch Logs or has metric-filter alerts.
    fn logs(&self) -> bool {
        !self.log_groups.is_empty() || self.metric_alerts
    }

    /// The ARN of the stack's permissions boundary.
    pub fn boundary(&self) -> String {
        self.iam(
            &self.account,
            &format!("policy/{}", boundary_name(&self.stack)),
        )
    }

    /// The roles trailctl must never assume (any stack's, in any account).
    pub fn own_roles(&self) -> String {
        self.iam("*", "role/trailctl-*")
    }

    /// The ARNs `res` stands for in this spec; empty when the spec has no such resource (the
    /// action is then not needed).
    pub fn arns(&self, res: Res) -> Vec<String> {
        let home = self.home.as_str();
        match res {
            Res::Any(need) => {
                let needed = match need {
                    Need::Always => true,
                    Need::Athena => self.athena,
                    Need::Logs => self.logs(),
                    Need::Organization => self.member_role.is_some(),
                    Need::Rules => self.rule_alerts,
                };
                if needed {
                    vec!["*".to_owned()]
                } else {
                    Vec::new()
                }
            }
            Res::Trails => vec![self.arn("cloudtrail", "*", "trail/*")],
            Res::Trail => self
                .trails
                .iter()
                .map(|t| self.arn("cloudtrail", home, &format!("trail/{t}")))
                .collect(),
            Res::Bucket => self.buckets.iter().map(|b| self.s3(b)).collect(),
            Res::TrailBucket => self.trail_buckets.iter().map(|b| self.s3(b)).collect(),
            Res::LogObjects => self.log_objects.iter().map(|o| self.s3(o)).collect(),
            Res::BucketKey => self.log_keys.clone(),
            Res::ResultsBucket => self.results_buckets.iter().map(|b| self.s3(b)).collect(),
            Res::ResultsObjects => self
                .results_buckets
                .iter()
                .map(|b| self.s3(&format!("{b}/*")))
                .collect(),
            Res::Topics => vec![self.arn("sns", home, "*")],
            Res::Topic => self
                .topics
                .iter()
                .map(|t| self.arn("sns", home, t))
                .collect(),
            Res::Rule => self
                .rule_regions
                .iter()
                .flat_map(|r| {
                    std::iter::once(format!("rule/{}*", rule_prefix(&self.stack)))
                        .chain(self.adopted_rules.iter().map(|a| format!("rule/{a}")))
                        .map(move |rest| self.arn("events", r, &rest))
                })
                .collect(),
            Res::Bus if self.member_role.is_some() => {
                vec![self.arn("events", home, "event-bus/default")]
            }
            Res::Bus => Vec::new(),
            Res::Role => self.stack_roles(true),
            Res::PassedRole => {
                let mut v = self.stack_roles(false);
                v.extend(self.named_roles.iter().cloned());
                v
            }
            Res::Boundary if self.builds_roles.0 || self.builds_roles.1 => vec![self.boundary()],
            Res::Boundary => Vec::new(),
            Res::ServiceLinkedRole if self.organization_trail => {
                vec![self.iam(&self.account, &format!("role/{CLOUDTRAIL_SLR}"))]
            }
            Res::ServiceLinkedRole => Vec::new(),
            Res::MemberRole => self
                .member_role
                .iter()
                .map(|r| self.iam("*", &format!("role/{r}")))
                .collect(),
            Res::Key => self.keys.clone(),
            Res::Databases if self.athena => vec![
                self.glue_catalog(),
                self.arn("glue", home, "database/*"),
                self.arn("glue", home, "table/*/*"),
            ],
            Res::Database | Res::Table if self.athena => {
                let mut v = vec![self.glue_catalog()];
                for (db, table) in &self.tables {
                    v.push(self.arn("glue", home, &format!("database/{db}")));
                    if res == Res::Table {
                        v.push(self.arn("glue", home, &format!("table/{db}/{table}")));
                    }
                }
                dedup(v)
            }
            Res::DatabaseWhole if self.athena => {
                let mut v = vec![self.glue_catalog()];
                for (db, _) in &self.tables {
                    v.push(self.arn("glue", home, &format!("database/{db}")));
                    v.push(self.arn("glue", home, &format!("table/{db}/*")));
                    v.push(self.arn("glue", home, &format!("userDefinedFunction/{db}/*")));
                }
                dedup(v)
            }
            Res::Databases | Res::Database | Res::Table | Res::DatabaseWhole => Vec::new(),
            Res::Workgroups if self.athena => vec![self.arn("athena", home, "workgroup/*")],
            Res::Workgroups => Vec::new(),
            Res::Workgroup => self
                .workgroups
                .iter()
                .map(|w| self.arn("athena", home, &format!("workgroup/{w}")))
                .collect(),
            Res::LogGroups if self.logs() => vec![self.arn("logs", home, "log-group:*")],
            Res::LogGroups => Vec::new(),
            Res::LogGroup => self
                .log_groups
                .iter()
                .map(|g| self.arn("logs", home, &format!("log-group:{g}")))
                .collect(),
            Res::Alarm if self.metric_alerts => vec![self.arn(
                "cloudwatch",
                home,
                &format!("alarm:{}*", rule_prefix(&self.stack)),
            )],
            Res::Alarm => Vec::new(),
            Res::OrgUnit if self.member_role.is_some() => vec![
                format!("arn:{}:organizations::*:root/o-*/r-*", self.partition),
                format!("arn:{}:organizations::*:ou/o-*/ou-*", self.partition),
            ],
            Res::OrgUnit => Vec::new(),
        }
    }

    /// The ARNs of the stack's roles: both names (`all`: they are read, and deleted once the
    /// spec no longer needs them), or those the spec builds (passed to a service).
    fn stack_roles(&self, all: bool) -> Vec<String> {
        let (forwarder, logs) = self.builds_roles;
        let mut v = Vec::new();
        if all || forwarder {
            v.push(self.iam(
                &self.account,
                &format!("role/{}", forwarder_role_name(&self.stack)),
            ));
        }
        if all || logs {
            v.push(self.iam(
                &self.account,
                &format!("role/{}", logs_role_name(&self.stack)),
            ));
        }
        v
    }

    /// The pattern of every resource of `res`'s kind that may carry the stack's ownership tag
    /// (a resource the spec no longer names is found, and changed or deleted, by it); `None`
    /// for kinds named by the stack's prefix or never found by tag.
    pub fn tagged(&self, res: Res) -> Option<Vec<String>> {
        let home = self.home.as_str();
        if self.stack == "*" {
            return None;
        }
        match res {
            Res::Trail => Some(vec![self.arn("cloudtrail", "*", "trail/*")]),
            Res::Topic => Some(vec![self.arn("sns", home, "*")]),
            Res::LogGroup if self.logs() => Some(vec![self.arn("logs", home, "log-group:*")]),
            Res::Workgroup if self.athena => Some(vec![self.arn("athena", home, "workgroup/*")]),
            Res::Database if self.athena => Some(vec![
                self.glue_catalog(),
                self.arn("glue", home, "database/*"),
            ]),
            Res::Table if self.athena => Some(vec![
                self.glue_catalog(),
                self.arn("glue", home, "database/*"),
                self.arn("glue", home, "table/*/*"),
            ]),
            Res::DatabaseWhole if self.athena => Some(vec![
                self.glue_catalog(),
                self.arn("glue", home, "database/*"),
                self.arn("glue", home, "table/*/*"),
                self.arn("glue", home, "userDefinedFunction/*/*"),
            ]),
            _ => None,
        }
    }

    /// The tag key and value that mark what the stack owns.
    pub fn ownership_tag(&self) -> (String, String) {
        (format!("aws:ResourceTag/{STACK_KEY}"), self.stack.clone())
    }
}

/// A KMS key as IAM authorizes it: a key ARN as given, a key id as its ARN, an alias (whose key
/// is known only once resolved) as every key of the account in that Region.
fn key_arn(home: &str, account: &str, key: &str) -> String {
    if arn::is_kms_key_arn(key) {
        return key.to_owned();
    }
    let region = key
        .strip_prefix("arn:")
        .and_then(|r| r.split(':').nth(2))
        .unwrap_or(home);
    let p = arn::partition(region);
    if key.starts_with("alias/") || key.contains(":alias/") {
        format!("arn:{p}:kms:{region}:{account}:key/*")
    } else {
        format!("arn:{p}:kms:{region}:{account}:key/{key}")
    }
}

fn sorted<T: Ord>(it: impl Iterator<Item = T>) -> Vec<T> {
    it.collect::<BTreeSet<T>>().into_iter().collect()
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.into_iter().filter(|x| seen.insert(x.clone())).collect()
}
