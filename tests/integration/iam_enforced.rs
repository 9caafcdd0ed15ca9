//! Least privilege under enforcement: an emulator of its own that enforces IAM (moto's
//! `reset-auth`), three users holding only the policies `trailctl policy` prints for a spec with
//! every kind of resource (trail and bucket, log group and role, alerts forwarding from another
//! Region, a metric filter and its alarm, Athena), and every command run as the one it is for:
//! `plan`, `apply`, a clean re-plan, `drift`, a destructive apply, `backtest`, `investigate`,
//! `query` — none denied; the planner's `apply` denied (enforcement is on); and the published
//! escalation paths tried with each user's keys, each denied. And an organization: the
//! management account's users with the printed policies, each member's role with the printed
//! apply policy instead of AdministratorAccess. `init --from-account`, which has no spec yet, runs
//! with the generic plan template of `policies/`.
//!
//! What moto enforces and what it does not (conditions, the resources of most services) is in
//! tests/emulator/KNOWN-GAPS.md; tests/integration/policies.rs holds the policies against the
//! escalation methods with their resources and conditions.

use std::process::Output;

use aws_sdk_iam::Client as Iam;
use serde_json::json;

use crate::emulator::{self, Account, Emulator};
use crate::trails::{exited, fails, ok, text};

/// moto's default account: the one credentials that are no IAM user's act in.
const ACCOUNT: &str = "123456789012";

fn admin(e: &Emulator) -> Account {
    Account {
        id: ACCOUNT.to_owned(),
        endpoint: e.endpoint.clone(),
        access_key: "testing".to_owned(),
        secret_key: "testing".to_owned(),
        session_token: String::new(),
    }
}

fn enforce(e: &Emulator, on: bool) {
    let out = std::process::Command::new("curl")
        .args([
            "-sf",
            "-X",
            "POST",
            "-H",
            "Content-Type: text/plain",
            "--data",
        ])
        .arg(if on { "0" } else { "inf" })
        .arg(format!("{}/moto-api/reset-auth", e.endpoint))
        .output()
        .expect("curl");
    assert!(out.status.success(), "reset-auth: {}", text(&out.stderr));
}

/// A user holding exactly `policy`, as an account whose credentials are its access key.
async fn user(e: &Emulator, iam: &Iam, name: &str, policy: &str) -> Account {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("trailctl")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    Account {
        id: ACCOUNT.to_owned(),
        endpoint: e.endpoint.clone(),
        access_key: key.access_key_id().to_owned(),
        secret_key: key.secret_access_key().to_owned(),
        session_token: String::new(),
    }
}

fn spec(name: &str, edit: impl Fn(String) -> String) -> String {
    let yaml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iam/everything.yaml"),
    )
    .unwrap()
    .replace("ACCOUNT", ACCOUNT);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("iam-enforced");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, edit(yaml)).unwrap();
    path.display().to_string()
}

/// Exit 1 on an AccessDenied that says what to grant: the IAM action, the resource and the
/// command that prints the spec's policy.
fn denied(out: &Output) -> String {
    let err = fails(out);
    assert!(err.contains("was denied (AccessDenied)"), "{err}");
    assert!(err.contains("— the caller needs "), "{err}");
    assert!(err.contains(" on arn:aws:"), "{err}");
    assert!(
        err.contains("--role apply` prints what this spec needs"),
        "{err}"
    );
    err
}

/// The service's error code of a failed SDK call (`AccessDenied`, `AccessDeniedException`).
fn code<E: aws_sdk_iam::error::ProvideErrorMetadata, R>(
    r: Result<R, aws_sdk_iam::error::SdkError<E>>,
) -> String {
    match r {
        Ok(_) => "succeeded".to_owned(),
        Err(e) => e
            .as_service_error()
            .and_then(|s| s.code())
            .unwrap_or("not a service error")
            .to_owned(),
    }
}

fn is_denied(code: &str) -> bool {
    code.starts_with("AccessDenied") || code == "Forbidden"
}

