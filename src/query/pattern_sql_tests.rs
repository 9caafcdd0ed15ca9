//! Golden SQL of patterns, and what is exact, approximate or not run.

use serde_json::json;

use super::*;

fn exact(p: Value) -> String {
    match condition(&p) {
        Condition::Exact(sql) => sql,
        other => panic!("{p}: {other:?}"),
    }
}

#[test]
fn the_seed_alerts_compile_exactly() {
    let sql = exact(json!({
        "source": ["aws.dynamodb"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["dynamodb.amazonaws.com"], "eventName": ["DeleteTable"]}
    }));
    let golden = include_str!("../../tests/fixtures/sql/pattern-delete-table.sql");
    assert_eq!(sql, golden.trim_end());
}

#[test]
fn every_string_matcher_has_its_sql() {
    let sql = exact(json!({
        "detail": {
            "eventName": [{"prefix": "Delete"}, {"suffix": "Table"}, {"wildcard": "Put*Policy"}],
            "errorCode": [{"exists": false}],
            "userIdentity": {"type": [{"anything-but": ["AWSService", "AWSAccount"]}],
                             "arn": [{"equals-ignore-case": "ARN:AWS:IAM::1:ROOT"}]},
            "sourceIPAddress": [{"cidr": "10.0.0.0/8"}],
            "resources": {"ARN": [{"prefix": "arn:aws:s3:::logs"}]},
            "readOnly": [false]
        },
        "$or": [{"region": ["us-east-1"]}, {"account": ["123456789012"]}]
    }));
    for wanted in [
        "(starts_with(eventname, 'Delete') OR eventname LIKE '%Table' ESCAPE '\\' OR eventname LIKE 'Put%Policy' ESCAPE '\\')",
        "(errorcode IS NULL)",
        "(useridentity.type IS NOT NULL AND NOT (useridentity.type = 'AWSService' OR useridentity.type = 'AWSAccount'))",
        "lower(useridentity.arn) = lower('ARN:AWS:IAM::1:ROOT')",
        "contains('10.0.0.0/8', try_cast(sourceipaddress AS ipaddress))",
        "COALESCE(any_match(resources, r -> (starts_with(r.arn, 'arn:aws:s3:::logs'))), false)",
        "(readonly = 'false')",
        "((awsregion = 'us-east-1') OR (COALESCE(recipientaccountid, useridentity.accountid) = '123456789012'))",
    ] {
        assert!(sql.contains(wanted), "missing {wanted} in:\n{sql}");
    }
}

#[test]
fn types_that_cannot_match_text_are_false_and_like_text_is_escaped() {
    assert_eq!(
        exact(json!({"detail": {"eventName": [5, true]}})),
        "(FALSE OR FALSE)"
    );
    assert_eq!(exact(json!({"detail": {"readOnly": ["true"]}})), "(FALSE)");
    assert_eq!(
        exact(json!({"detail": {"eventName": [{"wildcard": "a_%\\*b*"}]}})),
        "(eventname LIKE 'a\\_\\%*b%' ESCAPE '\\')"
    );
}

#[test]
fn what_the_table_cannot_say_exactly_is_approximate_or_not_run() {
    match condition(&json!({"detail": {"requestParameters": {"bucketName": ["logs"]}}})) {
        Condition::Approximate(sql, why) => {
            assert_eq!(
                sql,
                "(json_extract_scalar(requestparameters, '$[\"bucketName\"]') = 'logs')"
            );
            assert!(why[0].contains("json_extract_scalar"), "{why:?}");
        }
        other => panic!("{other:?}"),
    }
    match condition(&json!({"detail": {"serviceEventDetails": {"x": ["y"]}}})) {
        Condition::Unsupported(why) => {
            assert!(why.contains("detail.serviceEventDetails.x"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    match condition(&json!({"detail": {"errorCode": [null]}})) {
        Condition::Approximate(_, why) => assert!(why[0].contains("null"), "{why:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_preset_runs_on_athena_exactly_or_says_why_not() {
    let mut not_exact = Vec::new();
    for p in crate::model::presets::all() {
        match condition(&p.pattern) {
            Condition::Exact(_) => {}
            Condition::Approximate(_, why) => {
                not_exact.push(format!("{}: {}", p.id, why.join("; ")))
            }
            Condition::Unsupported(why) => panic!("{}: not run: {why}", p.id),
        }
    }
    // The CIS S3 bucket-policy alert reads requestParameters; the rest is exact.
    assert!(
        not_exact.len() < crate::model::presets::all().len() / 2,
        "{not_exact:#?}"
    );
}
