//! `trailctl backtest` with the real binary: the Stratus Red Team archive (S3 layout) read from
//! a moto bucket in another Region equals the same archive read from disk; pruning lists only
//! the day folders a window needs; bad objects are named and the run goes on; and the CIS
//! baseline's verdicts on archived records agree with the preset fixtures where they overlap.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use serde_json::Value;

use crate::emulator::{self, Account};
use crate::trails::{exited, ok, text};

const ARCHIVE: &str = "tests/fixtures/cloudtrail/s3-layout/AWSLogs";
const CIS: &str = "examples/cis-baseline.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

/// The archive's logs as `(key below AWSLogs/, gzip bytes)`, each record and key moved to
/// us-east-1 (the fixtures' Region names are anonymised, and an alert has rules only in real
/// Regions).
fn archive() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(ARCHIVE)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let rel = p
            .strip_prefix(root().join(ARCHIVE))
            .unwrap()
            .display()
            .to_string();
        let mut log: Value = serde_json::from_str(&gunzip(&std::fs::read(&p).unwrap())).unwrap();
        let region = log["Records"][0]["awsRegion"].as_str().unwrap().to_owned();
        for r in log["Records"].as_array_mut().unwrap() {
            r["awsRegion"] = "us-east-1".into();
        }
        let key = rel
            .replace(&format!("/{region}/"), "/us-east-1/")
            .replace(&format!("_{region}_"), "_us-east-1_");
        out.push((key, gzip(&log.to_string())));
    }
    out.sort();
    assert_eq!(out.len(), 35);
    out
}

fn dir(name: &str, files: &[(String, Vec<u8>)]) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    for (key, bytes) in files {
        let p = d.join(key);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    d
}

