//! The Athena side on the in-memory account: created in order (database before its table,
//! results bucket before the workgroup), a clean re-plan, and a database of this stack that
//! another client put a table in is never deleted with it.

use crate::apply::apply;
use crate::apply::tests::{ACCOUNT, apply_ok, desired, opts, plan_of, run};
use crate::live::fake::Fake;
use crate::model::athena_state::TableState;
use crate::plan::{Action, Address};

const SPEC: &str = "
version: 1
stack: audit
home_region: us-east-1
buckets:
  - name: audit-logs
trails:
  - name: audit
    bucket: audit-logs
    athena:
      database: audit_db
      workgroup: audit-queries
      results_bucket: audit-results
";

#[test]
fn the_athena_side_applies_in_order_and_converges() {
    let f = Fake::new(ACCOUNT);
    let d = desired(SPEC);
    let p = plan_of(&f, &d, false);
    let order: Vec<String> = p.changes.iter().map(|c| c.address.to_string()).collect();
    let at = |a: &str| order.iter().position(|x| x == a).unwrap();
    assert!(
        at("database.audit_db") < at("table.audit_db.cloudtrail"),
        "{order:?}"
    );
    assert!(
        at("bucket.audit-results") < at("workgroup.audit-queries"),
        "{order:?}"
    );
    apply_ok(&f, &p, false);
    let again = plan_of(&f, &d, false);
    assert!(
        again.changes.iter().all(|c| c.action == Action::NoOp),
        "{:?}",
        again.changes
    );
    let s = f.state.borrow();
    let results = &s.buckets["audit-results"];
    assert_eq!(results.retention_days, Some(30));
    assert_eq!(results.policy, None);
}

#[test]
fn a_database_with_a_table_trailctl_does_not_own_is_never_deleted() {
    let f = Fake::new(ACCOUNT);
    apply_ok(&f, &plan_of(&f, &desired(SPEC), false), false);
    // Another client adds its own table to trailctl's database.
    let foreign = TableState {
        name: "theirs".to_owned(),
        tags: Default::default(),
        ..f.state.borrow().tables.values().next().cloned().unwrap()
    };
    f.state.borrow_mut().tables.insert(
        ("us-east-1".into(), "audit_db".into(), "theirs".into()),
        foreign,
    );
    // The spec moves the table to another database: the old one is to go.
    let moved = desired(&SPEC.replace("database: audit_db", "database: audit_db2"));
    let p = plan_of(&f, &moved, false);
    let drop = p
        .changes
        .iter()
        .find(|c| c.address == Address::Database("audit_db".into()))
        .unwrap();
    assert_eq!(drop.action, Action::Delete);
    assert!(!drop.destructive.is_empty());
    let out = run(apply(&f, &p, &opts(true), &mut |_| {})).unwrap();
    let failed: Vec<String> = out.failed.iter().map(|x| x.address.to_string()).collect();
    assert_eq!(failed, ["database.audit_db"]);
    assert!(
        out.failed[0]
            .error
            .message
            .contains("still has tables trailctl does not delete (theirs)"),
        "{:?}",
        out.failed[0]
    );
    let s = f.state.borrow();
    assert!(
        s.databases
            .contains_key(&("us-east-1".into(), "audit_db".into()))
    );
    assert!(
        s.tables
            .contains_key(&("us-east-1".into(), "audit_db".into(), "theirs".into()))
    );
    assert!(
        !s.tables
            .contains_key(&("us-east-1".into(), "audit_db".into(), "cloudtrail".into()))
    );
}
