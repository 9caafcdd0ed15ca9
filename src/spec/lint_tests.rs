//! One positive and one negative case per lint, on whole specs: the lint must fire on the trap
//! and stay silent on the spec that avoids it.

use crate::model::diagnostic::Severity;
use crate::spec::parse;

/// A valid spec: two Regions, one encrypted, validated trail whose bucket's access is logged,
/// one topic, and `extra` appended
/// (YAML keys such as `alerts:`, or more trail keys when `trail` is given).
fn spec(trail: &str, extra: &str) -> String {
    format!(
        "version: 1\nstack: t\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
         buckets: [{{name: t-audit-logs, access_logging: {{bucket: t-access-logs}}}}, {{name: t-access-logs}}]\n\
         trails:\n  - name: t-audit\n    bucket: t-audit-logs\n    kms_key: alias/t-audit\n{trail}\
         topics: [{{name: alerts}}]\n{extra}"
    )
}

/// The `[lint]` diagnostics of a valid spec as `(severity, path, message)`.
fn lints(yaml: &str) -> Vec<(Severity, String, String)> {
    let loaded = match parse(yaml.as_bytes()) {
        Ok(l) => l,
        Err(d) => panic!("the spec is invalid: {d:#?}\n{yaml}"),
    };
    loaded
        .warnings
        .iter()
        .filter(|d| d.lint.is_some())
        .map(|d| (d.severity, d.path.to_string(), d.text()))
        .collect()
}

fn fired(yaml: &str, lint: &str) -> Vec<(Severity, String, String)> {
    let tag = format!("[{lint}]");
    lints(yaml)
        .into_iter()
        .filter(|(_, _, m)| m.starts_with(&tag))
        .collect()
}

fn alert(body: &str) -> String {
    format!("alerts:\n  - name: a\n    notify: [alerts]\n{body}")
}

#[test]
fn the_base_spec_is_lint_clean() {
    assert_eq!(lints(&spec("", "")), vec![]);
}

#[test]
fn alert_placement() {
    let iam = "    on: {service: iam, events: [CreateUser]}\n";
    let w = fired(
        &spec("", &alert(&format!("{iam}    regions: [eu-west-1]\n"))),
        "alert-placement",
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "alerts[0].regions");
    assert!(w[0].2.contains("arrive in us-east-1 only"), "{w:?}");
    let w = fired(
        &spec(
            "",
            &alert(&format!("{iam}    regions: [us-east-1, eu-west-1]\n")),
        ),
        "alert-placement",
    );
    assert!(
        w[0].2.contains("the rules in eu-west-1 never fire"),
        "{w:?}"
    );
    let ec2 = "    on: {service: ec2, events: [AuthorizeSecurityGroupIngress]}\n";
    let w = fired(
        &spec("", &alert(&format!("{ec2}    regions: [us-east-1]\n"))),
        "alert-placement",
    );
    assert!(w[0].2.contains("also arrive in eu-west-1"), "{w:?}");

    assert_eq!(fired(&spec("", &alert(iam)), "alert-placement"), vec![]);
    assert_eq!(fired(&spec("", &alert(ec2)), "alert-placement"), vec![]);
    let both = format!("{ec2}    regions: [us-east-1, eu-west-1]\n");
    assert_eq!(fired(&spec("", &alert(&both)), "alert-placement"), vec![]);
}

#[test]
fn read_only_events() {
    let on = "    on: {service: secretsmanager, events: [GetSecretValue]}\n";
    let w = fired(
        &spec("", &alert(&format!("{on}    read_only_events: false\n"))),
        "read-only-events",
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "alerts[0].read_only_events");
    assert_eq!(fired(&spec("", &alert(on)), "read-only-events"), vec![]);
}

