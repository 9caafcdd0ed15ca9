//! An organization against the emulator with the real binary: the management account creates
//! the organization and its members (each with OrganizationAccountAccessRole, one without), and
//! trailctl plans and applies one spec across them: one account failing (its role missing)
//! while the others apply, a clean re-plan, an alert forwarded from a member account delivered
//! to the security account's topic (PutEvents → rule → security bus → rule → SNS → SQS), and
//! drift in one account found and repaired.

use std::time::Duration;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_json::{Value, json};

use crate::alerts::received;
use crate::emulator::{self, Account};
use crate::trails::{apply, exited, ok, plan, spec, text};

const ROLE: &str = "OrganizationAccountAccessRole";

const SPEC: &str = "
version: 1
stack: org
home_region: us-east-1
regions: [us-east-1, eu-west-1]
organization:
  accounts: all
  exclude: [EXCLUDED]
  security_account: \"SECURITY\"
  concurrency: 2
topics:
  - name: security-alerts
    subscriptions:
      - sqs: arn:aws:sqs:us-east-1:SECURITY:inbox
alerts:
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [security-alerts]
";

/// The management account with its organization: `(security, workload, broken)` member ids,
/// `broken` created with another role than OrganizationAccountAccessRole.
async fn organization(management: &Account) -> (String, String, String) {
    let orgs = aws_sdk_organizations::Client::new(&management.sdk_config("us-east-1").await);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, role) in [
        ("security", ROLE),
        ("workload", ROLE),
        ("broken", "SomeOtherRole"),
    ] {
        let out = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .role_name(role)
            .send()
            .await
            .unwrap();
        let status = out.create_account_status().unwrap();
        ids.push(status.account_id().unwrap().to_owned());
    }
    (ids[0].clone(), ids[1].clone(), ids[2].clone())
}

/// A CloudTrail `DeleteTable` call in `account`, as EventBridge delivers it.
fn delete_table(account: &str, region: &str) -> PutEventsRequestEntry {
    let record = json!({
        "eventVersion": "1.08",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "DeleteTable",
        "awsRegion": region,
        "eventTime": "2026-11-30T12:00:00Z",
        "sourceIPAddress": "203.0.113.7",
        "userIdentity": {"arn": format!("arn:aws:iam::{account}:user/mallory")},
        "requestParameters": {"tableName": "orders"},
        "recipientAccountId": account,
    });
    PutEventsRequestEntry::builder()
        .source("aws.dynamodb")
        .detail_type("AWS API Call via CloudTrail")
        .detail(record.to_string())
        .build()
}

