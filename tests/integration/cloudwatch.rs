//! The compliance backend against the emulator: the CIS baseline with `backend: both` — the log
//! group and role built, the trail pointed at them, every preset's metric filter (the Security
//! Hub text, byte for byte) and alarm → a clean re-plan; a filter edited by another client and an
//! alarm deleted, shown and repaired; Insights on data events round-tripped.

use crate::emulator::{self, Account};
use crate::trails::{NO_CHANGES, apply, ok, plan, spec};

const CIS: &str = "
version: 1
stack: cw
home_region: us-east-1
buckets:
  - name: cw-logs-ACCOUNT
trails:
  - name: audit
    bucket: cw-logs-ACCOUNT
    cloudwatch_logs: {log_group: /trailctl/audit, retention_days: 365}
topics:
  - name: sec
    subscriptions: [{email: sec@example.com}]
alerts:
  - preset: cis
    notify: [sec]
    backend: both
";

async fn logs(a: &Account) -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::new(&a.sdk_config("us-east-1").await)
}

async fn cloudwatch(a: &Account) -> aws_sdk_cloudwatch::Client {
    aws_sdk_cloudwatch::Client::new(&a.sdk_config("us-east-1").await)
}

/// The plan's lines that change something (`+ …`, `~ …`, `- …`).
fn changed(plan: &str) -> Vec<String> {
    plan.lines()
        .map(str::trim_start)
        .filter(|l| ["+ ", "~ ", "- ", "-/+ "].iter().any(|p| l.starts_with(p)))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_cis_baseline_on_both_backends_round_trips_and_drift_is_repaired() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "cis-both", CIS);
    let planned = ok(&plan(&a, &f, &[]));
    for wanted in [
        "+ log_group./trailctl/audit",
        "+ role.trailctl-cw-cloudtrail-logs",
        "+ metric_filter.cis-4.3-root-account-usage",
        "+ alarm.cis-4.3-root-account-usage",
        "+ alert.cis-4.3-root-account-usage",
    ] {
        assert!(
            planned.contains(wanted),
            "missing `{wanted}` in:\n{planned}"
        );
    }
    assert!(
        planned.contains("in CloudTrail and CloudWatch charges"),
        "{planned}"
    );
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);

    // What apply made, read with plain SDK clients.
    let l = logs(&a).await;
    let groups = l
        .describe_log_groups()
        .log_group_name_prefix("/trailctl/audit")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(365));
    let filters = l
        .describe_metric_filters()
        .log_group_name("/trailctl/audit")
        .send()
        .await
        .unwrap();
    assert_eq!(filters.metric_filters().len(), 15);
    let root = filters
        .metric_filters()
        .iter()
        .find(|m| m.filter_name() == Some("trailctl-cw-cis-4.3-root-account-usage"))
        .unwrap();
    assert_eq!(
        root.filter_pattern(),
        Some(
            r#"{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}"#
        )
    );
    let t = &root.metric_transformations()[0];
    assert_eq!(
        (t.metric_namespace(), t.metric_name(), t.metric_value()),
        ("trailctl/cw", "cis-4.3-root-account-usage", "1")
    );
    let cw = cloudwatch(&a).await;
    let alarms = cw
        .describe_alarms()
        .alarm_name_prefix("trailctl-cw-")
        .send()
        .await
        .unwrap();
    assert_eq!(alarms.metric_alarms().len(), 15);
    let alarm = &alarms.metric_alarms()[0];
    assert_eq!(alarm.threshold(), Some(1.0));
    assert_eq!(alarm.period(), Some(300));
    assert_eq!(
        alarm.alarm_actions(),
        [format!("arn:aws:sns:us-east-1:{}:sec", a.id)]
    );
    let trail = aws_sdk_cloudtrail::Client::new(&a.sdk_config("us-east-1").await)
        .get_trail()
        .name("audit")
        .send()
        .await
        .unwrap();
    let t = trail.trail().unwrap();
    assert_eq!(
        t.cloud_watch_logs_log_group_arn(),
        Some(
            format!(
                "arn:aws:logs:us-east-1:{}:log-group:/trailctl/audit:*",
                a.id
            )
            .as_str()
        )
    );
    assert_eq!(
        t.cloud_watch_logs_role_arn(),
        Some(format!("arn:aws:iam::{}:role/trailctl-cw-cloudtrail-logs", a.id).as_str())
    );

    // Another client edits a filter (put again under its name: replaced, as in CloudWatch Logs)
    // and deletes an alarm.
    l.put_metric_filter()
        .log_group_name("/trailctl/audit")
        .filter_name("trailctl-cw-cis-4.10-security-group-changes")
        .filter_pattern("{ $.eventName = CreateSecurityGroup }")
        .metric_transformations(
            aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name("cis-4.10-security-group-changes")
                .metric_namespace("trailctl/cw")
                .metric_value("1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    cw.delete_alarms()
        .alarm_names("trailctl-cw-cis-4.3-root-account-usage")
        .send()
        .await
        .unwrap();
    let drift = a.trailctl(&["drift", "-f", &f]);
    assert_eq!(
        drift.status.code(),
        Some(2),
        "{}",
        crate::trails::text(&drift.stderr)
    );
    let planned = ok(&plan(&a, &f, &[]));
    assert_eq!(
        changed(&planned),
        [
            "~ metric_filter.cis-4.10-security-group-changes",
            "+ alarm.cis-4.3-root-account-usage"
        ],
        "{planned}"
    );
    assert!(
        planned.contains("CreateSecurityGroup"),
        "the pattern's diff is shown:\n{planned}"
    );
    // Repaired through a saved plan: each resource re-checked against its fingerprint first.
    let saved = format!("{f}.plan");
    ok(&plan(&a, &f, &["--out", &saved]));
    // (A topic with a confirmed subscription once made every saved plan look stale: its
    // subscriptions' ARNs are not saved, and were compared.)
    ok(&a.trailctl(&["apply", "-f", &f, &saved]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
}

#[tokio::test]
async fn insights_on_data_events_round_trip() {
    let a = emulator::shared().account().await;
    let f = spec(
        &a,
        "insights-data",
        "
version: 1
stack: ins
home_region: us-east-1
buckets: [{name: ins-logs-ACCOUNT}]
trails:
  - name: audit
    bucket: ins-logs-ACCOUNT
    data_events: [{resource: lambda_function}]
    insights:
      - {type: api_call_rate, events: [management, data]}
      - api_error_rate
",
    );
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    let got = aws_sdk_cloudtrail::Client::new(&a.sdk_config("us-east-1").await)
        .get_insight_selectors()
        .trail_name("audit")
        .send()
        .await
        .unwrap();
    let call_rate = got
        .insight_selectors()
        .iter()
        .find(|s| s.insight_type().map(|t| t.as_str()) == Some("ApiCallRateInsight"))
        .unwrap();
    let categories: Vec<&str> = call_rate
        .event_categories()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(categories, ["Management", "Data"]);
    // Down to management events only: the categories are replaced, not merged.
    let f2 = spec(
        &a,
        "insights-data",
        &std::fs::read_to_string(&f)
            .unwrap()
            .replace("events: [management, data]", "events: [management]"),
    );
    let planned = ok(&plan(&a, &f2, &[]));
    assert!(planned.contains("~ trail.audit"), "{planned}");
    ok(&apply(&a, &f2, &["--allow-destroy"]));
    assert_eq!(ok(&plan(&a, &f2, &[])), NO_CHANGES);
}
