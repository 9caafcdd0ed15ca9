//! An organization's spec on the in-memory accounts, for what the emulator cannot show (moto
//! accepts an organization trail from any account): the organization trail planned in the
//! management account only, created there and addressed by ARN, its bucket policy admitting
//! the organization's prefix; trusted access; the security account's bus statement; a member's
//! own trail copying the management events; the shapes of the spec per account.

use crate::apply::tests::{apply_ok, desired, plan_of};
use crate::live::fake::Fake;
use crate::live::org_tests::organization;
use crate::model::desired::Desired;
use crate::plan::{Action, Address, Plan, Resource};

const MANAGEMENT: &str = "111111111111";
const SECURITY: &str = "222222222222";
const WORKLOAD: &str = "333333333333";

const SPEC: &str = "
version: 1
stack: org
home_region: us-east-1
organization:
  accounts: all
  security_account: \"222222222222\"
buckets:
  - name: org-audit-logs
trails:
  - name: org-audit
    bucket: org-audit-logs
    organization: true
topics:
  - name: security-alerts
alerts:
  - name: table-deleted
    on: {service: dynamodb, events: [DeleteTable]}
    notify: [security-alerts]
";

/// The spec as `account` holds it.
fn shaped(account: &str) -> Desired {
    let spec = desired(SPEC);
    spec.shaped_for(&spec.membership(account, "o-abc123defg", MANAGEMENT))
}

fn addresses(p: &Plan) -> Vec<String> {
    p.changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| c.address.to_string())
        .collect()
}

/// Applies `p` and returns the errors of the changes that failed.
fn failures(f: &Fake, p: &Plan) -> Vec<String> {
    let out = crate::apply::tests::run(crate::apply::apply(
        f,
        p,
        &crate::apply::tests::opts(false),
        &mut |_| {},
    ))
    .unwrap();
    out.failed.iter().map(|x| x.error.to_string()).collect()
}

fn trusted(f: &Fake) {
    if let Some(o) = f.state.borrow_mut().org.as_mut() {
        o.trusted
            .insert(crate::model::org::CLOUDTRAIL_PRINCIPAL.to_owned());
    }
}

#[test]
fn each_account_holds_its_part_of_the_spec() {
    let m = plan_of(&organization(MANAGEMENT), &shaped(MANAGEMENT), false);
    assert_eq!(
        addresses(&m),
        [
            "bucket.org-audit-logs",
            "trail.org-audit",
            "role.trailctl-org-forwarder",
            "alert.table-deleted"
        ]
    );
    let s = plan_of(&organization(SECURITY), &shaped(SECURITY), false);
    assert_eq!(
        addresses(&s),
        [
            "topic.security-alerts",
            "alert.table-deleted",
            "bus_policy.org"
        ]
    );
    let w = plan_of(&organization(WORKLOAD), &shaped(WORKLOAD), false);
    assert_eq!(
        addresses(&w),
        ["role.trailctl-org-forwarder", "alert.table-deleted"]
    );
}

#[test]
fn the_organization_trail_is_created_in_the_management_account_and_addressed_by_arn() {
    let f = organization(MANAGEMENT);
    let d = shaped(MANAGEMENT);
    // The management account without trusted access: CloudTrail refuses the trail.
    let p = plan_of(&f, &d, false);
    let failed = failures(&f, &p);
    assert!(
        failed
            .iter()
            .any(|e| e.contains("CloudTrailAccessNotEnabledException")),
        "{failed:?}"
    );
    assert_eq!(
        crate::plan::org::untrusted(&d, "o-abc123defg")[0].address,
        Some(Address::Trail("org-audit".to_owned()))
    );
    // With it: created, logging, its selectors set (every call after CreateTrail names it by
    // ARN: the fake answers an organization trail's name with TrailNotFoundException).
    trusted(&f);
    let p = plan_of(&f, &d, false);
    let bucket = p
        .changes
        .iter()
        .find_map(|c| match &c.after {
            Some(Resource::Bucket(b)) => b.policy.clone(),
            _ => None,
        })
        .expect("a bucket policy");
    let resources = bucket["Statement"][1]["Resource"].to_string();
    assert!(
        resources.contains("AWSLogs/111111111111/*")
            && resources.contains("AWSLogs/o-abc123defg/*"),
        "{resources}"
    );
    apply_ok(&f, &p, false);
    let t = f
        .state
        .borrow()
        .trails
        .get(&("us-east-1".to_owned(), "org-audit".to_owned()))
        .cloned()
        .expect("the trail");
    assert!(t.settings.organization && t.logging);
    assert!(addresses(&plan_of(&f, &d, false)).is_empty());
}