async fn bucket(
    account: &Account,
    name: &str,
    region: &str,
    files: &[(String, Vec<u8>)],
) -> String {
    let s3 = account.s3().await;
    let bucket = format!("{name}-{}", account.id);
    // us-east-1 takes no location constraint.
    let config = (region != "us-east-1").then(|| {
        aws_sdk_s3::types::CreateBucketConfiguration::builder()
            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
            .build()
    });
    s3.create_bucket()
        .bucket(&bucket)
        .set_create_bucket_configuration(config)
        .send()
        .await
        .unwrap();
    for (key, bytes) in files {
        s3.put_object()
            .bucket(&bucket)
            .key(key)
            .body(bytes.clone().into())
            .send()
            .await
            .unwrap();
    }
    bucket
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// What must not depend on where the archive was read from.
fn results(v: &Value) -> Value {
    let keys = [
        "alerts",
        "never_fired",
        "objects",
        "bytes_stored",
        "bytes_text",
        "records",
        "events",
        "first_day",
        "last_day",
        "days",
        "problem_count",
    ];
    keys.iter()
        .map(|k| (k.to_string(), v[k].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[tokio::test]
async fn an_s3_archive_in_another_region_reads_as_the_same_files_on_disk() {
    let account = emulator::shared().account().await;
    let logs: Vec<(String, Vec<u8>)> = archive()
        .into_iter()
        .map(|(k, b)| (format!("trails/AWSLogs/{k}"), b))
        .collect();
    let mut extra = logs.clone();
    extra.push((
        "trails/AWSLogs/070411556318/CloudTrail-Digest/us-east-1/2024/08/01/070411556318_CloudTrail-Digest_us-east-1_t_us-east-1_20240801T130000Z.json.gz".into(),
        gzip("{}"),
    ));
    extra.push(("trails/AWSLogs/README.txt".into(), b"hello".to_vec()));
    let bucket = bucket(&account, "archive", "eu-west-1", &extra).await;
    let disk = dir(&format!("archive-{}", account.id), &extra);

    let from_s3 = json(&account.trailctl(&[
        "backtest",
        "-f",
        CIS,
        "--format",
        "json",
        &format!("s3://{bucket}/trails"),
    ]));
    let from_disk = json(&account.trailctl(&[
        "backtest",
        "-f",
        CIS,
        "--format",
        "json",
        disk.to_str().unwrap(),
    ]));
    assert_eq!(results(&from_s3), results(&from_disk));
    assert_eq!(from_s3["objects"], 35);
    assert_eq!(from_disk["skipped"]["digests"], 1);
    assert_eq!(from_disk["skipped"]["other_objects"], 1);
    // The digest folder is never listed on S3; the loose README at AWSLogs/ is counted.
    assert_eq!(from_s3["skipped"]["other_objects"], 1);
    let fired: Vec<&str> = from_s3["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        fired.contains(&"cis-4.1-unauthorized-api-calls"),
        "{fired:?}"
    );
    let unauthorized = &from_s3["alerts"][0];
    assert!(
        unauthorized["delivered"].as_u64().unwrap() > 10,
        "{unauthorized}"
    );
    assert!(unauthorized["sample_event_id"].is_string());

    // Pruned: one account, one Region, one day: AWSLogs/, the account, then the day and the
    // day after (its first file may hold the day's last events).
    let narrow = json(&account.trailctl(&[
        "backtest",
        "-f",
        CIS,
        "--format",
        "json",
        &format!("s3://{bucket}/trails"),
        "--accounts",
        "070411556318",
        "--regions",
        "us-east-1",
        "--since",
        "2024-08-01",
        "--until",
        "2024-08-01",
    ]));
    assert_eq!(narrow["list_calls"], 4, "{narrow}");
    assert_eq!(narrow["objects"], 1);
    assert_eq!(narrow["first_day"], "2024-08-01");

    // A window with nothing in it says so and exits 0.
    let out = account.trailctl(&[
        "backtest",
        "-f",
        CIS,
        &format!("s3://{bucket}/trails"),
        "--since",
        "2030-01-01",
    ]);
    assert!(
        ok(&out).contains("no CloudTrail log files within"),
        "{}",
        text(&out.stdout)
    );

    // The human report: noisiest first, histogram, the alerts that never fired.
    let out = account.trailctl(&["backtest", "-f", CIS, &format!("s3://{bucket}/trails")]);
    let human = ok(&out);
    assert!(
        human.contains("\ncis-4.1-unauthorized-api-calls  "),
        "{human}"
    );
    assert!(human.contains("  per day   2024-07-30 "), "{human}");
    assert!(human.contains("Never fired ("), "{human}");

    // --max-per-day: exit 3 when an alert would flood the inbox.
    let out = account.trailctl(&[
        "backtest",
        "-f",
        CIS,
        &format!("s3://{bucket}/trails"),
        "--max-per-day",
        "2",
    ]);
    exited(&out, 3);
    assert!(text(&out.stdout).contains("over --max-per-day 2"));
}

#[tokio::test]
async fn bad_objects_are_named_and_the_rest_is_read() {
    let account = emulator::shared().account().await;
    let good = archive().remove(0);
    let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/111122223333_CloudTrail_us-east-1_20261001T0000Z";
    let big = format!(
        r#"{{"Records":[{{"eventVersion":"1.08","eventType":"AwsApiCall","pad":"{}"}}]}}"#,
        "x".repeat(1 << 20)
    );
    let truncated = gzip(&gunzip(&good.1));
    let files = vec![
        (format!("AWSLogs/{}", good.0), good.1.clone()),
        (
            format!("{day}_truncated.json.gz"),
            truncated[..truncated.len() / 2].to_vec(),
        ),
        (format!("{day}_notjson.json"), b"hello".to_vec()),
        (
            format!("{day}_notalog.json"),
            br#"{"digestStartTime":"x"}"#.to_vec(),
        ),
        (format!("{day}_big.json.gz"), gzip(&big)),
    ];
    let bucket = bucket(&account, "bad", "us-east-1", &files).await;
    let out = account.trailctl(&["backtest", "-f", CIS, &format!("s3://{bucket}")]);
    exited(&out, 1);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Backtest of examples/cis-baseline.yaml: 5 log files"),
        "{stdout}"
    );
    for (name, why) in [
        ("_truncated.json.gz", "gzip"),
        ("_notjson.json", "not JSON"),
        ("_notalog.json", "not a CloudTrail log file"),
        (
            "_big.json.gz: Records[0]",
            "larger than any CloudTrail writes",
        ),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not named:\n{stdout}"));
        assert!(line.contains(why), "{line}");
    }
    assert!(text(&out.stderr).contains("4 problems reading the archive"));

    // An empty source and a bucket that does not exist are errors, before anything is read.
    let empty = dir(&format!("empty-{}", account.id), &[]);
    std::fs::create_dir_all(&empty).unwrap();
    let out = account.trailctl(&["backtest", "-f", CIS, empty.to_str().unwrap()]);
    assert!(crate::trails::fails(&out).contains("no CloudTrail log files at all"));
    let out = account.trailctl(&["backtest", "-f", CIS, "s3://no-such-bucket-anywhere"]);
    assert!(crate::trails::fails(&out).contains("no such bucket"));
    let out = account.trailctl(&[
        "backtest",
        "-f",
        CIS,
        "--since",
        "soon",
        "--accounts",
        "12",
        "nowhere/",
    ]);
    let err = crate::trails::fails(&out);
    assert!(
        err.contains("--since") && err.contains("--accounts") && err.contains("nowhere/"),
        "{err}"
    );
}

/// Each CIS preset's fixtures that are records of the archive get, from the backtest's reader
/// over the archived record, the verdict `trailctl test` gives them.
#[test]
fn the_cis_backtest_agrees_with_the_preset_fixtures() {
    use trailctl::archive::layout::Window;
    use trailctl::backtest::scan::Reader;
    use trailctl::model::event_sources;
    use trailctl::pattern::{Pattern, json::Json};
    use trailctl::verdict::{Alerts, Standing};

    let desired = trailctl::spec::load(&root().join(CIS)).unwrap().desired;
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    for (_, gz) in archive() {
        let log: Value = serde_json::from_str(&gunzip(&gz)).unwrap();
        for r in log["Records"].as_array().unwrap() {
            by_id.insert(r["eventID"].as_str().unwrap().to_owned(), r.clone());
        }
    }
    let mut overlaps = 0;
    for (i, alert) in desired.alerts.iter().enumerate() {
        let Some(preset) = alert
            .preset
            .as_deref()
            .and_then(trailctl::model::presets::find)
        else {
            continue;
        };
        let pattern = Pattern::from_json(&Json::from_value(&alert.pattern)).unwrap();
        let regions = event_sources::regions(&alert.pattern, &alert.placement, &desired.regions);
        let alerts = Alerts::new(vec![(
            alert.name.clone(),
            pattern,
            Standing::of(alert, regions),
        )]);
        let fixtures = preset
            .fixtures
            .matching
            .iter()
            .map(|f| (f, true))
            .chain(preset.fixtures.no_match.iter().map(|f| (f, false)));
        for (f, expect) in fixtures {
            let Some(archived) = f.record["eventID"].as_str().and_then(|id| by_id.get(id)) else {
                continue;
            };
            if f.record["awsRegion"] != "us-east-1" {
                continue;
            }
            let log = serde_json::json!({ "Records": [archived] }).to_string();
            let mut reader = Reader::new(&alerts, Window::default());
            reader.object("archived.json", log.as_bytes(), false);
            assert_eq!(reader.tally.problem_count, 0);
            assert_eq!(
                reader.tally.alerts[0].delivered == 1,
                expect,
                "alert {i} {} on {}: the fixture says {expect}",
                alert.name,
                f.source
            );
            overlaps += 1;
        }
    }
    assert!(overlaps >= 10, "{overlaps} overlaps");
}

/// On both backends, each alert's metric filter counts the archive's records beside its rule:
/// the same records where they agree, every Region and read-only record where the log group
/// holds more than the rules see, and the CIS filter's wider count where it differs.
#[test]
fn metric_filters_are_backtested_beside_the_rules() {
    let d = dir("backtest-both", &archive());
    let run = |spec: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trailctl"))
            .args(["backtest", "-f", spec, "--format", "json"])
            .arg(&d)
            .current_dir(root())
            .output()
            .unwrap();
        json(&out)
    };
    let both = run("examples/cis-metric-filters.yaml");
    let count = |v: &Value, name: &str| -> u64 {
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map_or(0, |a| a["delivered"].as_u64().unwrap())
    };
    let rule = count(&both, "cis-4.1-unauthorized-api-calls");
    let filter = count(&both, "cis-4.1-unauthorized-api-calls [metric filter]");
    assert!(rule > 0, "{both:#}");
    // The CIS filter has no exclusions, and counts read-only denials EventBridge withholds.
    assert!(filter >= rule, "filter {filter}, rule {rule}");
    assert_eq!(
        count(&both, "cis-4.10-security-group-changes"),
        count(&both, "cis-4.10-security-group-changes [metric filter]")
    );
    // The rules-only baseline has no filter rows.
    let rules = run(CIS);
    assert!(!rules.to_string().contains("[metric filter]"), "{rules:#}");
}
