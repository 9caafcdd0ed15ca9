//! `plan`, `drift` and `apply` for a spec with `organization:`: the target accounts resolved
//! through Organizations, each read (and written) through its role, `concurrency` accounts at a
//! time, every account's result collected (`--fail-fast`: the first failure stops the rest).

use futures_util::StreamExt;

use crate::apply::{self, Ended, Refusal};
use crate::cli::error::CliError;
use crate::cli::session::Session;
use crate::live::aws::AwsAccount;
use crate::live::error::LiveResult;
use crate::live::observe;
use crate::live::org::{Fleet, resolve};
use crate::model::arn;
use crate::model::desired::Desired;
use crate::model::org::{Membership, Organization};
use crate::plan::org::{AccountPlan, OrgPlan, Outcome};
use crate::plan::saved::{self, Context, SavedPlan};
use crate::plan::{self, Plan};
use crate::render;

/// The caller's session, its organization's target accounts and the spec shaped for each.
pub struct OrgSession {
    pub session: Session,
    pub fleet: Fleet,
    pub organization: Organization,
    pub members: Vec<Member>,
}

/// One target account.
pub struct Member {
    pub name: String,
    pub membership: Membership,
    /// The spec as this account holds it.
    pub desired: Desired,
}

/// How one account's part of an apply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Every change written and verified: `(add, change, destroy)`.
    Done((usize, usize, usize)),
    /// Why the account was not (fully) applied.
    Failed(Vec<String>),
    NotRun,
}

impl OrgSession {
    /// Resolves the organization of a connected session whose spec has `organization:`.
    pub fn connect(session: Session) -> Result<OrgSession, CliError> {
        let Some(organization) = session.desired.organization.clone() else {
            return Err(CliError::Usage(
                "internal: the spec has no `organization:`".to_owned(),
            ));
        };
        let fleet = session
            .runtime
            .block_on(resolve(
                &session.account,
                &session.desired,
                &organization,
                &session.account_id,
            ))
            .map_err(|e| CliError::Live(format!("resolving the organization's accounts: {e}")))?;
        let members = fleet
            .targets
            .iter()
            .map(|a| {
                let membership = session.desired.membership(
                    &a.id,
                    &fleet.info.id,
                    &fleet.info.management_account,
                );
                Member {
                    name: a.name.clone(),
                    desired: session.desired.shaped_for(&membership),
                    membership,
                }
            })
            .collect();
        Ok(OrgSession {
            session,
            fleet,
            organization,
            members,
        })
    }

    /// The role assumed in `account`.
    fn role_arn(&self, account: &str) -> String {
        arn::role(
            &self.session.desired.home_region,
            account,
            &self.organization.role,
        )
    }

    /// The account's access: the caller's own credentials for the caller's account (`None`),
    /// else the role assumed (session name naming the stack), or why it could not be.
    async fn access(&self, m: &Member) -> Result<Option<AwsAccount>, String> {
        if m.membership.account == self.session.account_id {
            return Ok(None);
        }
        let session = format!("trailctl-{}", self.session.desired.stack);
        let role = self.role_arn(&m.membership.account);
        match self.session.account.assume(&role, &session).await {
            Ok(a) => Ok(Some(a)),
            Err(e) => Err(format!("cannot assume {role}: {e}")),
        }
    }

    /// How a failure in `m` is told: with the role it was reached through.
    fn failed(&self, m: &Member, what: &str, e: impl std::fmt::Display) -> String {
        if m.membership.account == self.session.account_id {
            format!("{what} failed: {e}")
        } else {
            format!(
                "{what} as {} failed: {e}",
                self.role_arn(&m.membership.account)
            )
        }
    }

    /// What a saved plan of `m` must match.
    pub fn context(&self) -> Context {
        self.session.context()
    }

    /// Reads and plans one account.
    async fn plan_one(&self, m: &Member, adopt: bool) -> Outcome {
        let assumed = match self.access(m).await {
            Ok(a) => a,
            Err(why) => return Outcome::Failed(why),
        };
        let account = assumed.as_ref().unwrap_or(&self.session.account);
        match self.read(m, account, adopt).await {
            Ok(p) => Outcome::Planned(Box::new(p)),
            Err(e) => Outcome::Failed(self.failed(m, "reading the account", e)),
        }
    }

    /// Reads the account and plans its part of the spec, with what the organization stops in
    /// it: an organization trail without CloudTrail's trusted access.
    async fn read(&self, m: &Member, account: &AwsAccount, adopt: bool) -> LiveResult<Plan> {
        let observed = observe(account, &m.desired).await?;
        let mut p = plan::plan(&m.desired, &observed, plan::Options { adopt });
        if self.fleet.cloudtrail_trusted == Some(false) {
            p.conflicts
                .extend(crate::plan::org::untrusted(&m.desired, &self.fleet.info.id));
        }
        Ok(p)
    }

