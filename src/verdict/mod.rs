//! Would an alert deliver this event? The pattern must match (the EventBridge engine decides),
//! the alert must be enabled, a read-only event must reach a rule that takes read-only events,
//! and the alert must have a rule in the Region the event arrives in. One decision
//! (`Standing::delivery`) serves `trailctl test` (one event, explained) and `backtest` (every
//! alert at once over an archive). Pure: the events are already read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::filter::Filter;
use crate::model::alert::{Alert, Engine};
use crate::model::event_sources::{is_read_only_event, receives_read_only};
use crate::pattern::{EventError, Pattern, RuleSet, Scratch};

mod alerts;

pub use alerts::{Alerts, RecordHead};

/// What EventBridge does with an event under one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Delivery {
    Delivered,
    /// The pattern does not match.
    NoMatch,
    /// Matched, but the alert is `enabled: false`.
    Disabled,
    /// Matched a read-only event, which EventBridge hands only to rules in state
    /// `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    ReadOnlyWithheld,
    /// Matched, but the alert has no rule in the Region the event arrives in.
    NotPlaced,
}

/// What the decision needs of an event besides the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival<'a> {
    /// The event's `region` (`None`: not an AWS event; placement does not apply).
    pub region: Option<&'a str>,
    /// A read-only management event from CloudTrail.
    pub read_only: bool,
}

impl<'a> Arrival<'a> {
    pub fn of(event: &'a Value) -> Arrival<'a> {
        Arrival {
            region: event.get("region").and_then(Value::as_str),
            read_only: is_read_only_event(event),
        }
    }
}

/// An alert's rules as EventBridge holds them: enabled or not, the Regions they are in, and
/// whether they take read-only events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    enabled: bool,
    read_only: bool,
    /// `None`: every Region, as a metric filter's log group holds them.
    regions: Option<BTreeSet<String>>,
}

impl Standing {
    /// `regions`: where the alert is placed.
    pub fn of(alert: &Alert, regions: BTreeSet<String>) -> Standing {
        Standing {
            enabled: alert.enabled,
            read_only: receives_read_only(alert),
            regions: Some(regions),
        }
    }

    /// A metric filter's alarm: it counts every record of the log group (every Region the
    /// trail covers, read-only or not), and acts when the alert is `enabled`.
    pub fn of_filter(enabled: bool) -> Standing {
        Standing {
            enabled,
            read_only: true,
            regions: None,
        }
    }

    /// The one decision: what happens to an event the pattern did (`matched`) or did not match.
    pub fn delivery(&self, matched: bool, event: Arrival<'_>) -> Delivery {
        if !matched {
            Delivery::NoMatch
        } else if !self.enabled {
            Delivery::Disabled
        } else if event.read_only && !self.read_only {
            Delivery::ReadOnlyWithheld
        } else if let (Some(r), Some(regions)) = (event.region, &self.regions)
            && !regions.contains(r)
        {
            Delivery::NotPlaced
        } else {
            Delivery::Delivered
        }
    }
}

/// What happened to one event under one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The pattern matched the event.
    pub matched: bool,
    /// The alert would deliver it (matched, enabled, and placed in the event's Region).
    pub delivered: bool,
    /// Why, in words: the fields that failed or matched, or the placement.
    pub reason: String,
}

/// One test of one alert on one of its engines, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub alert: String,
    pub engine: Engine,
    /// Why this engine is expected to decide otherwise than the alert's `expect` (a CIS filter
    /// quoted byte for byte), shown with the result.
    pub note: Option<String>,
    /// The record: its file (and index in it), or `inline`, as written in the spec.
    pub record: String,
    pub expect_match: bool,
    pub verdict: Verdict,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.verdict.delivered == self.expect_match
    }
}

/// An alert made ready to judge events one at a time, with reasons: its pattern compiled once
/// into a rule set, and its standing.
pub struct Judge {
    pattern: Pattern,
    rules: RuleSet,
    standing: Standing,
    scratch: Scratch,
}

impl Judge {
    /// `pattern` is the alert's, compiled; `regions` where it is placed.
    pub fn new(alert: &Alert, pattern: Pattern, regions: BTreeSet<String>) -> Judge {
        Judge {
            rules: RuleSet::new(vec![(alert.name.clone(), pattern.clone())]),
            pattern,
            standing: Standing::of(alert, regions),
            scratch: Scratch::default(),
        }
    }

