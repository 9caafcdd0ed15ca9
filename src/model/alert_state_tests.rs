//! Tests of `alert_state`: writes agree with the compared fields; targets by meaning.
use super::*;
use crate::model::message::transformer;
use crate::model::state::diff;
use serde_json::json;

/// The one rule for "changed" agrees with what a plan shows: each kind's writes are empty
/// exactly when its fields are all the same by meaning.
fn agrees<T>(base: &T, variants: &[T], writes: impl Fn(&T, &T) -> bool, fields: fn(&T) -> Fields) {
    for v in variants {
        let shown = !diff(&fields(base), &fields(v)).is_empty();
        assert_eq!(
            writes(base, v),
            shown,
            "{:?}",
            diff(&fields(base), &fields(v))
        );
    }
    assert!(!writes(base, base));
}

fn topic() -> TopicState {
    TopicState {
        name: "t".into(),
        region: "us-east-1".into(),
        display_name: Some("d".into()),
        kms_key: None,
        policy: Some(json!({"Statement": [{"Effect": "Allow", "Action": ["a", "b"]}]})),
        subscriptions: [("email".to_owned(), "a@example.com".to_owned())].into(),
        pending: BTreeSet::new(),
        subscription_arns: BTreeMap::new(),
        tags: [("k".to_owned(), "v".to_owned())].into(),
    }
}

fn rule() -> RuleState {
    RuleState {
        pattern: json!({"source": ["aws.s3"], "detail-type": ["x"]}),
        description: Some("d".into()),
        state: "ENABLED".into(),
        targets: vec![TargetState {
            id: "sns".into(),
            arn: "arn:aws:sns:us-east-1:1:t".into(),
            role_arn: None,
            transformer: None,
            input: None,
        }],
        tags: Tags::new(),
    }
}

fn with_target(change: impl Fn(&mut TargetState)) -> RuleState {
    let mut r = rule();
    for t in &mut r.targets {
        change(t);
    }
    r
}

#[test]
fn a_target_is_what_it_delivers_where_whatever_its_id_or_variable_names() {
    let ours = RuleState {
        targets: vec![TargetState {
            id: "alerts".into(),
            transformer: Some(transformer(Some("<userIdentity.arn> did <eventName>"))),
            ..rule().targets[0].clone()
        }],
        ..rule()
    };
    let theirs = RuleState {
        targets: vec![TargetState {
            id: "sns-1".into(),
            transformer: Some(InputTransformer {
                paths: [
                    ("u".to_owned(), "$.detail.userIdentity.arn".to_owned()),
                    ("e".to_owned(), "$.detail.eventName".to_owned()),
                ]
                .into(),
                template: "<u> did <e>".into(),
            }),
            ..rule().targets[0].clone()
        }],
        tags: [("trailctl:stack".to_owned(), "s".to_owned())].into(),
        ..rule()
    };
    let w = RuleWrites::between(Some(&theirs), &ours);
    assert!(
        w.put_targets.is_empty() && w.remove_targets.is_empty(),
        "{w:?}"
    );
    let alert = |r: RuleState| AlertState {
        name: "a".into(),
        rule_name: "r".into(),
        home: "us-east-1".into(),
        rules: [("us-east-1".to_owned(), r)].into(),
    };
    let adopt = alert(theirs.clone()).writes(&alert(ours.clone()));
    assert!(!adopt.is_empty() && !adopt.beyond_tags(), "{adopt:?}");
    // A fixed Input set by another client is a difference, and putting the target clears it.
    let fixed = RuleState {
        targets: vec![TargetState {
            input: Some(TargetInput::Constant("{\"x\": 1}".into())),
            ..ours.targets[0].clone()
        }],
        ..ours.clone()
    };
    let w = RuleWrites::between(Some(&fixed), &ours);
    assert_eq!(w.put_targets, ours.targets);
    assert!(alert(fixed).writes(&alert(ours)).beyond_tags());
}