#[tokio::test]
async fn every_command_works_with_exactly_its_printed_policy_and_no_user_escalates() {
    let e = emulator::private("emulator-iam");
    let root = admin(&e);
    let iam = root.iam().await;
    let f = spec("everything", |y| y);

    // The policies, printed offline (the spec names its account).
    let printed = |role: &str| ok(&root.trailctl(&["policy", "-f", &f, "--role", role]));
    let planner = user(&e, &iam, "trailctl-plan", &printed("plan")).await;
    let applier = user(&e, &iam, "trailctl-apply", &printed("apply")).await;
    let reader = user(&e, &iam, "trailctl-read", &printed("read")).await;
    // `init --from-account` has no spec yet: the generic plan template of policies/ serves it.
    let template = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/trailctl-plan.json"),
    )
    .unwrap();
    let initializer = user(&e, &iam, "trailctl-init", &template).await;
    // A planner whose policy lacks one read of the delivery bucket.
    let mut short: serde_json::Value = serde_json::from_str(&printed("plan")).unwrap();
    short["Statement"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Effect": "Deny", "Action": "s3:GetBucketLocation", "Resource": "*"}));
    let short = user(&e, &iam, "trailctl-plan-short", &short.to_string()).await;
    iam.create_policy()
        .policy_name("trailctl-iam-boundary")
        .policy_document(printed("boundary"))
        .send()
        .await
        .unwrap();
    enforce(&e, true);

    // Enforcement is on: the planner may read but not write.
    let planned = ok(&planner.trailctl(&["plan", "-f", &f]));
    assert!(
        planned.contains("+ role.trailctl-iam-forwarder"),
        "{planned}"
    );
    denied(&planner.trailctl(&["apply", "-f", &f, "--auto-approve"]));

    // The applier applies everything, and the account then matches the spec for both.
    let applied = ok(&applier.trailctl(&["apply", "-f", &f, "--auto-approve"]));
    assert!(applied.contains("re-read and verified"), "{applied}");
    exited(
        &applier.trailctl(&["plan", "-f", &f, "--detailed-exitcode"]),
        0,
    );
    ok(&planner.trailctl(&["drift", "-f", &f]));
    // A denied read fails drift (exit 1): never "No drift", and the bucket is not said to be
    // another account's without saying it may be the caller's missing read.
    let out = short.trailctl(&["drift", "-f", &f]);
    let err = fails(&out);
    assert!(
        !text(&out.stdout).contains("No drift"),
        "{}",
        text(&out.stdout)
    );
    assert!(err.contains("cannot read it: S3 denied the read"), "{err}");
    assert!(err.contains("or the caller lacks the read"), "{err}");
    let role = iam
        .get_role()
        .role_name("trailctl-iam-forwarder")
        .send()
        .await;
    assert!(role.is_err(), "enforcement is on: the root key is no user");
    enforce(&e, false);
    let role = iam
        .get_role()
        .role_name("trailctl-iam-forwarder")
        .send()
        .await
        .unwrap();
    assert_eq!(
        role.role()
            .unwrap()
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some("arn:aws:iam::123456789012:policy/trailctl-iam-boundary"),
        "the stack's roles carry the boundary"
    );

    // A log file in the trail's bucket (its policy refuses plain HTTP: lifted for the upload,
    // then put back by the applier as the drift it is), and event history to investigate.
    let s3 = root.s3().await;
    let bucket = format!("iam-logs-{ACCOUNT}");
    s3.delete_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let day = trailctl::archive::layout::Day::today();
    let (y, m, d) = day.civil();
    let record = json!({
        "eventVersion": "1.09", "eventID": "e1", "eventTime": format!("{y:04}-{m:02}-{d:02}T01:00:00Z"),
        "awsRegion": "us-east-1", "eventSource": "dynamodb.amazonaws.com", "eventName": "DeleteTable",
        "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT,
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice")},
        "requestParameters": {"tableName": "orders"},
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        json!({"Records": [record.clone()]}).to_string().as_bytes(),
    )
    .unwrap();
    s3.put_object()
        .bucket(&bucket)
        .key(format!(
            "org/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/{y:04}/{m:02}/{d:02}/{ACCOUNT}_CloudTrail_us-east-1_{y:04}{m:02}{d:02}T0100Z_x.json.gz"
        ))
        .body(gz.finish().unwrap().into())
        .send()
        .await
        .unwrap();
    root.seed_events("us-east-1", &[record], 0);
    root.queue_query_results("us-east-1", &[(vec!["n"], vec![vec!["1"]])]);
    enforce(&e, true);

    let drifted = text(&planner.trailctl(&["drift", "-f", &f]).stdout);
    assert!(drifted.contains(&format!("bucket.{bucket}")), "{drifted}");
    ok(&applier.trailctl(&["apply", "-f", &f, "--auto-approve"]));

    let drafted = ok(&initializer.trailctl(&[
        "init",
        "--from-account",
        "--region",
        "us-east-1",
        "--stack",
        "iam",
    ]));
    assert!(drafted.contains("name: audit"), "{drafted}");

    // A destructive change: the topic renamed (the old one deleted, as the stack's).
    let renamed = spec("renamed", |y| y.replace("iam-alerts", "iam-alarms"));
    denied(&planner.trailctl(&["apply", "-f", &renamed, "--auto-approve", "--allow-destroy"]));
    let destroyed =
        ok(&applier.trailctl(&["apply", "-f", &renamed, "--auto-approve", "--allow-destroy"]));
    assert!(destroyed.contains("1 destroyed"), "{destroyed}");

    // The reader: the archive, event history and Athena.
    let backtest = ok(&reader.trailctl(&[
        "backtest",
        "-f",
        &renamed,
        &format!("s3://{bucket}/org"),
        "--since",
        "2d",
        "--format",
        "json",
    ]));
    let counted: serde_json::Value = serde_json::from_str(&backtest).unwrap();
    assert_eq!(counted["records"], 1, "{counted:#}");
    let found = ok(&reader.trailctl(&[
        "investigate",
        "orders",
        "--regions",
        "us-east-1",
        "--format",
        "json",
    ]));
    assert!(found.contains("DeleteTable"), "{found}");
    let queried = reader.trailctl(&[
        "query",
        "-f",
        &renamed,
        "SELECT count(*) AS n FROM cloudtrail",
    ]);
    ok(&queried);

    // Escalation, each path with the keys of the user that holds the most of it.
    let applier_iam = applier.iam().await;
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/trailctl-apply")},
        "Action": "sts:AssumeRole"}]})
    .to_string();
    let admin_policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "*", "Resource": "*"}]})
    .to_string();
    // The applier may rewrite a role of the stack (moto does not check the boundary
    // condition)…
    applier_iam
        .update_assume_role_policy()
        .role_name("trailctl-iam-forwarder")
        .policy_document(&trust)
        .send()
        .await
        .unwrap();
    // …but never become it: every trailctl-* role is denied to its own users.
    for (who, account) in [
        ("applier", &applier),
        ("planner", &planner),
        ("reader", &reader),
    ] {
        let assumed = aws_sdk_sts::Client::new(&account.sdk_config("us-east-1").await)
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{ACCOUNT}:role/trailctl-iam-forwarder"
            ))
            .role_session_name("escalate")
            .send()
            .await;
        let c = code(assumed);
        assert!(is_denied(&c), "{who} assumed the stack's role: {c}");
    }
    let attempts = [
        (
            "create a role outside the stack",
            code(
                applier_iam
                    .create_role()
                    .role_name("escalate")
                    .assume_role_policy_document(&trust)
                    .send()
                    .await,
            ),
        ),
        (
            "create a user",
            code(applier_iam.create_user().user_name("escalate").send().await),
        ),
        (
            "an inline policy on itself",
            code(
                applier_iam
                    .put_user_policy()
                    .user_name("trailctl-apply")
                    .policy_name("escalate")
                    .policy_document(&admin_policy)
                    .send()
                    .await,
            ),
        ),
        (
            "a managed policy on itself",
            code(
                applier_iam
                    .attach_user_policy()
                    .user_name("trailctl-apply")
                    .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
                    .send()
                    .await,
            ),
        ),
        (
            "a new version of the boundary",
            code(
                applier_iam
                    .create_policy_version()
                    .policy_arn(format!(
                        "arn:aws:iam::{ACCOUNT}:policy/trailctl-iam-boundary"
                    ))
                    .policy_document(&admin_policy)
                    .set_as_default(true)
                    .send()
                    .await,
            ),
        ),
        (
            "another user's access key",
            code(
                applier_iam
                    .create_access_key()
                    .user_name("trailctl-plan")
                    .send()
                    .await,
            ),
        ),
        (
            "a login profile",
            code(
                applier_iam
                    .create_login_profile()
                    .user_name("trailctl-plan")
                    .password("Escalate-123456")
                    .send()
                    .await,
            ),
        ),
        (
            "the boundary removed from a stack role",
            code(
                applier_iam
                    .delete_role_permissions_boundary()
                    .role_name("trailctl-iam-forwarder")
                    .send()
                    .await,
            ),
        ),
    ];
    for (what, c) in attempts {
        assert!(is_denied(&c), "the applier could {what}: {c}");
    }
    // The reader can neither forge the audit log nor read another bucket.
    let reader_s3 = reader.s3().await;
    let forged = reader_s3
        .put_object()
        .bucket(&bucket)
        .key(format!(
            "org/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/forged.json.gz"
        ))
        .body(b"{}".to_vec().into())
        .send()
        .await;
    assert!(forged.is_err(), "the reader wrote into the log bucket");
    enforce(&e, false);
    root.s3()
        .await
        .create_bucket()
        .bucket("unrelated-iam")
        .send()
        .await
        .unwrap();
    root.s3()
        .await
        .put_object()
        .bucket("unrelated-iam")
        .key("secret")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    enforce(&e, true);
    let read = reader_s3
        .get_object()
        .bucket("unrelated-iam")
        .key("secret")
        .send()
        .await;
    assert!(read.is_err(), "the reader read another bucket");
    enforce(&e, false);
}

