//! observe → plan → apply → observe on the in-memory account: convergence, idempotence,
//! failure injection mid-apply and the re-run that converges, the destroy gate, ownership.

use std::collections::BTreeSet;

use crate::apply::{Options, Refusal, apply, verify};
use crate::live::error::ErrorKind;
use crate::live::fake::Fake;
use crate::live::observe;
use crate::model::desired::Desired;
use crate::plan::{self, Action, Address, Plan};

pub(super) const ACCOUNT: &str = "111122223333";

const SPEC: &str = "
version: 1
stack: audit
home_region: us-east-1
tags: {team: sec}
buckets:
  - name: audit-logs
    retention_days: 400
    kms_key: alias/logs
trails:
  - name: audit
    bucket: audit-logs
    prefix: p
    kms_key: alias/logs
    delivery_topic: deliveries
    exclude_management_sources: [kms.amazonaws.com]
    data_events:
      - resource: s3_object
        arns: ['arn:aws:s3:::data/']
    insights: [api_call_rate]
  - name: second
    bucket: audit-logs
";

pub(crate) fn desired(yaml: &str) -> Desired {
    crate::spec::parse(yaml.as_bytes()).unwrap().desired
}

pub(super) fn fake() -> Fake {
    let f = Fake::new(ACCOUNT);
    f.state.borrow_mut().kms.insert(
        "alias/logs".into(),
        format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"),
    );
    f
}

pub(crate) fn run<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(f)
}

pub(crate) fn plan_of(f: &Fake, d: &Desired, adopt: bool) -> Plan {
    let o = run(observe(f, d)).unwrap();
    plan::plan(d, &o, plan::Options { adopt })
}

pub(crate) fn opts(allow_destroy: bool) -> Options {
    Options {
        allow_destroy,
        policy_retry_delays: vec![std::time::Duration::ZERO; 3],
        recheck: None,
    }
}

pub(crate) fn apply_ok(f: &Fake, p: &Plan, allow_destroy: bool) -> Vec<Address> {
    let out = run(apply(f, p, &opts(allow_destroy), &mut |_| {})).unwrap();
    assert!(out.failed.is_empty(), "{:?}", out.failed);
    out.applied
}

#[test]
fn from_empty_to_applied_and_a_clean_replan() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    assert_eq!(p.counts(), (3, 0, 0));
    let touched = apply_ok(&f, &p, false);
    let again = plan_of(&f, &d, false);
    assert!(
        verify(&again, &touched).is_empty(),
        "{:?}",
        verify(&again, &touched)
    );
    assert!(!again.has_changes(), "{:#?}", again.changes);
    // The created trail is tagged, logging, and the policy names both trails.
    let s = f.state.borrow();
    let t = &s.trails[&("us-east-1".to_owned(), "audit".to_owned())];
    assert!(t.logging);
    assert_eq!(t.settings.delivery_topic.as_deref(), Some("deliveries"));
    let policy = s.buckets["audit-logs"].policy.as_ref().unwrap().to_string();
    assert!(
        policy.contains("trail/audit") && policy.contains("trail/second"),
        "{policy}"
    );
}

#[test]
fn a_noop_plan_reads_in_few_calls_and_writes_nothing() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    f.reset_calls();
    let p = plan_of(&f, &d, false);
    assert!(!p.has_changes());
    // STS, KMS, ListTrails, DescribeTrails, ListTags, 2 trails × 3 details, 1 bucket;
    // ListTopics, ListRules (us-east-1), GetRole × 2 (the forwarder, the log-delivery role);
    // GetResources (us-east-1: what carries the stack's tag), concurrently with the rest.
    assert_eq!(f.total_calls(), 17, "{:?}", f.state.borrow().calls);
    assert_eq!(f.calls("ResourceGroupsTagging:GetResources"), 1);
}

