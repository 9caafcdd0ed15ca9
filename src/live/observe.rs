//! `observe`: read everything the spec could own, concurrently. Regions, services and trails are
//! read in parallel; the critical path is the few dependent round trips (list → describe → tags →
//! details), not the number of resources.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::FutureExt;
use futures_util::future::{join_all, try_join_all};

use crate::live::error::{ErrorKind, LiveResult};
use crate::live::services::{Account, Tagged, TrailListing};
use crate::model::alert::{Placement, forwarder_role_name, logs_role_name, rule_prefix};
use crate::model::arn;
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::desired::Desired;
use crate::model::event_sources::GLOBAL_REGION;
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::observed::Scope;
use crate::model::observed::{
    BucketObservation, LiveRule, LiveTopic, LiveTrail, Observed, PolicyObservation,
};
use crate::model::tags::STACK_KEY;

pub use crate::model::alert_state::{FORWARD_POLICY, LOGS_POLICY};

/// CloudTrail `ListTags` takes at most 20 ARNs per call.
const TAGS_PER_CALL: usize = 20;

/// Reads the account as far as `desired` (and its stack) could own it.
pub async fn observe<A: Account>(account: &A, desired: &Desired) -> LiveResult<Observed> {
    let role_name = forwarder_role_name(&desired.stack);
    // Read once, concurrently with the rest; only what the spec no longer names waits for it.
    let tagged = tagged(account, desired).shared();
    let (
        id,
        kms_keys,
        trails,
        buckets,
        other_buckets,
        (topics, rules, role),
        athena,
        logs,
        bus,
        boundary,
        rule_quotas,
    ) = tokio::join!(
        account.account_id(),
        resolve_keys(account, desired),
        trails(account, desired),
        buckets(account, desired),
        other_buckets(account, desired),
        async {
            tokio::join!(
                topics(account, desired),
                rules(account, desired, tagged.clone()),
                account.role(&role_name, FORWARD_POLICY),
            )
        },
        athena(account, desired, tagged.clone()),
        logs(account, desired),
        bus_policy(account, desired),
        boundary(account, desired),
        rule_quotas(account, desired),
    );
    let (databases, tables, workgroups) = athena?;
    let logs = logs?;
    Ok(Observed {
        account: id?,
        kms_keys,
        trails: trails?,
        buckets: buckets?,
        other_buckets: other_buckets?,
        topics: topics?,
        rules: rules?,
        role: role?,
        databases,
        tables,
        workgroups,
        logs_role: logs.role,
        log_groups: logs.groups,
        metric_filters: logs.filters,
        alarms: logs.alarms,
        bus_policy: bus?,
        boundary: boundary?,
        rule_quotas,
    })
}

/// The account's quota of rules per event bus in each Region the spec puts rules in (Service
/// Quotas, one call per Region). Advisory: where it cannot be read (not allowed, or the call
/// failed) the default holds, and the plan says which it used.
async fn rule_quotas<A: Account>(account: &A, d: &Desired) -> BTreeMap<String, u32> {
    let regions: Vec<String> = crate::model::quota::rules_per_region(d, |_| true)
        .into_keys()
        .collect();
    let read =
        futures_util::future::join_all(regions.iter().map(|r| account.rules_per_bus(r))).await;
    regions
        .into_iter()
        .zip(read)
        .filter_map(|(r, q)| match q {
            Ok(q) => q.map(|q| (r, q)),
            Err(e) => {
                tracing::debug!("the rules quota of {r} was not read: {e}");
                None
            }
        })
        .collect()
}

/// Whether the stack's permissions boundary exists, for a spec that builds a role (every role
/// of the stack is created with it). The account id comes from STS, asked once.
async fn boundary<A: Account>(account: &A, desired: &Desired) -> LiveResult<Option<bool>> {
    if !desired.builds_roles() {
        return Ok(None);
    }
    let id = account.account_id().await?;
    account
        .policy_exists(&desired.boundary_arn(&id))
        .await
        .map(Some)
}

/// The home bus's policy, for a spec with `organization:` (the statement that admits the
/// organization is planned from it).
async fn bus_policy<A: Account>(
    account: &A,
    desired: &Desired,
) -> LiveResult<Option<serde_json::Value>> {
    if desired.organization.is_none() {
        return Ok(None);
    }
    account.bus_policy(&desired.home_region).await
}

