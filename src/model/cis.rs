//! Would Security Hub's CIS checks (CloudWatch.1–14) pass on what the spec deploys? Each check
//! ("Security Hub controls for Amazon CloudWatch", cloudwatch-controls.html) wants: a multi-Region
//! trail that logs read and write management events and delivers to a CloudWatch Logs log
//! group; on that log group a metric filter with exactly the control's pattern; an alarm on the
//! filter's metric; the alarm notifying an SNS topic with a subscriber. CloudWatch.7 also fails
//! when the trail excludes KMS management events. Pure: decided from the spec alone.

use std::fmt;

use crate::model::alert::Alert;
use crate::model::desired::{Desired, Trail};
use crate::model::presets::{self, Preset};

/// One control, and what keeps the spec from passing it (nothing: it passes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// `CloudWatch.10`.
    pub control: String,
    /// The preset that carries the control's filter.
    pub preset: String,
    /// The alert that deploys the filter, if one does.
    pub alert: Option<String>,
    pub gaps: Vec<Gap>,
}

/// Why a control would fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The preset's alert is deployed as EventBridge rules only, which the check does not count.
    RulesOnly { alert: String },
    /// No alert deploys a metric filter with the control's exact pattern.
    NoFilter,
    /// No trail of the spec delivers to CloudWatch Logs.
    NoLogGroup,
    /// The trail with the log group does not log every Region.
    SingleRegion { trail: String },
    /// The trail does not log both read and write management events.
    PartialManagementEvents { trail: String },
    /// The trail is not logging.
    NotLogging { trail: String },
    /// CloudWatch.7: the trail excludes KMS management events.
    ExcludesKms { trail: String },
    /// The alarm's actions are off (`enabled: false`).
    AlarmDisabled { alert: String },
    /// A notified topic has no subscription in the spec.
    NoSubscriber { topic: String },
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gap::RulesOnly { alert } => write!(
                f,
                "alert `{alert}` deploys EventBridge rules only, which the check does not count (add `backend: both`)"
            ),
            Gap::NoFilter => {
                f.write_str("no alert deploys a metric filter with the control's exact pattern")
            }
            Gap::NoLogGroup => {
                f.write_str("no trail delivers to CloudWatch Logs (`cloudwatch_logs:`)")
            }
            Gap::SingleRegion { trail } => {
                write!(
                    f,
                    "trail `{trail}` does not log all Regions (the check wants a multi-Region trail)"
                )
            }
            Gap::PartialManagementEvents { trail } => {
                write!(
                    f,
                    "trail `{trail}` does not log both read and write management events"
                )
            }
            Gap::NotLogging { trail } => write!(f, "trail `{trail}` is not logging"),
            Gap::ExcludesKms { trail } => {
                write!(
                    f,
                    "trail `{trail}` excludes KMS management events (kms.amazonaws.com)"
                )
            }
            Gap::AlarmDisabled { alert } => {
                write!(
                    f,
                    "the alarm of `{alert}` has its actions off (enabled: false)"
                )
            }
            Gap::NoSubscriber { topic } => {
                write!(f, "topic `{topic}` has no subscription in the spec")
            }
        }
    }
}

impl Control {
    pub fn passes(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// The controls of the presets the spec uses (or whose exact filter one of its alerts
/// deploys), in catalogue order; empty for a spec with neither.
pub fn report(d: &Desired) -> Vec<Control> {
    let mut controls = presets::all()
        .iter()
        .filter_map(|p| Some((p, p.security_hub.as_ref()?, p.filter.as_ref()?)))
        .filter_map(|(p, control, filter)| control_of(d, p, control, filter))
        .collect::<Vec<_>>();
    controls.sort_by_key(|c| number(&c.control));
    controls
}

/// `CloudWatch.10` → 10, to list controls in their order.
fn number(control: &str) -> u32 {
    control
        .rsplit('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

fn control_of(d: &Desired, p: &Preset, control: &str, filter: &str) -> Option<Control> {
    let exact = d
        .alerts
        .iter()
        .find(|a| a.metric.as_ref().is_some_and(|m| m.filter.text == filter));
    let from_preset = d
        .alerts
        .iter()
        .find(|a| a.preset.as_deref() == Some(p.id.as_str()));
    if exact.is_none() && from_preset.is_none() {
        return None;
    }
    let mut gaps = Vec::new();
    match exact {
        None => gaps.push(match from_preset {
            Some(a) if a.metric.is_none() => Gap::RulesOnly {
                alert: a.name.clone(),
            },
            _ => Gap::NoFilter,
        }),
        Some(a) => alarm_gaps(d, a, &mut gaps),
    }
    match d.trails.iter().find(|t| t.log_group_name().is_some()) {
        None => gaps.push(Gap::NoLogGroup),
        Some(t) => trail_gaps(t, control, &mut gaps),
    }
    Some(Control {
        control: control.to_owned(),
        preset: p.id.clone(),
        alert: exact.map(|a| a.name.clone()),
        gaps,
    })
}

fn alarm_gaps(d: &Desired, a: &Alert, gaps: &mut Vec<Gap>) {
    if !a.enabled {
        gaps.push(Gap::AlarmDisabled {
            alert: a.name.clone(),
        });
    }
    for topic in &a.notify {
        let subscribed = d
            .topics
            .iter()
            .any(|t| &t.name == topic && !t.subscriptions.is_empty());
        if !subscribed {
            gaps.push(Gap::NoSubscriber {
                topic: topic.clone(),
            });
        }
    }
}

fn trail_gaps(t: &Trail, control: &str, gaps: &mut Vec<Gap>) {
    let trail = t.name.clone();
    if !t.settings.all_regions {
        gaps.push(Gap::SingleRegion {
            trail: trail.clone(),
        });
    }
    if t.management_coverage() != (true, true) {
        gaps.push(Gap::PartialManagementEvents {
            trail: trail.clone(),
        });
    }
    if !t.logging {
        gaps.push(Gap::NotLogging {
            trail: trail.clone(),
        });
    }
    let excludes_kms = t.selectors.iter().any(|s| {
        s.fields.iter().any(|f| {
            f.field == "eventSource" && f.not_equals.iter().any(|v| v == "kms.amazonaws.com")
        })
    });
    if control == "CloudWatch.7" && excludes_kms {
        gaps.push(Gap::ExcludesKms { trail });
    }
}
