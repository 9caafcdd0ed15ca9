//! The comparable state of topics, alerts (their rules in every Region) and the forwarding
//! role: both sides of a plan are brought to this form, then compared field by field.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::model::json::{equivalent, same_json, sorted};
use crate::model::message::InputTransformer;
use crate::model::state::{Compared, FieldValue, Fields, Writes, text};
use crate::model::tags::{TagChanges, Tags};

/// Rule states (EventBridge `PutRule` `State`).
pub const ENABLED: &str = "ENABLED";
pub const DISABLED: &str = "DISABLED";
/// Also matches read-only management events delivered by CloudTrail.
pub const ENABLED_ALL: &str = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

/// A subscription as compared: `(protocol, endpoint)`.
pub type SubscriptionKey = (String, String);

/// An SNS topic as plans compare it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TopicState {
    pub name: String,
    pub region: String,
    pub display_name: Option<String>,
    /// Canonical KMS key (`model::arn::kms_key`).
    pub kms_key: Option<String>,
    pub policy: Option<Value>,
    pub subscriptions: BTreeSet<SubscriptionKey>,
    /// Subscriptions waiting for confirmation (observed only; never a diff).
    pub pending: BTreeSet<SubscriptionKey>,
    /// ARNs of the confirmed subscriptions (observed only; what `Unsubscribe` takes). Not saved
    /// in a plan file: applying a saved plan re-reads the topic first.
    #[serde(skip)]
    pub subscription_arns: BTreeMap<SubscriptionKey, String>,
    pub tags: Tags,
}

/// Equal as compared and as saved: the subscriptions' ARNs are what `Unsubscribe` takes, read
/// with the topic and never saved, so a saved plan's topic equals the same topic planned again.
impl PartialEq for TopicState {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.region == o.region
            && self.display_name == o.display_name
            && self.kms_key == o.kms_key
            && self.policy == o.policy
            && self.subscriptions == o.subscriptions
            && self.pending == o.pending
            && self.tags == o.tags
    }
}

/// One target of a rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetState {
    pub id: String,
    pub arn: String,
    /// The role EventBridge assumes (cross-Region event bus targets).
    pub role_arn: Option<String>,
    pub transformer: Option<InputTransformer>,
    /// What another client made the target send instead of the event; trailctl never sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<TargetInput>,
}

/// A target's `Input` (fixed JSON) or `InputPath` (one part of the event).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetInput {
    Constant(String),
    Path(String),
}

impl TargetState {
    /// What the target does, as compared and shown: where it delivers and what (`Message`: the
    /// transformer's text with its JSONPaths in place; absent, the event itself). The id names
    /// the target, so it is not compared: a rule adopted with its own target ids is no diff.
    fn meaning(&self) -> Value {
        let mut m = Map::new();
        m.insert("Arn".into(), json!(self.arn));
        if let Some(r) = &self.role_arn {
            m.insert("RoleArn".into(), json!(r));
        }
        if let Some(t) = &self.transformer {
            m.insert("Message".into(), json!(t.meaning()));
        }
        match &self.input {
            Some(TargetInput::Constant(c)) => {
                m.insert("Input".into(), json!(c));
            }
            Some(TargetInput::Path(p)) => {
                m.insert("InputPath".into(), json!(p));
            }
            None => {}
        }
        Value::Object(m)
    }
}

/// A rule's targets by meaning, in a fixed order.
fn target_meanings(targets: &[TargetState]) -> Vec<Value> {
    let mut out: Vec<Value> = targets.iter().map(TargetState::meaning).collect();
    out.sort_by_key(Value::to_string);
    out
}

/// One EventBridge rule on the default bus of its Region.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleState {
    pub pattern: Value,
    pub description: Option<String>,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: String,
    pub targets: Vec<TargetState>,
    pub tags: Tags,
}

impl RuleState {
    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("EventPattern".into(), sorted(&self.pattern));
        if let Some(d) = &self.description {
            m.insert("Description".into(), json!(d));
        }
        m.insert("State".into(), json!(self.state));
        m.insert(
            "Targets".into(),
            Value::Array(target_meanings(&self.targets)),
        );
        m.insert("Tags".into(), json!(self.tags));
        Value::Object(m)
    }
}

/// An alert: its rule in each Region it is placed in (same name everywhere).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlertState {
    pub name: String,
    /// The rules' name.
    pub rule_name: String,
    /// The home Region (where the rule delivers to SNS).
    pub home: String,
    pub rules: BTreeMap<String, RuleState>,
}

