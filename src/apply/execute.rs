//! Executes a plan's changes along their dependency graph (`plan::order`): every change whose
//! prerequisites are done runs at once, each re-read just before it is written. A change that
//! fails (or whose re-read fails) fails only what depends on it; one found changed since the
//! plan stops the apply from starting anything more. The outcome says what was applied, what
//! failed and what was not attempted; a re-run converges.

use std::cell::RefCell;
use std::time::Duration;

use crate::apply::recheck::{Recheck, Rechecks};
use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::services::Account;
use crate::model::arn;
use crate::model::bus_state::BusPolicyState;
use crate::model::state::Compared;
use crate::model::state::TrailSettings;
use crate::model::state::{BucketState, TrailState};
use crate::plan::change::each_kind;
use crate::plan::safety::Reduction;
use crate::plan::{Action, Address, Change, Plan, Resource, order};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

/// How `apply` behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Apply changes that reduce audit logging.
    pub allow_destroy: bool,
    /// Waits between attempts when CloudTrail cannot yet see a bucket policy just written.
    pub policy_retry_delays: Vec<Duration>,
    /// Re-read each resource before writing it, and stop when it changed since the plan.
    pub recheck: Option<Recheck>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            allow_destroy: false,
            policy_retry_delays: [1, 2, 4, 8, 16].map(Duration::from_secs).to_vec(),
            recheck: None,
        }
    }
}

/// Progress, as it happens.
#[derive(Debug)]
pub enum Event<'a> {
    Started(&'a Change),
    Finished(&'a Change),
    /// CloudTrail could not see the bucket policy yet; trying again after `delay`.
    Retrying {
        address: Address,
        delay: Duration,
        error: LiveError,
    },
}

/// Why a plan was not applied at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The plan has conflicts.
    Conflicts,
    /// Destructive changes without `allow_destroy`: each address with its reasons.
    Destructive(Vec<(Address, Vec<Reduction>)>),
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub applied: Vec<Address>,
    /// Every change that failed (others that did not depend on it went on).
    pub failed: Vec<Failure>,
    /// The resource that changed since the plan was made; nothing was written to it.
    pub stale: Option<Address>,
    pub not_attempted: Vec<Address>,
}

/// The call that stopped an apply, and at which step of which resource.
#[derive(Debug)]
pub struct Failure {
    pub address: Address,
    pub stage: Stage,
    pub error: LiveError,
}

/// Where an apply stopped (its JSON name: `recheck`, `write`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the account again before writing the resource: nothing was written to it.
    Recheck,
    /// Writing the resource: it may be partly changed.
    Write,
}

/// Why `plan` may not be applied with `options`, if it may not: conflicts, or destructive
/// changes without `allow_destroy`.
pub fn refusal(plan: &Plan, options: &Options) -> Option<Refusal> {
    if !plan.conflicts.is_empty() {
        return Some(Refusal::Conflicts);
    }
    let destructive: Vec<_> = plan
        .destructive()
        .map(|c| (c.address.clone(), c.destructive.clone()))
        .collect();
    (!destructive.is_empty() && !options.allow_destroy).then_some(Refusal::Destructive(destructive))
}

