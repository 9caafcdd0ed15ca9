//! Would an alert deliver this event? The pattern must match (the EventBridge engine decides),
//! the alert must be enabled, a read-only event must reach a rule that takes read-only events,
//! and the alert must have a rule in the Region the event arrives in. One decision
//! (`Standing::delivery`) serves `trailctl test` (one event, explained) and `backtest` (every
//! alert at once over an archive). Pure: the events are already read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::filter::{Filter, Needed};
use crate::model::alert::{Alert, Engine};
use crate::model::event_sources::{is_read_only_event, receives_read_only};
use crate::pattern::{EventError, Pattern, RuleSet, Scratch};

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
    regions: BTreeSet<String>,
}

impl Standing {
    /// `regions`: where the alert is placed.
    pub fn of(alert: &Alert, regions: BTreeSet<String>) -> Standing {
        Standing {
            enabled: alert.enabled,
            read_only: receives_read_only(alert),
            regions,
        }
    }

    pub fn regions(&self) -> &BTreeSet<String> {
        &self.regions
    }

    /// The one decision: what happens to an event the pattern did (`matched`) or did not match.
    pub fn delivery(&self, matched: bool, event: Arrival<'_>) -> Delivery {
        if !matched {
            Delivery::NoMatch
        } else if !self.enabled {
            Delivery::Disabled
        } else if event.read_only && !self.read_only {
            Delivery::ReadOnlyWithheld
        } else if event.region.is_some_and(|r| !self.regions.contains(r)) {
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

/// Every alert of a spec at once, for many events: all patterns in one indexed rule set, each
/// event read once, then each matching alert's standing decides.
#[derive(Debug, Clone)]
pub struct Alerts {
    rules: RuleSet,
    standings: Vec<Standing>,
    /// The metric filters of alerts deployed on that backend, each with whether its alarm acts
    /// (`enabled`); results are reported after the rules', in this order.
    filters: Vec<(Filter, bool)>,
    /// What the filters read of a record.
    needed: Needed,
    names: Vec<String>,
}

impl Alerts {
    /// `(alert name, compiled pattern, standing)` in the order results are reported.
    pub fn new(alerts: Vec<(String, Pattern, Standing)>) -> Alerts {
        let mut rules = Vec::with_capacity(alerts.len());
        let mut standings = Vec::with_capacity(alerts.len());
        for (name, pattern, standing) in alerts {
            rules.push((name, pattern));
            standings.push(standing);
        }
        let rules = RuleSet::new(rules);
        Alerts {
            names: rules.names().to_vec(),
            rules,
            standings,
            filters: Vec::new(),
            needed: Needed::default(),
        }
    }

    /// Adds metric filters: `(name, filter, enabled)`; each counts the records it matches,
    /// in every Region and read-only or not, as the log group holds them.
    pub fn with_filters(mut self, filters: Vec<(String, Filter, bool)>) -> Alerts {
        for (name, filter, enabled) in filters {
            self.names.push(name);
            self.filters.push((filter, enabled));
        }
        self.needed = Needed::of(self.filters.iter().map(|(f, _)| f));
        self
    }

    /// The names results are reported under: the rules', then the filters'.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether any metric filter needs the records parsed.
    pub fn has_filters(&self) -> bool {
        !self.filters.is_empty()
    }

    /// The filters (by result index) that match the record `text`, each with what the alarm
    /// does; the record is read only as far as the filters' selectors go.
    pub fn judge_filters(
        &self,
        text: &str,
        out: &mut Vec<(usize, Delivery)>,
    ) -> Result<(), serde_json::Error> {
        let record = self.needed.read(text)?;
        let first = self.standings.len();
        for (i, (filter, enabled)) in self.filters.iter().enumerate() {
            if filter.matches(&record) {
                let d = if *enabled {
                    Delivery::Delivered
                } else {
                    Delivery::Disabled
                };
                out.push((first + i, d));
            }
        }
        Ok(())
    }

    /// The alerts (by index) whose pattern matches the event `text`, each with what happens to
    /// the event under it; every other alert's delivery is `NoMatch`.
    pub fn judge(
        &self,
        text: &str,
        event: Arrival<'_>,
        scratch: &mut Scratch,
        out: &mut Vec<(usize, Delivery)>,
    ) -> Result<(), EventError> {
        out.clear();
        for &i in self.rules.matches(text, scratch)? {
            if let Some(s) = self.standings.get(i) {
                out.push((i, s.delivery(true, event)));
            }
        }
        Ok(())
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
