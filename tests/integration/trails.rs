//! plan → apply → plan of trails and buckets with the real binary against the emulator: from
//! empty, every field updated, drift by another client, ownership, adoption, a bucket trailctl
//! does not own, and the rendered plan snapshotted (the destroy gate and confirmation, which
//! test trailctl alone, run on the in-memory account: `workflow.rs`).

use std::path::PathBuf;
use std::process::{Command, Output};

use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, Tag};

use crate::emulator;

pub(crate) const NO_CHANGES: &str =
    "No changes. The account matches the spec.\n\nCost: no change to CloudTrail charges.\n";

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An account the real binary runs on: the emulator's or an in-memory one.
pub(crate) trait Runs {
    fn id(&self) -> &str;
    /// The command `trailctl ARGS` on this account, to spawn it (and kill it) yourself.
    fn command(&self, args: &[&str]) -> Command;
    fn trailctl(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run trailctl")
    }
}

/// Writes `yaml` (with `ACCOUNT` replaced) to a file of its own and returns its path.
pub(crate) fn spec(account: &impl Runs, name: &str, yaml: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("specs-{}", account.id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, yaml.replace("ACCOUNT", account.id())).unwrap();
    path.display().to_string()
}

#[track_caller]
pub(crate) fn exited(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Exit 0; returns stdout.
#[track_caller]
pub(crate) fn ok(out: &Output) -> String {
    exited(out, 0);
    text(&out.stdout)
}

/// Exit 1; returns stderr.
#[track_caller]
pub(crate) fn fails(out: &Output) -> String {
    exited(out, 1);
    text(&out.stderr)
}

pub(crate) fn plan(a: &impl Runs, file: &str, extra: &[&str]) -> Output {
    a.trailctl(&[&["plan", "-f", file], extra].concat())
}

pub(crate) fn apply(a: &impl Runs, file: &str, extra: &[&str]) -> Output {
    a.trailctl(&[&["apply", "-f", file, "--auto-approve"], extra].concat())
}

pub(crate) const BASE: &str = "
version: 1
stack: it
home_region: us-east-1
tags: {team: sec}
buckets:
  - name: logs-ACCOUNT
    retention_days: 90
trails:
  - name: audit
    bucket: logs-ACCOUNT
    prefix: p
    exclude_management_sources: [kms.amazonaws.com]
    data_events:
      - resource: s3_object
        arns: ['arn:aws:s3:::data-ACCOUNT/']
        access: write
    insights: [api_call_rate]
    tags: {owner: secops}
";

#[tokio::test]
async fn from_empty_to_applied_then_a_clean_replan() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "base", BASE);
    let planned = ok(&plan(&a, &f, &[]));
    assert!(
        planned.contains("\nPlan: 2 to add, 0 to change, 0 to destroy.\n\nCost: +$0.35 per 100,000 write management events, +$0.10 per 100,000 data events"),
        "{planned}"
    );
    let applied = ok(&apply(&a, &f, &[]));
    assert!(
        applied.contains(&format!("bucket.logs-{}: created", a.id)),
        "{applied}"
    );
    assert!(applied.contains("trail.audit: created"), "{applied}");
    assert!(applied.contains("re-read and verified"), "{applied}");
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);

    // What apply made, read with plain SDK clients.
    let s3 = a.s3().await;
    let bucket = format!("logs-{}", a.id);
    let pab = s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pab.public_access_block_configuration()
            .unwrap()
            .block_public_policy(),
        Some(true)
    );
    let policy = s3.get_bucket_policy().bucket(&bucket).send().await.unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][1]["Condition"]["StringEquals"]["aws:SourceArn"],
        serde_json::json!([format!("arn:aws:cloudtrail:us-east-1:{}:trail/audit", a.id)]),
        "{policy}"
    );
    let life = s3
        .get_bucket_lifecycle_configuration()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(life.rules()[0].expiration().unwrap().days(), Some(90));
    let ct = a.cloudtrail("us-east-1").await;
    let status = ct.get_trail_status().name("audit").send().await.unwrap();
    assert_eq!(status.is_logging(), Some(true));
    let sel = ct
        .get_event_selectors()
        .trail_name("audit")
        .send()
        .await
        .unwrap();
    assert_eq!(sel.advanced_event_selectors().len(), 2);
    let ins = ct
        .get_insight_selectors()
        .trail_name("audit")
        .send()
        .await
        .unwrap();
    assert_eq!(ins.insight_selectors().len(), 1);
}

