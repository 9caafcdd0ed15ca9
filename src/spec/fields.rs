//! The spec's vocabulary as data: every mapping's keys with their shape, default and a one-line
//! description. The reader takes key names, enums, limits and defaults from these tables (so an
//! unknown key, a wrong enum value or an out-of-range number is refused from here), and
//! `trailctl schema` renders the same tables as a JSON Schema for editors.

use crate::model::alert::TopicPolicy;
use crate::model::desired::InsightType;
use crate::model::selector::{self, Access, EXCLUDABLE_SOURCES, ManagementEvents};

/// What a key's value must be.
#[derive(Debug)]
pub enum Shape {
    String,
    Bool,
    /// A whole number in `min..=max`.
    Integer {
        min: u64,
        max: u64,
    },
    /// One of these strings.
    OneOf(&'static [&'static str]),
    List(&'static Shape),
    /// A mapping with exactly these keys (the required ones present).
    Object(&'static [Field]),
    /// A mapping with exactly one of these keys.
    OneKey(&'static [Field]),
    /// A mapping of strings to strings (tags).
    StringMap,
    /// An EventBridge event pattern: a mapping whose leaves are lists (the pattern engine
    /// checks the rest).
    EventPattern,
    /// A mapping of anything (an inline record).
    AnyMapping,
    /// Any one of these shapes.
    AnyOf(&'static [Shape]),
}

/// A key's default, when leaving it out means a value.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    Bool(bool),
    Text(&'static str),
    Integer(u64),
}

#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub shape: Shape,
    pub required: bool,
    pub default: Option<Default>,
    pub doc: &'static str,
}

const fn opt(key: &'static str, shape: Shape, doc: &'static str) -> Field {
    Field {
        key,
        shape,
        required: false,
        default: None,
        doc,
    }
}

const fn req(key: &'static str, shape: Shape, doc: &'static str) -> Field {
    Field {
        key,
        shape,
        required: true,
        default: None,
        doc,
    }
}

const fn with(key: &'static str, shape: Shape, default: Default, doc: &'static str) -> Field {
    Field {
        key,
        shape,
        required: false,
        default: Some(default),
        doc,
    }
}

/// The field named `key` among `fields`.
pub fn find<'a>(fields: &'a [Field], key: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.key == key)
}

/// The key names of `fields`, in order.
pub fn keys(fields: &[Field]) -> Vec<&'static str> {
    fields.iter().map(|f| f.key).collect()
}

const REGIONS_OR_ALL: Shape = Shape::AnyOf(&[Shape::OneOf(&["all"]), Shape::List(&Shape::String)]);
/// A number of days to keep objects, as an S3 lifecycle expiration takes it.
const DAYS: Shape = Shape::Integer {
    min: 1,
    max: 36_500,
};
const TAGS_DOC: &str =
    "Tags added to every managed resource (the `aws:` and `trailctl:` prefixes are reserved).";

pub const ROOT: &[Field] = &[
    req(
        "version",
        Shape::Integer { min: 1, max: 1 },
        "The spec format: this trailctl reads version 1.",
    ),
    req(
        "stack",
        Shape::String,
        "Value of the trailctl:stack tag on everything trailctl creates: what it owns (1-32 letters, digits and -).",
    ),
    opt(
        "account",
        Shape::String,
        "The 12-digit account id, quoted; commands that reach AWS refuse other accounts.",
    ),
    req(
        "home_region",
        Shape::String,
        "Where trails are created and read (a trail's home Region).",
    ),
    opt(
        "regions",
        REGIONS_OR_ALL,
        "Where regional resources go: a list of Regions including home_region, or `all` (default: [home_region]).",
    ),
    opt("tags", Shape::StringMap, TAGS_DOC),
    opt(
        "buckets",
        Shape::List(&Shape::Object(BUCKET)),
        "Delivery buckets trailctl creates and owns.",
    ),
    opt(
        "trails",
        Shape::List(&Shape::Object(TRAIL)),
        "CloudTrail trails, homed in home_region.",
    ),
    opt(
        "topics",
        Shape::List(&Shape::Object(TOPIC)),
        "SNS topics in the home Region that alerts notify.",
    ),
    opt(
        "alerts",
        Shape::List(&Shape::AnyOf(&[
            Shape::Object(ALERT),
            Shape::Object(PRESET),
        ])),
        "EventBridge rules on CloudTrail events delivered to topics, or `preset:` entries.",
    ),
    opt(
        "cost",
        Shape::Object(COST),
        "Monthly event volumes for the plan's cost estimate.",
    ),
    opt(
        "organization",
        Shape::Object(ORGANIZATION),
        "The accounts of an AWS Organization the spec is for: trails in the management account, topics in the security account, every alert's rules in every account.",
    ),
];