#[test]
fn never_matches() {
    let typo = "    pattern:\n      source: [aws.signin]\n      detail-type: [AWS Console Signin via CloudTrail]\n";
    let w = fired(&spec("", &alert(typo)), "never-matches");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "alerts[0].pattern.detail-type");
    let loaded = parse(spec("", &alert(typo)).as_bytes()).unwrap();
    let hint = loaded.warnings[0].hint.clone().unwrap_or_default();
    assert!(
        hint.contains("AWS Console Sign In via CloudTrail"),
        "{hint}"
    );

    let crossed = "    pattern:\n      source: [aws.ec2]\n      detail:\n        eventSource: [iam.amazonaws.com]\n";
    let w = fired(&spec("", &alert(crossed)), "never-matches");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "alerts[0].pattern.source");

    let good = "    pattern:\n      source: [aws.iam]\n      detail-type: [AWS API Call via CloudTrail]\n      detail:\n        eventSource: [iam.amazonaws.com]\n";
    assert_eq!(fired(&spec("", &alert(good)), "never-matches"), vec![]);
    let sign_in = "    on: {type: console_sign_in}\n";
    assert_eq!(fired(&spec("", &alert(sign_in)), "never-matches"), vec![]);
}

#[test]
fn trail_coverage_of_data_events() {
    let s3 = alert("    on: {service: s3, events: [PutObject]}\n");
    let w = fired(&spec("", &s3), "trail-coverage");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].2.contains("AWS::S3::Object"), "{w:?}");
    assert_eq!(w[0].1, "alerts[0].name");
    let data =
        "    data_events:\n      - {resource: s3_object, arns: [\"arn:aws:s3:::t-data/\"]}\n";
    assert_eq!(fired(&spec(data, &s3), "trail-coverage"), vec![]);
    // A management event of the same service needs no data events.
    let bucket = alert("    on: {service: s3, events: [PutBucketPolicy]}\n");
    assert_eq!(fired(&spec("", &bucket), "trail-coverage"), vec![]);
}

#[test]
fn trail_coverage_of_excluded_kms_events() {
    let kms = alert("    on: {service: kms, events: [ScheduleKeyDeletion]}\n");
    let excluded = "    exclude_management_sources: [kms.amazonaws.com]\n";
    let w = fired(&spec(excluded, &kms), "trail-coverage");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].2.contains("excludes KMS"), "{w:?}");
    assert_eq!(fired(&spec("", &kms), "trail-coverage"), vec![]);
}

#[test]
fn trail_coverage_of_write_events() {
    let ec2 = alert("    on: {service: ec2, events: [AuthorizeSecurityGroupIngress]}\n");
    let reads = "    management_events: read_only\n";
    let w = fired(&spec(reads, &ec2), "trail-coverage");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].2.contains("AuthorizeSecurityGroupIngress"), "{w:?}");
    let writes = "    management_events: write_only\n";
    assert_eq!(fired(&spec(writes, &ec2), "trail-coverage"), vec![]);

    let secret = alert("    on: {service: secretsmanager, events: [GetSecretValue]}\n");
    let w = fired(&spec(writes, &secret), "trail-coverage");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].2.contains("no read management events"), "{w:?}");
    assert_eq!(fired(&spec(reads, &secret), "trail-coverage"), vec![]);
    // A read data event needs data events, not read management events.
    let get = alert("    on: {service: s3, events: [GetObject]}\n");
    let data = "    data_events: [{resource: s3_object, arns: [\"arn:aws:s3:::t-data/\"]}]\n";
    let w = fired(&spec(&format!("{writes}{data}"), &get), "trail-coverage");
    assert_eq!(w, vec![]);
}

#[test]
fn management_copy() {
    let second = "  - name: t-second\n    bucket: t-audit-logs\n    kms_key: alias/t-audit\n";
    let w = fired(&spec(second, ""), "management-copy");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "trails[1].name");
    let data_only = format!(
        "{second}    management_events: none\n    data_events: [{{resource: lambda_function}}]\n"
    );
    assert_eq!(fired(&spec(&data_only, ""), "management-copy"), vec![]);
}

