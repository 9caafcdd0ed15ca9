//! What `init --from-account` found, translated into the spec's shape: each resource as the spec
//! declares it (defaults left out), and everything the spec cannot declare as it is, with why.
//! Pure: no I/O.

use std::collections::BTreeSet;

use serde_json::Value as Json;
use serde_yaml::{Mapping, Value as Yaml};

use crate::init::discover::{Discovered, arn_account};
use crate::init::node::{list, put, text};
use crate::init::selectors;
use crate::model::alert::{Placement, Protocol, rule_prefix};
use crate::model::alert_state::{DISABLED, ENABLED, ENABLED_ALL};
use crate::model::event_sources::{read_only_events, regions};
use crate::model::message::{self, InputTransformer};
use crate::model::observed::{BucketObservation, LiveRule, LiveTopic, LiveTrail, TrailDetails};
use crate::model::state::Encryption;
use crate::model::tags::{RESERVED_PREFIX, STACK_KEY, Tags};
use crate::plan::Address;

/// One resource of the draft: its address, its spec entry, and what it cannot be without.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub address: Address,
    pub yaml: Mapping,
    pub needs: Vec<Address>,
}

/// Something the account has that the spec leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub what: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub stack: String,
    pub account: String,
    pub home: String,
    pub regions: Vec<String>,
    pub buckets: Vec<Entry>,
    pub trails: Vec<Entry>,
    pub topics: Vec<Entry>,
    pub alerts: Vec<Entry>,
    pub left_out: Vec<LeftOut>,
}

