//! The SQL trailctl writes for Athena, executed: `backtest --athena`'s queries run on an embedded
//! engine (DuckDB, the Trino text transpiled by sqlglot, `tests/sql/run_athena_sql.py`, in the
//! emulator venv) over a table with the Athena CloudTrail table's columns, holding the archived
//! Stratus Red Team records (with the partitions of the folders they were delivered in) and
//! generated records that exercise every pattern operator, several `resources` elements, record
//! types EventBridge never receives and the edges of the day window. Per alert, the count of the
//! SQL equals the native count (EventBridge's matching over each record as EventBridge receives
//! it, in the window the archive reader reads), except for alerts trailctl labels approximate.
//! Every statement parses with Trino's grammar (sqlglot, errors raised).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use trailctl::archive::layout::Day;
use trailctl::backtest::athena::alerts_queries;
use trailctl::filter::Filter;
use trailctl::model::envelope::eventbridge_event;
use trailctl::pattern::Pattern;
use trailctl::query::filter_sql::filter_condition;
use trailctl::query::pattern_sql::{Condition, condition};
use trailctl::query::sql::Partitions;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A record, and the partitions of the folder it was delivered in.
struct Row {
    record: Value,
    account: String,
    /// `CloudTrail`, or `CloudTrail-Insight` for Insights events.
    logtype: &'static str,
    region: String,
    /// `YYYY/MM/DD`.
    day: String,
}

/// The archived Stratus Red Team records, each with its folder's partitions.
fn archived() -> Vec<Row> {
    let mut out = Vec::new();
    let base = root().join("tests/fixtures/cloudtrail/s3-layout/AWSLogs");
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/FILE.json.gz
            let parts: Vec<String> = path
                .strip_prefix(&base)
                .unwrap()
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts.len() != 7 || parts[1] != "CloudTrail" {
                continue;
            }
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap()),
                &mut text,
            )
            .unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            for record in doc["Records"].as_array().unwrap() {
                out.push(Row {
                    record: record.clone(),
                    account: parts[0].clone(),
                    logtype: "CloudTrail",
                    region: parts[2].clone(),
                    day: format!("{}/{}/{}", parts[3], parts[4], parts[5]),
                });
            }
        }
    }
    out
}

const SINCE: &str = "2024-07-30";
const UNTIL: &str = "2024-11-30";

