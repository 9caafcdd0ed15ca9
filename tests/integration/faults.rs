//! Apply through the fault proxy (tests/integration/fault_proxy.rs) in front of the emulator:
//! throttling and a dropped connection within the SDK's retries are ridden out; an apply that
//! fails right after creating a resource of any kind is finished by the next run (every kind is
//! tagged in its create call, so nothing is left that the stack cannot recognise as its own); a final verification read that fails
//! after every write succeeded is reported as such, with the full summary, and the account is
//! as applied; a create whose tags the service dropped fails the verification.

use serde_json::Value;

use crate::emulator::{self, Account};
use crate::fault_proxy::{Fault, FaultProxy, Rule, WRITE};
use crate::trails::{NO_CHANGES, exited, ok, spec, text};

const SPEC: &str = "version: 1
stack: faults
account: \"ACCOUNT\"
home_region: us-east-1
buckets:
  - name: faults-logs-ACCOUNT
trails:
  - name: faults
    bucket: faults-logs-ACCOUNT
";

/// One trail in the account? Read with retries: the fault tests keep the emulator busy.
async fn trail_count(account: &Account) -> usize {
    let config = account
        .sdk_config("us-east-1")
        .await
        .into_builder()
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5))
        .build();
    aws_sdk_cloudtrail::Client::new(&config)
        .describe_trails()
        .send()
        .await
        .unwrap()
        .trail_list()
        .len()
}

/// The account seen through a new proxy.
fn through(account: &Account) -> (Account, FaultProxy) {
    // The administrator's one-time step, before the proxy counts any call.
    for stack in ["faults", "strand", "ref"] {
        account.ensure_boundary(stack);
    }
    let proxy = FaultProxy::start(&account.endpoint);
    let mut proxied = account.clone();
    proxied.endpoint = proxy.endpoint.clone();
    (proxied, proxy)
}

#[tokio::test]
async fn throttling_within_the_retries_is_ridden_out() {
    let account = emulator::shared().account().await;
    let (proxied, proxy) = through(&account);
    let file = spec(&account, "throttled", SPEC);
    // Each write is throttled once: the SDK's retry takes it.
    for op in ["CreateTrail", "PutEventSelectors", "StartLogging", "S3:PUT"] {
        proxy.rule(Rule {
            op,
            skip: 0,
            times: 1,
            fault: Fault::Throttle,
        });
    }
    // A connection dropped before the call reached the emulator is retried too.
    proxy.rule(Rule {
        op: "?policy",
        skip: 0,
        times: 1,
        fault: Fault::Reset,
    });
    let out = proxied.trailctl(&["apply", "-v", "-f", &file, "--auto-approve"]);
    let summary = ok(&out);
    assert!(
        proxy.count("CreateTrail") >= 2,
        "the throttled call was retried"
    );
    assert!(proxy.count("?policy") >= 2, "the dropped call was retried");
    // Every retry is told: each at -v with its cause, all of them in the summary.
    let log = text(&out.stderr);
    assert!(
        log.contains("retrying an AWS call")
            && log.contains("cause=\"throttled\"")
            && log.contains("cause=\"connection\""),
        "{log}"
    );
    assert!(
        summary
            .contains("retried: 5 AWS calls (4 throttled, 0 server errors, 1 dropped connections)"),
        "{summary}"
    );
    proxy.clear();
    assert_eq!(ok(&account.trailctl(&["plan", "-f", &file])), NO_CHANGES);
}

#[tokio::test]
async fn a_failed_verification_read_reports_what_was_applied() {
    let account = emulator::shared().account().await;
    let file = spec(&account, "unverified", SPEC);
    // How many DescribeTrails a whole apply makes, and how many of them are the final
    // verification (as many as a no-op plan makes): measured on two other accounts.
    let all_reads = {
        let other = emulator::shared().account().await;
        let (o, c) = through(&other);
        ok(&o.trailctl(&[
            "apply",
            "-f",
            &spec(&other, "probe", SPEC),
            "--auto-approve",
        ]));
        let all = c.count("DescribeTrails");
        c.reset_counts();
        ok(&o.trailctl(&["plan", "-f", &spec(&other, "probe", SPEC)]));
        (all, c.count("DescribeTrails"))
    };
    let (all_reads, plan_reads) = all_reads;
    assert!(
        all_reads > plan_reads && plan_reads > 0,
        "{all_reads} {plan_reads}"
    );
    let (proxied, proxy) = through(&account);
    proxy.rule(Rule::after(
        "DescribeTrails",
        all_reads - plan_reads,
        Fault::ServerError,
    ));
    let out = proxied.trailctl(&[
        "apply",
        "-f",
        &file,
        "--auto-approve",
        "--format",
        "json",
        "--max-attempts",
        "2",
    ]);
    exited(&out, 1);
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "every change was applied, but the account could not be read again to verify them"
        ),
        "{err}"
    );
    assert!(err.contains("applied: bucket.faults-logs-"), "{err}");
    let summary: Value = serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(summary["result"], "unverified", "{summary}");
    assert_eq!(summary["applied"].as_array().unwrap().len(), 2, "{summary}");
    // It was all applied.
    assert_eq!(ok(&account.trailctl(&["plan", "-f", &file])), NO_CHANGES);
}