#[test]
fn failure_mid_apply_reports_and_a_rerun_converges() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    f.fail(
        "CloudTrail:PutEventSelectors",
        1,
        ErrorKind::Service("Throttling".into()),
    );
    let out = run(apply(&f, &p, &opts(false), &mut |_| {})).unwrap();
    // The other trail does not depend on the one that failed: it is written all the same.
    assert_eq!(
        out.applied,
        vec![
            Address::Bucket("audit-logs".into()),
            Address::Trail("second".into())
        ]
    );
    assert_eq!(out.failed.len(), 1);
    let failed = out.failed.into_iter().next().unwrap();
    assert_eq!(failed.address, Address::Trail("audit".into()));
    assert_eq!(failed.stage, crate::apply::Stage::Write);
    assert_eq!(failed.error.operation, "CloudTrail:PutEventSelectors");
    assert!(out.not_attempted.is_empty(), "{:?}", out.not_attempted);
    // The half-created trail is ours (tagged at creation), so the re-plan updates it.
    let p2 = plan_of(&f, &d, false);
    assert!(p2.conflicts.is_empty(), "{:?}", p2.conflicts);
    assert_eq!(p2.counts(), (0, 1, 0));
    apply_ok(&f, &p2, false);
    assert!(!plan_of(&f, &d, false).has_changes());
}

#[test]
fn bucket_policy_not_yet_visible_is_retried() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    f.fail("CloudTrail:CreateTrail", 1, ErrorKind::BucketPolicyNotReady);
    f.fail("CloudTrail:CreateTrail", 2, ErrorKind::BucketPolicyNotReady);
    let mut retries = 0;
    let out = run(apply(&f, &p, &opts(false), &mut |e| {
        if matches!(e, crate::apply::Event::Retrying { .. }) {
            retries += 1;
        }
    }))
    .unwrap();
    assert!(out.failed.is_empty());
    assert_eq!(retries, 2);
    assert_eq!(f.calls("CloudTrail:CreateTrail"), 4);
}

#[test]
fn drift_is_shown_per_field_and_repaired() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    {
        let mut s = f.state.borrow_mut();
        let t = s
            .trails
            .get_mut(&("us-east-1".to_owned(), "audit".to_owned()))
            .unwrap();
        t.logging = false;
        t.insights.clear();
        t.selectors.truncate(1);
        let arn = crate::model::arn::trail("us-east-1", ACCOUNT, "audit");
        s.trail_tags.get_mut(&arn).unwrap().remove("team");
    }
    let p = plan_of(&f, &d, false);
    let c = p
        .changes
        .iter()
        .find(|c| c.address == Address::Trail("audit".into()))
        .unwrap();
    assert_eq!(c.action, Action::Update);
    let fields: Vec<_> = crate::model::state::diff(
        &c.before.as_ref().unwrap().fields(),
        &c.after.as_ref().unwrap().fields(),
    )
    .into_iter()
    .map(|(n, _, _)| n)
    .collect();
    assert_eq!(fields, ["logging", "event_selectors", "insights", "tags"]);
    // Repairing drift adds logging back: not destructive.
    assert!(c.destructive.is_empty());
    apply_ok(&f, &p, false);
    assert!(!plan_of(&f, &d, false).has_changes());
}

#[test]
fn destroy_needs_the_flag_and_foreign_trails_are_untouched() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    // Someone else's trail, untagged.
    let settings = f.state.borrow().trails[&("us-east-1".to_owned(), "second".to_owned())]
        .settings
        .clone();
    run(crate::live::services::CloudTrail::create_trail(
        &f,
        "us-east-1",
        "theirs",
        &settings,
        &Default::default(),
    ))
    .unwrap();
    let fewer = desired(&SPEC.replace("  - name: second\n    bucket: audit-logs\n", ""));
    let p = plan_of(&f, &fewer, false);
    assert_eq!(p.counts(), (0, 1, 1), "{:#?}", p.changes);
    assert_eq!(
        p.unmanaged,
        vec![("theirs".into(), "us-east-1".into(), None)]
    );
    match run(apply(&f, &p, &opts(false), &mut |_| {})) {
        Err(Refusal::Destructive(list)) => assert_eq!(list[0].0, Address::Trail("second".into())),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.calls("CloudTrail:DeleteTrail"), 0);
    apply_ok(&f, &p, true);
    let s = f.state.borrow();
    let names: BTreeSet<_> = s.trails.keys().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["audit", "theirs"]));
}

#[test]
fn an_untagged_trail_of_the_same_name_is_a_conflict_unless_adopted() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    let arn = crate::model::arn::trail("us-east-1", ACCOUNT, "second");
    f.state
        .borrow_mut()
        .trail_tags
        .insert(arn, Default::default());
    let p = plan_of(&f, &d, false);
    assert_eq!(p.conflicts.len(), 1);
    assert!(
        p.conflicts[0]
            .message
            .contains("is not managed by stack audit"),
        "{:?}",
        p.conflicts
    );
    assert!(matches!(
        run(apply(&f, &p, &opts(true), &mut |_| {})),
        Err(Refusal::Conflicts)
    ));
    let adopted = plan_of(&f, &d, true);
    assert!(adopted.conflicts.is_empty());
    let c = adopted.changes.iter().find(|c| c.adopt).unwrap();
    assert_eq!(c.action, Action::Update);
    apply_ok(&f, &adopted, false);
    assert!(!plan_of(&f, &d, false).has_changes());
}