#[test]
fn log_loop() {
    let all = "    data_events: [{resource: s3_object}]\n";
    let w = fired(&spec(all, ""), "log-loop");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].1, "trails[0].data_events");
    let own = "    data_events: [{resource: s3_object, arns: [\"arn:aws:s3:::t-audit-logs/\"]}]\n";
    assert_eq!(fired(&spec(own, ""), "log-loop").len(), 1);
    let other = "    data_events: [{resource: s3_object, arns: [\"arn:aws:s3:::t-data/\"]}]\n";
    assert_eq!(fired(&spec(other, ""), "log-loop"), vec![]);
    let reads = "    data_events: [{resource: s3_object, access: read}]\n";
    assert_eq!(fired(&spec(reads, ""), "log-loop"), vec![]);
}

#[test]
fn trail_integrity_is_a_note() {
    let plain = "version: 1\nstack: t\nhome_region: us-east-1\nbuckets: [{name: t-audit-logs}]\n\
                 trails:\n  - name: t-audit\n    bucket: t-audit-logs\n    log_file_validation: false\n";
    let n = fired(plain, "trail-integrity");
    assert_eq!(n.len(), 3, "{n:?}");
    assert!(n.iter().all(|(s, _, _)| *s == Severity::Note), "{n:?}");
    assert!(n.iter().any(|(_, _, m)| m.contains("CIS 3.2")), "{n:?}");
    assert!(n.iter().any(|(_, _, m)| m.contains("CIS 3.5")), "{n:?}");
    assert!(
        n.iter().any(|(_, _, m)| m.contains("CIS v3.0 3.4")),
        "{n:?}"
    );
    // Access logs to a bucket the spec does not declare: a warning with what its policy needs.
    let external = spec("", "").replace("{name: t-access-logs}", "{name: t-other}");
    let w = fired(&external, "trail-integrity");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, Severity::Warning);
    assert!(w[0].2.contains("logging.s3.amazonaws.com"), "{w:?}");
    assert_eq!(fired(&spec("", ""), "trail-integrity"), vec![]);
}

#[test]
fn wildcard_quota() {
    let alerts = |n: usize| {
        let mut s = String::from("alerts:\n");
        for i in 0..n {
            s.push_str(&format!(
                "  - name: w{i}\n    notify: [alerts]\n    on: {{service: ec2, events: [AuthorizeSecurityGroupIngress], detail: {{userIdentity: {{arn: [{{wildcard: \"*role/w{i}*\"}}]}}}}}}\n"
            ));
        }
        s
    };
    let w = fired(&spec("", &alerts(31)), "wildcard-quota");
    assert_eq!(w.len(), 2, "one per Region: {w:?}");
    assert_eq!(w[0].1, "alerts[30].name");
    assert_eq!(fired(&spec("", &alerts(30)), "wildcard-quota"), vec![]);
}

/// Importing a detection library multiplies rules: more alerts in a Region than EventBridge's
/// default quota of rules per bus is found at validate, with the count, not halfway through an
/// apply.
#[test]
fn rule_quota() {
    let alerts = |n: usize| {
        let mut s = String::from("alerts:\n");
        for i in 0..n {
            s.push_str(&format!(
                "  - name: r{i}\n    notify: [alerts]\n    on: {{service: ec2, events: [DeleteVpc{i}]}}\n"
            ));
        }
        s
    };
    let w = fired(&spec("", &alerts(301)), "rule-quota");
    // One warning per Region, then the alerts that could share one rule (same topics, message,
    // state and Regions): here all 301.
    assert_eq!(w.len(), 3, "{w:?}");
    let warnings: Vec<_> = w.iter().filter(|d| d.0 == Severity::Warning).collect();
    assert_eq!(warnings.len(), 2, "{w:?}");
    assert_eq!(warnings[0].1, "alerts[300].name");
    assert!(warnings[0].2.contains("301 alerts"), "{w:?}");
    let note = w.iter().find(|d| d.0 == Severity::Note).unwrap();
    assert_eq!(note.1, "alerts[0].name");
    assert!(note.2.contains("300 rules fewer per Region"), "{w:?}");
    assert_eq!(fired(&spec("", &alerts(300)), "rule-quota"), vec![]);
}
