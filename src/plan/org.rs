//! An organization's plan: one plan per target account (or why it could not be made), and what
//! an organization adds to one account's plan: the statement of the security account's home bus
//! that admits the organization's accounts.

use crate::model::arn;
use crate::model::bus_state::{BusPolicyState, statement_id};
use crate::model::cost::PAID_COPY;
use crate::model::desired::Desired;
use crate::model::observed::Observed;
use crate::model::observed::Scope;
use crate::model::org::CLOUDTRAIL_PRINCIPAL;
use crate::model::org::{Membership, OrgAccount};
use crate::model::selector::coverage;
use crate::plan::change::{Action, Address, Conflict, Kind, Plan, Resource, Warning};
use crate::plan::ownership::{change, compared};

/// The bus statement: wanted in the security account of an organization whose spec has alerts
/// (the members' rules forward to its bus); the stack's own statement (found by its `Sid`)
/// removed anywhere else, and once no alert is left. The rest of the bus policy is never
/// touched.
pub fn plan_bus_policy(d: &Desired, o: &Observed, p: &mut Plan) {
    let sid = statement_id(&d.stack);
    let address = Address::BusPolicy(d.stack.clone());
    let region = &d.home_region;
    let before = o
        .bus_policy
        .as_ref()
        .and_then(|policy| BusPolicyState::observed(region, &sid, policy));
    let after = d
        .member
        .as_ref()
        .filter(|m| m.security() && !d.alerts.is_empty())
        .map(|m| {
            BusPolicyState::admitting(
                region,
                &sid,
                &arn::default_bus(region, &o.account),
                &m.org_id,
            )
        });
    match (before, after) {
        (None, None) => {}
        (None, Some(a)) => p.changes.push(change(
            address,
            Action::Create,
            None,
            Some(Resource::BusPolicy(a)),
        )),
        (Some(b), Some(a)) => {
            p.changes.push(compared(
                address,
                Resource::BusPolicy(b),
                Resource::BusPolicy(a),
            ));
        }
        (Some(b), None) => p.changes.push(change(
            address,
            Action::Delete,
            Some(Resource::BusPolicy(b)),
            None,
        )),
    }
}

/// A spec without `organization:` whose stack's rules forward to another account's bus: the
/// stack had `organization:`, and what it made in the organization's accounts (their rules and
/// forwarding roles, the security account's bus statement) is beyond this plan, which no
/// longer names those accounts. Told once, with how to remove them.
pub fn plan_left_in_members(d: &Desired, o: &Observed, p: &mut Plan) {
    if d.organization.is_some() || d.member.is_some() {
        return;
    }
    let prefix = crate::model::alert::rule_prefix(&d.stack);
    let mut first: Option<&str> = None;
    let mut accounts: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for r in o.rules.iter().filter(|r| {
        r.name.starts_with(&prefix)
            && crate::plan::ownership::owner(&r.tags, &d.stack) == crate::plan::ownership::Owner::Us
    }) {
        for t in &r.targets {
            if let Some(target) = arn::parse(&t.arn)
                && target.service == "events"
                && target.resource == "event-bus/default"
                && target.account != o.account
            {
                accounts.insert(target.account);
                first.get_or_insert(r.name.as_str());
            }
        }
    }
    let Some(rule) = first else {
        return;
    };
    let alert = rule.strip_prefix(&prefix).unwrap_or(rule);
    p.warnings.push(Warning {
        address: Address::Alert(alert.to_owned()),
        message: format!(
            "this stack's rules forward to the event bus of account {}: the stack had `organization:`, and its rules and forwarding roles in the organization's accounts, and the bus statement of its security account, remain there; this spec no longer names those accounts, so no plan of it removes them",
            accounts.into_iter().collect::<Vec<_>>().join(", ")
        ),
        detail: Some(
            "to remove them: put `organization:` back as it was, with `alerts: []`, run `trailctl apply -f SPEC --allow-destroy`, then remove `organization:`".to_owned(),
        ),
    });
}

/// A member account's own trail that logs the management events an organization trail already
/// logs for it: a paid second copy, told with its price.
pub fn member_copies(d: &Desired, o: &Observed, p: &mut Plan) {
    let Some(org_trail) = d
        .member
        .as_ref()
        .filter(|m| !m.management())
        .and_then(|m| m.management_events_trail.as_ref())
    else {
        return;
    };
    for t in &o.trails {
        let Some(details) = t.details.as_ref().filter(|d| d.logging) else {
            continue;
        };
        let (reads, writes) = coverage(&details.selectors);
        if t.settings.organization || !(reads || writes) {
            continue;
        }
        p.warnings.push(Warning {
            address: Address::Trail(t.name.clone()),
            message: format!(
                "[management-copy] trail `{}` of this account logs management events that organization trail `{org_trail}` already logs for it: the first copy is free, this one costs ${PAID_COPY:.2} per 100,000 events",
                t.name
            ),
            detail: Some(
                "set its management events to none (or delete it): the organization trail keeps logging them"
                    .to_owned(),
            ),
        });
    }
}

/// Without CloudTrail's trusted access, an organization trail cannot be created: a conflict on
/// each of the account's organization trails, naming the fix.
pub fn untrusted(d: &Desired, org_id: &str) -> Vec<Conflict> {
    d.trails
        .iter()
        .filter(|t| t.settings.organization)
        .map(|t| Conflict {
            address: Some(Address::Trail(t.name.clone())),
            message: format!(
                "organization {org_id} has not enabled trusted access for CloudTrail: an organization trail cannot be created"
            ),
            hint: Some(format!(
                "from the management account: aws organizations enable-aws-service-access --service-principal {CLOUDTRAIL_PRINCIPAL}"
            )),
        })
        .collect()
}

/// The plan of every target account of an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgPlan {
    /// `o-…`.
    pub organization: String,
    pub management_account: String,
    pub security_account: String,
    /// Target accounts that are not active, left out.
    pub skipped: Vec<OrgAccount>,
    /// By account id.
    pub accounts: Vec<AccountPlan>,
}

/// One account's part of an organization's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPlan {
    pub name: String,
    pub membership: Membership,
    pub outcome: Outcome,
}

/// What became of one account.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Planned(Box<Plan>),
    /// It could not be read or written (the role could not be assumed, a call failed): why.
    Failed(String),
    /// `--fail-fast` stopped before it was read.
    NotRun,
}

impl AccountPlan {
    pub fn account(&self) -> &str {
        &self.membership.account
    }

    pub fn plan(&self) -> Option<&Plan> {
        match &self.outcome {
            Outcome::Planned(p) => Some(p),
            _ => None,
        }
    }

    /// Failed, not run, or planned with conflicts.
    pub fn errored(&self) -> bool {
        self.plan().is_none_or(|p| !p.conflicts.is_empty())
    }
}

impl OrgPlan {
    /// Whether any account errored (exit 1).
    pub fn errored(&self) -> bool {
        self.accounts.iter().any(AccountPlan::errored)
    }

    /// Whether any account's plan changes something (exit 2).
    pub fn has_changes(&self) -> bool {
        self.accounts
            .iter()
            .filter_map(AccountPlan::plan)
            .any(Plan::has_changes)
    }
}

impl Kind for BusPolicyState {
    /// The home bus's policy; nothing waits for it, and it waits for nothing.
    const SCOPE: Scope = Scope::Bus;
}