#[test]
fn another_stacks_trail_and_a_foreign_bucket_are_conflicts() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    let other = desired(&SPEC.replace("stack: audit", "stack: other"));
    let p = plan_of(&f, &other, true);
    assert_eq!(p.conflicts.len(), 3, "{:?}", p.conflicts);
    assert!(
        p.conflicts
            .iter()
            .all(|c| c.message.contains("managed by stack audit"))
    );
    let f2 = fake();
    f2.state
        .borrow_mut()
        .foreign_buckets
        .insert("audit-logs".into());
    let p2 = plan_of(&f2, &d, false);
    assert!(
        p2.conflicts[0].message.contains("cannot read it"),
        "{:?}",
        p2.conflicts
    );
}

#[test]
fn changing_the_home_region_replaces_the_trail_and_is_destructive() {
    let (f, d) = (
        fake(),
        desired(
            "
version: 1
stack: s
home_region: us-east-1
trails: [{name: trl, bucket: elsewhere}]
",
        ),
    );
    f.state.borrow_mut().buckets.insert(
        "elsewhere".into(),
        crate::model::observed::LiveBucket {
            region: "us-east-1".into(),
            block_public_access: true,
            owner_enforced: true,
            encryption: crate::model::state::Encryption::S3,
            retention_days: None,
            policy: None,
            access_logging: None,
            tags: Default::default(),
        },
    );
    let p = plan_of(&f, &d, false);
    // The bucket has no policy: a warning with the statements to add, and nothing to change on it.
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("AWSCloudTrailWrite")
    );
    apply_ok(&f, &p, false);
    let moved = desired(
        "
version: 1
stack: s
home_region: eu-west-1
trails: [{name: trl, bucket: elsewhere}]
",
    );
    let p = plan_of(&f, &moved, false);
    assert_eq!(p.changes[0].action, Action::Replace);
    assert!(!p.changes[0].destructive.is_empty());
    apply_ok(&f, &p, true);
    let again = plan_of(&f, &moved, false);
    assert!(!again.has_changes(), "{:#?}", again.changes);
}

/// Options that re-read every resource before writing it, against the fingerprints of `p`.
pub(crate) fn rechecked(d: &Desired, p: &Plan) -> Options {
    Options {
        recheck: Some(crate::apply::Recheck {
            desired: d.clone(),
            adopt: false,
            fingerprints: plan::saved::fingerprints(p),
        }),
        ..opts(false)
    }
}

#[test]
fn a_resource_changed_after_the_plan_is_stale_and_nothing_is_written_to_it() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    let retagged = desired(&SPEC.replace("team: sec", "team: audit"));
    let p = plan_of(&f, &retagged, false);
    assert!(p.has_changes());
    // Another client stops the trail's logging between the plan and the apply.
    run(crate::live::services::CloudTrail::set_logging(
        &f,
        "us-east-1",
        "audit",
        false,
    ))
    .unwrap();
    f.reset_calls();
    let out = run(apply(&f, &p, &rechecked(&retagged, &p), &mut |_| {})).unwrap();
    // The re-read just before the trail is written finds it changed: nothing is written to it
    // and nothing more is started; the bucket, which does not depend on it, was written.
    let audit = Address::Trail("audit".into());
    assert_eq!(out.stale, Some(audit.clone()));
    assert!(out.applied.contains(&Address::Bucket("audit-logs".into())));
    assert!(
        !out.applied.contains(&audit) && out.not_attempted.contains(&audit),
        "{out:?}"
    );
    let trails_written = out
        .applied
        .iter()
        .filter(|a| matches!(a, Address::Trail(_)))
        .count();
    assert_eq!(f.calls("CloudTrail:AddTags"), trails_written);
}