impl Draft {
    /// The spec's sections, in the order they are written.
    pub fn sections(&self) -> [(&'static str, &Vec<Entry>); 4] {
        [
            ("buckets", &self.buckets),
            ("trails", &self.trails),
            ("topics", &self.topics),
            ("alerts", &self.alerts),
        ]
    }

    /// The entry at `section[index]`.
    pub fn entry(&self, section: &str, index: usize) -> Option<&Entry> {
        self.sections()
            .into_iter()
            .find(|(s, _)| *s == section)
            .and_then(|(_, entries)| entries.get(index))
    }

    /// Takes `address` out of the spec, with `reason`, and with it every entry that needs it.
    pub fn leave_out(&mut self, address: &Address, reason: String) {
        let mut gone = vec![(address.clone(), reason)];
        while let Some((address, reason)) = gone.pop() {
            let lists = [
                &mut self.buckets,
                &mut self.trails,
                &mut self.topics,
                &mut self.alerts,
            ];
            let mut removed = false;
            for list in lists {
                let before = list.len();
                list.retain(|e| e.address != address);
                removed |= list.len() != before;
            }
            if !removed {
                continue;
            }
            self.left_out.push(LeftOut {
                what: address.to_string(),
                reason,
            });
            for (_, list) in self.sections() {
                for e in list.iter().filter(|e| e.needs.contains(&address)) {
                    gone.push((
                        e.address.clone(),
                        format!("it notifies {address}, left out"),
                    ));
                }
            }
        }
    }
}

/// A resource's own tags as the spec writes them: AWS's and trailctl's left out.
fn own_tags(tags: &Tags) -> Option<Yaml> {
    let own: Mapping = tags
        .iter()
        .filter(|(k, _)| !k.starts_with("aws:") && !k.starts_with(RESERVED_PREFIX))
        .map(|(k, v)| (text(k), text(v)))
        .collect();
    (!own.is_empty()).then_some(Yaml::Mapping(own))
}

fn json_yaml(v: &Json) -> Yaml {
    serde_yaml::to_value(v).unwrap_or(Yaml::Null)
}

/// Translates what was found for stack `stack`.
pub fn draft(found: &Discovered, stack: &str) -> Draft {
    let mut d = Draft {
        stack: stack.to_owned(),
        account: found.account.clone(),
        home: found.home.clone(),
        regions: found.regions.clone(),
        buckets: Vec::new(),
        trails: Vec::new(),
        topics: Vec::new(),
        alerts: Vec::new(),
        left_out: Vec::new(),
    };
    for (name, region) in &found.elsewhere {
        d.left_out.push(LeftOut {
            what: format!("trail.{name}"),
            reason: format!("homed in {region}: run init with --region {region} for it"),
        });
    }
    for t in &found.trails {
        match (&t.details, other_stack(&t.tags, stack)) {
            (_, Some(other)) => d.left_out.push(LeftOut {
                what: format!("trail.{}", t.name),
                reason: format!("managed by trailctl stack `{other}`"),
            }),
            (Some(details), None) => d.trails.push(trail(t, details)),
            (None, None) => d.left_out.push(LeftOut {
                what: format!("trail.{}", t.name),
                reason: format!(
                    "an organization trail of account {}: it is managed there",
                    arn_account(&t.arn).unwrap_or("?")
                ),
            }),
        }
    }
    for (name, seen) in &found.buckets {
        match seen {
            BucketObservation::Found(b) => {
                let mut m = Mapping::new();
                put(&mut m, "name", text(name));
                if let Some(days) = b.retention_days {
                    put(&mut m, "retention_days", Yaml::Number(days.into()));
                }
                if let Encryption::Kms(k) = &b.encryption {
                    put(&mut m, "kms_key", text(k));
                }
                if let Some(l) = &b.access_logging {
                    let mut logging = Mapping::new();
                    put(&mut logging, "bucket", text(&l.bucket));
                    put(&mut logging, "prefix", text(&l.prefix));
                    put(&mut m, "access_logging", Yaml::Mapping(logging));
                }
                if let Some(t) = own_tags(&b.tags) {
                    put(&mut m, "tags", t);
                }
                d.buckets.push(Entry {
                    address: Address::Bucket(name.clone()),
                    yaml: m,
                    needs: Vec::new(),
                });
            }
            BucketObservation::Inaccessible => d.left_out.push(LeftOut {
                what: format!("bucket.{name}"),
                reason: "another account's bucket: the trail delivers there, trailctl checks its policy but never manages it".to_owned(),
            }),
            BucketObservation::Missing => d.left_out.push(LeftOut {
                what: format!("bucket.{name}"),
                reason: "does not exist: the trail cannot deliver its logs".to_owned(),
            }),
        }
    }
    alerts(found, stack, &mut d);
    d
}

/// The stack a resource's tags name, when it is not `stack`.
fn other_stack(tags: &Tags, stack: &str) -> Option<String> {
    tags.get(STACK_KEY).filter(|s| *s != stack).cloned()
}

fn trail(t: &LiveTrail, details: &TrailDetails) -> Entry {
    let s = &t.settings;
    let mut m = Mapping::new();
    put(&mut m, "name", text(&t.name));
    if !s.all_regions {
        put(&mut m, "all_regions", Yaml::Bool(false));
    }
    if !s.global_service_events {
        put(&mut m, "global_service_events", Yaml::Bool(false));
    }
    put(&mut m, "bucket", text(&s.bucket));
    if let Some(p) = &s.prefix {
        put(&mut m, "prefix", text(p));
    }
    if let Some(k) = &s.kms_key {
        put(&mut m, "kms_key", text(k));
    }
    if !s.log_file_validation {
        put(&mut m, "log_file_validation", Yaml::Bool(false));
    }
    if let Some(cw) = &s.cloudwatch_logs {
        let mut c = Mapping::new();
        put(&mut c, "log_group_arn", text(&cw.log_group_arn));
        put(&mut c, "role_arn", text(&cw.role_arn));
        put(&mut m, "cloudwatch_logs", Yaml::Mapping(c));
    }
    if let Some(topic) = &s.delivery_topic {
        put(&mut m, "delivery_topic", text(topic));
    }
    if !details.logging {
        put(&mut m, "logging", Yaml::Bool(false));
    }
    selectors::write(&mut m, &details.selectors);
    if !details.insights.is_empty() {
        let items = details
            .insights
            .iter()
            .map(|i| {
                if i.management && !i.data {
                    return text(i.kind.name());
                }
                let mut o = Mapping::new();
                put(&mut o, "type", text(i.kind.name()));
                let categories: Vec<String> =
                    i.categories().into_iter().map(str::to_owned).collect();
                put(&mut o, "events", list(&categories));
                Yaml::Mapping(o)
            })
            .collect();
        put(&mut m, "insights", Yaml::Sequence(items));
    }
    if let Some(tags) = own_tags(&t.tags) {
        put(&mut m, "tags", tags);
    }
    Entry {
        address: Address::Trail(t.name.clone()),
        yaml: m,
        needs: Vec::new(),
    }
}

/// Whether a pattern is on CloudTrail events: a CloudTrail detail-type, or the record's
/// `eventSource` / `eventName` under `detail`.
fn on_cloudtrail(pattern: &Json) -> bool {
    let detail_type = pattern
        .get("detail-type")
        .and_then(Json::as_array)
        .is_some_and(|v| {
            v.iter()
                .filter_map(Json::as_str)
                .any(|s| s.ends_with("via CloudTrail"))
        });
    let detail = pattern.get("detail");
    detail_type
        || detail.and_then(|d| d.get("eventSource")).is_some()
        || detail.and_then(|d| d.get("eventName")).is_some()
}

/// Each home-Region rule on CloudTrail events as an alert, with the topics it notifies.
fn alerts(found: &Discovered, stack: &str, d: &mut Draft) {
    let prefix = rule_prefix(stack);
    let home = &found.home;
    let ours = |r: &LiveRule| r.tags.get(STACK_KEY).is_some_and(|s| s == stack);
    let mut topics: BTreeSet<String> = BTreeSet::new();
    for r in &found.rules {
        let what = format!("rule {}/{}", r.region, r.name);
        let leave = |reason: String| LeftOut {
            what: what.clone(),
            reason,
        };
        if let Some(m) = &r.managed_by {
            d.left_out.push(leave(format!("managed by {m}")));
            continue;
        }
        if let Some(other) = other_stack(&r.tags, stack) {
            d.left_out
                .push(leave(format!("managed by trailctl stack `{other}`")));
            continue;
        }
        let Some(pattern) = &r.pattern else {
            d.left_out
                .push(leave("a scheduled rule, not on events".to_owned()));
            continue;
        };
        if !on_cloudtrail(pattern) {
            d.left_out.push(leave(
                "not on CloudTrail events (no CloudTrail detail-type, eventSource or eventName)"
                    .to_owned(),
            ));
            continue;
        }
        if &r.region != home {
            // This stack's own forwarding rules belong to the home rule's alert.
            if !ours(r) {
                d.left_out.push(leave(format!("outside the home Region: trailctl's alerts deliver from {home} and forward other Regions' events there; an alert with `regions:` replaces it")));
            }
            continue;
        }
        match alert(r, found, stack, &prefix) {
            Ok((entry, notified)) => {
                topics.extend(notified);
                d.alerts.push(entry);
            }
            Err(reason) => d.left_out.push(leave(reason)),
        }
    }
    for name in topics {
        let entry = match found.topics.iter().find(|t| t.name == name) {
            Some(t) => topic(t),
            None => Err("does not exist".to_owned()),
        };
        match entry {
            Ok(entry) => d.topics.push(entry),
            Err(reason) => {
                // In the draft for a moment, so that leaving it out takes its alerts too.
                let address = Address::Topic(name);
                d.topics.push(Entry {
                    address: address.clone(),
                    yaml: Mapping::new(),
                    needs: Vec::new(),
                });
                d.leave_out(&address, reason);
            }
        }
    }
}

/// One rule as an alert, and the names of the topics it notifies; or why it cannot be one.
fn alert(
    r: &LiveRule,
    found: &Discovered,
    stack: &str,
    prefix: &str,
) -> Result<(Entry, Vec<String>), String> {
    let home = &found.home;
    let pattern = r.pattern.clone().unwrap_or(Json::Null);
    if r.targets.is_empty() {
        return Err("it has no target".to_owned());
    }
    let mut notify = Vec::new();
    let mut delivery: Option<Option<&InputTransformer>> = None;
    for t in &r.targets {
        let parts: Vec<&str> = t.arn.split(':').collect();
        let is_home_topic = parts.get(2) == Some(&"sns")
            && parts.get(3) == Some(&home.as_str())
            && parts.get(4) == Some(&found.account.as_str());
        if !is_home_topic || t.role_arn.is_some() {
            return Err(format!(
                "it targets {}: an alert notifies SNS topics of the home Region ({home})",
                t.arn
            ));
        }
        if t.input.is_some() {
            return Err(format!(
                "its target {} sends a fixed Input or an InputPath, which an alert cannot say",
                t.id
            ));
        }
        match delivery {
            None => delivery = Some(t.transformer.as_ref()),
            Some(d) if d == t.transformer.as_ref() => {}
            Some(_) => {
                return Err("its targets deliver different messages; an alert sends one".to_owned());
            }
        }
        notify.push(parts.get(5).copied().unwrap_or_default().to_owned());
    }
    let (name, rule) = match r.name.strip_prefix(prefix) {
        Some(rest) if !rest.is_empty() => (rest.to_owned(), None),
        _ => (r.name.clone(), Some(r.name.clone())),
    };
    let mut m = Mapping::new();
    put(&mut m, "name", text(&name));
    if let Some(rule) = &rule {
        put(&mut m, "rule", text(rule));
    }
    if let Some(desc) = &r.description {
        put(&mut m, "description", text(desc));
    }
    put(&mut m, "pattern", json_yaml(&pattern));
    put(&mut m, "notify", list(&notify));
    match delivery.flatten() {
        None => put(&mut m, "deliver", text("event")),
        Some(t) => match message::message_of(t) {
            Ok(None) => {}
            Ok(Some(text_)) => put(&mut m, "message", text(&text_)),
            Err(e) => return Err(format!("its input transformer {e}")),
        },
    }
    // Where the alert's rules are: the home Region and this stack's own forwarding rules.
    let mut placed: BTreeSet<String> = found
        .rules
        .iter()
        .filter(|o| o.name == r.name && o.tags.get(STACK_KEY).is_some_and(|s| s == stack))
        .map(|o| o.region.clone())
        .collect();
    placed.insert(home.clone());
    if regions(&pattern, &Placement::Auto, &found.regions) != placed {
        put(
            &mut m,
            "regions",
            list(&placed.into_iter().collect::<Vec<_>>()),
        );
    }
    let decided_read_only = !read_only_events(&pattern).is_empty();
    match r.state.as_str() {
        DISABLED => put(&mut m, "enabled", Yaml::Bool(false)),
        ENABLED_ALL if !decided_read_only => put(&mut m, "read_only_events", Yaml::Bool(true)),
        ENABLED if decided_read_only => put(&mut m, "read_only_events", Yaml::Bool(false)),
        _ => {}
    }
    if let Some(tags) = own_tags(&r.tags) {
        put(&mut m, "tags", tags);
    }
    let needs = notify.iter().map(|t| Address::Topic(t.clone())).collect();
    Ok((
        Entry {
            address: Address::Alert(name),
            yaml: m,
            needs,
        },
        notify,
    ))
}

/// A topic as the spec declares it, keeping its own access policy.
fn topic(t: &LiveTopic) -> Result<Entry, String> {
    let mut m = Mapping::new();
    put(&mut m, "name", text(&t.name));
    if let Some(dn) = &t.display_name {
        put(&mut m, "display_name", text(dn));
    }
    if let Some(k) = &t.kms_key {
        put(&mut m, "kms_key", text(k));
    }
    let mut subs = Vec::new();
    for s in &t.subscriptions {
        if Protocol::parse(&s.protocol).is_none() {
            return Err(format!(
                "it has a `{}` subscription, which the spec cannot declare (email, sqs, https, lambda)",
                s.protocol
            ));
        }
        let mut sm = Mapping::new();
        put(&mut sm, &s.protocol, text(&s.endpoint));
        subs.push(Yaml::Mapping(sm));
    }
    if !subs.is_empty() {
        put(&mut m, "subscriptions", Yaml::Sequence(subs));
    }
    put(&mut m, "policy", text("keep"));
    if let Some(tags) = own_tags(&t.tags) {
        put(&mut m, "tags", tags);
    }
    Ok(Entry {
        address: Address::Topic(t.name.clone()),
        yaml: m,
        needs: Vec::new(),
    })
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
