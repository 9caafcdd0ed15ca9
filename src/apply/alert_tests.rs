//! Topics, alerts and the forwarding role through observe → plan → apply → observe on the
//! in-memory account.

use crate::apply::apply;
use crate::apply::tests::{ACCOUNT, apply_ok, desired, fake, opts, plan_of, run};
use crate::apply::verify;
use crate::live::fake::Fake;
use crate::model::observed::{LiveRule, LiveSubscription};
use crate::model::tags::Tags;
use crate::plan::{Action, Address, Resource};

const SPEC: &str = "
version: 1
stack: audit
home_region: us-east-1
regions: [us-east-1, eu-west-1]
topics:
  - name: security-alerts
    display_name: Security alerts
    subscriptions:
      - email: secops@example.com
      - sqs: arn:aws:sqs:us-east-1:123456789012:alerts
alerts:
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [security-alerts]
    message: <userIdentity.arn> deleted <requestParameters.tableName>
  - name: role-assumed
    pattern:
      source: [aws.sts]
      detail-type: [AWS API Call via CloudTrail]
      detail: {eventName: [AssumeRole]}
    notify: [security-alerts]
  - name: user-created
    on: {service: iam, events: [CreateUser]}
    notify: [security-alerts]
";

fn rule(f: &Fake, region: &str, alert: &str) -> Option<LiveRule> {
    let name = format!("trailctl-audit-{alert}");
    f.state
        .borrow()
        .rules
        .get(&(region.to_owned(), name))
        .cloned()
}

fn applied() -> (Fake, crate::model::desired::Desired) {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    // The role, one topic, three alerts.
    assert_eq!(p.counts(), (5, 0, 0), "{:#?}", p.changes);
    let touched = apply_ok(&f, &p, false);
    let again = plan_of(&f, &d, false);
    assert!(
        verify(&again, &touched).is_empty(),
        "{:?}",
        verify(&again, &touched)
    );
    assert!(!again.has_changes(), "{:#?}", again.changes);
    (f, d)
}

#[test]
fn alerts_are_placed_where_their_events_arrive_and_forward_home() {
    let (f, _) = applied();
    // DynamoDB is regional: both Regions; the eu-west-1 rule forwards to the home bus.
    let home = rule(&f, "us-east-1", "table-deleted").unwrap();
    assert_eq!(home.targets.len(), 1);
    assert_eq!(
        home.targets[0].arn,
        format!("arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts")
    );
    let t = home.targets[0].transformer.as_ref().unwrap();
    assert_eq!(
        t.template,
        "<userIdentity_arn> deleted <requestParameters_tableName>"
    );
    let away = rule(&f, "eu-west-1", "table-deleted").unwrap();
    assert_eq!(
        away.targets[0].arn,
        format!("arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default")
    );
    assert!(
        away.targets[0]
            .role_arn
            .as_deref()
            .unwrap()
            .ends_with(":role/trailctl-audit-forwarder")
    );
    // IAM is global: us-east-1 only.
    assert!(rule(&f, "us-east-1", "user-created").is_some());
    assert!(rule(&f, "eu-west-1", "user-created").is_none());
    // AssumeRole is read-only: the rule would never fire without this state.
    assert_eq!(
        rule(&f, "us-east-1", "role-assumed").unwrap().state,
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    );
    assert_eq!(
        rule(&f, "us-east-1", "table-deleted").unwrap().state,
        "ENABLED"
    );
    // The topic policy lets exactly the home rules publish.
    let s = f.state.borrow();
    let topic = s.topics.values().next().unwrap();
    let policy = topic.policy.as_ref().unwrap().to_string();
    for a in ["table-deleted", "role-assumed", "user-created"] {
        assert!(
            policy.contains(&format!("rule/trailctl-audit-{a}")),
            "{policy}"
        );
    }
    assert!(policy.contains("aws:SourceAccount"), "{policy}");
    assert!(s.roles.contains_key("trailctl-audit-forwarder"));
}