    /// Every account planned, `concurrency` at a time; with `fail_fast`, the accounts not yet
    /// read when one fails are not read.
    pub fn plan(&self, adopt: bool, fail_fast: bool) -> OrgPlan {
        let outcomes = self.session.runtime.block_on(self.each(
            fail_fast,
            |m| async move {
                let o = self.plan_one(m, adopt).await;
                let ok = matches!(&o, Outcome::Planned(p) if p.conflicts.is_empty());
                (o, ok)
            },
            &mut |_, _| {},
        ));
        self.org_plan(outcomes)
    }

    /// Runs `job` for every member, `concurrency` at once, in account order, telling `done`
    /// each result as it comes; `fail_fast` stops starting new ones after a job that did not
    /// succeed (`None` for those not run).
    async fn each<'a, T, F, Fut>(
        &'a self,
        fail_fast: bool,
        job: F,
        done: &mut dyn FnMut(&Member, &T),
    ) -> Vec<Option<T>>
    where
        F: Fn(&'a Member) -> Fut,
        Fut: Future<Output = (T, bool)>,
    {
        let mut out: Vec<Option<T>> = self.members.iter().map(|_| None).collect();
        let mut stream = futures_util::stream::iter(self.members.iter().enumerate())
            .map(|(i, m)| {
                let fut = job(m);
                async move { (i, fut.await) }
            })
            .buffer_unordered(self.organization.concurrency.max(1));
        while let Some((i, (result, ok))) = stream.next().await {
            if let Some(m) = self.members.get(i) {
                done(m, &result);
            }
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(result);
            }
            if fail_fast && !ok {
                break;
            }
        }
        out
    }

    fn org_plan(&self, outcomes: Vec<Option<Outcome>>) -> OrgPlan {
        OrgPlan {
            organization: self.fleet.info.id.clone(),
            management_account: self.fleet.info.management_account.clone(),
            security_account: self.organization.security_account.clone(),
            skipped: self.fleet.skipped.clone(),
            accounts: self
                .members
                .iter()
                .zip(outcomes)
                .map(|(m, o)| AccountPlan {
                    name: m.name.clone(),
                    membership: m.membership.clone(),
                    outcome: o.unwrap_or(Outcome::NotRun),
                })
                .collect(),
        }
    }

    /// Applies each account's part of `reviewed` (the plan shown and confirmed): planned again
    /// now and refused when it differs, then applied with every resource re-read before it is
    /// written, then read again and verified; `done` is told each account's result as it ends.
    pub fn apply(
        &self,
        reviewed: &[(String, Plan)],
        allow_destroy: bool,
        adopt: bool,
        fail_fast: bool,
        done: &mut dyn FnMut(&Member, &Applied),
    ) -> Vec<Applied> {
        let results = self.session.runtime.block_on(self.each(
            fail_fast,
            |m| async move {
                let r = self.apply_one(m, reviewed, allow_destroy, adopt).await;
                let ok = matches!(r, Applied::Done(_));
                (r, ok)
            },
            done,
        ));
        results
            .into_iter()
            .map(|r| r.unwrap_or(Applied::NotRun))
            .collect()
    }

    async fn apply_one(
        &self,
        m: &Member,
        reviewed: &[(String, Plan)],
        allow_destroy: bool,
        adopt: bool,
    ) -> Applied {
        let fail = |messages: Vec<String>| Applied::Failed(messages);
        let Some((_, planned)) = reviewed.iter().find(|(a, _)| *a == m.membership.account) else {
            return fail(vec!["it was not in the plan that was reviewed".to_owned()]);
        };
        let assumed = match self.access(m).await {
            Ok(a) => a,
            Err(why) => return fail(vec![why]),
        };
        let account = assumed.as_ref().unwrap_or(&self.session.account);
        let fresh = match self.read(m, account, adopt).await {
            Ok(p) => p,
            Err(e) => return fail(vec![self.failed(m, "reading the account", e)]),
        };
        let reviewed = SavedPlan::new(planned, &self.context()).ok();
        let options = apply::Options {
            allow_destroy,
            recheck: Some(apply::Recheck {
                desired: m.desired.clone(),
                adopt,
                fingerprints: saved::fingerprints(&fresh),
            }),
            ..apply::Options::default()
        };
        let report = match apply::check(&fresh, reviewed.as_ref(), &options) {
            None => {
                apply::run(account, &fresh, &options, &mut |_| {}, async || {
                    self.read(m, account, false).await
                })
                .await
            }
            Some(ended) => ended,
        };
        match (report.ended, &report.refusal) {
            (Ended::Applied | Ended::NoChanges, _) => Applied::Done(report.counts),
            // The plan's errors themselves, not "the plan has errors".
            (_, Some(Refusal::Conflicts)) => fail(
                fresh
                    .conflicts
                    .iter()
                    .map(|c| match &c.address {
                        Some(a) => format!("{a}: {}", c.message),
                        None => c.message.clone(),
                    })
                    .collect(),
            ),
            (_, Some(refusal)) => fail(crate::cli::approval::refused(refusal).lines()),
            (_, None) => fail(render::apply::problems(&report, false)),
        }
    }
}
