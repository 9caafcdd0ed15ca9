//! The comparable state of each resource kind. Both sides of a plan are brought to this form
//! (desired from the spec, observed from the account), so comparing them is plain equality of
//! fields, and each field is shown the same way on both sides.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::model::json::{equivalent, same_json, sorted};
use crate::model::selector::{AdvancedSelector, FieldSelector};
use crate::model::settings::Insight;
pub use crate::model::settings::{AccessLogging, TrailSettings};
use crate::model::tags::{TagChanges, Tags};

/// A trail as plans compare it. Home Region and name identify it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrailState {
    pub name: String,
    /// The home Region: where the trail is read and written.
    pub region: String,
    /// The `UpdateTrail` settings, normalized: the KMS key in canonical form
    /// (`model::arn::kms_key`), the topic as an ARN, no empty strings.
    pub settings: TrailSettings,
    pub logging: bool,
    /// Advanced selectors, with their names (written as they are; names are not compared).
    pub selectors: Vec<AdvancedSelector>,
    pub insights: BTreeSet<Insight>,
    pub tags: Tags,
}

impl Compared for TrailState {
    type Writes = TrailWrites;

    /// The fields a plan compares and shows (selectors canonical and without their names).
    fn fields(&self) -> Fields {
        let s = &self.settings;
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            ("all_regions", FieldValue::Bool(s.all_regions)),
            (
                "global_service_events",
                FieldValue::Bool(s.global_service_events),
            ),
            ("bucket", FieldValue::Text(s.bucket.clone())),
            ("prefix", text(&s.prefix)),
            ("kms_key", text(&s.kms_key)),
            (
                "log_file_validation",
                FieldValue::Bool(s.log_file_validation),
            ),
            (
                "cloudwatch_logs",
                s.cloudwatch_logs.as_ref().map_or(FieldValue::Absent, |c| {
                    FieldValue::Json(
                        json!({"log_group_arn": c.log_group_arn, "role_arn": c.role_arn}),
                    )
                }),
            ),
            ("delivery_topic", text(&s.delivery_topic)),
            ("logging", FieldValue::Bool(self.logging)),
            (
                "event_selectors",
                FieldValue::Json(selectors_json(&self.selectors)),
            ),
            (
                "insights",
                FieldValue::List(self.insights.iter().map(Insight::name).collect()),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    /// What to write to make this trail the wanted one (selectors by meaning: order and
    /// names aside).
    fn writes(&self, want: &TrailState) -> TrailWrites {
        TrailWrites {
            settings: self.settings != want.settings,
            tags: TagChanges::between(&self.tags, &want.tags),
            selectors: !equivalent(
                &selectors_json(&self.selectors),
                &selectors_json(&want.selectors),
            ),
            insights: self.insights != want.insights,
            logging: self.logging != want.logging,
        }
    }
}

/// Default encryption of a bucket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encryption {
    None,
    /// SSE-S3 (AES256).
    S3,
    /// SSE-KMS with this key (canonical form).
    Kms(String),
}

/// A delivery bucket as plans compare it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BucketState {
    pub name: String,
    pub region: String,
    /// All four public access block settings on.
    pub block_public_access: bool,
    /// Object ownership `BucketOwnerEnforced` (ACLs disabled).
    pub owner_enforced: bool,
    pub encryption: Encryption,
    /// Expiration of trailctl's lifecycle rule, in days.
    pub retention_days: Option<u32>,
    /// The bucket policy (compared by meaning).
    pub policy: Option<Value>,
    /// Server access logging (`None`: off). Plans saved before it existed read as off.
    #[serde(default)]
    pub access_logging: Option<AccessLogging>,
    pub tags: Tags,
}

