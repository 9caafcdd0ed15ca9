//! The comparable state of the CloudWatch side: the log group a trail delivers to, an alert's
//! metric filter on it, and the alarm on the filter's metric.
//!
//! Metric filters take no tags: a filter is the stack's when it has the stack's name prefix and
//! counts into the stack's metric namespace (`trailctl/STACK`), both written by trailctl only.

use crate::model::state::{Compared, FieldValue, Fields, Writes};
use crate::model::tags::{TagChanges, Tags};

/// A CloudWatch Logs log group as plans compare it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogGroupState {
    pub name: String,
    pub region: String,
    /// Days events are kept (`None`: forever, the default).
    pub retention_days: Option<u32>,
    /// The KMS key ARN events are encrypted with (`None`: CloudWatch Logs' own encryption).
    pub kms_key: Option<String>,
    pub tags: Tags,
}

impl Compared for LogGroupState {
    type Writes = LogGroupWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            (
                "retention_days",
                self.retention_days
                    .map_or(FieldValue::Absent, |d| FieldValue::Number(u64::from(d))),
            ),
            (
                "kms_key",
                self.kms_key
                    .clone()
                    .map_or(FieldValue::Absent, FieldValue::Text),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    fn writes(&self, want: &LogGroupState) -> LogGroupWrites {
        LogGroupWrites {
            retention: self.retention_days != want.retention_days,
            kms_key: self.kms_key != want.kms_key,
            tags: TagChanges::between(&self.tags, &want.tags),
        }
    }
}

/// A metric filter as plans compare it: one metric transformation, value 1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MetricFilterState {
    pub name: String,
    pub region: String,
    pub log_group: String,
    /// The filter pattern, byte for byte (Security Hub compares the text).
    pub pattern: String,
    pub namespace: String,
    pub metric: String,
    /// The metric value each matching event counts (`"1"`).
    pub value: String,
}

impl Compared for MetricFilterState {
    type Writes = MetricFilterWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            ("log_group", FieldValue::Text(self.log_group.clone())),
            ("pattern", FieldValue::Text(self.pattern.clone())),
            ("namespace", FieldValue::Text(self.namespace.clone())),
            ("metric", FieldValue::Text(self.metric.clone())),
            ("value", FieldValue::Text(self.value.clone())),
        ]
    }

    /// A filter is written whole (`PutMetricFilter`), so any difference rewrites it.
    fn writes(&self, want: &MetricFilterState) -> MetricFilterWrites {
        MetricFilterWrites {
            filter: self != want,
        }
    }
}

/// A metric alarm as plans compare it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlarmState {
    pub name: String,
    pub region: String,
    pub description: Option<String>,
    pub namespace: String,
    pub metric: String,
    /// `Sum`, as the CIS alarms count matching events.
    pub statistic: String,
    pub period_seconds: u32,
    pub evaluation_periods: u32,
    pub threshold: f64,
    /// `GreaterThanOrEqualToThreshold`.
    pub comparison: String,
    /// `notBreaching`: no events is no alarm.
    pub treat_missing_data: String,
    /// `ActionsEnabled`: `false` for an alert with `enabled: false`.
    pub actions_enabled: bool,
    /// The topics notified in ALARM (ARNs, sorted).
    pub actions: Vec<String>,
    pub tags: Tags,
}

impl Compared for AlarmState {
    type Writes = AlarmWrites;

    fn fields(&self) -> Fields {
        let n = |v: u32| FieldValue::Number(u64::from(v));
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            (
                "description",
                self.description
                    .clone()
                    .map_or(FieldValue::Absent, FieldValue::Text),
            ),
            ("namespace", FieldValue::Text(self.namespace.clone())),
            ("metric", FieldValue::Text(self.metric.clone())),
            ("statistic", FieldValue::Text(self.statistic.clone())),
            ("period_seconds", n(self.period_seconds)),
            ("evaluation_periods", n(self.evaluation_periods)),
            ("threshold", FieldValue::Text(self.threshold.to_string())),
            ("comparison", FieldValue::Text(self.comparison.clone())),
            (
                "treat_missing_data",
                FieldValue::Text(self.treat_missing_data.clone()),
            ),
            ("actions_enabled", FieldValue::Bool(self.actions_enabled)),
            ("actions", FieldValue::List(self.actions.clone())),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    /// An alarm is written whole (`PutMetricAlarm`); its tags apart.
    fn writes(&self, want: &AlarmState) -> AlarmWrites {
        let mut same = want.clone();
        same.tags = self.tags.clone();
        AlarmWrites {
            alarm: *self != same,
            tags: TagChanges::between(&self.tags, &want.tags),
        }
    }
}

/// The parts of a log group to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogGroupWrites {
    pub retention: bool,
    pub kms_key: bool,
    pub tags: TagChanges,
}

impl Writes for LogGroupWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        self.retention || self.kms_key
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricFilterWrites {
    pub filter: bool,
}

impl Writes for MetricFilterWrites {
    fn no_tags(&self) -> bool {
        true
    }

    fn beyond_tags(&self) -> bool {
        self.filter
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlarmWrites {
    pub alarm: bool,
    pub tags: TagChanges,
}

impl Writes for AlarmWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        self.alarm
    }
}
