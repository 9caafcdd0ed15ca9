//! An organization: which accounts a spec is for (`organization:`) and what each of them is to
//! it (`Desired::membership` and `Desired::shaped_for` shape the one spec for one account).
//!
//! The management account holds the trails and their buckets (an organization trail logs every
//! account); the security account holds the topics and the rules that deliver to them; every
//! target account holds every alert's rules, which forward to the security account's bus.

use std::collections::BTreeSet;

use crate::model::diagnostic::SpecPath;

/// The role trailctl assumes in each member account unless the spec names another.
pub const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";
/// Accounts planned or applied at once unless the spec says otherwise.
pub const DEFAULT_CONCURRENCY: u64 = 8;
/// The service principal whose trusted access an organization trail needs.
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// The spec's `organization:` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub accounts: Targets,
    /// Account ids never targeted.
    pub exclude: BTreeSet<String>,
    /// The role assumed in each member account.
    pub role: String,
    /// Where topics live and every alert is delivered.
    pub security_account: String,
    /// Accounts planned or applied at once.
    pub concurrency: usize,
    pub path: SpecPath,
}

/// Which accounts the spec is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// Every active account of the organization.
    All,
    /// These accounts, and every account under these OUs (recursively).
    Listed(Vec<Target>),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Account(String),
    /// An organizational unit (`ou-…`) or the root (`r-…`), taken recursively.
    Unit(String),
}

/// The organization as Organizations describes it to the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgInfo {
    /// `o-…`.
    pub id: String,
    pub management_account: String,
}

/// An account of the organization (`ListAccounts`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

impl OrgAccount {
    pub fn active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

/// What one target account is to the organization's spec.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    pub account: String,
    pub org_id: String,
    pub management_account: String,
    pub security_account: String,
    /// The spec's organization trail that logs this account's management events, if any: a
    /// trail of its own that logs them too pays for a second copy.
    #[serde(default)]
    pub management_events_trail: Option<String>,
}

impl Membership {
    pub fn management(&self) -> bool {
        self.account == self.management_account
    }

    pub fn security(&self) -> bool {
        self.account == self.security_account
    }

    /// Where this account's alerts deliver: `None` to its own topics, else the account whose
    /// default bus (in the home Region) receives them.
    pub fn forward_to(&self) -> Option<&str> {
        (!self.security()).then_some(self.security_account.as_str())
    }
}