    /// What happens to `event` (an EventBridge event) under the alert.
    pub fn verdict(&mut self, event: &Value) -> Result<Verdict, EventError> {
        let text = event.to_string();
        let matched = !self.rules.matches(&text, &mut self.scratch)?.is_empty();
        let fields = self.pattern.explain(&text)?;
        let arrival = Arrival::of(event);
        let delivery = self.standing.delivery(matched, arrival);
        let reason = match delivery {
            Delivery::NoMatch => {
                let failing: Vec<String> = fields
                    .iter()
                    .filter(|f| !f.ok)
                    .map(|f| {
                        let found = match f.found.as_slice() {
                            [] => "nothing".to_owned(),
                            [one] => one.clone(),
                            many => format!("[{}]", many.join(", ")),
                        };
                        format!("{} is {found}, the pattern wants {}", f.path, f.wanted)
                    })
                    .collect();
                if failing.is_empty() {
                    // Every field has a fitting value, but not from one element of an array.
                    "no match: the fitting values are in different elements of an array".to_owned()
                } else {
                    format!("no match: {}", failing.join("; "))
                }
            }
            Delivery::Disabled => {
                "matched, but the alert is disabled (enabled: false): not delivered".to_owned()
            }
            Delivery::ReadOnlyWithheld => format!(
                "matched, but not delivered: {} is a read-only event, which EventBridge hands only to rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (set `read_only_events: true`)",
                event
                    .pointer("/detail/eventName")
                    .and_then(Value::as_str)
                    .unwrap_or("this")
            ),
            Delivery::NotPlaced => format!(
                "matched, but not delivered: the event arrives in {}, and the alert has no rule there (placed in {})",
                arrival.region.unwrap_or_default(),
                self.standing
                    .regions
                    .iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Delivery::Delivered => {
                let on: Vec<String> = fields
                    .iter()
                    .filter(|f| !f.found.is_empty())
                    .map(|f| format!("{} = {}", f.path, f.found.join(", ")))
                    .collect();
                format!("matched on {}", on.join(", "))
            }
        };
        Ok(Verdict {
            matched,
            delivered: delivery == Delivery::Delivered,
            reason,
        })
    }
}

/// The log event CloudTrail writes to CloudWatch Logs for `event`: the record itself, which is
/// the `detail` of a CloudTrail event's envelope (any other event is taken as it is).
pub fn log_record(event: &Value) -> &Value {
    let from_cloudtrail = event
        .get("detail-type")
        .and_then(Value::as_str)
        .is_some_and(|d| {
            crate::model::envelope::DETAIL_TYPES
                .iter()
                .any(|(_, t)| *t == d)
        });
    match event.get("detail") {
        Some(record) if from_cloudtrail => record,
        _ => event,
    }
}

/// What the metric filter of an alert does with `event`: it counts the record when the filter
/// matches (CloudWatch Logs holds every record the trail logs, in every Region the trail
/// covers, read-only or not); an alert with `enabled: false` has its alarm actions disabled.
pub fn filter_verdict(filter: &Filter, enabled: bool, event: &Value) -> Verdict {
    let record = log_record(event);
    let matched = filter.matches(record);
    let found: Vec<String> = filter
        .explain(record)
        .into_iter()
        .map(|(sel, v)| match v {
            Some(v) => format!("{sel} = {v}"),
            None => format!("{sel} is absent"),
        })
        .collect();
    let reason = if !matched {
        format!("the filter does not match: {}", found.join(", "))
    } else if !enabled {
        "the filter matches, but the alert is disabled (enabled: false): its alarm takes no action"
            .to_owned()
    } else {
        format!("the filter counts it: {}", found.join(", "))
    };
    Verdict {
        matched,
        delivered: matched && enabled,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::alert::Placement;
    use crate::pattern::json::Json;

    fn alert(enabled: bool) -> (Alert, Pattern) {
        let pattern = json!({"source": ["aws.dynamodb"], "detail": {"eventName": ["DeleteTable"]}});
        let compiled = Pattern::from_json(&Json::from_value(&pattern)).unwrap();
        let a = Alert {
            name: "t".into(),
            description: None,
            pattern,
            notify: vec![],
            rule: None,
            payload: crate::model::alert::Payload::Message(None),
            tags: Default::default(),
            placement: Placement::Auto,
            enabled,
            read_only_events: None,
            tests: vec![],
            backend: crate::model::alert::Backend::EventBridge,
            metric: None,
            preset: None,
            path: crate::model::diagnostic::SpecPath::root(),
        };
        (a, compiled)
    }

    fn event(name: &str, region: &str) -> Value {
        json!({"source": "aws.dynamodb", "region": region, "detail": {"eventName": name}})
    }

    #[test]
    fn match_placement_and_enabled() {
        let regions: BTreeSet<String> = ["eu-west-1".to_owned()].into();
        let (a, p) = alert(true);
        let v = Judge::new(&a, p.clone(), regions.clone())
            .verdict(&event("DeleteTable", "eu-west-1"))
            .unwrap();
        assert!(v.matched && v.delivered, "{v:?}");
        assert!(
            v.reason.contains("detail.eventName = \"DeleteTable\""),
            "{v:?}"
        );
        let v = Judge::new(&a, p.clone(), regions.clone())
            .verdict(&event("DescribeTable", "eu-west-1"))
            .unwrap();
        assert!(!v.matched && !v.delivered);
        assert_eq!(
            v.reason,
            "no match: detail.eventName is \"DescribeTable\", the pattern wants [\"DeleteTable\"]"
        );
        let v = Judge::new(&a, p.clone(), regions.clone())
            .verdict(&event("DeleteTable", "ap-south-1"))
            .unwrap();
        assert!(v.matched && !v.delivered);
        assert!(v.reason.contains("arrives in ap-south-1"), "{v:?}");
        // A read-only event reaches only rules that ask for read-only events.
        let (mut a, p) = alert(true);
        let describe = json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.dynamodb",
            "region": "eu-west-1", "detail": {"eventName": "DeleteTable", "readOnly": true}});
        let v = Judge::new(&a, p.clone(), regions.clone())
            .verdict(&describe)
            .unwrap();
        assert!(v.matched && !v.delivered, "{v:?}");
        assert!(v.reason.contains("read-only event"), "{v:?}");
        a.read_only_events = Some(true);
        assert!(
            Judge::new(&a, p.clone(), regions.clone())
                .verdict(&describe)
                .unwrap()
                .delivered
        );
        let (off, p) = alert(false);
        let v = Judge::new(&off, p.clone(), regions.clone())
            .verdict(&event("DeleteTable", "eu-west-1"))
            .unwrap();
        assert!(v.matched && !v.delivered);
        assert!(v.reason.contains("disabled"));
    }
}
