//! The values a trail's spec and its comparable state share: its `UpdateTrail` settings, its
//! delivery to CloudWatch Logs, its Insights, and a bucket's access logging. Both sides of a plan
//! are written in these, so they depend on neither.

/// The `UpdateTrail` settings of a trail: as the spec writes them, as the API reports them
/// (empty strings already `None` on both sides), and normalized in a `TrailState`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrailSettings {
    /// `IsMultiRegionTrail`.
    pub all_regions: bool,
    /// `IncludeGlobalServiceEvents`.
    pub global_service_events: bool,
    /// `S3BucketName`.
    pub bucket: String,
    /// `S3KeyPrefix`; never empty.
    pub prefix: Option<String>,
    /// `KmsKeyId`.
    pub kms_key: Option<String>,
    /// `EnableLogFileValidation`.
    pub log_file_validation: bool,
    pub cloudwatch_logs: Option<CloudWatchLogs>,
    /// `SnsTopicName`: a topic name or ARN notified on each log file delivery.
    pub delivery_topic: Option<String>,
    /// `IsOrganizationTrail`: the trail logs every account of the organization.
    #[serde(default)]
    pub organization: bool,
}

/// Delivery of a trail's events to CloudWatch Logs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CloudWatchLogs {
    /// `CloudWatchLogsLogGroupArn`, ending in `:*`.
    pub log_group_arn: String,
    /// `CloudWatchLogsRoleArn`.
    pub role_arn: String,
}

/// CloudTrail Insights types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum InsightType {
    ApiCallRate,
    ApiErrorRate,
}

impl InsightType {
    pub const NAMES: &'static [&'static str] = &["api_call_rate", "api_error_rate"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "api_call_rate" => Some(Self::ApiCallRate),
            "api_error_rate" => Some(Self::ApiErrorRate),
            _ => None,
        }
    }

    /// The spec's name for this type.
    pub fn name(self) -> &'static str {
        match self {
            Self::ApiCallRate => "api_call_rate",
            Self::ApiErrorRate => "api_error_rate",
        }
    }

    /// The API's name for this type (`InsightSelector.InsightType`).
    pub fn api_name(self) -> &'static str {
        match self {
            Self::ApiCallRate => "ApiCallRateInsight",
            Self::ApiErrorRate => "ApiErrorRateInsight",
        }
    }
}

/// One Insights type on the events it analyses (`InsightSelector.EventCategories`):
/// management events, data events or both. The short spec form (`insights: [api_call_rate]`)
/// and a selector without categories mean management events only.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Insight {
    pub kind: InsightType,
    pub management: bool,
    pub data: bool,
}

impl Insight {
    /// The type on management events only (the API's default).
    pub fn management(kind: InsightType) -> Insight {
        Insight {
            kind,
            management: true,
            data: false,
        }
    }

    /// `api_call_rate`, or `api_call_rate (management, data)` beyond the default.
    pub fn name(&self) -> String {
        if self.management && !self.data {
            return self.kind.name().to_owned();
        }
        format!("{} ({})", self.kind.name(), self.categories().join(", "))
    }

    /// The spec's names of the event categories (`management`, `data`).
    pub fn categories(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        if self.management {
            c.push("management");
        }
        if self.data {
            c.push("data");
        }
        c
    }
}

/// Server access logging of a bucket: its access logs go to `bucket` under `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccessLogging {
    pub bucket: String,
    pub prefix: String,
}