pub const ORGANIZATION: &[Field] = &[
    req(
        "accounts",
        Shape::AnyOf(&[Shape::OneOf(&["all"]), Shape::List(&Shape::String)]),
        "`all` (every active account), or a list of quoted account ids and OU ids (ou-…, taken recursively).",
    ),
    opt(
        "exclude",
        Shape::List(&Shape::String),
        "Quoted account ids never targeted.",
    ),
    with(
        "role",
        Shape::String,
        Default::Text(crate::model::org::DEFAULT_ROLE),
        "The role assumed in each member account (AWSControlTowerExecution under Control Tower).",
    ),
    req(
        "security_account",
        Shape::String,
        "The quoted id of the account that holds the topics: every alert is delivered there.",
    ),
    with(
        "concurrency",
        Shape::Integer { min: 1, max: 64 },
        Default::Integer(crate::model::org::DEFAULT_CONCURRENCY),
        "Accounts planned or applied at once.",
    ),
];

pub const BUCKET: &[Field] = &[
    req(
        "name",
        Shape::String,
        "S3 bucket name: 3-63 lowercase letters, digits, . and -.",
    ),
    opt(
        "retention_days",
        DAYS,
        "Expire log objects after this many days (default: keep forever).",
    ),
    opt(
        "kms_key",
        Shape::String,
        "SSE-KMS with this key (key id, alias/NAME or ARN); default SSE-S3.",
    ),
    opt(
        "access_logging",
        Shape::Object(ACCESS_LOGGING),
        "S3 server access logging of this bucket into another bucket of the same Region (CIS v3.0 3.4, v6.0 4.4).",
    ),
    opt(
        "tags",
        Shape::StringMap,
        "Tags on the bucket, besides the spec's tags.",
    ),
];

pub const ACCESS_LOGGING: &[Field] = &[
    req(
        "bucket",
        Shape::String,
        "The bucket the access logs go to: another bucket of the spec (trailctl adds the statement that lets S3 write them to its policy) or one that exists already.",
    ),
    opt(
        "prefix",
        Shape::String,
        "The key prefix of the access logs (default: the bucket's name and /).",
    ),
];

