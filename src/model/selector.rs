//! CloudTrail advanced event selectors, and the spec's shorthands that expand into them.

/// The name of the management events selector: the console's own, which auditors look for
/// (Prowler's `cloudtrail_multi_region_enabled_logging_management_events` accepts only it).
/// Selector names are never compared, so a trail written under the former name ("Management
/// events") is not rewritten for the name alone: it takes this name the next time its
/// selectors change.
pub const MANAGEMENT_SELECTOR_NAME: &str = "Management events selector";

/// One advanced event selector, in the AWS shape (`Name`, `FieldSelectors`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AdvancedSelector {
    pub name: Option<String>,
    pub fields: Vec<FieldSelector>,
}

/// One condition of an advanced event selector. Every list empty means "no condition of that kind".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldSelector {
    pub field: String,
    pub equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_equals: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

/// The fields an advanced event selector may name (CloudTrail API reference,
/// `AdvancedFieldSelector.Field`, for trails).
pub const FIELDS: &[&str] = &[
    "eventCategory",
    "eventSource",
    "eventName",
    "eventType",
    "readOnly",
    "resources.type",
    "resources.ARN",
    "errorCode",
    "sessionCredentialFromConsole",
    "userIdentity.arn",
    "vpcEndpointId",
];

/// The management event sources a trail may exclude (CloudTrail API reference,
/// `EventSelector.ExcludeManagementEventSources`: KMS and the RDS Data API).
pub const EXCLUDABLE_SOURCES: &[&str] = &["kms.amazonaws.com", "rdsdata.amazonaws.com"];

/// Which management events a trail logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagementEvents {
    All,
    ReadOnly,
    WriteOnly,
    None,
}

impl ManagementEvents {
    pub const NAMES: &'static [&'static str] = &["all", "read_only", "write_only", "none"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Self::All),
            "read_only" => Some(Self::ReadOnly),
            "write_only" => Some(Self::WriteOnly),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::ReadOnly => "read_only",
            Self::WriteOnly => "write_only",
            Self::None => "none",
        }
    }

    pub fn logs_reads(self) -> bool {
        matches!(self, Self::All | Self::ReadOnly)
    }

    pub fn logs_writes(self) -> bool {
        matches!(self, Self::All | Self::WriteOnly)
    }
}

/// Read/write filter of a data-event shorthand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    All,
    Read,
    Write,
}

impl Access {
    pub const NAMES: &'static [&'static str] = &["all", "read", "write"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Self::All),
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }

    /// The `readOnly` field value this access selects, if it narrows at all.
    fn read_only_value(self) -> Option<&'static str> {
        match self {
            Access::All => None,
            Access::Read => Some("true"),
            Access::Write => Some("false"),
        }
    }
}

/// The `data_events` shorthand: one resource type, optional ARN prefixes, access and event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataEvents {
    /// The CloudTrail resource type, e.g. `AWS::S3::Object`.
    pub resource_type: String,
    pub arn_prefixes: Vec<String>,
    pub access: Access,
    pub event_names: Vec<String>,
}

/// Short names for the common data-event resource types, and the ARN service of each.
pub const RESOURCE_SHORT_NAMES: &[(&str, &str, &str)] = &[
    ("s3_object", "AWS::S3::Object", "s3"),
    ("lambda_function", "AWS::Lambda::Function", "lambda"),
    ("dynamodb_table", "AWS::DynamoDB::Table", "dynamodb"),
    ("sns_topic", "AWS::SNS::Topic", "sns"),
    (
        "cloudtrail_channel",
        "AWS::CloudTrail::Channel",
        "cloudtrail",
    ),
];

fn field(name: &str, equals: Vec<String>) -> FieldSelector {
    FieldSelector {
        field: name.to_owned(),
        equals,
        ..FieldSelector::default()
    }
}