/// An organization under enforcement: the management account's users hold the printed plan and
/// apply policies (Organizations reads, `sts:AssumeRole` into the member role only), each
/// member's `OrganizationAccountAccessRole` holds the printed apply policy instead of
/// AdministratorAccess, and every account has the stack's boundary.
#[tokio::test]
async fn an_organization_plans_and_applies_with_its_printed_policies() {
    let e = emulator::private("emulator-iam-org");
    let root = admin(&e);
    let orgs = aws_sdk_organizations::Client::new(&root.sdk_config("us-east-1").await);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    orgs.enable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    let mut members = Vec::new();
    for name in ["security", "workload"] {
        let out = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        members.push(
            out.create_account_status()
                .unwrap()
                .account_id()
                .unwrap()
                .to_owned(),
        );
    }
    let f = spec("organization", |_| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/organization.yaml"),
        )
        .unwrap()
        .replace("111122223333", &members[0])
    });
    let printed = |role: &str| ok(&root.trailctl(&["policy", "-f", &f, "--role", role]));
    let (plan_policy, apply_policy, boundary) =
        (printed("plan"), printed("apply"), printed("boundary"));
    assert!(plan_policy.contains("role/OrganizationAccountAccessRole"));
    let iam = root.iam().await;
    let planner = user(&e, &iam, "trailctl-plan", &plan_policy).await;
    let applier = user(&e, &iam, "trailctl-apply", &apply_policy).await;
    for account in std::iter::once(root.clone()).chain(
        futures_util::future::join_all(
            members
                .iter()
                .map(|m| root.assume(m, "OrganizationAccountAccessRole")),
        )
        .await,
    ) {
        let iam = account.iam().await;
        iam.create_policy()
            .policy_name("trailctl-org-boundary")
            .policy_document(&boundary)
            .send()
            .await
            .unwrap();
        if account.id != ACCOUNT {
            iam.put_role_policy()
                .role_name("OrganizationAccountAccessRole")
                .policy_name("trailctl")
                .policy_document(&apply_policy)
                .send()
                .await
                .unwrap();
        }
    }
    enforce(&e, true);

    let planned = ok(&planner.trailctl(&["plan", "-f", &f]));
    assert!(planned.contains(&members[1]), "{planned}");
    let err = fails(&planner.trailctl(&["apply", "-f", &f, "--auto-approve"]));
    assert!(err.contains("AccessDenied"), "{err}");
    ok(&applier.trailctl(&["apply", "-f", &f, "--auto-approve"]));
    exited(
        &applier.trailctl(&["plan", "-f", &f, "--detailed-exitcode"]),
        0,
    );
    ok(&planner.trailctl(&["drift", "-f", &f]));
    enforce(&e, false);
}