pub const TRAIL: &[Field] = &[
    req(
        "name",
        Shape::String,
        "The trail's name (3-128 characters).",
    ),
    with(
        "all_regions",
        Shape::Bool,
        Default::Bool(true),
        "IsMultiRegionTrail: log every Region (false: the home Region only).",
    ),
    with(
        "global_service_events",
        Shape::Bool,
        Default::Bool(true),
        "IncludeGlobalServiceEvents (IAM, STS global endpoint, CloudFront); true when all_regions is.",
    ),
    req(
        "bucket",
        Shape::String,
        "S3BucketName: a bucket under buckets, or any existing bucket.",
    ),
    opt(
        "prefix",
        Shape::String,
        "S3KeyPrefix, at most 200 characters.",
    ),
    opt(
        "kms_key",
        Shape::String,
        "KmsKeyId: encrypt log files with this customer managed key.",
    ),
    with(
        "log_file_validation",
        Shape::Bool,
        Default::Bool(true),
        "EnableLogFileValidation: signed digest files.",
    ),
    opt(
        "cloudwatch_logs",
        Shape::Object(CLOUDWATCH_LOGS),
        "Deliver events to a CloudWatch Logs log group.",
    ),
    opt(
        "delivery_topic",
        Shape::String,
        "SnsTopicName: notified when a log file is delivered (name or ARN).",
    ),
    with(
        "logging",
        Shape::Bool,
        Default::Bool(true),
        "Whether the trail is logging (StartLogging / StopLogging).",
    ),
    with(
        "organization",
        Shape::Bool,
        Default::Bool(false),
        "IsOrganizationTrail: log every account of the organization (needs the spec's `organization:`; created in the management account).",
    ),
    with(
        "management_events",
        Shape::OneOf(ManagementEvents::NAMES),
        Default::Text("all"),
        "Which management events are logged.",
    ),
    opt(
        "exclude_management_sources",
        Shape::List(&Shape::OneOf(EXCLUDABLE_SOURCES)),
        "Management event sources not to log.",
    ),
    opt(
        "data_events",
        Shape::List(&Shape::Object(DATA_EVENTS)),
        "Data events, written as advanced event selectors.",
    ),
    opt(
        "advanced_event_selectors",
        Shape::List(&Shape::Object(SELECTOR)),
        "Raw advanced event selectors in the AWS shape, instead of data_events.",
    ),
    opt(
        "insights",
        Shape::List(&Shape::AnyOf(&[
            Shape::OneOf(InsightType::NAMES),
            Shape::Object(INSIGHT),
        ])),
        "CloudTrail Insights types: a type (on management events), or {type, events}.",
    ),
    opt(
        "tags",
        Shape::StringMap,
        "Tags on the trail, besides the spec's tags.",
    ),
    opt(
        "athena",
        Shape::Object(ATHENA),
        "An Athena table over the trail's logs, with the database and workgroup it needs.",
    ),
];

pub const INSIGHT: &[Field] = &[
    req(
        "type",
        Shape::OneOf(InsightType::NAMES),
        "api_call_rate or api_error_rate.",
    ),
    req(
        "events",
        Shape::List(&Shape::OneOf(INSIGHT_EVENTS)),
        "The events it analyses: management, data or both (EventCategories, replaced as a whole).",
    ),
];

pub const INSIGHT_EVENTS: &[&str] = &["management", "data"];

pub const ATHENA: &[Field] = &[
    req(
        "database",
        Shape::String,
        "The Glue database (created and owned): lowercase letters, digits and _.",
    ),
    with(
        "table",
        Shape::String,
        Default::Text(crate::model::athena::DEFAULT_TABLE),
        "The CloudTrail table, with partition projection over the trail's bucket.",
    ),
    req(
        "workgroup",
        Shape::String,
        "The Athena workgroup queries run in (created and owned).",
    ),
    req(
        "results_bucket",
        Shape::String,
        "The bucket query results go to (created and owned).",
    ),
    opt(
        "results_retention_days",
        DAYS,
        "Query results expire after this many days (default 30).",
    ),
    opt(
        "bytes_scanned_cutoff",
        Shape::AnyOf(&[
            Shape::Integer {
                min: crate::model::athena::MIN_BYTES_SCANNED_CUTOFF,
                max: u64::MAX,
            },
            Shape::String,
        ]),
        "A query that would scan more is cancelled: bytes, or a size such as 10GB (at least 10MB).",
    ),
];

pub const CLOUDWATCH_LOGS: &[Field] = &[
    opt(
        "log_group",
        Shape::String,
        "A log group trailctl creates and owns, with the role CloudTrail writes to it with (instead of the two ARNs).",
    ),
    opt(
        "retention_days",
        Shape::Integer { min: 1, max: 3653 },
        "With log_group: keep events this many days (one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; default forever).",
    ),
    opt(
        "kms_key",
        Shape::String,
        "With log_group: encrypt its events with this customer managed key.",
    ),
    opt(
        "log_group_arn",
        Shape::String,
        "CloudWatchLogsLogGroupArn: an existing log group's ARN ending in :*, with role_arn.",
    ),
    opt(
        "role_arn",
        Shape::String,
        "CloudWatchLogsRoleArn: the existing IAM role CloudTrail assumes to write, with log_group_arn.",
    ),
];

