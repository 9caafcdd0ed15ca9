//! Audit safety: which changes reduce what is logged or kept, and how (`Reduction`, a type;
//! its words are rendered last).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::selector::AdvancedSelector;
use crate::model::state::{BucketState, TrailState};

/// How a change reduces audit logging or what is kept. Any reduction gates `apply` behind
/// `--allow-destroy`. Saved plans carry it as data with a stable tag
/// (`{"reduction": "shorter_retention", "days": 30, "was": null}`); `Display` is what plans print,
/// and [`Reduction::parse`] reads the text that plan files of format 1 carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reduction", rename_all = "snake_case")]
pub enum Reduction {
    StopsLogging,
    /// No longer logs all Regions, only its own.
    SingleRegion {
        region: String,
    },
    NoGlobalServiceEvents,
    NoReadManagementEvents,
    NoWriteManagementEvents,
    ExcludesSource {
        source: String,
    },
    /// A data event selector removed or narrowed, for these resource types (or `data`).
    NarrowsDataEvents {
        kind: String,
    },
    InsightsOff {
        insight: String,
    },
    NoLogFileValidation,
    NoCloudWatchLogs,
    /// Log files expire after `days`; `was`: after how many before (`None`: kept).
    ShorterRetention {
        days: u32,
        was: Option<u32>,
    },
    /// The trail is deleted and created in another Region.
    Replaces {
        from: String,
        to: String,
    },
    Deletes,
    /// An Athena database, table or workgroup is deleted (`kind`).
    DropsQueries {
        kind: String,
    },
    /// A log group trails deliver to is deleted, with the events it holds.
    DeletesLogGroup,
    /// An alert's metric filter or alarm is deleted (`kind`).
    DropsMonitoring {
        kind: String,
    },
    /// A bucket's server access logging is turned off.
    StopsAccessLogging,
}

impl fmt::Display for Reduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reduction::StopsLogging => f.write_str("stops logging"),
            Reduction::SingleRegion { region } => {
                write!(f, "stops logging Regions other than {region}")
            }
            Reduction::NoGlobalServiceEvents => {
                f.write_str("stops logging global service events (IAM, STS, CloudFront)")
            }
            Reduction::NoReadManagementEvents => {
                f.write_str("stops logging read management events")
            }
            Reduction::NoWriteManagementEvents => {
                f.write_str("stops logging write management events")
            }
            Reduction::ExcludesSource { source } => {
                write!(f, "excludes management events from {source}")
            }
            Reduction::NarrowsDataEvents { kind } => {
                write!(f, "removes or narrows the data event selector for {kind}")
            }
            Reduction::InsightsOff { insight } => write!(f, "turns off Insights {insight}"),
            Reduction::NoLogFileValidation => {
                f.write_str("turns off log file integrity validation")
            }
            Reduction::NoCloudWatchLogs => f.write_str("stops delivery to CloudWatch Logs"),
            Reduction::ShorterRetention { days, was: None } => {
                write!(f, "log files now expire after {days} days (were kept)")
            }
            Reduction::ShorterRetention {
                days,
                was: Some(was),
            } => write!(f, "log files expire after {days} days instead of {was}"),
            Reduction::Replaces { from, to } => write!(
                f,
                "replaces the trail: nothing is logged between its deletion in {from} and its creation in {to}"
            ),
            Reduction::Deletes => {
                f.write_str("deletes the trail: everything it logs stops being logged")
            }
            Reduction::DropsQueries { kind } => write!(
                f,
                "deletes the Athena {kind}: queries over the trail's logs stop working"
            ),
            Reduction::DeletesLogGroup => {
                f.write_str("deletes the log group and the CloudTrail events it holds")
            }
            Reduction::DropsMonitoring { kind } => write!(
                f,
                "deletes the {kind}: the alert's CloudWatch monitoring (what Security Hub's CIS checks look for) stops"
            ),
            Reduction::StopsAccessLogging => f.write_str(
                "turns off server access logging: reads and writes of the log objects are no longer recorded",
            ),
        }
    }
}