pub(crate) const EVERY_KIND: &str = "version: 1
stack: strand
account: \"ACCOUNT\"
home_region: us-east-1
regions: [us-east-1, eu-west-1]
buckets:
  - name: strand-logs-ACCOUNT
trails:
  - name: strand
    bucket: strand-logs-ACCOUNT
topics:
  - name: strand-alerts
alerts:
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [strand-alerts]
";

/// An apply that fails at every call matching `fail` after the first `skip` (the create); the
/// next apply, with no faults and no `--adopt`, finishes what the first one started.
async fn a_failure_after_the_create_is_finished_by_a_re_run(
    kind: &str,
    fail: &'static str,
    skip: usize,
) {
    let account = emulator::shared().account().await;
    let file = spec(&account, &format!("strand-{kind}"), EVERY_KIND);
    let (proxied, proxy) = through(&account);
    proxy.rule(Rule::after(fail, skip, Fault::ServerError));
    let out = proxied.trailctl(&[
        "apply",
        "-f",
        &file,
        "--auto-approve",
        "--max-attempts",
        "2",
    ]);
    exited(&out, 1);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{kind}.")) && err.contains("(it may be partly changed)"),
        "{err}"
    );
    let out = account.trailctl(&["apply", "-f", &file, "--auto-approve"]);
    ok(&out);
    assert_eq!(ok(&account.trailctl(&["plan", "-f", &file])), NO_CHANGES);
}

#[tokio::test]
async fn a_bucket_created_then_failed_is_finished_by_a_re_run() {
    // Every S3 write after CreateBucket fails, whichever comes next (the tags came next, and
    // their failure stranded an untagged bucket, before the tags went into the create call).
    a_failure_after_the_create_is_finished_by_a_re_run("bucket", "S3:PUT /strand-logs-", 1).await;
}

#[tokio::test]
async fn a_trail_created_then_failed_is_finished_by_a_re_run() {
    a_failure_after_the_create_is_finished_by_a_re_run("trail", "PutEventSelectors", 0).await;
}

#[tokio::test]
async fn a_topic_created_then_failed_is_finished_by_a_re_run() {
    a_failure_after_the_create_is_finished_by_a_re_run("topic", "SetTopicAttributes", 0).await;
}

#[tokio::test]
async fn a_rule_created_then_failed_is_finished_by_a_re_run() {
    a_failure_after_the_create_is_finished_by_a_re_run("alert", "PutTargets", 0).await;
}

#[tokio::test]
async fn a_role_created_then_failed_is_finished_by_a_re_run() {
    a_failure_after_the_create_is_finished_by_a_re_run("role", "PutRolePolicy", 0).await;
}

/// Seeded faults on every kind of call (throttling, server errors, dropped connections), with
/// no retries so that they do stop applies: each apply stops with a clear failure (or, by luck,
/// converges), and a re-run without faults finishes it with no `--adopt`; nothing is created
/// twice.
#[tokio::test]
async fn seeded_faults_never_leave_what_a_re_run_cannot_finish() {
    let mut stopped = 0;
    for seed in [1, 2, 3] {
        let account = emulator::shared().account().await;
        let file = spec(&account, &format!("seeded-{seed}"), EVERY_KIND);
        let (proxied, proxy) = through(&account);
        proxy.seeded(
            vec![
                (60, Fault::Throttle),
                (30, Fault::ServerError),
                (20, Fault::Reset),
            ],
            seed,
        );
        let first = proxied.trailctl(&[
            "apply",
            "-f",
            &file,
            "--auto-approve",
            "--max-attempts",
            "1",
        ]);
        assert!(proxy.injected() > 0, "seed {seed}: no fault was injected");
        if first.status.code() != Some(0) {
            stopped += 1;
            let err = text(&first.stderr);
            // Stopped at a write, or at a read before any.
            assert!(
                err.contains("Fix the cause and run apply again")
                    || err.contains("reading the account failed"),
                "seed {seed}: {err}"
            );
            ok(&account.trailctl(&["apply", "-f", &file, "--auto-approve"]));
        }
        assert_eq!(
            ok(&account.trailctl(&["plan", "-f", &file])),
            NO_CHANGES,
            "seed {seed}"
        );
        assert_eq!(trail_count(&account).await, 1, "seed {seed}: one trail");
    }
    assert!(
        stopped > 0,
        "no seed stopped an apply: the re-run was never exercised"
    );
}