/// Applies `plan`. Refuses before any call when the plan has conflicts or, without
/// `allow_destroy`, destructive changes.
pub async fn apply<A: Account>(
    account: &A,
    plan: &Plan,
    options: &Options,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<Outcome, Refusal> {
    if let Some(refusal) = refusal(plan, options) {
        return Err(refusal);
    }
    let changes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let needs = order::prerequisites(&changes);
    let ex = Executor {
        account,
        account_id: &plan.account,
        options,
    };
    let rechecks = options
        .recheck
        .as_ref()
        .map(|r| Rechecks::new(account, r, &plan.account));
    let progress = Progress(RefCell::new(progress));
    let mut state = vec![State::Waiting; changes.len()];
    let mut running = FuturesUnordered::new();
    let mut outcome = Outcome::default();
    let mut stopping = false;
    loop {
        if !stopping {
            for i in 0..changes.len() {
                if running.len() >= MAX_CHANGES_IN_FLIGHT {
                    break;
                }
                if state[i] == State::Waiting && needs[i].iter().all(|&j| state[j] == State::Done) {
                    state[i] = State::Running;
                    let (ex, rechecks, progress) = (&ex, rechecks.as_ref(), &progress);
                    let planned = changes[i];
                    running.push(
                        async move { (i, run_change(ex, rechecks, planned, progress).await) },
                    );
                }
            }
        }
        let Some((i, result)) = running.next().await else {
            break;
        };
        let address = changes[i].address.clone();
        match result {
            Ran::Applied => {
                state[i] = State::Done;
                outcome.applied.push(address);
            }
            Ran::Stale => {
                state[i] = State::Untouched;
                outcome.stale.get_or_insert(address);
                stopping = true;
            }
            Ran::Failed(stage, error) => {
                state[i] = match stage {
                    Stage::Recheck => State::Untouched,
                    Stage::Write => State::Failed,
                };
                outcome.failed.push(Failure {
                    address,
                    stage,
                    error,
                });
                block_dependents(i, &needs, &mut state);
            }
        }
    }
    outcome.not_attempted = changes
        .iter()
        .zip(&state)
        .filter(|(_, s)| matches!(s, State::Waiting | State::Untouched))
        .map(|(c, _)| c.address.clone())
        .collect();
    Ok(outcome)
}

/// Changes written at once at most (their calls are capped per service and Region anyway).
const MAX_CHANGES_IN_FLIGHT: usize = 64;

/// Where a change of the apply is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Done,
    /// Its write failed: it may be partly changed.
    Failed,
    /// Never written by this apply: stale, its re-read failed, or it depends on a change that
    /// did not succeed.
    Untouched,
}

/// How one change went.
enum Ran {
    Applied,
    Stale,
    Failed(Stage, LiveError),
}

/// Marks everything that depends on change `i`, directly or not, as never to be written.
fn block_dependents(i: usize, needs: &[Vec<usize>], state: &mut [State]) {
    let mut pending = vec![i];
    while let Some(done) = pending.pop() {
        for (k, n) in needs.iter().enumerate() {
            if state[k] == State::Waiting && n.contains(&done) {
                state[k] = State::Untouched;
                pending.push(k);
            }
        }
    }
}

/// Progress reported from changes running concurrently on one thread: the callback is borrowed
/// only for the moment of each call, never across an await.
pub(super) struct Progress<'p, 'a>(RefCell<&'p mut dyn FnMut(Event<'a>)>);

impl<'a> Progress<'_, 'a> {
    fn send(&self, e: Event<'a>) {
        if let Ok(mut f) = self.0.try_borrow_mut() {
            f(e);
        }
    }
}

/// Re-checks (when asked) and writes one change.
async fn run_change<'a, A: Account>(
    ex: &Executor<'_, A>,
    rechecks: Option<&Rechecks<'_, A>>,
    planned: &'a Change,
    progress: &Progress<'_, 'a>,
) -> Ran {
    let fresh;
    let change = match rechecks {
        None => planned,
        Some(r) => match r.check(planned).await {
            Ok(Some(c)) => {
                fresh = c;
                &fresh
            }
            Ok(None) => return Ran::Stale,
            Err(e) => return Ran::Failed(Stage::Recheck, e),
        },
    };
    progress.send(Event::Started(planned));
    match ex.change(change, progress).await {
        Ok(()) => {
            progress.send(Event::Finished(planned));
            Ran::Applied
        }
        Err(e) => Ran::Failed(Stage::Write, e),
    }
}

/// A change the planner never makes (an action with the wrong before/after for its kind): a bug,
/// reported, with nothing written.
pub(super) fn impossible(c: &Change) -> LiveError {
    let kind = |r: Option<&Resource>| r.map_or("nothing", Resource::kind);
    LiveError::new(
        "apply",
        None,
        crate::live::ErrorKind::Service("ImpossibleChange".to_owned()),
        format!(
            "{} {:?} from {} to {} is not a change trailctl makes (a bug in trailctl; nothing was written)",
            c.address,
            c.action,
            kind(c.before.as_ref()),
            kind(c.after.as_ref())
        ),
    )
}

