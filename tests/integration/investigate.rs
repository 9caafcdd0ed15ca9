//! `trailctl investigate` against the emulator's event history (seeded records, launcher patch
//! 8) and the archive fixture: who deleted a table and when, a name in two Regions, throttling
//! ridden out, nothing found explained, and archives beyond 90 days in the same timeline.

use serde_json::{Value, json};
use trailctl::archive::layout::Day;

use crate::emulator;
use crate::trails::{ok, text};

/// `YYYY-MM-DDThh:00:00Z`, `days` before today.
fn days_ago(days: i64, hour: u32) -> String {
    let (y, m, d) = Day(Day::today().0 - days).civil();
    format!("{y:04}-{m:02}-{d:02}T{hour:02}:00:00Z")
}

fn record(id: &str, time: &str, region: &str, event: &str, params: Value) -> Value {
    json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "awsRegion": region,
        "eventSource": "dynamodb.amazonaws.com", "eventName": event, "eventType": "AwsApiCall",
        "readOnly": event.starts_with("Describe"), "recipientAccountId": "123456789012",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/ops/alice",
            "accessKeyId": "ASIAEXAMPLE", "sessionContext": {
                "sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/ops"},
                "attributes": {"mfaAuthenticated": "false"}}},
        "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15",
        "requestParameters": params,
    })
}

fn investigate(account: &emulator::Account, args: &[&str]) -> Value {
    let mut all = vec!["investigate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ok(&account.trailctl(&all))).unwrap()
}

#[tokio::test]
async fn a_deleted_table_is_found_with_who_and_when_in_every_region_it_was_in() {
    let account = emulator::shared().account().await;
    let orders = json!({"tableName": "orders"});
    account.seed_events(
        "eu-west-1",
        &[
            record(
                "c1",
                &days_ago(3, 9),
                "eu-west-1",
                "CreateTable",
                orders.clone(),
            ),
            record(
                "u1",
                &days_ago(2, 9),
                "eu-west-1",
                "UpdateTable",
                orders.clone(),
            ),
            record(
                "r1",
                &days_ago(2, 10),
                "eu-west-1",
                "DescribeTable",
                orders.clone(),
            ),
            record(
                "d1",
                &days_ago(1, 9),
                "eu-west-1",
                "DeleteTable",
                orders.clone(),
            ),
            record(
                "x1",
                &days_ago(1, 10),
                "eu-west-1",
                "DeleteTable",
                json!({"tableName": "orders-archive"}),
            ),
        ],
        0,
    );
    account.seed_events(
        "us-east-1",
        &[record(
            "c2",
            &days_ago(4, 9),
            "us-east-1",
            "CreateTable",
            orders.clone(),
        )],
        0,
    );
    let out = investigate(&account, &["orders", "--regions", "eu-west-1,us-east-1"]);
    let entries = out["entries"].as_array().unwrap();
    let ids: Vec<&str> = entries
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["d1", "r1", "u1", "c1", "c2"],
        "newest first, orders-archive left out"
    );
    let deletion = &entries[0];
    assert_eq!(deletion["mark"], "deletion");
    assert_eq!(deletion["time"], json!(days_ago(1, 9)));
    assert_eq!(deletion["region"], "eu-west-1");
    assert_eq!(
        deletion["who"]["arn"],
        "arn:aws:sts::123456789012:assumed-role/ops/alice"
    );
    assert_eq!(
        deletion["who"]["session_issuer"],
        "arn:aws:iam::123456789012:role/ops"
    );
    assert_eq!(deletion["who"]["source_ip"], "203.0.113.7");
    assert_eq!(
        entries[2]["mark"], "last_change",
        "the update, not the read after it"
    );
    // The human timeline says the same.
    let human =
        ok(&account.trailctl(&["investigate", "orders", "--regions", "eu-west-1,us-east-1"]));
    assert!(
        human.contains("DeleteTable")
            && human.contains("DELETED")
            && human.contains("role arn:aws:iam::123456789012:role/ops"),
        "{human}"
    );
    // Only the caller asked for.
    let none = investigate(
        &account,
        &[
            "orders",
            "--regions",
            "eu-west-1",
            "--user",
            "arn:aws:iam::123456789012:role/other",
        ],
    );
    assert!(none["entries"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn throttled_lookups_are_retried() {
    let account = emulator::shared().account().await;
    account.seed_events(
        "eu-west-1",
        &[record(
            "d1",
            &days_ago(1, 9),
            "eu-west-1",
            "DeleteTable",
            json!({"tableName": "t"}),
        )],
        3,
    );
    let out = investigate(
        &account,
        &["arn:aws:dynamodb:eu-west-1:123456789012:table/t"],
    );
    assert_eq!(out["entries"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(
        out["event_history"]["regions"],
        json!(["eu-west-1"]),
        "the ARN's Region"
    );
}

#[tokio::test]
async fn nothing_found_says_why_and_exits_zero() {
    let account = emulator::shared().account().await;
    let out = account.trailctl(&["investigate", "ghost", "--regions", "us-east-1"]);
    let stdout = ok(&out);
    assert!(
        stdout.contains("Nothing found")
            && stdout.contains("data events")
            && stdout.contains("--since"),
        "{stdout}"
    );
    let bad = account.trailctl(&["investigate", "arn:aws:s3", "--since", "soon"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(
        err.contains("is not an ARN") && err.contains("--since"),
        "every problem at once: {err}"
    );
}

/// Beyond event history's 90 days, the archives: the same timeline from the fixture's
/// Stratus Red Team records (2024).
#[tokio::test]
async fn an_archive_search_beyond_ninety_days_gives_the_same_timeline() {
    let account = emulator::shared().account().await;
    let archive = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cloudtrail/s3-layout"
    );
    let out = investigate(
        &account,
        &[
            "stratus-red-team-cloudtraild-trail-kvrwohmiai",
            "--archive",
            archive,
            "--since",
            "2024-07-01",
            "--until",
            "2024-08-31",
            "--regions",
            "megov-westwest-1r",
        ],
    );
    assert!(
        out["event_history"].is_null(),
        "the window is past event history: {out}"
    );
    let entries = out["entries"].as_array().unwrap();
    let deletion = entries
        .iter()
        .find(|e| e["event"] == "DeleteTrail")
        .expect("the deletion");
    assert_eq!(deletion["mark"], "deletion");
    for key in [
        "time",
        "region",
        "event",
        "source",
        "who",
        "error",
        "resources",
        "mark",
    ] {
        assert!(deletion.get(key).is_some(), "{key} in {deletion}");
    }
}
