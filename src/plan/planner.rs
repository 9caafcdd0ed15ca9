//! `plan(&Desired, &Observed) -> Plan`: pure and deterministic. Matches the spec's resources to
//! the account's by name and ownership tags, and diffs them in comparable form.

use std::collections::BTreeSet;

use crate::model::arn;
use crate::model::desired::Desired;
use crate::model::observed::Scope;
use crate::model::observed::{BucketObservation, LiveTrail, Observed, PolicyObservation};
use crate::model::state::{BucketState, TrailState};
use crate::plan::alerts;
use crate::plan::change::{Action, Address, Change, Conflict, Kind, Plan, Resource, Warning};
use crate::plan::cost;
pub use crate::plan::ownership::{Options, Owner, owner};
use crate::plan::ownership::{change, compared, ownership_conflict};
use crate::plan::policy::{self, Delivery};
use crate::plan::safety;
use crate::plan::safety::Reduction;
use crate::plan::state_of::{desired_bucket, desired_trail, observed_bucket, observed_trail};

/// Plans the changes that make the account match `desired`. The spec's `account:` is checked
/// before anything is read (`cli::session`), not here.
pub fn plan(desired: &Desired, observed: &Observed, options: Options) -> Plan {
    let mut p = Plan {
        account: observed.account.clone(),
        ..Plan::default()
    };
    plan_buckets(desired, observed, options, &mut p);
    plan_trails(desired, observed, options, &mut p);
    check_other_buckets(desired, observed, &mut p);
    alerts::plan_alerting(desired, observed, options, &mut p);
    crate::plan::athena::plan_athena(desired, observed, options, &mut p);
    crate::plan::logs::plan_logs(desired, observed, options, &mut p);
    crate::plan::org::plan_bus_policy(desired, observed, &mut p);
    crate::plan::org::plan_left_in_members(desired, observed, &mut p);
    crate::plan::org::member_copies(desired, observed, &mut p);
    crate::plan::quota::rule_quota(desired, observed, &mut p);
    for c in &mut p.changes {
        c.destructive = c.reductions();
    }
    p.changes = crate::plan::order::sorted(std::mem::take(&mut p.changes));
    p.cost = cost::estimate(&observed.trails, &p.changes, desired.cost, &desired.regions);
    p
}

fn plan_buckets(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    for b in &d.buckets {
        let address = Address::Bucket(b.name.clone());
        let after = desired_bucket(d, b, &o.account, &o.kms_keys);
        let live = match o.buckets.get(&b.name) {
            None | Some(BucketObservation::Missing) => {
                p.changes.push(change(
                    address,
                    Action::Create,
                    None,
                    Some(Resource::Bucket(after)),
                ));
                continue;
            }
            Some(BucketObservation::Inaccessible) => {
                p.conflicts.push(Conflict {
                    address: Some(address),
                    message: format!("bucket {} exists but this account cannot read it: S3 denied the read (s3:GetBucketLocation on arn:aws:s3:::{})", b.name, b.name),
                    hint: Some("either the name belongs to another AWS account (bucket names are global: choose another name), or the caller lacks the read: `trailctl policy --role plan` prints what the spec needs".to_owned()),
                });
                continue;
            }
            Some(BucketObservation::Found(l)) => l,
        };
        let who = owner(&live.tags, &d.stack);
        if ownership_conflict(p, &address, &who, &d.stack, options.adopt) {
            continue;
        }
        let before = observed_bucket(&b.name, live, &o.account, &o.kms_keys);
        if before.region != after.region {
            p.conflicts.push(Conflict {
                address: Some(address),
                message: format!(
                    "bucket {} is in {}, but the spec's home Region is {}; S3 cannot move a bucket",
                    b.name, before.region, after.region
                ),
                hint: Some("keep the home Region, or deliver to a new bucket".to_owned()),
            });
            continue;
        }
        let mut c = compared(
            address,
            Resource::Bucket(before.clone()),
            Resource::Bucket(after.clone()),
        );
        c.adopt = who == Owner::Untagged;
        p.changes.push(c);
    }
}

fn plan_trails(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let mut matched = BTreeSet::new();
    for t in &d.trails {
        let address = Address::Trail(t.name.clone());
        let after = desired_trail(d, t, &o.account, &o.kms_keys);
        let Some(live) = o.trail(&t.name, &d.home_region) else {
            p.changes.push(change(
                address,
                Action::Create,
                None,
                Some(Resource::Trail(after)),
            ));
            continue;
        };
        matched.insert(live.arn.clone());
        let who = owner(&live.tags, &d.stack);
        if ownership_conflict(p, &address, &who, &d.stack, options.adopt) {
            continue;
        }
        let Some(before) = observed_state(live, o) else {
            p.conflicts.push(unread(&address));
            continue;
        };
        let mut c = if before.region != after.region {
            let mut c = change(
                address,
                Action::Replace,
                Some(Resource::Trail(before.clone())),
                Some(Resource::Trail(after.clone())),
            );
            c.forces_replacement = vec!["region".to_owned()];
            c
        } else {
            compared(
                address,
                Resource::Trail(before.clone()),
                Resource::Trail(after.clone()),
            )
        };
        c.adopt = who == Owner::Untagged;
        p.changes.push(c);
    }
    for live in o.trails.iter().filter(|l| !matched.contains(&l.arn)) {
        let address = Address::Trail(live.name.clone());
        match owner(&live.tags, &d.stack) {
            Owner::Us => {
                let Some(before) = observed_state(live, o) else {
                    p.conflicts.push(unread(&address));
                    continue;
                };
                p.changes.push(change(
                    address,
                    Action::Delete,
                    Some(Resource::Trail(before)),
                    None,
                ));
            }
            Owner::Stack(s) => p
                .unmanaged
                .push((live.name.clone(), live.region.clone(), Some(s))),
            Owner::Untagged => p
                .unmanaged
                .push((live.name.clone(), live.region.clone(), None)),
        }
    }
}