#[test]
fn a_pending_email_subscription_is_never_a_diff() {
    let (f, d) = applied();
    // The fake, like SNS, leaves email subscriptions pending confirmation.
    let pending = f
        .state
        .borrow()
        .topics
        .values()
        .next()
        .unwrap()
        .subscriptions
        .iter()
        .any(|s| s.arn.is_none());
    assert!(pending);
    let p = plan_of(&f, &d, false);
    assert!(!p.has_changes());
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("pending confirmation")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn drift_is_shown_per_region_and_repaired() {
    let (f, d) = applied();
    {
        let mut s = f.state.borrow_mut();
        let key = (
            "eu-west-1".to_owned(),
            "trailctl-audit-table-deleted".to_owned(),
        );
        s.rules.get_mut(&key).unwrap().targets.clear();
        let key = (
            "us-east-1".to_owned(),
            "trailctl-audit-role-assumed".to_owned(),
        );
        let r = s.rules.get_mut(&key).unwrap();
        r.state = "DISABLED".into();
        // Re-sorted keys are the same pattern.
        r.pattern = serde_json::from_str(r#"{"detail":{"eventName":["AssumeRole"]},"detail-type":["AWS API Call via CloudTrail"],"source":["aws.sts"]}"#).ok();
        let topic = s.topics.values_mut().next().unwrap();
        topic.subscriptions.push(LiveSubscription {
            protocol: "https".into(),
            endpoint: "https://intruder.example.com".into(),
            arn: Some("arn:aws:sns:us-east-1:123456789012:security-alerts:x".into()),
        });
    }
    let p = plan_of(&f, &d, false);
    let changed: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Update)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(
        changed,
        [
            "topic.security-alerts",
            "alert.table-deleted",
            "alert.role-assumed"
        ]
    );
    apply_ok(&f, &p, false);
    assert!(!plan_of(&f, &d, false).has_changes());
    assert_eq!(
        rule(&f, "eu-west-1", "table-deleted")
            .unwrap()
            .targets
            .len(),
        1
    );
}

#[test]
fn alerts_removed_from_the_spec_are_deleted_with_the_role_they_no_longer_need() {
    let (f, _) = applied();
    let kept = SPEC.split("  - name: role-assumed").next().unwrap();
    let trimmed = desired(&format!("{kept}    regions: [us-east-1]\n"));
    let p = plan_of(&f, &trimmed, false);
    let deletes: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(
        deletes,
        // The rules before the role they forwarded with (`plan::order`).
        [
            "alert.role-assumed",
            "alert.user-created",
            "role.trailctl-audit-forwarder"
        ]
    );
    // table-deleted loses its eu-west-1 rule.
    let update = p
        .changes
        .iter()
        .find(|c| c.address == Address::Alert("table-deleted".into()))
        .unwrap();
    assert_eq!(update.action, Action::Update);
    apply_ok(&f, &p, false);
    assert!(rule(&f, "eu-west-1", "table-deleted").is_none());
    assert!(f.state.borrow().roles.is_empty());
    assert!(!plan_of(&f, &trimmed, false).has_changes());
}

#[test]
fn rules_and_topics_we_do_not_own_are_conflicts_and_untouched() {
    let (f, d) = (fake(), desired(SPEC));
    let foreign = |tags: Tags, managed_by: Option<&str>| LiveRule {
        region: "us-east-1".into(),
        name: "trailctl-audit-user-created".into(),
        arn: format!("arn:aws:events:us-east-1:{ACCOUNT}:rule/trailctl-audit-user-created"),
        pattern: None,
        description: None,
        state: "ENABLED".into(),
        managed_by: managed_by.map(str::to_owned),
        targets: Vec::new(),
        tags,
    };
    let key = (
        "us-east-1".to_owned(),
        "trailctl-audit-user-created".to_owned(),
    );
    f.state
        .borrow_mut()
        .rules
        .insert(key.clone(), foreign(Tags::new(), None));
    let p = plan_of(&f, &d, false);
    assert!(
        p.conflicts
            .iter()
            .any(|c| c.message.contains("not managed by stack audit")),
        "{:?}",
        p.conflicts
    );
    assert!(run(apply(&f, &p, &opts(false), &mut |_| {})).is_err());
    f.state
        .borrow_mut()
        .rules
        .insert(key, foreign(Tags::new(), Some("guardduty.amazonaws.com")));
    let p = plan_of(&f, &d, true);
    assert!(
        p.conflicts
            .iter()
            .any(|c| c.message.contains("managed by guardduty")),
        "{:?}",
        p.conflicts
    );
    // With --adopt, an untagged topic of the same name is taken over, not re-created.
    let (f, d) = (fake(), desired(SPEC));
    run(crate::live::services::Sns::create_topic(
        &f,
        "us-east-1",
        "security-alerts",
        &Tags::new(),
    ))
    .unwrap();
    let p = plan_of(&f, &d, true);
    let topic = p
        .changes
        .iter()
        .find(|c| c.address == Address::Topic("security-alerts".into()))
        .unwrap();
    assert!(topic.adopt && topic.action == Action::Update);
    assert!(matches!(topic.after, Some(Resource::Topic(_))));
}

/// The alerts' rules are re-read once, in every Region at once, before the first of them is
/// written (never every rule of every Region per alert); a rule another client edits before
/// then makes its alert stale: nothing is written to it and nothing more is started.
#[test]
fn a_rule_edited_during_the_apply_stops_it_as_stale() {
    let (f, _) = applied();
    let retagged = desired(
        &SPEC
            .replace("display_name: Security alerts", "display_name: Alerts")
            .replace("stack: audit", "stack: audit\ntags: {team: sec}"),
    );
    let p = plan_of(&f, &retagged, false);
    assert!(p.has_changes());
    f.reset_calls();
    // Another client edits a rule once the topic, which the rules wait for, is written.
    let mut race = |e: crate::apply::Event<'_>| {
        if let crate::apply::Event::Finished(c) = e
            && matches!(c.address, Address::Topic(_))
        {
            let mut s = f.state.borrow_mut();
            let key = (
                "eu-west-1".to_owned(),
                "trailctl-audit-table-deleted".to_owned(),
            );
            if let Some(r) = s.rules.get_mut(&key) {
                r.state = "DISABLED".to_owned();
            }
        }
    };
    let out = run(apply(
        &f,
        &p,
        &crate::apply::tests::rechecked(&retagged, &p),
        &mut race,
    ))
    .unwrap();
    assert_eq!(out.stale, Some(Address::Alert("table-deleted".into())));
    assert!(
        out.not_attempted
            .contains(&Address::Alert("table-deleted".into()))
    );
    assert_eq!(
        rule(&f, "eu-west-1", "table-deleted").unwrap().state,
        "DISABLED",
        "nothing written to the stale alert"
    );
    // One read of the rules for every alert: one ListRules per Region the stack's rules may be
    // in, not one per alert.
    let regions = 2;
    assert_eq!(f.calls("EventBridge:ListRules"), regions);
}

