//! The CloudWatch side on the in-memory account: the log group and role a trail delivers with,
//! the CIS presets on both backends (metric filters and alarms), a clean re-plan, drift shown
//! and repaired, the destroy gate, ownership of filters, and the fresh role's retry.

use crate::apply::tests::{ACCOUNT, apply_ok, desired, fake, opts, plan_of, run};
use crate::apply::{Refusal, apply};
use crate::live::error::ErrorKind;
use crate::model::logs_state::MetricFilterState;
use crate::plan::{Action, Address, Resource};

const SPEC: &str = "
version: 1
stack: cw
home_region: us-east-1
buckets: [{name: cw-logs}]
trails:
  - name: audit
    bucket: cw-logs
    cloudwatch_logs: {log_group: /trailctl/audit, retention_days: 365, kms_key: alias/logs}
topics: [{name: sec, subscriptions: [{email: sec@example.com}]}]
alerts:
  - preset: cis
    notify: [sec]
    backend: both
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [sec]
    backend: metric_filter
    alarm: {threshold: 3, period: 600}
";

fn filter(f: &crate::live::fake::Fake, name: &str) -> MetricFilterState {
    f.state
        .borrow()
        .metric_filters
        .iter()
        .find(|m| m.name == name)
        .cloned()
        .unwrap()
}

/// Another client edits the filter `name` in the fake account.
fn edit_filter(f: &crate::live::fake::Fake, name: &str, edit: impl FnOnce(&mut MetricFilterState)) {
    let mut s = f.state.borrow_mut();
    edit(
        s.metric_filters
            .iter_mut()
            .find(|m| m.name == name)
            .unwrap(),
    );
}

#[test]
fn the_cis_baseline_on_both_backends_applies_and_replans_clean() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    let created = |kind: &str| {
        p.changes
            .iter()
            .filter(|c| c.action == Action::Create && c.address.to_string().starts_with(kind))
            .count()
    };
    // 15 CIS presets with rules; 16 metric filters and alarms (the CIS ones and table-deleted).
    assert_eq!(created("alert."), 15);
    assert_eq!(created("metric_filter."), 16);
    assert_eq!(created("alarm."), 16);
    assert_eq!(created("log_group."), 1);
    assert_eq!(created("role."), 1);
    apply_ok(&f, &p, false);
    let again = plan_of(&f, &d, false);
    assert!(
        !again.has_changes(),
        "{:#?}",
        again
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .collect::<Vec<_>>()
    );

    let s = f.state.borrow();
    let group = &s.log_groups[&("us-east-1".to_owned(), "/trailctl/audit".to_owned())];
    assert_eq!(group.retention_days, Some(365));
    assert_eq!(
        group.kms_key.as_deref(),
        Some(format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/k1").as_str())
    );
    let trail = &s.trails[&("us-east-1".to_owned(), "audit".to_owned())];
    let cw = trail.settings.cloudwatch_logs.as_ref().unwrap();
    assert_eq!(
        cw.log_group_arn,
        format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/trailctl/audit:*")
    );
    assert_eq!(
        cw.role_arn,
        format!("arn:aws:iam::{ACCOUNT}:role/trailctl-cw-cloudtrail-logs")
    );
    let role = &s.roles["trailctl-cw-cloudtrail-logs"];
    let trust = role.trust.to_string();
    assert!(
        trust.contains("cloudtrail.amazonaws.com") && trust.contains(":trail/audit"),
        "{trust}"
    );
    let policy = role.policy.as_ref().unwrap().to_string();
    assert!(
        policy.contains("log-group:/trailctl/audit:log-stream:*"),
        "{policy}"
    );
    // Only rules for the alerts deployed on EventBridge.
    assert!(!s.rules.keys().any(|(_, n)| n.ends_with("table-deleted")));
    let topic = s.topics.values().find(|t| t.name == "sec").unwrap();
    let tp = topic.policy.as_ref().unwrap().to_string();
    assert!(
        tp.contains("cloudwatch.amazonaws.com") && tp.contains(":alarm:trailctl-cw-table-deleted"),
        "{tp}"
    );
    let alarm = &s.alarms[&(
        "us-east-1".to_owned(),
        "trailctl-cw-table-deleted".to_owned(),
    )];
    assert_eq!((alarm.threshold, alarm.period_seconds), (3.0, 600));
    assert_eq!(alarm.namespace, "trailctl/cw");
    drop(s);
    // The CIS filter is the Security Hub text, byte for byte.
    assert_eq!(
        filter(&f, "trailctl-cw-cis-4.3-root-account-usage").pattern,
        r#"{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}"#
    );
}