impl Reduction {
    /// The reduction whose text is `s` (what `Display` writes): how plan files of format 1
    /// carried it.
    pub fn parse(s: &str) -> Option<Reduction> {
        let fixed = [
            Reduction::StopsLogging,
            Reduction::NoGlobalServiceEvents,
            Reduction::NoReadManagementEvents,
            Reduction::NoWriteManagementEvents,
            Reduction::NoLogFileValidation,
            Reduction::NoCloudWatchLogs,
            Reduction::Deletes,
            Reduction::DeletesLogGroup,
            Reduction::StopsAccessLogging,
        ];
        if let Some(r) = fixed.into_iter().find(|r| r.to_string() == s) {
            return Some(r);
        }
        let after = |prefix: &str| s.strip_prefix(prefix).map(str::to_owned);
        if let Some(region) = after("stops logging Regions other than ") {
            return Some(Reduction::SingleRegion { region });
        }
        if let Some(source) = after("excludes management events from ") {
            return Some(Reduction::ExcludesSource { source });
        }
        if let Some(kind) = after("removes or narrows the data event selector for ") {
            return Some(Reduction::NarrowsDataEvents { kind });
        }
        if let Some(kind) = s
            .strip_prefix("deletes the Athena ")
            .and_then(|r| r.strip_suffix(": queries over the trail's logs stop working"))
        {
            return Some(Reduction::DropsQueries {
                kind: kind.to_owned(),
            });
        }
        if let Some(kind) = s.strip_prefix("deletes the ").and_then(|r| {
            r.strip_suffix(": the alert's CloudWatch monitoring (what Security Hub's CIS checks look for) stops")
        }) {
            return Some(Reduction::DropsMonitoring {
                kind: kind.to_owned(),
            });
        }
        if let Some(insight) = after("turns off Insights ") {
            return Some(Reduction::InsightsOff { insight });
        }
        if let Some(days) = s
            .strip_prefix("log files now expire after ")
            .and_then(|r| r.strip_suffix(" days (were kept)"))
        {
            return days
                .parse()
                .ok()
                .map(|days| Reduction::ShorterRetention { days, was: None });
        }
        if let Some((days, was)) = s
            .strip_prefix("log files expire after ")
            .and_then(|r| r.split_once(" days instead of "))
        {
            return Some(Reduction::ShorterRetention {
                days: days.parse().ok()?,
                was: Some(was.parse().ok()?),
            });
        }
        let (from, to) = s
            .strip_prefix("replaces the trail: nothing is logged between its deletion in ")?
            .split_once(" and its creation in ")?;
        Some(Reduction::Replaces {
            from: from.to_owned(),
            to: to.to_owned(),
        })
    }
}

/// Why changing trail `before` into `after` reduces audit logging (empty: it does not).
pub fn trail_update(before: &TrailState, after: &TrailState) -> Vec<Reduction> {
    let mut why = Vec::new();
    if !before.logging {
        // A trail that is not logging loses nothing by any change.
        return why;
    }
    if !after.logging {
        why.push(Reduction::StopsLogging);
    }
    if before.settings.all_regions && !after.settings.all_regions {
        why.push(Reduction::SingleRegion {
            region: after.region.clone(),
        });
    }
    if before.settings.global_service_events && !after.settings.global_service_events {
        why.push(Reduction::NoGlobalServiceEvents);
    }
    let (br, bw) = crate::model::selector::coverage(&before.selectors);
    let (ar, aw) = crate::model::selector::coverage(&after.selectors);
    if br && !ar {
        why.push(Reduction::NoReadManagementEvents);
    }
    if bw && !aw {
        why.push(Reduction::NoWriteManagementEvents);
    }
    let excluded = |t: &TrailState| -> Vec<String> {
        t.selectors
            .iter()
            .flat_map(|s| s.fields.iter())
            .filter(|f| f.field == "eventSource")
            .flat_map(|f| f.not_equals.iter().cloned())
            .collect()
    };
    let (be, ae) = (excluded(before), excluded(after));
    for source in ae.iter().filter(|s| !be.contains(s)) {
        if ar || aw {
            why.push(Reduction::ExcludesSource {
                source: source.clone(),
            });
        }
    }
    let is_data = |s: &&AdvancedSelector| {
        s.equals_of("eventCategory")
            .is_some_and(|c| c.iter().any(|x| x != "Management"))
    };
    for lost in before
        .selectors
        .iter()
        .filter(is_data)
        .filter(|b| !after.selectors.iter().any(|a| a.covers(b)))
    {
        let kind = lost
            .equals_of("resources.type")
            .map(|t| t.join(", "))
            .unwrap_or_else(|| "data".to_owned());
        why.push(Reduction::NarrowsDataEvents { kind });
    }
    for i in before.insights.difference(&after.insights) {
        why.push(Reduction::InsightsOff { insight: i.name() });
    }
    if before.settings.log_file_validation && !after.settings.log_file_validation {
        why.push(Reduction::NoLogFileValidation);
    }
    if before.settings.cloudwatch_logs.is_some() && after.settings.cloudwatch_logs.is_none() {
        why.push(Reduction::NoCloudWatchLogs);
    }
    why
}

