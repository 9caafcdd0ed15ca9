//! Tests of `draft`: selectors said as shorthands only when exactly the same, rules as alerts
//! (names, delivery, placement, state), and everything left out says why.

use std::collections::BTreeSet;

use serde_json::json;

use super::*;
use crate::model::alert_state::TargetState;
use crate::model::observed::LiveSubscription;
use crate::model::selector::{AdvancedSelector, FieldSelector};
use crate::model::state::TrailSettings;

const ME: &str = "111111111111";

fn field(name: &str, equals: &[&str]) -> FieldSelector {
    FieldSelector {
        field: name.to_owned(),
        equals: equals.iter().map(|s| (*s).to_owned()).collect(),
        ..FieldSelector::default()
    }
}

fn selector(fields: Vec<FieldSelector>) -> AdvancedSelector {
    AdvancedSelector {
        name: Some("theirs".to_owned()),
        fields,
    }
}

fn trail(name: &str, account: &str, selectors: Option<Vec<AdvancedSelector>>) -> LiveTrail {
    LiveTrail {
        name: name.to_owned(),
        arn: format!("arn:aws:cloudtrail:us-east-1:{account}:trail/{name}"),
        region: "us-east-1".to_owned(),
        settings: TrailSettings {
            all_regions: true,
            global_service_events: true,
            bucket: "logs".to_owned(),
            prefix: None,
            kms_key: None,
            log_file_validation: false,
            cloudwatch_logs: None,
            delivery_topic: None,
            organization: false,
        },
        tags: Tags::new(),
        details: selectors.map(|selectors| TrailDetails {
            logging: true,
            selectors,
            insights: BTreeSet::new(),
        }),
    }
}

fn rule(region: &str, name: &str, pattern: Json, targets: Vec<TargetState>) -> LiveRule {
    LiveRule {
        region: region.to_owned(),
        name: name.to_owned(),
        arn: format!("arn:aws:events:{region}:{ME}:rule/{name}"),
        pattern: Some(pattern),
        description: None,
        state: ENABLED.to_owned(),
        managed_by: None,
        targets,
        tags: Tags::new(),
    }
}

fn to_topic(name: &str, transformer: Option<InputTransformer>) -> TargetState {
    TargetState {
        id: format!("t-{name}"),
        arn: format!("arn:aws:sns:us-east-1:{ME}:{name}"),
        role_arn: None,
        transformer,
        input: None,
    }
}

fn topic(name: &str, protocol: &str) -> LiveTopic {
    LiveTopic {
        name: name.to_owned(),
        arn: format!("arn:aws:sns:us-east-1:{ME}:{name}"),
        display_name: None,
        kms_key: None,
        policy: None,
        subscriptions: vec![LiveSubscription {
            protocol: protocol.to_owned(),
            endpoint: "x@example.com".to_owned(),
            arn: None,
        }],
        tags: Tags::new(),
    }
}

fn found() -> Discovered {
    Discovered {
        account: ME.to_owned(),
        home: "us-east-1".to_owned(),
        regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
        ..Discovered::default()
    }
}

fn yaml_of(e: &Entry) -> String {
    serde_yaml::to_string(&Yaml::Mapping(e.yaml.clone())).unwrap_or_default()
}

fn reasons(d: &Draft) -> Vec<String> {
    d.left_out
        .iter()
        .map(|l| format!("{}: {}", l.what, l.reason))
        .collect()
}

#[test]
fn selectors_become_shorthands_only_when_they_say_exactly_the_same() {
    let mut f = found();
    let mut excluded = field("eventSource", &[]);
    excluded.not_equals = vec!["kms.amazonaws.com".to_owned()];
    let mut prefix = field("eventName", &[]);
    prefix.starts_with = vec!["Delete".to_owned()];
    f.trails = vec![
        trail(
            "short",
            ME,
            Some(vec![
                selector(vec![
                    field("eventCategory", &["Management"]),
                    field("readOnly", &["true"]),
                    excluded,
                ]),
                selector(vec![
                    field("eventCategory", &["Data"]),
                    field("resources.type", &["AWS::Lambda::Function"]),
                ]),
            ]),
        ),
        trail(
            "raw",
            ME,
            Some(vec![selector(vec![
                field("eventCategory", &["Management"]),
                prefix,
            ])]),
        ),
        trail("org", "999999999999", None),
    ];
    let d = draft(&f, "s");
    let short = yaml_of(&d.trails[0]);
    assert!(short.contains("management_events: read_only"), "{short}");
    assert!(short.contains("- kms.amazonaws.com"), "{short}");
    assert!(short.contains("resource: lambda_function"), "{short}");
    assert!(short.contains("log_file_validation: false"), "{short}");
    assert!(!short.contains("advanced_event_selectors"), "{short}");
    let raw = yaml_of(&d.trails[1]);
    assert!(raw.contains("advanced_event_selectors"), "{raw}");
    assert!(raw.contains("StartsWith:\n    - Delete"), "{raw}");
    assert!(
        reasons(&d)
            .iter()
            .any(|r| r.starts_with("trail.org: an organization trail of account 999999999999")),
        "{:?}",
        reasons(&d)
    );
}

