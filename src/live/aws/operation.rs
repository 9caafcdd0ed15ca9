//! The shape of one row of the operations table (`operations.rs`): an AWS operation, the IAM
//! action it needs and what that action is authorized against, and whether `plan`, `apply` or
//! the log readers may call it.

/// Whether an operation only reads the account (allowed to `plan`) or changes it (`apply` only),
/// or reads the events a trail recorded (`backtest`, `investigate`, `query`: archived logs,
/// event history and Athena, `trailctl policy --role read` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Logs,
}

impl Access {
    /// The `trailctl policy --role` whose policy grants it.
    pub fn policy_role(self) -> &'static str {
        match self {
            Access::Read => "plan",
            Access::Write => "apply",
            Access::Logs => "read",
        }
    }
}

/// What part of a spec an action with no resource-level permission (`"*"`) is needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Every spec (the account, the trail listing, the topic listing, the rule listing).
    Always,
    /// A trail with `athena:`.
    Athena,
    /// Delivery to CloudWatch Logs, or metric-filter alerts.
    Logs,
    /// `organization:`.
    Organization,
    /// Alerts deployed as EventBridge rules.
    Rules,
}

/// What an action is authorized against: the Service Authorization Reference's resource type,
/// as far as a spec determines its ARNs (`access::names` turns each into ARNs, or none when the
/// spec has no such resource, and then the action is not granted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Res {
    /// The action has no resource-level permission: `"*"`, when the spec has `Need`.
    Any(Need),
    /// Every trail of the account: the listing reads that find the stack's trails by tag.
    Trails,
    /// The spec's trails, and the stack's other trails (by the `trailctl:stack` tag).
    Trail,
    /// The spec's delivery buckets (`buckets:`).
    Bucket,
    /// Every bucket a trail of the spec delivers to (the spec's and others').
    TrailBucket,
    /// The log files under the trails' prefixes (`BUCKET/PREFIX/AWSLogs/*`).
    LogObjects,
    /// The KMS keys of encrypted delivery buckets, used through S3 only (`kms:ViaService`).
    BucketKey,
    /// The Athena results buckets.
    ResultsBucket,
    /// The objects of the Athena results buckets.
    ResultsObjects,
    /// Every topic of the home Region: their tags are read to find the stack's.
    Topics,
    /// The spec's topics, and the stack's other topics (by tag).
    Topic,
    /// The stack's rules (`trailctl-STACK-*`) and the rules alerts adopt, in every Region they
    /// may be in.
    Rule,
    /// The home Region's default event bus.
    Bus,
    /// The stack's roles (`trailctl-STACK-forwarder`, `trailctl-STACK-cloudtrail-logs`).
    Role,
    /// Roles passed to a service: the stack's, and a `cloudwatch_logs.role_arn` the spec names.
    PassedRole,
    /// The stack's permissions boundary (`trailctl-STACK-boundary`), read to check it exists.
    Boundary,
    /// CloudTrail's service-linked role (an organization trail creates it).
    ServiceLinkedRole,
    /// The role trailctl assumes in each member account (`organization.role`).
    MemberRole,
    /// The KMS keys the spec names.
    Key,
    /// The Glue catalog and every database of the home Region (read to find the stack's).
    Databases,
    /// The Glue catalog and the spec's databases, and the stack's (by tag).
    Database,
    /// The Glue catalog, database and the spec's tables.
    Table,
    /// The Glue catalog, the spec's databases and everything in them (deleting a database
    /// deletes its tables and functions).
    DatabaseWhole,
    /// Every Athena workgroup of the home Region (read to find the stack's).
    Workgroups,
    /// The spec's workgroups, and the stack's (by tag).
    Workgroup,
    /// Every log group of the home Region (read to find the spec's).
    LogGroups,
    /// The log groups the spec builds or names, and the stack's (by tag).
    LogGroup,
    /// The stack's alarms (`trailctl-STACK-*`).
    Alarm,
    /// The organization's root and organizational units.
    OrgUnit,
}

/// One callable AWS operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `Service:Operation`, as in the API reference, e.g. `CloudTrail:DescribeTrails`.
    pub name: &'static str,
    /// The IAM action, e.g. `cloudtrail:DescribeTrails`.
    pub iam_action: &'static str,
    /// What the IAM action is authorized against.
    pub resource: Res,
    pub access: Access,
    /// Other IAM actions the call needs, with the same access (e.g. passing a role), each with
    /// what it is authorized against.
    pub also: &'static [(&'static str, Res)],
}

pub(super) const fn op(
    name: &'static str,
    iam_action: &'static str,
    resource: Res,
    access: Access,
    also: &'static [(&'static str, Res)],
) -> Operation {
    Operation {
        name,
        iam_action,
        resource,
        access,
        also,
    }
}

impl Operation {
    /// The IAM actions the call needs: its own first, then `also`.
    pub fn actions(&self) -> impl Iterator<Item = (&'static str, Res)> + '_ {
        std::iter::once((self.iam_action, self.resource)).chain(self.also.iter().copied())
    }
}