/// The advanced selector that logs `events` management events, minus `excluded` sources;
/// `None` when no management events are logged.
pub fn management_selector(
    events: ManagementEvents,
    excluded: &[String],
) -> Option<AdvancedSelector> {
    let read_only = match events {
        ManagementEvents::None => return None,
        ManagementEvents::All => None,
        ManagementEvents::ReadOnly => Some("true"),
        ManagementEvents::WriteOnly => Some("false"),
    };
    let mut fields = vec![field("eventCategory", vec!["Management".to_owned()])];
    if let Some(v) = read_only {
        fields.push(field("readOnly", vec![v.to_owned()]));
    }
    if !excluded.is_empty() {
        fields.push(FieldSelector {
            field: "eventSource".to_owned(),
            not_equals: excluded.to_vec(),
            ..FieldSelector::default()
        });
    }
    Some(AdvancedSelector {
        name: Some(MANAGEMENT_SELECTOR_NAME.to_owned()),
        fields,
    })
}

impl DataEvents {
    /// The advanced selector this shorthand stands for.
    pub fn to_selector(&self) -> AdvancedSelector {
        let mut fields = vec![
            field("eventCategory", vec!["Data".to_owned()]),
            field("resources.type", vec![self.resource_type.clone()]),
        ];
        if !self.arn_prefixes.is_empty() {
            fields.push(FieldSelector {
                field: "resources.ARN".to_owned(),
                starts_with: self.arn_prefixes.clone(),
                ..FieldSelector::default()
            });
        }
        if let Some(v) = self.access.read_only_value() {
            fields.push(field("readOnly", vec![v.to_owned()]));
        }
        if !self.event_names.is_empty() {
            fields.push(field("eventName", self.event_names.clone()));
        }
        AdvancedSelector {
            name: Some(format!("Data events: {}", self.resource_type)),
            fields,
        }
    }
}

impl FieldSelector {
    /// Each operator (`Equals`, `StartsWith`, …, as the AWS API names them) with its values,
    /// in the API's order; an empty list is no condition.
    pub fn conditions(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("Equals", &self.equals),
            ("StartsWith", &self.starts_with),
            ("EndsWith", &self.ends_with),
            ("NotEquals", &self.not_equals),
            ("NotStartsWith", &self.not_starts_with),
            ("NotEndsWith", &self.not_ends_with),
        ]
    }
}

impl AdvancedSelector {
    /// Values across all conditions of this selector (the trail-wide quota counts these).
    pub fn value_count(&self) -> usize {
        self.fields.iter().map(FieldSelector::value_count).sum()
    }

    /// The values of `Equals` on `field_name`, if this selector has such a condition.
    pub fn equals_of(&self, field_name: &str) -> Option<&[String]> {
        self.fields
            .iter()
            .find(|f| f.field == field_name && !f.equals.is_empty())
            .map(|f| f.equals.as_slice())
    }

    /// Whether this selector has an `Equals` condition on `field_name` that lists `value`.
    pub fn selects(&self, field_name: &str, value: &str) -> bool {
        self.equals_of(field_name)
            .is_some_and(|v| v.iter().any(|x| x == value))
    }

    /// Whether this selector logs data events of `resource_type`.
    pub fn selects_data(&self, resource_type: &str) -> bool {
        self.selects("eventCategory", "Data") && self.selects("resources.type", resource_type)
    }

    /// Which management events this selector logs, read from its conditions: `(reads, writes)`.
    /// A selector that does not select the Management category logs neither.
    pub fn management_coverage(&self) -> (bool, bool) {
        if !self.selects("eventCategory", "Management") {
            return (false, false);
        }
        match self.equals_of("readOnly") {
            Some(v) => (
                v.iter().any(|x| x == "true"),
                v.iter().any(|x| x == "false"),
            ),
            None => (true, true),
        }
    }
}

impl AdvancedSelector {
    /// Whether every event `narrower` selects is also selected by `self` (conservatively: only
    /// when each of `self`'s conditions is at least as broad as a condition of `narrower` on the
    /// same field). A selector with fewer or broader conditions covers one with more.
    pub fn covers(&self, narrower: &AdvancedSelector) -> bool {
        self.fields.iter().all(|broad| {
            narrower
                .fields
                .iter()
                .any(|c| c.field == broad.field && broad.is_broader_or_equal(c))
        })
    }
}