/// How apply makes a change to one kind of resource, said next to the calls it makes: by
/// action, from `before` to `after` (both of this kind). What a kind does not do (a bucket is
/// never deleted) is not a change the planner makes, and is an error ([`impossible`]), never a
/// silent success.
pub(super) trait Written: Sized {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        progress: &Progress<'_, '_>,
    ) -> LiveResult<()>;
}

impl Written for TrailState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        progress: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.create_trail(c, a, progress).await,
            (Action::Update, Some(b), Some(a)) => ex.update_trail(c, b, a, progress).await,
            (Action::Replace, Some(b), Some(a)) => {
                ex.delete_trail(b).await?;
                ex.create_trail(c, a, progress).await
            }
            (Action::Delete, Some(b), None) => ex.delete_trail(b).await,
            _ => Err(impossible(c)),
        }
    }
}

/// Buckets are never deleted or replaced (their logs stay).
impl Written for BucketState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.create_bucket(a).await,
            (Action::Update, Some(b), Some(a)) => ex.update_bucket(b, a).await,
            _ => Err(impossible(c)),
        }
    }
}

/// Only the stack's own statement is written or removed; the rest of the policy is others'.
impl Written for BusPolicyState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create | Action::Update, _, Some(a)) => ex.account.put_bus_statement(a).await,
            (Action::Delete, Some(b), None) => {
                ex.account.remove_bus_statement(&b.region, &b.sid).await
            }
            _ => Err(impossible(c)),
        }
    }
}

/// Tags to add (new or changed) and keys to remove, going from `before` to `after`.
pub(super) struct Executor<'a, A> {
    pub(super) account: &'a A,
    pub(super) account_id: &'a str,
    options: &'a Options,
}

/// What CloudTrail calls other than `CreateTrail` name a trail by: an organization trail by its
/// ARN (a delegated administrator gets `TrailNotFoundException` for its name), others by name.
fn trail_id(t: &TrailState, account: &str) -> String {
    if t.settings.organization {
        arn::trail(&t.region, account, &t.name)
    } else {
        t.name.clone()
    }
}

/// The `UpdateTrail` settings of a trail state, in the form the API takes: a topic of the
/// trail's own Region and account by name (the API takes a name or an ARN).
fn settings(t: &TrailState, account: &str) -> TrailSettings {
    let local = arn::topic(&t.region, account, "");
    TrailSettings {
        delivery_topic: t.settings.delivery_topic.as_ref().map(|topic| {
            topic
                .strip_prefix(&local)
                .filter(|n| !n.contains(':'))
                .unwrap_or(topic)
                .to_owned()
        }),
        ..t.settings.clone()
    }
}

