//! Every AWS operation trailctl can call, with the IAM action it needs and what that action is
//! authorized against: the source of truth `trailctl policy` prints policies from (and the
//! templates in `policies/` are generated from).
//!
//! Each operation is declared once, here: its row and the constant the adapters, the fake and
//! the errors name it by (`ops::CLOUDTRAIL_CREATE_TRAIL`), so a call cannot name an operation
//! without its permission (the `policies` test checks that none spells a name instead).
//! Several operations can share one IAM action (S3's Delete/PutBucketLifecycle).

use crate::live::aws::operation::op;
pub use crate::live::aws::operation::{Access, Need, Operation, Res};

/// Declares each operation once: its name as a constant (what the adapters, the fake and the
/// errors use, so a call names only an operation that has its row) and its row in
/// [`OPERATIONS`].
macro_rules! operations {
    ($($id:ident = $row:expr;)*) => {
        $(pub const $id: &str = $row.name;)*

        /// The operations the code can call.
        pub const OPERATIONS: &[Operation] = &[$($row),*];
    };
}

operations! {
    CLOUDTRAIL_LIST_TRAILS = op(
        "CloudTrail:ListTrails",
        "cloudtrail:ListTrails",
        Res::Any(Need::Always),
        Access::Read,
        &[],
    );
    CLOUDTRAIL_DESCRIBE_TRAILS = op(
        "CloudTrail:DescribeTrails",
        "cloudtrail:DescribeTrails",
        Res::Any(Need::Always),
        Access::Read,
        &[],
    );
    CLOUDTRAIL_LIST_TAGS = op(
        "CloudTrail:ListTags",
        "cloudtrail:ListTags",
        Res::Trails,
        Access::Read,
        &[],
    );
    CLOUDTRAIL_GET_TRAIL_STATUS = op(
        "CloudTrail:GetTrailStatus",
        "cloudtrail:GetTrailStatus",
        Res::Trails,
        Access::Read,
        &[],
    );
    CLOUDTRAIL_GET_EVENT_SELECTORS = op(
        "CloudTrail:GetEventSelectors",
        "cloudtrail:GetEventSelectors",
        Res::Trails,
        Access::Read,
        &[],
    );
    CLOUDTRAIL_GET_INSIGHT_SELECTORS = op(
        "CloudTrail:GetInsightSelectors",
        "cloudtrail:GetInsightSelectors",
        Res::Trails,
        Access::Read,
        &[],
    );
    // An organization trail: CloudTrail creates its service-linked role.
    CLOUDTRAIL_CREATE_TRAIL = op(
        "CloudTrail:CreateTrail",
        "cloudtrail:CreateTrail",
        Res::Trail,
        Access::Write,
        &[
            ("iam:PassRole", Res::PassedRole),
            ("iam:CreateServiceLinkedRole", Res::ServiceLinkedRole),
        ],
    );
    CLOUDTRAIL_UPDATE_TRAIL = op(
        "CloudTrail:UpdateTrail",
        "cloudtrail:UpdateTrail",
        Res::Trail,
        Access::Write,
        &[
            ("iam:PassRole", Res::PassedRole),
            ("iam:CreateServiceLinkedRole", Res::ServiceLinkedRole),
        ],
    );
    CLOUDTRAIL_DELETE_TRAIL = op(
        "CloudTrail:DeleteTrail",
        "cloudtrail:DeleteTrail",
        Res::Trail,
        Access::Write,
        &[],
    );
    CLOUDTRAIL_ADD_TAGS = op(
        "CloudTrail:AddTags",
        "cloudtrail:AddTags",
        Res::Trail,
        Access::Write,
        &[],
    );
    CLOUDTRAIL_REMOVE_TAGS = op(
        "CloudTrail:RemoveTags",
        "cloudtrail:RemoveTags",
        Res::Trail,
        Access::Write,
        &[],
    );
    CLOUDTRAIL_PUT_EVENT_SELECTORS = op(
        "CloudTrail:PutEventSelectors",
        "cloudtrail:PutEventSelectors",
        Res::Trail,
        Access::Write,
        &[],
    );
    CLOUDTRAIL_PUT_INSIGHT_SELECTORS = op(
        "CloudTrail:PutInsightSelectors",
        "cloudtrail:PutInsightSelectors",
        Res::Trail,
        Access::Write,
        &[],
    );
    CLOUDTRAIL_START_LOGGING = op(
        "CloudTrail:StartLogging",
        "cloudtrail:StartLogging",
        Res::Trail,
        Access::Write,
        &[],
    );
    CLOUDTRAIL_STOP_LOGGING = op(
        "CloudTrail:StopLogging",
        "cloudtrail:StopLogging",
        Res::Trail,
        Access::Write,
        &[],
    );
    S3_GET_BUCKET_LOCATION = op(
        "S3:GetBucketLocation",
        "s3:GetBucketLocation",
        Res::TrailBucket,
        Access::Read,
        &[],
    );
    S3_LIST_OBJECTS_V2 = op(
        "S3:ListObjectsV2",
        "s3:ListBucket",
        Res::TrailBucket,
        Access::Logs,
        &[("s3:GetBucketLocation", Res::TrailBucket)],
    );
    S3_GET_OBJECT = op(
        "S3:GetObject",
        "s3:GetObject",
        Res::LogObjects,
        Access::Logs,
        &[("kms:Decrypt", Res::BucketKey)],
    );
    CLOUDTRAIL_LOOKUP_EVENTS = op(
        "CloudTrail:LookupEvents",
        "cloudtrail:LookupEvents",
        Res::Any(Need::Always),
        Access::Logs,
        &[],
    );
    S3_GET_PUBLIC_ACCESS_BLOCK = op(
        "S3:GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        Res::Bucket,
        Access::Read,
        &[],
    );
    S3_GET_BUCKET_OWNERSHIP_CONTROLS = op(
        "S3:GetBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
        Res::Bucket,
        Access::Read,
        &[],
    );
    S3_GET_BUCKET_ENCRYPTION = op(
        "S3:GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        Res::Bucket,
        Access::Read,
        &[],
    );
    S3_GET_BUCKET_LIFECYCLE_CONFIGURATION = op(
        "S3:GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
        Res::Bucket,
        Access::Read,
        &[],
    );
    S3_GET_BUCKET_POLICY = op(
        "S3:GetBucketPolicy",
        "s3:GetBucketPolicy",
        Res::TrailBucket,
        Access::Read,
        &[],
    );
    S3_GET_BUCKET_LOGGING = op(
        "S3:GetBucketLogging",
        "s3:GetBucketLogging",
        Res::Bucket,
        Access::Read,
        &[],
    );
    S3_GET_BUCKET_TAGGING = op(
        "S3:GetBucketTagging",
        "s3:GetBucketTagging",
        Res::Bucket,
        Access::Read,
        &[],
    );
    S3_CREATE_BUCKET = op(
        "S3:CreateBucket",
        "s3:CreateBucket",
        Res::Bucket,
        Access::Write,
        &[("s3:TagResource", Res::Bucket)],
    );
    S3_PUT_PUBLIC_ACCESS_BLOCK = op(
        "S3:PutPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_PUT_BUCKET_OWNERSHIP_CONTROLS = op(
        "S3:PutBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_PUT_BUCKET_ENCRYPTION = op(
        "S3:PutBucketEncryption",
        "s3:PutEncryptionConfiguration",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_PUT_BUCKET_LIFECYCLE_CONFIGURATION = op(
        "S3:PutBucketLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_DELETE_BUCKET_LIFECYCLE = op(
        "S3:DeleteBucketLifecycle",
        "s3:PutLifecycleConfiguration",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_PUT_BUCKET_POLICY = op(
        "S3:PutBucketPolicy",
        "s3:PutBucketPolicy",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_PUT_BUCKET_LOGGING = op(
        "S3:PutBucketLogging",
        "s3:PutBucketLogging",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_DELETE_BUCKET_POLICY = op(
        "S3:DeleteBucketPolicy",
        "s3:DeleteBucketPolicy",
        Res::Bucket,
        Access::Write,
        &[],
    );
    S3_PUT_BUCKET_TAGGING = op(
        "S3:PutBucketTagging",
        "s3:PutBucketTagging",
        Res::Bucket,
        Access::Write,
        &[],
    );
    STS_GET_CALLER_IDENTITY = op(
        "STS:GetCallerIdentity",
        "sts:GetCallerIdentity",
        Res::Any(Need::Always),
        Access::Read,
        &[],
    );
    // An organization: its accounts and OUs, trusted access, and each member reached through
    // its role.
    STS_ASSUME_ROLE = op(
        "STS:AssumeRole",
        "sts:AssumeRole",
        Res::MemberRole,
        Access::Read,
        &[],
    );
    ORGANIZATIONS_DESCRIBE_ORGANIZATION = op(
        "Organizations:DescribeOrganization",
        "organizations:DescribeOrganization",
        Res::Any(Need::Organization),
        Access::Read,
        &[],
    );
    ORGANIZATIONS_LIST_ACCOUNTS = op(
        "Organizations:ListAccounts",
        "organizations:ListAccounts",
        Res::Any(Need::Organization),
        Access::Read,
        &[],
    );
    ORGANIZATIONS_LIST_ACCOUNTS_FOR_PARENT = op(
        "Organizations:ListAccountsForParent",
        "organizations:ListAccountsForParent",
        Res::OrgUnit,
        Access::Read,
        &[],
    );
    ORGANIZATIONS_LIST_CHILDREN = op(
        "Organizations:ListChildren",
        "organizations:ListChildren",
        Res::OrgUnit,
        Access::Read,
        &[],
    );
    ORGANIZATIONS_LIST_AWSSERVICE_ACCESS_FOR_ORGANIZATION = op(
        "Organizations:ListAWSServiceAccessForOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
        Res::Any(Need::Organization),
        Access::Read,
        &[],
    );
    KMS_DESCRIBE_KEY = op(
        "KMS:DescribeKey",
        "kms:DescribeKey",
        Res::Key,
        Access::Read,
        &[],
    );
    SNS_LIST_TOPICS = op(
        "SNS:ListTopics",
        "sns:ListTopics",
        Res::Any(Need::Always),
        Access::Read,
        &[],
    );
    SNS_LIST_TAGS_FOR_RESOURCE = op(
        "SNS:ListTagsForResource",
        "sns:ListTagsForResource",
        Res::Topics,
        Access::Read,
        &[],
    );
    SNS_GET_TOPIC_ATTRIBUTES = op(
        "SNS:GetTopicAttributes",
        "sns:GetTopicAttributes",
        Res::Topics,
        Access::Read,
        &[],
    );
    SNS_LIST_SUBSCRIPTIONS_BY_TOPIC = op(
        "SNS:ListSubscriptionsByTopic",
        "sns:ListSubscriptionsByTopic",
        Res::Topics,
        Access::Read,
        &[],
    );
    SNS_CREATE_TOPIC = op(
        "SNS:CreateTopic",
        "sns:CreateTopic",
        Res::Topic,
        Access::Write,
        &[("sns:TagResource", Res::Topic)],
    );
    SNS_SET_TOPIC_ATTRIBUTES = op(
        "SNS:SetTopicAttributes",
        "sns:SetTopicAttributes",
        Res::Topic,
        Access::Write,
        &[],
    );
    SNS_TAG_RESOURCE = op(
        "SNS:TagResource",
        "sns:TagResource",
        Res::Topic,
        Access::Write,
        &[],
    );
    SNS_UNTAG_RESOURCE = op(
        "SNS:UntagResource",
        "sns:UntagResource",
        Res::Topic,
        Access::Write,
        &[],
    );
    SNS_SUBSCRIBE = op(
        "SNS:Subscribe",
        "sns:Subscribe",
        Res::Topic,
        Access::Write,
        &[],
    );
    SNS_UNSUBSCRIBE = op(
        "SNS:Unsubscribe",
        "sns:Unsubscribe",
        Res::Any(Need::Always),
        Access::Write,
        &[],
    );
    SNS_DELETE_TOPIC = op(
        "SNS:DeleteTopic",
        "sns:DeleteTopic",
        Res::Topic,
        Access::Write,
        &[],
    );
    EVENTBRIDGE_LIST_RULES = op(
        "EventBridge:ListRules",
        "events:ListRules",
        Res::Any(Need::Always),
        Access::Read,
        &[],
    );
    EVENTBRIDGE_LIST_TARGETS_BY_RULE = op(
        "EventBridge:ListTargetsByRule",
        "events:ListTargetsByRule",
        Res::Rule,
        Access::Read,
        &[],
    );
    EVENTBRIDGE_LIST_TAGS_FOR_RESOURCE = op(
        "EventBridge:ListTagsForResource",
        "events:ListTagsForResource",
        Res::Rule,
        Access::Read,
        &[],
    );
    EVENTBRIDGE_PUT_RULE = op(
        "EventBridge:PutRule",
        "events:PutRule",
        Res::Rule,
        Access::Write,
        &[("events:TagResource", Res::Rule)],
    );
    EVENTBRIDGE_TAG_RESOURCE = op(
        "EventBridge:TagResource",
        "events:TagResource",
        Res::Rule,
        Access::Write,
        &[],
    );
    EVENTBRIDGE_UNTAG_RESOURCE = op(
        "EventBridge:UntagResource",
        "events:UntagResource",
        Res::Rule,
        Access::Write,
        &[],
    );
    EVENTBRIDGE_PUT_TARGETS = op(
        "EventBridge:PutTargets",
        "events:PutTargets",
        Res::Rule,
        Access::Write,
        &[("iam:PassRole", Res::PassedRole)],
    );
    EVENTBRIDGE_REMOVE_TARGETS = op(
        "EventBridge:RemoveTargets",
        "events:RemoveTargets",
        Res::Rule,
        Access::Write,
        &[],
    );
    EVENTBRIDGE_DELETE_RULE = op(
        "EventBridge:DeleteRule",
        "events:DeleteRule",
        Res::Rule,
        Access::Write,
        &[],
    );
    EVENTBRIDGE_DESCRIBE_EVENT_BUS = op(
        "EventBridge:DescribeEventBus",
        "events:DescribeEventBus",
        Res::Bus,
        Access::Read,
        &[],
    );
    EVENTBRIDGE_PUT_PERMISSION = op(
        "EventBridge:PutPermission",
        "events:PutPermission",
        Res::Any(Need::Organization),
        Access::Write,
        &[],
    );
    EVENTBRIDGE_REMOVE_PERMISSION = op(
        "EventBridge:RemovePermission",
        "events:RemovePermission",
        Res::Any(Need::Organization),
        Access::Write,
        &[],
    );
    IAM_GET_ROLE = op("IAM:GetRole", "iam:GetRole", Res::Role, Access::Read, &[]);
    IAM_GET_ROLE_POLICY = op(
        "IAM:GetRolePolicy",
        "iam:GetRolePolicy",
        Res::Role,
        Access::Read,
        &[],
    );
    // The stack's permissions boundary: an administrator creates it; trailctl only checks it.
    IAM_GET_POLICY = op(
        "IAM:GetPolicy",
        "iam:GetPolicy",
        Res::Boundary,
        Access::Read,
        &[],
    );
    IAM_CREATE_ROLE = op(
        "IAM:CreateRole",
        "iam:CreateRole",
        Res::Role,
        Access::Write,
        &[("iam:TagRole", Res::Role)],
    );
    IAM_UPDATE_ASSUME_ROLE_POLICY = op(
        "IAM:UpdateAssumeRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        Res::Role,
        Access::Write,
        &[],
    );
    IAM_PUT_ROLE_POLICY = op(
        "IAM:PutRolePolicy",
        "iam:PutRolePolicy",
        Res::Role,
        Access::Write,
        &[],
    );
    IAM_PUT_ROLE_PERMISSIONS_BOUNDARY = op(
        "IAM:PutRolePermissionsBoundary",
        "iam:PutRolePermissionsBoundary",
        Res::Role,
        Access::Write,
        &[],
    );
    IAM_TAG_ROLE = op("IAM:TagRole", "iam:TagRole", Res::Role, Access::Write, &[]);
    IAM_UNTAG_ROLE = op(
        "IAM:UntagRole",
        "iam:UntagRole",
        Res::Role,
        Access::Write,
        &[],
    );
    IAM_DELETE_ROLE_POLICY = op(
        "IAM:DeleteRolePolicy",
        "iam:DeleteRolePolicy",
        Res::Role,
        Access::Write,
        &[],
    );
    IAM_DELETE_ROLE = op(
        "IAM:DeleteRole",
        "iam:DeleteRole",
        Res::Role,
        Access::Write,
        &[],
    );
    GLUE_GET_DATABASES = op(
        "Glue:GetDatabases",
        "glue:GetDatabases",
        Res::Databases,
        Access::Read,
        &[],
    );
    GLUE_GET_TAGS = op(
        "Glue:GetTags",
        "glue:GetTags",
        Res::Databases,
        Access::Read,
        &[("glue:GetDatabase", Res::Databases)],
    );
    GLUE_GET_TABLES = op(
        "Glue:GetTables",
        "glue:GetTables",
        Res::Databases,
        Access::Read,
        &[],
    );
    GLUE_CREATE_DATABASE = op(
        "Glue:CreateDatabase",
        "glue:CreateDatabase",
        Res::Database,
        Access::Write,
        &[("glue:TagResource", Res::Database)],
    );
    GLUE_TAG_RESOURCE = op(
        "Glue:TagResource",
        "glue:TagResource",
        Res::Database,
        Access::Write,
        &[],
    );
    GLUE_UNTAG_RESOURCE = op(
        "Glue:UntagResource",
        "glue:UntagResource",
        Res::Database,
        Access::Write,
        &[],
    );
    GLUE_DELETE_DATABASE = op(
        "Glue:DeleteDatabase",
        "glue:DeleteDatabase",
        Res::DatabaseWhole,
        Access::Write,
        &[],
    );
    GLUE_CREATE_TABLE = op(
        "Glue:CreateTable",
        "glue:CreateTable",
        Res::Table,
        Access::Write,
        &[],
    );
    GLUE_UPDATE_TABLE = op(
        "Glue:UpdateTable",
        "glue:UpdateTable",
        Res::Table,
        Access::Write,
        &[],
    );
    GLUE_DELETE_TABLE = op(
        "Glue:DeleteTable",
        "glue:DeleteTable",
        Res::Table,
        Access::Write,
        &[],
    );
    // What carries the stack's tag, whatever the spec still names (rules it adopted, the
    // Athena side of an `athena:` it no longer has).
    // The account's quota of rules per bus, read by every plan of a spec with alerts (the SAR
    // gives the action no resource type).
    SERVICEQUOTAS_GET_SERVICE_QUOTA = op(
        "ServiceQuotas:GetServiceQuota",
        "servicequotas:GetServiceQuota",
        Res::Any(Need::Rules),
        Access::Read,
        &[],
    );
    RESOURCEGROUPSTAGGING_GET_RESOURCES = op(
        "ResourceGroupsTagging:GetResources",
        "tag:GetResources",
        Res::Any(Need::Always),
        Access::Read,
        &[],
    );
    ATHENA_LIST_WORK_GROUPS = op(
        "Athena:ListWorkGroups",
        "athena:ListWorkGroups",
        Res::Any(Need::Athena),
        Access::Read,
        &[],
    );
    ATHENA_GET_WORK_GROUP = op(
        "Athena:GetWorkGroup",
        "athena:GetWorkGroup",
        Res::Workgroups,
        Access::Read,
        &[],
    );
    ATHENA_LIST_TAGS_FOR_RESOURCE = op(
        "Athena:ListTagsForResource",
        "athena:ListTagsForResource",
        Res::Workgroups,
        Access::Read,
        &[],
    );
    ATHENA_CREATE_WORK_GROUP = op(
        "Athena:CreateWorkGroup",
        "athena:CreateWorkGroup",
        Res::Workgroup,
        Access::Write,
        &[("athena:TagResource", Res::Workgroup)],
    );
    ATHENA_UPDATE_WORK_GROUP = op(
        "Athena:UpdateWorkGroup",
        "athena:UpdateWorkGroup",
        Res::Workgroup,
        Access::Write,
        &[],
    );
    ATHENA_TAG_RESOURCE = op(
        "Athena:TagResource",
        "athena:TagResource",
        Res::Workgroup,
        Access::Write,
        &[],
    );
    ATHENA_UNTAG_RESOURCE = op(
        "Athena:UntagResource",
        "athena:UntagResource",
        Res::Workgroup,
        Access::Write,
        &[],
    );
    ATHENA_START_QUERY_EXECUTION = op(
        "Athena:StartQueryExecution",
        "athena:StartQueryExecution",
        Res::Workgroup,
        Access::Logs,
        &[
            ("glue:GetDatabase", Res::Database),
            ("glue:GetTable", Res::Table),
            ("s3:GetBucketLocation", Res::ResultsBucket),
            ("s3:ListBucket", Res::ResultsBucket),
            ("s3:PutObject", Res::ResultsObjects),
        ],
    );
    ATHENA_GET_QUERY_EXECUTION = op(
        "Athena:GetQueryExecution",
        "athena:GetQueryExecution",
        Res::Workgroup,
        Access::Logs,
        &[],
    );
    ATHENA_GET_QUERY_RESULTS = op(
        "Athena:GetQueryResults",
        "athena:GetQueryResults",
        Res::Workgroup,
        Access::Logs,
        &[("s3:GetObject", Res::ResultsObjects)],
    );
    ATHENA_DELETE_WORK_GROUP = op(
        "Athena:DeleteWorkGroup",
        "athena:DeleteWorkGroup",
        Res::Workgroup,
        Access::Write,
        &[],
    );
    LOGS_DESCRIBE_LOG_GROUPS = op(
        "Logs:DescribeLogGroups",
        "logs:DescribeLogGroups",
        Res::Any(Need::Logs),
        Access::Read,
        &[],
    );
    LOGS_LIST_TAGS_FOR_RESOURCE = op(
        "Logs:ListTagsForResource",
        "logs:ListTagsForResource",
        Res::LogGroups,
        Access::Read,
        &[],
    );
    LOGS_DESCRIBE_METRIC_FILTERS = op(
        "Logs:DescribeMetricFilters",
        "logs:DescribeMetricFilters",
        Res::LogGroups,
        Access::Read,
        &[],
    );
    LOGS_CREATE_LOG_GROUP = op(
        "Logs:CreateLogGroup",
        "logs:CreateLogGroup",
        Res::LogGroup,
        Access::Write,
        &[("logs:TagResource", Res::LogGroup)],
    );
    LOGS_PUT_RETENTION_POLICY = op(
        "Logs:PutRetentionPolicy",
        "logs:PutRetentionPolicy",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_DELETE_RETENTION_POLICY = op(
        "Logs:DeleteRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_ASSOCIATE_KMS_KEY = op(
        "Logs:AssociateKmsKey",
        "logs:AssociateKmsKey",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_DISASSOCIATE_KMS_KEY = op(
        "Logs:DisassociateKmsKey",
        "logs:DisassociateKmsKey",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_TAG_RESOURCE = op(
        "Logs:TagResource",
        "logs:TagResource",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_UNTAG_RESOURCE = op(
        "Logs:UntagResource",
        "logs:UntagResource",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_DELETE_LOG_GROUP = op(
        "Logs:DeleteLogGroup",
        "logs:DeleteLogGroup",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_PUT_METRIC_FILTER = op(
        "Logs:PutMetricFilter",
        "logs:PutMetricFilter",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    LOGS_DELETE_METRIC_FILTER = op(
        "Logs:DeleteMetricFilter",
        "logs:DeleteMetricFilter",
        Res::LogGroup,
        Access::Write,
        &[],
    );
    CLOUDWATCH_DESCRIBE_ALARMS = op(
        "CloudWatch:DescribeAlarms",
        "cloudwatch:DescribeAlarms",
        Res::Alarm,
        Access::Read,
        &[],
    );
    CLOUDWATCH_LIST_TAGS_FOR_RESOURCE = op(
        "CloudWatch:ListTagsForResource",
        "cloudwatch:ListTagsForResource",
        Res::Alarm,
        Access::Read,
        &[],
    );
    CLOUDWATCH_PUT_METRIC_ALARM = op(
        "CloudWatch:PutMetricAlarm",
        "cloudwatch:PutMetricAlarm",
        Res::Alarm,
        Access::Write,
        &[("cloudwatch:TagResource", Res::Alarm)],
    );
    CLOUDWATCH_TAG_RESOURCE = op(
        "CloudWatch:TagResource",
        "cloudwatch:TagResource",
        Res::Alarm,
        Access::Write,
        &[],
    );
    CLOUDWATCH_UNTAG_RESOURCE = op(
        "CloudWatch:UntagResource",
        "cloudwatch:UntagResource",
        Res::Alarm,
        Access::Write,
        &[],
    );
    CLOUDWATCH_DELETE_ALARMS = op(
        "CloudWatch:DeleteAlarms",
        "cloudwatch:DeleteAlarms",
        Res::Alarm,
        Access::Write,
        &[],
    );
}