pub const DATA_EVENTS: &[Field] = &[
    req(
        "resource",
        Shape::String,
        "s3_object, lambda_function, dynamodb_table, sns_topic, cloudtrail_channel or an AWS::Service::Type.",
    ),
    opt(
        "arns",
        Shape::List(&Shape::String),
        "ARN prefixes (resources.ARN StartsWith); default all resources of the type.",
    ),
    with(
        "access",
        Shape::OneOf(Access::NAMES),
        Default::Text("all"),
        "readOnly: all, read (true) or write (false).",
    ),
    opt(
        "events",
        Shape::List(&Shape::String),
        "eventName Equals, e.g. [PutObject, DeleteObject]; default all.",
    ),
];

pub const SELECTOR: &[Field] = &[
    opt("Name", Shape::String, "The selector's name."),
    req(
        "FieldSelectors",
        Shape::List(&Shape::Object(FIELD_SELECTOR)),
        "The selector's conditions.",
    ),
];

const VALUES: Shape = Shape::List(&Shape::String);

/// `Field` and then the operators, in the order the reader names them.
pub const FIELD_SELECTOR: &[Field] = &[
    req(
        "Field",
        Shape::OneOf(selector::FIELDS),
        "The field the condition is on.",
    ),
    opt("Equals", VALUES, "Values the field equals."),
    opt("StartsWith", VALUES, "Prefixes the field starts with."),
    opt("EndsWith", VALUES, "Suffixes the field ends with."),
    opt("NotEquals", VALUES, "Values the field does not equal."),
    opt(
        "NotStartsWith",
        VALUES,
        "Prefixes the field does not start with.",
    ),
    opt(
        "NotEndsWith",
        VALUES,
        "Suffixes the field does not end with.",
    ),
];

pub const TOPIC: &[Field] = &[
    req(
        "name",
        Shape::String,
        "Topic name: 1-256 letters, digits, - and _ (a FIFO topic ends in .fifo).",
    ),
    opt(
        "display_name",
        Shape::String,
        "DisplayName, the sender name of emails (at most 100 characters).",
    ),
    opt(
        "kms_key",
        Shape::String,
        "KmsMasterKeyId: a customer managed key.",
    ),
    opt(
        "subscriptions",
        Shape::List(&Shape::OneKey(SUBSCRIPTION)),
        "Each item is one of email, sqs, https or lambda.",
    ),
    with(
        "policy",
        Shape::OneOf(TopicPolicy::NAMES),
        Default::Text("trailctl"),
        "Who writes the access policy: trailctl, or keep an existing topic's own.",
    ),
    opt(
        "tags",
        Shape::StringMap,
        "Tags on the topic, besides the spec's tags.",
    ),
];

/// One key per `Protocol::NAMES`, in that order.
pub const SUBSCRIPTION: &[Field] = &[
    opt("email", Shape::String, "An email address."),
    opt("sqs", Shape::String, "An SQS queue ARN."),
    opt("https", Shape::String, "An https:// URL."),
    opt("lambda", Shape::String, "A Lambda function ARN."),
];

pub const COST: &[Field] = &[req(
    "events_per_month",
    Shape::Object(EVENTS_PER_MONTH),
    "Monthly event volumes: whole numbers or counts such as 4M.",
)];

const COUNT: Shape = Shape::AnyOf(&[
    Shape::Integer {
        min: 0,
        max: u64::MAX,
    },
    Shape::String,
]);

/// One key per `cost::Kind`, in `Kind::ALL` order.
pub const EVENTS_PER_MONTH: &[Field] = &[
    opt(
        "management_read",
        COUNT,
        "Read management events per month.",
    ),
    opt(
        "management_write",
        COUNT,
        "Write management events per month.",
    ),
    opt("data", COUNT, "Data events per month."),
];

#[path = "fields_alerts.rs"]
mod alerts;
pub use alerts::{ALARM, ALERT, ON, PRESET, SIGMA, TEST};

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