/// A generated record of `eventType` in `region` at `time`, delivered in the folder of `day`.
fn record(time: &str, day: &str, event_type: &str, event: &str, extra: Value) -> Row {
    let mut r = json!({
        "eventVersion": "1.09", "eventTime": time, "eventSource": "kms.amazonaws.com",
        "eventName": event, "awsRegion": "us-east-1", "eventType": event_type,
        "eventID": format!("gen-{time}-{event}"), "recipientAccountId": "111122223333",
        "sourceIPAddress": "10.1.2.3", "userAgent": "aws-cli/2.15", "readOnly": false,
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333"},
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    Row {
        record: r,
        account: "111122223333".into(),
        logtype: "CloudTrail",
        region: "us-east-1".into(),
        day: day.into(),
    }
}

/// Records that exercise the edges the archive does not hold.
fn generated() -> Vec<Row> {
    let api = "AwsApiCall";
    let t = "2024-08-10T12:00:00Z";
    let d = "2024/08/10";
    vec![
        // Several resources: one element an S3 bucket, another a KMS key.
        record(
            t,
            d,
            api,
            "Mixed",
            json!({"resources": [
                {"ARN": "arn:aws:kms:us-east-1:111122223333:key/k", "type": "AWS::KMS::Key"},
                {"ARN": "arn:aws:s3:::logs", "type": "AWS::S3::Bucket"}]}),
        ),
        record(
            t,
            d,
            api,
            "KeyOnly",
            json!({"resources": [
                {"ARN": "arn:aws:kms:us-east-1:111122223333:key/k", "type": "AWS::KMS::Key"}]}),
        ),
        record(
            t,
            d,
            api,
            "BucketOnly",
            json!({"resources": [{"ARN": "arn:aws:s3:::logs", "type": "AWS::S3::Bucket"}]}),
        ),
        record(
            t,
            d,
            api,
            "Untyped",
            json!({"resources": [{"ARN": "arn:aws:s3:::logs"}]}),
        ),
        record(t, d, api, "NoResources", json!({})),
        record(
            t,
            d,
            api,
            "PartlyTyped",
            json!({"resources": [
                {"ARN": "arn:aws:s3:::a", "type": "AWS::S3::Bucket"},
                {"ARN": "arn:aws:s3:::b"}]}),
        ),
        record(
            t,
            d,
            api,
            "PartlyTypedElsewhere",
            json!({"resources": [
                {"ARN": "arn:aws:s3:::a", "type": "AWS::S3::Bucket"}, {"ARN": "x"}]}),
        ),
        // Wildcards with escapes: a backslash, and a literal star.
        record(
            t,
            d,
            api,
            "Tool",
            json!({"userAgent": "C:\\tools\\run.exe"}),
        ),
        record(t, d, api, "Star", json!({"userAgent": "a*b"})),
        record(t, d, api, "NoStar", json!({"userAgent": "axxb"})),
        // Case, CIDR, errors, read-only, the console.
        record(
            t,
            d,
            api,
            "Upper",
            json!({"userAgent": "AWS-CLI/2.15", "sourceIPAddress": "192.168.7.9",
                "errorCode": "AccessDenied", "readOnly": true}),
        ),
        record(
            t,
            d,
            "AwsConsoleSignIn",
            "ConsoleLogin",
            json!({"eventSource": "signin.amazonaws.com",
                "sourceIPAddress": "kms.amazonaws.com"}),
        ),
        // An Insights event, in the CloudTrail-Insight folder.
        Row {
            logtype: "CloudTrail-Insight",
            ..record(
                t,
                d,
                "AwsCloudTrailInsight",
                "PutObject",
                json!({"eventSource": "s3.amazonaws.com", "eventCategory": "Insight",
                    "userIdentity": null, "sourceIPAddress": null, "userAgent": null,
                    "readOnly": null,
                    "insightDetails": {"state": "Start", "eventSource": "s3.amazonaws.com",
                        "eventName": "PutObject", "insightType": "ApiCallRateInsight"}}),
            )
        },
        // Types EventBridge never receives.
        record(t, d, "AwsVpceEvent", "DeleteKey", json!({})),
        record(t, d, "AwsServiceEvent", "DeleteKey", json!({})),
        // The day window: the day before, delivered in the first folder (out); the last day,
        // delivered in the next day's folder (in); the next day (out).
        record("2024-07-29T23:59:00Z", "2024/07/30", api, "Edge", json!({})),
        record("2024-11-30T23:58:00Z", "2024/12/01", api, "Edge", json!({})),
        record("2024-12-01T00:01:00Z", "2024/12/01", api, "Edge", json!({})),
    ]
}

/// Patterns for every operator and the edges above, each with a name.
fn patterns() -> Vec<(String, Value)> {
    let d = |detail: Value| json!({"detail": detail});
    let cases = vec![
        (
            "resources-one-element",
            d(
                json!({"resources": {"ARN": [{"prefix": "arn:aws:kms:"}], "type": ["AWS::S3::Bucket"]}}),
            ),
        ),
        (
            "resources-same-element",
            d(
                json!({"resources": {"ARN": [{"prefix": "arn:aws:kms:"}], "type": ["AWS::KMS::Key"]}}),
            ),
        ),
        (
            "resources-absent-or-key",
            d(json!({"resources": {"type": [{"exists": false}, "AWS::KMS::Key"]}})),
        ),
        (
            "resources-type-absent",
            d(json!({"resources": {"type": [{"exists": false}]}})),
        ),
        (
            "resources-arn-and-absent-type",
            d(
                json!({"resources": {"ARN": [{"prefix": "arn:aws:s3:::"}], "type": [{"exists": false}]}}),
            ),
        ),
        (
            "wildcard-backslash",
            d(json!({"userAgent": [{"wildcard": "C:\\\\tools\\\\*"}]})),
        ),
        (
            "wildcard-star",
            d(json!({"userAgent": [{"wildcard": "a\\*b"}]})),
        ),
        (
            "wildcard-any",
            d(json!({"userAgent": [{"wildcard": "a*b"}, {"wildcard": "*-cli/*"}]})),
        ),
        ("prefix", d(json!({"userAgent": [{"prefix": "aws-"}]}))),
        (
            "prefix-ignore-case",
            d(json!({"userAgent": [{"prefix": {"equals-ignore-case": "AWS-"}}]})),
        ),
        ("suffix", d(json!({"eventName": [{"suffix": "Key"}]}))),
        (
            "suffix-ignore-case",
            d(json!({"eventName": [{"suffix": {"equals-ignore-case": "KEY"}}]})),
        ),
        (
            "equals-ignore-case",
            d(json!({"userAgent": [{"equals-ignore-case": "aws-cli/2.15"}]})),
        ),
        (
            "anything-but",
            d(json!({"eventName": [{"anything-but": ["Mixed", "Edge"]}]})),
        ),
        (
            "anything-but-prefix",
            d(json!({"eventName": [{"anything-but": {"prefix": "Describe"}}]})),
        ),
        (
            "anything-but-suffix",
            d(json!({"eventName": [{"anything-but": {"suffix": "Only"}}]})),
        ),
        (
            "anything-but-ignore-case",
            d(json!({"eventName": [{"anything-but": {"equals-ignore-case": ["mixed", "edge"]}}]})),
        ),
        (
            "cidr",
            d(json!({"sourceIPAddress": [{"cidr": "10.0.0.0/8"}, {"cidr": "192.168.0.0/16"}]})),
        ),
        ("error-exists", d(json!({"errorCode": [{"exists": true}]}))),
        ("error-absent", d(json!({"errorCode": [{"exists": false}]}))),
        ("read-only", d(json!({"readOnly": [true]}))),
        (
            "identity",
            d(
                json!({"userIdentity": {"type": ["IAMUser", "Root"], "arn": [{"suffix": "/alice"}]}}),
            ),
        ),
        (
            "or",
            json!({"detail": {"$or": [{"eventName": ["Tool"]}, {"errorCode": ["AccessDenied"]}]}}),
        ),
        ("no-source-delete", d(json!({"eventName": ["DeleteKey"]}))),
        ("window-edge", d(json!({"eventName": ["Edge"]}))),
        (
            "envelope",
            json!({"source": ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"], "region": ["us-east-1"], "account": ["111122223333"]}),
        ),
        (
            "insight",
            json!({"source": ["aws.cloudtrail"], "detail-type": ["AWS Insight via CloudTrail"]}),
        ),
        (
            "insight-state",
            json!({"detail-type": ["AWS Insight via CloudTrail"], "detail": {"insightDetails": {"state": ["Start"]}}}),
        ),
        (
            "console",
            json!({"detail-type": ["AWS Console Sign In via CloudTrail"]}),
        ),
    ];
    cases.into_iter().map(|(n, p)| (n.to_owned(), p)).collect()
}

/// The alerts of the CIS baseline and the seed example, and the patterns above.
fn alerts() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for spec in ["examples/cis-baseline.yaml", "examples/seed-alerts.yaml"] {
        let d = trailctl::spec::load(&root().join(spec)).unwrap().desired;
        for a in &d.alerts {
            out.push((format!("{spec}:{}", a.name), a.pattern.clone()));
        }
    }
    out.extend(patterns());
    out
}

fn day_of(time: &str) -> &str {
    time.get(..10).unwrap_or_default()
}

/// How many records `pattern` matches as the archive reader reads them: delivered in the
/// window's folders or the next day's, of a day in the window, of a type EventBridge receives.
fn native(rows: &[Row], pattern: &Value) -> u64 {
    let p = Pattern::parse(&pattern.to_string()).unwrap();
    let last_folder = Day::parse(UNTIL).unwrap().0 + 1;
    rows.iter()
        .filter(|r| {
            let folder = Day::parse(&r.day.replace('/', "-")).unwrap().0;
            let day = day_of(r.record["eventTime"].as_str().unwrap_or_default());
            folder >= Day::parse(SINCE).unwrap().0
                && folder <= last_folder
                && (SINCE..=UNTIL).contains(&day)
        })
        .filter_map(|r| eventbridge_event(&r.record).ok())
        .filter(|e| p.matches(&e.to_string()).unwrap())
        .count() as u64
}

/// The window's records as the archive reader judges them: delivered in the window's folders
/// or the next day's, of a day in the window, of a type EventBridge receives.
fn judged(rows: &[Row]) -> impl Iterator<Item = &Value> {
    let last_folder = Day::parse(UNTIL).unwrap().0 + 1;
    rows.iter()
        .filter(move |r| {
            let folder = Day::parse(&r.day.replace('/', "-")).unwrap().0;
            let day = day_of(r.record["eventTime"].as_str().unwrap_or_default());
            folder >= Day::parse(SINCE).unwrap().0
                && folder <= last_folder
                && (SINCE..=UNTIL).contains(&day)
        })
        .filter(|r| eventbridge_event(&r.record).is_ok())
        .map(|r| &r.record)
}

/// Runs the statements on the embedded engine over `rows`: each statement's result rows.
fn execute(
    name: &str,
    rows: &[Row],
    queries: &[String],
) -> Vec<Vec<serde_json::Map<String, Value>>> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sql-executed");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join(format!("{name}-{}.json", std::process::id()));
    let doc = json!({
        "rows": rows.iter().map(|r| json!({
            "record": r.record, "account": r.account, "logtype": r.logtype, "region": r.region,
            "day": r.day,
        })).collect::<Vec<_>>(),
        "queries": queries,
    });
    std::fs::write(&input, doc.to_string()).unwrap();
    let out = Command::new(crate::emulator::venv_python())
        .arg(root().join("tests/sql/run_athena_sql.py"))
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the SQL did not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn backtest_sql_counts_what_the_native_backtest_counts() {
    let mut rows = archived();
    rows.extend(generated());
    let alerts = alerts();
    let parts = Partitions {
        since: Day::parse(SINCE).unwrap(),
        until: Day::parse(UNTIL).unwrap(),
        regions: &[],
        accounts: &[],
    };
    let mut conditions = Vec::new();
    let mut compared = Vec::new();
    let mut approximate = Vec::new();
    let mut unsupported = Vec::new();
    for (name, pattern) in &alerts {
        match condition(pattern) {
            Condition::Exact(sql) => {
                compared.push((name.clone(), pattern.clone(), true));
                conditions.push(sql);
            }
            Condition::Approximate(sql, why) => {
                approximate.push(format!("{name}: {}", why.join("; ")));
                compared.push((name.clone(), pattern.clone(), false));
                conditions.push(sql);
            }
            Condition::Unsupported(why) => unsupported.push(format!("{name}: {why}")),
        }
    }
    let queries = alerts_queries("db", "cloudtrail", &parts, &conditions);
    let texts: Vec<String> = queries.iter().map(|(_, q)| q.clone()).collect();
    let results = execute("backtest", &rows, &texts);
    let mut sql = vec![0u64; conditions.len()];
    for ((range, _), answer) in queries.iter().zip(&results) {
        for row in answer {
            for (local, global) in range.clone().enumerate() {
                sql[global] += row[&format!("a{local}")]
                    .as_str()
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    let mut failures = Vec::new();
    let mut matched = 0;
    for (i, (name, pattern, exact)) in compared.iter().enumerate() {
        let n = native(&rows, pattern);
        matched += u64::from(n > 0);
        if *exact && n != sql[i] {
            failures.push(format!("{name}: native {n}, SQL {}", sql[i]));
        }
    }
    assert!(
        failures.is_empty(),
        "the SQL counts otherwise than the native backtest:\n{}\n(approximate, not compared: {approximate:?})",
        failures.join("\n")
    );
    // Not a test that cannot fail: most patterns match something, and the edges are counted.
    assert!(
        matched as usize > compared.len() / 2,
        "{matched} of {}",
        compared.len()
    );
    assert!(unsupported.len() < 3, "{unsupported:?}");
}

/// Metric filters are counted on Athena too: per filter, the SQL counts the records the
/// filter matches among those the archive reader judges (every Region, read-only or not), for
/// the CIS filters, every preset's filter and filters on each test and column kind.
#[test]
fn filter_sql_counts_what_the_native_filters_count() {
    let mut rows = archived();
    rows.extend(generated());
    let mut filters: Vec<(String, Filter)> = Vec::new();
    let d = trailctl::spec::load(&root().join("examples/cis-metric-filters.yaml"))
        .unwrap()
        .desired;
    for a in &d.alerts {
        if let Some(m) = &a.metric {
            filters.push((a.name.clone(), m.filter.clone()));
        }
    }
    for p in trailctl::model::presets::all() {
        if let Some(f) = &p.filter {
            filters.push((p.id.clone(), Filter::parse(f).unwrap()));
        }
    }
    for (i, t) in [
        "{ $.readOnly IS TRUE }",
        "{ $.readOnly IS FALSE && $.eventName = \"C*\" }",
        "{ $.errorCode = \"*\" }",
        "{ $.errorCode != \"AccessDenied\" }",
        "{ $.userAgent = \"*\\\\run.exe\" || $.userAgent = \"a*\" }",
        "{ $.userIdentity.type = \"AssumedRole\" && $.eventSource = \"*.amazonaws.com\" }",
        "{ $.userIdentity.sessionContext.sessionIssuer.type = \"Role\" }",
        "{ $.eventName = 5 || $.eventTime > 5 }",
        "{ $.eventName IS TRUE }",
        "{ $.readOnly = \"true\" }",
        "{ $.sourceIPAddress NOT EXISTS }",
        "{ $.requestParameters.instanceId = \"i-*\" }",
        "{ $.responseElements.ConsoleLogin = \"Success\" }",
        "{ $.resources[0].ARN = \"arn:*\" }",
    ]
    .iter()
    .enumerate()
    {
        filters.push((format!("hand-{i}"), Filter::parse(t).unwrap()));
    }
    let parts = Partitions {
        since: Day::parse(SINCE).unwrap(),
        until: Day::parse(UNTIL).unwrap(),
        regions: &[],
        accounts: &[],
    };
    let mut conditions = Vec::new();
    let mut compared = Vec::new();
    let mut approximate = 0;
    let mut unsupported = Vec::new();
    for (name, f) in &filters {
        match filter_condition(f) {
            Condition::Exact(sql) => {
                compared.push((name, f, true));
                conditions.push(sql);
            }
            Condition::Approximate(sql, _) => {
                approximate += 1;
                compared.push((name, f, false));
                conditions.push(sql);
            }
            Condition::Unsupported(why) => unsupported.push(format!("{name}: {why}")),
        }
    }
    let queries = alerts_queries("db", "cloudtrail", &parts, &conditions);
    let texts: Vec<String> = queries.iter().map(|(_, q)| q.clone()).collect();
    let results = execute("filters", &rows, &texts);
    let mut sql = vec![0u64; conditions.len()];
    for ((range, _), answer) in queries.iter().zip(&results) {
        for row in answer {
            for (local, global) in range.clone().enumerate() {
                sql[global] += row[&format!("a{local}")]
                    .as_str()
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    let mut failures = Vec::new();
    let (mut matched, mut exact) = (0, 0);
    for (i, (name, f, is_exact)) in compared.iter().enumerate() {
        let n = judged(&rows).filter(|r| f.matches(r)).count() as u64;
        matched += u64::from(n > 0);
        if *is_exact {
            exact += 1;
            if n != sql[i] {
                failures.push(format!("{name} ({}): native {n}, SQL {}", f.text, sql[i]));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "the SQL counts otherwise than the native filters:\n{}",
        failures.join("\n")
    );
    // Not a test that cannot fail: most filters are exact, half count something (the records
    // are of a few services; the presets watch many), and only the list item outside the JSON
    // text is not run.
    assert!(exact > 30, "{exact} exact, {approximate} approximate");
    assert!(matched >= 25, "{matched} of {}", compared.len());
    assert_eq!(unsupported.len(), 1, "{unsupported:?}");
}

/// The window's totals and `investigate --athena`'s search run too: the totals count the
/// records of the window's days (delivered up to the next day's folder), and the search finds
/// exactly the window's records that name the target in their request, response or resources.
#[test]
fn totals_and_investigate_sql_read_the_window_the_archive_reader_reads() {
    let mut rows = archived();
    rows.extend(generated());
    let parts = Partitions {
        since: Day::parse(SINCE).unwrap(),
        until: Day::parse(UNTIL).unwrap(),
        regions: &[],
        accounts: &[],
    };
    let totals = trailctl::backtest::athena::totals_sql("db", "cloudtrail", &parts);
    let search = trailctl::query::sql::investigate(
        "db",
        "cloudtrail",
        &parts,
        &["logs".to_owned()],
        &[],
        10_000,
    );
    let results = execute("window", &rows, &[totals, search]);
    let last_folder = Day::parse(UNTIL).unwrap().0 + 1;
    let in_window: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            let folder = Day::parse(&r.day.replace('/', "-")).unwrap().0;
            let day = day_of(r.record["eventTime"].as_str().unwrap_or_default());
            folder <= last_folder && (SINCE..=UNTIL).contains(&day)
        })
        .collect();
    assert_eq!(
        results[0][0]["events"].as_str().unwrap(),
        in_window.len().to_string()
    );
    let named = |r: &&&Row| {
        let text = |k: &str| {
            r.record
                .get(k)
                .filter(|v| !v.is_null())
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        text("requestParameters").contains("logs")
            || text("responseElements").contains("logs")
            || r.record["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["ARN"].as_str().is_some_and(|a| a.contains("logs")))
    };
    let mut want: Vec<String> = in_window
        .iter()
        .filter(named)
        .map(|r| r.record["eventID"].as_str().unwrap().to_owned())
        .collect();
    let mut got: Vec<String> = results[1]
        .iter()
        .map(|row| row["eventID"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    got.sort();
    assert!(want.len() >= 3, "{want:?}");
    assert_eq!(got, want);
}