#[tokio::test]
async fn every_field_is_updated_in_place() {
    let a = emulator::shared().account().await;
    ok(&apply(&a, &spec(&a, "base", BASE), &[]));
    aws_sdk_sns::Client::new(&a.sdk_config("us-east-1").await)
        .create_topic()
        .name("deliveries")
        .send()
        .await
        .unwrap();
    let changed = BASE
        .replace("    prefix: p\n", "    prefix: q\n    all_regions: false\n    global_service_events: false\n    delivery_topic: deliveries\n    log_file_validation: false\n    kms_key: alias/logs\n    cloudwatch_logs:\n      log_group_arn: 'arn:aws:logs:us-east-1:ACCOUNT:log-group:t:*'\n      role_arn: arn:aws:iam::ACCOUNT:role/t\n")
        .replace("access: write", "access: all")
        .replace("[api_call_rate]", "[api_call_rate, api_error_rate]")
        .replace("{owner: secops}", "{owner: platform}")
        .replace("retention_days: 90", "retention_days: 400");
    let f = spec(&a, "changed", &changed);
    let planned = ok(&plan(&a, &f, &[]));
    for field in [
        "prefix: \"p\" → \"q\"",
        "all_regions: true → false",
        "global_service_events: true → false",
        "kms_key: (none) → \"arn:aws:kms:us-east-1:",
        "log_file_validation: true → false",
        "cloudwatch_logs:",
        "delivery_topic: (none) → \"arn:aws:sns:us-east-1:",
        "event_selectors:",
        "insights: [\"api_call_rate\"] → [\"api_call_rate\", \"api_error_rate\"]",
        "~ owner = \"secops\" → \"platform\"",
        "retention_days: 90 → 400",
        "Plan: 0 to add, 2 to change, 0 to destroy.",
    ] {
        assert!(planned.contains(field), "{field} missing from:\n{planned}");
    }
    // Turning off log file validation reduces audit logging: the flag is needed.
    assert!(fails(&apply(&a, &f, &[])).contains("turns off log file integrity validation"));
    ok(&apply(&a, &f, &["--allow-destroy"]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
}

#[tokio::test]
async fn drift_by_another_client_is_shown_precisely_and_repaired() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "base", BASE);
    ok(&apply(&a, &f, &[]));
    let ct = a.cloudtrail("us-east-1").await;
    ct.stop_logging().name("audit").send().await.unwrap();
    let mgmt = AdvancedEventSelector::builder()
        .name("only management")
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("Management")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    ct.put_event_selectors()
        .trail_name("audit")
        .advanced_event_selectors(mgmt)
        .send()
        .await
        .unwrap();
    ct.put_insight_selectors()
        .trail_name("audit")
        .set_insight_selectors(Some(vec![]))
        .send()
        .await
        .unwrap();
    let arn = format!("arn:aws:cloudtrail:us-east-1:{}:trail/audit", a.id);
    ct.remove_tags()
        .resource_id(&arn)
        .tags_list(Tag::builder().key("team").build().unwrap())
        .send()
        .await
        .unwrap();

    // The nightly drift check: exit 2 with the same plan on stdout.
    let checked = plan(&a, &f, &["--detailed-exitcode"]);
    exited(&checked, 2);
    let out = plan(&a, &f, &[]);
    let planned = ok(&out);
    assert_eq!(text(&checked.stdout), planned);
    assert!(planned.contains("  ~ trail.audit\n"), "{planned}");
    for line in [
        "logging: false → true",
        "insights: [] → [\"api_call_rate\"]",
        "+ team = \"sec\"",
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ] {
        assert!(planned.contains(line), "{line} missing from:\n{planned}");
    }
    let added = |what: &str| {
        planned
            .lines()
            .any(|l| l.trim_start().starts_with('+') && l.contains(what))
    };
    assert!(
        added("\"StartsWith\"") && added("\"NotEquals\""),
        "{planned}"
    );
    assert!(
        !planned.contains("destructive"),
        "repairing drift adds logging back:\n{planned}"
    );
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    assert_eq!(ok(&plan(&a, &f, &["--detailed-exitcode"])), NO_CHANGES);
}

#[tokio::test]
async fn foreign_trails_are_untouched_and_a_same_named_one_needs_adopt() {
    let a = emulator::shared().account().await;
    let bucket = a.foreign_bucket("theirs").await;
    let ct = a.cloudtrail("us-east-1").await;
    for name in ["audit", "someone-elses"] {
        ct.create_trail()
            .name(name)
            .s3_bucket_name(&bucket)
            .send()
            .await
            .unwrap();
    }
    let f = spec(&a, "base", BASE);
    let out = plan(&a, &f, &["-v"]);
    let err = fails(&out);
    assert!(
        err.contains("error: trail.audit: exists but is not managed by stack it"),
        "{err}"
    );
    assert!(err.contains("hint: add --adopt"), "{err}");
    assert!(
        err.contains("trail.someone-elses (us-east-1, not created by trailctl)"),
        "{err}"
    );
    assert!(fails(&apply(&a, &f, &[])).contains("apply refused: the plan has errors"));

    let adopted = ok(&plan(&a, &f, &["--adopt"]));
    assert!(
        adopted.contains("~ trail.audit  (adopt: not managed by trailctl yet)"),
        "{adopted}"
    );
    assert!(adopted.contains("+ trailctl:stack = \"it\""), "{adopted}");
    assert!(
        adopted.contains(&format!("bucket: \"{bucket}\" → \"logs-{}\"", a.id)),
        "{adopted}"
    );
    ok(&apply(&a, &f, &["--adopt"]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);

    let other = ct.describe_trails().send().await.unwrap();
    let other = other
        .trail_list()
        .iter()
        .find(|t| t.name() == Some("someone-elses"))
        .unwrap();
    assert_eq!(
        other.s3_bucket_name(),
        Some(bucket.as_str()),
        "never touched"
    );
}

#[tokio::test]
async fn a_bucket_not_in_the_spec_gets_a_warning_with_the_statements_to_add() {
    let a = emulator::shared().account().await;
    let bucket = a.foreign_bucket("central").await;
    let f = spec(
        &a,
        "central",
        "
version: 1
stack: it
home_region: us-east-1
trails:
  - name: audit
    bucket: central-ACCOUNT
",
    );
    let out = plan(&a, &f, &[]);
    ok(&out);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "warning: trail.audit: bucket {bucket} has no bucket policy"
        )),
        "{err}"
    );
    assert!(err.contains("\"Sid\": \"AWSCloudTrailWrite\""), "{err}");
    // The bucket is never edited.
    ok(&apply(&a, &f, &[]));
    let policy = a
        .s3()
        .await
        .get_bucket_policy()
        .bucket(&bucket)
        .send()
        .await;
    assert!(
        policy.is_err(),
        "trailctl wrote a policy on a bucket it does not own"
    );
}

