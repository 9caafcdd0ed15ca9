//! Alerts against the emulator with the real binary: apply from empty and a clean re-plan,
//! end-to-end delivery of a real CloudTrail record (PutEvents → rule → SNS → SQS) from the home
//! Region and forwarded from another, a disabled alert that stays silent, drift by another
//! client shown and repaired, resources that are not ours left alone, and pagination.

use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
use serde_json::Value;
use trailctl::live::aws::AwsAccount;
use trailctl::live::services::Events;

use crate::emulator::{self, Account};
use crate::trails::{NO_CHANGES, apply, ok, plan, spec};

const SPEC: &str = "
version: 1
stack: alerts
home_region: us-east-1
regions: [us-east-1, eu-west-1]
topics:
  - name: security-alerts
    display_name: Security alerts
    subscriptions:
      - sqs: arn:aws:sqs:us-east-1:ACCOUNT:inbox
      - email: secops@example.com
alerts:
  - name: security-group-opened
    on: {service: ec2, events: [AuthorizeSecurityGroupIngress]}
    notify: [security-alerts]
    message: <userIdentity.arn> opened <requestParameters.groupId> to <requestParameters.cidrIp> in <awsRegion>
  - name: sg-opened-silenced
    on: {service: ec2, events: [AuthorizeSecurityGroupIngress]}
    notify: [security-alerts]
    message: this alert is disabled and must never be delivered
    enabled: false
  - name: role-assumed
    pattern:
      source: [aws.sts]
      detail-type: [AWS API Call via CloudTrail]
      detail: {eventName: [AssumeRole]}
    notify: [security-alerts]
";