impl Compared for BucketState {
    type Writes = BucketWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            (
                "block_public_access",
                FieldValue::Bool(self.block_public_access),
            ),
            ("owner_enforced", FieldValue::Bool(self.owner_enforced)),
            (
                "encryption",
                FieldValue::Text(match &self.encryption {
                    Encryption::None => "none".to_owned(),
                    Encryption::S3 => "SSE-S3".to_owned(),
                    Encryption::Kms(k) => format!("SSE-KMS {k}"),
                }),
            ),
            (
                "retention_days",
                self.retention_days
                    .map_or(FieldValue::Absent, |d| FieldValue::Number(u64::from(d))),
            ),
            (
                "policy",
                self.policy
                    .as_ref()
                    .map_or(FieldValue::Absent, |p| FieldValue::Json(sorted(p))),
            ),
            (
                "access_logging",
                self.access_logging
                    .as_ref()
                    .map_or(FieldValue::Absent, |l| {
                        FieldValue::Text(format!("s3://{}/{}", l.bucket, l.prefix))
                    }),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    /// What to write to make this bucket the wanted one.
    fn writes(&self, want: &BucketState) -> BucketWrites {
        BucketWrites {
            tags: self.tags != want.tags,
            public_access: self.block_public_access != want.block_public_access,
            ownership: self.owner_enforced != want.owner_enforced,
            encryption: self.encryption != want.encryption,
            retention: self.retention_days != want.retention_days,
            policy: !same_json(self.policy.as_ref(), want.policy.as_ref()),
            access_logging: self.access_logging != want.access_logging,
        }
    }
}

/// One field's value, for diffs and rendering. JSON values are equal when they mean the same
/// (`model::json::equivalent`), whatever their order or formatting.
#[derive(Debug, Clone)]
pub enum FieldValue {
    Absent,
    Text(String),
    Bool(bool),
    Number(u64),
    List(Vec<String>),
    Map(Tags),
    Json(Value),
}

impl PartialEq for FieldValue {
    fn eq(&self, other: &Self) -> bool {
        use FieldValue::*;
        match (self, other) {
            (Absent, Absent) => true,
            (Text(a), Text(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            (Json(a), Json(b)) => equivalent(a, b),
            _ => false,
        }
    }
}

impl Eq for FieldValue {}

impl FieldValue {
    /// The value as JSON, as the JSON plan shows it: absent is `null`, JSON in its sorted form.
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Absent => Value::Null,
            FieldValue::Text(s) => json!(s),
            FieldValue::Bool(b) => json!(b),
            FieldValue::Number(n) => json!(n),
            FieldValue::List(l) => json!(l),
            FieldValue::Map(m) => json!(m),
            FieldValue::Json(j) => sorted(j),
        }
    }
}

/// A resource's fields, in display order.
pub type Fields = Vec<(&'static str, FieldValue)>;

/// An optional string as a field value.
pub fn text(v: &Option<String>) -> FieldValue {
    v.as_ref()
        .map_or(FieldValue::Absent, |s| FieldValue::Text(s.clone()))
}

/// What differs between a resource as it is and as it is wanted, one part per API call that
/// writes it: the one rule for "changed". The planner makes an update exactly when some part
/// differs; the executor makes exactly the calls of the parts that differ.
/// A resource in its comparable form: the fields a plan shows and what making it another
/// writes. Each kind's state implements it (and `plan::change::Kind` on top).
pub trait Compared {
    /// What making one resource another writes.
    type Writes: Writes + 'static;
    /// The fields a plan shows, by name.
    fn fields(&self) -> Fields;
    /// What making this resource `want` writes.
    fn writes(&self, want: &Self) -> Self::Writes;
}

pub trait Writes {
    /// No tag to add or remove.
    fn no_tags(&self) -> bool;
    /// Something besides tags to write (what adopting a resource as it is never needs).
    fn beyond_tags(&self) -> bool;
    /// Nothing to write: the resource is as wanted.
    fn is_empty(&self) -> bool {
        self.no_tags() && !self.beyond_tags()
    }
}

/// The parts of a trail to write (`UpdateTrail`, tags, `PutEventSelectors`,
/// `PutInsightSelectors`, `StartLogging`/`StopLogging`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailWrites {
    pub settings: bool,
    pub tags: TagChanges,
    pub selectors: bool,
    pub insights: bool,
    pub logging: bool,
}

impl Writes for TrailWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        self.settings || self.selectors || self.insights || self.logging
    }
}

/// The parts of a bucket to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketWrites {
    pub tags: bool,
    pub public_access: bool,
    pub ownership: bool,
    pub encryption: bool,
    pub retention: bool,
    pub policy: bool,
    pub access_logging: bool,
}

impl Writes for BucketWrites {
    fn no_tags(&self) -> bool {
        !self.tags
    }

    fn beyond_tags(&self) -> bool {
        self.public_access
            || self.ownership
            || self.encryption
            || self.retention
            || self.policy
            || self.access_logging
    }
}

/// The fields of `before` and `after` that differ: `(name, before, after)`.
pub fn diff(before: &Fields, after: &Fields) -> Vec<(&'static str, FieldValue, FieldValue)> {
    before
        .iter()
        .zip(after)
        .filter(|((_, b), (_, a))| a != b)
        .map(|((name, b), (_, a))| (*name, b.clone(), a.clone()))
        .collect()
}

/// Selectors as canonical JSON in the API's shape, names left out: a set of sets of conditions.
pub fn selectors_json(selectors: &[AdvancedSelector]) -> Value {
    let list: Vec<Value> = selectors
        .iter()
        .map(|s| {
            let fields: Vec<Value> = s.fields.iter().map(field_json).collect();
            json!({ "FieldSelectors": fields })
        })
        .collect();
    sorted(&Value::Array(list))
}