/// Drift made by another client: the workload account's home-Region rule loses its target.
async fn unhook(work: &Account) {
    work.events("us-east-1")
        .await
        .remove_targets()
        .rule("trailctl-org-table-deleted")
        .ids("home-bus")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn one_spec_planned_applied_delivered_and_repaired_across_an_organization() {
    let management = emulator::shared().account().await;
    let (security, workload, broken) = organization(&management).await;
    let sec = management.assume(&security, ROLE).await;
    let work = management.assume(&workload, ROLE).await;
    // Each member's administrator creates the stack's permissions boundary once.
    for member in [&sec, &work] {
        member.ensure_boundary("org");
    }
    let queue_url = sec
        .sqs()
        .await
        .create_queue()
        .queue_name("inbox")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let yaml = SPEC.replace("SECURITY", &security);

    // Every account: the one whose role is missing fails, with its cause; the others plan.
    let all = spec(&management, "all", &yaml.replace("[EXCLUDED]", "[]"));
    let out = plan(&management, &all, &[]);
    exited(&out, 1);
    let shown = text(&out.stdout);
    assert!(shown.contains("Organization o-"), "{shown}");
    let broken_row = shown
        .lines()
        .find(|l| l.trim_start().starts_with(&broken))
        .unwrap_or_default();
    assert!(
        broken_row.contains("AccessDenied") && broken_row.contains(&format!("role/{ROLE}")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("── account {security} (security, security) ──")),
        "{shown}"
    );
    assert!(
        shown.contains("+ bus_policy.org") && shown.contains("+ topic.security-alerts"),
        "{shown}"
    );

    // Apply goes on in the other accounts, and says which one failed.
    let out = apply(&management, &all, &[]);
    exited(&out, 1);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("account {broken}:")) && stderr.contains("AccessDenied"),
        "{stderr}"
    );
    for id in [&management.id, &security, &workload] {
        assert!(
            stdout.contains(&format!("  {id} (")) && !stdout.contains(&format!("  {id} (x")),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("  {workload} (workload): applied: 2 added")),
        "{stdout}"
    );

    // Without the broken account: a clean re-plan across the three.
    let three = spec(
        &management,
        "three",
        &yaml.replace("EXCLUDED", &format!("\"{broken}\"")),
    );
    let out = plan(
        &management,
        &three,
        &["--detailed-exitcode", "--format", "json"],
    );
    let doc: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(doc["format_version"], 2);
    let rows = doc["summary"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{doc}");
    assert!(
        rows.iter().all(|r| r["add"] == 0
            && r["change"] == 0
            && r["destroy"] == 0
            && r["error"].is_null()),
        "{doc}"
    );

    // What each account holds: the member's rules forward to the security account's bus.
    let rules = work
        .events("eu-west-1")
        .await
        .list_targets_by_rule()
        .rule("trailctl-org-table-deleted")
        .send()
        .await
        .unwrap();
    assert_eq!(
        rules.targets()[0].arn(),
        format!("arn:aws:events:us-east-1:{security}:event-bus/default")
    );
    let bus = sec
        .events("us-east-1")
        .await
        .describe_event_bus()
        .send()
        .await
        .unwrap();
    let policy: Value = serde_json::from_str(bus.policy().unwrap()).unwrap();
    let org_id = doc["organization"].as_str().unwrap();
    assert_eq!(
        policy["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalOrgID"], org_id,
        "{policy}"
    );

    // End to end: DeleteTable in the workload account reaches the security account's inbox,
    // naming the member account, from its home Region and from another.
    for region in ["us-east-1", "eu-west-1"] {
        work.events(region)
            .await
            .put_events()
            .entries(delete_table(&workload, region))
            .send()
            .await
            .unwrap();
        let got = received(&sec, &queue_url, Duration::from_secs(2)).await;
        assert_eq!(got.len(), 1, "{region}: {got:?}");
        assert!(
            got[0].contains(&format!("(account {workload})")) && got[0].contains(region),
            "{got:?}"
        );
    }

    // Drift in one account: found there, repaired, gone.
    unhook(&work).await;
    let out = management.trailctl(&["drift", "-f", &three]);
    exited(&out, 2);
    let shown = text(&out.stdout);
    let row = |id: &str| {
        shown
            .lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row(&workload).contains(" yes "), "{shown}");
    assert!(row(&security).contains(" no "), "{shown}");
    // Repaired through a saved plan: every account's changes in one file, shown, applied.
    let file = format!("{three}.plan");
    ok(&plan(&management, &three, &["--out", &file]));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 4);
    assert_eq!(saved["accounts"][0]["format_version"], 3);
    assert_eq!(saved["accounts"].as_array().unwrap().len(), 3);
    let shown = ok(&management.trailctl(&["show", &file]));
    assert!(
        shown.contains(&format!("── account {workload} (workload, member) ──"))
            && shown.contains("~ alert.table-deleted"),
        "{shown}"
    );
    let out = management.trailctl(&["apply", "-f", &three, &file]);
    assert!(
        ok(&out).contains(&format!(
            "  {workload} (workload): applied: 0 added, 1 changed"
        )),
        "{}",
        text(&out.stdout)
    );
    exited(&management.trailctl(&["drift", "-f", &three]), 0);
    let shown = ok(&plan(&management, &three, &[]));
    assert!(
        shown.ends_with("No changes. Every account matches the spec.\n") && !shown.contains("──"),
        "{shown}"
    );
    // The plan file is stale once an account changed since: refused, nothing written.
    ok(&plan(&management, &three, &["--out", &file]));
    unhook(&work).await;
    let out = management.trailctl(&["apply", "-f", &three, &file]);
    exited(&out, 1);
    assert!(
        text(&out.stderr).contains("plan is stale"),
        "{}",
        text(&out.stderr)
    );

    // --fail-fast, one account at a time (in account order): the accounts after the broken
    // one are not read.
    let one_by_one = spec(
        &management,
        "fail-fast",
        &yaml
            .replace("[EXCLUDED]", "[]")
            .replace("concurrency: 2", "concurrency: 1"),
    );
    let out = plan(
        &management,
        &one_by_one,
        &["--fail-fast", "--format", "json"],
    );
    exited(&out, 1);
    let doc: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    for r in doc["summary"].as_array().unwrap() {
        let id = r["account"].as_str().unwrap();
        let error = r["error"].as_str().unwrap_or_default();
        match id.cmp(broken.as_str()) {
            std::cmp::Ordering::Less => assert!(r["error"].is_null(), "{doc}"),
            std::cmp::Ordering::Equal => assert!(error.contains("AccessDenied"), "{doc}"),
            std::cmp::Ordering::Greater => assert!(error.contains("--fail-fast"), "{doc}"),
        }
    }
    // And apply writes nothing at all once an account failed.
    let out = apply(&management, &one_by_one, &["--fail-fast"]);
    exited(&out, 1);
    assert!(
        text(&out.stderr).contains("--fail-fast: nothing was written"),
        "{}",
        text(&out.stderr)
    );

    // `organization:` removed: the spec names the management account alone. Its plan says
    // that the stack's rules forward to the security account's bus, what remains in the
    // members, and how to remove it; which then works: `alerts: []` under the organization
    // removes the members' rules and the security bus's statement.
    let alone = spec(
        &management,
        "alone",
        &yaml.replace(
            &format!(
                "organization:\n  accounts: all\n  exclude: [EXCLUDED]\n  security_account: \"{security}\"\n  concurrency: 2\n"
            ),
            "",
        ),
    );
    let out = plan(&management, &alone, &[]);
    let told = text(&out.stderr);
    assert!(
        told.contains(&format!("forward to the event bus of account {security}"))
            && told.contains("alerts: []"),
        "{told}\n{}",
        text(&out.stdout)
    );
    let quiet = spec(
        &management,
        "quiet",
        &format!(
            "{}alerts: []\n",
            yaml.replace("EXCLUDED", &format!("\"{broken}\""))
                .split("alerts:")
                .next()
                .unwrap()
        ),
    );
    ok(&apply(&management, &quiet, &["--allow-destroy"]));
    let left = work
        .events("us-east-1")
        .await
        .list_rules()
        .name_prefix("trailctl-org-")
        .send()
        .await
        .unwrap();
    assert!(left.rules().is_empty(), "{left:?}");
    let bus = sec
        .events("us-east-1")
        .await
        .describe_event_bus()
        .send()
        .await
        .unwrap();
    assert!(
        bus.policy().is_none_or(|p| !p.contains("trailctl-org")),
        "{:?}",
        bus.policy()
    );
    let out = plan(&management, &alone, &[]);
    assert!(
        !text(&out.stderr).contains("forward to the event bus"),
        "{}",
        text(&out.stderr)
    );
}
