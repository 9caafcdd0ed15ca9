//! One alert test's verdict: would the alert deliver this event? The pattern must match (the
//! EventBridge engine decides), the alert must be enabled, and it must have a rule in the
//! Region the event arrives in. Pure: the events are already read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::alert::Alert;
use crate::model::event_sources::{is_read_only_event, receives_read_only};
use crate::pattern::{EventError, Pattern, RuleSet, Scratch};

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

/// One test of one alert, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub alert: String,
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

/// An alert made ready to judge events: its pattern compiled once into a rule set, and the
/// Regions it is placed in.
pub struct Judge<'a> {
    alert: &'a Alert,
    pattern: Pattern,
    rules: RuleSet,
    regions: BTreeSet<String>,
    scratch: Scratch,
}

impl<'a> Judge<'a> {
    /// `pattern` is the alert's, compiled.
    pub fn new(alert: &'a Alert, pattern: Pattern, regions: BTreeSet<String>) -> Judge<'a> {
        Judge {
            alert,
            rules: RuleSet::new(vec![(alert.name.clone(), pattern.clone())]),
            pattern,
            regions,
            scratch: Scratch::default(),
        }
    }

    /// What happens to `event` (an EventBridge event) under the alert.
    pub fn verdict(&mut self, event: &Value) -> Result<Verdict, EventError> {
        let (alert, regions) = (self.alert, &self.regions);
        let text = event.to_string();
        let matched = !self.rules.matches(&text, &mut self.scratch)?.is_empty();
        let fields = self.pattern.explain(&text)?;
        let region = event.get("region").and_then(Value::as_str);
        let placed = region.is_none_or(|r| regions.contains(r));
        // EventBridge hands read-only management events only to rules in the state that asks for
        // them: a pattern can match one that its rule never receives.
        let withheld = is_read_only_event(event) && !receives_read_only(alert);
        let delivered = matched && alert.enabled && placed && !withheld;
        let reason = if !matched {
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
        } else if !alert.enabled {
            "matched, but the alert is disabled (enabled: false): not delivered".to_owned()
        } else if withheld {
            format!(
                "matched, but not delivered: {} is a read-only event, which EventBridge hands only to rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (set `read_only_events: true`)",
                event
                    .pointer("/detail/eventName")
                    .and_then(Value::as_str)
                    .unwrap_or("this")
            )
        } else if !placed {
            format!(
                "matched, but not delivered: the event arrives in {}, and the alert has no rule there (placed in {})",
                region.unwrap_or_default(),
                regions.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        } else {
            let on: Vec<String> = fields
                .iter()
                .filter(|f| !f.found.is_empty())
                .map(|f| format!("{} = {}", f.path, f.found.join(", ")))
                .collect();
            format!("matched on {}", on.join(", "))
        };
        Ok(Verdict {
            matched,
            delivered,
            reason,
        })
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
            message: None,
            placement: Placement::Auto,
            enabled,
            read_only_events: None,
            tests: vec![],
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