/// What the CloudWatch side reads: the stack's log-delivery role, the log groups, the stack's
/// metric filters on them and its alarms.
#[derive(Debug, Default)]
struct LogsSide {
    role: Option<crate::model::observed::LiveRole>,
    groups: Vec<LogGroupState>,
    filters: Vec<MetricFilterState>,
    alarms: Vec<AlarmState>,
}

/// The log groups a role of ours writes to, from its policy's resources
/// (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:log-stream:*`).
fn role_log_groups(role: &crate::model::observed::LiveRole) -> Vec<(String, String)> {
    let Some(policy) = &role.policy else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in policy["Statement"].as_array().into_iter().flatten() {
        let resources = match &s["Resource"] {
            serde_json::Value::String(r) => vec![r.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        };
        for r in resources {
            let region = r.split(':').nth(3).unwrap_or_default();
            if let Some(rest) = r.split_once(":log-group:").map(|x| x.1) {
                let name = rest.split(":log-stream:").next().unwrap_or(rest);
                out.push((region.to_owned(), name.to_owned()));
            }
        }
    }
    out
}

/// The CloudWatch side. The stack's log-delivery role is always read (one call): the log groups
/// its policy names are the ones the stack built, so that a log group the spec no longer has
/// is still found. Log groups, filters and alarms cost calls only for a spec that delivers to
/// CloudWatch Logs or has metric-filter alerts, or a stack that built log groups.
async fn logs<A: Account>(account: &A, d: &Desired) -> LiveResult<LogsSide> {
    let role = account.role(&logs_role_name(&d.stack), LOGS_POLICY).await?;
    let ours = role
        .as_ref()
        .filter(|r| r.tags.get(STACK_KEY).is_some_and(|s| s == &d.stack));
    let mut wanted: BTreeSet<(String, String)> = d
        .trails
        .iter()
        .filter_map(|t| t.log_group_name())
        .map(|n| (d.home_region.clone(), n))
        .collect();
    wanted.extend(ours.map(role_log_groups).unwrap_or_default());
    let metric_alerts = d.alerts.iter().any(|a| a.metric.is_some());
    if wanted.is_empty() && !metric_alerts {
        return Ok(LogsSide {
            role,
            ..LogsSide::default()
        });
    }
    let prefix = rule_prefix(&d.stack);
    let reads = wanted.iter().map(|(region, name)| {
        let prefix = prefix.as_str();
        async move {
            let (group, filters) = tokio::join!(
                account.log_group(region, name),
                account.metric_filters(region, name, prefix)
            );
            Ok::<_, crate::live::error::LiveError>((group?, filters?))
        }
    });
    let (read, alarms) = tokio::join!(try_join_all(reads), account.alarms(&d.home_region, &prefix));
    let mut side = LogsSide {
        role,
        alarms: alarms?,
        ..LogsSide::default()
    };
    for (group, filters) in read? {
        side.groups.extend(group);
        side.filters.extend(filters);
    }
    Ok(side)
}

/// What carries the stack's tag (`trailctl:stack`) in each Region its rules may be in: one
/// Resource Groups Tagging API call per Region, so that what the stack owns is found whatever
/// the spec still names (a rule an alert no longer adopts, the Athena side of a removed
/// `athena:`).
async fn tagged<A: Account>(account: &A, d: &Desired) -> LiveResult<BTreeMap<String, Tagged>> {
    let regions = rule_regions(d);
    let found = try_join_all(
        regions
            .iter()
            .map(|r| account.tagged(r, STACK_KEY, &d.stack)),
    )
    .await?;
    Ok(regions.into_iter().zip(found).collect())
}

/// The Athena side: read for a spec that has `athena:`, and for one whose stack still owns a
/// Glue database or an Athena workgroup in the home Region (an `athena:` removed), so that
/// those are planned away; otherwise no Glue or Athena call. Every database and workgroup of
/// the home Region with its tags, and the tables of the databases the spec names or the stack
/// owns.
async fn athena<A: Account>(
    account: &A,
    d: &Desired,
    tagged: impl std::future::Future<Output = LiveResult<BTreeMap<String, Tagged>>>,
) -> LiveResult<(Vec<DatabaseState>, Vec<TableState>, Vec<WorkgroupState>)> {
    if d.trails.iter().all(|t| t.athena.is_none()) {
        let tagged = tagged.await?;
        let owned = tagged
            .get(&d.home_region)
            .is_some_and(|t| !t.databases.is_empty() || !t.workgroups.is_empty());
        if !owned {
            return Ok(Default::default());
        }
    }
    let region = &d.home_region;
    let (databases, workgroups) =
        tokio::join!(account.databases(region), account.workgroups(region));
    let databases = databases?;
    let read: Vec<&str> = databases
        .iter()
        .filter(|db| {
            d.trails
                .iter()
                .filter_map(|t| t.athena.as_ref())
                .any(|a| a.database == db.name)
                || db.tags.get(STACK_KEY).is_some_and(|s| s == &d.stack)
        })
        .map(|db| db.name.as_str())
        .collect();
    let tables = try_join_all(read.iter().map(|db| account.tables(region, db))).await?;
    Ok((
        databases,
        tables.into_iter().flatten().collect(),
        workgroups?,
    ))
}

/// Reads only `scope` of the account (with the KMS keys it compares by), for `account_id`; the
/// rest of the result is empty.
pub async fn observe_scope<A: Account>(
    account: &A,
    desired: &Desired,
    account_id: &str,
    scope: Scope,
) -> LiveResult<Observed> {
    let mut o = Observed {
        account: account_id.to_owned(),
        ..Observed::default()
    };
    match scope {
        Scope::Trails => {
            let (keys, trails) =
                tokio::join!(resolve_keys(account, desired), trails(account, desired));
            o.kms_keys = keys;
            o.trails = trails?;
        }
        Scope::Buckets => {
            let (keys, buckets) =
                tokio::join!(resolve_keys(account, desired), buckets(account, desired));
            o.kms_keys = keys;
            o.buckets = buckets?;
        }
        Scope::Topics => {
            let (keys, topics) =
                tokio::join!(resolve_keys(account, desired), topics(account, desired));
            o.kms_keys = keys;
            o.topics = topics?;
        }
        Scope::Rules => o.rules = rules(account, desired, tagged(account, desired)).await?,
        Scope::Bus => o.bus_policy = bus_policy(account, desired).await?,
        Scope::Role => {
            let (forwarder_name, logs_name) = (
                forwarder_role_name(&desired.stack),
                logs_role_name(&desired.stack),
            );
            let (forwarder, logs_role) = tokio::join!(
                account.role(&forwarder_name, FORWARD_POLICY),
                account.role(&logs_name, LOGS_POLICY),
            );
            o.role = forwarder?;
            o.logs_role = logs_role?;
        }
        Scope::Logs => {
            let (keys, side) = tokio::join!(resolve_keys(account, desired), logs(account, desired));
            let side = side?;
            o.kms_keys = keys;
            o.logs_role = side.role;
            o.log_groups = side.groups;
            o.metric_filters = side.filters;
            o.alarms = side.alarms;
        }
        Scope::Athena => {
            (o.databases, o.tables, o.workgroups) =
                athena(account, desired, tagged(account, desired)).await?;
        }
    }
    Ok(o)
}

/// Every KMS key the spec names that is not already a key ARN, resolved where KMS can.
async fn resolve_keys<A: Account>(account: &A, d: &Desired) -> BTreeMap<String, String> {
    let keys: BTreeSet<&str> = d.kms_keys().filter(|k| !arn::is_kms_key_arn(k)).collect();
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
/// Trails whose details are read: the spec's and its stack's, and in a member account whose
/// management events an organization trail logs, every trail (one logging them too is a paid
/// copy, told in the plan).
fn relevant(d: &Desired, name: &str, tags: &crate::model::tags::Tags) -> bool {
    let copies_matter = d
        .member
        .as_ref()
        .is_some_and(|m| !m.management() && m.management_events_trail.is_some());
    copies_matter
        || d.trails.iter().any(|t| t.name == name)
        || tags.get(STACK_KEY).is_some_and(|s| s == &d.stack)
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
    trails_in(account, region, |l, tags| relevant(d, &l.name, tags)).await
}

/// The trails homed in `region`, with tags, and details for those `wants_details` picks.
pub async fn trails_in<A: Account>(
    account: &A,
    region: &str,
    wants_details: impl Fn(&TrailListing, &crate::model::tags::Tags) -> bool,
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
        let wanted = wants_details(&l, &tags);
        async move {
            let details = if wanted {
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
        .map(|t| t.settings.bucket.as_str())
        .filter(|b| !d.buckets.iter().any(|x| x.name == *b))
        .collect();
    let reads = names.into_iter().map(|n| async move {
        Ok::<_, crate::live::error::LiveError>((n.to_owned(), account.bucket_policy(n).await?))
    });
    Ok(try_join_all(reads).await?.into_iter().collect())
}

/// The home Region's topics that the spec names or its stack owns: every topic's tags are read
/// to find the stack's (SNS has no listing by tag), then details for those.
async fn topics<A: Account>(account: &A, d: &Desired) -> LiveResult<Vec<LiveTopic>> {
    let region = &d.home_region;
    let arns = account.list_topics(region).await?;
    let tagged = try_join_all(arns.iter().map(|arn| async move {
        Ok::<_, crate::live::error::LiveError>((arn, account.topic_tags(region, arn).await?))
    }))
    .await?;
    let reads = tagged.into_iter().filter_map(|(arn, tags)| {
        let name = arn.rsplit(':').next().unwrap_or_default();
        let relevant = d.topics.iter().any(|t| t.name == name)
            || tags.get(STACK_KEY).is_some_and(|s| s == &d.stack);
        relevant.then(|| account.topic(region, arn, tags))
    });
    Ok(try_join_all(reads).await?.into_iter().flatten().collect())
}

/// Where the stack's rules may be: every Region of the spec, us-east-1 (global services) and
/// any Region an alert lists.
pub fn rule_regions(d: &Desired) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = d.regions.iter().cloned().collect();
    out.insert(GLOBAL_REGION.to_owned());
    out.insert(d.home_region.clone());
    for a in &d.alerts {
        if let Placement::List(l) = &a.placement {
            out.extend(l.iter().cloned());
        }
    }
    out
}

/// The stack's rules (by name prefix), the rules alerts name with `rule:`, and the other rules
/// that carry the stack's tag (a rule an alert adopted and no longer names), in every Region
/// they may be in.
async fn rules<A: Account>(
    account: &A,
    d: &Desired,
    tagged: impl std::future::Future<Output = LiveResult<BTreeMap<String, Tagged>>>,
) -> LiveResult<Vec<LiveRule>> {
    let (listed, tagged) = tokio::join!(listed_rules(account, d), tagged);
    let mut rules = listed?;
    let tagged = tagged?;
    let unlisted: Vec<(&String, &String)> = tagged
        .iter()
        .flat_map(|(region, t)| t.rules.iter().map(move |n| (region, n)))
        .filter(|(region, name)| {
            !rules
                .iter()
                .any(|l| &&l.region == region && &&l.name == name)
        })
        .collect();
    let more = try_join_all(unlisted.iter().map(|(region, name)| async move {
        let found = account.list_rules(region, name).await?;
        Ok::<_, crate::live::error::LiveError>(
            found
                .into_iter()
                .filter(|l| &&l.name == name)
                .collect::<Vec<_>>(),
        )
    }))
    .await?;
    rules.extend(more.into_iter().flatten());
    Ok(rules)
}

/// The stack's rules (by name prefix) and the rules alerts name with `rule:`.
async fn listed_rules<A: Account>(account: &A, d: &Desired) -> LiveResult<Vec<LiveRule>> {
    let stack_prefix = rule_prefix(&d.stack);
    let prefix = stack_prefix.as_str();
    let named: BTreeSet<&str> = d
        .alerts
        .iter()
        .filter_map(|a| a.rule.as_deref())
        .filter(|r| !r.starts_with(prefix))
        .collect();
    let regions = rule_regions(d);
    let reads = regions.iter().flat_map(|r| {
        std::iter::once(prefix)
            .chain(named.iter().copied())
            .map(move |p| (r, p))
    });
    let found = try_join_all(reads.map(|(r, p)| async move {
        let rules = account.list_rules(r, p).await?;
        // A name is listed as a prefix: keep the rule of exactly that name.
        let exact = p != prefix;
        Ok::<_, crate::live::error::LiveError>(
            rules
                .into_iter()
                .filter(|l| !exact || l.name == p)
                .collect::<Vec<_>>(),
        )
    }))
    .await?;
    Ok(found.into_iter().flatten().collect())
}