fn observed_state(live: &LiveTrail, o: &Observed) -> Option<crate::model::state::TrailState> {
    live.details
        .as_ref()
        .map(|det| observed_trail(live, det, &o.account, &o.kms_keys))
}

fn unread(address: &Address) -> Conflict {
    Conflict {
        address: Some(address.clone()),
        message: "its status, selectors or Insights could not be read".to_owned(),
        hint: None,
    }
}

/// Trails that deliver to a bucket the spec does not declare: warn when its policy (if readable)
/// does not let CloudTrail write there. trailctl never edits such a policy.
fn check_other_buckets(d: &Desired, o: &Observed, p: &mut Plan) {
    let region = &d.home_region;
    for t in d
        .trails
        .iter()
        .filter(|t| !d.buckets.iter().any(|b| b.name == t.settings.bucket))
    {
        let address = Address::Trail(t.name.clone());
        let trail_arn = arn::trail(region, &o.account, &t.name);
        let prefix = t.settings.prefix.as_deref();
        let needed = || {
            let d = Delivery {
                trail_arn: trail_arn.clone(),
                prefix,
                organization: crate::plan::state_of::organization_of(d, t),
            };
            policy::render(&t.settings.bucket, region, &o.account, &[d]).and_then(|v| {
                v.get("Statement").map(|s| {
                    let allows: Vec<_> = s
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|st| st["Effect"] == "Allow")
                        .cloned()
                        .collect();
                    serde_json::to_string_pretty(&allows).unwrap_or_default()
                })
            })
        };
        match o.other_buckets.get(&t.settings.bucket) {
            Some(PolicyObservation::MissingBucket) => p.conflicts.push(Conflict {
                address: Some(address),
                message: format!("bucket {} does not exist, and it is not in the spec's `buckets:`", t.settings.bucket),
                hint: Some(format!("add `- name: {}` under `buckets:` to have trailctl create it", t.settings.bucket)),
            }),
            Some(PolicyObservation::NoPolicy) => p.warnings.push(Warning {
                address,
                message: format!("bucket {} has no bucket policy: CloudTrail cannot deliver there. Add these statements:", t.settings.bucket),
                detail: needed(),
            }),
            Some(PolicyObservation::Policy(v)) if !policy::allows_delivery(v, &t.settings.bucket, region, &o.account, &trail_arn, prefix) => {
                p.warnings.push(Warning {
                    address,
                    message: format!("the policy of bucket {} does not let CloudTrail deliver this trail's logs. Add these statements:", t.settings.bucket),
                    detail: needed(),
                });
            }
            Some(PolicyObservation::Unreadable(why)) => p.warnings.push(Warning {
                address,
                message: format!("could not read the policy of bucket {} ({why}); make sure it lets CloudTrail deliver there", t.settings.bucket),
                detail: None,
            }),
            Some(PolicyObservation::Policy(_)) | None => {}
        }
    }
}

impl Kind for BucketState {
    const SCOPE: Scope = Scope::Buckets;

    /// A bucket keeps its logs for less time, or stops recording who reads them.
    fn reductions(_: Action, before: Option<&Self>, after: Option<&Self>) -> Vec<Reduction> {
        match (before, after) {
            (Some(b), Some(a)) => safety::bucket_update(b, a),
            _ => Vec::new(),
        }
    }

    /// A bucket changes after every trail deletion (its policy may stop admitting the trail),
    /// and after the bucket its access logs go to is written (that policy must let S3 write).
    fn waits_for(this: &Change, first: &Change) -> bool {
        match &first.address {
            Address::Trail(_) => first.action == Action::Delete,
            Address::Bucket(target) => {
                first.both_keep(this)
                    && matches!(&this.after, Some(Resource::Bucket(b))
                        if b.access_logging.as_ref().is_some_and(|l| &l.bucket == target))
            }
            _ => false,
        }
    }
}

impl Kind for TrailState {
    const SCOPE: Scope = Scope::Trails;

    /// A trail is deleted, moved to another Region (deleted, then created), or logs less.
    fn reductions(action: Action, before: Option<&Self>, after: Option<&Self>) -> Vec<Reduction> {
        match (before, after) {
            (Some(_), None) if action == Action::Delete => vec![Reduction::Deletes],
            (Some(b), Some(a)) => {
                let moved = (b.region != a.region).then(|| Reduction::Replaces {
                    from: b.region.clone(),
                    to: a.region.clone(),
                });
                moved
                    .into_iter()
                    .chain(safety::trail_update(b, a))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// A trail is written after what CloudTrail checks when it is pointed at them: its bucket,
    /// the topic it notifies, the log groups and the log-delivery role.
    fn waits_for(this: &Change, first: &Change) -> bool {
        let trail = match &this.after {
            Some(Resource::Trail(t)) => Some(t),
            _ => None,
        };
        match &first.address {
            Address::Bucket(bucket) => {
                this.action.keeps() && trail.is_some_and(|t| &t.settings.bucket == bucket)
            }
            Address::Topic(topic) => {
                first.both_keep(this)
                    && trail
                        .and_then(|t| t.settings.delivery_topic.as_deref())
                        .is_some_and(|arn| arn.rsplit(':').next() == Some(topic.as_str()))
            }
            Address::LogGroup(_) => first.both_keep(this),
            Address::Role(_) => {
                first.both_keep(this)
                    && matches!(first.state(), Some(Resource::Role(r)) if r.delivers_logs())
            }
            _ => false,
        }
    }
}
