//! `observe`: read everything the spec could own, concurrently. Regions, services and trails are
//! read in parallel; the critical path is the few dependent round trips (list → describe → tags →
//! details), not the number of resources.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::{join_all, try_join_all};

use crate::live::error::{ErrorKind, LiveResult};
use crate::live::services::{Account, TrailListing};
use crate::model::arn;
use crate::model::desired::Desired;
use crate::model::observed::{BucketObservation, LiveTrail, Observed, PolicyObservation};
use crate::model::tags::STACK_KEY;

/// CloudTrail `ListTags` takes at most 20 ARNs per call.
const TAGS_PER_CALL: usize = 20;

/// Reads the account as far as `desired` (and its stack) could own it.
pub async fn observe<A: Account>(account: &A, desired: &Desired) -> LiveResult<Observed> {
    let (id, kms_keys, trails, buckets, other_buckets) = tokio::join!(
        account.account_id(),
        resolve_keys(account, desired),
        trails(account, desired),
        buckets(account, desired),
        other_buckets(account, desired),
    );
    Ok(Observed {
        account: id?,
        kms_keys,
        trails: trails?,
        buckets: buckets?,
        other_buckets: other_buckets?,
    })
}

/// Every KMS key the spec names that is not already a key ARN, resolved where KMS can.
async fn resolve_keys<A: Account>(account: &A, d: &Desired) -> BTreeMap<String, String> {
    let keys: BTreeSet<&str> = d
        .trails
        .iter()
        .filter_map(|t| t.kms_key.as_deref())
        .chain(d.buckets.iter().filter_map(|b| b.kms_key.as_deref()))
        .filter(|k| !arn::is_kms_key_arn(k))
        .collect();
    let lookups = keys.iter().map(|k| async move {
        let region = k
            .strip_prefix("arn:")
            .and_then(|r| r.split(':').nth(2))
            .unwrap_or(&d.home_region);
        (*k, account.key_arn(region, k).await)
    });
    let mut out = BTreeMap::new();
    for (key, found) in join_all(lookups).await {
        match found {
            Ok(Some(arn)) => {
                out.insert(key.to_owned(), arn);
            }
            Ok(None) => tracing::warn!(key, "KMS key not found; compared as written"),
            Err(e) => tracing::warn!(key, error = %e, "KMS key not resolved; compared as written"),
        }
    }
    out
}

/// Whether a trail could be the spec's or its stack's: only those get their details read.
fn relevant(d: &Desired, name: &str, tags: &crate::model::tags::Tags) -> bool {
    d.trails.iter().any(|t| t.name == name) || tags.get(STACK_KEY).is_some_and(|s| s == &d.stack)
}

async fn trails<A: Account>(account: &A, d: &Desired) -> LiveResult<Vec<LiveTrail>> {
    // The home Region at once; other home Regions as ListTrails reveals them.
    let (home, listed) = tokio::join!(
        region_trails(account, d, &d.home_region),
        account.list_trails(&d.home_region),
    );
    let mut out = home?;
    let others: BTreeSet<String> = listed?
        .into_iter()
        .map(|(_, _, region)| region)
        .filter(|r| r != &d.home_region)
        .collect();
    for more in try_join_all(others.iter().map(|r| region_trails(account, d, r))).await? {
        out.extend(more);
    }
    out.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    Ok(out)
}

/// The trails homed in `region`, with tags, and details for the relevant ones.
async fn region_trails<A: Account>(
    account: &A,
    d: &Desired,
    region: &str,
) -> LiveResult<Vec<LiveTrail>> {
    let listings: Vec<TrailListing> = account.describe_trails(region).await?;
    let arns: Vec<String> = listings.iter().map(|t| t.arn.clone()).collect();
    let mut tags = BTreeMap::new();
    for batch in try_join_all(
        arns.chunks(TAGS_PER_CALL)
            .map(|c| account.list_tags(region, c)),
    )
    .await?
    {
        tags.extend(batch);
    }
    let trails = listings.into_iter().map(|l| {
        let tags = tags.remove(&l.arn).unwrap_or_default();
        async move {
            let details = if relevant(d, &l.name, &tags) {
                Some(account.details(region, &l.arn).await?)
            } else {
                None
            };
            Ok(LiveTrail {
                name: l.name,
                arn: l.arn,
                region: l.region,
                settings: l.settings,
                tags,
                details,
            })
        }
    });
    try_join_all(trails).await
}

async fn buckets<A: Account>(
    account: &A,
    d: &Desired,
) -> LiveResult<BTreeMap<String, BucketObservation>> {
    let reads = d.buckets.iter().map(|b| async move {
        let seen = match account.bucket(&b.name).await {
            Ok(Some(l)) => BucketObservation::Found(l),
            Ok(None) => BucketObservation::Missing,
            Err(e) if e.kind == ErrorKind::AccessDenied => BucketObservation::Inaccessible,
            Err(e) => return Err(e),
        };
        Ok((b.name.clone(), seen))
    });
    Ok(try_join_all(reads).await?.into_iter().collect())
}

async fn other_buckets<A: Account>(
    account: &A,
    d: &Desired,
) -> LiveResult<BTreeMap<String, PolicyObservation>> {
    let names: BTreeSet<&str> = d
        .trails
        .iter()
        .map(|t| t.bucket.as_str())
        .filter(|b| !d.buckets.iter().any(|x| x.name == *b))
        .collect();
    let reads = names.into_iter().map(|n| async move {
        Ok::<_, crate::live::error::LiveError>((n.to_owned(), account.bucket_policy(n).await?))
    });
    Ok(try_join_all(reads).await?.into_iter().collect())
}