impl FieldSelector {
    fn is_broader_or_equal(&self, c: &FieldSelector) -> bool {
        let subset = |a: &[String], b: &[String]| a.iter().all(|x| b.contains(x));
        // Positive operators: every value `c` admits must be admitted here.
        let positive = |f: &FieldSelector| {
            !(f.equals.is_empty() && f.starts_with.is_empty() && f.ends_with.is_empty())
        };
        let positives_ok = !positive(self)
            || ((c.ends_with.is_empty() || subset(&c.ends_with, &self.ends_with))
                && positive(c)
                && c.equals.iter().all(|v| {
                    self.equals.contains(v)
                        || self.starts_with.iter().any(|p| v.starts_with(p.as_str()))
                        || self.ends_with.iter().any(|p| v.ends_with(p.as_str()))
                })
                && c.starts_with
                    .iter()
                    .all(|v| self.starts_with.iter().any(|p| v.starts_with(p.as_str()))));
        // Negative operators: fewer exclusions is broader.
        positives_ok
            && subset(&self.not_equals, &c.not_equals)
            && subset(&self.not_starts_with, &c.not_starts_with)
            && subset(&self.not_ends_with, &c.not_ends_with)
    }
}

/// Which management events a set of selectors logs: `(reads, writes)`.
pub fn coverage(selectors: &[AdvancedSelector]) -> (bool, bool) {
    selectors.iter().fold((false, false), |(r, w), s| {
        let (sr, sw) = s.management_coverage();
        (r || sr, w || sw)
    })
}

impl FieldSelector {
    pub fn value_count(&self) -> usize {
        self.equals.len()
            + self.starts_with.len()
            + self.ends_with.len()
            + self.not_equals.len()
            + self.not_starts_with.len()
            + self.not_ends_with.len()
    }
}

/// A classic event selector (`EventSelector`), as a trail configured without advanced
/// selectors reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicSelector {
    pub read_write: ManagementEvents,
    pub include_management_events: bool,
    pub excluded_sources: Vec<String>,
    /// `(type, values)` of each `DataResource`.
    pub data_resources: Vec<(String, Vec<String>)>,
}

impl Default for ClassicSelector {
    /// What CloudTrail reports for a trail nobody configured: all management events.
    fn default() -> Self {
        Self {
            read_write: ManagementEvents::All,
            include_management_events: true,
            excluded_sources: Vec::new(),
            data_resources: Vec::new(),
        }
    }
}

/// Classic selectors in their advanced meaning (CloudTrail User Guide, "Log events by using
/// advanced event selectors"): management events per `ReadWriteType`, and one data selector
/// per resource type, its values as ARN prefixes unless they select every resource.
pub fn classic_to_advanced(classic: &[ClassicSelector]) -> Vec<AdvancedSelector> {
    let mut out = Vec::new();
    for c in classic {
        if c.include_management_events {
            out.extend(management_selector(c.read_write, &c.excluded_sources));
        }
        for (kind, values) in &c.data_resources {
            let mut fields = vec![
                field("eventCategory", vec!["Data".to_owned()]),
                field("resources.type", vec![kind.clone()]),
            ];
            let prefixes: Vec<String> = values
                .iter()
                .filter(|v| !selects_every_resource(v))
                .cloned()
                .collect();
            if !prefixes.is_empty() && prefixes.len() == values.len() {
                fields.push(FieldSelector {
                    field: "resources.ARN".to_owned(),
                    starts_with: prefixes,
                    ..FieldSelector::default()
                });
            }
            match c.read_write {
                ManagementEvents::ReadOnly => fields.push(field("readOnly", vec!["true".into()])),
                ManagementEvents::WriteOnly => {
                    fields.push(field("readOnly", vec!["false".into()]));
                }
                ManagementEvents::All | ManagementEvents::None => {}
            }
            out.push(AdvancedSelector { name: None, fields });
        }
    }
    out
}