#[test]
fn drift_in_a_filter_and_a_missing_alarm_are_shown_and_repaired() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    edit_filter(&f, "trailctl-cw-cis-4.10-security-group-changes", |m| {
        m.pattern = "{ $.eventName = CreateSecurityGroup }".to_owned()
    });
    {
        let mut s = f.state.borrow_mut();
        s.alarms.remove(&(
            "us-east-1".to_owned(),
            "trailctl-cw-cis-4.3-root-account-usage".to_owned(),
        ));
    }
    let p = plan_of(&f, &d, false);
    let changed: Vec<(String, Action)> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert_eq!(
        changed,
        vec![
            (
                "metric_filter.cis-4.10-security-group-changes".to_owned(),
                Action::Update
            ),
            (
                "alarm.cis-4.3-root-account-usage".to_owned(),
                Action::Create
            ),
        ]
    );
    apply_ok(&f, &p, false);
    assert!(!plan_of(&f, &d, false).has_changes());
}

#[test]
fn dropping_monitoring_or_the_log_group_needs_allow_destroy() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    // Back to EventBridge only, and no more CloudWatch Logs delivery.
    let lean = desired(
        &SPEC
            .replace("    backend: both\n", "")
            .replace("    cloudwatch_logs: {log_group: /trailctl/audit, retention_days: 365, kms_key: alias/logs}\n", "")
            .replace("    backend: metric_filter\n    alarm: {threshold: 3, period: 600}\n", ""),
    );
    let p = plan_of(&f, &lean, false);
    let destructive: Vec<String> = p.destructive().map(|c| c.address.to_string()).collect();
    assert!(
        destructive.contains(&"log_group./trailctl/audit".to_owned()),
        "{destructive:?}"
    );
    assert!(
        destructive.contains(&"alarm.table-deleted".to_owned()),
        "{destructive:?}"
    );
    assert!(destructive.contains(&"metric_filter.cis-4.1-unauthorized-api-calls".to_owned()));
    let refused = run(apply(&f, &p, &opts(false), &mut |_| {}));
    assert!(
        matches!(refused, Err(Refusal::Destructive(_))),
        "{refused:?}"
    );
    apply_ok(&f, &p, true);
    let s = f.state.borrow();
    assert!(s.log_groups.is_empty() && s.metric_filters.is_empty() && s.alarms.is_empty());
    assert!(!s.roles.contains_key("trailctl-cw-cloudtrail-logs"));
    let trail = &s.trails[&("us-east-1".to_owned(), "audit".to_owned())];
    assert!(trail.settings.cloudwatch_logs.is_none());
    drop(s);
    assert!(!plan_of(&f, &lean, false).has_changes());
}

#[test]
fn a_filter_of_ours_by_name_but_not_by_namespace_is_a_conflict() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    edit_filter(&f, "trailctl-cw-table-deleted", |m| {
        m.namespace = "Someone/Else".to_owned()
    });
    let p = plan_of(&f, &d, false);
    assert!(
        p.conflicts.iter().any(|c| c.address
            == Some(Address::MetricFilter("table-deleted".into()))
            && c.message.contains("Someone/Else")),
        "{:?}",
        p.conflicts
    );
    let adopted = plan_of(&f, &d, true);
    assert!(adopted.conflicts.is_empty());
    let c = adopted
        .changes
        .iter()
        .find(|c| c.address == Address::MetricFilter("table-deleted".into()))
        .unwrap();
    assert!(c.adopt && c.action == Action::Update);
}

#[test]
fn a_fresh_log_delivery_role_is_retried_until_cloudtrail_can_use_it() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    f.fail("CloudTrail:CreateTrail", 1, ErrorKind::LogsRoleNotReady);
    f.fail("CloudTrail:CreateTrail", 2, ErrorKind::LogsRoleNotReady);
    let mut retries = 0;
    let out = run(apply(&f, &p, &opts(false), &mut |e| {
        if matches!(e, crate::apply::Event::Retrying { .. }) {
            retries += 1;
        }
    }))
    .unwrap();
    assert!(out.failed.is_empty(), "{:?}", out.failed);
    assert_eq!(retries, 2);
    // The log group and the role were written before the trail.
    let order: Vec<String> = p.changes.iter().map(|c| c.address.to_string()).collect();
    let at = |a: &str| order.iter().position(|x| x == a).unwrap();
    assert!(at("log_group./trailctl/audit") < at("trail.audit"));
    assert!(at("role.trailctl-cw-cloudtrail-logs") < at("trail.audit"));
    let filter = p
        .changes
        .iter()
        .find(|c| c.address == Address::MetricFilter("table-deleted".into()))
        .unwrap();
    assert!(
        matches!(&filter.after, Some(Resource::MetricFilter(m)) if m.log_group == "/trailctl/audit")
    );
}