/// Why changing bucket `before` into `after` loses logs sooner, or stops recording who reads
/// them.
pub fn bucket_update(before: &BucketState, after: &BucketState) -> Vec<Reduction> {
    let mut why = match (before.retention_days, after.retention_days) {
        (None, Some(days)) => vec![Reduction::ShorterRetention { days, was: None }],
        (Some(b), Some(days)) if days < b => {
            vec![Reduction::ShorterRetention { days, was: Some(b) }]
        }
        _ => Vec::new(),
    };
    if before.access_logging.is_some() && after.access_logging.is_none() {
        why.push(Reduction::StopsAccessLogging);
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::desired::InsightType;
    use crate::model::selector::{ManagementEvents, management_selector};
    use crate::model::state::Encryption;

    fn trail() -> TrailState {
        TrailState {
            insights: [crate::model::desired::Insight::management(
                InsightType::ApiCallRate,
            )]
            .into(),
            ..crate::model::state::tests::trail()
        }
    }

    #[test]
    fn each_reduction_is_named_and_an_increase_is_not() {
        let before = trail();
        let mut after = trail();
        after.logging = false;
        after.settings.all_regions = false;
        after.selectors = vec![
            management_selector(ManagementEvents::WriteOnly, &["kms.amazonaws.com".into()])
                .unwrap(),
        ];
        after.insights.clear();
        after.settings.log_file_validation = false;
        let why = trail_update(&before, &after);
        assert_eq!(why.len(), 6, "{why:?}");
        let mut idle = before.clone();
        idle.logging = false;
        assert!(trail_update(&idle, &after).is_empty());
        assert!(trail_update(&after, &before).is_empty());
        assert!(trail_update(&before, &before).is_empty());
    }

    #[test]
    fn shorter_retention_is_destructive_longer_is_not() {
        let b = BucketState {
            name: "b".into(),
            region: "us-east-1".into(),
            block_public_access: true,
            owner_enforced: true,
            encryption: Encryption::S3,
            retention_days: Some(400),
            policy: None,
            access_logging: None,
            tags: Default::default(),
        };
        let mut shorter = b.clone();
        shorter.retention_days = Some(30);
        assert_eq!(bucket_update(&b, &shorter).len(), 1);
        assert!(bucket_update(&shorter, &b).is_empty());
        let mut forever = b.clone();
        forever.retention_days = None;
        assert!(bucket_update(&b, &forever).is_empty());
        assert_eq!(bucket_update(&forever, &b).len(), 1);
    }

    #[test]
    fn every_reduction_is_written_and_read_back_as_its_text() {
        let all = [
            Reduction::StopsLogging,
            Reduction::SingleRegion {
                region: "eu-west-1".into(),
            },
            Reduction::NoGlobalServiceEvents,
            Reduction::NoReadManagementEvents,
            Reduction::NoWriteManagementEvents,
            Reduction::ExcludesSource {
                source: "kms.amazonaws.com".into(),
            },
            Reduction::NarrowsDataEvents {
                kind: "AWS::S3::Object".into(),
            },
            Reduction::InsightsOff {
                insight: "api_call_rate".into(),
            },
            Reduction::NoLogFileValidation,
            Reduction::NoCloudWatchLogs,
            Reduction::ShorterRetention {
                days: 30,
                was: None,
            },
            Reduction::ShorterRetention {
                days: 30,
                was: Some(400),
            },
            Reduction::Replaces {
                from: "us-east-1".into(),
                to: "eu-west-1".into(),
            },
            Reduction::Deletes,
            Reduction::DropsQueries {
                kind: "table".into(),
            },
            Reduction::DeletesLogGroup,
            Reduction::DropsMonitoring {
                kind: "alarm".into(),
            },
            Reduction::StopsAccessLogging,
        ];
        let mut kinds = std::collections::BTreeSet::new();
        for r in all {
            let text = r.to_string();
            assert_eq!(Reduction::parse(&text), Some(r.clone()), "{text}");
            let json = serde_json::to_value(&r).unwrap();
            kinds.insert(json["reduction"].as_str().unwrap().to_owned());
            assert_eq!(serde_json::from_value::<Reduction>(json).unwrap(), r);
        }
        // Every variant, each with a tag of its own; the tags are the saved-plan format.
        assert_eq!(kinds.len(), 17, "{kinds:?}");
        assert_eq!(
            serde_json::to_value(Reduction::ShorterRetention {
                days: 30,
                was: Some(400)
            })
            .unwrap(),
            serde_json::json!({"reduction": "shorter_retention", "days": 30, "was": 400})
        );
        assert!(serde_json::from_str::<Reduction>("\"deletes everything\"").is_err());
    }
}