impl<A: Account> Executor<'_, A> {
    /// Makes one change: the [`Written`] impl of its address's kind, given the states before
    /// and after as that kind (a state of another kind is not a change the planner makes).
    async fn change(&self, c: &Change, progress: &Progress<'_, '_>) -> LiveResult<()> {
        if c.action == Action::NoOp {
            return Ok(());
        }
        macro_rules! dispatch {
            ($($kind:ident($name:literal, $state:ty)),* $(,)?) => {
                match &c.address {
                    $(Address::$kind(_) => {
                        let Some((before, after)) = c.states::<$state>() else {
                            return Err(impossible(c));
                        };
                        <$state as Written>::write(self, c, before, after, progress).await
                    })*
                }
            };
        }
        each_kind!(dispatch)
    }

    /// Retries a trail write while CloudTrail cannot yet see a bucket policy just written, or
    /// assume a log-delivery role just created (bounded by `policy_retry_delays`, logged).
    async fn with_policy_retry<T, F, Fut>(
        &self,
        c: &Change,
        progress: &Progress<'_, '_>,
        call: F,
    ) -> LiveResult<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = LiveResult<T>>,
    {
        let mut delays = self.options.policy_retry_delays.iter();
        loop {
            match call().await {
                Err(e)
                    if matches!(
                        e.kind,
                        ErrorKind::BucketPolicyNotReady | ErrorKind::LogsRoleNotReady
                    ) =>
                {
                    let Some(delay) = delays.next() else {
                        return Err(e);
                    };
                    let what = if e.kind == ErrorKind::LogsRoleNotReady {
                        "log-delivery role not usable by CloudTrail yet"
                    } else {
                        "bucket policy not visible to CloudTrail yet"
                    };
                    tracing::warn!(address = %c.address, ?delay, error = %e, "{what}; retrying");
                    progress.send(Event::Retrying {
                        address: c.address.clone(),
                        delay: *delay,
                        error: e.clone(),
                    });
                    tokio::time::sleep(*delay).await;
                }
                other => return other,
            }
        }
    }

    async fn create_trail(
        &self,
        c: &Change,
        a: &TrailState,
        progress: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        let s = settings(a, self.account_id);
        self.with_policy_retry(c, progress, || {
            self.account.create_trail(&a.region, &a.name, &s, &a.tags)
        })
        .await?;
        let id = trail_id(a, self.account_id);
        self.account
            .put_selectors(&a.region, &id, &a.selectors)
            .await?;
        if !a.insights.is_empty() {
            self.account
                .put_insights(&a.region, &id, &a.insights)
                .await?;
        }
        if a.logging {
            self.account.set_logging(&a.region, &id, true).await?;
        }
        Ok(())
    }

    async fn delete_trail(&self, b: &TrailState) -> LiveResult<()> {
        let id = trail_id(b, self.account_id);
        self.account.delete_trail(&b.region, &id).await
    }

    async fn update_trail(
        &self,
        c: &Change,
        b: &TrailState,
        a: &TrailState,
        progress: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        let (region, id) = (&a.region, trail_id(a, self.account_id));
        let name = id.as_str();
        let w = b.writes(a);
        if w.settings {
            let s = settings(a, self.account_id);
            self.with_policy_retry(c, progress, || self.account.update_trail(region, name, &s))
                .await?;
        }
        let trail_arn = arn::trail(region, self.account_id, &a.name);
        if !w.tags.add.is_empty() {
            self.account
                .add_tags(region, &trail_arn, &w.tags.add)
                .await?;
        }
        if !w.tags.remove.is_empty() {
            self.account
                .remove_tags(region, &trail_arn, &w.tags.remove)
                .await?;
        }
        if w.selectors {
            self.account
                .put_selectors(region, name, &a.selectors)
                .await?;
        }
        if w.insights {
            self.account.put_insights(region, name, &a.insights).await?;
        }
        if w.logging {
            self.account.set_logging(region, name, a.logging).await?;
        }
        Ok(())
    }

    async fn create_bucket(&self, a: &BucketState) -> LiveResult<()> {
        let (region, name) = (&a.region, &a.name);
        self.account.create_bucket(region, name, &a.tags).await?;
        self.account.block_public_access(region, name).await?;
        self.account.enforce_bucket_owner(region, name).await?;
        self.account
            .put_encryption(region, name, &a.encryption)
            .await?;
        if a.retention_days.is_some() {
            self.account
                .put_retention(region, name, a.retention_days)
                .await?;
        }
        if a.policy.is_some() {
            self.account
                .put_policy(region, name, a.policy.as_ref())
                .await?;
        }
        if a.access_logging.is_some() {
            self.account
                .put_access_logging(region, name, a.access_logging.as_ref())
                .await?;
        }
        Ok(())
    }

    async fn update_bucket(&self, b: &BucketState, a: &BucketState) -> LiveResult<()> {
        let (region, name) = (&a.region, &a.name);
        let w = b.writes(a);
        if w.tags {
            self.account.put_tags(region, name, &a.tags).await?;
        }
        if w.public_access {
            self.account.block_public_access(region, name).await?;
        }
        if w.ownership {
            self.account.enforce_bucket_owner(region, name).await?;
        }
        if w.encryption {
            self.account
                .put_encryption(region, name, &a.encryption)
                .await?;
        }
        if w.retention {
            self.account
                .put_retention(region, name, a.retention_days)
                .await?;
        }
        if w.policy {
            self.account
                .put_policy(region, name, a.policy.as_ref())
                .await?;
        }
        if w.access_logging {
            self.account
                .put_access_logging(region, name, a.access_logging.as_ref())
                .await?;
        }
        Ok(())
    }
}
