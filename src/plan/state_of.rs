//! Both sides of a plan in comparable form: the spec's resources (`desired_*`) and the account's
//! (`observed_*`), normalized the same way (KMS keys, topic ARNs, tags, policies).

use std::collections::BTreeMap;

use crate::model::alert::logs_role_name;
use crate::model::arn;
use crate::model::desired::{Bucket, CloudWatchLogs, Desired, Trail};
use crate::model::observed::{LiveBucket, LiveTrail, TrailDetails};
use crate::model::state::{BucketState, Encryption, TrailSettings, TrailState};
use crate::model::tags::{Tags, ownership};
use crate::plan::policy::{self, Delivery};

/// Tags AWS sets itself (`aws:` prefix): nobody can change them, so they never diff.
pub(crate) fn without_aws_tags(tags: &Tags) -> Tags {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The tags trailctl puts on a resource: ownership, the spec's, the resource's own.
pub(crate) fn desired_tags(d: &Desired, own: &Tags) -> Tags {
    let mut tags = ownership(&d.stack);
    tags.extend(d.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    tags.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    tags
}

/// Settings in comparable form: the KMS key canonical, the topic an ARN. (Empty strings are
/// already `None` on both sides: the spec reader and the adapters drop them.)
fn normalized(
    s: &TrailSettings,
    region: &str,
    account: &str,
    kms: &BTreeMap<String, String>,
) -> TrailSettings {
    TrailSettings {
        kms_key: s
            .kms_key
            .as_ref()
            .map(|k| arn::kms_key(region, account, k, kms)),
        delivery_topic: s
            .delivery_topic
            .as_ref()
            .map(|x| arn::topic(region, account, x)),
        ..s.clone()
    }
}

pub fn desired_trail(
    d: &Desired,
    t: &Trail,
    account: &str,
    kms: &BTreeMap<String, String>,
) -> TrailState {
    let mut settings = normalized(&t.settings, &d.home_region, account, kms);
    // A log group trailctl builds is delivered to with the stack's role.
    if let Some(g) = &t.log_group {
        settings.cloudwatch_logs = Some(CloudWatchLogs {
            log_group_arn: format!("{}:*", arn::log_group(&d.home_region, account, &g.name)),
            role_arn: arn::role(&d.home_region, account, &logs_role_name(&d.stack)),
        });
    }
    TrailState {
        name: t.name.clone(),
        region: d.home_region.clone(),
        settings,
        logging: t.logging,
        selectors: t.selectors.clone(),
        insights: t.insights.clone(),
        tags: desired_tags(d, &t.tags),
    }
}

pub fn observed_trail(
    l: &LiveTrail,
    details: &TrailDetails,
    account: &str,
    kms: &BTreeMap<String, String>,
) -> TrailState {
    TrailState {
        name: l.name.clone(),
        region: l.region.clone(),
        settings: normalized(&l.settings, &l.region, account, kms),
        logging: details.logging,
        selectors: details.selectors.clone(),
        insights: details.insights.clone(),
        tags: without_aws_tags(&l.tags),
    }
}

pub fn desired_bucket(
    d: &Desired,
    b: &Bucket,
    account: &str,
    kms: &BTreeMap<String, String>,
) -> BucketState {
    let region = &d.home_region;
    let deliveries: Vec<Delivery<'_>> = d
        .trails
        .iter()
        .filter(|t| t.settings.bucket == b.name)
        .map(|t| Delivery {
            trail_arn: arn::trail(region, account, &t.name),
            prefix: t.settings.prefix.as_deref(),
            organization: organization_of(d, t),
        })
        .collect();
    BucketState {
        name: b.name.clone(),
        region: region.clone(),
        block_public_access: true,
        owner_enforced: true,
        encryption: match &b.kms_key {
            Some(k) => Encryption::Kms(arn::kms_key(region, account, k, kms)),
            None => Encryption::S3,
        },
        retention_days: b.retention_days,
        policy: policy::with_access_logs(
            policy::render(&b.name, region, account, &deliveries),
            &b.name,
            region,
            account,
            &access_log_sources(d, &b.name),
        ),
        access_logging: b.access_logging.clone(),
        tags: desired_tags(d, &b.tags),
    }
}

/// The spec's buckets whose access logs go to `target`, with their prefixes.
fn access_log_sources<'a>(d: &'a Desired, target: &str) -> Vec<(&'a str, &'a str)> {
    d.buckets
        .iter()
        .filter_map(|b| {
            let l = b.access_logging.as_ref()?;
            (l.bucket == target).then_some((b.name.as_str(), l.prefix.as_str()))
        })
        .collect()
}

/// The organization id an organization trail writes its members' logs under.
pub fn organization_of<'a>(d: &'a Desired, t: &Trail) -> Option<&'a str> {
    d.member
        .as_ref()
        .filter(|_| t.settings.organization)
        .map(|m| m.org_id.as_str())
}

pub fn observed_bucket(
    name: &str,
    l: &LiveBucket,
    account: &str,
    kms: &BTreeMap<String, String>,
) -> BucketState {
    BucketState {
        name: name.to_owned(),
        region: l.region.clone(),
        block_public_access: l.block_public_access,
        owner_enforced: l.owner_enforced,
        encryption: match &l.encryption {
            Encryption::Kms(k) => Encryption::Kms(arn::kms_key(&l.region, account, k, kms)),
            other => other.clone(),
        },
        retention_days: l.retention_days,
        policy: l.policy.clone(),
        access_logging: l.access_logging.clone(),
        tags: without_aws_tags(&l.tags),
    }
}
