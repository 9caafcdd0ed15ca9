//! The IAM policy documents trailctl prints: for `plan`, `apply` and the log readers, exactly
//! the actions of the operations table a spec needs, each on the ARNs the spec determines; and
//! the permissions boundary of the stack's roles.
//!
//! Why no identity trailctl asks for can make itself administrator:
//! - every policy denies `sts:AssumeRole` into any `trailctl-*` role, so neither a role the
//!   applier creates nor one whose trust policy it rewrites (`UpdateAssumeRolePolicy`) can be
//!   assumed by the caller, even within one account where a trust policy naming the caller
//!   would otherwise suffice (an explicit deny in the caller's own policy always wins);
//! - the applier may create a role and write its inline policy only with the stack's
//!   permissions boundary attached (`iam:PermissionsBoundary`), and holds no action that removes
//!   or replaces a boundary or changes a managed policy: a role it makes can do at most what
//!   the boundary allows (`events:PutEvents` on the home bus, CloudTrail's writes to the
//!   stack's log groups), whoever assumes it;
//! - it may pass only the stack's roles (and a delivery role the spec names), only to
//!   CloudTrail and EventBridge (`iam:PassedToService`), and holds no compute service;
//! - the reader writes only into the Athena results buckets, and decrypts only through S3.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use crate::access::names::Names;
use crate::live::aws::operations::{Access, OPERATIONS, Res};
use crate::model::desired::Desired;

/// Which identity a policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `plan`, `drift`, `init --from-account`: reads only.
    Plan,
    /// `apply`: the reads, and the writes.
    Apply,
    /// `backtest`, `investigate`, `query`: the recorded events.
    Read,
}

impl Role {
    fn grants(self, access: Access) -> bool {
        match self {
            Role::Plan => access == Access::Read,
            Role::Apply => matches!(access, Access::Read | Access::Write),
            Role::Read => access == Access::Logs,
        }
    }
}

/// An IAM policy document, its members in the order IAM's documentation writes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
    #[serde(rename = "Resource")]
    pub resources: Vec<String>,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// A condition an action is always granted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Condition {
    /// `iam:PassRole`: only to CloudTrail (CloudWatch Logs delivery) and EventBridge
    /// (forwarding rules).
    PassedToService,
    /// `iam:CreateServiceLinkedRole`: only CloudTrail's.
    ServiceName,
    /// Role writes that could widen a role: only with the stack's boundary on it.
    Boundary,
    /// `kms:Decrypt` of log files: only through S3.
    ViaS3,
    /// Changes to a resource the spec no longer names: only while it carries the stack's tag.
    OwnedByStack,
}

fn condition_of(action: &str) -> Option<Condition> {
    match action {
        "iam:PassRole" => Some(Condition::PassedToService),
        "iam:CreateServiceLinkedRole" => Some(Condition::ServiceName),
        "iam:CreateRole" | "iam:PutRolePolicy" | "iam:PutRolePermissionsBoundary" => {
            Some(Condition::Boundary)
        }
        "kms:Decrypt" => Some(Condition::ViaS3),
        _ => None,
    }
}

