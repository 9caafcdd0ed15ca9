//! `trailctl init`: the starter is valid and satisfies the schema; `init --from-account` on an
//! account another client prepared writes a spec whose `plan --adopt` adds the ownership tags
//! and nothing else, `apply --adopt` takes it over, and the next plan is clean; what the spec
//! cannot say is listed with why.

use std::path::PathBuf;

use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
use aws_sdk_eventbridge::types::{InputTransformer, Target};
use serde_json::{Value, json};

use crate::emulator::{self, Account};
use crate::schema::{Compiled, yaml_as_json};
use crate::trails::{NO_CHANGES, apply, fails, ok, plan, text};

fn out_file(a: &Account, name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("init-{}", a.id));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path.display().to_string()
}

#[track_caller]
fn satisfies_the_schema(file: &str) {
    let errors = Compiled::new().errors(&yaml_as_json(std::path::Path::new(file)).unwrap());
    assert!(errors.is_empty(), "{file}: {errors:?}");
}

#[tokio::test]
async fn the_starter_is_valid_and_init_never_overwrites_a_file() {
    let a = emulator::shared().account().await;
    let file = out_file(&a, "starter.yaml");
    let out = a.trailctl(&[
        "init",
        "--stack",
        "acme",
        "--region",
        "eu-west-1",
        "-o",
        &file,
    ]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("wrote "),
        "{}",
        text(&out.stderr)
    );
    let spec = std::fs::read_to_string(&file).unwrap();
    assert!(
        spec.starts_with("# yaml-language-server: $schema="),
        "{spec}"
    );
    assert!(spec.contains("home_region: eu-west-1"), "{spec}");
    let valid = ok(&a.trailctl(&["validate", "-f", &file]));
    assert!(
        valid.contains("valid (1 trail, 1 bucket, 1 topic, 3 alerts"),
        "{valid}"
    );
    satisfies_the_schema(&file);
    let again = fails(&a.trailctl(&["init", "-o", &file]));
    assert!(again.contains(&file), "{again}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), spec);
    let bad = fails(&a.trailctl(&["init", "--stack", "no spaces please"]));
    assert!(bad.contains("--stack:"), "{bad}");
}

/// What another client makes by hand: a bucket and a trail (tags, S3 data events, Insights off),
/// a topic with an email subscription and its own policy, two CloudTrail rules (one with an
/// input transformer of its own variable names, one delivering the raw event), and rules the
/// spec cannot say: not on CloudTrail events, targeting a queue, in another Region.
async fn prepare(a: &Account) -> (String, String) {
    let bucket = format!("hand-logs-{}", a.id);
    let s3 = a.s3().await;
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{bucket}")},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject",
             "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{}/*", a.id),
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}
        ]
    });
    s3.put_bucket_policy()
        .bucket(&bucket)
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let ct = a.cloudtrail("us-east-1").await;
    ct.create_trail()
        .name("hand-trail")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .tags_list(
            aws_sdk_cloudtrail::types::Tag::builder()
                .key("team")
                .value("security")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let field = |f: &str, v: &str| {
        AdvancedFieldSelector::builder()
            .field(f)
            .equals(v)
            .build()
            .unwrap()
    };
    ct.put_event_selectors()
        .trail_name("hand-trail")
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("all management")
                .field_selectors(field("eventCategory", "Management"))
                .build()
                .unwrap(),
        )
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("object writes")
                .field_selectors(field("eventCategory", "Data"))
                .field_selectors(field("resources.type", "AWS::S3::Object"))
                .field_selectors(field("readOnly", "false"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    ct.start_logging().name("hand-trail").send().await.unwrap();

    let sns = a.sns().await;
    let topic = sns
        .create_topic()
        .name("hand-alerts")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    sns.set_topic_attributes()
        .topic_arn(&topic)
        .attribute_name("Policy")
        .attribute_value(
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "events", "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish", "Resource": topic}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("email")
        .endpoint("secops@example.com")
        .send()
        .await
        .unwrap();

    let events = a.events("us-east-1").await;
    let rule = |name: &'static str, pattern: Value, description: Option<&'static str>| {
        let events = events.clone();
        async move {
            events
                .put_rule()
                .name(name)
                .event_pattern(pattern.to_string())
                .set_description(description.map(str::to_owned))
                .send()
                .await
                .unwrap();
        }
    };
    rule(
        "table-deleted",
        json!({"source": ["aws.dynamodb"], "detail-type": ["AWS API Call via CloudTrail"],
               "detail": {"eventSource": ["dynamodb.amazonaws.com"], "eventName": ["DeleteTable"]}}),
        Some("A DynamoDB table was deleted"),
    )
    .await;
    events
        .put_targets()
        .rule("table-deleted")
        .targets(
            Target::builder()
                .id("sns-1")
                .arn(&topic)
                .input_transformer(
                    InputTransformer::builder()
                        .input_paths_map("who", "$.detail.userIdentity.arn")
                        .input_paths_map("table", "$.detail.requestParameters.tableName")
                        .input_template("<who> deleted table <table>")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    rule(
        "sg-opened",
        json!({"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
               "detail": {"eventName": ["AuthorizeSecurityGroupIngress"]}}),
        None,
    )
    .await;
    events
        .put_targets()
        .rule("sg-opened")
        .targets(Target::builder().id("raw").arn(&topic).build().unwrap())
        .send()
        .await
        .unwrap();
    rule(
        "instance-state",
        json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}),
        None,
    )
    .await;
    rule(
        "to-a-queue",
        json!({"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"]}),
        None,
    )
    .await;
    events
        .put_targets()
        .rule("to-a-queue")
        .targets(
            Target::builder()
                .id("q")
                .arn(format!("arn:aws:sqs:us-east-1:{}:siem", a.id))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    a.events("eu-west-1")
        .await
        .put_rule()
        .name("eu-table-deleted")
        .event_pattern(
            json!({"source": ["aws.dynamodb"], "detail-type": ["AWS API Call via CloudTrail"]})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    (bucket, topic)
}

#[tokio::test]
async fn a_spec_from_the_account_adopts_it_with_only_the_ownership_tags() {
    let a = emulator::shared().account().await;
    let (bucket, _) = prepare(&a).await;
    let file = out_file(&a, "from-account.yaml");
    let out = a.trailctl(&[
        "init",
        "--from-account",
        "--region",
        "us-east-1",
        "--regions",
        "eu-west-1",
        "--stack",
        "brown",
        "-o",
        &file,
    ]);
    ok(&out);
    let spec = std::fs::read_to_string(&file).unwrap();
    let stderr = text(&out.stderr);
    // The hand-made rules sit in the home Region only, where regional events of eu-west-1
    // never arrive: the lint that exists for exactly this says so.
    assert!(stderr.contains("[alert-placement]"), "{stderr}\n{spec}");

    for wanted in [
        "- name: hand-trail",
        &format!("bucket: {bucket}"),
        "team: security",
        "resource: s3_object",
        "access: write",
        "- name: hand-alerts",
        "email: secops@example.com",
        "policy: keep",
        "- name: table-deleted\n    rule: table-deleted",
        "message: <userIdentity.arn> deleted table <requestParameters.tableName>",
        "- name: sg-opened",
        "deliver: event",
        "description: A DynamoDB table was deleted",
    ] {
        assert!(spec.contains(wanted), "missing `{wanted}` in:\n{spec}");
    }
    for left in [
        "# - rule us-east-1/instance-state: not on CloudTrail events",
        "# - rule us-east-1/to-a-queue: it targets arn:aws:sqs:",
        "# - rule eu-west-1/eu-table-deleted: outside the home Region",
        &format!("# - bucket.{bucket}: adopting it would change block_public_access"),
    ] {
        assert!(spec.contains(left), "missing `{left}` in:\n{spec}");
    }
    ok(&a.trailctl(&["validate", "-f", &file]));
    satisfies_the_schema(&file);

    // plan --adopt: every change an adoption that adds the two ownership tags, nothing else.
    let json: Value =
        serde_json::from_str(&ok(&plan(&a, &file, &["--adopt", "--format", "json"]))).unwrap();
    let changes = json["changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{json:#}");
    for c in changes {
        assert_eq!(c["action"], "update", "{c:#}");
        assert_eq!(c["adopt"], true, "{c:#}");
        let fields: Vec<&str> = c["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        // An alert's tags are inside its rules, as data.
        let only_tags = fields == ["tags"]
            || (fields == ["rules"] && c["address"].as_str().unwrap().starts_with("alert."));
        assert!(only_tags, "{c:#}");
        for f in c["fields"].as_array().unwrap() {
            let (before, after) = (f["before"].to_string(), f["after"].to_string());
            assert!(
                after.contains("trailctl:stack") && !before.contains("trailctl:stack"),
                "{f:#}"
            );
            let stripped = after
                .replace(r#""trailctl:managed-by":"trailctl","#, "")
                .replace(r#""trailctl:stack":"brown","#, "")
                .replace(r#","trailctl:managed-by":"trailctl""#, "")
                .replace(r#","trailctl:stack":"brown""#, "")
                .replace(r#""trailctl:managed-by":"trailctl""#, "")
                .replace(r#""trailctl:stack":"brown""#, "");
            assert_eq!(stripped, before, "{f:#}");
        }
    }
    let addresses: Vec<&str> = changes
        .iter()
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    for wanted in [
        "trail.hand-trail",
        "topic.hand-alerts",
        "alert.table-deleted",
        "alert.sg-opened",
    ] {
        assert!(addresses.contains(&wanted), "{addresses:?}");
    }

    ok(&apply(&a, &file, &["--adopt"]));
    assert_eq!(ok(&plan(&a, &file, &[])), NO_CHANGES);

    // The alert stops adopting its rule (`rule:` removed): it gets a rule of the stack's name,
    // and the adopted rule, which carries the stack's tag but a name of its own, is still
    // found (Resource Groups Tagging API) and planned away, not forgotten.
    let unadopted = out_file(&a, "unadopted.yaml");
    std::fs::write(
        &unadopted,
        spec.replace(
            "- name: table-deleted\n    rule: table-deleted\n",
            "- name: table-deleted\n",
        ),
    )
    .unwrap();
    let planned = ok(&plan(&a, &unadopted, &[]));
    assert!(planned.contains("+ alert.table-deleted"), "{planned}");
    assert!(
        planned.contains("- alert.table-deleted:adopted"),
        "{planned}"
    );
    let drift = a.trailctl(&["drift", "-f", &unadopted]);
    assert!(
        text(&drift.stdout).contains("alert.table-deleted:adopted"),
        "{}",
        text(&drift.stdout)
    );
    ok(&apply(&a, &unadopted, &["--allow-destroy"]));
    assert_eq!(ok(&plan(&a, &unadopted, &[])), NO_CHANGES);
    let events = aws_sdk_eventbridge::Client::new(&a.sdk_config("us-east-1").await);
    let names: Vec<String> = events
        .list_rules()
        .send()
        .await
        .unwrap()
        .rules()
        .iter()
        .filter_map(|r| r.name().map(str::to_owned))
        .collect();
    assert!(!names.contains(&"table-deleted".to_owned()), "{names:?}");
    assert!(
        names.contains(&"trailctl-brown-table-deleted".to_owned()),
        "{names:?}"
    );
}
