//! The offline pattern commands with the real binary: `events match` (every input layout,
//! gzip, the envelope and `--raw`, exit 0/1/3), `events validate-pattern`, and `trailctl test`
//! (pass, fail with the reason, placement, JUnit and JSON, a record that cannot be read).

use std::path::Path;
use std::process::{Command, Output};

const SG: &str = "tests/fixtures/cloudtrail/stratus-red-team/aws.exfiltration.ec2-security-group-open-port-22-ingress.json";
const GZ: &str = "tests/fixtures/cloudtrail/s3-layout/017622104382_CloudTrail_us-north-2r_20240802T0800Z_b691200c823048da.json.gz";
const SG_PATTERN: &str = r#"{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["AuthorizeSecurityGroupIngress"]}}"#;

fn trailctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailctl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // Offline commands: an unreachable endpoint proves no AWS call is made.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn events_match_prints_a_verdict_per_event_and_exits_0_1_or_3() {
    let out = trailctl(&["events", "match", "--pattern", SG_PATTERN, SG, GZ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&format!("{SG}[0]: match\n")), "{stdout}");
    // The 45 records of a CloudTrail log file, each labelled, none of them a match.
    assert_eq!(stdout.matches(":Records[").count(), 45, "{stdout}");
    assert_eq!(stdout.matches(": no match\n").count(), 45, "{stdout}");

    let send_command = r#"{"source":["aws.ssm"],"detail":{"eventName":["SendCommand"]}}"#;
    let out = trailctl(&["events", "match", "--pattern", send_command, GZ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).matches(": match\n").count(), 1);

    let out = trailctl(&[
        "events",
        "match",
        "--pattern",
        r#"{"source":["aws.s3"]}"#,
        SG,
    ]);
    assert_eq!(out.status.code(), Some(3), "none matched");
    assert_eq!(text(&out.stdout), format!("{SG}[0]: no match\n"));

    // --raw: the record as given, so an EventBridge pattern no longer sees `source`.
    let out = trailctl(&["events", "match", "--raw", "--pattern", SG_PATTERN, SG]);
    assert_eq!(out.status.code(), Some(3));
    let raw =
        r#"{"eventSource":["ec2.amazonaws.com"],"sourceIPAddress":[{"cidr":"253.243.215.0/24"}]}"#;
    let out = trailctl(&["events", "match", "--raw", "--pattern", raw, SG]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    let out = trailctl(&[
        "events",
        "match",
        "--pattern",
        r#"{"source":[{"prefix":1}]}"#,
        SG,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("prefix takes a string, not a number (at source[0].prefix)"),
        "{}",
        text(&out.stderr)
    );
    let out = trailctl(&[
        "events",
        "match",
        "--pattern",
        SG_PATTERN,
        "no/such/file.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read no/such/file.json"));
    assert!(
        out.stdout.is_empty(),
        "nothing printed before a bad input is found"
    );
}

#[test]
fn events_match_reads_json_lines_and_pattern_files() {
    let dir = tempdir("lines");
    let lines = dir.join("events.jsonl");
    std::fs::write(
        &lines,
        "{\"source\":\"aws.ec2\",\"detail\":{\"eventName\":\"RunInstances\",\"n\":300}}\n\n{\"source\":\"aws.ec2\",\"detail\":{\"n\":3.0e2}}\n",
    )
    .unwrap();
    let pattern = dir.join("pattern.json");
    std::fs::write(&pattern, r#"{"detail": {"n": [300]}}"#).unwrap();
    let out = trailctl(&[
        "events",
        "match",
        "--pattern",
        pattern.to_str().unwrap(),
        lines.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let l = lines.display();
    assert_eq!(text(&out.stdout), format!("{l}:1: match\n{l}:3: match\n"));
}

#[test]
fn validate_pattern_says_what_is_wrong_and_where() {
    let out = trailctl(&["events", "validate-pattern", SG_PATTERN]);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "valid\n".into())
    );
    for (pattern, message) in [
        (
            r#"{"a":[{"wildcard":"x**"}]}"#,
            "consecutive wildcard characters at position 2 (at a[0].wildcard)",
        ),
        (
            r#"{"a":[{"numeric":[">",5,"<",1]}]}"#,
            "the range's lower bound must be below its upper bound (at a[0].numeric)",
        ),
        (
            r#"{"a":[{"cidr":"10.0.0.0/33"}]}"#,
            "the prefix length must be 0 to 31 (at a[0].cidr)",
        ),
        (
            r#"{"$or":[{"a":["x"]}]}"#,
            "$or takes a list of at least two objects (at $or)",
        ),
        (
            r#"{"a":[1, 2 3]}"#,
            "not valid JSON: expected ',' or ']' in the array (at line 1, column 12)",
        ),
        ("[1]", "a pattern is a JSON object, not an array"),
    ] {
        let out = trailctl(&["events", "validate-pattern", pattern]);
        assert_eq!(out.status.code(), Some(1), "{pattern}");
        assert!(
            text(&out.stderr).contains(message),
            "{pattern}: {}",
            text(&out.stderr)
        );
    }
    let long = format!(r#"{{"a":["{}"]}}"#, "x".repeat(2100));
    let out = trailctl(&["events", "validate-pattern", &long]);
    assert!(
        text(&out.stderr).contains("EventBridge allows 2048"),
        "{}",
        text(&out.stderr)
    );
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trailctl-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn test_passes_the_seed_alerts_offline() {
    let out = trailctl(&["test", "-f", "examples/seed-alerts.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.ends_with("7 passed, 0 failed\n"), "{stdout}");
    // A pass that rests on placement says so.
    assert!(
        stdout.contains("matched, but not delivered: the event arrives in ap-south-1, and the alert has no rule there (placed in eu-west-1, us-east-1)"),
        "{stdout}"
    );
}

const FAILING: &str = r#"
version: 1
stack: t
home_region: us-east-1
regions: [us-east-1, eu-west-1]
topics: [{name: alerts}]
alerts:
  - name: sg-opened
    on: {service: ec2, events: [AuthorizeSecurityGroupIngress]}
    notify: [alerts]
    tests:
      - record: sg.json
        expect: no_match
      - record: sg.json
        expect: match
      - record: {eventVersion: "1.09", eventType: AwsApiCall, eventSource: ec2.amazonaws.com, eventName: RevokeSecurityGroupIngress, eventTime: "t", awsRegion: eu-west-1, recipientAccountId: "1"}
        expect: match
"#;

fn failing_spec() -> std::path::PathBuf {
    let dir = tempdir("failing");
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SG)).unwrap(),
    )
    .unwrap();
    let mut r = record[0].clone();
    r["awsRegion"] = "eu-west-1".into();
    std::fs::write(dir.join("sg.json"), r.to_string()).unwrap();
    let spec = dir.join("spec.yaml");
    std::fs::write(&spec, FAILING).unwrap();
    spec
}

#[test]
fn test_reports_failures_with_reasons_in_every_format() {
    let spec = failing_spec();
    let f = spec.to_str().unwrap();
    let out = trailctl(&["test", "-f", f]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL  sg-opened: sg.json (expect no_match)\n      matched on detail.eventName = \"AuthorizeSecurityGroupIngress\", detail.eventSource = \"ec2.amazonaws.com\", detail-type = \"AWS API Call via CloudTrail\", source = \"aws.ec2\"\n"), "{stdout}");
    assert!(
        stdout.contains("PASS  sg-opened: sg.json (expect match)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL  sg-opened: inline record (expect match)\n      no match: detail.eventName is \"RevokeSecurityGroupIngress\", the pattern wants [\"AuthorizeSecurityGroupIngress\"]\n"), "{stdout}");
    assert!(stdout.ends_with("1 passed, 2 failed\n"), "{stdout}");

    let junit = text(&trailctl(&["test", "-f", f, "--format", "junit"]).stdout);
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(
        junit.contains(r#"<testsuites name="trailctl" tests="3" failures="2">"#),
        "{junit}"
    );
    assert_eq!(junit.matches("<testcase ").count(), 3);
    assert_eq!(junit.matches("<failure ").count(), 2);

    let out = trailctl(&["test", "-f", f, "--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(
        (doc["passed"].as_u64(), doc["failed"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(doc["tests"][0]["matched"], true);
    assert_eq!(doc["tests"][0]["expect"], "no_match");
}

#[test]
fn test_names_a_record_it_cannot_read_at_its_place_in_the_spec() {
    let dir = tempdir("missing");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        FAILING.replace(
            "record: sg.json\n        expect: no_match",
            "record: gone.json\n        expect: no_match",
        ),
    )
    .unwrap();
    std::fs::write(dir.join("sg.json"), "{\"eventVersion\": 1").unwrap();
    let out = trailctl(&["test", "-f", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let s = spec.display();
    assert!(
        err.contains(&format!("{s}:12:17: error: cannot read ")),
        "{err}"
    );
    assert!(
        err.contains(
            "gone.json: No such file or directory (os error 2) (at alerts[0].tests[0].record)"
        ),
        "{err}"
    );
    assert!(
        err.contains(&format!("{s}:14:17: error: sg.json: not JSON: ")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn events_match_takes_a_cloudwatch_logs_filter() {
    // The filter sees the record (`$.eventName`), not the EventBridge envelope.
    let filter = r#"{ ($.eventSource = ec2.amazonaws.com) && ($.eventName = "Authorize*") }"#;
    let out = trailctl(&["events", "match", "--filter", filter, SG, GZ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&format!("{SG}[0]: match\n")), "{stdout}");
    assert_eq!(stdout.matches(": no match\n").count(), 45, "{stdout}");
    // An EventBridge event given as is: its record is its detail.
    let dir = tempdir("filter");
    let event = dir.join("event.json");
    std::fs::write(
        &event,
        r#"{"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","detail":{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupEgress"}}"#,
    )
    .unwrap();
    let file = dir.join("filter.txt");
    std::fs::write(&file, filter).unwrap();
    let out = trailctl(&[
        "events",
        "match",
        "--raw",
        "--filter",
        file.to_str().unwrap(),
        event.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = trailctl(&["events", "match", "--filter", "{ $.a > x }", SG]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the filter is invalid: column 9: > compares numbers"),
        "{}",
        text(&out.stderr)
    );
    let out = trailctl(&[
        "events",
        "match",
        "--filter",
        filter,
        "--pattern",
        SG_PATTERN,
        SG,
    ]);
    assert_eq!(out.status.code(), Some(1), "one or the other");
}

#[test]
fn test_runs_every_fixture_on_both_backends_and_says_which_fails() {
    let out = trailctl(&["test", "-f", "examples/cis-metric-filters.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // 53 CIS and strict fixtures, once through the rules and once through the filters.
    assert!(stdout.ends_with("106 passed, 0 failed\n"), "{stdout}");
    assert_eq!(stdout.matches("[metric filter]").count(), 53, "{stdout}");
    // The CIS filter counts what the corrected rule leaves out, and says so.
    assert!(
        stdout.contains("has no exclusions: it counts S3 log delivery and HeadBucket denials"),
        "{stdout}"
    );

    // A fixture the rule matches but the filter does not fails, naming the filter.
    let dir = tempdir("both");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        r#"
version: 1
stack: t
home_region: us-east-1
trails: [{name: audit, bucket: b-logs-0001, cloudwatch_logs: {log_group: /t/audit}}]
topics: [{name: alerts}]
alerts:
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [alerts]
    backend: both
    filter: '{ $.eventName = "DeleteTable" && $.requestParameters.tableName = "orders" }'
    alarm: {threshold: 2, period: 600}
    tests:
      - record: {eventVersion: "1.09", eventType: AwsApiCall, eventSource: dynamodb.amazonaws.com, eventName: DeleteTable, eventTime: "t", awsRegion: us-east-1, recipientAccountId: "1", requestParameters: {tableName: carts}}
        expect: match
"#,
    )
    .unwrap();
    let out = trailctl(&["test", "-f", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("PASS  table-deleted: inline record (expect match)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL  table-deleted [metric filter]: inline record (expect match)\n      the filter does not match: $.eventName = \"DeleteTable\", $.requestParameters.tableName = \"carts\"\n"), "{stdout}");
    let doc: serde_json::Value = serde_json::from_slice(
        &trailctl(&["test", "-f", spec.to_str().unwrap(), "--format", "json"]).stdout,
    )
    .unwrap();
    assert_eq!(doc["tests"][1]["backend"], "metric_filter");
}
