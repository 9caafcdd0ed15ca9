//! The preset catalogue: `presets list/show`, every preset's fixtures through `trailctl test`
//! (the CIS baseline example), and preset alerts applied to the emulator where their events
//! arrive, with the rule state their events need.

use serde_json::Value;

use crate::emulator;
use crate::trails::{NO_CHANGES, apply, ok, plan, spec};

fn trailctl(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_trailctl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn presets_list_and_show() {
    let list = ok(&trailctl(&["presets", "list"]));
    for n in 1..=15 {
        assert!(
            list.contains(&format!("cis-4.{n}-")),
            "4.{n} missing:\n{list}"
        );
    }
    assert!(
        list.contains("4.10/5.10  CloudWatch.10  every Region"),
        "{list}"
    );
    let shown = ok(&trailctl(&[
        "presets",
        "show",
        "cis-4.1-unauthorized-api-calls",
    ]));
    assert!(shown.contains("corrected meaning"), "{shown}");
    assert!(
        shown.contains("Metric filter (backend: metric_filter):\n{($.errorCode=\"*UnauthorizedOperation\") || ($.errorCode=\"AccessDenied*\")}\n  from AWS Security Hub User Guide"),
        "{shown}"
    );
    assert!(
        shown.contains("the metric filter decides otherwise"),
        "{shown}"
    );
    let j: Value = serde_json::from_str(&ok(&trailctl(&[
        "presets",
        "show",
        "cis-4.4-iam-policy-changes",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(j["id"], "cis-4.4-iam-policy-changes");
    assert_eq!(j["scope"], "us_east_1");
    assert_eq!(j["read_only_events"], false);
    assert_eq!(j["security_hub"], "CloudWatch.4");
    assert_eq!(j["pattern"]["source"], serde_json::json!(["aws.iam"]));
    assert!(!j["fixtures"]["match"].as_array().unwrap().is_empty());
    assert!(!j["fixtures"]["no_match"].as_array().unwrap().is_empty());
    let unknown = trailctl(&["presets", "show", "cis-9.9"]);
    assert_eq!(unknown.status.code(), Some(1));
}

/// Which auditor accepts which: the CIS presets' filters (Security Hub's, byte for byte) pass
/// Prowler's checks but route tables and Organizations; with the strict set, all 15 pass.
#[test]
fn the_cis_report_says_which_auditor_accepts_which() {
    let both = ok(&trailctl(&[
        "validate",
        "-f",
        "examples/cis-metric-filters.yaml",
    ]));
    assert!(
        both.contains("CIS monitoring as Prowler checks it: 15 of 15 checks pass\n"),
        "{both}"
    );
    assert!(
        both.lines().any(|l| l.starts_with(
            "  pass  4.13  cloudwatch_changes_to_network_route_tables_alarm_configured "
        ) && l.ends_with(" strict-route-table-changes")),
        "{both}"
    );
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cis-only");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("cis-only.yaml");
    std::fs::write(
        &spec,
        "version: 1\nstack: cis\nhome_region: us-east-1\nregions: [us-east-1]\n\
         buckets: [{name: cis-only-audit-logs}]\n\
         trails: [{name: cis-only, bucket: cis-only-audit-logs, cloudwatch_logs: {log_group: /trailctl/cis-only}}]\n\
         topics: [{name: alerts, subscriptions: [{email: secops@example.com}]}]\n\
         alerts: [{preset: cis, notify: [alerts], backend: both}]\n",
    )
    .unwrap();
    let cis = ok(&trailctl(&["validate", "-f", spec.to_str().unwrap()]));
    assert!(
        cis.contains("CIS monitoring as Security Hub checks it: 14 of 14 controls pass"),
        "{cis}"
    );
    assert!(
        cis.contains("CIS monitoring as Prowler checks it: 13 of 15 checks pass"),
        "{cis}"
    );
    assert!(
        cis.contains("(`- preset: strict-route-table-changes` with `backend: both` does)"),
        "{cis}"
    );
    assert!(
        cis.contains("(`- preset: strict-organizations-changes` with `backend: both` does)"),
        "{cis}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&trailctl(&[
        "validate",
        "-f",
        spec.to_str().unwrap(),
        "--format",
        "json",
    ])))
    .unwrap();
    let failing: Vec<&str> = json["prowler_checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passes"] == false)
        .map(|c| c["cis"].as_str().unwrap())
        .collect();
    assert_eq!(failing, ["4.13", "4.15"]);
}

#[test]
fn the_cis_baseline_is_valid_lint_free_and_its_fixtures_pass() {
    let v = trailctl(&["validate", "-f", "examples/cis-baseline.yaml"]);
    assert_eq!(
        ok(&v),
        "examples/cis-baseline.yaml: valid (1 trail, 2 buckets, 1 topic, 21 alerts; 0 warnings)\n\
         CIS monitoring as Security Hub checks it: 0 of 14 controls pass: the presets deploy EventBridge rules only (add `backend: both`, and `cloudwatch_logs:` to a trail)\n\
         CIS monitoring as Prowler checks it: 0 of 15 checks pass: no alert deploys a metric filter they read (add `backend: both`)\n"
    );
    // On both backends, with a trail delivering to CloudWatch Logs: every control passes.
    let both = ok(&trailctl(&[
        "validate",
        "-f",
        "examples/cis-metric-filters.yaml",
    ]));
    assert!(
        both.contains("CIS monitoring as Security Hub checks it: 14 of 14 controls pass\n  pass  CloudWatch.1   cis-4.3-root-account-usage\n"),
        "{both}"
    );
    let t = ok(&trailctl(&["test", "-f", "examples/cis-baseline.yaml"]));
    assert!(t.ends_with("53 passed, 0 failed\n"), "{t}");
    assert!(!t.contains("FAIL"), "{t}");
}

#[tokio::test]
async fn preset_alerts_are_placed_where_their_events_arrive() {
    let a = emulator::shared().account().await;
    let f = spec(
        &a,
        "presets",
        "
version: 1
stack: pre
home_region: eu-west-1
regions: [eu-west-1]
topics: [{name: sec}]
alerts:
  - preset: cis-4.4-iam-policy-changes
    notify: [sec]
  - preset: cis-4.3-root-account-usage
    notify: [sec]
    message: 'root did <eventName>'
  - preset: seed-dynamodb-table-deleted
    name: table-gone
    notify: [sec]
",
    );
    let planned = ok(&plan(&a, &f, &[]));
    assert!(
        planned.contains(
            "+ alert.cis-4.4-iam-policy-changes  eu-west-1 (→ SNS), us-east-1 → eu-west-1\n"
        ),
        "IAM events arrive in us-east-1 only, forwarded to the home Region:\n{planned}"
    );
    assert!(
        planned.contains("+ alert.table-gone  eu-west-1 (→ SNS)"),
        "{planned}"
    );
    assert!(
        planned.contains("root did"),
        "the message override:\n{planned}"
    );
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    let rule = a
        .events("eu-west-1")
        .await
        .describe_rule()
        .name("trailctl-pre-cis-4.3-root-account-usage")
        .send()
        .await
        .unwrap();
    assert_eq!(
        rule.state().map(|s| s.as_str()),
        Some("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        "root activity includes read-only calls"
    );
}