fn field_json(f: &FieldSelector) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("Field".into(), Value::String(f.field.clone()));
    for (key, values) in f.conditions() {
        if !values.is_empty() {
            m.insert(
                key.into(),
                Value::Array(values.iter().cloned().map(Value::String).collect()),
            );
        }
    }
    Value::Object(m)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::selector::{ManagementEvents, management_selector};

    /// A trail logging all management events, for tests.
    pub(crate) fn trail() -> TrailState {
        TrailState {
            name: "t".into(),
            region: "us-east-1".into(),
            settings: TrailSettings {
                all_regions: true,
                global_service_events: true,
                bucket: "b".into(),
                prefix: None,
                kms_key: None,
                log_file_validation: true,
                cloudwatch_logs: None,
                delivery_topic: None,
                organization: false,
            },
            logging: true,
            selectors: vec![management_selector(ManagementEvents::All, &[]).unwrap()],
            insights: BTreeSet::new(),
            tags: Tags::new(),
        }
    }

    /// The one rule for "changed" agrees with what a plan shows: a trail's or a bucket's
    /// writes are empty exactly when its fields are all the same by meaning.
    #[test]
    fn writes_agree_with_fields() {
        let base = trail();
        let mut variants = Vec::new();
        for change in [
            |t: &mut TrailState| t.settings.all_regions = false,
            |t: &mut TrailState| t.settings.prefix = Some("p".into()),
            |t: &mut TrailState| t.settings.kms_key = Some("k".into()),
            |t: &mut TrailState| t.logging = false,
            |t: &mut TrailState| t.selectors[0].name = Some("renamed".into()),
            |t: &mut TrailState| t.selectors[0].fields.reverse(),
            |t: &mut TrailState| t.selectors.clear(),
            |t: &mut TrailState| {
                t.insights.insert(Insight::management(
                    crate::model::desired::InsightType::ApiCallRate,
                ));
            },
            |t: &mut TrailState| {
                t.tags.insert("k".into(), "v".into());
            },
        ] {
            let mut t = trail();
            change(&mut t);
            variants.push(t);
        }
        for v in &variants {
            let shown = !diff(&base.fields(), &v.fields()).is_empty();
            assert_eq!(!base.writes(v).is_empty(), shown, "{v:?}");
        }
        assert!(base.writes(&base).is_empty());
        let bucket = BucketState {
            name: "b".into(),
            region: "us-east-1".into(),
            block_public_access: true,
            owner_enforced: true,
            encryption: Encryption::S3,
            retention_days: Some(30),
            policy: Some(json!({"Statement": [{"Action": ["a", "b"]}]})),
            access_logging: None,
            tags: Tags::new(),
        };
        for v in [
            BucketState {
                block_public_access: false,
                ..bucket.clone()
            },
            BucketState {
                owner_enforced: false,
                ..bucket.clone()
            },
            BucketState {
                encryption: Encryption::Kms("k".into()),
                ..bucket.clone()
            },
            BucketState {
                retention_days: None,
                ..bucket.clone()
            },
            BucketState {
                policy: Some(json!({"Statement": [{"Action": ["b", "a"]}]})),
                access_logging: None,
                ..bucket.clone()
            },
            BucketState {
                policy: None,
                access_logging: None,
                ..bucket.clone()
            },
            BucketState {
                tags: [("k".to_owned(), "v".to_owned())].into(),
                ..bucket.clone()
            },
        ] {
            let shown = !diff(&bucket.fields(), &v.fields()).is_empty();
            assert_eq!(!bucket.writes(&v).is_empty(), shown, "{v:?}");
        }
    }

    #[test]
    fn selector_order_names_and_value_order_do_not_matter() {
        let a = management_selector(
            ManagementEvents::All,
            &["kms.amazonaws.com".into(), "rdsdata.amazonaws.com".into()],
        )
        .unwrap();
        let mut b = a.clone();
        b.name = None;
        b.fields.reverse();
        b.fields[0].not_equals.reverse();
        assert_eq!(
            selectors_json(std::slice::from_ref(&a)),
            selectors_json(&[b])
        );
        let w = management_selector(ManagementEvents::WriteOnly, &[]).unwrap();
        assert_ne!(
            selectors_json(std::slice::from_ref(&a)),
            selectors_json(&[w])
        );
        // Shown in the API's shape: lists stay lists.
        assert!(selectors_json(&[a])[0]["FieldSelectors"].is_array());
    }
}