/// An apply killed at each of its writes in turn (the write held unanswered, then the process
/// killed) is finished by the next run: no `--adopt`, one trail, the trail never stopped or
/// deleted by the re-run, and nothing left to change.
#[tokio::test]
async fn an_apply_killed_at_any_write_is_finished_by_the_next_run() {
    let probe = emulator::shared().account().await;
    let (p, counter) = through(&probe);
    ok(&p.trailctl(&[
        "apply",
        "-f",
        &spec(&probe, "probe", EVERY_KIND),
        "--auto-approve",
    ]));
    let writes = counter.writes();
    assert!(writes.len() >= 10, "{writes:?}");
    for (n, op) in writes.iter().enumerate() {
        let account = emulator::shared().account().await;
        let file = spec(&account, &format!("killed-{n}"), EVERY_KIND);
        let (proxied, proxy) = through(&account);
        proxy.rule(Rule {
            op: WRITE,
            skip: n,
            times: 1,
            fault: Fault::Hang,
        });
        let mut child = proxied
            .command(&["apply", "-f", &file, "--auto-approve"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while proxy.injected() == 0 && child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed().as_secs() < 60,
                "write {n} ({op}) never came"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(proxy.injected(), 1, "killed at write {n} ({op})");
        let (again, watched) = through(&account);
        let out = again.trailctl(&["apply", "-f", &file, "--auto-approve"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "killed at write {n} ({op}): {}",
            text(&out.stderr)
        );
        assert_eq!(
            watched.count("StopLogging") + watched.count("DeleteTrail"),
            0,
            "write {n} ({op})"
        );
        assert_eq!(
            ok(&account.trailctl(&["plan", "-f", &file])),
            NO_CHANGES,
            "write {n} ({op})"
        );
        assert_eq!(trail_count(&account).await, 1, "write {n} ({op})");
    }
}

/// A call throttled at every attempt says so, and names the way out.
#[tokio::test]
async fn throttling_past_every_attempt_is_told_as_throttling() {
    let account = emulator::shared().account().await;
    let (proxied, proxy) = through(&account);
    let file = spec(&account, "always-throttled", SPEC);
    proxy.rule(Rule::after("CreateTrail", 0, Fault::Throttle));
    let out = proxied.trailctl(&[
        "apply",
        "-f",
        &file,
        "--auto-approve",
        "--max-attempts",
        "3",
    ]);
    exited(&out, 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("CloudTrail:CreateTrail in us-east-1 failed: throttled (ThrottlingException) at every attempt")
            && err.contains("--max-attempts"),
        "{err}"
    );
    assert_eq!(proxy.count("CreateTrail"), 3, "three attempts");
}

/// 10% of calls throttled, 5% server errors, 2% connections dropped, over 10 seeds: every apply
/// converges in one run (the default retries), creates each resource once, never stops or
/// deletes the trail, and leaves a topic it does not own as it was.
#[tokio::test]
async fn seeded_faults_at_ten_five_two_percent_converge_in_one_run() {
    // The accounts first, then the ten applies side by side on threads of their own (the
    // binary blocks; it must not hold up this test's runtime), then the checks.
    let mut setups = Vec::new();
    for seed in 1..=10u64 {
        let account = emulator::shared().account().await;
        let foreign = account
            .sns()
            .await
            .create_topic()
            .name("not-ours")
            .send()
            .await
            .unwrap()
            .topic_arn()
            .unwrap()
            .to_owned();
        let file = spec(&account, &format!("ten-five-two-{seed}"), EVERY_KIND);
        setups.push((seed, account, file, foreign));
    }
    let runs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = setups
            .iter()
            .map(|(seed, account, file, _)| {
                s.spawn(move || {
                    let (proxied, proxy) = through(account);
                    proxy.seeded(
                        vec![
                            (100, Fault::Throttle),
                            (50, Fault::ServerError),
                            (20, Fault::Reset),
                        ],
                        *seed,
                    );
                    let out = proxied.trailctl(&["apply", "-f", file, "--auto-approve"]);
                    (proxy, out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((seed, account, file, foreign), (proxy, out)) in setups.iter().zip(runs) {
        assert_eq!(
            out.status.code(),
            Some(0),
            "seed {seed}: {}",
            text(&out.stderr)
        );
        assert!(proxy.injected() > 0, "seed {seed}: no fault injected");
        assert_eq!(
            proxy.count("StopLogging") + proxy.count("DeleteTrail"),
            0,
            "seed {seed}"
        );
        assert_eq!(
            ok(&account.trailctl(&["plan", "-f", file])),
            NO_CHANGES,
            "seed {seed}"
        );
        assert_eq!(trail_count(account).await, 1, "seed {seed}: one trail");
        let config = account
            .sdk_config("us-east-1")
            .await
            .into_builder()
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5))
            .build();
        let sns = aws_sdk_sns::Client::new(&config);
        let topics = sns.list_topics().send().await.unwrap();
        assert_eq!(
            topics.topics().len(),
            2,
            "seed {seed}: ours and the foreign one"
        );
        let tags = sns
            .list_tags_for_resource()
            .resource_arn(foreign)
            .send()
            .await
            .unwrap();
        assert!(
            tags.tags().is_empty(),
            "seed {seed}: the foreign topic was tagged"
        );
    }
}

/// The reference spec of the apply benchmark (bench/reference.yaml: a trail, two topics, 16
/// alerts in all 17 Regions, ~1,200 calls) through seeded faults, a few seeds of each mix (the
/// series of 20 seeds is in scripts/bench-apply.sh): 10% throttled, 5% server errors, 2% dropped
/// connections, and twice that; every apply converges in one run.
#[tokio::test]
async fn the_reference_spec_converges_in_one_apply_through_seeded_faults() {
    let reference =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/reference.yaml"))
            .unwrap()
            .replace("123456789012", "ACCOUNT");
    let mixes = [
        (1u64, [100, 50, 20]),
        (2, [100, 50, 20]),
        (3, [200, 100, 50]),
        (4, [200, 100, 50]),
    ];
    let mut setups = Vec::new();
    for (seed, mix) in mixes {
        let account = emulator::shared().account().await;
        let file = spec(&account, &format!("reference-{seed}"), &reference);
        setups.push((seed, mix, account, file));
    }
    let runs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = setups
            .iter()
            .map(|(seed, [throttle, server, reset], account, file)| {
                s.spawn(move || {
                    let (proxied, proxy) = through(account);
                    proxy.seeded(
                        vec![
                            (*throttle, Fault::Throttle),
                            (*server, Fault::ServerError),
                            (*reset, Fault::Reset),
                        ],
                        *seed,
                    );
                    let out = proxied.trailctl(&["apply", "-f", file, "--auto-approve"]);
                    (proxy.injected(), out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((seed, _, account, file), (injected, out)) in setups.iter().zip(runs) {
        assert_eq!(
            out.status.code(),
            Some(0),
            "seed {seed}: {}",
            text(&out.stderr)
        );
        assert!(injected > 50, "seed {seed}: {injected} faults injected");
        let summary = text(&out.stdout);
        assert!(
            summary.contains("Apply complete:") && summary.contains("retried: "),
            "seed {seed}: the retries are told: {summary}"
        );
        assert_eq!(
            ok(&account.trailctl(&["plan", "-f", file])),
            NO_CHANGES,
            "seed {seed}"
        );
    }
}

/// A service that ignores the tags of a create call (SNS `CreateTopic` with its `Tags.member`
/// dropped): the topic is created but is not the stack's. The apply's verification checks what
/// the next plan checks, ownership included: it fails naming the topic, never "re-read and
/// verified", and the next plan raises the same conflict.
#[tokio::test]
async fn tags_dropped_on_create_fail_the_verification() {
    let account = emulator::shared().account().await;
    let (proxied, proxy) = through(&account);
    let file = spec(
        &account,
        "tagless",
        "version: 1\nstack: tagless\naccount: \"ACCOUNT\"\nhome_region: us-east-1\ntopics:\n  - name: tagless-alerts\n",
    );
    proxy.rule(Rule::after("CreateTopic", 0, Fault::DropTags));
    let out = proxied.trailctl(&["apply", "-f", &file, "--auto-approve"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_ne!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains("re-read and verified"), "{stdout}");
    assert!(
        stderr.contains("topic.tagless-alerts did not converge")
            && stderr.contains("not managed by stack tagless"),
        "{stderr}"
    );
    assert_eq!(proxy.count("CreateTopic"), 1);
    let plan = account.trailctl(&["plan", "-f", &file]);
    assert!(
        text(&plan.stderr).contains("not managed by stack tagless"),
        "{}",
        text(&plan.stderr)
    );
}
