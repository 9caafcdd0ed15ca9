//! The comparable state of topics, alerts (their rules in every Region) and the forwarding
//! role: both sides of a plan are brought to this form, then compared field by field.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::model::json::sorted;
use crate::model::message::InputTransformer;
use crate::model::state::{FieldValue, Fields, text};
use crate::model::tags::Tags;

/// A subscription as compared: `(protocol, endpoint)`.
pub type SubscriptionKey = (String, String);

/// An SNS topic as plans compare it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

impl TopicState {
    pub fn fields(&self) -> Fields {
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
}

/// One target of a rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetState {
    pub id: String,
    pub arn: String,
    /// The role EventBridge assumes (cross-Region event bus targets).
    pub role_arn: Option<String>,
    pub transformer: Option<InputTransformer>,
}

impl TargetState {
    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("Id".into(), json!(self.id));
        m.insert("Arn".into(), json!(self.arn));
        if let Some(r) = &self.role_arn {
            m.insert("RoleArn".into(), json!(r));
        }
        if let Some(t) = &self.transformer {
            m.insert(
                "InputTransformer".into(),
                json!({"InputPathsMap": t.paths, "InputTemplate": t.template}),
            );
        }
        Value::Object(m)
    }
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
        let mut targets: Vec<Value> = self.targets.iter().map(TargetState::json).collect();
        targets.sort_by_key(Value::to_string);
        m.insert("Targets".into(), Value::Array(targets));
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

    /// What is compared, diffed and fingerprinted: the rules, as data. Placement is derived
    /// from them for the plan's header line (`placement()`), never compared.
    pub fn fields(&self) -> Fields {
        let rules: Map<String, Value> = self
            .rules
            .iter()
            .map(|(r, rule)| (r.clone(), rule.json()))
            .collect();
        vec![("rules", FieldValue::Json(Value::Object(rules)))]
    }
}

/// The IAM role rules outside the home Region use to put events on the home bus.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RoleState {
    pub name: String,
    pub trust: Value,
    /// The inline policy (`events:PutEvents` on the home bus).
    pub policy: Option<Value>,
    pub tags: Tags,
}

impl RoleState {
    pub fn fields(&self) -> Fields {
        vec![
            ("trust_policy", FieldValue::Json(sorted(&self.trust))),
            (
                "policy",
                self.policy
                    .as_ref()
                    .map_or(FieldValue::Absent, |p| FieldValue::Json(sorted(p))),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }
}