#[test]
fn the_stack_roles_carry_the_boundary_and_a_missing_boundary_is_a_conflict_not_a_failed_write() {
    let (f, d) = applied();
    let boundary = format!("arn:aws:iam::{ACCOUNT}:policy/trailctl-audit-boundary");
    assert_eq!(
        f.state.borrow().roles["trailctl-audit-forwarder"]
            .boundary
            .as_deref(),
        Some(boundary.as_str())
    );
    // A role made before the boundary existed is given it, before its policy is written.
    f.state
        .borrow_mut()
        .roles
        .get_mut("trailctl-audit-forwarder")
        .unwrap()
        .boundary = None;
    let p = plan_of(&f, &d, false);
    assert_eq!(p.counts(), (0, 1, 0), "{:#?}", p.changes);
    apply_ok(&f, &p, false);
    assert!(!plan_of(&f, &d, false).has_changes());
    // Without the boundary, creating the role is a conflict that says how to create it, and
    // nothing is written.
    let (g, d) = (fake(), desired(SPEC));
    g.state.borrow_mut().missing_policies.insert(boundary);
    let p = plan_of(&g, &d, false);
    assert_eq!(p.conflicts.len(), 1, "{:?}", p.conflicts);
    let c = &p.conflicts[0];
    assert_eq!(
        c.address,
        Some(Address::Role("trailctl-audit-forwarder".into()))
    );
    assert!(c.message.contains("does not exist"), "{}", c.message);
    assert!(
        c.hint.as_deref().unwrap().contains("--role boundary"),
        "{:?}",
        c.hint
    );
}

/// A spec without `organization:` whose stack's rules forward to another account's bus (the
/// management account after `organization:` was removed): the rules here are planned as this
/// spec says, and the plan says what remains in the organization's accounts and how to remove
/// it. A rule an alert adopted and no longer names is found by its tag and deleted.
#[test]
fn what_a_removed_organization_leaves_in_members_is_told() {
    let (f, d) = applied();
    {
        let mut s = f.state.borrow_mut();
        let key = (
            "us-east-1".to_owned(),
            "trailctl-audit-table-deleted".to_owned(),
        );
        let rule = s.rules.get_mut(&key).unwrap();
        rule.targets[0].arn = "arn:aws:events:us-east-1:222222222222:event-bus/default".into();
    }
    let p = plan_of(&f, &d, false);
    let told: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        told.iter().any(
            |m| m.contains("forward to the event bus of account 222222222222")
                && m.contains("`organization:`")
        ),
        "{told:?}"
    );
    let w = p
        .warnings
        .iter()
        .find(|w| w.message.contains("222222222222"))
        .unwrap();
    assert!(w.detail.as_deref().unwrap().contains("alerts: []"));
    // Only for a spec without `organization:`, and only for another account's bus.
    let (g, d) = applied();
    assert!(
        plan_of(&g, &d, false)
            .warnings
            .iter()
            .all(|w| !w.message.contains("forward to the event bus"))
    );
}

#[test]
fn a_rule_the_stack_adopted_and_no_longer_names_is_deleted() {
    let (f, d) = applied();
    {
        let mut s = f.state.borrow_mut();
        let mut adopted = s
            .rules
            .get(&(
                "us-east-1".to_owned(),
                "trailctl-audit-user-created".to_owned(),
            ))
            .unwrap()
            .clone();
        adopted.name = "hand-made".into();
        adopted.arn = format!("arn:aws:events:us-east-1:{ACCOUNT}:rule/hand-made");
        s.rules
            .insert(("us-east-1".to_owned(), "hand-made".to_owned()), adopted);
    }
    let p = plan_of(&f, &d, false);
    let deleted: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(deleted, ["alert.hand-made"]);
    apply_ok(&f, &p, true);
    assert!(
        !f.state
            .borrow()
            .rules
            .contains_key(&("us-east-1".to_owned(), "hand-made".to_owned()))
    );
    assert!(!plan_of(&f, &d, false).has_changes());
}