impl AlertState {
    /// `us-east-1 (→ SNS), eu-west-1 → us-east-1`: where the rules are and where each delivers.
    pub fn placement(&self) -> String {
        let describe = |region: &str, rule: &RuleState| {
            let to: Vec<String> = rule
                .targets
                .iter()
                .map(|t| {
                    let parts: Vec<&str> = t.arn.split(':').collect();
                    match parts.get(2) {
                        Some(&"sns") => "(→ SNS)".to_owned(),
                        Some(&"events") => format!("→ {}", parts.get(3).unwrap_or(&"?")),
                        _ => format!("→ {}", t.arn),
                    }
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if to.is_empty() {
                format!("{region} (no target)")
            } else {
                format!("{region} {}", to.join(", "))
            }
        };
        let home = self.rules.get(&self.home).map(|r| describe(&self.home, r));
        let others = self
            .rules
            .iter()
            .filter(|(r, _)| **r != self.home)
            .map(|(r, rule)| describe(r, rule));
        home.into_iter()
            .chain(others)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Compared for AlertState {
    type Writes = AlertWrites;

    /// What is compared, diffed and fingerprinted: the rules, as data. Placement is derived
    /// from them for the plan's header line (`placement()`), never compared.
    fn fields(&self) -> Fields {
        let rules: Map<String, Value> = self
            .rules
            .iter()
            .map(|(r, rule)| (r.clone(), rule.json()))
            .collect();
        vec![("rules", FieldValue::Json(Value::Object(rules)))]
    }

    /// What to write to make this alert's rules the wanted ones.
    fn writes(&self, want: &AlertState) -> AlertWrites {
        AlertWrites::of(Some(self), want)
    }
}

/// The IAM role rules outside the home Region use to put events on the home bus.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RoleState {
    pub name: String,
    pub trust: Value,
    /// The name of the inline policy trailctl writes (one per role).
    #[serde(default = "forward_policy_name")]
    pub policy_name: String,
    /// The inline policy (the forwarder's `events:PutEvents` on the home bus, or CloudTrail's
    /// writes to its log groups).
    pub policy: Option<Value>,
    /// The ARN of the permissions boundary the role is created with (`trailctl-STACK-boundary`):
    /// whatever its inline policy says, the role can do no more than the boundary allows.
    #[serde(default)]
    pub boundary: Option<String>,
    pub tags: Tags,
}

impl RoleState {
    /// Whether this is the role CloudTrail assumes to deliver to CloudWatch Logs.
    pub fn delivers_logs(&self) -> bool {
        self.policy_name == LOGS_POLICY
    }
}

impl Compared for RoleState {
    type Writes = RoleWrites;

    fn fields(&self) -> Fields {
        vec![
            ("trust_policy", FieldValue::Json(sorted(&self.trust))),
            (
                "policy",
                self.policy
                    .as_ref()
                    .map_or(FieldValue::Absent, |p| FieldValue::Json(sorted(p))),
            ),
            (
                "permissions_boundary",
                self.boundary
                    .as_ref()
                    .map_or(FieldValue::Absent, |b| FieldValue::Text(b.clone())),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    /// What to write to make this role the wanted one.
    fn writes(&self, want: &RoleState) -> RoleWrites {
        RoleWrites {
            trust: !equivalent(&self.trust, &want.trust),
            policy: want.policy.is_some() && !same_json(want.policy.as_ref(), self.policy.as_ref()),
            boundary: want.boundary.is_some() && want.boundary != self.boundary,
            tags: TagChanges::between(&self.tags, &want.tags),
        }
    }
}

fn forward_policy_name() -> String {
    FORWARD_POLICY.to_owned()
}

/// The name of the forwarding role's inline policy.
pub const FORWARD_POLICY: &str = "forward-to-home-bus";
/// The name of the CloudTrail log-delivery role's inline policy.
pub const LOGS_POLICY: &str = "cloudtrail-to-log-groups";

/// The parts of a topic to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicWrites {
    pub tags: TagChanges,
    pub display_name: bool,
    pub kms_key: bool,
    pub policy: bool,
    pub subscribe: BTreeSet<SubscriptionKey>,
    /// Confirmed subscriptions the spec no longer has.
    pub unsubscribe: BTreeSet<SubscriptionKey>,
}

impl Writes for TopicWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        self.display_name
            || self.kms_key
            || self.policy
            || !self.subscribe.is_empty()
            || !self.unsubscribe.is_empty()
    }
}

impl TopicState {
    /// The topic as `CreateTopic` leaves it when made for `want`: its tags, no attributes, no
    /// subscriptions.
    pub fn created(want: &TopicState) -> TopicState {
        TopicState {
            name: want.name.clone(),
            region: want.region.clone(),
            display_name: None,
            kms_key: None,
            policy: None,
            subscriptions: BTreeSet::new(),
            pending: BTreeSet::new(),
            subscription_arns: BTreeMap::new(),
            tags: want.tags.clone(),
        }
    }
}

impl Compared for TopicState {
    type Writes = TopicWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            ("display_name", text(&self.display_name)),
            ("kms_key", text(&self.kms_key)),
            (
                "policy",
                self.policy
                    .as_ref()
                    .map_or(FieldValue::Absent, |p| FieldValue::Json(sorted(p))),
            ),
            (
                "subscriptions",
                FieldValue::List(
                    self.subscriptions
                        .iter()
                        .map(|(p, e)| format!("{p}:{e}"))
                        .collect(),
                ),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    /// What to write to make this topic the wanted one. A subscription still pending
    /// confirmation is neither wanted again nor removed.
    fn writes(&self, want: &TopicState) -> TopicWrites {
        TopicWrites {
            tags: TagChanges::between(&self.tags, &want.tags),
            display_name: self.display_name != want.display_name,
            kms_key: self.kms_key != want.kms_key,
            policy: !same_json(self.policy.as_ref(), want.policy.as_ref()),
            subscribe: want
                .subscriptions
                .difference(&self.subscriptions)
                .cloned()
                .collect(),
            unsubscribe: self
                .subscriptions
                .difference(&want.subscriptions)
                .cloned()
                .collect(),
        }
    }
}

/// The writes to one Region's rule of an alert.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleWrites {
    /// `PutRule`: the rule is new, or its pattern, description or state differ.
    pub put_rule: bool,
    pub tags: TagChanges,
    /// Targets whose id the rule should no longer have.
    pub remove_targets: Vec<String>,
    /// Targets to put (new, or changed under the same id).
    pub put_targets: Vec<TargetState>,
}

impl RuleWrites {
    fn is_empty(&self) -> bool {
        !self.put_rule
            && self.tags.is_empty()
            && self.remove_targets.is_empty()
            && self.put_targets.is_empty()
    }

    /// The writes that make `had` (or no rule) into `want`.
    fn between(had: Option<&RuleState>, want: &RuleState) -> RuleWrites {
        let Some(had) = had else {
            return RuleWrites {
                put_rule: true,
                put_targets: want.targets.clone(),
                ..RuleWrites::default()
            };
        };
        let put_rule = !equivalent(&had.pattern, &want.pattern)
            || had.description != want.description
            || had.state != want.state;
        let tags = TagChanges::between(&had.tags, &want.tags);
        // Targets that do the same are left as they are, whatever their ids.
        if target_meanings(&had.targets) == target_meanings(&want.targets) {
            return RuleWrites {
                put_rule,
                tags,
                ..RuleWrites::default()
            };
        }
        RuleWrites {
            put_rule,
            tags,
            remove_targets: had
                .targets
                .iter()
                .filter(|t| !want.targets.iter().any(|w| w.id == t.id))
                .map(|t| t.id.clone())
                .collect(),
            put_targets: want
                .targets
                .iter()
                .filter(|t| !had.targets.contains(t))
                .cloned()
                .collect(),
        }
    }
}

/// The writes to an alert: per Region its rule wants, and the Regions whose rule goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertWrites {
    /// Home Region first: forwarded events then always find the home rule.
    pub rules: Vec<(String, RuleWrites)>,
    pub delete: Vec<String>,
}

impl Writes for AlertWrites {
    fn no_tags(&self) -> bool {
        self.rules.iter().all(|(_, w)| w.tags.is_empty())
    }

    fn beyond_tags(&self) -> bool {
        !self.delete.is_empty()
            || self.rules.iter().any(|(_, w)| {
                w.put_rule || !w.remove_targets.is_empty() || !w.put_targets.is_empty()
            })
    }
}

impl AlertWrites {
    /// The writes that make `had` (or nothing) into `want`.
    pub fn of(had: Option<&AlertState>, want: &AlertState) -> AlertWrites {
        let mut order: Vec<(&String, &RuleState)> = want.rules.iter().collect();
        order.sort_by_key(|(r, _)| **r != want.home);
        AlertWrites {
            rules: order
                .into_iter()
                .map(|(region, rule)| {
                    let before = had.and_then(|h| h.rules.get(region));
                    (region.clone(), RuleWrites::between(before, rule))
                })
                .filter(|(_, w)| !w.is_empty())
                .collect(),
            delete: had
                .map(|h| {
                    h.rules
                        .keys()
                        .filter(|r| !want.rules.contains_key(*r))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The parts of the forwarding role to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleWrites {
    pub trust: bool,
    /// The inline policy, when the wanted role has one that differs.
    pub policy: bool,
    /// The permissions boundary, when the wanted one is not the role's (written first: the
    /// applier may write a role's policy only once the role has the boundary).
    pub boundary: bool,
    pub tags: TagChanges,
}

impl Writes for RoleWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        self.trust || self.policy || self.boundary
    }
}

#[cfg(test)]
#[path = "alert_state_tests.rs"]
mod tests;