#[test]
fn a_member_account_cannot_create_an_organization_trail() {
    // What the planner never asks for: the fake refuses it as CloudTrail does.
    let f = organization(WORKLOAD);
    trusted(&f);
    let spec = desired(SPEC);
    let mut d = spec.shaped_for(&spec.membership(MANAGEMENT, "o-abc123defg", MANAGEMENT));
    d.account = Some(WORKLOAD.to_owned());
    let p = plan_of(&f, &d, false);
    let failed = failures(&f, &p);
    assert!(
        failed
            .iter()
            .any(|e| e.contains("NotOrganizationMasterAccountException")),
        "{failed:?}"
    );
}

#[test]
fn the_security_bus_admits_the_organization_and_only_its_statement_is_touched() {
    let f = organization(SECURITY);
    let d = shaped(SECURITY);
    let theirs = serde_json::json!({"Sid": "someone-else", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "events:PutEvents",
        "Resource": "arn:aws:events:us-east-1:222222222222:event-bus/default"});
    f.state.borrow_mut().bus_statements.insert(
        ("us-east-1".to_owned(), "someone-else".to_owned()),
        theirs.clone(),
    );
    apply_ok(&f, &plan_of(&f, &d, false), false);
    assert!(addresses(&plan_of(&f, &d, false)).is_empty());
    let s = f.state.borrow();
    let statement = &s.bus_statements[&(
        "us-east-1".to_owned(),
        "trailctl-org-organization".to_owned(),
    )];
    assert_eq!(
        statement["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
        "o-abc123defg"
    );
    assert_eq!(
        s.bus_statements[&("us-east-1".to_owned(), "someone-else".to_owned())],
        theirs
    );
    drop(s);
    // Another organization id (the spec moved): the statement is rewritten.
    let mut moved = d.clone();
    if let Some(m) = moved.member.as_mut() {
        m.org_id = "o-zzz999yyyy".to_owned();
    }
    let p = plan_of(&f, &moved, false);
    assert_eq!(addresses(&p), ["bus_policy.org"]);
    assert_eq!(p.changes.last().map(|c| c.action), Some(Action::Update));
}

#[test]
fn a_member_trail_that_copies_the_management_events_is_told_with_its_price() {
    let f = organization(WORKLOAD);
    let own = desired(
        "version: 1\nstack: mine\nhome_region: us-east-1\nbuckets: [{name: own-logs}]\ntrails: [{name: own, bucket: own-logs}]\n",
    );
    apply_ok(&f, &plan_of(&f, &own, false), false);
    let p = plan_of(&f, &shaped(WORKLOAD), false);
    let w: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        w.iter()
            .any(|m| m.starts_with("[management-copy] trail `own`")
                && m.contains("organization trail `org-audit`")
                && m.contains("$2.00 per 100,000")),
        "{w:?}"
    );
}

#[test]
fn the_organization_document_sums_up_every_account_and_aggregates_the_exit() {
    use crate::plan::org::{AccountPlan, OrgPlan, Outcome};
    use crate::render::org::{OrgView, write_summary};

    let member = |account: &str| desired(SPEC).membership(account, "o-abc123defg", MANAGEMENT);
    let changed = plan_of(&organization(WORKLOAD), &shaped(WORKLOAD), false);
    let mut org = OrgPlan {
        organization: "o-abc123defg".to_owned(),
        management_account: MANAGEMENT.to_owned(),
        security_account: SECURITY.to_owned(),
        skipped: Vec::new(),
        accounts: vec![
            AccountPlan {
                name: "management".to_owned(),
                membership: member(MANAGEMENT),
                outcome: Outcome::Failed("cannot assume it".to_owned()),
            },
            AccountPlan {
                name: "security".to_owned(),
                membership: member(SECURITY),
                outcome: Outcome::NotRun,
            },
            AccountPlan {
                name: "workload".to_owned(),
                membership: member(WORKLOAD),
                outcome: Outcome::Planned(Box::new(changed)),
            },
        ],
    };
    assert!(org.errored() && org.has_changes());
    let view = OrgView::new(&org);
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["summary"][2]["add"], 2);
    assert_eq!(json["summary"][2]["drift"], true);
    assert_eq!(json["summary"][0]["role"], "management");
    assert!(json["accounts"][0]["plan"].is_null());
    let mut out = Vec::new();
    write_summary(&mut out, &view, crate::render::style::Color::Never).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("111111111111  management  management")
            && text.contains("cannot assume it")
            && text.contains("not read: --fail-fast stopped at an earlier failure"),
        "{text}"
    );
    // No account at all: nothing errored, nothing changed.
    org.accounts.truncate(0);
    assert!(!org.errored() && !org.has_changes());
}