#[tokio::test]
async fn the_rendered_plan() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "base", BASE);
    let created = ok(&plan(&a, &f, &[])).replace(&a.id, "ACCOUNT");
    insta::assert_snapshot!("plan_create", created);
    ok(&apply(&a, &f, &[]));
    let changed = BASE
        .replace("access: write", "access: all")
        .replace("retention_days: 90", "retention_days: 30")
        .replace("{owner: secops}", "{owner: platform, tier: one}");
    let f = spec(&a, "changed", &changed);
    let updated = ok(&plan(&a, &f, &[])).replace(&a.id, "ACCOUNT");
    insta::assert_snapshot!("plan_update", updated);
}

/// `access_logging:` (CIS v3.0 3.4): the target bucket's policy lets S3 write the access logs
/// (it is written first), the source bucket logs into it, a re-plan is clean, drift by another
/// client is found, and turning logging off is destructive.
#[tokio::test]
async fn server_access_logging_of_the_trail_bucket_round_trips() {
    let a = emulator::shared().account().await;
    let with = BASE.replace(
        "  - name: logs-ACCOUNT\n    retention_days: 90\n",
        "  - name: logs-ACCOUNT\n    retention_days: 90\n    access_logging: {bucket: access-ACCOUNT}\n  - name: access-ACCOUNT\n",
    );
    let f = spec(&a, "access-logging", &with);
    let applied = ok(&apply(&a, &f, &[]));
    assert!(applied.contains("re-read and verified"), "{applied}");
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    let s3 = a.s3().await;
    let logs = format!("logs-{}", a.id);
    let access = format!("access-{}", a.id);
    let status = s3.get_bucket_logging().bucket(&logs).send().await.unwrap();
    let enabled = status.logging_enabled().unwrap();
    assert_eq!(enabled.target_bucket(), access);
    assert_eq!(enabled.target_prefix(), format!("{logs}/"));
    let policy = s3.get_bucket_policy().bucket(&access).send().await.unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let statement = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Principal"]["Service"] == "logging.s3.amazonaws.com")
        .unwrap_or_else(|| panic!("{policy}"));
    assert_eq!(
        statement["Resource"],
        format!("arn:aws:s3:::{access}/{logs}/*")
    );
    assert_eq!(
        statement["Condition"]["ArnLike"]["aws:SourceArn"],
        format!("arn:aws:s3:::{logs}")
    );

    // Turned off by another client: drift shows it, apply restores it.
    s3.put_bucket_logging()
        .bucket(&logs)
        .bucket_logging_status(aws_sdk_s3::types::BucketLoggingStatus::builder().build())
        .send()
        .await
        .unwrap();
    let drift = a.trailctl(&["drift", "-f", &f]);
    exited(&drift, 2);
    let out = text(&drift.stdout);
    assert!(out.contains("access_logging"), "{out}");
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);

    // Taken out of the spec: destructive.
    let without = spec(
        &a,
        "access-logging-off",
        &with.replace("    access_logging: {bucket: access-ACCOUNT}\n", ""),
    );
    let planned = ok(&plan(&a, &without, &[]));
    assert!(
        planned.contains("! destructive: turns off server access logging"),
        "{planned}"
    );
    let err = fails(&apply(&a, &without, &[]));
    assert!(err.contains("re-run with --allow-destroy"), "{err}");
    ok(&apply(&a, &without, &["--allow-destroy"]));
    let status = s3.get_bucket_logging().bucket(&logs).send().await.unwrap();
    assert!(status.logging_enabled().is_none());
    assert_eq!(ok(&plan(&a, &without, &[])), NO_CHANGES);
}
