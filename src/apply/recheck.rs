//! The re-read of a resource just before apply writes it: what it must still be (its
//! fingerprint when planned), and the reads that check it, each of its own kind (the rules read
//! once for every alert).

use std::collections::BTreeMap;

use tokio::sync::OnceCell;

use crate::live::error::LiveResult;
use crate::live::observe::observe_scope;
use crate::live::services::Account;
use crate::model::desired::Desired;
use crate::model::observed::Scope;
use crate::plan::saved::{ABSENT, fingerprint};
use crate::plan::{Address, Change, Plan};

/// What a resource must still be before apply writes it: the spec it was planned from, and
/// each address's fingerprint as observed then (`plan::saved::fingerprint`).
#[derive(Debug, Clone)]
pub struct Recheck {
    pub desired: Desired,
    pub adopt: bool,
    pub fingerprints: BTreeMap<Address, String>,
}

/// The re-reads before writes: a trail, bucket, topic or the role re-reads its own kind just
/// before it is written; the alerts' rules are read once, in every Region at once, before the
/// first of them is written, and every alert is checked against that one read.
pub(super) struct Rechecks<'a, A> {
    account: &'a A,
    recheck: &'a Recheck,
    account_id: &'a str,
    rules: OnceCell<LiveResult<Plan>>,
}

impl<'a, A: Account> Rechecks<'a, A> {
    pub(super) fn new(account: &'a A, recheck: &'a Recheck, account_id: &'a str) -> Self {
        Rechecks {
            account,
            recheck,
            account_id,
            rules: OnceCell::new(),
        }
    }

    pub(super) async fn check(&self, change: &Change) -> LiveResult<Option<Change>> {
        let scope = change.address.scope();
        if scope == Scope::Rules {
            let now = self
                .rules
                .get_or_init(|| self.read(Scope::Rules))
                .await
                .as_ref()
                .map_err(Clone::clone)?;
            return Ok(still_planned(self.recheck, now, change));
        }
        let now = self.read(scope).await?;
        Ok(still_planned(self.recheck, &now, change))
    }

    /// `scope` of the account read again and planned again with the spec of the plan.
    async fn read(&self, scope: Scope) -> LiveResult<Plan> {
        let r = self.recheck;
        let observed = observe_scope(self.account, &r.desired, self.account_id, scope).await?;
        Ok(crate::plan::plan(
            &r.desired,
            &observed,
            crate::plan::Options { adopt: r.adopt },
        ))
    }
}

/// `change` with its resource as it is in `now`, or `None` when the resource no longer has the
/// fingerprint it was planned with.
fn still_planned(r: &Recheck, now: &Plan, change: &Change) -> Option<Change> {
    let current = now
        .changes
        .iter()
        .find(|c| c.address == change.address)
        .and_then(|c| c.before.clone());
    let expected = r
        .fingerprints
        .get(&change.address)
        .map_or(ABSENT, String::as_str);
    (fingerprint(current.as_ref()) == expected).then(|| Change {
        before: current,
        ..change.clone()
    })
}
