//! What `init --from-account` reads: every trail homed in the home Region with its details, the
//! buckets they deliver to, every rule on the default bus of each Region asked for, and the
//! home-Region SNS topics those rules target. Reads run concurrently, as `observe`'s do.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::try_join_all;

use crate::live::error::{ErrorKind, LiveResult};
use crate::live::observe::trails_in;
use crate::live::services::Account;
use crate::model::observed::{BucketObservation, LiveRule, LiveTopic, LiveTrail};

/// The account as `init` found it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovered {
    pub account: String,
    pub home: String,
    /// The Regions whose rules were read, the home Region first.
    pub regions: Vec<String>,
    /// Trails homed in the home Region, with details (organization trails of another account
    /// without them).
    pub trails: Vec<LiveTrail>,
    /// `(name, home Region)` of trails homed elsewhere.
    pub elsewhere: Vec<(String, String)>,
    /// The buckets this account's trails deliver to.
    pub buckets: BTreeMap<String, BucketObservation>,
    /// Every rule on the default bus of each Region read.
    pub rules: Vec<LiveRule>,
    /// The home-Region topics of this account that rules target.
    pub topics: Vec<LiveTopic>,
}

/// The account id in an ARN (`arn:aws:sns:REGION:ACCOUNT:…`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

/// Reads what `init` describes. `regions` are where rules are read (the home Region is added).
pub async fn discover<A: Account>(
    account: &A,
    home: &str,
    regions: &[String],
) -> LiveResult<Discovered> {
    let mut read: Vec<String> = vec![home.to_owned()];
    read.extend(regions.iter().filter(|r| *r != home).cloned());
    let (id, listed, trails, rules) = tokio::join!(
        account.account_id(),
        account.list_trails(home),
        home_trails(account, home),
        try_join_all(read.iter().map(|r| account.list_rules(r, ""))),
    );
    let id = id?;
    let trails = trails?;
    let elsewhere = listed?
        .into_iter()
        .filter(|(_, _, region)| region != home)
        .map(|(name, _, region)| (name, region))
        .collect();
    let rules: Vec<LiveRule> = rules?.into_iter().flatten().collect();
    let names: BTreeSet<&str> = trails
        .iter()
        .filter(|t| arn_account(&t.arn) == Some(id.as_str()))
        .map(|t| t.settings.bucket.as_str())
        .collect();
    let topic_arns: BTreeSet<&str> = rules
        .iter()
        .filter(|r| r.region == home)
        .flat_map(|r| &r.targets)
        .map(|t| t.arn.as_str())
        .filter(|a| {
            a.starts_with("arn:aws:sns:")
                && a.split(':').nth(3) == Some(home)
                && arn_account(a) == Some(id.as_str())
        })
        .collect();
    let (buckets, topics) = tokio::join!(
        try_join_all(names.into_iter().map(|n| async move {
            let seen = match account.bucket(n).await {
                Ok(Some(l)) => BucketObservation::Found(l),
                Ok(None) => BucketObservation::Missing,
                Err(e) if e.kind == ErrorKind::AccessDenied => BucketObservation::Inaccessible,
                Err(e) => return Err(e),
            };
            Ok((n.to_owned(), seen))
        })),
        try_join_all(topic_arns.into_iter().map(|arn| async move {
            let tags = account.topic_tags(home, arn).await?;
            account.topic(home, arn, tags).await
        })),
    );
    Ok(Discovered {
        account: id,
        home: home.to_owned(),
        regions: read,
        trails,
        elsewhere,
        buckets: buckets?.into_iter().collect(),
        rules,
        topics: topics?.into_iter().flatten().collect(),
    })
}

/// The trails homed in `home`, with tags, and details for this account's own.
async fn home_trails<A: Account>(account: &A, home: &str) -> LiveResult<Vec<LiveTrail>> {
    let id = account.account_id().await?;
    trails_in(account, home, |l, _| {
        arn_account(&l.arn) == Some(id.as_str())
    })
    .await
}