impl Condition {
    fn json(self, names: &Names) -> Value {
        match self {
            Condition::PassedToService => json!({"StringEquals": {
                "iam:PassedToService": ["cloudtrail.amazonaws.com", "events.amazonaws.com"]
            }}),
            Condition::ServiceName => json!({"StringEquals": {
                "iam:AWSServiceName": "cloudtrail.amazonaws.com"
            }}),
            Condition::Boundary => json!({"ArnLike": {
                "iam:PermissionsBoundary": names.boundary()
            }}),
            Condition::ViaS3 => json!({"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}),
            Condition::OwnedByStack => {
                let (key, value) = names.ownership_tag();
                json!({"StringEquals": {key: value}})
            }
        }
    }

    fn sid(self) -> &'static str {
        match self {
            Condition::PassedToService => "ToCloudTrailAndEventBridge",
            Condition::ServiceName => "OfCloudTrail",
            Condition::Boundary => "WithTheBoundary",
            Condition::ViaS3 => "ThroughS3",
            Condition::OwnedByStack => "OwnedByTheStack",
        }
    }
}

/// The policy `role` needs for the spec `names` stands for.
pub fn document(names: &Names, role: Role) -> Document {
    type Key = (u8, Res, Option<Condition>);
    let mut groups: BTreeMap<Key, BTreeSet<&'static str>> = BTreeMap::new();
    for op in OPERATIONS.iter().filter(|o| role.grants(o.access)) {
        let rank = match op.access {
            Access::Read | Access::Logs => 0,
            Access::Write => 1,
        };
        for (action, res) in op.actions() {
            groups
                .entry((rank, res, condition_of(action)))
                .or_default()
                .insert(action);
            if rank == 1 && names.tagged(res).is_some() {
                groups
                    .entry((rank, res, Some(Condition::OwnedByStack)))
                    .or_default()
                    .insert(action);
            }
        }
    }
    let mut statements = Vec::new();
    for ((rank, res, condition), actions) in groups {
        let resources = match condition {
            Some(Condition::OwnedByStack) => names.tagged(res).unwrap_or_default(),
            _ => names.arns(res),
        };
        if resources.is_empty() {
            continue;
        }
        let verb = if rank == 0 { "Read" } else { "Write" };
        statements.push(Statement {
            sid: format!(
                "{verb}{}{}",
                res_sid(res),
                condition.map_or("", Condition::sid)
            ),
            effect: Effect::Allow,
            actions: actions.into_iter().map(str::to_owned).collect(),
            resources,
            condition: condition.map(|c| c.json(names)),
        });
    }
    statements.push(Statement {
        sid: "NeverAssumeTrailctlRoles".to_owned(),
        effect: Effect::Deny,
        actions: vec!["sts:AssumeRole".to_owned()],
        resources: vec![names.own_roles()],
        condition: None,
    });
    Document {
        version: "2012-10-17",
        statements,
    }
}

/// `Res` as a Sid part: `Any(Always)` → `AnyAlways`.
fn res_sid(res: Res) -> String {
    format!("{res:?}")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The permissions boundary of the stack's roles: the union of what their inline policies
/// allow (the forwarder's `events:PutEvents` on the home bus, CloudTrail's writes to the log
/// groups the stack builds). `None` when the spec builds no role.
pub fn boundary(d: &Desired, names: &Names) -> Option<Document> {
    let account = names.account.as_str();
    let roles = d
        .forwards()
        .then(|| crate::plan::alerts::desired_role(d, account))
        .into_iter()
        .chain(crate::plan::logs::logs_role(d, account));
    let mut statements = Vec::new();
    for (i, role) in roles.enumerate() {
        let Some(policy) = role.policy else { continue };
        for (j, s) in policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            statements.push(Statement {
                sid: format!("Role{i}Statement{j}"),
                effect: Effect::Allow,
                actions: strings(&s["Action"]),
                resources: strings(&s["Resource"]),
                condition: None,
            });
        }
    }
    (!statements.is_empty()).then_some(Document {
        version: "2012-10-17",
        statements,
    })
}

/// The boundary template of `policies/`: any stack's roles, in any account.
pub fn boundary_template() -> Document {
    Document {
        version: "2012-10-17",
        statements: vec![
            Statement {
                sid: "ForwardToTheHomeBus".to_owned(),
                effect: Effect::Allow,
                actions: vec!["events:PutEvents".to_owned()],
                resources: vec!["arn:aws:events:*:*:event-bus/default".to_owned()],
                condition: None,
            },
            Statement {
                sid: "CloudTrailToLogGroups".to_owned(),
                effect: Effect::Allow,
                actions: vec![
                    "logs:CreateLogStream".to_owned(),
                    "logs:PutLogEvents".to_owned(),
                ],
                resources: vec!["arn:aws:logs:*:*:log-group:*:log-stream:*".to_owned()],
                condition: None,
            },
        ],
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}