/// The one CloudTrail record of the Stratus Red Team "open port 22" detonation.
fn record() -> Value {
    let path = format!(
        "{}/tests/fixtures/cloudtrail/stratus-red-team/aws.exfiltration.ec2-security-group-open-port-22-ingress.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all[0].clone()
}

/// `record` as EventBridge delivers a CloudTrail API call (source from eventSource).
fn event_of(record: &Value) -> PutEventsRequestEntry {
    let service = record["eventSource"]
        .as_str()
        .unwrap()
        .trim_end_matches(".amazonaws.com");
    PutEventsRequestEntry::builder()
        .source(format!("aws.{service}"))
        .detail_type("AWS API Call via CloudTrail")
        .detail(record.to_string())
        .build()
}

/// The SNS messages that reached the queue within `wait`.
pub(crate) async fn received(a: &Account, queue_url: &str, wait: Duration) -> Vec<String> {
    let sqs = a.sqs().await;
    let mut out = Vec::new();
    let start = Instant::now();
    while start.elapsed() < wait {
        let got = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        for m in got.messages() {
            let envelope: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            out.push(envelope["Message"].as_str().unwrap().to_owned());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    out
}

#[tokio::test]
async fn alerts_apply_deliver_drift_and_repair() {
    let a = emulator::shared().account().await;
    let queue = a
        .sqs()
        .await
        .create_queue()
        .queue_name("inbox")
        .send()
        .await
        .unwrap();
    let queue_url = queue.queue_url().unwrap().to_owned();
    // Not ours: a rule and a topic of someone else's, which trailctl must leave alone.
    let east = a.events("us-east-1").await;
    east.put_rule()
        .name("someone-elses-rule")
        .event_pattern(r#"{"source":["aws.s3"]}"#)
        .send()
        .await
        .unwrap();
    let sns = a.sns().await;
    let theirs = sns
        .create_topic()
        .name("someone-elses-topic")
        .send()
        .await
        .unwrap();

    let f = spec(&a, "alerts", SPEC);
    let planned = ok(&plan(&a, &f, &[]));
    assert!(
        planned.contains("+ alert.security-group-opened  us-east-1 (→ SNS), eu-west-1 → us-east-1"),
        "{planned}"
    );
    assert!(
        planned.contains("+ role.trailctl-alerts-forwarder"),
        "{planned}"
    );
    let applied = apply(&a, &f, &[]);
    ok(&applied);
    assert!(
        String::from_utf8_lossy(&applied.stderr).contains("names read-only events (AssumeRole)"),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    let iam = a.iam().await;
    let role = "trailctl-alerts-forwarder";
    assert!(iam.get_role().role_name(role).send().await.is_ok());

    // End to end: the real record, put on the home bus, arrives as the rendered text.
    let r = record();
    east.put_events()
        .entries(event_of(&r))
        .send()
        .await
        .unwrap();
    let expected = "arn:aws:iam::032092706103:user/christophe opened sg-003dc7f1f1c686164 to 208.236.235.254/0 in us-northeast-1r";
    let got = received(&a, &queue_url, Duration::from_secs(2)).await;
    // One message: the disabled alert on the same event delivers nothing.
    assert_eq!(got, vec![expected.to_owned()]);
    // From eu-west-1, through the forwarding rule to the home bus, to the same topic.
    let west = a.events("eu-west-1").await;
    west.put_events()
        .entries(event_of(&r))
        .send()
        .await
        .unwrap();
    let got = received(&a, &queue_url, Duration::from_secs(2)).await;
    assert_eq!(got, vec![expected.to_owned()]);

    // Drift by another client.
    let rule = "trailctl-alerts-security-group-opened";
    east.put_rule()
        .name(rule)
        .event_pattern(
            r#"{"source":["aws.ec2"],"detail":{"eventName":["RevokeSecurityGroupIngress"]}}"#,
        )
        .send()
        .await
        .unwrap();
    west.remove_targets()
        .rule(rule)
        .ids("home-bus")
        .send()
        .await
        .unwrap();
    east.disable_rule()
        .name("trailctl-alerts-role-assumed")
        .send()
        .await
        .unwrap();
    let topic_arn = format!("arn:aws:sns:us-east-1:{}:security-alerts", a.id);
    let attrs = sns
        .get_topic_attributes()
        .topic_arn(&topic_arn)
        .send()
        .await
        .unwrap();
    let mut policy: Value =
        serde_json::from_str(attrs.attributes().unwrap().get("Policy").unwrap()).unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != "TrailctlEventBridgePublish");
    sns.set_topic_attributes()
        .topic_arn(&topic_arn)
        .attribute_name("Policy")
        .attribute_value(policy.to_string())
        .send()
        .await
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:us-east-1:{}:exfil", a.id))
        .send()
        .await
        .unwrap();

    let drift = ok(&plan(&a, &f, &[]));
    for shown in [
        "~ topic.security-alerts",
        "TrailctlEventBridgePublish",
        &format!("sqs:arn:aws:sqs:us-east-1:{}:exfil", a.id),
        "~ alert.security-group-opened",
        "RevokeSecurityGroupIngress",
        "eu-west-1 (no target)",
        "~ alert.role-assumed",
        "\"DISABLED\"",
        "Plan: 0 to add, 3 to change, 0 to destroy.",
    ] {
        assert!(drift.contains(shown), "missing {shown:?} in:\n{drift}");
    }
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    // Delivery works again after the repair.
    east.put_events()
        .entries(event_of(&r))
        .send()
        .await
        .unwrap();
    assert_eq!(
        received(&a, &queue_url, Duration::from_secs(2)).await,
        vec![expected.to_owned()]
    );

    // Someone else's rule and topic were never touched.
    let rules = east.list_rules().send().await.unwrap();
    assert!(
        rules
            .rules()
            .iter()
            .any(|r| r.name() == Some("someone-elses-rule"))
    );
    let attrs = sns
        .get_topic_attributes()
        .topic_arn(theirs.topic_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert!(attrs.attributes().is_some());

    // Gone from the spec: the stack's rules, topic and role are deleted; the others stay.
    let empty = spec(
        &a,
        "empty",
        "version: 1\nstack: alerts\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n",
    );
    let planned = ok(&plan(&a, &empty, &[]));
    assert!(
        planned.contains("Plan: 0 to add, 0 to change, 5 to destroy."),
        "{planned}"
    );
    ok(&apply(&a, &empty, &[]));
    assert_eq!(ok(&plan(&a, &empty, &[])), NO_CHANGES);
    let left: Vec<String> = east
        .list_rules()
        .send()
        .await
        .unwrap()
        .rules()
        .iter()
        .filter_map(|r| r.name().map(str::to_owned))
        .collect();
    assert_eq!(left, ["someone-elses-rule"]);
    assert!(iam.get_role().role_name(role).send().await.is_err());
}

#[tokio::test]
async fn rules_and_targets_are_read_across_pages() {
    let a = emulator::shared().account().await;
    let events = a.events("eu-west-1").await;
    for i in 0..3 {
        let name = format!("trailctl-paged-r{i}");
        events
            .put_rule()
            .name(&name)
            .event_pattern(r#"{"source":["aws.ec2"]}"#)
            .send()
            .await
            .unwrap();
        for t in 0..3 {
            events
                .put_targets()
                .rule(&name)
                .targets(
                    Target::builder()
                        .id(format!("t{t}"))
                        .arn(format!("arn:aws:sns:eu-west-1:{}:topic{t}", a.id))
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
        }
    }
    let account =
        AwsAccount::new(a.sdk_config("eu-west-1").await, "eu-west-1", true).with_page_size(2);
    let rules = account
        .list_rules("eu-west-1", "trailctl-paged-")
        .await
        .unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "trailctl-paged-r0",
            "trailctl-paged-r1",
            "trailctl-paged-r2"
        ]
    );
    for r in &rules {
        assert_eq!(r.targets.len(), 3, "{}", r.name);
    }
}

/// More rules than the account's quota on one bus: the plan reads the quota (Service Quotas),
/// refuses before any write, says which alerts could share a rule, and goes through once the
/// quota is raised.
#[tokio::test]
async fn the_rules_quota_is_read_and_checked_before_any_write() {
    let a = emulator::shared().account().await;
    let yaml = "
version: 1
stack: quota
home_region: us-east-1
regions: [us-east-1]
topics:
  - name: ops
alerts:
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [ops]
  - name: key-deleted
    on: {service: kms, events: [ScheduleKeyDeletion]}
    notify: [ops]
  - name: trail-stopped
    on: {service: cloudtrail, events: [StopLogging]}
    notify: [ops]
  - name: bucket-deleted
    on: {service: s3, events: [DeleteBucket]}
    notify: [ops]
    message: <requestParameters.bucketName> deleted by <userIdentity.arn>
";
    let f = spec(&a, "quota", yaml);
    a.set_rule_quota("us-east-1", 3);
    let out = plan(&a, &f, &[]);
    let err = crate::trails::fails(&out);
    assert!(
        err.contains("4 alerts of this spec have a rule on the default event bus of us-east-1, over the account's quota there (Service Quotas): 3 rules per bus; apply would stop at the 4th"),
        "{err}"
    );
    assert!(
        err.contains("could each be one rule (a pattern with `$or`): table-deleted + key-deleted + trail-stopped"),
        "{err}"
    );
    let err = crate::trails::fails(&apply(&a, &f, &[]));
    assert!(err.contains("over the account's quota"), "{err}");
    let eb = a.events("us-east-1").await;
    let rules = eb
        .list_rules()
        .name_prefix("trailctl-quota-")
        .send()
        .await
        .unwrap();
    assert!(rules.rules().is_empty(), "nothing written");

    // Within a tenth of the quota: a warning; well within: nothing.
    a.set_rule_quota("us-east-1", 4);
    let out = plan(&a, &f, &[]);
    let warned = crate::trails::text(&out.stderr);
    assert!(
        warned.contains("close to the account's quota there (Service Quotas): 4 rules per bus"),
        "{warned}"
    );
    a.set_rule_quota("us-east-1", 400);
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
}