#[test]
fn a_resource_changed_during_the_apply_stops_it_before_that_resource() {
    let (f, d) = (fake(), desired(SPEC));
    apply_ok(&f, &plan_of(&f, &d, false), false);
    let retagged = desired(&SPEC.replace("team: sec", "team: audit"));
    let p = plan_of(&f, &retagged, false);
    // A racing apply stops the trail's logging once the bucket is written.
    let mut race = |e: crate::apply::Event<'_>| {
        if let crate::apply::Event::Finished(c) = e
            && c.address == Address::Bucket("audit-logs".into())
        {
            let mut s = f.state.borrow_mut();
            for t in s.trails.values_mut() {
                t.logging = false;
            }
        }
    };
    let out = run(apply(&f, &p, &rechecked(&retagged, &p), &mut race)).unwrap();
    assert_eq!(out.applied, vec![Address::Bucket("audit-logs".into())]);
    assert_eq!(out.stale, Some(Address::Trail("audit".into())));
    assert_eq!(
        f.calls("CloudTrail:AddTags"),
        0,
        "nothing written to a stale trail"
    );
}

#[test]
fn an_unchanged_account_applies_with_the_recheck() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    let out = run(apply(&f, &p, &rechecked(&d, &p), &mut |_| {})).unwrap();
    assert!(out.failed.is_empty() && out.stale.is_none(), "{out:?}");
    assert!(!plan_of(&f, &d, false).has_changes());
}

#[test]
fn the_recheck_re_reads_only_the_kind_of_resource_it_writes() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    let changes: Vec<&Address> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| &c.address)
        .collect();
    assert_eq!(changes.len(), 3, "one bucket and two trails: {changes:?}");
    f.reset_calls();
    let out = run(apply(&f, &p, &rechecked(&d, &p), &mut |_| {})).unwrap();
    assert!(out.failed.is_empty() && out.stale.is_none(), "{out:?}");
    // Before each write, that resource's own kind only: never the whole account.
    assert_eq!(f.calls("CloudTrail:DescribeTrails"), 2);
    assert_eq!(f.calls("S3:GetBucketLocation"), 1);
    assert_eq!(f.calls("SNS:ListTopics"), 0);
    assert_eq!(f.calls("EventBridge:ListRules"), 0);
    assert_eq!(f.calls("STS:GetCallerIdentity"), 0);
}

/// A read that fails while re-checking before a write is that read's failure: nothing was
/// written to the resource about to be written, and what was written before is reported.
#[test]
fn a_failed_re_read_before_a_write_is_not_blamed_on_the_write() {
    let (f, d) = (fake(), desired(SPEC));
    let p = plan_of(&f, &d, false);
    // The first DescribeTrails is the re-read before the first trail is written.
    f.fail(
        "CloudTrail:DescribeTrails",
        1,
        ErrorKind::Service("Throttling".into()),
    );
    let out = run(apply(&f, &p, &rechecked(&d, &p), &mut |_| {})).unwrap();
    assert_eq!(
        out.applied,
        vec![
            Address::Bucket("audit-logs".into()),
            Address::Trail("second".into())
        ]
    );
    let failed = out.failed.into_iter().next().unwrap();
    assert_eq!(failed.stage, crate::apply::Stage::Recheck);
    assert_eq!(failed.error.operation, "CloudTrail:DescribeTrails");
    assert_eq!(failed.address, Address::Trail("audit".into()));
    assert_eq!(out.not_attempted, vec![Address::Trail("audit".into())]);
    assert_eq!(
        f.calls("CloudTrail:CreateTrail"),
        1,
        "nothing written to the trail whose re-read failed"
    );
}

/// A change the planner never makes (a bucket deleted, an update with nothing before) is an
/// error naming it, with nothing written: never a silent success.
#[test]
fn an_impossible_change_is_an_error_not_a_success() {
    let (f, d) = (fake(), desired(SPEC));
    let mut p = plan_of(&f, &d, false);
    let bucket = p
        .changes
        .iter_mut()
        .find(|c| matches!(c.address, Address::Bucket(_)))
        .unwrap();
    bucket.action = Action::Update;
    let out = run(apply(&f, &p, &opts(false), &mut |_| {})).unwrap();
    let failed = out.failed.into_iter().next().unwrap();
    assert_eq!(failed.address, Address::Bucket("audit-logs".into()));
    assert!(
        failed
            .error
            .message
            .contains("is not a change trailctl makes"),
        "{}",
        failed.error
    );
    assert_eq!(
        f.calls("S3:CreateBucket") + f.calls("S3:PutBucketTagging"),
        0
    );
    assert!(out.applied.is_empty());
}