/// `arn:aws:s3`, `arn:aws:s3:::`, `arn:aws:lambda`…: the classic way to say "every resource".
fn selects_every_resource(value: &str) -> bool {
    let rest = value.trim_end_matches(':');
    rest.split(':').count() <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_shorthand_expands_to_the_documented_selector() {
        let s = management_selector(ManagementEvents::WriteOnly, &["kms.amazonaws.com".into()])
            .unwrap();
        assert_eq!(s.fields.len(), 3);
        assert_eq!(s.equals_of("readOnly"), Some(&["false".to_owned()][..]));
        assert_eq!(s.fields[2].not_equals, vec!["kms.amazonaws.com"]);
        assert_eq!(s.management_coverage(), (false, true));
        assert_eq!(s.value_count(), 3);
        assert!(management_selector(ManagementEvents::None, &[]).is_none());
        let all = management_selector(ManagementEvents::All, &[]).unwrap();
        assert_eq!(all.management_coverage(), (true, true));
    }

    #[test]
    fn classic_selectors_mean_their_advanced_form() {
        assert_eq!(
            classic_to_advanced(&[ClassicSelector::default()]),
            vec![management_selector(ManagementEvents::All, &[]).unwrap()]
        );
        let c = ClassicSelector {
            read_write: ManagementEvents::WriteOnly,
            include_management_events: false,
            excluded_sources: vec![],
            data_resources: vec![
                ("AWS::S3::Object".into(), vec!["arn:aws:s3".into()]),
                ("AWS::S3::Object".into(), vec!["arn:aws:s3:::b/".into()]),
            ],
        };
        let adv = classic_to_advanced(&[c]);
        assert_eq!(adv.len(), 2);
        assert_eq!(adv[0].fields.len(), 3);
        assert_eq!(adv[1].fields[2].starts_with, vec!["arn:aws:s3:::b/"]);
    }

    #[test]
    fn a_selector_with_fewer_or_broader_conditions_covers_a_narrower_one() {
        let write = DataEvents {
            resource_type: "AWS::S3::Object".into(),
            arn_prefixes: vec!["arn:aws:s3:::b/logs/".into()],
            access: Access::Write,
            event_names: vec![],
        }
        .to_selector();
        let all = DataEvents {
            arn_prefixes: vec!["arn:aws:s3:::b/".into()],
            access: Access::All,
            ..DataEvents {
                resource_type: "AWS::S3::Object".into(),
                arn_prefixes: vec![],
                access: Access::All,
                event_names: vec![],
            }
        }
        .to_selector();
        assert!(all.covers(&write));
        assert!(!write.covers(&all));
        assert!(write.covers(&write));
        let lambda = DataEvents {
            resource_type: "AWS::Lambda::Function".into(),
            arn_prefixes: vec![],
            access: Access::All,
            event_names: vec![],
        }
        .to_selector();
        assert!(!lambda.covers(&write));
        let m = management_selector(ManagementEvents::All, &[]).unwrap();
        let fewer =
            management_selector(ManagementEvents::All, &["kms.amazonaws.com".into()]).unwrap();
        assert!(m.covers(&fewer) && !fewer.covers(&m));
    }

    #[test]
    fn data_shorthand_expands_every_condition() {
        let d = DataEvents {
            resource_type: "AWS::S3::Object".into(),
            arn_prefixes: vec!["arn:aws:s3:::b/".into()],
            access: Access::Write,
            event_names: vec!["PutObject".into(), "DeleteObject".into()],
        };
        let s = d.to_selector();
        let names: Vec<_> = s.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "eventCategory",
                "resources.type",
                "resources.ARN",
                "readOnly",
                "eventName"
            ]
        );
        assert_eq!(s.value_count(), 6);
        assert_eq!(s.management_coverage(), (false, false));
    }
}