#[test]
fn rules_become_alerts_or_say_why_not() {
    let mut f = found();
    let ct = json!({"source": ["aws.dynamodb"], "detail-type": ["AWS API Call via CloudTrail"],
                    "detail": {"eventName": ["DeleteTable"]}});
    let assume = json!({"source": ["aws.sts"], "detail-type": ["AWS API Call via CloudTrail"],
                        "detail": {"eventName": ["AssumeRole"]}});
    let theirs = InputTransformer {
        paths: [("e".to_owned(), "$.detail.eventName".to_owned())].into(),
        template: "saw <e>".to_owned(),
    };
    let mut ours = rule(
        "us-east-1",
        "trailctl-s-deleted",
        ct.clone(),
        vec![to_topic("a", None)],
    );
    ours.tags.insert(STACK_KEY.to_owned(), "s".to_owned());
    let mut forward = rule("eu-west-1", "trailctl-s-deleted", ct.clone(), Vec::new());
    forward.tags.insert(STACK_KEY.to_owned(), "s".to_owned());
    let mut managed = rule("us-east-1", "aws-managed", ct.clone(), Vec::new());
    managed.managed_by = Some("guardduty.amazonaws.com".to_owned());
    let mut other = rule("us-east-1", "trailctl-o-x", ct.clone(), Vec::new());
    other.tags.insert(STACK_KEY.to_owned(), "o".to_owned());
    let mut scheduled = rule("us-east-1", "nightly", ct.clone(), Vec::new());
    scheduled.pattern = None;
    let mut all_reads = rule(
        "us-east-1",
        "reads",
        ct.clone(),
        vec![to_topic("a", Some(theirs.clone()))],
    );
    all_reads.state = ENABLED_ALL.to_owned();
    let mut assumed = rule("us-east-1", "assumed", assume, vec![to_topic("a", None)]);
    assumed.state = ENABLED.to_owned();
    f.rules = vec![
        ours,
        forward,
        managed,
        other,
        scheduled,
        all_reads,
        assumed,
        rule(
            "us-east-1",
            "mixed",
            ct.clone(),
            vec![to_topic("a", None), to_topic("b", Some(theirs))],
        ),
        rule(
            "us-east-1",
            "to-sms",
            ct.clone(),
            vec![to_topic("sms-only", None)],
        ),
    ];
    f.topics = vec![topic("a", "email"), topic("sms-only", "sms")];
    let d = draft(&f, "s");
    let names: Vec<String> = d.alerts.iter().map(|e| e.address.to_string()).collect();
    assert_eq!(
        names,
        ["alert.deleted", "alert.reads", "alert.assumed"],
        "{:?}",
        reasons(&d)
    );
    let deleted = yaml_of(&d.alerts[0]);
    // This stack's own rule: named by its alert, placed where its rules are (= auto here).
    assert!(
        !deleted.contains("rule:") && !deleted.contains("regions:"),
        "{deleted}"
    );
    assert!(deleted.contains("deliver: event"), "{deleted}");
    let reads = yaml_of(&d.alerts[1]);
    assert!(reads.contains("rule: reads"), "{reads}");
    assert!(reads.contains("message: saw <eventName>"), "{reads}");
    assert!(reads.contains("read_only_events: true"), "{reads}");
    assert!(reads.contains("regions:\n- us-east-1"), "{reads}");
    // AssumeRole is read-only: a rule in plain ENABLED state never receives it.
    assert!(
        yaml_of(&d.alerts[2]).contains("read_only_events: false"),
        "{}",
        yaml_of(&d.alerts[2])
    );
    let why = reasons(&d).join("\n");
    for wanted in [
        "rule us-east-1/aws-managed: managed by guardduty.amazonaws.com",
        "rule us-east-1/trailctl-o-x: managed by trailctl stack `o`",
        "rule us-east-1/nightly: a scheduled rule",
        "rule us-east-1/mixed: its targets deliver different messages",
        "topic.sms-only: it has a `sms` subscription",
        "alert.to-sms: it notifies topic.sms-only, left out",
    ] {
        assert!(why.contains(wanted), "missing `{wanted}` in:\n{why}");
    }
    assert_eq!(d.topics.len(), 1);
    assert!(yaml_of(&d.topics[0]).contains("policy: keep"));
}
