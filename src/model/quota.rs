//! EventBridge's quota of rules per event bus, and the spec's rules against it: how many rules
//! each Region's default bus gets, and which alerts could share one rule without changing what
//! their topics receive.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::alert::{Alert, Payload};
use crate::model::desired::Desired;
use crate::model::event_sources;

/// EventBridge's default quota of rules per event bus in `region` ("Number of rules",
/// adjustable in Service Quotas; EventBridge User Guide, "Amazon EventBridge quotas"): 100 in
/// af-south-1 and eu-south-1, 300 in every other Region.
pub fn default_rules_per_bus(region: &str) -> usize {
    match region {
        "af-south-1" | "eu-south-1" => 100,
        _ => 300,
    }
}

/// The alerts with a rule in each Region (the alerts `which` picks, deployed on EventBridge).
pub fn rules_per_region(
    d: &Desired,
    which: impl Fn(&Alert) -> bool,
) -> BTreeMap<String, Vec<&Alert>> {
    let mut per_region: BTreeMap<String, Vec<&Alert>> = BTreeMap::new();
    for a in d
        .alerts
        .iter()
        .filter(|a| a.backend.eventbridge() && which(a))
    {
        for r in rule_regions(d, a) {
            per_region.entry(r).or_default().push(a);
        }
    }
    per_region
}

fn rule_regions(d: &Desired, a: &Alert) -> BTreeSet<String> {
    let mut regions = event_sources::regions(&a.pattern, &a.placement, &d.regions);
    regions.insert(d.home_region.clone());
    regions
}

/// Alerts that could be one rule whose pattern is the `$or` of theirs, with the topics
/// receiving exactly what they do now: the same topics, the same message (one that does not
/// name the rule) or the event itself, the same state and the same Regions; rules of their own
/// name (`rule:`) and alerts with a metric filter aside. Groups of two or more, in spec order.
pub fn could_share(d: &Desired) -> Vec<Vec<&Alert>> {
    let mut groups: BTreeMap<String, Vec<(usize, &Alert)>> = BTreeMap::new();
    for (i, a) in d.alerts.iter().enumerate() {
        if a.rule.is_some() || a.metric.is_some() || !a.backend.eventbridge() {
            continue;
        }
        let payload = match &a.payload {
            Payload::Event => "event".to_owned(),
            Payload::Message(m) => {
                let text = m.as_deref().unwrap_or(crate::model::message::DEFAULT);
                if text.contains("aws.events.rule-name") {
                    continue;
                }
                format!("message:{text}")
            }
        };
        let mut topics = a.notify.clone();
        topics.sort();
        let key = serde_json::json!({
            "topics": topics,
            "payload": payload,
            "enabled": a.enabled,
            "read_only": event_sources::receives_read_only(a),
            "regions": rule_regions(d, a),
            "tags": a.tags,
        })
        .to_string();
        groups.entry(key).or_default().push((i, a));
    }
    let mut out: Vec<Vec<(usize, &Alert)>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.sort_by_key(|g| g[0].0);
    out.into_iter()
        .map(|g| g.into_iter().map(|(_, a)| a).collect())
        .collect()
}

/// A group's alert names for a message: all of them, or the first five and how many in all.
pub fn group_names(group: &[&Alert], separator: &str) -> String {
    let names: Vec<&str> = group.iter().map(|a| a.name.as_str()).collect();
    if names.len() <= 6 {
        names.join(separator)
    } else {
        format!(
            "{}{separator}… ({} in all)",
            names[..5].join(separator),
            names.len()
        )
    }
}
