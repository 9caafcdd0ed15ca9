//! The apply engine (`check`, then `run`) on the in-memory account: each way an apply ends, as
//! the typed report that a single account's apply and each account of an organization's share.

use crate::apply::tests::{desired, fake, opts, plan_of, run};
use crate::apply::{Ended, Refusal, Report, StaleAt, check, run as apply_run};
use crate::live::error::{ErrorKind, LiveError};
use crate::live::fake::Fake;
use crate::live::observe;
use crate::model::desired::Desired;
use crate::plan::saved::{Context, SavedPlan};
use crate::plan::{self, Address, Plan};

const SPEC: &str = "
version: 1
stack: audit
home_region: us-east-1
buckets:
  - name: audit-logs
trails:
  - name: audit
    bucket: audit-logs
";

/// `plan` run to its end, the account read again and planned as the CLI's re-read does.
fn apply_and_verify(f: &Fake, plan: &Plan, d: &Desired) -> Report {
    run(apply_run(f, plan, &opts(false), &mut |_| {}, async || {
        let observed = observe(f, d).await?;
        Ok(plan::plan(d, &observed, plan::Options { adopt: false }))
    }))
}

fn context() -> Context {
    Context {
        spec_digest: "sha256:0".to_owned(),
        stack: "audit".to_owned(),
        home_region: "us-east-1".to_owned(),
        regions: Vec::new(),
    }
}

#[test]
fn check_ends_an_apply_before_any_call_when_it_may_not_run() {
    let f = fake();
    let d = desired(SPEC);
    let plan = plan_of(&f, &d, false);
    f.reset_calls();
    // Reviewed as another plan (no trail): stale, told at the first address that differs (the
    // bucket, whose policy lets the trail write).
    let other = desired(&SPEC.replace("  - name: audit\n    bucket: audit-logs\n", ""));
    let reviewed = SavedPlan::new(&plan_of(&f, &other, false), &context()).unwrap();
    f.reset_calls();
    let stale = check(&plan, Some(&reviewed), &opts(false)).unwrap();
    assert_eq!(stale.ended, Ended::Stale);
    assert_eq!(stale.stale_at, Some(StaleAt::Review));
    assert_eq!(
        stale.outcome.stale,
        Some(Address::Bucket("audit-logs".into()))
    );
    assert_eq!(stale.counts, (2, 0, 0));
    // Reviewed as itself: it may run.
    let same = SavedPlan::new(&plan, &context()).unwrap();
    assert!(check(&plan, Some(&same), &opts(false)).is_none());
    assert_eq!(f.total_calls(), 0, "check makes no call");

    // Applied, then the trail removed from the spec: destructive, refused without the flag.
    let applied = apply_and_verify(&f, &plan, &d);
    assert_eq!(applied.ended, Ended::Applied, "{applied:?}");
    assert_eq!(applied.counts, (2, 0, 0));
    assert!(
        check(&plan_of(&f, &d, false), None, &opts(false))
            .unwrap()
            .ended
            == Ended::NoChanges
    );
    let removal = plan_of(&f, &other, false);
    let refused = check(&removal, None, &opts(false)).unwrap();
    assert_eq!(refused.ended, Ended::Refused);
    assert!(
        matches!(&refused.refusal, Some(Refusal::Destructive(list)) if list[0].0 == Address::Trail("audit".into())),
        "{refused:?}"
    );
    assert!(check(&removal, None, &opts(true)).is_none());
}

#[test]
fn run_tells_failed_unverified_and_not_converged_apart() {
    let d = desired(SPEC);

    let f = fake();
    let plan = plan_of(&f, &d, false);
    f.fail(
        "CloudTrail:CreateTrail",
        1,
        ErrorKind::Service("AccessDenied".into()),
    );
    let failed = apply_and_verify(&f, &plan, &d);
    assert_eq!(failed.ended, Ended::Failed);
    assert_eq!(
        failed.outcome.applied,
        vec![Address::Bucket("audit-logs".into())]
    );
    assert_eq!(
        failed.outcome.failed[0].address,
        Address::Trail("audit".into())
    );

    // Every write succeeded; the re-read that verifies them did not.
    let f = fake();
    let plan = plan_of(&f, &d, false);
    let unverified = run(apply_run(
        &f,
        &plan,
        &opts(false),
        &mut |_| {},
        async || {
            Err(LiveError::new(
                "CloudTrail:ListTrails",
                None,
                ErrorKind::Service("Throttling".into()),
                "rate exceeded",
            ))
        },
    ));
    assert_eq!(unverified.ended, Ended::Unverified);
    assert_eq!(unverified.outcome.applied.len(), 2);
    assert!(unverified.unverified.is_some());

    // The account read again still plans the same changes: nothing converged.
    let f = fake();
    let plan = plan_of(&f, &d, false);
    let before = plan.clone();
    let stuck = run(apply_run(
        &f,
        &plan,
        &opts(false),
        &mut |_| {},
        async || Ok(before),
    ));
    assert_eq!(stuck.ended, Ended::NotConverged);
    let mut addresses: Vec<_> = stuck.not_converged.iter().map(|n| &n.address).collect();
    addresses.dedup();
    assert_eq!(addresses.len(), 2, "{:?}", stuck.not_converged);
}
