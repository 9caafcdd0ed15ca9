//! Every AWS operation trailctl can call, with the IAM action it needs: the source of truth that
//! `policies/trailctl-plan.json` and `policies/trailctl-apply.json` are tested against.
//!
//! An adapter that calls an operation adds its row here in the same change. Several
//! operations can share one IAM action (S3's Delete/PutBucketLifecycle).

/// Whether an operation only reads the account (allowed to `plan`) or changes it (`apply` only),
/// or reads the events a trail recorded (`backtest`, `investigate`: archived logs and event
/// history, `policies/trailctl-read-logs.json` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Logs,
}

/// One callable AWS operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `Service:Operation`, as in the API reference, e.g. `CloudTrail:DescribeTrails`.
    pub name: &'static str,
    /// The IAM action, e.g. `cloudtrail:DescribeTrails`.
    pub iam_action: &'static str,
    pub access: Access,
    /// Other IAM actions the call needs, with the same access (e.g. passing a role).
    pub also: &'static [&'static str],
}

const fn op(
    name: &'static str,
    iam_action: &'static str,
    access: Access,
    also: &'static [&'static str],
) -> Operation {
    Operation {
        name,
        iam_action,
        access,
        also,
    }
}

/// The operations the code can call.
pub const OPERATIONS: &[Operation] = &[
    op(
        "CloudTrail:ListTrails",
        "cloudtrail:ListTrails",
        Access::Read,
        &[],
    ),
    op(
        "CloudTrail:DescribeTrails",
        "cloudtrail:DescribeTrails",
        Access::Read,
        &[],
    ),
    op(
        "CloudTrail:ListTags",
        "cloudtrail:ListTags",
        Access::Read,
        &[],
    ),
    op(
        "CloudTrail:GetTrailStatus",
        "cloudtrail:GetTrailStatus",
        Access::Read,
        &[],
    ),
    op(
        "CloudTrail:GetEventSelectors",
        "cloudtrail:GetEventSelectors",
        Access::Read,
        &[],
    ),
    op(
        "CloudTrail:GetInsightSelectors",
        "cloudtrail:GetInsightSelectors",
        Access::Read,
        &[],
    ),
    op(
        "CloudTrail:CreateTrail",
        "cloudtrail:CreateTrail",
        Access::Write,
        // An organization trail: CloudTrail creates its service-linked role.
        &["iam:PassRole", "iam:CreateServiceLinkedRole"],
    ),
    op(
        "CloudTrail:UpdateTrail",
        "cloudtrail:UpdateTrail",
        Access::Write,
        &["iam:PassRole", "iam:CreateServiceLinkedRole"],
    ),
    op(
        "CloudTrail:DeleteTrail",
        "cloudtrail:DeleteTrail",
        Access::Write,
        &[],
    ),
    op(
        "CloudTrail:AddTags",
        "cloudtrail:AddTags",
        Access::Write,
        &[],
    ),
    op(
        "CloudTrail:RemoveTags",
        "cloudtrail:RemoveTags",
        Access::Write,
        &[],
    ),
    op(
        "CloudTrail:PutEventSelectors",
        "cloudtrail:PutEventSelectors",
        Access::Write,
        &[],
    ),
    op(
        "CloudTrail:PutInsightSelectors",
        "cloudtrail:PutInsightSelectors",
        Access::Write,
        &[],
    ),
    op(
        "CloudTrail:StartLogging",
        "cloudtrail:StartLogging",
        Access::Write,
        &[],
    ),
    op(
        "CloudTrail:StopLogging",
        "cloudtrail:StopLogging",
        Access::Write,
        &[],
    ),
    op(
        "S3:GetBucketLocation",
        "s3:GetBucketLocation",
        Access::Read,
        &[],
    ),
    op("S3:ListObjectsV2", "s3:ListBucket", Access::Logs, &[]),
    op("S3:GetObject", "s3:GetObject", Access::Logs, &[]),
    op(
        "CloudTrail:LookupEvents",
        "cloudtrail:LookupEvents",
        Access::Logs,
        &[],
    ),
    op(
        "S3:GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        Access::Read,
        &[],
    ),
    op(
        "S3:GetBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
        Access::Read,
        &[],
    ),
    op(
        "S3:GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        Access::Read,
        &[],
    ),
    op(
        "S3:GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
        Access::Read,
        &[],
    ),
    op(
        "S3:GetBucketPolicy",
        "s3:GetBucketPolicy",
        Access::Read,
        &[],
    ),
    op(
        "S3:GetBucketTagging",
        "s3:GetBucketTagging",
        Access::Read,
        &[],
    ),
    op(
        "S3:CreateBucket",
        "s3:CreateBucket",
        Access::Write,
        &["s3:TagResource"],
    ),
    op(
        "S3:PutPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        Access::Write,
        &[],
    ),
    op(
        "S3:PutBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        Access::Write,
        &[],
    ),
    op(
        "S3:PutBucketEncryption",
        "s3:PutEncryptionConfiguration",
        Access::Write,
        &[],
    ),
    op(
        "S3:PutBucketLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        Access::Write,
        &[],
    ),
    op(
        "S3:DeleteBucketLifecycle",
        "s3:PutLifecycleConfiguration",
        Access::Write,
        &[],
    ),
    op(
        "S3:PutBucketPolicy",
        "s3:PutBucketPolicy",
        Access::Write,
        &[],
    ),
    op(
        "S3:DeleteBucketPolicy",
        "s3:DeleteBucketPolicy",
        Access::Write,
        &[],
    ),
    op(
        "S3:PutBucketTagging",
        "s3:PutBucketTagging",
        Access::Write,
        &[],
    ),
    op(
        "STS:GetCallerIdentity",
        "sts:GetCallerIdentity",
        Access::Read,
        &[],
    ),
    // An organization: its accounts and OUs, trusted access, and each member reached through
    // its role.
    op("STS:AssumeRole", "sts:AssumeRole", Access::Read, &[]),
    op(
        "Organizations:DescribeOrganization",
        "organizations:DescribeOrganization",
        Access::Read,
        &[],
    ),
    op(
        "Organizations:ListAccounts",
        "organizations:ListAccounts",
        Access::Read,
        &[],
    ),
    op(
        "Organizations:ListAccountsForParent",
        "organizations:ListAccountsForParent",
        Access::Read,
        &[],
    ),
    op(
        "Organizations:ListChildren",
        "organizations:ListChildren",
        Access::Read,
        &[],
    ),
    op(
        "Organizations:ListAWSServiceAccessForOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
        Access::Read,
        &[],
    ),
    op("KMS:DescribeKey", "kms:DescribeKey", Access::Read, &[]),
    op("SNS:ListTopics", "sns:ListTopics", Access::Read, &[]),
    op(
        "SNS:ListTagsForResource",
        "sns:ListTagsForResource",
        Access::Read,
        &[],
    ),
    op(
        "SNS:GetTopicAttributes",
        "sns:GetTopicAttributes",
        Access::Read,
        &[],
    ),
    op(
        "SNS:ListSubscriptionsByTopic",
        "sns:ListSubscriptionsByTopic",
        Access::Read,
        &[],
    ),
    op(
        "SNS:CreateTopic",
        "sns:CreateTopic",
        Access::Write,
        &["sns:TagResource"],
    ),
    op(
        "SNS:SetTopicAttributes",
        "sns:SetTopicAttributes",
        Access::Write,
        &[],
    ),
    op("SNS:TagResource", "sns:TagResource", Access::Write, &[]),
    op("SNS:UntagResource", "sns:UntagResource", Access::Write, &[]),
    op("SNS:Subscribe", "sns:Subscribe", Access::Write, &[]),
    op("SNS:Unsubscribe", "sns:Unsubscribe", Access::Write, &[]),
    op("SNS:DeleteTopic", "sns:DeleteTopic", Access::Write, &[]),
    op(
        "EventBridge:ListRules",
        "events:ListRules",
        Access::Read,
        &[],
    ),
    op(
        "EventBridge:ListTargetsByRule",
        "events:ListTargetsByRule",
        Access::Read,
        &[],
    ),
    op(
        "EventBridge:ListTagsForResource",
        "events:ListTagsForResource",
        Access::Read,
        &[],
    ),
    op(
        "EventBridge:PutRule",
        "events:PutRule",
        Access::Write,
        &["events:TagResource"],
    ),
    op(
        "EventBridge:TagResource",
        "events:TagResource",
        Access::Write,
        &[],
    ),
    op(
        "EventBridge:UntagResource",
        "events:UntagResource",
        Access::Write,
        &[],
    ),
    op(
        "EventBridge:PutTargets",
        "events:PutTargets",
        Access::Write,
        &["iam:PassRole"],
    ),
    op(
        "EventBridge:RemoveTargets",
        "events:RemoveTargets",
        Access::Write,
        &[],
    ),
    op(
        "EventBridge:DeleteRule",
        "events:DeleteRule",
        Access::Write,
        &[],
    ),
    op(
        "EventBridge:DescribeEventBus",
        "events:DescribeEventBus",
        Access::Read,
        &[],
    ),
    op(
        "EventBridge:PutPermission",
        "events:PutPermission",
        Access::Write,
        &[],
    ),
    op(
        "EventBridge:RemovePermission",
        "events:RemovePermission",
        Access::Write,
        &[],
    ),
    op("IAM:GetRole", "iam:GetRole", Access::Read, &[]),
    op("IAM:GetRolePolicy", "iam:GetRolePolicy", Access::Read, &[]),
    op(
        "IAM:CreateRole",
        "iam:CreateRole",
        Access::Write,
        &["iam:TagRole"],
    ),
    op(
        "IAM:UpdateAssumeRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        Access::Write,
        &[],
    ),
    op("IAM:PutRolePolicy", "iam:PutRolePolicy", Access::Write, &[]),
    op("IAM:TagRole", "iam:TagRole", Access::Write, &[]),
    op("IAM:UntagRole", "iam:UntagRole", Access::Write, &[]),
    op(
        "IAM:DeleteRolePolicy",
        "iam:DeleteRolePolicy",
        Access::Write,
        &[],
    ),
    op("IAM:DeleteRole", "iam:DeleteRole", Access::Write, &[]),
    op("Glue:GetDatabases", "glue:GetDatabases", Access::Read, &[]),
    op(
        "Glue:GetTags",
        "glue:GetTags",
        Access::Read,
        &["glue:GetDatabase"],
    ),
    op("Glue:GetTables", "glue:GetTables", Access::Read, &[]),
    op(
        "Glue:CreateDatabase",
        "glue:CreateDatabase",
        Access::Write,
        &["glue:TagResource"],
    ),
    op("Glue:TagResource", "glue:TagResource", Access::Write, &[]),
    op(
        "Glue:UntagResource",
        "glue:UntagResource",
        Access::Write,
        &[],
    ),
    op(
        "Glue:DeleteDatabase",
        "glue:DeleteDatabase",
        Access::Write,
        &[],
    ),
    op("Glue:CreateTable", "glue:CreateTable", Access::Write, &[]),
    op("Glue:UpdateTable", "glue:UpdateTable", Access::Write, &[]),
    op("Glue:DeleteTable", "glue:DeleteTable", Access::Write, &[]),
    op(
        "Athena:ListWorkGroups",
        "athena:ListWorkGroups",
        Access::Read,
        &[],
    ),
    op(
        "Athena:GetWorkGroup",
        "athena:GetWorkGroup",
        Access::Read,
        &[],
    ),
    op(
        "Athena:ListTagsForResource",
        "athena:ListTagsForResource",
        Access::Read,
        &[],
    ),
    op(
        "Athena:CreateWorkGroup",
        "athena:CreateWorkGroup",
        Access::Write,
        &["athena:TagResource"],
    ),
    op(
        "Athena:UpdateWorkGroup",
        "athena:UpdateWorkGroup",
        Access::Write,
        &[],
    ),
    op(
        "Athena:TagResource",
        "athena:TagResource",
        Access::Write,
        &[],
    ),
    op(
        "Athena:UntagResource",
        "athena:UntagResource",
        Access::Write,
        &[],
    ),
    op(
        "Athena:StartQueryExecution",
        "athena:StartQueryExecution",
        Access::Logs,
        &["glue:GetTable", "s3:PutObject"],
    ),
    op(
        "Athena:GetQueryExecution",
        "athena:GetQueryExecution",
        Access::Logs,
        &[],
    ),
    op(
        "Athena:GetQueryResults",
        "athena:GetQueryResults",
        Access::Logs,
        &["s3:GetObject"],
    ),
    op(
        "Athena:DeleteWorkGroup",
        "athena:DeleteWorkGroup",
        Access::Write,
        &[],
    ),
    op(
        "Logs:DescribeLogGroups",
        "logs:DescribeLogGroups",
        Access::Read,
        &[],
    ),
    op(
        "Logs:ListTagsForResource",
        "logs:ListTagsForResource",
        Access::Read,
        &[],
    ),
    op(
        "Logs:DescribeMetricFilters",
        "logs:DescribeMetricFilters",
        Access::Read,
        &[],
    ),
    op(
        "Logs:CreateLogGroup",
        "logs:CreateLogGroup",
        Access::Write,
        &["logs:TagResource"],
    ),
    op(
        "Logs:PutRetentionPolicy",
        "logs:PutRetentionPolicy",
        Access::Write,
        &[],
    ),
    op(
        "Logs:DeleteRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        Access::Write,
        &[],
    ),
    op(
        "Logs:AssociateKmsKey",
        "logs:AssociateKmsKey",
        Access::Write,
        &[],
    ),
    op(
        "Logs:DisassociateKmsKey",
        "logs:DisassociateKmsKey",
        Access::Write,
        &[],
    ),
    op("Logs:TagResource", "logs:TagResource", Access::Write, &[]),
    op(
        "Logs:UntagResource",
        "logs:UntagResource",
        Access::Write,
        &[],
    ),
    op(
        "Logs:DeleteLogGroup",
        "logs:DeleteLogGroup",
        Access::Write,
        &[],
    ),
    op(
        "Logs:PutMetricFilter",
        "logs:PutMetricFilter",
        Access::Write,
        &[],
    ),
    op(
        "Logs:DeleteMetricFilter",
        "logs:DeleteMetricFilter",
        Access::Write,
        &[],
    ),
    op(
        "CloudWatch:DescribeAlarms",
        "cloudwatch:DescribeAlarms",
        Access::Read,
        &[],
    ),
    op(
        "CloudWatch:ListTagsForResource",
        "cloudwatch:ListTagsForResource",
        Access::Read,
        &[],
    ),
    op(
        "CloudWatch:PutMetricAlarm",
        "cloudwatch:PutMetricAlarm",
        Access::Write,
        &["cloudwatch:TagResource"],
    ),
    op(
        "CloudWatch:TagResource",
        "cloudwatch:TagResource",
        Access::Write,
        &[],
    ),
    op(
        "CloudWatch:UntagResource",
        "cloudwatch:UntagResource",
        Access::Write,
        &[],
    ),
    op(
        "CloudWatch:DeleteAlarms",
        "cloudwatch:DeleteAlarms",
        Access::Write,
        &[],
    ),
];