#[test]
fn writes_agree_with_fields() {
    let t = topic();
    let w = |b: &TopicState, a: &TopicState| !b.writes(a).is_empty();
    agrees(
        &t,
        &[
            TopicState {
                display_name: None,
                ..topic()
            },
            TopicState {
                kms_key: Some("k".into()),
                ..topic()
            },
            TopicState {
                policy: Some(json!({"Statement": [{"Action": ["b", "a"], "Effect": "Allow"}]})),
                ..topic()
            },
            TopicState {
                policy: None,
                ..topic()
            },
            TopicState {
                subscriptions: BTreeSet::new(),
                ..topic()
            },
            TopicState {
                tags: Tags::new(),
                ..topic()
            },
            TopicState {
                pending: [("email".to_owned(), "b@example.com".to_owned())].into(),
                ..topic()
            },
        ],
        w,
        TopicState::fields,
    );
    let alert = |rules: Vec<(&str, RuleState)>| AlertState {
        name: "a".into(),
        rule_name: "r".into(),
        home: "us-east-1".into(),
        rules: rules.into_iter().map(|(r, s)| (r.to_owned(), s)).collect(),
    };
    let base = alert(vec![("us-east-1", rule())]);
    agrees(
        &base,
        &[
            alert(vec![(
                "us-east-1",
                RuleState {
                    pattern: json!({"detail-type": ["x"], "source": ["aws.s3"]}),
                    ..rule()
                },
            )]),
            alert(vec![(
                "us-east-1",
                RuleState {
                    state: "DISABLED".into(),
                    ..rule()
                },
            )]),
            alert(vec![(
                "us-east-1",
                RuleState {
                    description: None,
                    ..rule()
                },
            )]),
            alert(vec![(
                "us-east-1",
                RuleState {
                    targets: Vec::new(),
                    ..rule()
                },
            )]),
            alert(vec![(
                "us-east-1",
                RuleState {
                    tags: [("k".to_owned(), "v".to_owned())].into(),
                    ..rule()
                },
            )]),
            alert(vec![("us-east-1", rule()), ("eu-west-1", rule())]),
            alert(vec![]),
            // Another client's id for the same target: the same, no diff.
            alert(vec![(
                "us-east-1",
                with_target(|t| t.id = "Id12345".into()),
            )]),
            alert(vec![(
                "us-east-1",
                with_target(|t| t.input = Some(TargetInput::Constant("{}".into()))),
            )]),
            alert(vec![(
                "us-east-1",
                with_target(|t| t.input = Some(TargetInput::Path("$.detail".into()))),
            )]),
            alert(vec![(
                "us-east-1",
                with_target(|t| t.transformer = Some(transformer(Some("<eventName>")))),
            )]),
        ],
        |b, a| !b.writes(a).is_empty(),
        AlertState::fields,
    );
    let role = RoleState {
        name: "r".into(),
        trust: json!({"Statement": []}),
        policy_name: "p".into(),
        policy: Some(json!({"Statement": [{"Action": "events:PutEvents"}]})),
        boundary: None,
        tags: Tags::new(),
    };
    agrees(
        &role,
        &[
            RoleState {
                trust: json!({"Statement": [{"Effect": "Allow"}]}),
                ..role.clone()
            },
            RoleState {
                policy: Some(json!({"Statement": [{"Action": ["events:PutEvents"]}]})),
                ..role.clone()
            },
            RoleState {
                policy: Some(json!({"Statement": []})),
                ..role.clone()
            },
            RoleState {
                tags: [("k".to_owned(), "v".to_owned())].into(),
                ..role.clone()
            },
            RoleState {
                boundary: Some("arn:aws:iam::1:policy/trailctl-s-boundary".into()),
                ..role.clone()
            },
        ],
        |b, a| !b.writes(a).is_empty(),
        RoleState::fields,
    );
}
